# Accounts created over the API register through Kamailio (auth_db on the
# shipped credential views, the realm read from spaces.realm per request
# domain: tests/sip/kamailio.cfg), with real SIP clients; those that a SIP
# server must not authenticate are refused (issue 14, item 4).
#
# MD5: baresip 1.0.0 on a Kamailio challenging with MD5. SHA-256: libre
# 1.1.0 (baresip 1.0.0's) has no SHA-256 digest (its REGISTER fails with
# "Function not implemented", checked below), so liblinphone
# (tests/sip/linphone_provision) registers the SHA-256 account, on a second
# Kamailio challenging with SHA-256 (Kamailio 5.6 has one algorithm per
# instance).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Sip;
use JSON::PP ();

plan tests => 43;

require_programs(qw(kamailio db_postgres.so baresip linphone_provision))
    or BAIL_OUT('SIP programs missing');
diag('kamailio ' . kamailio_version());
my ($baresip) = `baresip -h 2>&1` =~ /baresip v(\S+)/;
diag('baresip ' . ($baresip // '?') . ', libre ' . (`dpkg-query -W -f '\${Version}' libre0 2>/dev/null` || '?'));

reset_db();

# ---- accounts, over the API ----------------------------------------------------
my %key = (space_a => create_admin('sipadmin', 'a.test'), space_b => create_admin('sipadmin', 'b.test'),
           space_c => create_admin('sipadmin', 'c.test'));
my %base = (space_a => '/api', space_b => '/sip/v1', space_c => '/api');

sub create {
    my ($space, $username, $password, $algorithm) = @_;
    my $res = call($space => POST => "$base{$space}/accounts", headers => { 'x-api-key' => $key{$space} },
                   json => { username => $username, password => $password, algorithm => $algorithm,
                             activated => JSON::PP::true() });
    is($res->code, 200, "POST /accounts $username ($space, $algorithm): 200")
        or diag($res->content);
    return json_of($res)->{id};
}

my $alice = create(space_a => 'alice-md5', 'alice-pass-1', 'MD5');
my $bob   = create(space_a => 'bob-sha256', 'bob-pass-1', 'SHA-256');
my $carol = create(space_a => 'carol-md5', 'carol-pass-1', 'MD5');
my $dave  = create(space_a => 'dave-md5', 'dave-pass-1', 'MD5');
my $erin  = create(space_c => 'erin-md5', 'erin-pass-1', 'MD5');
my $frank = create(space_b => 'frank-md5', 'frank-pass-1', 'MD5');

# The realms Kamailio reads: written by the module from httpd.conf.
is(sql_value("SELECT realm FROM spaces WHERE domain = 'a.test'"), 'global.realm.test',
   'spaces.realm of a.test: the inherited AccountsRealm');
is(sql_value("SELECT realm FROM spaces WHERE domain = 'c.test'"), 'c.realm.test',
   "spaces.realm of c.test: its own AccountsRealm");

# ---- MD5, baresip ---------------------------------------------------------------
my $md5 = start_kamailio();
my $sha = start_kamailio(sha256 => 1);

my $r = baresip_register($md5->{port}, ['alice-md5', 'a.test', 'alice-pass-1'],
                         ['carol-md5', 'a.test', 'carol-pass-1'], ['dave-md5', 'a.test', 'dave-pass-1'],
                         ['erin-md5', 'c.test', 'erin-pass-1'], ['frank-md5', 'b.test', 'frank-pass-1']);
is($r->{'alice-md5@a.test'}, '200 OK', 'MD5 account (Space A, realm global.realm.test): baresip registered');
is($r->{'carol-md5@a.test'}, '200 OK', 'carol registers before she is blocked');
is($r->{'dave-md5@a.test'}, '200 OK', 'dave registers before he is deactivated');
is($r->{'erin-md5@c.test'}, '200 OK', 'Space C (AccountsRealm c.realm.test != c.test): registered');
is($r->{'frank-md5@b.test'}, '200 OK', 'Space B (AccountsRealm realm-b.test): registered');
ok(log_lines($md5, qr/registered sip:alice-md5\@a\.test realm global\.realm\.test /), 'Kamailio: alice saved, realm from the database');
ok(log_lines($md5, qr/registered sip:erin-md5\@c\.test realm c\.realm\.test /), 'Kamailio: erin saved, realm c.realm.test');
ok(log_lines($md5, qr/registered sip:frank-md5\@b\.test realm realm-b\.test /), 'Kamailio: frank saved, realm realm-b.test');

# ---- refused ----------------------------------------------------------------------
is(call(space_a => POST => "/api/accounts/$carol/block", headers => { 'x-api-key' => $key{space_a} })->code,
   200, 'carol blocked');
is(call(space_a => POST => "/api/accounts/$dave/deactivate", headers => { 'x-api-key' => $key{space_a} })->code,
   200, 'dave deactivated');
$r = baresip_register($md5->{port}, ['alice-md5', 'a.test', 'alice-pass-2'],
                      ['carol-md5', 'a.test', 'carol-pass-1'], ['dave-md5', 'a.test', 'dave-pass-1'],
                      ['bob-sha256', 'a.test', 'bob-pass-1']);
is($r->{'alice-md5@a.test'}, '403 Forbidden', 'wrong password: 403');
is($r->{'carol-md5@a.test'}, '403 Forbidden', 'blocked account: 403');
is($r->{'dave-md5@a.test'}, '403 Forbidden', 'deactivated account: 403');
is($r->{'bob-sha256@a.test'}, '403 Forbidden', 'a SHA-256-only account has no MD5 credential: 403');
ok(log_lines($md5, qr/refused sip:alice-md5\@a\.test realm global\.realm\.test: auth_check -2$/),
   'Kamailio: alice refused as a wrong password (-2)');
ok(log_lines($md5, qr/refused sip:carol-md5\@a\.test realm \S+: auth_check -3$/),
   'Kamailio: carol unknown to sip_credentials_md5 (-3)');
ok(log_lines($md5, qr/refused sip:dave-md5\@a\.test realm \S+: auth_check -3$/),
   'Kamailio: dave unknown to sip_credentials_md5 (-3)');

# Spaces sharing a realm (A and the super Space inherit AccountsRealm
# global.realm.test) share Kamailio's (username, realm) key: the password
# of super.test's alice-md5 must not register a.test's alice-md5.
my $super = create_admin('sipadmin', 'super.test');
$r = call(space_super => POST => '/api/accounts', headers => { 'x-api-key' => $super },
          json => { username => 'alice-md5', password => 'super-alice-1', algorithm => 'MD5',
                    domain => 'super.test', activated => JSON::PP::true() });
is($r->code, 200, 'POST /accounts alice-md5 in super.test (same realm as a.test)') or diag($r->content);
is(sql_value("SELECT realm FROM spaces WHERE domain = 'super.test'"), 'global.realm.test',
   'super.test shares the realm global.realm.test');
# auth_db reads the first row of that key, whichever Space's it is: one of
# these two is refused by the password (-2), the other by kamailio.cfg's
# check of the row's domain against the To domain.
$r = baresip_register($md5->{port}, ['alice-md5', 'a.test', 'super-alice-1'],
                      ['alice-md5', 'super.test', 'alice-pass-1']);
is($r->{'alice-md5@a.test'}, '403 Forbidden', "super.test alice's password does not register a.test's alice");
is($r->{'alice-md5@super.test'}, '403 Forbidden', "nor a.test alice's password super.test's alice");
ok(log_lines($md5, qr/refused sip:alice-md5\@(a|super)\.test realm global\.realm\.test: credentials of alice-md5\@(super|a)\.test$/),
   'Kamailio: the row of the other Space authenticated, and was refused for its domain');

# ---- SHA-256 ----------------------------------------------------------------------
$r = baresip_register($sha->{port}, ['bob-sha256', 'a.test', 'bob-pass-1']);
is($r->{'bob-sha256@a.test'}, 'Function not implemented',
   'baresip 1.0.0 (libre 1.1.0) cannot answer a SHA-256 challenge: liblinphone does it');

sub linphone_rc {
    my ($port, $user, $domain, $password) = @_;
    return "[sip]\nsip_port=-1\nsip_tcp_port=0\nsip_tls_port=0\nuse_ipv6=0\n"
        . "[proxy_0]\nreg_proxy=<sip:127.0.0.1:$port;transport=udp>\nreg_identity=sip:$user\@$domain\n"
        . "reg_sendregister=1\nreg_expires=600\n"
        . "[auth_info_0]\nusername=$user\npasswd=$password\ndomain=$domain\n";
}
my ($st, $out) = linphone(linphone_rc($sha->{port}, 'bob-sha256', 'a.test', 'bob-pass-1'));
is($st, 0, 'SHA-256 account: liblinphone reached LinphoneRegistrationOk') or diag($out);
like($out, qr/^auth_info: username=bob-sha256 realm=global\.realm\.test algorithm=SHA-256 ha1=yes/m,
     'liblinphone answered a SHA-256 challenge of realm global.realm.test');
ok(log_lines($sha, qr/registered sip:bob-sha256\@a\.test realm global\.realm\.test /), 'Kamailio (SHA-256): bob saved');
($st, $out) = linphone(linphone_rc($sha->{port}, 'bob-sha256', 'a.test', 'bob-pass-2'), 8);
is($st, 2, 'SHA-256, wrong password: LinphoneRegistrationFailed');
like($out, qr/LinphoneRegistrationFailed \(Forbidden\)/, '... on a 403');
ok(log_lines($sha, qr/refused sip:bob-sha256\@a\.test realm global\.realm\.test: auth_check -2$/),
   'Kamailio (SHA-256): refused as a wrong password (-2)');
($st, $out) = linphone(linphone_rc($sha->{port}, 'alice-md5', 'a.test', 'alice-pass-1'), 8);
is($st, 2, 'an MD5-only account has no SHA-256 credential: LinphoneRegistrationFailed');
ok(log_lines($sha, qr/refused sip:alice-md5\@a\.test realm global\.realm\.test: auth_check -3$/),
   'Kamailio (SHA-256): alice unknown to sip_credentials_sha256 (-3)');
