# Account recovery pages (api-lifecycle.md 6, 1.2, 1.3, 11): a code by
# email (t/bin/capture-mail) or by SMS (t/bin/fake-command) after a
# push-delivered recovery token, then the confirmation that leads to the
# reset-password page. space_a: defaults (AccountsRecoveryCodeExpiry 10,
# AccountsRecoveryTokenExpiry 60, AccountsBlockingEvents 5); space_b: mail
# and SMS fail (/bin/false); space_c: AccountsBlockingEvents 3; space_r:
# AccountsEmailUnique Off, recovery tokens and codes that never expire.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use URI;

reset_db();
command_reset('sms');
my $maildir = Apache::Test::vars('serverroot') . '/mail';
system('rm', '-rf', $maildir);

my %base = (space_a => '/api', space_b => '/sip/v1', space_c => '/api', space_r => '/api');
my $FORM = { 'Content-Type' => 'application/x-www-form-urlencoded' };

sub form_body { my $u = URI->new('http:'); $u->query_form(@_); return $u->query // '' }
sub post_form {
    my ($space, $path, @fields) = @_;
    call($space => POST => "$base{$space}$path", headers => { %$FORM, 'User-Agent' => 'RecoveryTest/1.0' },
         body => form_body(@fields));
}
sub send_code { my ($space, @f) = @_; post_form($space, '/recovery', @f) }
sub confirm { my ($space, @f) = @_; post_form($space, '/recovery/confirm', @f) }
sub handle_of {
    my ($res) = @_;
    my ($h) = $res->content =~ /<input type="hidden" name="recovery" value="([^"]*)">/;
    remember_secret($h);
    return $h;
}
my $n = 0;
sub account {
    my ($domain, %o) = @_;
    my $name = $o{username} // 'recov' . ++$n;
    my $id = make_account($name, $domain, blocked => $o{blocked});
    sql("UPDATE accounts SET email = '$o{email}' WHERE id = $id") if $o{email};
    sql("UPDATE accounts SET phone = '$o{phone}' WHERE id = $id") if $o{phone};
    return $id;
}
my $t = 0;
sub token {
    my ($domain, %o) = @_;
    my $value = sprintf('RecTok%07d', ++$t);
    remember_secret($value);
    sql("INSERT INTO account_recovery_tokens (token_hash, domain, used, created_at) VALUES"
        . " (encode(sha256('$value'), 'hex'), '$domain', " . ($o{used} ? 'true' : 'false') . ', now() - interval \''
        . ($o{age} // 0) . " minutes')");
    return $value;
}
sub token_row { my ($v) = @_; sql_value("SELECT (CASE WHEN used THEN 't' ELSE 'f' END) || ' ' || coalesce(account_id::text, 'null') FROM account_recovery_tokens WHERE token_hash = encode(sha256('$v'), 'hex')") }
sub codes_of { my ($id) = @_; sql_value("SELECT count(*) FROM account_recovery_codes WHERE account_id = $id") }
sub code_of { my ($id) = @_; sql_value("SELECT code FROM account_recovery_codes WHERE account_id = $id ORDER BY id DESC LIMIT 1") }
sub attempts_of { my ($id) = @_; sql_value("SELECT attempts FROM account_recovery_codes WHERE account_id = $id ORDER BY id DESC LIMIT 1") }
sub all_codes { sql_value('SELECT count(*) FROM account_recovery_codes') }
sub mails { opendir(my $d, $maildir) or return (); my @m = sort grep { /\.eml$/ } readdir $d; return @m }
sub mail_count { my @m = mails(); return scalar @m }
sub last_mail {
    my ($f) = (reverse mails());
    return unless $f;
    open my $fh, '<', "$maildir/$f" or die $!;
    local $/;
    my ($head, $body) = split /\n\n/, <$fh>, 2;
    my %h = map { /^([^:]+):\s*(.*)$/ ? ($1 => $2) : () } split /\n/, $head;
    return (\%h, $body);
}
sub page_ok {
    my ($res, $status, $name) = @_;
    is($res->code, $status, "$name: $status");
    is($res->header('Content-Type'), 'text/html; charset=UTF-8', "$name: an HTML page");
    is($res->header('Cache-Control'), 'no-store', "$name: not cached");
    is($res->header('X-Frame-Options'), 'DENY', "$name: not framed");
    like($res->header('Content-Security-Policy') // '', qr/default-src 'none'/, "$name: restrictive CSP");
    unlike($res->content, qr/<script|src="http/i, "$name: no script, no external asset");
}

# ---- 6.2: the email form -----------------------------------------------------------------
my $res = call(space_a => GET => '/api/recovery/email');
page_ok($res, 200, 'GET /recovery/email');
like($res->content, qr{<form method="POST" action="/api/recovery">}, 'a form posting to {base}/recovery');
like($res->content, qr/name="email"/, 'an email input');
like($res->content, qr/name="username"/, 'a username input');
is(call(space_b => GET => '/sip/v1/recovery/email')->content =~ m{action="/sip/v1/recovery"} ? 1 : 0, 1,
   "another Space's base path in its form");

# ---- 6.1: the phone page ---------------------------------------------------------------
my $live = token('a.test');
$res = call(space_a => GET => "/api/recovery/phone/$live");
page_ok($res, 200, 'a live token');
like($res->content, qr{<form method="POST" action="/api/recovery">}, 'its form posts to {base}/recovery');
like($res->content, qr{<input type="hidden" name="account_recovery_token" value="$live">}, 'the token as a hidden input');
like($res->content, qr{name="phone"[^>]*value=""}, 'an empty phone input without a query');
like(call(space_a => GET => "/api/recovery/phone/$live?phone=%2B33612345678")->content,
     qr{name="phone"[^>]*value="\+33612345678"}, '?phone= pre-fills the input');
like(call(space_a => GET => "/api/recovery/phone/$live?phone=+33612345678")->content,
     qr{name="phone"[^>]*value="\+33612345678"}, 'a literal + stays a +');
$res = call(space_a => GET => "/api/recovery/phone/$live?phone=%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
unlike($res->content, qr/<script/, 'the query value is HTML-escaped');
like($res->content, qr/&quot;&gt;&lt;script&gt;/, '(as entities)');
is(token_row($live), 'f null', 'showing the page uses nothing');
page_ok(call(space_a => GET => '/api/recovery/phone/ZZZZZZZZZZZZZ'), 404, 'an unknown token');
is(call(space_a => GET => '/api/recovery/phone/' . token('a.test', used => 1))->code, 404, 'a used token: 404');
is(call(space_a => GET => '/api/recovery/phone/' . token('c.test'))->code, 404, "another Space's token: 404");
$res = call(space_a => GET => '/api/recovery/phone/' . token('a.test', age => 61));
page_ok($res, 410, 'a token older than AccountsRecoveryTokenExpiry');
is(call(space_a => GET => '/api/recovery/phone/' . token('a.test', age => 59))->code, 200, 'a younger one: 200');

# ---- 6.3 step 1: validation -----------------------------------------------------------
$res = send_code('space_a');
page_ok($res, 422, 'no field');
like($res->content, qr/The email field is required when phone is not present\./, 'email: required_without');
like($res->content, qr/The phone field is required when email is not present\./, 'phone: required_without');
like(send_code(space_a => email => 'blabla')->content, qr/The email must be a valid email address\./, 'an invalid email');
$res = send_code(space_a => phone => '0612345678', account_recovery_token => $live);
is($res->code, 422, 'a phone without +: 422');
like($res->content, qr/The phone must start with one of the following: \+/, 'starts_with');
$res = send_code(space_a => phone => '+33612345678');
like($res->content, qr/The account recovery token field is required when phone is present\./, 'phone without token: required_with');
like($res->content, qr/name="phone"[^>]*value="\+33612345678"/, 'the phone form again, pre-filled');
$res = send_code(space_a => email => 'x"><b>@example.org');
unlike($res->content, qr/"><b>/, 'submitted values are escaped in the form again');
is(all_codes(), 0, 'nothing written');
is(token_row($live), 'f null', 'the token untouched');
is(mail_count(), 0, 'no mail');
is(scalar(command_calls('sms')), 0, 'no SMS');

# ---- 6.3 email branch ------------------------------------------------------------------
my $alice = account('a.test', email => 'Alice.Rec@Example.org');
my $blocked = account('a.test', email => 'blocked.rec@example.org', blocked => 1);
account('c.test', email => 'carol.rec@example.org');
my $unknown = send_code(space_a => email => 'nobody@example.org');
page_ok($unknown, 200, 'an unknown email');
like($unknown->content, qr/A recovery code was sent if the account exists/, 'the neutral text');
like($unknown->content, qr{action="/api/recovery"}, 'and the form again');
(my $neutral = $unknown->content) =~ s/nobody\@example\.org//;
(my $bl = send_code(space_a => email => 'blocked.rec@example.org')->content) =~ s/blocked\.rec\@example\.org//;
is($bl, $neutral, 'a blocked account gets exactly the page of an unknown address');
(my $c = send_code(space_a => email => 'carol.rec@example.org')->content) =~ s/carol\.rec\@example\.org//;
is($c, $neutral, "another Space's account: the page of an unknown address");
is(all_codes(), 0, 'no code made');
is(mail_count(), 0, 'no mail sent');
is(sql_value("SELECT blocked FROM accounts WHERE id = $blocked"), 't', 'the blocked account stays blocked');

$res = send_code(space_a => email => 'alice.rec@example.ORG');
page_ok($res, 200, 'a matching email (other case)');
like($res->content, qr{<form method="POST" action="/api/recovery/confirm">}, 'the confirm form');
like($res->content, qr/3 attempts left/, '3 attempts left');
like($res->content, qr/name="code"/, 'a code input');
my $h1 = handle_of($res);
like($h1 // '', qr/^[A-Za-z0-9]{32}$/, 'a 32-alphanumeric handle');
my $code = code_of($alice);
like($code, qr/^[1-9][0-9]{3}$/, 'a 4-digit code');
unlike($res->content, qr/\b$code\b/, 'the page does not show the code');
is(sql_value("SELECT coalesce(email, 'null') || ' ' || coalesce(phone, 'null') || ' ' || attempts || ' ' || consumed || ' ' || ip || ' ' || user_agent"
             . " FROM account_recovery_codes WHERE account_id = $alice"),
   'Alice.Rec@Example.org null 0 false 127.0.0.1 RecoveryTest/1.0', 'the code row: the account\'s email, ip, user agent');
is(sql_value("SELECT count(*) FROM account_recovery_codes WHERE handle_hash = encode(sha256('$h1'), 'hex')"), 1,
   'the handle is stored as its SHA-256');
is(sql_value("SELECT count(*) FROM provisioning_tokens WHERE account_id = $alice AND NOT used"), 1, 'a new provisioning token');
is(mail_count(), 1, 'one mail');
my ($head, $body) = last_mail();
is($head->{To}, 'Alice.Rec@Example.org', "to the account's address");
is($head->{Subject}, 'Space A: Your account recovery code', 'subject');
like($body, qr/^$code\r?$/m, 'the code alone on its line');
like($body, qr/This code is valid for 10 minutes\./, 'its lifetime');
like($body, qr/Space A/, 'the Space name');

$res = send_code(space_a => email => 'alice.rec@example.org');
page_ok($res, 429, 'a second request within the hour');
like($res->content, qr/Account recovered recently, try again later/, 'its text');
is(codes_of($alice), 1, 'no second code');
is(mail_count(), 1, 'no second mail');

# ---- 6.4 ------------------------------------------------------------------------------
$res = confirm(space_a => recovery => $h1);
page_ok($res, 422, 'no code');
like($res->content, qr/The code field is required\./, 'required');
like(confirm(space_a => recovery => $h1, code => '12a4')->content, qr/The code must be 4 digits\./, 'digits:4');
is(confirm(space_a => recovery => $h1, code => '12345')->code, 422, 'five digits: 422');
is(attempts_of($alice), 0, 'validation failures count no attempt');
page_ok(confirm(space_a => recovery => 'x' x 32, code => '1234'), 404, 'an unknown handle');
is(confirm(space_a => code => '1234')->code, 404, 'no handle: 404');
is(confirm(space_c => recovery => $h1, code => $code)->code, 404, "another Space's vhost: 404");
my $wrong = $code eq '9999' ? '1000' : $code + 1;
for my $left (2, 1, 0) {
    $res = confirm(space_a => recovery => $h1, code => $wrong);
    page_ok($res, 200, "wrong value ($left left)");
    like($res->content, qr/\b$left attempts left/, "$left attempts left");
    like($res->content, qr/name="recovery" value="$h1"/, 'the same handle');
}
is(attempts_of($alice), 3, 'three attempts counted');
$res = confirm(space_a => recovery => $h1, code => $code);
page_ok($res, 410, 'exhausted: the right value too');
like($res->content, qr/The code has expired/, 'its text');
is(sql_value("SELECT count(*) FROM reset_password_tokens WHERE account_id = $alice"), 0, 'no reset token');

# Success (expired codes do not count for "recently": consumed or old).
sql("UPDATE account_recovery_codes SET created_at = now() - interval '61 minutes' WHERE account_id = $alice");
$res = send_code(space_a => email => 'alice.rec@example.org');
is($res->code, 200, 'an hour later: a new code');
my $h2 = handle_of($res);
$code = code_of($alice);
is(confirm(space_a => recovery => $h1, code => code_of($alice))->code, 410, 'the old handle: 410 (not the pending code)');
$res = confirm(space_a => recovery => $h2, code => $code);
is($res->code, 303, 'the right value: 303');
my $location = $res->header('Location') // '';
like($location, qr{^https://a\.test/api/password/reset/[A-Za-z0-9]{16}$}, 'Location: the reset-password page');
my ($reset) = $location =~ m{/([A-Za-z0-9]{16})$};
remember_secret($reset);
like($res->content, qr/\Q$location\E/, 'a link to it in the body');
is(sql_value("SELECT consumed FROM account_recovery_codes WHERE account_id = $alice ORDER BY id DESC LIMIT 1"), 't', 'consumed');
is(sql_value("SELECT email || ' ' || used FROM reset_password_tokens WHERE account_id = $alice AND token_hash = encode(sha256('$reset'), 'hex')"),
   'Alice.Rec@Example.org false', "a reset token with the account's email");
is(confirm(space_a => recovery => $h2, code => $code)->code, 410, 'a second confirmation: 410');
$res = call(space_a => GET => "/api/password/reset/$reset");
is($res->code, 200, 'the reset page opens');
like($res->content, qr/name="password_confirmation"/, 'with its form');
$res = call(space_a => POST => "/api/password/reset/$reset", headers => $FORM,
            body => 'password=recovered-pass-1&password_confirmation=recovered-pass-1');
like($res->content, qr/Your password was updated properly\./, 'the password is changed');
is(sql_value("SELECT activated || ' ' || blocked FROM accounts WHERE id = $alice"), 'true false',
   'activated and blocked unchanged');

# FlexiAPI's four one-digit fields; expiry.
my $bob = account('a.test', email => 'bob.rec@example.org');
$h1 = handle_of(send_code(space_a => email => 'bob.rec@example.org'));
my @d = split //, code_of($bob);
is(confirm(space_a => recovery => $h1, map { ("number_" . ($_ + 1) => $d[$_]) } 0 .. 3)->code, 303,
   'number_1 .. number_4 are read as the code');
my $dave = account('a.test', email => 'dave.rec@example.org');
$h1 = handle_of(send_code(space_a => email => 'dave.rec@example.org'));
sql("UPDATE account_recovery_codes SET created_at = now() - interval '11 minutes' WHERE account_id = $dave");
is(confirm(space_a => recovery => $h1, code => code_of($dave))->code, 410, 'older than AccountsRecoveryCodeExpiry: 410');
is(attempts_of($dave), 0, '(no attempt counted)');

# Only the pending (newest unconsumed) code can be accepted.
my $sam = account('a.test', email => 'sam.rec@example.org');
$h1 = handle_of(send_code(space_a => email => 'sam.rec@example.org'));
$code = code_of($sam);
sql("INSERT INTO account_recovery_codes (account_id, email, code, handle_hash) VALUES ($sam, 'sam.rec\@example.org', '1000', repeat('0', 64))");
is(confirm(space_a => recovery => $h1, code => $code)->code, 410, 'a newer code exists: the older one is not accepted');
is(sql_value("SELECT count(*) FROM account_recovery_codes WHERE account_id = $sam AND consumed"), 0, '(nothing consumed)');

# A blocked account's code gets nothing.
my $erin = account('a.test', email => 'erin.rec@example.org');
$h1 = handle_of(send_code(space_a => email => 'erin.rec@example.org'));
sql("UPDATE accounts SET blocked = true WHERE id = $erin");
is(confirm(space_a => recovery => $h1, code => code_of($erin))->code, 404, 'the account blocked since: 404');
is(sql_value("SELECT consumed FROM account_recovery_codes WHERE account_id = $erin"), 'f', 'the code untouched');

# Mail failure (space_b's sendmail is /bin/false).
my $fred = account('b.test', email => 'fred.rec@example.org');
$res = send_code(space_b => email => 'fred.rec@example.org');
page_ok($res, 503, 'mail failure');
is(codes_of($fred), 0, 'the code is not kept');
is(sql_value("SELECT count(*) FROM provisioning_tokens WHERE account_id = $fred"), 0, 'no provisioning token');
is(send_code(space_b => email => 'fred.rec@example.org')->code, 503, 'and a retry is not "recently"');

# The blocking service (space_c: 3 codes).
my $gina = account('c.test', email => 'gina.rec@example.org');
sql("INSERT INTO email_change_codes (account_id, email, code) SELECT $gina, 'x\@example.org', '1234' FROM generate_series(1, 3)");
$res = send_code(space_c => email => 'gina.rec@example.org');
page_ok($res, 403, 'the blocking service');
is(sql_value("SELECT blocked FROM accounts WHERE id = $gina"), 't', 'the account is blocked');
is(codes_of($gina), 0, 'no recovery code');
my $mails = mail_count();
is(send_code(space_c => email => 'gina.rec@example.org')->code, 200, 'then: the page of an unknown address');
is(mail_count(), $mails, 'no mail');

# ---- 6.3 phone branch -----------------------------------------------------------------
command_reset('sms');
my $hank = account('a.test', phone => '+33611112222');
my $tok = token('a.test');
$res = send_code(space_a => phone => '+33611112222', account_recovery_token => $tok);
page_ok($res, 200, 'by phone');
like($res->content, qr/3 attempts left/, 'the confirm form');
$code = code_of($hank);
my @calls = command_calls('sms');
is_deeply(\@calls, [ { argv => [ '+33611112222' ],
                       stdin => "Your Space A validation code is $code. The code is available for 10 minutes" } ],
          'one SMS to the number, with the code');
is(token_row($tok), "t $hank", 'the token is used and linked');
is(sql_value("SELECT coalesce(email, 'null') || ' ' || phone FROM account_recovery_codes WHERE account_id = $hank"),
   'null +33611112222', 'a phone code');
$res = send_code(space_a => phone => '+33611112222', account_recovery_token => $tok);
page_ok($res, 403, 'the same token again');
like($res->content, qr/Wrong Account Recovery Token/, 'its text');
is(scalar(command_calls('sms')), 1, 'no second SMS');
$tok = token('a.test');
is(send_code(space_a => phone => '+33611112222', account_recovery_token => $tok)->code, 429,
   'a fresh token, but a recent code: 429');
is(token_row($tok), "t $hank", 'that token is used up too (and linked)');
is(scalar(command_calls('sms')), 1, 'no SMS');

# Found by username: the SMS goes to the account's phone.
my $ivan = account('a.test', username => '+33655556666', phone => '+33 6 55 55 66 67');
$tok = token('a.test');
is(send_code(space_a => phone => '+33655556666', account_recovery_token => $tok)->code, 200, 'found by username');
is_deeply((command_calls('sms'))[-1]{argv}, [ '+33655556667' ], "the SMS goes to the account's phone, reduced");
my $jack = account('a.test', username => '+33677778888');
account('a.test', phone => '+33677778888');
$tok = token('a.test');
$res = send_code(space_a => phone => '+33677778888', account_recovery_token => $tok);
like($res->content, qr/A recovery code was sent if the account exists/, 'a username match without phone: no account');
is(token_row($tok), 't null', 'the token is used up, unlinked');
$tok = token('a.test');
$res = send_code(space_a => phone => '+33600000000', account_recovery_token => $tok);
is($res->code, 200, 'an unknown number: 200');
like($res->content, qr/A recovery code was sent if the account exists/, 'the neutral text');
is(token_row($tok), 't null', 'the token is used up: one token, one lookup');
is(send_code(space_a => phone => '+33611112222', account_recovery_token => $tok)->code, 403, 'and cannot probe a second number');
my $kate = account('a.test', phone => '+33699990000', blocked => 1);
$tok = token('a.test');
(my $p1 = send_code(space_a => phone => '+33699990000', account_recovery_token => $tok)->content) =~ s/\+33699990000//g;
(my $p2 = send_code(space_a => phone => '+33699990001', account_recovery_token => token('a.test'))->content) =~ s/\+33699990001//g;
is($p1, $p2, 'a blocked account by phone: the page of an unknown number');
is(token_row($tok), 't null', '(its token used up, not linked)');
is(send_code(space_a => phone => '+33611112222', account_recovery_token => token('a.test', age => 61))->code, 403, 'an expired token: 403');
is(send_code(space_a => phone => '+33611112222', account_recovery_token => token('c.test'))->code, 403, "another Space's token: 403");
is(send_code(space_a => phone => '+33611112222', account_recovery_token => 'short')->code, 403, 'a wrong token: 403');
is(scalar(command_calls('sms')), 2, 'no SMS for any of those');

# SMS failure: the token stays usable.
my $liam = account('a.test', phone => '+33612121212');
$tok = token('a.test');
command_behave('sms', exit => 1);
$res = send_code(space_a => phone => '+33612121212', account_recovery_token => $tok);
page_ok($res, 503, 'SMS failure');
is($res->header('Retry-After'), '1', 'Retry-After: 1');
is(codes_of($liam), 0, 'the code is not kept');
is(token_row($tok), 'f null', 'the token is unused again');
command_behave('sms');
is(send_code(space_a => phone => '+33612121212', account_recovery_token => $tok)->code, 200, 'and works once SMS does');

# ---- emails not unique (space_r) ------------------------------------------------------
$res = call(space_r => GET => '/api/recovery/email');
like($res->content, qr/<input id="username" name="username"[^>]*required>/, 'space_r: the username is a required input');
$res = send_code(space_r => email => 'shared.rec@example.org');
is($res->code, 422, 'space_r: email without username: 422');
like($res->content, qr/The username field is required\./, 'username: required');
my $r1 = account('r.test', username => 'rosa01', email => 'shared.rec@example.org');
my $r2 = account('r.test', username => 'rosa02', email => 'Shared.Rec@example.org');
my $r3 = account('r.test', username => 'rosa03', email => 'shared.rec@example.org', phone => '+33614141414');
$mails = mail_count();
$res = send_code(space_r => email => 'shared.rec@example.org', username => 'rosa02');
is($res->code, 200, 'space_r: email and username');
is(join(',', map { codes_of($_) } $r1, $r2, $r3), '0,1,0', 'the code is for the account of that username');
($head, $body) = last_mail();
is($head->{To}, 'Shared.Rec@example.org', "to that account's address");
unlike($body, qr/valid for/, 'AccountsRecoveryCodeExpiry 0: no lifetime line');
sql("UPDATE account_recovery_codes SET created_at = now() - interval '1 day' WHERE account_id = $r2");
$h1 = handle_of(send_code(space_r => email => 'shared.rec@example.org', username => 'rosa02'));
is(confirm(space_r => recovery => $h1, code => code_of($r2))->code, 303, 'codes never expire there (a day old: still good)');
is(send_code(space_r => email => 'shared.rec@example.org', username => 'rosa09')->content =~ /A recovery code was sent if the account exists/ ? 1 : 0, 1,
   'another username: no account');
is(send_code(space_r => email => 'shared.rec@example.org', username => '+33614141414')->code, 200,
   'the username field holding the phone of an account with that email');
is(codes_of($r3), 1, 'finds that account');
command_reset('sms');
my $r4 = account('r.test', phone => '+33615151515');
$tok = token('r.test', age => 60 * 24 * 30);
is(call(space_r => GET => "/api/recovery/phone/$tok")->code, 200, 'AccountsRecoveryTokenExpiry 0: a month-old token still opens');
is(send_code(space_r => phone => '+33615151515', account_recovery_token => $tok)->code, 200, 'and sends');
is((command_calls('sms'))[0]{stdin}, 'Your Space R validation code is ' . code_of($r4) . '.', 'the SMS without a lifetime');

# ---- 11: concurrency ------------------------------------------------------------------
# One token: one lookup, one SMS, whatever the number of requests at once.
command_reset('sms');
my $mia = account('a.test', phone => '+33613131313');
$tok = token('a.test');
my @codes = concurrently(8, sub { (space_a => POST => '/api/recovery', headers => $FORM,
                                   body => form_body(phone => '+33613131313', account_recovery_token => $tok)) });
is(scalar(grep { $_ == 200 } @codes), 1, 'one token, 8 requests at once: one 200') or diag("@codes");
is(scalar(grep { $_ == 403 } @codes), 7, 'the others: 403');
is(scalar(command_calls('sms')), 1, 'one SMS');
is(codes_of($mia), 1, 'one code');
# One account by email: one code an hour.
my $noah = account('a.test', email => 'noah.rec@example.org');
$mails = mail_count();
@codes = concurrently(6, sub { (space_a => POST => '/api/recovery', headers => $FORM,
                                body => form_body(email => 'noah.rec@example.org')) });
is(scalar(grep { $_ == 200 } @codes), 1, 'one account, 6 requests at once: one 200') or diag("@codes");
is(scalar(grep { $_ == 429 } @codes), 5, 'the others: 429');
is(mail_count() - $mails, 1, 'one mail');
# Attempts: 10 wrong values at once count 3.
my $olga = account('a.test', email => 'olga.rec@example.org');
$h1 = handle_of(send_code(space_a => email => 'olga.rec@example.org'));
$code = code_of($olga);
$wrong = $code eq '9999' ? '1000' : $code + 1;
@codes = concurrently(10, sub { (space_a => POST => '/api/recovery/confirm', headers => $FORM,
                                 body => form_body(recovery => $h1, code => $wrong)) });
is(attempts_of($olga), 3, '10 wrong values at once: 3 attempts');
is(scalar(grep { $_ == 200 } @codes), 3, 'three 200') or diag("@codes");
is(scalar(grep { $_ == 410 } @codes), 7, 'seven 410');
# The right value at once: one reset token.
my $pete = account('a.test', email => 'pete.rec@example.org');
$h1 = handle_of(send_code(space_a => email => 'pete.rec@example.org'));
$code = code_of($pete);
@codes = concurrently(8, sub { (space_a => POST => '/api/recovery/confirm', headers => $FORM,
                                body => form_body(recovery => $h1, code => $code)) });
is(scalar(grep { $_ == 303 } @codes), 1, 'the right value 8 times at once: one 303') or diag("@codes");
is(scalar(grep { $_ == 410 } @codes), 7, 'the others: 410');
is(sql_value("SELECT count(*) FROM reset_password_tokens WHERE account_id = $pete"), 1, 'one reset token');

# ---- 10.3: deletion -------------------------------------------------------------------
sql("DELETE FROM accounts WHERE id = $hank");
is(sql_value("SELECT count(*) FROM account_recovery_codes WHERE account_id = $hank"), 0, 'deleting the account deletes its codes');
is(sql_value("SELECT count(*) FROM account_recovery_tokens WHERE account_id = $hank"), 0, 'and unlinks its tokens');

# ---- the codes never reach the log (1.1, 1.2) -------------------------------------------
# (Tokens and handles are checked by zzz_secrets.t; codes are too short for
# it: here, the module's lines about recovery, after their [client] prefix.)
my %codes = map { $_ => 1 } sql('SELECT code FROM account_recovery_codes');
open my $log, '<', Apache::Test::vars('serverroot') . '/logs/error_log' or die $!;
my @seen;
while (my $line = <$log>) {
    next unless $line =~ /\[accounts:[a-z]+\].*\[client [^\]]*\] (.*recover.*)$/;
    my $msg = $1;
    push @seen, grep { $msg =~ /\b$_\b/ } keys %codes;
}
close $log;
ok(keys(%codes) > 10, 'codes to look for (' . scalar(keys %codes) . ')');
is_deeply(\@seen, [], 'no recovery code in the log lines about recovery');

done_testing();
