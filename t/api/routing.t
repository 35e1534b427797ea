# Routing below the mount point: 404 and 405 JSON bodies, trailing slash,
# any <Location> path, CORS (api.md 1.2).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 20;

my $res = call(space_a => GET => '/api/nope');
is($res->code, 404, 'unknown route: 404');
is($res->header('Content-Type'), 'application/json', 'as JSON');
is_deeply(json_of($res), { message => 'The route api/nope could not be found.' }, '404 message');

$res = call(space_a => POST => '/api/accounts/me');
is($res->code, 405, 'known path, wrong method: 405');
is($res->header('Allow'), 'GET, HEAD, DELETE', 'Allow lists the methods');
is(json_of($res)->{message},
   'The POST method is not supported for route api/accounts/me. Supported methods: GET, HEAD, DELETE.',
   '405 message');

$res = call(space_a => GET => '/api/ping/');
is($res->code, 200, 'one trailing slash is ignored');

$res = call(space_a => GET => '/api/accounts/me/');
is($res->code, 401, 'trailing slash on an authenticated route reaches authentication');

$res = call(space_a => GET => '/api/ping/x');
is($res->code, 404, 'extra path segment: 404');

$res = call(space_b => GET => '/sip/v1/ping');
is($res->code, 200, 'a Space mounted on another path serves its routes there');
$res = call(space_b => GET => '/sip/v1/nope');
is(json_of($res)->{message}, 'The route sip/v1/nope could not be found.', '404 names the full path');
$res = call(space_b => GET => '/api/ping');
isnt($res->header('Content-Type') // '', 'application/json', 'outside the Location the module is not involved');

$res = call(space_a => GET => '/api/ping', headers => { Origin => 'https://app.example' });
is($res->header('Access-Control-Allow-Origin'), '*', 'CORS origin on responses to cross-origin requests');
ok(!defined $res->header('Access-Control-Allow-Credentials'), 'never with credentials');
$res = call(space_a => GET => '/api/ping');
ok(!defined $res->header('Access-Control-Allow-Origin'), 'no CORS header without Origin');

$res = call(space_a => OPTIONS => '/api/accounts/me',
            headers => { Origin => 'https://app.example', 'Access-Control-Request-Method' => 'GET' });
is($res->code, 204, 'preflight: 204');
is($res->header('Access-Control-Allow-Methods'), 'GET, HEAD, DELETE', 'preflight lists the methods');
is($res->header('Access-Control-Allow-Origin'), '*', 'preflight allows any origin');

$res = call(space_a => HEAD => '/api/ping');
is($res->code, 200, 'HEAD is GET without a body');
is($res->content, '', 'no body on HEAD');
