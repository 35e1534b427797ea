# Account creation request tokens (api-lifecycle.md 2, 11): POST
# /account_creation_request_tokens, the validation page (GET
# /creation_token/check/{token}, POST /creation_token/validate) and POST
# /account_creation_tokens/using-account-creation-request-token.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time sleep);

plan tests => 65;

reset_db();
my $use = '/api/account_creation_tokens/using-account-creation-request-token';
sub request_token {
    my ($space, $base) = @_;
    my $res = call($space => POST => ($base // '/api') . '/account_creation_request_tokens');
    my $body = json_of($res);
    remember_secret($body->{token}) if $body;
    return ($res, $body);
}
sub row_of { my ($token) = @_; sql_value("SELECT used || ' ' || (validated_at IS NOT NULL) || ' ' || coalesce(creation_token_id::text, '-')"
                                         . " FROM account_creation_request_tokens WHERE token_hash = '" . sha256_hex($token) . "'") }
sub page { my ($space, $token, $base) = @_; call($space => GET => ($base // '/api') . "/creation_token/check/$token") }
sub validate {
    my ($space, $body, $base) = @_;
    call($space => POST => ($base // '/api') . '/creation_token/validate', body => $body,
         headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
}
sub exchange { my ($space, $json, %h) = @_; call($space => POST => $use, json => $json, headers => \%h) }

# ---- 2.1 ---------------------------------------------------------------------------------
my ($res, $body) = request_token('space_a');
is($res->code, 201, 'request token: 201');
is_deeply([ sort keys %$body ], [ 'token', 'validation_url' ], 'exactly token and validation_url');
like($body->{token}, qr/^[A-Za-z0-9]{13}$/, '13 alphanumeric');
my $url = space_url('space_a');
is($body->{validation_url}, "https://a.test/api/creation_token/check/$body->{token}",
   'validation_url: public URL + base + /creation_token/check/ + token');
my $t = $body->{token};
is(row_of($t), 'false false -', 'stored (hashed): unused, not validated, no creation token');
is(sql_value("SELECT domain || ' ' || ip FROM account_creation_request_tokens WHERE token_hash = '" . sha256_hex($t) . "'"),
   'a.test 127.0.0.1', 'bound to the request Space, with the client IP');
is(sql_value("SELECT count(*) FROM account_creation_request_tokens WHERE token_hash = '$t'"), 0, 'the value itself is not stored');
$res = call(space_a => POST => '/api/account_creation_request_tokens', body => '{"broken',
            headers => { 'Content-Type' => 'application/json' });
is($res->code, 400, 'a malformed JSON body is still a 400');
my (undef, $other) = request_token('space_a');
isnt($other->{token}, $t, 'each request token is new');
my ($res_b, $body_b) = request_token('space_b', '/sip/v1');
like($body_b->{validation_url}, qr{^https://b\.test/sip/v1/creation_token/check/[A-Za-z0-9]{13}$}, "Space B: its own base");

# ---- 2.3 before validation -------------------------------------------------------------------
$res = exchange(space_a => { account_creation_request_token => $t });
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account creation request token not validated' } ],
          'not validated yet: 404');
is(row_of($t), 'false false -', 'and the token stays usable');

# ---- 2.2 the page -------------------------------------------------------------------------------
$res = page(space_a => $t);
is($res->code, 200, 'check page: 200');
is($res->header('Content-Type'), 'text/html; charset=UTF-8', 'HTML');
is($res->header('Cache-Control'), 'no-store', 'not cached');
like($res->header('Content-Security-Policy') // '', qr/default-src 'none'.*form-action 'self'/, 'a restrictive CSP');
is($res->header('X-Frame-Options'), 'DENY', 'not frameable');
my $html = $res->decoded_content;
like($html, qr{<form method="POST" action="/api/creation_token/validate">}, 'the form posts to {base}/creation_token/validate');
like($html, qr{<input type="hidden" name="account_creation_request_token" value="$t">}, 'the token in a hidden input');
is(scalar(() = $html =~ /<button\b|<input[^>]*type="submit"/g), 1, 'one submit button');
like($html, qr/I'm not a robot/, "FlexiAPI's label");
unlike($html, qr/<script|captcha|https?:/i, 'no script, no CAPTCHA, no external asset');
is(row_of($t), 'false false -', 'loading the page changes nothing');
for my $case ([ 'unknown', 'X' x 13 ], [ 'short', 'abc' ], [ 'escaped', '%3Cscript%3E' ]) {
    $res = page(space_a => $case->[1]);
    is($res->code, 404, "check page, $case->[0] token: 404");
}
like($res->header('Content-Type'), qr{^text/html}, 'the 404 is a page');
unlike($res->decoded_content, qr/<script>/, 'the path is not echoed unescaped');
is(page(space_b => $t, '/sip/v1')->code, 404, "another Space's vhost: 404");

$res = validate(space_a => 'account_creation_request_token=' . ('Y' x 13));
is($res->code, 404, 'validate an unknown token: 404 page');
is(validate(space_a => '')->code, 404, 'validate without the field: 404');
is(validate(space_a => 'account_creation_request_token=' . substr($t, 0, 12))->code, 404, 'validate 12 characters: 404');
is(validate(space_b => "account_creation_request_token=$t", '/sip/v1')->code, 404, "validate on another Space: 404");
is(row_of($t), 'false false -', 'none of these validated it');

$res = validate(space_a => "account_creation_request_token=$t");
is($res->code, 200, 'validate: 200');
like($res->decoded_content, qr/Thanks for the validation/, 'Thanks for the validation');
like($res->decoded_content, qr/You can now continue your registration process in the application/, 'continue in the app');
is($res->header('X-Frame-Options'), 'DENY', 'the answer page has the page headers too');
is(row_of($t), 'false true -', 'validated_at set');
sql("UPDATE account_creation_request_tokens SET validated_at = validated_at - interval '1 hour' WHERE token_hash = '" . sha256_hex($t) . "'");
my $first = sql_value("SELECT validated_at FROM account_creation_request_tokens WHERE token_hash = '" . sha256_hex($t) . "'");
is(validate(space_a => "account_creation_request_token=$t")->code, 200, 'a second validation: 200');
is(sql_value("SELECT validated_at FROM account_creation_request_tokens WHERE token_hash = '" . sha256_hex($t) . "'"),
   $first, 'and it keeps the first time');
is(page(space_a => $t)->code, 200, 'the page of a validated token still shows (200)');

# ---- 2.3 validation --------------------------------------------------------------------------------
my $required = { message => 'The account creation request token field is required.',
                 errors => { account_creation_request_token => [ 'The account creation request token field is required.' ] } };
my $invalid = { message => 'Please provide a valid account_creation_request_token',
                errors => { account_creation_request_token => [ 'Please provide a valid account_creation_request_token' ] } };
for my $case ([ 'absent', {}, $required ], [ 'null', { account_creation_request_token => undef }, $required ],
              [ 'blank', { account_creation_request_token => '  ' }, $required ],
              [ 'unknown', { account_creation_request_token => 'Z' x 13 }, $invalid ],
              [ '14 characters', { account_creation_request_token => $t . 'x' }, $invalid ],
              [ 'a number', { account_creation_request_token => 1234567890123 }, $invalid ]) {
    $res = exchange(space_a => $case->[1]);
    is_deeply([ $res->code, json_of($res) ], [ 422, $case->[2] ], "exchange, $case->[0]: 422");
}
$res = call(space_b => POST => '/sip/v1/account_creation_tokens/using-account-creation-request-token',
            json => { account_creation_request_token => $t });
is_deeply([ $res->code, json_of($res) ], [ 422, $invalid ], "another Space's request token: 422");
is(sql_value('SELECT count(*) FROM account_creation_tokens'), 0, 'no creation token minted so far');

# ---- 2.3 success ------------------------------------------------------------------------------------
$res = exchange(space_a => { account_creation_request_token => " $t " }, 'User-Agent' => 'Linphone/5.2');
is($res->code, 201, 'exchange a validated token (trimmed): 201');
$body = json_of($res);
is_deeply([ sort keys %$body ], [ qw(expire_at ip token user_agent) ], 'the creation token object');
like($body->{token}, qr/^[A-Za-z0-9]{13}$/, 'a 13-character creation token');
is_deeply([ @$body{qw(ip user_agent expire_at)} ], [ '127.0.0.1', 'Linphone/5.2', undef ], 'ip, user agent, no expiry');
my $ct = sql_value("SELECT id || ' ' || domain || ' ' || used || ' ' || ip || ' ' || user_agent FROM account_creation_tokens"
                   . " WHERE token_hash = '" . sha256_hex($body->{token}) . "'");
my ($ct_id) = split / /, $ct // '';
is($ct, "$ct_id a.test false 127.0.0.1 Linphone/5.2", 'the creation token: stored, unused, of the Space');
is(row_of($t), "true true $ct_id", 'the request token: used and linked to it');
$res = exchange(space_a => { account_creation_request_token => $t });
is_deeply([ $res->code, json_of($res) ], [ 422, $invalid ], 'a second exchange: 422 (used)');
is(page(space_a => $t)->code, 404, 'the page of a used token: 404');
is(validate(space_a => "account_creation_request_token=$t")->code, 404, 'validating a used token: 404');

# The creation token creates an account (api.md 5.1).
$res = call(space_a => POST => '/api/accounts/with-account-creation-token',
            json => { username => 'fromrequest', password => 'secret123', algorithm => 'MD5',
                      account_creation_token => $body->{token} });
is($res->code, 200, 'the creation token creates an account');

# Space C: its creation tokens expire (AccountsCreationTokenExpiry 10).
my (undef, $c) = request_token('space_c');
validate(space_c => "account_creation_request_token=$c->{token}");
$res = call(space_c => POST => $use, json => { account_creation_request_token => $c->{token} });
my $cbody = json_of($res);
my $created = sql_value("SELECT to_char((created_at + interval '10 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
                        . " FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($cbody->{token} // '') . "'");
is($cbody->{expire_at}, "$created.000000Z", 'Space C: expire_at = creation + 10 minutes');

# ---- 11: N parallel exchanges of one validated request token ------------------------------------------
my (undef, $race) = request_token('space_a');
validate(space_a => "account_creation_request_token=$race->{token}");
my $before = sql_value('SELECT count(*) FROM account_creation_tokens');
my @codes = concurrently(20, sub { (space_a => POST => $use, json => { account_creation_request_token => $race->{token} }) });
is(scalar(grep { $_ eq '201' } @codes), 1, '20 parallel exchanges: exactly one 201');
is(scalar(grep { $_ eq '422' } @codes), 19, 'the others: 422');
is(sql_value('SELECT count(*) FROM account_creation_tokens') - $before, 1, 'exactly one creation token minted');

# Parallel validations are idempotent.
my (undef, $v) = request_token('space_a');
@codes = concurrently(10, sub { (space_a => POST => '/api/creation_token/validate', body => "account_creation_request_token=$v->{token}",
                         headers => { 'Content-Type' => 'application/x-www-form-urlencoded' }) });
is(scalar(grep { $_ eq '200' } @codes), 10, '10 parallel validations: all 200');
