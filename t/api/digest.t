# Digest authentication (api.md 2.3): handshakes for MD5, SHA-256 and both,
# replay, every failure of the table, and curl as a real client.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Digest;

plan tests => 81;

reset_db();
my $realm = 'global.realm.test';    # Space A inherits the global AccountsRealm
make_account('md5user', 'a.test', realm => $realm, passwords => { MD5 => 'secret-md5' });
make_account('shauser', 'a.test', realm => $realm, passwords => { 'SHA-256' => 'secret-sha' });
make_account('bothuser', 'a.test', realm => $realm,
             passwords => { MD5 => 'secret-both', 'SHA-256' => 'secret-both' });
make_account('clearuser', 'a.test', realm => $realm, passwords => { CLRTXT => 'clear-pass' });
make_account('nopass', 'a.test');
my $me = '/api/accounts/me';

# ---- the challenge -----------------------------------------------------------
my $res = call(space_a => GET => $me, headers => { From => 'sip:bothuser@a.test' });
is($res->code, 401, 'known account, no Authorization: 401');
is($res->content, 'Unauthenticated request', 'body');
is($res->header('Content-Type'), 'text/html; charset=UTF-8', 'plain text body');
my @wa = $res->header('WWW-Authenticate');
is(scalar @wa, 2, 'one challenge per stored password');
like($wa[0], qr/^Digest realm="global\.realm\.test",qop="auth",algorithm=MD5,nonce="[0-9a-f]{64}",opaque="[^"]+"$/,
     'MD5 challenge, exact format');
like($wa[1], qr/^Digest realm="global\.realm\.test",qop="auth",algorithm=SHA-256,nonce="[0-9a-f]{64}",opaque="[^"]+"$/,
     'SHA-256 challenge second');
my @c = challenges($res);
is($c[0]{nonce}, $c[1]{nonce}, 'the same nonce in both');
is(sql_value('SELECT count(*) FROM digest_nonces WHERE account_id IS NOT NULL'), 0,
   'a challenge writes nothing: the nonce is stateless');
ok(nonce_is_for($c[0]{nonce}, space => 'a.test', username => 'bothuser', domain => 'a.test'),
   "the nonce carries its MAC over the Space and the account (AccountsSecret)");
my $minted = nonce_time_us($c[0]{nonce}) / 1e6;
cmp_ok(abs($minted - sql_value('SELECT extract(epoch FROM now())')), '<', 5, 'and its mint time, by the database clock');

$res = call(space_a => GET => $me, headers => { From => 'sip:clearuser@a.test' });
is_deeply([ map { $_->{algorithm} } challenges($res) ], [ 'MD5', 'SHA-256' ], 'CLRTXT offers MD5 then SHA-256');
$res = call(space_a => GET => $me, headers => { From => 'sip:nopass@a.test' });
is($res->code, 401, 'account without password: 401');
ok(!defined $res->header('WWW-Authenticate'), 'and no challenge');

$res = call(space_a => GET => $me, headers => { From => 'sip:md5user@a.test' });
my $opaque_a = (challenges($res))[0]{opaque};
$res = call(space_b => GET => '/sip/v1/accounts/me', headers => { From => 'sip:md5user@a.test' });
my ($cb) = challenges($res);
isnt($cb->{opaque}, $opaque_a, 'opaque is per Space');
is($cb->{realm}, $realm, "the account's realm, whichever vhost");
unlike($opaque_a, qr/e2e-test-secret/, 'opaque does not reveal the secret');

# ---- successful handshakes -----------------------------------------------------
my ($ok, $ch) = digest_call(space_a => GET => $me, username => 'md5user', domain => 'a.test',
                            password => 'secret-md5', algorithm => 'MD5');
is($ok->code, 200, 'MD5 handshake: 200');
is(json_of($ok)->{username}, 'md5user', 'as the account');
like($ok->header('WWW-Authenticate'), qr/nonce="\Q$ch->{nonce}\E"/, 'the answer carries the same nonce');

($ok) = digest_call(space_a => GET => $me, username => 'shauser', domain => 'a.test',
                    password => 'secret-sha', algorithm => 'SHA-256');
is($ok->code, 200, 'SHA-256 handshake: 200');
($ok) = digest_call(space_a => GET => $me, username => 'bothuser', domain => 'a.test',
                    password => 'secret-both', algorithm => 'MD5');
is($ok->code, 200, 'account with both: MD5 works');
($ok) = digest_call(space_a => GET => $me, username => 'bothuser', domain => 'a.test',
                    password => 'secret-both', algorithm => 'SHA-256');
is($ok->code, 200, 'account with both: SHA-256 works');
($ok) = digest_call(space_a => GET => $me, username => 'clearuser', domain => 'a.test',
                    password => 'clear-pass', algorithm => 'SHA-256');
is($ok->code, 200, 'legacy clear-text password: HA1 computed on the fly');
($ok) = digest_call(space_b => GET => '/sip/v1/accounts/me', username => 'md5user', domain => 'A.TEST',
                    password => 'secret-md5', algorithm => 'MD5');
is($ok->code, 200, "an account of Space A on Space B's vhost, domain compared case-insensitively");

# ---- nc: reuse with nc+1, replay refused ----------------------------------------
my $from = { From => 'sip:md5user@a.test' };
my ($c1) = challenges(call(space_a => GET => $me, headers => $from));
my %auth = (username => 'md5user', realm => $realm, password => 'secret-md5', nonce => $c1->{nonce},
            opaque => $c1->{opaque}, method => 'GET', uri => $me);
sub with_auth { my (%a) = @_; call(space_a => GET => $me, headers => { %$from, Authorization => digest_header(%a) }) }
is(with_auth(%auth, nc => '00000001')->code, 200, 'nc 1: 200');
is(with_auth(%auth, nc => '00000002')->code, 200, 'same nonce, nc 2: 200');
is(with_auth(%auth, nc => '00000005')->code, 200, 'nc may jump: 5');
$res = with_auth(%auth, nc => '00000004');
is($res->code, 401, 'a lower nc after a jump: 401');
is($res->content, 'Nonce replayed', 'Nonce replayed');
my ($fresh) = challenges($res);
isnt($fresh->{nonce}, $c1->{nonce}, 'with a fresh challenge');
is(sql_value("SELECT nc FROM digest_nonces WHERE nonce = '$c1->{nonce}'"), '9223372036854775807',
   'the replayed nonce is revoked');
is(with_auth(%auth, nc => '00000006')->content, 'Nonce invalid', 'and cannot be used any more');

# The same nonce and nc twice: the second is a replay.
my ($c2) = challenges(call(space_a => GET => $me, headers => $from));
%auth = (%auth, nonce => $c2->{nonce});
is(with_auth(%auth, nc => '00000001')->code, 200, 'first use');
is(with_auth(%auth, nc => '00000001')->content, 'Nonce replayed', 'exact replay refused');

# ---- failures ----------------------------------------------------------------------
my ($c3) = challenges(call(space_a => GET => $me, headers => $from));
%auth = (%auth, nonce => $c3->{nonce}, opaque => $c3->{opaque});
my $n = 1;
sub nc { sprintf '%08x', $n++ }

$res = with_auth(%auth, nc => nc(), password => 'wrong');
is($res->code, 401, 'wrong password: 401');
is($res->content, 'Unauthorized', 'Unauthorized');
ok(scalar(challenges($res)), 'fresh challenge');

$res = with_auth(%auth, nc => nc(), realm => 'evil.realm');
is($res->code, 422, 'wrong realm: 422');
is_deeply(json_of($res), { message => 'The selected realm is invalid.',
                           errors => { realm => [ 'The selected realm is invalid.' ] } }, 'the contract body');
ok(!defined $res->header('WWW-Authenticate'), 'no challenge on 422');

$res = with_auth(%auth, nc => nc(), uri => '/api/accounts/other');
is($res->code, 422, 'wrong uri: 422');
is_deeply(json_of($res)->{errors}, { uri => [ 'The selected uri is invalid.' ] }, 'uri error');

$res = with_auth(%auth, nc => nc(), opaque => 'forged');
is_deeply(json_of($res)->{errors}, { opaque => [ 'The selected opaque is invalid.' ] }, 'wrong opaque: 422');
$res = with_auth(%auth, nc => nc(), qop => 'auth-int');
is_deeply(json_of($res)->{errors}, { qop => [ 'The selected qop is invalid.' ] }, 'wrong qop: 422');
$res = call(space_a => GET => $me, headers => { %$from, Authorization => digest_header(%auth, nc => nc(), username => 'someone') });
is_deeply(json_of($res)->{errors}, { username => [ 'The selected username is invalid.' ] },
          'username differing from From: 422');

$res = with_auth(%auth, nc => nc(), algorithm => 'SHA-256');
is($res->code, 401, 'an algorithm the account has no password for: 401');
is($res->content, 'Wrong algorithm', 'Wrong algorithm');

$res = with_auth(%auth, nc => nc(), nonce => 'f' x 64);
is($res->content, 'Nonce invalid', 'unknown nonce: Nonce invalid');
my ($other) = challenges(call(space_a => GET => $me, headers => { From => 'sip:shauser@a.test' }));
$res = with_auth(%auth, nc => nc(), nonce => $other->{nonce});
is($res->content, 'Nonce invalid', "another account's nonce: Nonce invalid");

my %md5 = (space => 'a.test', username => 'md5user', domain => 'a.test');
$res = with_auth(%auth, nonce => mint_nonce(%md5, age_seconds => 61 * 60), nc => '00000001');
is($res->content, 'Nonce invalid', 'a nonce older than AccountsNonceMaxAge: Nonce invalid');
$res = with_auth(%auth, nonce => mint_nonce(%md5, age_seconds => 59 * 60), nc => '00000001');
is($res->code, 200, 'one issued 59 minutes ago is still good (60 minutes by default)');
$res = with_auth(%auth, nonce => mint_nonce(%md5, secret => 'another-secret'), nc => '00000001');
is($res->content, 'Nonce invalid', 'a nonce made with another secret: Nonce invalid');
$res = with_auth(%auth, nonce => mint_nonce(%md5, space => 'b.test'), nc => '00000001');
is($res->content, 'Nonce invalid', "a nonce issued by another Space's vhost: Nonce invalid");
my $good = mint_nonce(%md5);
substr($good, 40, 1) = substr($good, 40, 1) eq '0' ? '1' : '0';
is(with_auth(%auth, nonce => $good, nc => '00000001')->content, 'Nonce invalid', 'a nonce with one MAC digit changed: Nonce invalid');

# ---- anonymous challenges cannot evict a pending nonce (issue 13) -------------------
# Anyone can ask for challenges in a victim's name (From only). They write
# nothing, so a nonce the victim is about to answer survives any number.
my ($pending) = challenges(call(space_a => GET => $me, headers => $from));
my @flood = ('-s', '-H', 'From: sip:md5user@a.test');
push @flood, ('-o', '/dev/null', '-w', '%{http_code}\n', space_url('space_a') . $me) for 1 .. 100;
my ($frc, $fout) = Accounts::Test::_run('curl', @flood);
is(scalar(grep { $_ eq '401' } split /\n/, $fout), 100, '100 anonymous challenges for the account: 401 each');
is(with_auth(%auth, nonce => $pending->{nonce}, opaque => $pending->{opaque}, nc => '00000001')->code, 200,
   'the nonce issued before them still authenticates');

# ---- failed requests write nothing and use up no nc --------------------------------
my ($c5) = challenges(call(space_a => GET => $me, headers => $from));
my $rows = sql_value('SELECT count(*) FROM digest_nonces');
is(with_auth(%auth, nonce => $c5->{nonce}, nc => '00000001', password => 'wrong')->content, 'Unauthorized',
   'a wrong password with a fresh nonce');
is(with_auth(%auth, nonce => $c5->{nonce}, nc => '00000001', realm => 'evil')->code, 422, 'a bad field with it');
is(sql_value('SELECT count(*) FROM digest_nonces'), $rows, 'neither wrote a nonce row');
is(with_auth(%auth, nonce => $c5->{nonce}, nc => '00000001')->code, 200, 'the right answer with that nc then passes');
is(sql_value("SELECT nc FROM digest_nonces WHERE nonce = '$c5->{nonce}'"), 1, 'and records nc 1');

# ---- malformed input --------------------------------------------------------------
$res = call(space_a => GET => $me);
is($res->code, 401, 'no From: 401');
is($res->content, 'From header is required or invalid token', 'body');
ok(!defined $res->header('WWW-Authenticate'), 'no challenge');
for my $bad ('"Bob" <sip:md5user@a.test>', 'sip:md5user', 'md5user@a.test', 'sip:md5 user@a.test') {
    $res = call(space_a => GET => $me, headers => { From => $bad });
    is($res->code . ' ' . $res->content, '401 Invalid SIP address', "From '$bad': Invalid SIP address");
}
$res = call(space_a => GET => $me, headers => { From => 'sip:ghost@a.test' });
is($res->code, 404, 'unknown account: 404');
is_deeply(json_of($res), { message => 'Account not found' }, 'Account not found');
$res = call(space_a => GET => $me, headers => { From => 'sip:md5user@a.test;tag=1234' });
is($res->code, 401, 'URI parameters after ; are dropped');

for my $case ([ 'Digest username="md5user", nonce="abc', 'unbalanced quotes' ],
              [ 'Digest username', 'truncated' ],
              [ 'Basic bWQ1dXNlcjpzZWNyZXQ=', 'not Digest' ],
              [ 'Digest username="x", nonce="' . ('a' x 7000) . '"', 'huge' ]) {
    $res = call(space_a => GET => $me, headers => { %$from, Authorization => $case->[0] });
    is($res->code . ' ' . $res->content, '401 Nonce invalid', "malformed Authorization ($case->[1]): 401 Nonce invalid");
}
$res = call(space_a => GET => $me, headers => { %$from,
    Authorization => digest_header(%auth, nc => nc()) =~ s/,nc=[0-9a-f]+//r });
is($res->code, 422, 'no nc: 422');
is_deeply(json_of($res)->{errors}, { nc => [ 'The nc field is required.' ] }, 'nc required');

# ---- curl as a real client ---------------------------------------------------------
for my $case ([ 'md5user', 'secret-md5', 'MD5' ], [ 'shauser', 'secret-sha', 'SHA-256' ]) {
    my ($user, $pw, $alg) = @$case;
    my ($rc, $out, $err) = Accounts::Test::_run('curl', '-s', '--digest', '-u', "$user:$pw",
        '-H', "From: sip:$user\@a.test", '-w', '\n%{http_code}', space_url('space_a') . $me);
    my ($body, $code) = $out =~ /^(.*)\n(\d+)$/s;
    is($code, 200, "curl --digest with a $alg account: 200");
    like($body // '', qr/"username":"$user"/, 'and the account JSON');
}
