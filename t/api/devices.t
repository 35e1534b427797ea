# Devices from Kamailio's registrar table (api-lifecycle.md 8): rows of
# Kamailio's own usrloc table (created by tests/e2e/run from the kamailio
# package's schema), written here by hand; t/sip/devices.t has a real
# Kamailio write them. Space A names the table (AccountsRegistrarTable
# location), Space B names none ({}), Space C names one that does not exist
# (503).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use JSON::PP ();

plan tests => 36;

reset_db();

# Kamailio's own table, created by tests/e2e/run from Kamailio's schema.
sql('TRUNCATE location');

# One instant for every row and every expected time.
my $now = sql_value("SELECT date_trunc('second', now() AT TIME ZONE 'UTC')");
my $seq = 0;
# A registration: minutes since last_modified, minutes until expiry (negative: expired).
sub register {
    my ($user, $domain, $instance, $ua, $age, $expires_in) = @_;
    $seq++;
    my $inst = defined $instance ? "'$instance'" : 'NULL';
    sql("INSERT INTO location (ruid, username, domain, contact, expires, last_modified, user_agent, instance)"
        . " VALUES ('ruid-$seq', '$user', '$domain', 'sip:$user\@192.0.2.$seq:5060',"
        . " '$now'::timestamp + interval '$expires_in minutes',"
        . " '$now'::timestamp - interval '$age minutes', '$ua', $inst)");
}
sub update_time {
    my ($age) = @_;
    return sql_value("SELECT to_char('$now'::timestamp - interval '$age minutes',"
                     . " 'YYYY-MM-DD\"T\"HH24:MI:SS.000000Z')");
}

my $alice = make_account('alice1', 'a.test');
my $bob = make_account('bob001', 'a.test');
my $carol = make_account('carol1', 'a.test');
my $alice_b = make_account('alice1', 'b.test');
sub key_of { my ($sip) = @_; my $k = (accountsctl('api-key', $sip))[1]; chomp $k; return { 'x-api-key' => $k } }
my %alice = %{ key_of('alice1@a.test') };
my %carol = %{ key_of('carol1@a.test') };
my %alice_b = %{ key_of('alice1@b.test') };
my %admin_a = ('x-api-key' => create_admin('admin1', 'a.test'));
my %admin_b = ('x-api-key' => create_admin('admin1', 'b.test'));

my $android = 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47';
# Device 1: two registrations (two contacts); the newer one gives the device.
register('alice1', 'a.test', '"<urn:uuid:1111>"', 'LinphoneiOS/5.0 (iPhone) old', 30, 60);
register('alice1', 'a.test', '<urn:uuid:1111>', 'LinphoneiOS/5.1.2 (iPhone 12) LinphoneSDK/5.3', 5, 60);
# Device 2: the newest, its domain in another case; an empty user agent.
register('alice1', 'A.Test', '<urn:uuid:2222>', '', 1, 60);
# Device 3: Android, in between.
register('alice1', 'a.test', '<urn:uuid:3333>', $android, 10, 60);
# Not devices: expired, no instance, empty instance, another account's,
# the same username in another Space.
register('alice1', 'a.test', '<urn:uuid:4444>', $android, 90, -1);
register('alice1', 'a.test', undef, $android, 2, 60);
register('alice1', 'a.test', '', $android, 2, 60);
register('bob001', 'a.test', '<urn:uuid:1111>', 'baresip v2.0.0 (x86_64/linux)', 3, 60);
register('alice1', 'b.test', '<urn:uuid:5555>', $android, 3, 60);

my %expected = (
    'urn:uuid:2222' => { uuid => 'urn:uuid:2222', update_time => update_time(1), user_agent => '',
                         app => '', version => '', device_name => '' },
    'urn:uuid:1111' => { uuid => 'urn:uuid:1111', update_time => update_time(5),
                         user_agent => 'LinphoneiOS/5.1.2 (iPhone 12) LinphoneSDK/5.3',
                         app => 'LinphoneiOS', version => '5.1.2', device_name => 'iPhone 12' },
    'urn:uuid:3333' => { uuid => 'urn:uuid:3333', update_time => update_time(10), user_agent => $android,
                         app => 'LinphoneAndroid', version => '5.2.5', device_name => 'Pixel 7' },
);

# ---- listing ------------------------------------------------------------------------
my $res = call(space_a => GET => '/api/accounts/me/devices', headers => \%alice);
is($res->code, 200, 'GET /accounts/me/devices: 200');
like($res->header('Content-Type'), qr{^application/json}, 'JSON');
is_deeply(json_of($res), \%expected, 'one entry per live device, keyed by uuid, from its newest registration');
my @order = $res->content =~ /"(urn:uuid:\d+)":\{/g;
is_deeply(\@order, [ 'urn:uuid:2222', 'urn:uuid:1111', 'urn:uuid:3333' ], 'newest first');
like($res->content, qr/^\{"urn:uuid:2222":\{"uuid":"urn:uuid:2222","update_time":"[^"]+","user_agent":"","app":"","version":"","device_name":""\}/,
     'keys in the FlexiAPI order');

$res = call(space_a => GET => "/api/accounts/$alice/devices", headers => \%admin_a);
is($res->code, 200, 'admin GET /accounts/{id}/devices: 200');
is_deeply(json_of($res), \%expected, "the admin sees the account's devices");
is_deeply(json_of(call(space_a => GET => "/api/accounts/$bob/devices", headers => \%admin_a)),
          { 'urn:uuid:1111' => { uuid => 'urn:uuid:1111', update_time => update_time(3),
                                 user_agent => 'baresip v2.0.0 (x86_64/linux)',
                                 app => 'baresip v2.0.0 (x86_64/linux)', version => '', device_name => '' } },
          "another account's devices: its own rows only; no match of the pattern: app is the user agent");

$res = call(space_a => GET => '/api/accounts/me/devices', headers => \%carol);
is_deeply([ $res->code, $res->content ], [ 200, '{}' ], 'no device: {} (an object, never [])');
$res = call(space_a => GET => "/api/accounts/$carol/devices", headers => \%admin_a);
is_deeply([ $res->code, $res->content ], [ 200, '{}' ], 'admin, no device: {}');

# ---- who may ask ----------------------------------------------------------------------
is(call(space_a => GET => '/api/accounts/me/devices')->code, 401, 'no credentials: 401');
for my $id ($alice_b, 999999, '99999999999999999999') {
    $res = call(space_a => GET => "/api/accounts/$id/devices", headers => \%admin_a);
    is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ],
              "admin of A, account $id (another Space's, unknown, too large): 404");
}
$res = call(space_b => DELETE => "/sip/v1/accounts/$alice/devices/urn:uuid:3333", headers => \%admin_b);
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ],
          "admin of B deleting a device of A's account: 404");
$res = call(space_a => GET => "/api/accounts/$bob/devices", headers => \%alice);
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Unauthorized area' } ], 'a user on the admin route: 403');

# ---- deletion -------------------------------------------------------------------------
$res = call(space_a => DELETE => '/api/accounts/me/devices/urn:uuid:1111', headers => \%alice);
is_deeply([ $res->code, $res->content ], [ 200, '1' ], 'DELETE /accounts/me/devices/{uuid}: 200, body 1');
like($res->header('Content-Type'), qr{^text/html; charset=UTF-8}, 'the 1 as text/html');
is(sql_value("SELECT count(*) FROM location WHERE username = 'alice1' AND instance LIKE '%1111%'"), 0,
   'both registrations of the device are gone');
is(sql_value("SELECT count(*) FROM location WHERE username = 'bob001'"), 1, "bob's device of the same uuid stays");
$res = call(space_a => DELETE => '/api/accounts/me/devices/urn:uuid:1111', headers => \%alice);
is_deeply([ $res->code, $res->content ], [ 200, '' ], 'again: 200, empty body');
$res = call(space_a => DELETE => '/api/accounts/me/devices/urn%3Auuid%3A4444', headers => \%alice);
is_deeply([ $res->code, $res->content ], [ 200, '1' ], 'a percent-encoded uuid; an expired registration is deleted too');
$res = call(space_a => DELETE => "/api/accounts/$alice/devices/urn:uuid:3333", headers => \%admin_a);
is_deeply([ $res->code, $res->content ], [ 200, '1' ], 'admin DELETE /accounts/{id}/devices/{uuid}: 1');
$res = call(space_a => DELETE => "/api/accounts/$alice/devices/urn:uuid:3333", headers => \%admin_a);
is_deeply([ $res->code, $res->content ], [ 200, '' ], 'admin, again: empty body');
$res = call(space_a => DELETE => "/api/accounts/999999/devices/urn:uuid:2222", headers => \%admin_a);
is($res->code, 404, 'admin, unknown account: 404');
is_deeply([ sort keys %{ json_of(call(space_a => GET => '/api/accounts/me/devices', headers => \%alice)) } ],
          [ 'urn:uuid:2222' ], 'what is left');
is(sql_value("SELECT count(*) FROM location WHERE username = 'alice1' AND domain = 'b.test'"), 1,
   "the other Space's alice1 keeps its registration");

# A blocked account gets nothing.
sql("UPDATE accounts SET blocked = true WHERE id = $alice");
$res = call(space_a => GET => '/api/accounts/me/devices', headers => \%alice);
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Account blocked' } ], 'blocked: 403');
sql("UPDATE accounts SET blocked = false WHERE id = $alice");

# ---- no table: FlexiAPI's empty registrar ---------------------------------------------
$res = call(space_b => GET => '/sip/v1/accounts/me/devices', headers => \%alice_b);
is_deeply([ $res->code, $res->content ], [ 200, '{}' ], 'Space B (no AccountsRegistrarTable): {}');
$res = call(space_b => DELETE => '/sip/v1/accounts/me/devices/urn:uuid:5555', headers => \%alice_b);
is_deeply([ $res->code, $res->content ], [ 200, '' ], 'Space B: DELETE 200, empty body');
$res = call(space_b => GET => "/sip/v1/accounts/$alice_b/devices", headers => \%admin_b);
is_deeply([ $res->code, $res->content ], [ 200, '{}' ], 'Space B admin: {}');
is(call(space_b => GET => '/sip/v1/accounts/999999/devices', headers => \%admin_b)->code, 404,
   'Space B admin, unknown account: still 404');
is(sql_value("SELECT count(*) FROM location WHERE domain = 'b.test'"), 1, 'nothing deleted through Space B');

# ---- a table that cannot be read: 503 -------------------------------------------------
my $carl = make_account('carl01', 'c.test');
my %carl = %{ key_of('carl01@c.test') };
my %admin_c = ('x-api-key' => create_admin('admin1', 'c.test'));
$res = call(space_c => GET => '/api/accounts/me/devices', headers => \%carl);
is_deeply([ $res->code, json_of($res) ], [ 503, { message => 'Service unavailable' } ], 'missing table: GET 503');
$res = call(space_c => DELETE => '/api/accounts/me/devices/urn:uuid:1', headers => \%carl);
is($res->code, 503, 'missing table: DELETE 503');
$res = call(space_c => GET => "/api/accounts/$carl/devices", headers => \%admin_c);
is($res->code, 503, 'missing table: admin GET 503');
