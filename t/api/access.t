# Access levels (api.md 2.1, 2.4) on an Admin route, POST /account_creation_tokens:
# users, admins of the Space, of another Space, super admins, blocked admins.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);

plan tests => 14;

reset_db();
my $admin_a = create_admin('admina', 'a.test');
my $admin_b = create_admin('adminb', 'b.test');
my $super = create_admin('root', 'super.test');
make_account('user', 'a.test');
my $user = (accountsctl('api-key', 'user@a.test'))[1];
chomp $user;

sub mint { my ($space, $path, $key) = @_; call($space => POST => $path, headers => { 'x-api-key' => $key, 'User-Agent' => 'curl/8.0' }) }

my $res = mint(space_a => '/api/account_creation_tokens', $admin_a);
is($res->code, 201, 'admin of the Space: 201');
my $t = json_of($res);
is_deeply([ sort keys %$t ], [ qw(expire_at ip token user_agent) ], 'exactly token, ip, user_agent, expire_at');
like($t->{token}, qr/^[A-Za-z0-9]{13}$/, '13-character token');
ok(!defined $t->{expire_at}, 'expire_at null (AccountsCreationTokenExpiry 0)');
is($t->{user_agent}, 'curl/8.0', 'user agent recorded');
is(sql_value("SELECT domain || ' ' || used FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($t->{token}) . "'"),
   'a.test false', 'stored hashed, unused, bound to the Space');

$res = mint(space_a => '/api/account_creation_tokens', $user);
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Unauthorized area' } ], 'plain user: 403 Unauthorized area');
$res = mint(space_b => '/sip/v1/account_creation_tokens', $admin_a);
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Unauthorized area' } ], "admin of A on B's vhost: 403");
is(mint(space_a => '/api/account_creation_tokens', $admin_b)->code, 403, "admin of B on A's vhost: 403");
$res = mint(space_a => '/api/account_creation_tokens', $super);
is($res->code, 201, "super admin on A's vhost: 201");
is(sql_value("SELECT domain FROM account_creation_tokens WHERE token_hash = '" . sha256_hex(json_of($res)->{token}) . "'"),
   'a.test', "the token belongs to the vhost's Space");
is(mint(space_b => '/sip/v1/account_creation_tokens', $super)->code, 201, "super admin on B's vhost: 201");
is(mint(space_a => '/api/account_creation_tokens', 'nope')->code, 401, 'unknown key: 401');
sql("UPDATE accounts SET blocked = true WHERE username = 'admina'");
$res = mint(space_a => '/api/account_creation_tokens', $admin_a);
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'Account blocked' } ], 'blocked admin: 403 Account blocked');
