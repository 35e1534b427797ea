# A write is never applied twice after a lost connection (issue 13, item 11).
# Space P reaches PostgreSQL through t/bin/pg-drop-proxy, which can let a
# statement run and commit, then lose its answer and the connection. The
# module used to re-establish the connection and send the statement again:
# an admin's POST /accounts then ran twice, and the second run answered 422
# "username taken" for the account the first had created. Now it answers
# 503 (nothing was acknowledged), and recovers by itself.
# It also re-establishes, before sending anything, a pooled connection that
# the server closed while idle (a restart): no 503 then.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use POSIX ();
use Time::HiRes qw(sleep);

plan tests => 14;

reset_db();
my $control = Apache::Test::vars('serverroot') . '/logs/pg-drop-proxy.control';
unlink $control;
my $pid = open(my $proxy, '-|', Apache::Test::vars('serverroot') . '/bin/pg-drop-proxy',
               $ENV{ACCOUNTS_PG_PROXY_PORT}, "$ENV{PGHOST}/.s.PGSQL.5432", $control) // die "proxy: $!";
is(scalar(<$proxy>), "ready\n", 'the proxy listens');

sub command { my ($c) = @_; open my $fh, '>', "$control.tmp" or die; print $fh "$c\n"; close $fh;
              rename "$control.tmp", $control or die; sleep 0.2 while -e $control }
sub tokens { sql_value('SELECT count(*) FROM auth_tokens') }
sub new_token { call(space_proxy => POST => '/api/accounts/auth_token') }

# A few requests: the pooled connections through the proxy are open.
is(new_token()->code, 201, 'an auth token through the proxy: 201') for 1 .. 2;
my $before = tokens();

command('drop-after accounts_auth_token_insert');
my $res = new_token();
is($res->code . ' ' . $res->content, '503 {"message":"Service unavailable"}',
   'the INSERT ran, its answer was lost: 503, not a retry');
is(tokens(), $before + 1, 'exactly one row: the statement was not sent a second time');

$res = new_token();
is($res->code, 201, 'the next request succeeds: the connection was re-established');
is(tokens(), $before + 2, 'one row for it');

# The write the old code ran twice: an admin creation.
my $admin = create_admin('padmin', 'p.test', '--password', 'padmin-secret');
command('drop-after accounts_account_create');
$res = call(space_proxy => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
            json => { username => 'once-only', password => 'once-secret', algorithm => 'MD5' });
is($res->code . ' ' . $res->content, '503 {"message":"Service unavailable"}',
   "POST /accounts whose answer was lost: 503 (it used to run again and answer 422 'taken')") or diag($res->as_string);
is(sql_value("SELECT count(*) FROM accounts WHERE username = 'once-only'"), 1, 'the account exists once');
$res = call(space_proxy => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
            json => { username => 'next-one', password => 'twice-secret', algorithm => 'MD5' });
is($res->code, 200, 'the next creation: 200');
is(sql_value("SELECT count(*) FROM accounts WHERE username = 'next-one'"), 1, 'created once');

command('close-idle');    # as a PostgreSQL restart does to idle pooled connections
$res = new_token();
is($res->code, 201, 'a pooled connection closed by the server: re-established before sending, 201');
is(tokens(), $before + 3, 'one row');

kill 'TERM', $pid;
waitpid $pid, 0;

# The lost connections above were logged with libpq's multi-line message:
# one line each, no literal "\n" (issue 18).
open my $log, '<', Apache::Test::vars('t_logs') . '/error_log' or die;
my @ours = grep { /\[accounts:/ && /server closed the connection/ } <$log>;
ok(@ours && !grep({ /\\[nt]/ } @ours), 'database errors are logged on one line: ' . scalar(@ours) . ' lines')
    or diag(join '', @ours[0 .. ($#ours < 2 ? $#ours : 2)]);
