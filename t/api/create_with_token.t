# POST /accounts/with-account-creation-token (api.md 5.1, 4.x, 4.10).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);

plan tests => 40;

reset_db();
my $path = '/api/accounts/with-account-creation-token';
sub token { my ($space) = @_; my (undef, $out) = accountsctl('creation-token', '--space', $space); chomp $out; $out }
sub create { my ($space, $body, %h) = @_; call($space => POST => $path, json => $body, headers => \%h) }

# ---- success -----------------------------------------------------------------
my $t = token('a.test');
my $res = create(space_a => { username => 'johndoe', password => 'secret123', algorithm => 'SHA-256',
                              account_creation_token => $t, dtmf_protocol => 'rfc2833',
                              email => 'john@example.org', phone => '+33612121212',
                              dictionary => { foo => 'bar' } },
                 'User-Agent' => 'Linphone/5.2');
is($res->code, 200, 'creation: 200 (not 201)');
my $a = json_of($res);
is_deeply([ sort keys %$a ],
          [ sort qw(id username domain email activated ip_address user_agent created_at updated_at
                    display_name dtmf_protocol blocked admin phone realm provisioning_token
                    provisioning_token_expire_at dictionary sip_uri passwords email_change_code
                    types actions carddav_servers) ], 'Self variant');
is($a->{username}, 'johndoe', 'username');
is($a->{domain}, 'a.test', "domain: the request Space's");
ok(!$a->{activated} && !$a->{admin} && !$a->{blocked}, 'not activated, not admin, not blocked');
is($a->{user_agent}, 'Space A', 'user_agent is the Space name (FlexiAPI)');
is($a->{ip_address}, '127.0.0.1', 'ip_address: the client IP');
is($a->{dtmf_protocol}, 'rfc2833', 'dtmf_protocol stored');
ok(!defined $a->{email} && !defined $a->{phone}, 'email and phone validated but not stored');
is_deeply($a->{dictionary}, {}, 'dictionary not stored');
like($a->{provisioning_token}, qr/^[A-Za-z0-9]{13}$/, 'a first provisioning token');
is_deeply($a->{passwords}, [ { algorithm => 'SHA-256' } ], 'password stored');
is(sql_value("SELECT password FROM passwords WHERE account_id = $a->{id}"),
   ha1('SHA-256', 'johndoe', 'global.realm.test', 'secret123'), "HA1 with the Space's realm");
is(sql_value("SELECT used || ' ' || account_id FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($t) . "'"),
   "true $a->{id}", 'token used and linked to the account');
is(sql_value("SELECT ip || ' ' || user_agent FROM provisioning_tokens WHERE account_id = $a->{id}"),
   '127.0.0.1 Linphone/5.2', "provisioning token records the request's IP and User-Agent");
my ($login) = digest_call(space_a => GET => '/api/accounts/me', username => 'johndoe', domain => 'a.test',
                          password => 'secret123', algorithm => 'SHA-256');
is($login->code, 200, 'the new account logs in with digest');

# ---- token rules (4.10) -------------------------------------------------------------
my %ok = (username => 'janedoe', password => 'secret123', algorithm => 'MD5');
$res = create(space_a => { %ok, account_creation_token => $t });
is_deeply(json_of($res), { message => 'Please provide a valid account_creation_token (and 1 more error)',
    errors => { account_creation_token => [ 'Please provide a valid account_creation_token',
                                            'The provided token is expired' ] } },
          'a used token: both messages');
$res = create(space_a => { %ok, account_creation_token => 'unknowntoken1' });
is(scalar @{ json_of($res)->{errors}{account_creation_token} }, 2, 'unknown token: both messages');
$res = create(space_a => { %ok, account_creation_token => token('b.test') });
is($res->code, 422, "another Space's token is unknown here");
my $c = token('c.test');
sql("UPDATE account_creation_tokens SET created_at = now() - interval '11 minutes' WHERE token_hash = '" . sha256_hex($c) . "'");
$res = create(space_c => { %ok, account_creation_token => $c });
is_deeply(json_of($res)->{errors}, { account_creation_token => [ 'The provided token is expired' ] },
          'expired (AccountsCreationTokenExpiry 10): only the second message');
$res = create(space_a => { %ok });
is_deeply(json_of($res)->{errors}, { account_creation_token => [ 'The account creation token field is required.' ] },
          'missing token: required');

# ---- validation: every field, in rule order -------------------------------------------
$res = create(space_a => {});
is($res->code, 422, 'empty body: 422');
is(json_of($res)->{message}, 'The username field is required. (and 3 more errors)',
   'message counts the other errors');
like($res->content, qr/"errors":\{"username":.*"password":.*"account_creation_token":.*"algorithm":/,
     'errors in rule order');

$t = token('a.test');
$res = create(space_a => { username => 'Bad', password => '123', algorithm => 'SHA1', account_creation_token => $t,
                           email => 'not-an-email', dtmf_protocol => 'dtmf', phone => '0612121212',
                           domain => 'nowhere.test', dictionary => [ 'x' ] });
my $e = json_of($res)->{errors};
is_deeply($e->{username}, [ 'The username must be at least 6 characters.', 'No uppercase letters are allowed.',
                            'The username should be a valid SIP username' ], 'username messages');
is_deeply($e->{domain}, [ 'The selected domain is invalid.' ], 'domain');
is_deeply($e->{dictionary}, [ 'The dictionary must be an associative dictionary of strings' ], 'dictionary');
is_deeply($e->{password}, [ 'The password must be at least 6 characters.' ], 'password min 6');
is_deeply($e->{email}, [ 'The email must be a valid email address.' ], 'email');
is_deeply($e->{dtmf_protocol}, [ 'The selected dtmf protocol is invalid.' ], 'dtmf_protocol');
is_deeply($e->{phone}, [ 'The phone field contains an invalid number.',
                         'The phone number must belong to an authorized country.' ], 'phone');
is_deeply($e->{algorithm}, [ 'The password algorithm must be in MD5, SHA-256' ], 'algorithm');
like($res->content, qr/"errors":\{"username":.*"domain":.*"dictionary":.*"password":.*"email":.*"dtmf_protocol":.*"phone":.*"algorithm":/,
     'fields in the rule order of 5.1');
is(sql_value("SELECT used FROM account_creation_tokens WHERE token_hash = '" . sha256_hex($t) . "'"), 'f',
   'a refused request writes nothing (token unused)');

$res = create(space_a => { %ok, username => 'johndoe', account_creation_token => $t });
is_deeply(json_of($res)->{errors}{username}, [ 'The username has already been taken.' ], 'username taken');
$res = create(space_a => { %ok, username => '+33612121212', account_creation_token => $t });
ok(grep({ $_ eq 'The username should not be a phone number' } @{ json_of($res)->{errors}{username} }),
   'a phone-number username is refused');
$res = create(space_c => { %ok, username => 'myfoobar1', account_creation_token => token('c.test') });
is_deeply(json_of($res)->{errors}{username}, [ 'Username already used.' ], 'blacklisted literal item');
$res = create(space_c => { %ok, username => 'username-gnap', account_creation_token => token('c.test') });
is_deeply(json_of($res)->{errors}{username}, [ 'Username already used.' ], 'blacklisted pattern item');

# Normalisation: strings are trimmed, the password is not.
$res = create(space_a => { username => '  spaced1  ', password => ' pass word ', algorithm => 'MD5',
                           account_creation_token => "  $t  " });
is(json_of($res)->{username}, 'spaced1', 'username trimmed');
is(sql_value("SELECT password FROM passwords p JOIN accounts a ON a.id = p.account_id WHERE username = 'spaced1'"),
   ha1('MD5', 'spaced1', 'global.realm.test', ' pass word '), 'password kept as sent');
