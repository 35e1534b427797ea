# TURN credentials come from the caller's own Space, whatever vhost it
# calls (issue 13 item 5, api.md GET /accounts/me/services/turn): Space C
# configures TURN, Space A does not.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(hmac_sha1_base64);

plan tests => 9;

reset_db();
sub key_of { my ($sip) = @_; my $k = (accountsctl('api-key', $sip))[1]; chomp $k; $k }
make_account('turnusera', 'a.test');
make_account('turnuserc', 'c.test');
make_account('turnuserx', 'nospace.test');
my $ka = key_of('turnusera@a.test');
my $kc = key_of('turnuserc@c.test');
my $kx = key_of('turnuserx@nospace.test');
my $turn = '/api/accounts/me/services/turn';
my $none = [ 404, { message => 'No TURN service configured' } ];

my $res = call(space_c => GET => $turn, headers => { 'x-api-key' => $ka });
is_deeply([ $res->code, json_of($res) ], $none, "a user of Space A on Space C's vhost: no TURN (its own Space has none)");
$res = call(space_a => GET => $turn, headers => { 'x-api-key' => $ka });
is_deeply([ $res->code, json_of($res) ], $none, 'nor on its own vhost');

$res = call(space_a => GET => $turn, headers => { 'x-api-key' => $kc });
is($res->code, 200, "a user of Space C on Space A's vhost: 200");
my $t = json_of($res);
is_deeply($t->{uris}, [ 'turn:turn.example.org:3478' ], "Space C's TURN server");
is($t->{ttl}, 3600, "Space C's TTL");
my $mac = hmac_sha1_base64($t->{username}, 's3cr3t');
$mac .= '=' while length($mac) % 4;
is($t->{password}, $mac, "a password made with Space C's secret");
$res = call(space_b => GET => "/sip/v1/accounts/me/services/turn", headers => { 'x-api-key' => $kc });
is($res->code, 200, "the same on Space B's vhost");
$res = call(space_c => GET => $turn, headers => { 'x-api-key' => $kc });
is($res->code, 200, 'and on its own vhost');

# An account whose domain is no configured Space has no TURN service.
$res = call(space_c => GET => $turn, headers => { 'x-api-key' => $kx });
is_deeply([ $res->code, json_of($res) ], $none, "an account of no configured Space, on Space C's vhost: 404");
