# Push-delivered tokens (api-lifecycle.md 3, 1.1, 11): POST
# /account_creation_tokens/send-by-push, POST
# /account_recovery_tokens/send-by-push, their throttling (3.3), and POST
# /account_creation_tokens/consume. The push command is t/bin/fake-command
# (Spaces A and C), /bin/false (Space B).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time sleep);

plan tests => 92;

reset_db();
command_reset('push');
my %path = (creation => '/account_creation_tokens/send-by-push', recovery => '/account_recovery_tokens/send-by-push');
my %table = (creation => 'account_creation_tokens', recovery => 'account_recovery_tokens');
sub push_call { my ($space, $kind, $json, %h) = @_; call($space => POST => ($space eq 'space_b' ? '/sip/v1' : '/api') . $path{$kind}, json => $json, headers => \%h) }
sub count_of { my ($kind) = @_; sql_value("SELECT count(*) FROM $table{$kind}") }
# The token of the last push run (from its --customPayload).
sub pushed_token {
    my @calls = command_calls('push');
    return undef unless @calls;
    my %args = @{ $calls[-1]{argv} }[ 0 .. 7 ];
    my $token = eval { JSON::PP->new->decode($args{'--customPayload'})->{token} };
    remember_secret($token);
    return $token;
}

my $pn = { pn_provider => 'fcm', pn_param => 'linphone', pn_prid => 'abc:DEF' };
for my $kind ('creation', 'recovery') {
    # ---- validation (3.1 outcome 1) -------------------------------------------------------
    command_reset('push');
    my $res = push_call(space_a => $kind, { pn_provider => undef, pn_param => undef, pn_prid => undef });
    is_deeply([ $res->code, json_of($res) ], [ 422, { message => 'The pn provider field is required.',
              errors => { pn_provider => [ 'The pn provider field is required.' ] } } ], "$kind: all null: 422 on pn_provider only");
    $res = push_call(space_a => $kind, { pn_provider => 'wrong', pn_param => '@wrong', pn_prid => 'a b' });
    is_deeply(json_of($res), { message => 'The pn provider should be in apns.dev, apns, fcm (and 2 more errors)', errors => {
        pn_provider => [ 'The pn provider should be in apns.dev, apns, fcm' ],
        pn_param => [ 'The pn param should be null or contain only alphanumeric, dots and underscore characters' ],
        pn_prid => [ 'The pn prid should be null or contain only alphanumeric, dashes, underscore and colon characters' ] } },
              "$kind: the three custom messages, in rule order");
    $res = push_call(space_a => $kind, { pn_provider => 'fcm', pn_param => 42, pn_prid => { a => 1 } });
    is_deeply([ sort keys %{ json_of($res)->{errors} } ], [ 'pn_param', 'pn_prid' ], "$kind: non-strings fail their rule");
    $res = push_call(space_a => $kind, { pn_provider => 'fcm', pn_prid => ';touch /tmp/pwned' });
    is($res->code, 422, "$kind: shell characters are refused");
    $res = push_call(space_a => $kind, { %$pn, pn_param => 'x' x 256 });
    is($res->code, 422, "$kind: a pn_param longer than its column: 422");
    is(scalar(command_calls('push')), 0, "$kind: invalid requests run no command");
    is(count_of($kind), 0, "$kind: and store nothing");

    # ---- sent (3.1 outcomes 3, 5) -----------------------------------------------------------
    $res = push_call(space_a => $kind, $pn, 'User-Agent' => 'Linphone/5.2');
    is($res->code, 200, "$kind: sent: 200");
    is($res->content, '', "$kind: empty body");
    my @calls = command_calls('push');
    is(scalar @calls, 1, "$kind: the push command ran once");
    my $token = pushed_token();
    like($token // '', qr/^[A-Za-z0-9]{13}$/, "$kind: a 13-character token in the payload");
    is_deeply($calls[0]{argv}, [ '--pn-provider', 'fcm', '--pn-param', 'linphone', '--pn-prid', 'abc:DEF',
                                 '--customPayload', qq({"token":"$token"}), '--key', 'firebase-key-1' ],
              "$kind: the exact argv (Firebase key of pn_param linphone)");
    is($calls[0]{stdin}, '', "$kind: empty stdin");
    my $t = $kind eq 'creation' ? 'account_creation_tokens' : 'account_recovery_tokens';
    is(sql_value("SELECT domain || ' ' || used || ' ' || pn_provider || ' ' || pn_param || ' ' || pn_prid || ' ' || ip || ' ' || user_agent"
                 . ($kind eq 'recovery' ? " || ' ' || (account_id IS NULL)" : '')
                 . " FROM $t WHERE token_hash = '" . sha256_hex($token) . "'"),
       'a.test false fcm linphone abc:DEF 127.0.0.1 Linphone/5.2' . ($kind eq 'recovery' ? ' true' : ''),
       "$kind: stored (hashed) with the device, unused, of the Space");

    # apns: the Background push type; null pn values are empty arguments; a
    # pn_param mapped to a key with colons.
    command_reset('push');
    $res = push_call(space_a => $kind, { pn_provider => 'apns.dev', pn_param => 'other', pn_prid => '' });
    is($res->code, 200, "$kind: apns.dev: 200");
    $token = pushed_token();
    is_deeply((command_calls('push'))[0]{argv}, [ '--pn-provider', 'apns.dev', '--pn-param', 'other', '--pn-prid', '',
              '--customPayload', qq({"token":"$token"}), '--apple-push-type', 'Background', '--key', 'key:with:colons' ],
              "$kind: apns.dev argv: empty prid, Background, the key after the first colon");
    is(sql_value("SELECT pn_prid IS NULL FROM $t WHERE token_hash = '" . sha256_hex($token) . "'"), 't', "$kind: an empty prid is stored as null");
    command_reset('push');
    push_call(space_a => $kind, { pn_provider => 'apns' });
    $token = pushed_token();
    is_deeply((command_calls('push'))[0]{argv}, [ '--pn-provider', 'apns', '--pn-param', '', '--pn-prid', '',
              '--customPayload', qq({"token":"$token"}), '--apple-push-type', 'Background' ],
              "$kind: apns without param: no --key");

    # ---- not sent (3.1 outcome 4) --------------------------------------------------------------
    my $before = count_of($kind);
    command_reset('push');
    command_behave('push', exit => 1);
    $res = push_call(space_a => $kind, $pn);
    is_deeply([ $res->code, json_of($res) ], [ 503, { message => 'Token not sent' } ], "$kind: the command fails: 503 Token not sent");
    pushed_token();
    is(count_of($kind), $before, "$kind: nothing stored");
    command_behave('push');
    $res = push_call(space_b => $kind, $pn);
    is_deeply([ $res->code, json_of($res) ], [ 503, { message => 'Token not sent' } ], "$kind: Space B (/bin/false): 503");
    is(count_of($kind), $before, "$kind: nothing stored");
    $res = call(space_super => POST => "/api$path{$kind}", json => $pn);
    is_deeply([ $res->code, json_of($res) ], [ 503, { message => 'Token not sent' } ], "$kind: no push command configured: 503");
}

# A command still running at 10 seconds is killed: not sent.
command_reset('push');
command_behave('push', sleep => 12);
my $t0 = time;
my $slow = push_call(space_a => 'creation', { pn_provider => 'fcm', pn_param => 'slow' });
my $took = time - $t0;
is_deeply([ $slow->code, json_of($slow) ], [ 503, { message => 'Token not sent' } ], 'a command past 10 seconds: 503 Token not sent');
ok($took >= 9.5 && $took < 12, sprintf('answered at the 10-second deadline (%.1f s)', $took));
pushed_token();
is(sql_value("SELECT count(*) FROM account_creation_tokens WHERE pn_param = 'slow'"), 0, 'nothing stored');
command_behave('push');

# ---- throttling (3.3) --------------------------------------------------------------------------------
for my $kind ('creation', 'recovery') {
    my $t = $table{$kind};
    my $dev = { pn_provider => 'fcm', pn_param => 'throttle', pn_prid => "dev-$kind" };
    command_reset('push');
    is(push_call(space_a => $kind, $dev)->code, 200, "$kind: a first token");
    is(push_call(space_a => $kind, $dev)->code, 200, "$kind: unused tokens do not throttle: a second one");
    my $token = pushed_token();
    sql("UPDATE $t SET used = true WHERE token_hash = '" . sha256_hex($token) . "'");
    command_reset('push');
    my $res = push_call(space_a => $kind, $dev);
    is_deeply([ $res->code, json_of($res) ], [ 429, { message => 'Last token requested too recently' } ],
              "$kind: a used token created less than 60 minutes ago: 429");
    is(scalar(command_calls('push')), 0, "$kind: throttled: the command is not run");
    is(push_call(space_a => $kind, { %$dev, pn_prid => "dev-$kind-2" })->code, 200, "$kind: another prid is another device");
    is(push_call(space_a => $kind, { %$dev, pn_provider => 'apns' })->code, 200, "$kind: another provider too");
    is(push_call(space_c => $kind, $dev)->code, 200, "$kind: another Space, and AccountsCreation/RecoveryTokenRetry 0 there");
    # Retry 0 on Space C: a used token there never throttles.
    sql("UPDATE $t SET used = true WHERE domain = 'c.test'");
    is(push_call(space_c => $kind, $dev)->code, 200, "$kind: Space C (retry 0): never throttled");
    sql("UPDATE $t SET created_at = now() - interval '61 minutes' WHERE used AND domain = 'a.test' AND pn_param = 'throttle'");
    is(push_call(space_a => $kind, $dev)->code, 200, "$kind: once that token is 61 minutes old: 200 again");
    # Null matches only null.
    my $nulls = { pn_provider => 'fcm' };
    push_call(space_a => $kind, $nulls);
    sql("UPDATE $t SET used = true WHERE token_hash = '" . sha256_hex(pushed_token()) . "'");
    is(push_call(space_a => $kind, $nulls)->code, 429, "$kind: a used null-pn device token throttles the same null device");
    is(push_call(space_a => $kind, { pn_provider => 'fcm', pn_param => 'p' })->code, 200, "$kind: but not a device with a param");
}
ok(grep(/Token throttled/, do { open my $fh, '<', Apache::Test::vars('serverroot') . '/logs/error_log'; <$fh> }),
   'throttling is logged as Token throttled');

# ---- a creation token by push creates an account (api.md 5.1) ----------------------------------------
command_reset('push');
push_call(space_a => 'creation', { pn_provider => 'fcm', pn_param => 'app', pn_prid => 'new-device' });
my $ptoken = pushed_token();
my $res = call(space_a => POST => '/api/accounts/with-account-creation-token',
               json => { username => 'pushed', password => 'secret123', algorithm => 'MD5', account_creation_token => $ptoken });
is($res->code, 200, 'a pushed creation token creates an account');
is(push_call(space_a => 'creation', { pn_provider => 'fcm', pn_param => 'app', pn_prid => 'new-device' })->code, 429,
   'then that device is throttled');

# ---- consume (3.4) ---------------------------------------------------------------------------------------
my $uid = make_account('consumer', 'a.test');
my $key = (accountsctl('api-key', 'consumer@a.test'))[1]; chomp $key;
my $uid_c = make_account('consumerc', 'c.test');
my $key_c = (accountsctl('api-key', 'consumerc@c.test'))[1]; chomp $key_c;
my $blocked = make_account('blockedc', 'a.test', blocked => 1);
my $key_blocked = (accountsctl('api-key', 'blockedc@a.test'))[1]; chomp $key_blocked;
sub consume { my ($space, $k, $json, %h) = @_; call($space => POST => '/api/account_creation_tokens/consume', json => $json, headers => { 'x-api-key' => $k, %h }) }
my $not_found = [ 404, { message => 'Account creation token not found' } ];

command_reset('push');
push_call(space_a => 'creation', { pn_provider => 'apns', pn_param => 'app.voip', pn_prid => 'dev:1' });
my $ct = pushed_token();
is(consume(space_a => undef, { account_creation_token => $ct })->code, 401, 'consume: anonymous: 401');
is_deeply([ map { $_ } consume(space_a => $key_blocked, { account_creation_token => $ct })->code ], [ 403 ], 'consume: a blocked account: 403');
$res = consume(space_a => $key, {});
is_deeply([ $res->code, json_of($res) ], $not_found, 'consume without a token: 404');
$res = consume(space_a => $key, { account_creation_token => [ $ct ] });
is_deeply([ $res->code, json_of($res) ], $not_found, 'consume with a non-string: 404');
$res = consume(space_a => $key, { account_creation_token => 'unknowntoken1' });
is_deeply([ $res->code, json_of($res) ], $not_found, 'consume an unknown token: 404');
$res = consume(space_c => $key_c, { account_creation_token => $ct });
is_deeply([ $res->code, json_of($res) ], $not_found, "consume another Space's token: 404");
$res = consume(space_c => $key, { account_creation_token => $ct });
is_deeply([ $res->code, json_of($res) ], $not_found, "an account of A on C's vhost: 404");
is(sql_value("SELECT used FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($ct) . "'"), 'f', 'still unused');

$res = consume(space_a => $key, { account_creation_token => $ct }, 'User-Agent' => 'Linphone/6.0');
is($res->code, 200, 'consume: 200');
is_deeply(json_of($res), { token => $ct, pn_provider => 'apns', pn_param => 'app.voip', pn_prid => 'dev:1', used => JSON::PP::true,
                           account_id => $uid, ip => '127.0.0.1', user_agent => 'Linphone/6.0', expire_at => undef },
          'exactly the keys of 3.4');
is(sql_value("SELECT used || ' ' || account_id || ' ' || ip || ' ' || user_agent FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($ct) . "'"),
   "true $uid 127.0.0.1 Linphone/6.0", 'used, linked to the caller, with this request\'s ip and user agent');
$res = consume(space_a => $key, { account_creation_token => $ct });
is_deeply([ $res->code, json_of($res) ], $not_found, 'a second consume: 404');
$res = call(space_a => POST => '/api/accounts/with-account-creation-token',
            json => { username => 'toolate', password => 'secret123', algorithm => 'MD5', account_creation_token => $ct });
is($res->code, 422, 'a consumed token no longer creates an account');

# Expiry (Space C: AccountsCreationTokenExpiry 10).
my (undef, $out) = accountsctl('creation-token', '--space', 'c.test', '--count', 2);
my ($c1, $c2) = split /\n/, $out;
remember_secret($c1, $c2);
sql("UPDATE account_creation_tokens SET created_at = now() - interval '11 minutes' WHERE token_hash = '" . sha256_hex($c1) . "'");
$res = consume(space_c => $key_c, { account_creation_token => $c1 });
is_deeply([ $res->code, json_of($res) ], $not_found, 'an expired token: 404');
$res = consume(space_c => $key_c, { account_creation_token => $c2 });
my $created = sql_value("SELECT to_char((created_at + interval '10 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
                        . " FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($c2) . "'");
is_deeply([ $res->code, json_of($res)->{expire_at}, json_of($res)->{pn_provider} ], [ 200, "$created.000000Z", undef ],
          'Space C: an admin-minted token consumed, expire_at = creation + 10 minutes, pn fields null');

# ---- 11: one winner among parallel consumes -------------------------------------------------------------
my @keys = map { make_account("racer$_", 'a.test'); my $k = (accountsctl('api-key', "racer$_\@a.test"))[1]; chomp $k; $k } 1 .. 12;
($out) = (accountsctl('creation-token', '--space', 'a.test'))[1]; chomp $out;
remember_secret($out);
my @codes = concurrently(12, sub { my ($i) = @_; (space_a => POST => '/api/account_creation_tokens/consume',
                                          json => { account_creation_token => $out }, headers => { 'x-api-key' => $keys[$i - 1] }) });
is(scalar(grep { $_ eq '200' } @codes), 1, '12 parallel consumes of one token: exactly one 200');
is(scalar(grep { $_ eq '404' } @codes), 11, 'the others: 404');
is(sql_value("SELECT count(*) FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($out) . "' AND used AND account_id IS NOT NULL"),
   1, 'one row, linked once');
