# Invariants under concurrent requests from several httpd processes
# (api.md 8): one-shot creation tokens, max_accounts, unique usernames,
# single-use auth tokens, digest nc.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Time::HiRes qw(time sleep);

plan tests => 17;

reset_db();
my $create = '/api/accounts/with-account-creation-token';

sub count_of { my ($code, @codes) = @_; scalar grep { $_ eq $code } @codes }
sub tokens { my ($space, $n) = @_; my (undef, $out) = accountsctl('creation-token', '--space', $space, '--count', $n); split /\n/, $out }

# ---- one creation token, 40 requests --------------------------------------------
my ($token) = tokens('a.test', 1);
my @codes = concurrently(40, sub { my ($i) = @_;
    (space_a => POST => $create, json => { username => "racer$i" . 'xx', password => 'secret123',
                                           algorithm => 'MD5', account_creation_token => $token }) });
is(count_of('200', @codes), 1, 'one token, 40 requests: exactly one 200');
is(count_of('422', @codes), 39, 'the 39 others: 422');
is(sql_value("SELECT count(*) FROM accounts WHERE username LIKE 'racer%'"), 1, 'exactly one account row');

# ---- max_accounts 5, 40 creations ------------------------------------------------
my @t = tokens('c.test', 40);
@codes = concurrently(40, sub { my ($i) = @_;
    (space_c => POST => $create, json => { username => "crowd$i" . 'xx', password => 'secret123',
                                           algorithm => 'MD5', account_creation_token => $t[$i - 1] }) });
is(count_of('200', @codes), 5, 'AccountsMaxAccounts 5, 40 creations: exactly 5 succeed');
is(count_of('403', @codes), 35, 'the others: 403');
is(sql_value("SELECT count(*) FROM accounts WHERE domain = 'c.test'"), 5, 'exactly 5 accounts in the Space');
is(sql_value("SELECT accounts_space_count('c.test')"), 5, 'and the counter agrees');
is(sql_value("SELECT count(*) FROM account_creation_tokens WHERE domain = 'c.test' AND used"), 5,
   'refused creations leave their tokens unused');

# ---- one username, 20 tokens ---------------------------------------------------------
@t = tokens('a.test', 20);
@codes = concurrently(20, sub { my ($i) = @_;
    (space_a => POST => $create, json => { username => 'samename', password => 'secret123',
                                           algorithm => 'MD5', account_creation_token => $t[$i - 1] }) });
is(count_of('200', @codes), 1, 'one username, 20 creations: one 200');
is(count_of('422', @codes), 19, 'the others 422 (username taken), never 500');

# ---- one auth token, 20 exchanges ------------------------------------------------------
make_account('holder', 'a.test');
my $key = (accountsctl('api-key', 'holder@a.test'))[1];
chomp $key;
my $auth = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
call(space_a => GET => "/api/accounts/auth_token/$auth/attach", headers => { 'x-api-key' => $key });
@codes = concurrently(20, sub { (space_a => GET => "/api/accounts/me/api_key/$auth") });
is(count_of('200', @codes), 1, 'one auth token, 20 exchanges: one key');
is(count_of('404', @codes), 19, 'the others 404');

# ---- one nonce and nc, 10 requests ------------------------------------------------------
make_account('noncer', 'a.test', realm => 'global.realm.test', passwords => { MD5 => 'nonce-pass' });
my ($c) = challenges(call(space_a => GET => '/api/accounts/me', headers => { From => 'sip:noncer@a.test' }));
my $header = digest_header(username => 'noncer', realm => $c->{realm}, nonce => $c->{nonce}, opaque => $c->{opaque},
                           method => 'GET', uri => '/api/accounts/me', password => 'nonce-pass', nc => '00000001');
@codes = concurrently(10, sub { (space_a => GET => '/api/accounts/me',
                         headers => { From => 'sip:noncer@a.test', Authorization => $header }) });
is(count_of('200', @codes), 1, 'the same nonce and nc 10 times at once: one 200');
is(count_of('401', @codes), 9, 'the others 401');

# ---- one account, a storm of challenges ------------------------------------------------
# 2,000 challenges for one account, 32 at a time (curl --parallel: a Perl
# client per request is too slow to collide). Nonces are stateless: none of
# them writes (they used to insert and prune rows, and concurrent prunes
# once deadlocked, found by bench/soak: a 503 instead of the 401).
my $url = space_url('space_a') . '/api/accounts/me';
my $rows_before = sql_value('SELECT count(*) FROM digest_nonces');
my @args = ('-s', '--parallel', '--parallel-max', '32', '-H', 'From: sip:noncer@a.test');
push @args, ('-o', '/dev/null', '-w', '%{http_code}\n', $url) for 1 .. 2000;
open(my $curl, '-|', 'curl', @args) or die "curl: $!";
@codes = map { chomp; $_ } <$curl>;
close $curl;
is(scalar(@codes), 2000, '2,000 challenges answered');
is(count_of('401', @codes), 2000, 'every one a 401 challenge')
    or diag('other answers: ' . join(' ', grep { $_ ne '401' } @codes));
is(sql_value('SELECT count(*) FROM digest_nonces'), $rows_before, 'and none of them wrote a nonce row');
