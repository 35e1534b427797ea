# GET /ping while the database answers (the outage case is zz_outage.t).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 3;

my $res = call(space_a => GET => '/api/ping');
is($res->code, 200, 'ping: 200');
is($res->header('Content-Type'), 'application/json', 'JSON');
is_deeply(json_of($res), { status => 'ok' }, 'body {"status":"ok"}');
