# Changing a password revokes the account's user API keys (issue 13 item
# 8, api.md 2.2): POST /accounts/me/password, an admin PUT, provisioning
# with ?reset_password (the reset page already did). Stable keys stay, and
# so does the key that authenticated a POST /accounts/me/password.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 22;

reset_db();
my $admin = create_admin('keychief', 'a.test');
my $id = make_account('ruth0001', 'a.test', realm => 'global.realm.test', passwords => { MD5 => 'first-pass' });
my $stable = (accountsctl('api-key', 'ruth0001@a.test'))[1];
chomp $stable;
sub me { my ($k) = @_; call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $k }) }
sub revoked { my ($k) = @_; my $r = me($k); [ $r->code, $r->content ] }
my $gone = [ 401, 'Invalid API Key' ];
# A fresh user key, made with the stable key.
sub user_key {
    my $r = call(space_a => GET => '/api/accounts/me/api_key', headers => { 'x-api-key' => $stable });
    die 'api_key failed: ' . $r->code unless $r->code == 200;
    remember_secret($r->content);
    return $r->content;
}
sub user_keys { sql_value("SELECT count(*) FROM api_keys WHERE account_id = $id AND user_key") }

# ---- POST /accounts/me/password by digest ---------------------------------------------
my $k1 = user_key();
is(me($k1)->code, 200, 'the user key works');
my ($res) = digest_call(space_a => POST => '/api/accounts/me/password', username => 'ruth0001', domain => 'a.test',
                        password => 'first-pass',
                        json => { algorithm => 'MD5', password => 'second-pass', old_password => 'first-pass' });
is($res->code, 200, 'password changed by digest');
is_deeply(revoked($k1), $gone, 'the user key is revoked: 401 Invalid API Key');
is(me($stable)->code, 200, 'the stable key still works');
is(user_keys(), 0, 'no user key left');

# ---- POST /accounts/me/password with the user key itself ---------------------------------
$k1 = user_key();
$res = call(space_a => POST => '/api/accounts/me/password', headers => { 'x-api-key' => $k1 },
            json => { algorithm => 'MD5', password => 'third-pass', old_password => 'second-pass' });
is($res->code, 200, 'password changed with the user key');
is(me($k1)->code, 200, 'the key that made the request keeps working');
is(me($stable)->code, 200, 'the stable key too');
is(user_keys(), 1, 'one user key: that one');

# With the stable key: the user key goes, the stable key stays.
$res = call(space_a => POST => '/api/accounts/me/password', headers => { 'x-api-key' => $stable },
            json => { algorithm => 'SHA-256', password => 'fourth-pass', old_password => 'third-pass' });
is($res->code, 200, 'password changed with the stable key');
is_deeply(revoked($k1), $gone, 'the user key is revoked');
is(me($stable)->code, 200, 'the stable key that made the request works');

# A refused change revokes nothing.
$k1 = user_key();
$res = call(space_a => POST => '/api/accounts/me/password', headers => { 'x-api-key' => $stable },
            json => { algorithm => 'MD5', password => 'fifth-pass', old_password => 'wrong-pass' });
is($res->code, 422, 'a wrong old password: 422');
is(me($k1)->code, 200, 'and the user key still works');

# ---- PUT /accounts/{id} by an admin ---------------------------------------------------------
$res = call(space_a => PUT => "/api/accounts/$id", headers => { 'x-api-key' => $admin },
            json => { username => 'ruth0001', password => 'admin-set-pass', algorithm => 'MD5' });
is($res->code, 200, 'admin PUT with a password: 200');
is_deeply(revoked($k1), $gone, 'the user key is revoked');
is(me($stable)->code, 200, 'the stable key still works');
is(me($admin)->code, 200, "and the admin's key too");

# ---- GET /provisioning/{token}?reset_password -----------------------------------------------
$k1 = user_key();
my $token = json_of(call(space_a => GET => '/api/accounts/me/provision', headers => { 'x-api-key' => $stable }))->{provisioning_token};
$res = call(space_a => GET => "/api/provisioning/$token?reset_password", headers => { 'x-linphone-provisioning' => 1 });
is($res->code, 200, 'provisioning with ?reset_password: 200');
isnt(sql_value("SELECT password FROM passwords WHERE account_id = $id"), ha1('MD5', 'ruth0001', 'global.realm.test', 'admin-set-pass'),
     'the password was reset');
is_deeply(revoked($k1), $gone, 'the user key is revoked');
is(me($stable)->code, 200, 'the stable key still works');
