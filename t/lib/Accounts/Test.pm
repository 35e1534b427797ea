package Accounts::Test;
# Helpers shared by the end-to-end tests: HTTP calls to one Space's vhost,
# SQL through psql on the test cluster, and accountsctl.
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Apache::TestRequest ();
use HTTP::Request ();
use IPC::Open3 ();
use JSON::PP ();
use LWP::UserAgent ();
use Symbol ();

our @EXPORT = qw(call json_of sql sql_value reset_db accountsctl create_admin
                 space_url db_stop db_start);

my $json = JSON::PP->new->utf8->canonical;
my $ua = LWP::UserAgent->new(timeout => 30, cookie_jar => undef, keep_alive => 0);

# The base URL of a Space's vhost (space_a, space_b, space_super).
sub space_url {
    my ($space) = @_;
    Apache::TestRequest::module($space);
    return 'http://' . Apache::TestRequest::hostport();
}

# call(space_a => 'GET', '/api/accounts/me', headers => {...}, body => '...', json => {...})
sub call {
    my ($space, $method, $path, %opt) = @_;
    my $req = HTTP::Request->new($method => space_url($space) . $path);
    my %headers = %{ $opt{headers} || {} };
    while (my ($k, $v) = each %headers) {
        $req->header($k => $v);
    }
    if (exists $opt{json}) {
        $req->header('Content-Type' => 'application/json');
        $req->content($json->encode($opt{json}));
    }
    elsif (defined $opt{body}) {
        $req->content($opt{body});
    }
    return $ua->request($req);
}

sub json_of {
    my ($res) = @_;
    my $decoded = eval { $json->decode($res->content) };
    return $decoded;
}

# Runs SQL on the test database; returns the rows as lines of |-separated values.
sub sql {
    my ($query) = @_;
    my @out = _run('psql', $ENV{ACCOUNTS_DB}, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', $query);
    die "psql failed: $out[2]" if $out[0] != 0;
    return split /\n/, $out[1];
}

sub sql_value {
    my @rows = sql(@_);
    return $rows[0];
}

# Every test file starts from an empty database.
sub reset_db {
    sql('TRUNCATE spaces, accounts, account_tombstones, account_creation_tokens, '
        . 'auth_tokens RESTART IDENTITY CASCADE');
}

# (exit status, stdout, stderr) of accountsctl with the test database.
sub accountsctl {
    my (@args) = @_;
    return _run($ENV{ACCOUNTSCTL}, '--db', $ENV{ACCOUNTS_DB}, @args);
}

# Creates an admin with accountsctl; returns its stable API key.
sub create_admin {
    my ($username, $domain, @opts) = @_;
    my ($rc, $out, $err) = accountsctl('create-admin', $username, $domain, @opts);
    die "create-admin failed ($rc): $err" if $rc != 0;
    chomp $out;
    return $out;
}

sub db_stop {
    my @r = _run($ENV{PGCTL}, '-D', $ENV{PGDATA}, '-m', 'fast', '-w', 'stop');
    die "pg_ctl stop: $r[2]" if $r[0] != 0;
}

sub db_start {
    my @r = _run($ENV{PGCTL}, '-D', $ENV{PGDATA}, '-l', "$ENV{PGDATA}/../postgres.log", '-w', 'start');
    die "pg_ctl start: $r[2]" if $r[0] != 0;
}

sub _run {
    my (@cmd) = @_;
    my $err = Symbol::gensym();
    my $pid = IPC::Open3::open3(my $in, my $out, $err, @cmd);
    close $in;
    my $stdout = do { local $/; <$out> } // '';
    my $stderr = do { local $/; <$err> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $stdout, $stderr);
}

1;
