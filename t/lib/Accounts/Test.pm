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
use Digest::MD5 ();
use Digest::SHA ();

our @EXPORT = qw(call json_of sql sql_value reset_db accountsctl create_admin remember_secret
                 space_url db_stop db_start make_account ha1 challenges digest_header
                 digest_call user_key_for accountsctl_input command_calls command_reset
                 command_behave concurrently);

my $json = JSON::PP->new->utf8->canonical;
my $ua = LWP::UserAgent->new(timeout => 30, cookie_jar => undef, keep_alive => 0);

# The base URL of a Space's vhost (space_a, space_b, space_c, space_super),
# remembered: Apache::Test may run apxs to answer, which forked clients
# should not each do again.
my %url_of;
sub space_url {
    my ($space) = @_;
    return $url_of{$space} //= do {
        Apache::TestRequest::module($space);
        'http://' . Apache::TestRequest::hostport();
    };
}

# Every secret the suite handles (passwords, keys, tokens) is appended to
# t/logs/secrets.txt; zzz_secrets.t then checks that none reached the logs.
my $secrets_file = Apache::Test::vars('serverroot') . '/logs/secrets.txt';
sub remember_secret {
    my (@values) = @_;
    open my $fh, '>>', $secrets_file or return;
    for my $v (grep { defined && !ref && length >= 8 } @values) {
        print $fh "$v\n";
    }
    close $fh;
}

my %secret_field = map { $_ => 1 } qw(password old_password password_confirmation
    account_creation_token api_key token provisioning_token);
sub _remember_json_secrets {
    my ($data) = @_;
    return unless ref $data eq 'HASH';
    remember_secret(map { $data->{$_} } grep { $secret_field{$_} } keys %$data);
}

# The push and SMS commands of the suite (t/bin/fake-command, configured in
# t/conf/extra.conf.in as "fake-command t/commands/push" and ".../sms"):
# command_calls('push') lists the runs since the last command_reset, oldest
# first, each {argv => [...after the directory...], stdin => '...'};
# command_behave('sms', exit => 1, sleep => 12) steers the next runs.
my $commands_dir = Apache::Test::vars('serverroot') . '/commands';
sub command_calls {
    my ($name) = @_;
    my @calls;
    for my $file (sort glob("$commands_dir/$name/*.json")) {
        open my $fh, '<', $file or next;
        local $/;
        push @calls, JSON::PP->new->decode(<$fh>);
    }
    return @calls;
}
sub command_reset {
    my ($name) = @_;
    mkdir $commands_dir;
    mkdir "$commands_dir/$name";
    unlink glob("$commands_dir/$name/*"), map { "$commands_dir/$name/$_" } qw(exit-status sleep);
}
sub command_behave {
    my ($name, %how) = @_;
    mkdir $commands_dir;
    mkdir "$commands_dir/$name";
    for my $what (['exit-status', $how{exit}], ['sleep', $how{sleep}]) {
        my $file = "$commands_dir/$name/$what->[0]";
        if (defined $what->[1]) {
            open my $fh, '>', $file or die "$file: $!";
            print $fh "$what->[1]\n";
            close $fh;
        }
        else {
            unlink $file;
        }
    }
}

# Runs $n requests at once (forked clients released together, 2 s from
# now) and returns their status codes in order; $make->($i) returns the
# arguments of call() for client $i.
sub concurrently {
    my ($n, $make) = @_;
    require Time::HiRes;
    require POSIX;
    my $go = Time::HiRes::time() + 2.0;
    my @pipes;
    for my $i (1 .. $n) {
        my @req = $make->($i);
        space_url($req[0]);    # resolved before forking
        pipe(my $r, my $w) or die $!;
        my $pid = fork // die $!;
        if (!$pid) {
            close $r;
            Time::HiRes::sleep(0.001) while Time::HiRes::time() < $go;
            my $res = call(@req);
            print $w $res->code;
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @pipes, [ $pid, $r ];
    }
    my @codes;
    for (@pipes) {
        my ($pid, $r) = @$_;
        my $code = <$r>;
        waitpid $pid, 0;
        push @codes, $code // 'none';
    }
    return @codes;
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
        _remember_json_secrets($opt{json});
    }
    elsif (defined $opt{body}) {
        $req->content($opt{body});
        remember_secret($1) while $opt{body} =~ /(?:^|&)(?:password|password_confirmation|token)=([^&]+)/g;
    }
    remember_secret($headers{'x-api-key'}) if $headers{'x-api-key'};
    my $res = $ua->request($req);
    if (($res->header('Content-Type') // '') =~ /json/) {
        my $data = eval { $json->decode($res->content) };
        _remember_json_secrets($data);
    }
    elsif ($path =~ m{/api_key$} && $res->code == 200) {
        remember_secret($res->content);
    }
    return $res;
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
    # spaces stays: its rows hold each Space's realm, written by httpd's
    # children at start (sql/0010), as in production.
    sql('TRUNCATE account_id_buckets, accounts, account_tombstones, account_creation_tokens, '
        . 'auth_tokens, account_types RESTART IDENTITY CASCADE');
    # The cascade empties digest_nonces, epoch row included (sql/0009): put
    # back one from long ago, as a database that has run for a while has.
    sql("INSERT INTO digest_nonces (account_id, nonce, nc, created_at) VALUES (NULL, 'epoch',"
        . " (extract(epoch FROM now() - interval '1 day') * 1000000)::bigint, now() - interval '1 day')"
        . ' ON CONFLICT (nonce) DO UPDATE SET nc = excluded.nc, created_at = excluded.created_at');
}

# (exit status, stdout, stderr) of accountsctl with the test database.
sub accountsctl {
    my (@args) = @_;
    my @r = _run($ENV{ACCOUNTSCTL}, '--db', $ENV{ACCOUNTS_DB}, @args);
    remember_secret(split /\n/, $r[1]) if @args && $args[0] =~ /^(api-key|creation-token|create-admin)$/;
    return @r;
}

# accountsctl with $input on its standard input: (exit status, stdout, stderr).
sub accountsctl_input {
    my ($input, @args) = @_;
    remember_secret(split /\r?\n/, $input);
    my @r = _run_input($input, $ENV{ACCOUNTSCTL}, '--db', $ENV{ACCOUNTS_DB}, @args);
    remember_secret(split /\n/, $r[1]) if @args && $args[0] eq 'create-admin';
    return @r;
}

# Creates an admin with accountsctl; returns its stable API key.
sub create_admin {
    my ($username, $domain, @opts) = @_;
    my ($rc, $out, $err) = accountsctl('create-admin', $username, $domain, @opts);
    die "create-admin failed ($rc): $err" if $rc != 0;
    chomp $out;
    remember_secret($out, @opts);
    return $out;
}

# H(username:realm:password) in hex, for MD5 or SHA-256.
sub ha1 {
    my ($alg, $username, $realm, $password) = @_;
    my $text = "$username:$realm:$password";
    utf8::encode($text) if utf8::is_utf8($text);
    return $alg eq 'MD5' ? Digest::MD5::md5_hex($text) : Digest::SHA::sha256_hex($text);
}

# Inserts an account directly: make_account('bob', 'a.test', realm => R,
# passwords => { MD5 => 'pw', 'SHA-256' => 'pw' }, admin => 1, blocked => 1).
# Passwords are stored in MD5, SHA-256, CLRTXT order. Returns the id.
sub make_account {
    my ($username, $domain, %o) = @_;
    my $id = sql_value(sprintf("INSERT INTO accounts (username, domain, ip_address, admin, blocked, activated)"
                               . " VALUES ('%s', '%s', '192.0.2.1', %s, %s, true) RETURNING id",
                               $username, $domain, $o{admin} ? 'true' : 'false',
                               $o{blocked} ? 'true' : 'false'));
    my $realm = $o{realm} // $domain;
    remember_secret(values %{ $o{passwords} || {} });
    for my $alg (grep { exists $o{passwords}{$_} } 'MD5', 'SHA-256', 'CLRTXT') {
        my $pw = $o{passwords}{$alg};
        my $stored = $alg eq 'CLRTXT' ? $pw : ha1($alg, $username, $realm, $pw);
        sql("INSERT INTO passwords (account_id, algorithm, password) VALUES ($id, '$alg', '$stored')");
    }
    return $id;
}

# The parsed WWW-Authenticate challenges of a response, in order.
sub challenges {
    my ($res) = @_;
    my @out;
    for my $h ($res->header('WWW-Authenticate')) {
        my %c;
        $c{$1} = defined $2 ? $2 : $3 while $h =~ /(\w+)=(?:"([^"]*)"|([^,]*))/g;
        push @out, \%c;
    }
    return @out;
}

# An Authorization header answering challenge $c for $method $uri.
sub digest_header {
    my (%a) = @_;
    my $alg = $a{algorithm} // 'MD5';
    my $h = $alg eq 'MD5' ? \&Digest::MD5::md5_hex : \&Digest::SHA::sha256_hex;
    my $ha1 = $a{ha1} // ha1($alg, $a{username}, $a{realm}, $a{password});
    my $ha2 = $h->("$a{method}:$a{uri}");
    my $nc = $a{nc} // '00000001';
    my $cnonce = $a{cnonce} // '0a4f113b';
    my $response = $a{response} // $h->("$ha1:$a{nonce}:$nc:$cnonce:auth:$ha2");
    return sprintf('Digest username="%s",realm="%s",nonce="%s",uri="%s",algorithm=%s,response="%s",'
                   . 'opaque="%s",qop=%s,nc=%s,cnonce="%s"', $a{username}, $a{realm}, $a{nonce},
                   $a{uri}, $alg, $response, $a{opaque}, $a{qop} // 'auth', $nc, $cnonce);
}

# A full handshake: challenge, then the authenticated request. Returns the
# final response and the challenge used.
sub digest_call {
    my ($space, $method, $path, %o) = @_;
    my $from = "sip:$o{username}\@$o{domain}";
    my $first = call($space, $method, $path, headers => { From => $from });
    my ($c) = grep { ($_->{algorithm} // '') eq ($o{algorithm} // 'MD5') } challenges($first);
    return ($first, undef) unless $c;
    my $auth = digest_header(%o, realm => $c->{realm}, nonce => $c->{nonce}, opaque => $c->{opaque},
                             method => $method, uri => $path);
    my $res = call($space, $method, $path, %o, headers => { From => $from, Authorization => $auth,
                                                            %{ $o{headers} || {} } });
    return ($res, $c);
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

# As _run, with $input written to the command's standard input first (a
# few bytes: the pipe holds them even if the command never reads).
sub _run_input {
    my ($input, @cmd) = @_;
    my $err = Symbol::gensym();
    my $pid = IPC::Open3::open3(my $in, my $out, $err, @cmd);
    {
        local $SIG{PIPE} = 'IGNORE';
        print $in $input;
        close $in;
    }
    my $stdout = do { local $/; <$out> } // '';
    my $stderr = do { local $/; <$err> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $stdout, $stderr);
}

1;
