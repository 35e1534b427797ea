# API-key authentication and GET /accounts/me (api.md 2.2, 3.1, 5.5).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);
use Digest::MD5 qw(md5_hex);

plan tests => 47;

reset_db();
my $key = create_admin('admin', 'a.test', '--password', 'secret123', '--algorithm', 'MD5');
like($key, qr/^[A-Za-z0-9]{40}$/, 'accountsctl prints a 40-character key');

sub me { my (%headers) = @_; call(space_a => GET => '/api/accounts/me', headers => \%headers) }

# ---- the Account JSON ---------------------------------------------------
my $res = me('x-api-key' => $key, Accept => 'application/json');
is($res->code, 200, 'valid key: 200');
is($res->header('Content-Type'), 'application/json', 'JSON content type');
my $me = json_of($res);
is_deeply([ sort keys %$me ],
          [ sort qw(id username domain email activated ip_address user_agent created_at
                    updated_at display_name dtmf_protocol blocked admin phone realm
                    provisioning_token provisioning_token_expire_at dictionary sip_uri
                    passwords email_change_code types actions carddav_servers) ],
          'Self variant keys, exactly');
my $id = sql_value("SELECT id FROM accounts WHERE username = 'admin'");
is($me->{id}, $id, 'id is the row id');
ok(!ref $me->{id} && $res->content =~ /"id":\d+/, 'id is a JSON integer');
is($me->{username}, 'admin', 'username');
is($me->{domain}, 'a.test', 'domain');
ok(JSON::PP::is_bool($me->{admin}) && $me->{admin}, 'admin is boolean true');
ok(JSON::PP::is_bool($me->{activated}) && $me->{activated}, 'activated is boolean true');
ok(JSON::PP::is_bool($me->{blocked}) && !$me->{blocked}, 'blocked is boolean false');
is($me->{sip_uri}, 'sip:admin@a.test', 'sip_uri');
is_deeply($me->{passwords}, [ { algorithm => 'MD5' } ], 'passwords: algorithms only');
is($me->{realm}, 'global.realm.test', 'realm: the global AccountsRealm, inherited by Space A');
is(ref $me->{dictionary}, 'HASH', 'dictionary is an object');
is_deeply($me->{dictionary}, {}, 'empty dictionary is {}');
like($res->content, qr/"dictionary":\{\}/, 'serialised as {} not []');
is_deeply([ @$me{qw(types actions carddav_servers)} ], [ [], [], [] ], 'empty arrays');
ok(!defined $me->{email} && !defined $me->{phone} && !defined $me->{display_name}, 'nulls');
ok(!defined $me->{provisioning_token} && !defined $me->{provisioning_token_expire_at}, 'no provisioning token yet');
like($me->{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/, 'timestamp format');
is($me->{ip_address}, '127.0.0.1', 'ip_address recorded by accountsctl');
unlike($res->content, qr/secret123|\Q$key\E|password"/, 'no secret in the body');

# ---- how the key is presented --------------------------------------------
is(me(Cookie => "x-api-key=$key")->code, 200, 'key in the x-api-key cookie');
is(me('x-api-key' => $key, Cookie => 'x-api-key=wrong')->code, 200, 'the header wins over the cookie');
is(me('x-api-key' => 'wrong', Cookie => "x-api-key=$key")->code, 401, 'an invalid header is not rescued by the cookie');

$res = me('x-api-key' => 'nope-nope-nope');
is($res->code, 401, 'unknown key: 401');
is($res->content, 'Invalid API Key', 'plain body');
is($res->header('Content-Type'), 'text/html; charset=UTF-8', 'text/html content type');
ok(!defined $res->header('WWW-Authenticate'), 'no challenge');

$res = me();
is($res->code, 401, 'no key and no From: 401');
is($res->content, 'From header is required or invalid token', 'the contract body');

# ---- body parsing happens before authentication ---------------------------
$res = call(space_a => GET => '/api/accounts/me',
            headers => { 'Content-Type' => 'application/json' }, body => '{"a":');
is($res->code, 400, 'malformed JSON: 400 before authentication');
like(json_of($res)->{message}, qr/^Invalid JSON/, 'Invalid JSON message');
$res = call(space_a => GET => '/api/accounts/me',
            headers => { 'Content-Type' => 'application/json', 'x-api-key' => $key },
            body => '{"a": 1}');
is($res->code, 200, 'a well-formed body is fine');

# ---- stable keys, IP binding and idle expiry -------------------------------
my ($rc, $stable) = accountsctl('api-key', 'admin@a.test', '--expiry', '1');
chomp $stable;
is(me('x-api-key' => $stable)->code, 200, 'stable key with its own 1-minute expiry works');
sql("UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE key_hash = '" . sha256_hex($stable) . "'");
is(me('x-api-key' => $stable)->code, 401, 'and dies after a minute unused');

sub user_key {
    my ($account_id, $ip, $idle_minutes) = @_;
    my $k = join '', map { ('a' .. 'z')[rand 26] } 1 .. 40;
    sql("INSERT INTO api_keys (account_id, key_hash, user_key, ip, last_used_at) VALUES ($account_id, '"
        . sha256_hex($k) . "', true, " . ($ip ? "'$ip'" : 'NULL')
        . ", now() - interval '$idle_minutes minutes')");
    return $k;
}
is(me('x-api-key' => user_key($id, '127.0.0.1', 0))->code, 200, 'user key bound to the client IP');
is(me('x-api-key' => user_key($id, '192.0.2.99', 0))->code, 401, 'user key bound to another IP: 401');
is(me('x-api-key' => user_key($id, undef, 20))->code, 200,
   'user key idle 20 min, Space A expiry 30 (global AccountsApiKeyExpiry)');

# Space B sets AccountsApiKeyExpiry 1: its accounts' user keys die sooner,
# whichever vhost they are used on.
my $bkey = create_admin('badmin', 'b.test');
my $bid = sql_value("SELECT id FROM accounts WHERE username = 'badmin'");
is(me('x-api-key' => user_key($bid, undef, 2))->code, 401,
   'Space B user key idle 2 min with AccountsApiKeyExpiry 1: 401');
$res = me('x-api-key' => $bkey);
is(json_of($res)->{realm}, 'realm-b.test',
   "an account of Space B on Space A's vhost: its own Space's realm");

# ---- last use is recorded, once a tenth of the key's lifetime ------------
# (AccountsApiKeyExpiry 30 here: every 3 minutes; api_key_touch_interval.)
my $old = user_key($id, undef, 5);
me('x-api-key' => $old) for 1 .. 3;
is(sql_value("SELECT requests || ' ' || (last_used_at > now() - interval '10 seconds') FROM api_keys WHERE key_hash = '"
             . sha256_hex($old) . "'"), '1 true', 'a stale last_used_at is refreshed once, not on every request');
my $recent = user_key($id, undef, 2);
is(me('x-api-key' => $recent)->code, 200, 'a key used 2 minutes ago: 200');
is(sql_value("SELECT requests || ' ' || (last_used_at < now() - interval '100 seconds') FROM api_keys WHERE key_hash = '"
             . sha256_hex($recent) . "'"), '0 true', '... and no write: 2 minutes is under the 3-minute touch interval');

# ---- blocked and deleted accounts ------------------------------------------
sql("UPDATE accounts SET blocked = true WHERE id = $id");
$res = me('x-api-key' => $key);
is($res->code, 403, 'blocked account: 403');
is_deeply(json_of($res), { message => 'Account blocked' }, 'Account blocked message');
