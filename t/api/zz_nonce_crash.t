# Digest nonces after a PostgreSQL crash (issue 13). Nonces are stateless;
# only the used ones are rows, in an UNLOGGED table that a crash empties.
# Without more, a nonce used before the crash would then look unused, and a
# captured request replayable. The table's epoch row (sql/0009) goes with
# the crash too: the module writes a new one, and every nonce issued before
# it is unknown. Stops the cluster: runs near the end.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Time::HiRes qw(sleep);

plan tests => 8;

reset_db();
make_account('crashy', 'a.test', realm => 'global.realm.test', passwords => { MD5 => 'crash-pass-1' });
my $me = '/api/accounts/me';
my $from = { From => 'sip:crashy@a.test' };
my ($c) = challenges(call(space_a => GET => $me, headers => $from));
my %auth = (username => 'crashy', realm => $c->{realm}, password => 'crash-pass-1', nonce => $c->{nonce},
            opaque => $c->{opaque}, method => 'GET', uri => $me);
my $signed = { %$from, Authorization => digest_header(%auth, nc => '00000001') };
is(call(space_a => GET => $me, headers => $signed)->code, 200, 'a request signed with nc 1');
is(call(space_a => GET => $me, headers => $signed)->content, 'Nonce replayed', 'replaying it: Nonce replayed');
my ($c2) = challenges(call(space_a => GET => $me, headers => $from));
my $signed2 = { %$from, Authorization => digest_header(%auth, nonce => $c2->{nonce}, nc => '00000001') };
is(call(space_a => GET => $me, headers => $signed2)->code, 200, 'another nonce used once, before the crash');

# A crash: immediate shutdown, then crash recovery resets unlogged tables.
# The test cluster commits asynchronously (tests/e2e/pg-cluster): without a
# checkpoint first, the crash may also lose the last commits (the account's
# password row, say), which a durable production database would keep.
sql('CHECKPOINT');
my @stop = Accounts::Test::_run($ENV{PGCTL}, '-D', $ENV{PGDATA}, '-m', 'immediate', '-w', 'stop');
is($stop[0], 0, 'PostgreSQL killed (immediate shutdown)');
db_start();
my $up = 0;
for (1 .. 40) {
    last if ($up = call(space_a => GET => '/api/ping')->code == 200);
    sleep 0.25;
}
ok($up, 'PostgreSQL back after crash recovery');
is(sql_value('SELECT count(*) FROM digest_nonces'), 0, 'recovery emptied the nonce table (unlogged), epoch included');

my $res = call(space_a => GET => $me, headers => $signed2);
is($res->code . ' ' . $res->content, '401 Nonce invalid',
   'the request signed before the crash, replayed after it: refused (the nonce predates the new epoch)');
my ($ok) = digest_call(space_a => GET => $me, username => 'crashy', domain => 'a.test', password => 'crash-pass-1');
is($ok->code, 200, 'a fresh handshake works') or diag($ok->as_string);
