# User API keys and auth tokens: GET /accounts/me/api_key,
# GET /accounts/me/api_key/{auth_token}, POST /accounts/auth_token,
# GET /accounts/auth_token/{t}/attach (api.md 2.2, 5.3, 5.4, 6.1, 6.2).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);

plan tests => 44;

reset_db();
my $realm = 'global.realm.test';
my $bob = make_account('bob', 'a.test', realm => $realm, passwords => { MD5 => 'bob-secret' });
my $stable = (accountsctl('api-key', 'bob@a.test'))[1];
chomp $stable;

sub me { my ($space, $path, %h) = @_; call($space => GET => $path, headers => \%h) }

# ---- GET /accounts/me/api_key, reached by digest ----------------------------------
my ($res) = digest_call(space_a => GET => '/api/accounts/me/api_key', username => 'bob',
                        domain => 'a.test', password => 'bob-secret');
is($res->code, 200, 'me/api_key: 200');
my $key = $res->content;
like($key, qr/^[A-Za-z0-9]{40}$/, 'the bare key: 40 characters, no quotes, no newline');
is($res->header('Content-Type'), 'text/html; charset=UTF-8', 'text/html');
like($res->header('Set-Cookie'),
     qr/^x-api-key=\Q$key\E; expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT; Max-Age=1800; path=\/; httponly; SameSite=Strict$/,
     'cookie: exact attributes (SameSite=Strict last), Max-Age from AccountsApiKeyExpiry 30');
is(sql_value("SELECT user_key || ' ' || ip || ' ' || requests FROM api_keys WHERE key_hash = '" . sha256_hex($key) . "'"),
   'true 127.0.0.1 0', 'stored hashed, as a user key bound to the client IP');
is(json_of(me(space_a => '/api/accounts/me', 'x-api-key' => $key))->{username}, 'bob', 'the key works');

$res = me(space_a => '/api/accounts/me/api_key', 'x-api-key' => $key);
is($res->code, 200, 'asking again with the key');
my $key2 = $res->content;
isnt($key2, $key, 'a new key');
is(me(space_a => '/api/accounts/me', 'x-api-key' => $key)->code, 401, 'the previous user key stops working');
is(me(space_a => '/api/accounts/me', 'x-api-key' => $key2)->code, 200, 'the new one works');
is(me(space_a => '/api/accounts/me', 'x-api-key' => $stable)->code, 200, 'stable keys are kept');
is(sql_value("SELECT count(*) FROM api_keys WHERE account_id = $bob AND user_key"), 1, 'one user key per account');

# An account of Space B (AccountsApiKeyExpiry 1) gets a 1-minute cookie.
make_account('bea', 'b.test', realm => 'realm-b.test', passwords => { MD5 => 'bea-secret' });
my $bkey = (accountsctl('api-key', 'bea@b.test'))[1];
chomp $bkey;
$res = me(space_a => '/api/accounts/me/api_key', 'x-api-key' => $bkey);
like($res->header('Set-Cookie'), qr/; Max-Age=60; path=\//, "cookie lifetime from the account's Space");

# ---- POST /accounts/auth_token --------------------------------------------------------
$res = call(space_a => POST => '/api/accounts/auth_token', headers => { 'User-Agent' => 'Linphone/5.2' });
is($res->code, 201, 'auth_token: 201');
my $t = json_of($res);
is_deeply([ sort keys %$t ], [ sort qw(token ip user_agent updated_at created_at id) ], 'exactly the six keys');
like($t->{token}, qr/^[A-Za-z0-9]{32}$/, '32-character token');
is($t->{ip}, '127.0.0.1', 'creator IP');
is($t->{user_agent}, 'Linphone/5.2', 'creator user agent');
like($t->{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/, 'timestamp format');
like($res->content, qr/"id":\d+/, 'integer id');
is(sql_value("SELECT count(*) FROM auth_tokens WHERE token_hash = '" . sha256_hex($t->{token}) . "'"), 1, 'stored hashed');

# ---- exchange before attach, attach, exchange ------------------------------------------
my $exchange = "/api/accounts/me/api_key/$t->{token}";
$res = call(space_a => GET => $exchange);
is($res->code, 404, 'exchange of an unattached token: 404');
is_deeply(json_of($res), { message => 'Auth token not attached' }, 'Auth token not attached');
$res = call(space_a => GET => '/api/accounts/me/api_key/' . ('x' x 32));
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Auth token not found' } ], 'unknown token: 404 not found');

my $attach = "/api/accounts/auth_token/$t->{token}/attach";
is(call(space_a => GET => $attach)->code, 401, 'attach needs authentication');
$res = call(space_a => GET => $attach, headers => { 'x-api-key' => $key2 });
is($res->code, 200, 'attach: 200');
is($res->content, '', 'empty body');
$res = call(space_a => GET => $attach, headers => { 'x-api-key' => $key2 });
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Auth token already attached' } ], 'attach again: 404');
$res = call(space_a => GET => '/api/accounts/auth_token/' . ('y' x 32) . '/attach', headers => { 'x-api-key' => $key2 });
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Auth token not found' } ], 'attach unknown: 404');

$res = call(space_b => GET => "/sip/v1/accounts/me/api_key/$t->{token}");
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Auth token not attached' } ],
          "exchange on another Space's vhost: not attached (and the token is kept)");
$res = call(space_a => GET => $exchange);
is($res->code, 200, 'exchange: 200');
my $key3 = json_of($res)->{api_key};
like($key3, qr/^[A-Za-z0-9]{40}$/, '{"api_key": ...}');
like($res->header('Set-Cookie'), qr/^x-api-key=\Q$key3\E; /, 'and the cookie');
is(json_of(me(space_a => '/api/accounts/me', 'x-api-key' => $key3))->{username}, 'bob', 'the key is bob\'s');
is(me(space_a => '/api/accounts/me', 'x-api-key' => $key2)->code, 401, "bob's previous user key is replaced");
is(call(space_a => GET => $exchange)->code, 404, 'single use: a second exchange is 404');

# Expired tokens (AccountsAuthTokenExpiry 5) are gone.
my $old = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
sql("UPDATE auth_tokens SET created_at = now() - interval '6 minutes' WHERE token_hash = '" . sha256_hex($old) . "'");
$res = call(space_a => GET => "/api/accounts/auth_token/$old/attach", headers => { 'x-api-key' => $key3 });
is(json_of($res)->{message}, 'Auth token not found', 'an expired token cannot be attached');
call(space_a => POST => '/api/accounts/auth_token');
is(sql_value("SELECT count(*) FROM auth_tokens WHERE token_hash = '" . sha256_hex($old) . "'"), 0,
   'and is purged when a new token is made');

# ---- blocked accounts -------------------------------------------------------------
my $t2 = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
sql("UPDATE accounts SET blocked = true WHERE id = $bob");
$res = call(space_a => GET => "/api/accounts/auth_token/$t2/attach", headers => { 'x-api-key' => $key3 });
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Account blocked' } ], 'blocked: attach 403');
is(me(space_a => '/api/accounts/me/api_key', 'x-api-key' => $key3)->code, 403, 'blocked: me/api_key 403');
($res) = digest_call(space_a => GET => '/api/accounts/me', username => 'bob', domain => 'a.test',
                     password => 'bob-secret');
is($res->code, 403, 'blocked: also through digest');
sql("UPDATE accounts SET blocked = false WHERE id = $bob");
is(me(space_a => '/api/accounts/me', 'x-api-key' => $key3)->code, 200, 'unblocked: access again');

# A blocked account gets no key from an attached token (issue 13): the
# answer of an unknown token, and the token is not used up.
my $t3 = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
call(space_a => GET => "/api/accounts/auth_token/$t3/attach", headers => { 'x-api-key' => $key3 });
sql("UPDATE accounts SET blocked = true WHERE id = $bob");
$res = call(space_a => GET => "/api/accounts/me/api_key/$t3");
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Auth token not found' } ],
          'blocked account: the exchange answers as for an unknown token');
is(sql_value("SELECT count(*) FROM auth_tokens WHERE token_hash = '" . sha256_hex($t3) . "'"), 1,
   'and the token is not used up');
