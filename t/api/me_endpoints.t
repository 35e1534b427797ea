# The user's own account: /accounts/{sip}/info, DELETE /accounts/me,
# GET /accounts/me/provision, POST /accounts/me/password, TURN
# (api.md 5.2, 5.6 to 5.9).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(hmac_sha1_base64);
use MIME::Base64 ();

plan tests => 52;

reset_db();
my $realm_a = 'global.realm.test';
my $id = make_account('alice1', 'a.test', realm => $realm_a, passwords => { MD5 => 'old-secret' });
my $key = (accountsctl('api-key', 'alice1@a.test'))[1];
chomp $key;
my %k = ('x-api-key' => $key);

# ---- info -------------------------------------------------------------------------
my $res = call(space_a => GET => '/api/accounts/alice1@a.test/info');
is($res->code, 200, 'info: 200 without credentials');
is_deeply(json_of($res), { activated => JSON::PP::true, realm => $realm_a }, 'exactly activated and realm');
is(json_of(call(space_a => GET => '/api/accounts/alice1%40A.TEST/info'))->{realm}, $realm_a,
   'percent-encoded @, domain case-insensitive');
for my $miss ('nobody@a.test', 'alice1@b.test', 'alice1') {
    $res = call(space_a => GET => "/api/accounts/$miss/info");
    is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ], "info $miss: 404");
}
make_account('carl01', 'c.test', realm => 'c.realm.test');
is(json_of(call(space_c => GET => '/api/accounts/carl01@c.test/info'))->{realm}, 'c.realm.test', "Space C's realm");

# ---- provision ----------------------------------------------------------------------
$res = call(space_a => GET => '/api/accounts/me/provision', headers => \%k);
is($res->code, 200, 'provision: 200');
my $p1 = json_of($res)->{provisioning_token};
like($p1, qr/^[A-Za-z0-9]{13}$/, 'a provisioning token');
ok(!defined json_of($res)->{provisioning_token_expire_at}, 'no expiry in Space A');
$res = call(space_a => GET => '/api/accounts/me/provision', headers => \%k);
my $p2 = json_of($res)->{provisioning_token};
isnt($p2, $p1, 'a new one each time');
is(json_of(call(space_a => GET => '/api/accounts/me', headers => \%k))->{provisioning_token}, $p2,
   'the newest is the current one');
is(sql_value("SELECT count(*) FROM provisioning_tokens WHERE account_id = $id AND NOT used"), 1,
   'older tokens stop working');
my $cid = make_account('carl02', 'c.test', realm => 'c.realm.test');
my $ckey = (accountsctl('api-key', 'carl02@c.test'))[1];
chomp $ckey;
$res = call(space_c => GET => '/api/accounts/me/provision', headers => { 'x-api-key' => $ckey });
my $created = sql_value("SELECT to_char((created_at + interval '30 minutes') AT TIME ZONE 'UTC', "
                        . "'YYYY-MM-DD\"T\"HH24:MI:SS.000000Z') FROM provisioning_tokens WHERE account_id = $cid AND NOT used");
is(json_of($res)->{provisioning_token_expire_at}, $created, 'expire_at = creation + AccountsProvisioningTokenExpiry');

# ---- password -------------------------------------------------------------------------
my $pw = '/api/accounts/me/password';
$res = call(space_a => POST => $pw, headers => \%k, json => {});
is_deeply(json_of($res), { message => 'The algorithm field is required. (and 1 more error)',
                           errors => { algorithm => [ 'The algorithm field is required.' ],
                                       password => [ 'The password field is required.' ] } }, 'stage 1: 422');
$res = call(space_a => POST => $pw, headers => \%k, json => { algorithm => 'SHA-256', password => 'new' });
is_deeply(json_of($res), { message => 'The old password field is required.',
                           errors => { old_password => [ 'The old password field is required.' ] } },
          'stage 2: old_password required when a password exists (no minimum on the new one)');
$res = call(space_a => POST => $pw, headers => \%k, json => { algorithm => 'SHA-256', password => 'new-secret', old_password => 'wrong' });
is($res->code, 422, 'wrong old password: 422');
is($res->content, '{"errors":{"old_password":"Incorrect old password"}}', 'the FlexiAPI wire shape, exactly');
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 't', '(alice1 was created activated)');
sql("UPDATE accounts SET activated = false WHERE id = $id");
call(space_a => POST => $pw, headers => \%k, json => { algorithm => 'SHA-256', password => 'new-secret', old_password => 'wrong' });
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 'f', 'a refused change does not activate');

$res = call(space_a => POST => $pw, headers => \%k,
            json => { algorithm => 'SHA-256', password => 'new-secret', old_password => ' old-secret ' });
is($res->code, 200, 'right old password (trimmed): 200');
is($res->content, '[]', 'body []');
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 't', 'the account is activated');
is(sql_value("SELECT algorithm || ':' || password FROM passwords WHERE account_id = $id"),
   'SHA-256:' . ha1('SHA-256', 'alice1', $realm_a, 'new-secret'), 'the only password, with the new algorithm');
my ($r1) = digest_call(space_a => GET => '/api/accounts/me', username => 'alice1', domain => 'a.test',
                       password => 'new-secret', algorithm => 'SHA-256');
is($r1->code, 200, 'digest login with the new password');
($r1) = digest_call(space_a => GET => '/api/accounts/me', username => 'alice1', domain => 'a.test',
                    password => 'old-secret', algorithm => 'SHA-256');
is($r1->code, 401, 'the old password fails');
($r1) = digest_call(space_a => GET => '/api/accounts/me', username => 'alice1', domain => 'a.test',
                    password => 'old-secret', algorithm => 'MD5');
ok(!defined $r1 || $r1->code == 401, 'no MD5 challenge any more');

# Back to MD5, via digest itself.
my $from = { From => 'sip:alice1@a.test' };
my $first = call(space_a => POST => $pw, headers => $from);
my ($ch) = challenges($first);
my $auth = digest_header(username => 'alice1', realm => $ch->{realm}, nonce => $ch->{nonce}, opaque => $ch->{opaque},
                         method => 'POST', uri => $pw, password => 'new-secret', algorithm => 'SHA-256');
$res = call(space_a => POST => $pw, headers => { %$from, Authorization => $auth },
            json => { algorithm => 'MD5', password => 'md5-again', old_password => 'new-secret' });
is($res->code, 200, 'password change through digest: 200');
($r1) = digest_call(space_a => GET => '/api/accounts/me', username => 'alice1', domain => 'a.test',
                    password => 'md5-again', algorithm => 'MD5');
is($r1->code, 200, 'MD5 login with the newest password');

# An account without a password: no old password needed, empty body.
my $nid = make_account('nopass1', 'a.test');
sql("UPDATE accounts SET activated = false WHERE id = $nid");
my $nkey = (accountsctl('api-key', 'nopass1@a.test'))[1];
chomp $nkey;
$res = call(space_a => POST => $pw, headers => { 'x-api-key' => $nkey }, json => { algorithm => 'MD5', password => 'first' });
is($res->code, 200, 'first password: 200');
is($res->content, '', 'empty body');
is(sql_value("SELECT activated FROM accounts WHERE id = $nid"), 't', 'activated');

# Legacy clear-text password as the old one.
my $lid = make_account('legacy1', 'a.test', passwords => { CLRTXT => 'clear-old' });
my $lkey = (accountsctl('api-key', 'legacy1@a.test'))[1];
chomp $lkey;
$res = call(space_a => POST => $pw, headers => { 'x-api-key' => $lkey },
            json => { algorithm => 'SHA-256', password => 'hashed-now', old_password => 'clear-old' });
is($res->code, 200, 'a CLRTXT old password is compared as clear text');
is(sql_value("SELECT string_agg(algorithm, ',') FROM passwords WHERE account_id = $lid"), 'SHA-256', 'and replaced');

# ---- TURN -------------------------------------------------------------------------------
$res = call(space_a => GET => '/api/accounts/me/services/turn', headers => \%k);
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'No TURN service configured' } ], 'no TURN in Space A: 404');
$res = call(space_c => GET => '/api/accounts/me/services/turn', headers => \%k);
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'No TURN service configured' } ],
          "an account of A on Space C's vhost: its own Space's TURN, none (issue 13)");
$res = call(space_a => GET => '/api/accounts/me/services/turn', headers => { 'x-api-key' => $ckey });
is($res->code, 200, "TURN of the caller's own Space (C), whichever vhost (here A's)");
my $turn = json_of($res);
is_deeply([ sort keys %$turn ], [ qw(password ttl uris username) ], 'username, password, ttl, uris');
is($turn->{ttl}, 3600, 'ttl = AccountsTurnTTL 60 minutes in seconds');
like($res->content, qr/"ttl":3600/, 'ttl is an integer');
is_deeply($turn->{uris}, [ 'turn:turn.example.org:3478' ], 'uris');
my ($expiry, $rand) = split /:/, $turn->{username};
like($rand, qr/^[A-Za-z0-9]{16}$/, 'username: expiry:16 random characters');
ok(abs($expiry - (time + 3600)) < 30, 'expiry = now + ttl');
my $mac = hmac_sha1_base64($turn->{username}, 's3cr3t');
$mac .= '=' while length($mac) % 4;
is($turn->{password}, $mac, 'password = base64(HMAC-SHA1(secret, username)), recomputed here');

# ---- delete -------------------------------------------------------------------------------
$res = call(space_a => DELETE => '/api/accounts/me', headers => \%k);
is($res->code, 200, 'delete: 200');
is($res->content, '1', 'body 1');
is($res->header('Content-Type'), 'text/html; charset=UTF-8', 'text/html');
is(sql_value("SELECT count(*) FROM accounts WHERE id = $id"), 0, 'the account is gone');
is(sql_value("SELECT (SELECT count(*) FROM passwords WHERE account_id = $id) + (SELECT count(*) FROM api_keys WHERE account_id = $id)"
             . " + (SELECT count(*) FROM provisioning_tokens WHERE account_id = $id) + (SELECT count(*) FROM digest_nonces WHERE account_id = $id)"),
   0, 'with its passwords, keys, tokens and nonces');
is(call(space_a => GET => '/api/accounts/me', headers => \%k)->code, 401, 'its key stops working');
is(sql_value("SELECT count(*) FROM account_tombstones WHERE username = 'alice1' AND domain = 'a.test'"), 1, 'a tombstone');
my $t = (accountsctl('creation-token', '--space', 'a.test'))[1];
chomp $t;
$res = call(space_a => POST => '/api/accounts/with-account-creation-token',
            json => { username => 'alice1', password => 'secret123', algorithm => 'MD5', account_creation_token => $t });
is_deeply(json_of($res)->{errors}, { username => [ 'The username has already been taken.' ] },
          'the username can never be registered again in that Space');
