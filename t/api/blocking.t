# The blocking service (api-lifecycle.md 4.3): an account that made
# AccountsBlockingEvents codes (email change, phone change, recovery) in the
# last AccountsBlockingPeriod minutes is blocked by its next code request.
# space_a: the defaults (5 in 30 minutes); space_c: 3 in 30 minutes.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 23;

reset_db();
command_reset('sms');
my $admin_c = create_admin('blockadmin', 'c.test');

my $n = 0;
sub user {
    my ($domain, %o) = @_;
    my $name = 'flooder' . ++$n;
    my $id = make_account($name, $domain);
    sql("INSERT INTO account_creation_tokens (token_hash, domain, used, account_id) VALUES"
        . " (encode(sha256('tok$name'), 'hex'), '$domain', true, $id)") unless $o{unvalidated};
    my $key = (accountsctl('api-key', "$name\@$domain"))[1];
    chomp $key;
    return { id => $id, key => $key };
}
sub U { my ($u, $space, $m, $p, %o) = @_; call($space => $m, "/api$p", %o, headers => { 'x-api-key' => $u->{key} }) }
sub email_request { my ($u, $space, $email) = @_; U($u, $space, POST => '/accounts/me/email/request', json => { email => $email }) }
sub phone_request { my ($u, $space, $phone) = @_; U($u, $space, POST => '/accounts/me/phone/request', json => { phone => $phone }) }
sub answer { my ($res) = @_; [ $res->code, json_of($res) ] }
sub blocked_flag { my ($u) = @_; sql_value("SELECT blocked FROM accounts WHERE id = $u->{id}") }
sub code_count {
    my ($u) = @_;
    sql_value("SELECT (SELECT count(*) FROM email_change_codes WHERE account_id = $u->{id})"
              . " + (SELECT count(*) FROM phone_change_codes WHERE account_id = $u->{id})");
}
my $blocked = [ 403, { message => 'Account blocked' } ];

# ---- space_c: 3 codes, the fourth request blocks --------------------------------------------
my $c = user('c.test');
is_deeply([ email_request($c, space_c => 'one@example.org')->code, phone_request($c, space_c => '+33611111111')->code,
            email_request($c, space_c => 'three@example.org')->code ], [ 200, 200, 200 ],
          'three codes of two kinds: 200 each');
is(blocked_flag($c), 'f', 'not blocked yet');
is_deeply(answer(email_request($c, space_c => 'four@example.org')), $blocked, 'the fourth request: 403 Account blocked');
is(blocked_flag($c), 't', 'the account is blocked');
is(code_count($c), 3, 'no fourth code');
is_deeply(answer(U($c, space_c => GET => '/accounts/me')), $blocked, 'every User route now answers 403 Account blocked');
my $log = do { local (@ARGV, $/) = (Apache::Test::vars('serverroot') . '/logs/error_log'); <> };
like($log, qr/account $c->{id} blocked: 3 codes or more in 30 minutes/, 'the blocking is logged');

# An admin unblocks: the codes of the period still count.
is(call(space_c => POST => "/api/accounts/$c->{id}/unblock", headers => { 'x-api-key' => $admin_c })->code, 200, 'admin unblock');
is(U($c, space_c => GET => '/accounts/me')->code, 200, 'the account works again');
is_deeply(answer(phone_request($c, space_c => '+33622222222')), $blocked, 'the next code request within the period blocks it again');
call(space_c => POST => "/api/accounts/$c->{id}/unblock", headers => { 'x-api-key' => $admin_c });
sql("UPDATE email_change_codes SET created_at = now() - interval '31 minutes' WHERE account_id = $c->{id}");
is(phone_request($c, space_c => '+33622222222')->code, 200, 'codes older than AccountsBlockingPeriod do not count');
is(blocked_flag($c), 'f', 'not blocked');

# ---- what counts, and the order of the checks -------------------------------------------------
my $r = user('c.test');
email_request($r, space_c => 'r1@example.org');
phone_request($r, space_c => '+33633333333');
sql("INSERT INTO account_recovery_codes (account_id, email, code, handle_hash) VALUES"
    . " ($r->{id}, 'r\@example.org', '1234', encode(sha256('handle$r->{id}'), 'hex'))");
is_deeply(answer(email_request($r, space_c => 'r2@example.org')), $blocked, 'recovery codes count too');

my $v = user('c.test');
sql("INSERT INTO email_change_codes (account_id, email, code) SELECT $v->{id}, 'v\@example.org', '1111' FROM generate_series(1, 3)");
is_deeply(answer(email_request($v, space_c => 'not an address')), $blocked, 'blocking comes before validation (403, not 422)');

my $un = user('c.test', unvalidated => 1);
sql("INSERT INTO phone_change_codes (account_id, phone, code) SELECT $un->{id}, '+33644444444', '1111' FROM generate_series(1, 3)");
is_deeply(answer(phone_request($un, space_c => '+33655555555')), $blocked, 'and before the consumed-token check');

my $f = user('c.test');
command_behave('sms', exit => 1);
is_deeply([ map { phone_request($f, space_c => '+33666666666')->code } 1 .. 4 ], [ 503, 503, 503, 503 ],
          'codes that could not be sent are not kept...');
command_behave('sms');
is(blocked_flag($f), 'f', '...and do not count');

my $ok = user('c.test');
email_request($ok, space_c => 'ok1@example.org');
is(U($ok, space_c => POST => '/accounts/me/email', json => { code => sql_value("SELECT code FROM email_change_codes WHERE account_id = $ok->{id}") })->code,
   200, 'confirming a code is no new event');
email_request($ok, space_c => 'ok2@example.org');
email_request($ok, space_c => 'ok3@example.org');
is_deeply(answer(U($ok, space_c => POST => '/accounts/me/email', json => { code => '0000' })), [ 422, {
          message => 'The code should be valid', errors => { code => [ 'The code should be valid' ] } } ],
          'confirmations are never blocked (only code requests count)');

# ---- space_a: the defaults, 5 in 30 minutes ----------------------------------------------------
my $a5 = user('a.test');
is_deeply([ map { email_request($a5, space_a => "five$_\@example.org")->code } 1 .. 5 ], [ (200) x 5 ],
          'defaults: five requests');
is_deeply(answer(email_request($a5, space_a => 'six@example.org')), $blocked, 'the sixth within 30 minutes blocks');
is(code_count($a5), 5, 'five codes');

# AccountsBlockingEvents applies to the account's own Space: a c.test
# account calling space_a's vhost still counts against 3.
my $cross = user('c.test');
email_request($cross, space_a => "cross$_\@example.org") for 1 .. 3;
is_deeply(answer(email_request($cross, space_a => 'cross4@example.org')), $blocked,
          "the account's Space's limit, whatever the vhost");
