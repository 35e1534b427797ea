# The answer of a creation (5.1, 5.10) is built from what was stored, not
# read back (sql/0006): it must be exactly what reading the new account
# gives. GET /accounts/me shows the same Self variant, so each new account
# is read there with its own key and compared key by key.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 6;

reset_db();
my $admin = create_admin('admin', 'a.test');

sub me_of {
    my ($username, $domain) = @_;
    my (undef, $key) = accountsctl('api-key', "$username\@$domain");
    chomp $key;
    return json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key }));
}

my $res = call(space_a => POST => '/api/accounts', headers => { 'x-api-key' => $admin, 'User-Agent' => 'creator/1.0' },
               json => { username => 'fulluser', password => 'secret-pass', algorithm => 'SHA-256',
                         email => 'Full.User@example.com', display_name => "  Full  O'User ",
                         phone => '+33612345678', dtmf_protocol => 'sipinfo', activated => 1,
                         dictionary => { zeta => ' last ', alpha => 'first' } });
is($res->code, 200, 'admin creation with every field: 200');
my $created = json_of($res);
is_deeply($created, me_of('fulluser', 'a.test'), 'its answer is what a read of the account gives');

$res = call(space_a => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
            json => { username => 'bareuser', password => 'secret-pass', algorithm => 'MD5' });
is_deeply(json_of($res), me_of('bareuser', 'a.test'), 'the same with the fewest fields (no User-Agent)');

my (undef, $out) = accountsctl('creation-token', '--space', 'a.test', '--count', 1);
chomp(my $token = $out);
$res = call(space_a => POST => '/api/accounts/with-account-creation-token',
            json => { username => 'tokenuser', password => 'secret-pass', algorithm => 'MD5',
                      account_creation_token => $token, dtmf_protocol => 'rfc2833',
                      email => 'not.stored@example.com' });
is($res->code, 200, 'creation with a token: 200');
$created = json_of($res);
is_deeply($created, me_of('tokenuser', 'a.test'), 'its answer is what a read of the account gives');
is($created->{email}, undef, 'email validated but not stored, and not shown');
