# A provisioned liblinphone registers (issue 14 items 2 and 4): a
# LinphoneCore whose only configuration is the provisioning URI
# GET /provisioning/{provisioning_token} of the module fetches the
# document, applies it, and reaches LinphoneRegistrationOk at Kamailio with
# the provisioned HA1 alone (no password anywhere). Space S
# (t/conf/extra.conf.in): AccountsSipProxy names the Kamailio started here
# on ACCOUNTS_SIP_PORT, AccountsRealm sip.realm.test, default algorithm
# SHA-256, and AccountsProvisioningHeaderRequired Off, since liblinphone 5.1
# sends no x-linphone-provisioning header.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Sip;
use JSON::PP ();

plan tests => 21;

require_programs(qw(kamailio db_postgres.so linphone_provision)) or BAIL_OUT('SIP programs missing');
my ($lpver) = `pkg-config --modversion linphone 2>/dev/null` =~ /(\S+)/;
diag('liblinphone ' . ($lpver // `dpkg-query -W -f '\${Version}' liblinphone10 2>/dev/null`));

reset_db();
my $admin = create_admin('sipadmin', 'sip.test');
my $res = call(space_sip => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
               json => { username => 'linphone-user', password => 'linphone-pass-1', algorithm => 'SHA-256' });
is($res->code, 200, 'POST /accounts linphone-user (Space S, SHA-256, not activated): 200') or diag($res->content);
my $id = (json_of($res) // {})->{id} // 0;
is(sql_value("SELECT realm FROM spaces WHERE domain = 'sip.test'"), 'sip.realm.test', 'spaces.realm of sip.test');

my $kamailio = start_kamailio(sha256 => 1, port => $ENV{ACCOUNTS_SIP_PORT});

my $rc_base = "[sip]\nsip_port=-1\nsip_tcp_port=0\nsip_tls_port=0\nuse_ipv6=0\n";

# Not activated yet: the credential views do not list it.
my ($st, $out) = linphone($rc_base
    . "[proxy_0]\nreg_proxy=<sip:127.0.0.1:$ENV{ACCOUNTS_SIP_PORT};transport=udp>\n"
    . "reg_identity=sip:linphone-user\@sip.test\nreg_sendregister=1\n"
    . "[auth_info_0]\nusername=linphone-user\npasswd=linphone-pass-1\ndomain=sip.test\n", 8);
is($st, 2, 'before provisioning (not activated): LinphoneRegistrationFailed');
ok(log_lines($kamailio, qr/refused sip:linphone-user\@sip\.test realm sip\.realm\.test: auth_check -3$/),
   'Kamailio: an account not activated is unknown');

$res = call(space_sip => GET => "/api/accounts/$id/provision", headers => { 'x-api-key' => $admin });
is($res->code, 200, 'GET /accounts/{id}/provision: a provisioning token');
my $token = (json_of($res) // {})->{provisioning_token} // '';
like($token, qr/^[A-Za-z0-9]{13}$/, 'token: 13 characters');

my $uri = space_url('space_sip') . "/api/provisioning/$token";
my $rc_after;
($st, $out, $rc_after) = linphone($rc_base . "[misc]\nconfig-uri=$uri\n", 15);
is($st, 0, 'provisioned liblinphone: LinphoneRegistrationOk') or diag($out);
like($out, qr/^configuring: LinphoneConfiguringSuccessful/m, 'the document was fetched and applied');
like($out, qr/^auth_info: username=linphone-user realm=sip\.realm\.test algorithm=SHA-256 ha1=yes password=no$/m,
     'provisioned credentials: the SHA-256 HA1 of realm sip.realm.test, no password');
like($out, qr/^registration: sip:linphone-user\@sip\.test LinphoneRegistrationOk/m, 'registered as linphone-user@sip.test');
ok(log_lines($kamailio, qr/registered sip:linphone-user\@sip\.test realm sip\.realm\.test /),
   'Kamailio saved the binding');
like($rc_after, qr/^reg_proxy=<sip:127\.0\.0\.1:$ENV{ACCOUNTS_SIP_PORT};transport=udp>$/m,
     'the proxy came from the document (AccountsSipProxy)');
like($rc_after, qr/^ha1=[0-9a-f]{64}$/m, 'the configuration holds the HA1');
unlike($rc_after, qr/^passwd=/m, '... and no password');
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 't', 'provisioning activated the account');

# The token is used up: a second core fetching it fails to configure.
($st, $out) = linphone($rc_base . "[misc]\nconfig-uri=$uri\n", 8);
is($st, 3, 'a used token: LinphoneConfiguringFailed');
like($out, qr/^configuring: LinphoneConfiguringFailed/m, '... the document could not be fetched');
unlike($out, qr/^registration: /m, '... and no REGISTER was sent');
