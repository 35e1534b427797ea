# coturn accepts the TURN credentials the module hands out (GET
# /accounts/me/services/turn, issue 14 item 4): turnserver with
# use-auth-secret and Space C's AccountsTurnSecret (tests/sip/turnserver.conf),
# turnutils_uclient allocating with them, and failing with a tampered
# password. The address of the relay is the test's own (the uris of the
# answer name the configured turn.example.org, which the test does not
# resolve).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Sip;
use JSON::PP ();

plan tests => 14;

require_programs(qw(turnserver turnutils_uclient)) or BAIL_OUT('coturn missing');
my ($version) = `turnserver --version 2>&1` =~ /(\d+\.\d+\.\d+\S*)/;
diag('coturn ' . ($version // '?'));

reset_db();
my $admin = create_admin('sipadmin', 'c.test');
my $res = call(space_c => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
               json => { username => 'turn-user', password => 'turn-pass-1', algorithm => 'SHA-256',
                         activated => JSON::PP::true() });
is($res->code, 200, 'POST /accounts turn-user (Space C): 200');
($res) = digest_call(space_c => GET => '/api/accounts/me/api_key', username => 'turn-user',
                     domain => 'c.test', password => 'turn-pass-1', algorithm => 'SHA-256');
is($res->code, 200, "turn-user's own API key");
my $key = $res->content;
$res = call(space_c => GET => '/api/accounts/me/services/turn', headers => { 'x-api-key' => $key });
is($res->code, 200, 'GET /accounts/me/services/turn: 200');
my $turn = json_of($res) // {};
like($turn->{username} // '', qr/^\d+:[A-Za-z0-9]{16}$/, 'username: <expiry>:<random>');
remember_secret($turn->{password});

my $server = start_turnserver();

sub uclient {
    my ($user, $password) = @_;
    # -y: two allocations relaying to each other; -n 3 messages each.
    my @cmd = ('turnutils_uclient', '-u', $user, '-w', $password, '-p', $server->{port},
               '-y', '-n', '3', '-m', '1', '-c', '127.0.0.1');
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or exit 127;
    }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    return ($? >> 8, $out);
}

my ($st, $out) = uclient($turn->{username}, $turn->{password});
is($st, 0, 'turnutils_uclient with the handed-out credentials: exit 0') or diag($out);
unlike($out, qr/Cannot complete Allocation/, 'allocation completed');
like($out, qr/tot_send_msgs=6, tot_recv_msgs=6/, 'data relayed through both allocations');
like($out, qr/Total lost packets 0 /, 'no packet lost');

# Tampered: one character of the HMAC changed.
my $bad = $turn->{password};
substr($bad, 0, 1) = substr($bad, 0, 1) eq 'A' ? 'B' : 'A';
($st, $out) = uclient($turn->{username}, $bad);
isnt($st, 0, 'tampered password: turnutils_uclient fails');
like($out, qr/Cannot complete Allocation/, 'tampered password: no allocation');
ok(log_lines($server, qr/check_stun_auth: Cannot find credentials of user <\Q$turn->{username}\E>/),
   'turnserver refused the credentials');

# Expired: a username whose time has passed, correctly signed.
my $old = (time - 60) . ':' . 'A' x 16;
require Digest::SHA;
my $sig = Digest::SHA::hmac_sha1_base64($old, 's3cr3t');
$sig .= '=' while length($sig) % 4;
($st, $out) = uclient($old, $sig);
isnt($st, 0, 'expired username, valid signature: refused');
