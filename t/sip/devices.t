# Devices as a real registrar records them (issue 16, api-lifecycle.md 8):
# liblinphone registers an account of Space S through Kamailio keeping its
# registrations in the database (usrloc db_mode 3, its own "location"
# table, tests/sip/kamailio.cfg with USRLOC_DB), and the module's devices
# routes (AccountsRegistrarTable location) show and delete that device.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Sip;
use JSON::PP ();
use Time::HiRes qw(sleep);

plan tests => 16;

require_programs(qw(kamailio db_postgres.so linphone_provision))
    or BAIL_OUT('SIP programs missing');

reset_db();
sql('TRUNCATE location');

my %admin = ('x-api-key' => create_admin('devadmin', 'sip.test'));
my $res = call(space_sip => POST => '/api/accounts', headers => \%admin,
               json => { username => 'phone-user', password => 'phone-pass-1', algorithm => 'MD5',
                         activated => JSON::PP::true() });
is($res->code, 200, 'an MD5 account of Space S') or diag($res->content);
my $id = json_of($res)->{id};
my $key = (accountsctl('api-key', 'phone-user@sip.test'))[1];
chomp $key;
my %user = ('x-api-key' => $key);

is_deeply([ map { $_->code, $_->content } call(space_sip => GET => '/api/accounts/me/devices', headers => \%user) ],
          [ 200, '{}' ], 'before any REGISTER: {}');

my $kamailio = start_kamailio(usrloc_db => 1);
my $rc = "[sip]\nsip_port=-1\nsip_tcp_port=0\nsip_tls_port=0\nuse_ipv6=0\n"
    . "[proxy_0]\nreg_proxy=<sip:127.0.0.1:$kamailio->{port};transport=udp>\nreg_identity=sip:phone-user\@sip.test\n"
    . "reg_sendregister=1\nreg_expires=600\n"
    . "[auth_info_0]\nusername=phone-user\npasswd=phone-pass-1\ndomain=sip.test\n";
my $phone = linphone_start($rc, 30);

# The device shows up once Kamailio has saved the REGISTER.
my $devices = {};
wait_for(20, sub {
    $devices = json_of(call(space_sip => GET => '/api/accounts/me/devices', headers => \%user)) // {};
    return scalar(%$devices);
});
my @uuids = keys %$devices;
is(scalar(@uuids), 1, 'after the REGISTER: one device') or diag(`cat $phone->{log}`);
my $uuid = $uuids[0] // '';
like($uuid, qr/^urn:uuid:[0-9a-f-]{36}$/, "keyed by liblinphone's +sip.instance uuid");
my ($instance) = sql("SELECT instance FROM location WHERE username = 'phone-user' AND domain = 'sip.test'");
is($instance, "<$uuid>", 'the very instance Kamailio stored');
my ($ua) = `cat $phone->{log}` =~ /^user_agent: (.*)$/m;
my $device = $devices->{$uuid} // {};
is($device->{user_agent}, $ua, 'the user agent liblinphone sent');
is_deeply([ @$device{qw(app version device_name)} ], [ 'LinphoneSipTest', '5.1.0', 'SIP test box' ],
          "app, version and device name parsed from it ($ua)");
my $updated = sql_value("SELECT extract(epoch FROM now() - '" . ($device->{update_time} // '1970-01-01Z') . "'::timestamptz)");
ok(abs($updated) < 120, "update_time is the registration's, in UTC ($device->{update_time})");

is_deeply(json_of(call(space_sip => GET => "/api/accounts/$id/devices", headers => \%admin)), $devices,
          'the admin route shows the same device');

$res = call(space_sip => DELETE => "/api/accounts/me/devices/$uuid", headers => \%user);
is_deeply([ $res->code, $res->content ], [ 200, '1' ], 'DELETE /accounts/me/devices/{uuid}: 1');
is(sql_value("SELECT count(*) FROM location WHERE username = 'phone-user'"), 0,
   "the registration is gone from Kamailio's table (db_mode 3: at once for SIP too)");
is(call(space_sip => GET => '/api/accounts/me/devices', headers => \%user)->content, '{}', 'no device left');
ok(log_lines($kamailio, qr/registered sip:phone-user\@sip\.test realm sip\.realm\.test /),
   'Kamailio authenticated the REGISTER against the module\'s credentials');
