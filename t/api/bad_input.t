# Bad input gets a clean 4xx JSON error and writes nothing (api.md 1.3).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 24;

reset_db();
my $create = '/api/accounts/with-account-creation-token';
my (undef, $token) = accountsctl('creation-token', '--space', 'a.test');
chomp $token;
sub accounts_count { sql_value('SELECT count(*) FROM accounts') }
sub post { my ($body, %h) = @_; call(space_a => POST => $create, body => $body,
                                     headers => { 'Content-Type' => 'application/json', %h }) }

my @malformed = (
    [ '{"username": "abcdef",', 'truncated' ],
    [ "{\"username\": \"ab\xff\xfecd\"}", 'invalid UTF-8' ],
    [ '{"username": "abc\u0000def"}', 'NUL in a string' ],
    [ ('[' x 100) . (']' x 100), 'nested 100 deep' ],
    [ '{"a": 1} trailing', 'trailing garbage' ],
    [ "{'single': 'quotes'}", 'single quotes' ],
);
for my $case (@malformed) {
    my $res = post($case->[0]);
    is($res->code, 400, "$case->[1]: 400");
    like(json_of($res)->{message} // '', qr/^Invalid JSON/, "$case->[1]: Invalid JSON message");
}

# Only a body declared JSON is read as JSON (issue 13: a cross-site form can
# send text/plain or no type without a preflight, not application/json).
my $res = post('{"username": "abcdef"}', 'Content-Type' => 'text/plain', Accept => 'application/json');
is($res->code . ' ' . $res->content, '415 {"message":"Unsupported Content-Type: send application/json"}',
   'a JSON body sent as text/plain: 415, not parsed');
$res = call(space_a => POST => $create, body => '{"username": "abcdef"}');
is($res->code, 415, 'a body without Content-Type: 415');

$res = post('[1, 2, 3]');
is($res->code, 422, 'a JSON array: treated as no parameters');
is(json_of($res)->{message}, 'The username field is required. (and 3 more errors)', 'every field missing');

$res = post('{"username": 123456, "password": ["x"], "algorithm": {"a": 1}, "account_creation_token": true, '
            . '"email": 5, "dtmf_protocol": false, "phone": 33612121212, "dictionary": "x", "domain": 1}');
is($res->code, 422, 'wrong JSON types: 422');
my $e = json_of($res)->{errors};
is_deeply([ sort keys %$e ],
          [ sort qw(username password algorithm account_creation_token email dtmf_protocol phone dictionary domain) ],
          'every wrongly typed field is reported');

$res = call(space_a => POST => $create, body => '{"username": "' . ('x' x (2 * 1024 * 1024)) . '"}',
            headers => { 'Content-Type' => 'application/json' });
is($res->code, 413, '2 MiB body: 413');
is_deeply(json_of($res), { message => 'Request body too large' }, 'JSON message');
$res = call(space_a => POST => $create, body => '{"username": "' . ('x' x (10 * 1024 * 1024)) . '"}',
            headers => { 'Content-Type' => 'application/json' });
is($res->code, 413, '10 MB body: 413');

$res = call(space_a => POST => $create, body => "username=formuser1&password=secret123&algorithm=MD5&account_creation_token=$token",
            headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($res->code, 200, 'form-encoded bodies are accepted');

$res = post(qq({"username": "quote'; DROP TABLE accounts; --", "password": "secret123", "algorithm": "MD5", "account_creation_token": "x"}));
is($res->code, 422, 'SQL metacharacters: a plain validation error');
is(accounts_count(), 1, 'nothing was written by any bad request (only the form-created account exists)');
