# A blocked account gets nothing from the public routes (issue 13 item 4,
# api.md "Blocked accounts"): its provisioning token, its attached auth
# token and its reset-password link get the answer of an unknown token,
# and nothing is used up, activated or written.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);

plan tests => 30;

reset_db();
my $H = { 'x-linphone-provisioning' => 'true' };
my $id = make_account('blocky01', 'a.test', realm => 'global.realm.test', passwords => { 'SHA-256' => 'blocky-pass' });
my $key = (accountsctl('api-key', 'blocky01@a.test'))[1];
chomp $key;
sub block { sql("UPDATE accounts SET blocked = $_[0] WHERE id = $id") }
# Status, Content-Type and body: what a client can tell two answers apart by.
sub answer { my ($res) = @_; [ $res->code, $res->header('Content-Type') // '', $res->content ] }

# ---- GET /provisioning/{provisioning_token} ---------------------------------------
my $token = json_of(call(space_a => GET => '/api/accounts/me/provision', headers => { 'x-api-key' => $key }))->{provisioning_token};
like($token // '', qr/^[A-Za-z0-9]{13}$/, 'a provisioning token for the account');
sql("UPDATE accounts SET activated = false WHERE id = $id");
block('true');
my $unknown = answer(call(space_a => GET => '/api/provisioning/ZZZZZZZZZZZZZ', headers => $H));
is($unknown->[0], 404, 'an unknown token: 404');
is_deeply(answer(call(space_a => GET => "/api/provisioning/$token", headers => $H)), $unknown,
          "a blocked account's token: the same answer as an unknown one");
is_deeply(answer(call(space_a => GET => "/api/provisioning/$token?reset_password", headers => $H)), $unknown,
          'with ?reset_password too');
is(json_of(call(space_a => GET => '/api/provisioning/ZZZZZZZZZZZZZ', headers => { %$H, Accept => 'application/json' }))->{message},
   'Not Found', '(JSON: Not Found)');
is_deeply(answer(call(space_a => GET => "/api/provisioning/$token", headers => { %$H, Accept => 'application/json' })),
          answer(call(space_a => GET => '/api/provisioning/ZZZZZZZZZZZZZ', headers => { %$H, Accept => 'application/json' })),
          'and the same JSON answer');
is(sql_value("SELECT used FROM provisioning_tokens WHERE token = '$token'"), 'f', 'the token is still unused');
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 'f', 'the account is not activated');
is(sql_value("SELECT password FROM passwords WHERE account_id = $id"), ha1('SHA-256', 'blocky01', 'global.realm.test', 'blocky-pass'),
   'its password is unchanged');
block('false');
my $res = call(space_a => GET => "/api/provisioning/$token", headers => $H);
is($res->code, 200, 'unblocked: the same token works');
like($res->content, qr/<entry name="ha1">/, 'and serves the credentials');
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 't', 'and activates the account');

# ---- GET /accounts/me/api_key/{auth_token} -------------------------------------------
sub attached_token {
    my $t = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
    my $r = call(space_a => GET => "/api/accounts/auth_token/$t/attach", headers => { 'x-api-key' => $key });
    die 'attach failed: ' . $r->code unless $r->code == 200;
    return $t;
}
my $auth = attached_token();
block('true');
my $unknown_key = answer(call(space_a => GET => '/api/accounts/me/api_key/' . ('Z' x 32)));
is_deeply([ @$unknown_key[0, 2] ], [ 404, '{"message":"Auth token not found"}' ], 'an unknown auth token: 404 Auth token not found');
$res = call(space_a => GET => "/api/accounts/me/api_key/$auth");
is_deeply(answer($res), $unknown_key, "an auth token attached to a blocked account: the same answer");
ok(!$res->header('Set-Cookie'), 'no cookie');
is(sql_value("SELECT count(*) FROM api_keys WHERE account_id = $id AND user_key"), 0, 'no user key was made');
is(sql_value("SELECT count(*) FROM auth_tokens WHERE token_hash = '" . sha256_hex($auth) . "'"), 1,
   'the auth token is not consumed');

# ---- GET /provisioning/auth_token/{auth_token} ------------------------------------------
my $unknown_doc = answer(call(space_a => GET => '/api/provisioning/auth_token/' . ('Z' x 32)));
is($unknown_doc->[0], 404, 'provisioning by an unknown auth token: 404');
is_deeply(answer(call(space_a => GET => "/api/provisioning/auth_token/$auth")), $unknown_doc,
          'by an auth token of a blocked account: the same answer');
is(sql_value("SELECT count(*) FROM auth_tokens WHERE token_hash = '" . sha256_hex($auth) . "'"), 1,
   'the auth token is still not consumed');

block('false');
$res = call(space_a => GET => "/api/provisioning/auth_token/$auth");
is($res->code, 200, 'unblocked: the same auth token provisions');
is(sql_value("SELECT count(*) FROM auth_tokens WHERE token_hash = '" . sha256_hex($auth) . "'"), 0, 'and is used up');
$auth = attached_token();
$res = call(space_a => GET => "/api/accounts/me/api_key/$auth");
is($res->code, 200, 'unblocked: an attached auth token gets a key');
is(sql_value("SELECT count(*) FROM api_keys WHERE account_id = $id AND user_key"), 1, 'one user key');

# ---- the reset-password page ----------------------------------------------------------------
my $rtoken = 'BlockedReset0001';
sql("INSERT INTO reset_password_tokens (account_id, token_hash, email) VALUES ($id, '" . sha256_hex($rtoken) . "', 'b\@example.org')");
block('true');
my $form = { 'Content-Type' => 'application/x-www-form-urlencoded' };
my $valid = 'password=brand-new-pass&password_confirmation=brand-new-pass';
my $unknown_page = answer(call(space_a => GET => '/api/password/reset/UnknownReset0001'));
is($unknown_page->[0], 404, 'the page of an unknown reset token: 404');
is_deeply(answer(call(space_a => GET => "/api/password/reset/$rtoken")), $unknown_page,
          "a blocked account's reset link: the same page");
is_deeply(answer(call(space_a => POST => "/api/password/reset/$rtoken", headers => $form, body => $valid)),
          answer(call(space_a => POST => '/api/password/reset/UnknownReset0001', headers => $form, body => $valid)),
          'submitting it: the same answer as for an unknown token');
is(sql_value("SELECT used FROM reset_password_tokens WHERE token_hash = '" . sha256_hex($rtoken) . "'"), 'f',
   'the reset token is still unused');
is(sql_value("SELECT password FROM passwords WHERE account_id = $id"), ha1('SHA-256', 'blocky01', 'global.realm.test', 'blocky-pass'),
   'the password is unchanged');
block('false');
is(call(space_a => GET => "/api/password/reset/$rtoken")->code, 200, 'unblocked: the link works again');
