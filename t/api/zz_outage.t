# The database goes away and comes back: 503 JSON meanwhile, then service
# again without restarting Apache (api.md 1.2, 1.5). Runs last: it stops
# the cluster.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Time::HiRes qw(time sleep);

plan tests => 9;

reset_db();
my $key = create_admin('outage', 'a.test');
is(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key })->code, 200,
   'before: authenticated request works');

db_stop();
my $t0 = time;
my $res = call(space_a => GET => '/api/ping');
is($res->code, 503, 'database down: ping 503');
is_deeply(json_of($res), { message => 'Service unavailable' }, '503 JSON message');
$res = call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key });
is($res->code, 503, 'database down: authenticated route 503, not 401 or 500');
ok(time - $t0 < 10, 'answers come quickly, no hang');
# Several more, so every pooled connection has seen the outage.
call(space_a => GET => '/api/ping') for 1 .. 5;

db_start();
my $ok = 0;
for (1 .. 20) {
    if (call(space_a => GET => '/api/ping')->code == 200) {
        $ok++;
        last;
    }
    sleep 0.25;
}
ok($ok, 'database back: ping 200 again without restarting Apache');
my @codes = map { call(space_a => GET => '/api/ping')->code } 1 .. 10;
is_deeply(\@codes, [ (200) x 10 ], 'and stays up on every pooled connection');
$res = call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key });
is($res->code, 200, 'authenticated route works again');
is(json_of($res)->{username}, 'outage', 'with the same data');
