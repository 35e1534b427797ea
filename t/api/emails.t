# Admin emails through a real sendmail pipe (a capturing stand-in), and the
# reset-password page they link to (api.md 5.20, 5.21, 6.5, 6.6).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Apache::Test ();

plan tests => 50;

reset_db();
my $maildir = Apache::Test::vars('serverroot') . '/mail';
system('rm', '-rf', $maildir);
my $admin = create_admin('admina', 'a.test');
my $id = make_account('mailme', 'a.test', realm => 'global.realm.test', passwords => { 'SHA-256' => 'old-pass-1' });
sql("UPDATE accounts SET email = 'mailme\@example.org' WHERE id = $id");
my $noemail = make_account('silent', 'a.test');
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin, %{ $o{headers} || {} } }) }

# The newest captured message: (headers hash, body).
sub last_mail {
    opendir(my $d, $maildir) or return;
    my ($f) = reverse sort grep { /\.eml$/ } readdir $d;
    return unless $f;
    open my $fh, '<', "$maildir/$f" or die $!;
    local $/;
    my $text = <$fh>;
    my ($head, $body) = split /\n\n/, $text, 2;
    my %h = map { /^([^:]+):\s*(.*)$/ ? ($1 => $2) : () } split /\n/, $head;
    return (\%h, $body);
}
sub mail_count { opendir(my $d, $maildir) or return 0; scalar grep { /\.eml$/ } readdir $d }

# ---- provisioning email ------------------------------------------------------------
my $res = A(POST => "/accounts/$id/send_provisioning_email");
is($res->code, 200, 'provisioning email: 200');
is($res->content, '', 'empty body');
my ($h, $body) = last_mail();
is($h->{From}, '"Accounts Robot" <no-reply@a.test>', 'From: the configured name and the default address');
is($h->{To}, 'mailme@example.org', 'To: the account email');
is($h->{Subject}, 'Welcome to Space A: Start using your account today', 'Subject');
like($h->{Date} // '', qr/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/, 'Date');
like($h->{'Message-ID'} // '', qr/^<[0-9a-f]+\@a\.test>$/, 'Message-ID');
is($h->{'MIME-Version'}, '1.0', 'MIME-Version');
is($h->{'Content-Type'}, 'text/plain; charset=UTF-8', 'Content-Type');
like($body, qr/^Hello mailme\@a\.test,/, 'greets the SIP identity');
my $token = json_of(A(GET => "/accounts/$id"))->{provisioning_token};
like($body, qr{^https://a\.test/api/provisioning/\Q$token\E$}m, 'the provisioning URL of the current token, on its own line');
$res = call(space_a => GET => "/api/provisioning/$token", headers => { 'x-linphone-provisioning' => 1 });
is($res->code, 200, 'the link works');

$res = A(POST => "/accounts/$noemail/send_provisioning_email");
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'No email configured' } ], 'no email: 403');
$res = A(POST => '/accounts/999999/send_provisioning_email');
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ], 'unknown id: 404');

# ---- reset-password email and page ---------------------------------------------------
my $before = mail_count();
$res = A(POST => "/accounts/$id/send_reset_password_email");
is($res->code, 200, 'reset email: 200');
is(mail_count(), $before + 1, 'one message');
($h, $body) = last_mail();
is($h->{Subject}, 'Space A: Reset your password', 'Subject');
like($body, qr/password reset was requested for your account on Space A/, 'says what happened');
like($body, qr/expires in 24 hours/, 'the expiry in hours (AccountsResetPasswordExpiry 1440)');
my ($path) = $body =~ m{^https://a\.test(/api/password/reset/[A-Za-z0-9]{16})$}m;
ok($path, 'the reset link on its own line');
my ($rtoken) = $path =~ m{/([A-Za-z0-9]{16})$};
is(sql_value("SELECT count(*) FROM reset_password_tokens WHERE token_hash = encode(sha256('$rtoken'), 'hex') AND NOT used"), 1,
   'the token is stored hashed');

$res = call(space_a => GET => $path);
is($res->code, 200, 'the page: 200');
is($res->header('Content-Type'), 'text/html; charset=UTF-8', 'HTML');
is($res->header('Cache-Control'), 'no-store', 'not cached');
like($res->header('Content-Security-Policy') // '', qr/default-src 'none'/, 'a restrictive CSP');
like($res->content, qr/<form method="POST">/, 'a form posting to the same URL');
like($res->content, qr/<input type="hidden" name="token" value="\Q$rtoken\E">/, 'the hidden token');
like($res->content, qr/name="password".*name="password_confirmation"/s, 'two password fields');
unlike($res->content, qr/<script|<link|src=/i, 'no script, no external asset');

sub submit { my ($fields) = @_; call(space_a => POST => $path, body => $fields,
                                     headers => { 'Content-Type' => 'application/x-www-form-urlencoded' }) }
$res = submit("token=$rtoken&password=short&password_confirmation=short");
is($res->code, 422, 'too short: 422');
like($res->content, qr/The password must be at least 8 characters\./, 'the message');
$res = submit("token=$rtoken&password=new-pass-123&password_confirmation=other-pass-123");
like($res->content, qr/The password confirmation does not match\./, 'confirmation mismatch');
like($res->content, qr/<form/, 'the form again');
$res = submit("token=$rtoken&password=new-pass-123&password_confirmation=new-pass-123");
is($res->code, 200, 'valid: 200');
like($res->content, qr/Your password was updated properly\./, 'success page');
my ($login) = digest_call(space_a => GET => '/api/accounts/me', username => 'mailme', domain => 'a.test',
                          password => 'new-pass-123', algorithm => 'SHA-256');
is($login->code, 200, 'digest login with the new password');
($login) = digest_call(space_a => GET => '/api/accounts/me', username => 'mailme', domain => 'a.test',
                       password => 'old-pass-1', algorithm => 'SHA-256');
is($login->code, 401, 'the old one fails');
is(submit("token=$rtoken&password=again-pass-1&password_confirmation=again-pass-1")->code, 403, 'single use: 403');
like(call(space_a => GET => $path)->content, qr/This link is not available anymore\./, 'the page says so');
is(call(space_a => GET => '/api/password/reset/AAAAAAAAAAAAAAAA')->code, 404, 'unknown token: 404');
my $unknown = '/api/password/reset/BBBBBBBBBBBBBBBB';
sub post_to { my ($p, $f) = @_; call(space_a => POST => $p, body => $f, headers => { 'Content-Type' => 'application/x-www-form-urlencoded' }) }
is(post_to($unknown, 'password=valid-pass-1&password_confirmation=valid-pass-1')->code, 404, 'POST to an unknown token: 404');
is(post_to($unknown, 'password=short&password_confirmation=short')->code, 422, 'validation comes before the token lookup: 422');
like(post_to($unknown, 'password=' . ('+' x 10) . '&password_confirmation=' . ('+' x 10))->content,
     qr/The password field is required\./, 'a password of spaces only is missing');

# Earlier links stop working; expired links too.
A(POST => "/accounts/$id/send_reset_password_email");
my (undef, $b1) = last_mail();
my ($p1) = $b1 =~ m{^https://a\.test(/api/password/reset/\w+)$}m;
A(POST => "/accounts/$id/send_reset_password_email");
like(call(space_a => GET => $p1)->content, qr/not available anymore/, 'a newer email invalidates the earlier link');
my (undef, $b2) = last_mail();
my ($p2) = $b2 =~ m{^https://a\.test(/api/password/reset/(\w+))$}m;
my $t2 = (split m{/}, $p2)[-1];
sql("UPDATE reset_password_tokens SET created_at = now() - interval '1441 minutes' WHERE token_hash = encode(sha256('$t2'), 'hex')");
like(call(space_a => GET => $p2)->content, qr/not available anymore/, 'expired: not available');
is(call(space_a => POST => $p2, body => 'password=expired-pass-1&password_confirmation=expired-pass-1',
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded' })->code, 403, 'expired: 403');

# ---- mail command failures -------------------------------------------------------------
my $bid = make_account('bmail1', 'b.test', realm => 'realm-b.test');
sql("UPDATE accounts SET email = 'b\@example.org' WHERE id = $bid");
my $super = create_admin('root', 'super.test');
my $tok_before = sql_value("SELECT count(*) FROM provisioning_tokens WHERE account_id = $bid");
$res = call(space_b => POST => "/sip/v1/accounts/$bid/send_provisioning_email", headers => { 'x-api-key' => $super });
is_deeply([ $res->code, json_of($res) ], [ 503, { message => 'Service unavailable' } ], 'mail command exits 1: 503');
is(sql_value("SELECT count(*) FROM provisioning_tokens WHERE account_id = $bid"), $tok_before + 1, 'the new token stays minted');
my $sid = make_account('smail1', 'super.test');
sql("UPDATE accounts SET email = 's\@example.org' WHERE id = $sid");
$res = call(space_super => POST => "/api/accounts/$sid/send_reset_password_email", headers => { 'x-api-key' => $super });
is($res->code, 503, 'missing mail command: 503');
open my $log, '<', Apache::Test::vars('serverroot') . '/logs/error_log' or die $!;
my @lines = grep { /email to account \d+ not sent/ } <$log>;
ok(scalar(@lines) >= 2, 'each failure is an error log line');
