# Email change by a 4-digit code (api-lifecycle.md 4.1, 4.2, 1.2, 11):
# the request mails a code to the new address through the sendmail pipe
# (t/bin/capture-mail), the confirmation makes it the account's email.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Apache::Test ();
use Time::HiRes qw(time sleep);

reset_db();
my $maildir = Apache::Test::vars('serverroot') . '/mail';
system('rm', '-rf', $maildir);
my $admin = create_admin('codeadmin', 'a.test');

# A user of the domain with a key; validated: it consumed a creation token.
my $n = 0;
sub user {
    my ($domain, %o) = @_;
    my $name = 'changer' . ++$n;
    my $id = make_account($name, $domain);
    sql("UPDATE accounts SET activated = false WHERE id = $id");
    sql("UPDATE accounts SET email = '$o{email}' WHERE id = $id") if $o{email};
    sql("INSERT INTO account_creation_tokens (token_hash, domain, used, account_id) VALUES"
        . " (encode(sha256('tok$name'), 'hex'), '$domain', true, $id)") unless $o{unvalidated};
    my $key = (accountsctl('api-key', "$name\@$domain"))[1];
    chomp $key;
    return { id => $id, key => $key, name => $name };
}
my %base = (space_a => '/api', space_b => '/sip/v1', space_c => '/api');
sub U {
    my ($u, $m, $p, %o) = @_;
    my $space = $o{space} // 'space_a';
    call($space => $m, "$base{$space}$p", %o, headers => { 'x-api-key' => $u->{key}, %{ $o{headers} || {} } });
}
sub request_code { my ($u, $email, %o) = @_; U($u, POST => '/accounts/me/email/request', json => { email => $email }, %o) }
sub confirm_code { my ($u, $code, %o) = @_; U($u, POST => '/accounts/me/email', json => { code => $code }, %o) }
sub pending_code { my ($u) = @_; sql_value("SELECT code FROM email_change_codes WHERE account_id = $u->{id} AND NOT consumed ORDER BY id DESC LIMIT 1") }
sub codes_of { my ($u) = @_; sql_value("SELECT count(*) FROM email_change_codes WHERE account_id = $u->{id}") }
sub attempts_of { my ($u) = @_; sql_value("SELECT attempts FROM email_change_codes WHERE account_id = $u->{id} ORDER BY id DESC LIMIT 1") }
sub answer { my ($res) = @_; [ $res->code, json_of($res) ] }
sub error422 { my ($field, $msg) = @_; [ 422, { message => $msg, errors => { $field => [ $msg ] } } ] }

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

# ---- 4.1: the checks, in order --------------------------------------------------------
my $u = user('a.test', email => 'current@example.org');
my $other = user('a.test', email => 'Taken@Example.org');
my $unvalidated = user('a.test', unvalidated => 1);

is_deeply(answer(request_code($unvalidated, 'new@example.org')), [ 403, { message => 'Account unvalidated' } ],
          'no consumed creation token: 403 Account unvalidated');
is(codes_of($unvalidated), 0, 'and no code');
is(call(space_a => POST => '/api/accounts/me/email/request', json => { email => 'x@example.org' })->code, 401,
   'anonymous: 401');

is_deeply(answer(request_code($u, 'blabla')), error422(email => 'The email must be a valid email address.'),
          'invalid address: 422');
is_deeply(answer(U($u, POST => '/accounts/me/email/request', json => {})), error422(email => 'The email field is required.'),
          'missing: required');
is_deeply(answer(request_code($u, '   ')), error422(email => 'The email field is required.'), 'blank: required');
is_deeply(answer(request_code($u, 'current@example.org')), error422(email => 'The selected email is invalid.'),
          'the current email: not_in only (the caller is not counted as taking it)');
is_deeply(answer(request_code($u, 'taken@example.ORG')), error422(email => 'The email has already been taken.'),
          "another account's email, compared case-insensitively: taken");
my $long = ('a' x 250) . '@example.org';
is_deeply(json_of(request_code($u, $long))->{errors}{email}, [ 'The email must be a valid email address.',
          'The email may not be greater than 255 characters.' ], 'too long: every failing rule listed');
is(codes_of($u), 0, 'no code after any refusal');
is(mail_count(), 0, 'no mail either');

# ---- 4.1: success ----------------------------------------------------------------------
my $res = request_code($u, ' New.Address@example.org ', headers => { 'User-Agent' => 'Linphone/5.3' });
is($res->code, 200, 'request: 200');
is($res->content, '', 'empty body');
is(codes_of($u), 1, 'one code stored');
my ($code, $email, $ip, $ua, $attempts) = split /\|/, sql_value(
    "SELECT code, email, ip, user_agent, attempts FROM email_change_codes WHERE account_id = $u->{id}");
like($code, qr/^[1-9][0-9]{3}$/, 'a 4-digit code from 1000 to 9999');
is_deeply([ $email, $ip, $ua, $attempts ], [ 'New.Address@example.org', '127.0.0.1', 'Linphone/5.3', 0 ],
          'target as submitted after trimming, IP, user agent, no attempt');
my ($h, $body) = last_mail();
is($h->{To}, 'New.Address@example.org', 'mailed to the new address');
is($h->{From}, '"Accounts Robot" <no-reply@a.test>', "From: the account's Space's sender");
is($h->{Subject}, 'Space A: Confirm your registration', 'Subject');
like($body, qr/^Welcome to Space A$/m, 'Welcome to <Space name>');
like($body, qr/^\Q$code\E$/m, 'the code alone on its own line');
like($body, qr/^This code is valid for 10 minutes\.$/m, 'its lifetime (AccountsEmailChangeCodeExpiry 10)');

my $me = json_of(U($u, GET => '/accounts/me'));
is($me->{email}, 'current@example.org', 'the email does not change yet');
is_deeply([ sort keys %{ $me->{email_change_code} } ], [ qw(created_at email ip updated_at user_agent) ],
          'GET /accounts/me: email_change_code without the code');
is($me->{email_change_code}{email}, 'New.Address@example.org', 'with the new address');
like($me->{email_change_code}{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/, 'timestamps');
unlike(U($u, GET => '/accounts/me')->content, qr/\b$code\b/, 'the code is nowhere in the Self variant');
my $shown = json_of(call(space_a => GET => "/api/accounts/$u->{id}", headers => { 'x-api-key' => $admin }));
is($shown->{email_change_code}{code}, $code, 'GET /accounts/{id}: the admin sees the code');
is($shown->{phone_change_code}, undef, 'and no phone change');
my $found = json_of(call(space_a => GET => "/api/accounts/$u->{name}\@a.test/search", headers => { 'x-api-key' => $admin }));
ok($found->{email_change_code} && !exists $found->{email_change_code}{code}, 'the Search variant: shown without the code');
my $put = json_of(call(space_a => PUT => "/api/accounts/$u->{id}", headers => { 'x-api-key' => $admin },
                       json => { username => $u->{name}, password => 'secret123', algorithm => 'MD5', email => 'current@example.org' }));
is($put->{email_change_code}{code}, $code, 'PUT /accounts/{id}: the Updated variant shows the code');

# ---- 4.2 -------------------------------------------------------------------------------
is_deeply(answer(confirm_code($u, 'wrong')), error422(code => 'The code must be 4 digits.'), 'code "wrong": digits');
is_deeply(answer(U($u, POST => '/accounts/me/email', json => {})), error422(code => 'The code field is required.'),
          'no code: required');
is_deeply(answer(confirm_code($u, 123)), error422(code => 'The code must be 4 digits.'), 'integer 123: digits');
is(attempts_of($u), 0, 'validation failures are no attempts');
is_deeply(answer(confirm_code($other, '1234')), [ 404, { message => 'No pending email change' } ],
          'no pending code: 404');
my $wrong = $code == 9999 ? 1000 : $code + 1;
is_deeply(answer(confirm_code($u, "$wrong")), error422(code => 'The code should be valid'), 'wrong value: 422');
is(attempts_of($u), 1, 'one attempt counted');
$res = confirm_code($u, $code + 0);    # a JSON integer
is($res->code, 200, 'the right code (as an integer): 200');
my $acct = json_of($res);
is($acct->{email}, 'New.Address@example.org', 'the new email');
ok($acct->{activated}, 'activated');
ok(exists $acct->{email_change_code} && !defined $acct->{email_change_code}, 'email_change_code: null');
ok(exists $acct->{passwords} && !exists $acct->{phone_change_code}, 'the Self variant');
is(sql_value("SELECT email || ' ' || activated FROM accounts WHERE id = $u->{id}"), 'New.Address@example.org true', 'stored');
is(sql_value("SELECT consumed FROM email_change_codes WHERE account_id = $u->{id}"), 't', 'the code is consumed');
is_deeply(answer(confirm_code($u, $code)), [ 404, { message => 'No pending email change' } ], 'single use: then 404');
unlike(call(space_a => GET => "/api/accounts/$u->{id}", headers => { 'x-api-key' => $admin })->content,
       qr/"email_change_code":\{/, 'the admin view shows no pending change any more');

# ---- three attempts, expiry -------------------------------------------------------------
my $x = user('a.test');
request_code($x, 'exhaust@example.org');
$code = pending_code($x);
$wrong = $code == 9999 ? 1000 : $code + 1;
is_deeply([ map { confirm_code($x, "$wrong")->code } 1 .. 3 ], [ 422, 422, 422 ], 'three wrong values: 422 each');
is(attempts_of($x), 3, 'three attempts');
is_deeply(answer(confirm_code($x, $code)), [ 410, { message => 'Expired code' } ], 'exhausted: even the right value is 410');
is_deeply(answer(confirm_code($x, "$wrong")), [ 410, { message => 'Expired code' } ], 'and a wrong one too');
is(attempts_of($x), 3, 'no attempt counted past three');
is(sql_value("SELECT email IS NULL FROM accounts WHERE id = $x->{id}"), 't', 'the email did not change');
ok(json_of(call(space_a => GET => "/api/accounts/$x->{id}", headers => { 'x-api-key' => $admin }))->{email_change_code},
   'an exhausted code is still shown until consumed (10.1)');

my $e = user('a.test');
request_code($e, 'late@example.org');
sql("UPDATE email_change_codes SET created_at = now() - interval '11 minutes' WHERE account_id = $e->{id}");
is_deeply(answer(confirm_code($e, pending_code($e))), [ 410, { message => 'Expired code' } ], 'older than 10 minutes: 410');
sql("UPDATE email_change_codes SET created_at = now() - interval '9 minutes' WHERE account_id = $e->{id}");
is(confirm_code($e, pending_code($e))->code, 200, 'within 10 minutes: accepted');

my $c = user('c.test');
request_code($c, 'forever@example.org', space => 'space_c');
my (undef, $cbody) = last_mail();
unlike($cbody, qr/valid for/, 'AccountsEmailChangeCodeExpiry 0: the mail states no lifetime');
sql("UPDATE email_change_codes SET created_at = now() - interval '1000 days' WHERE account_id = $c->{id}");
is(confirm_code($c, pending_code($c), space => 'space_c')->code, 200, 'AccountsEmailChangeCodeExpiry 0: never expires');

# ---- only the newest code; acceptance consumes the older ones ---------------------------------
my $t = user('a.test');
request_code($t, 'first@example.org');
my $first = pending_code($t);
request_code($t, 'second@example.org');
my $second = pending_code($t);
is(codes_of($t), 2, 'a second request makes a second code');
SKIP: {
    skip 'both codes drew the same value', 1 if $first eq $second;
    is(confirm_code($t, $first)->code, 422, 'the older code is not the pending one');
}
is(json_of(confirm_code($t, $second))->{email}, 'second@example.org', 'the newest one is');
is(sql_value("SELECT count(*) FROM email_change_codes WHERE account_id = $t->{id} AND NOT consumed"), 0,
   'accepting it consumed the older one too');
is(confirm_code($t, $first)->code, 404, 'which can no longer be accepted');

# ---- uniqueness re-checked at confirmation ------------------------------------------------
my $r = user('a.test');
request_code($r, 'race@example.org');
$code = pending_code($r);
sql("UPDATE accounts SET email = 'RACE\@example.org' WHERE id = $other->{id}");
is_deeply(answer(confirm_code($r, $code)), error422(email => 'The email has already been taken.'),
          'taken meanwhile by another account: 422 on email');
is(sql_value("SELECT consumed::text || attempts FROM email_change_codes WHERE account_id = $r->{id}"), 'false0',
   'the code is neither consumed nor counted');
sql("UPDATE accounts SET email = 'taken\@example.org' WHERE id = $other->{id}");
is(confirm_code($r, $code)->code, 200, 'free again: accepted');

# ---- mail failure (space_b: AccountsSendmail /bin/false) ---------------------------------------
my $bu = user('b.test');
my $before = mail_count();
$res = request_code($bu, 'nomail@example.org', space => 'space_b');
is_deeply(answer($res), [ 503, { message => 'Service unavailable' } ], 'sendmail fails: 503');
is($res->header('Retry-After'), '1', 'Retry-After: 1');
is(codes_of($bu), 0, 'the code is not kept');
is(mail_count(), $before, 'and no mail was captured');

# ---- blocked accounts, deletion ----------------------------------------------------------------
my $k = user('a.test');
request_code($k, 'blocked@example.org');
sql("UPDATE accounts SET blocked = true WHERE id = $k->{id}");
is_deeply(answer(confirm_code($k, pending_code($k))), [ 403, { message => 'Account blocked' } ], 'blocked: 403 on confirm');
is_deeply(answer(request_code($k, 'again@example.org')), [ 403, { message => 'Account blocked' } ], 'and on request');
is(sql_value("SELECT email IS NULL FROM accounts WHERE id = $k->{id}"), 't', 'nothing changed');
my $d = user('a.test');
request_code($d, 'gone@example.org');
is(U($d, DELETE => '/accounts/me')->code, 200, 'the account deletes itself');
is(codes_of($d), 0, 'its change codes went with it (10.3)');

# ---- concurrency (11) -------------------------------------------------------------------------
# $n requests at once (forked clients released together): their status codes.
sub race {
    my ($make) = @_;
    my $go = time + 2.0;
    my @pipes;
    for my $req (@$make) {
        space_url($req->[0]);
        pipe(my $rd, my $wr) or die $!;
        my $pid = fork // die $!;
        if (!$pid) {
            close $rd;
            sleep 0.001 while time < $go;
            print $wr call(@$req)->code;
            close $wr;
            require POSIX;
            POSIX::_exit(0);
        }
        close $wr;
        push @pipes, [ $pid, $rd ];
    }
    my @codes;
    for (@pipes) {
        my ($pid, $rd) = @$_;
        my $got = <$rd>;
        waitpid $pid, 0;
        push @codes, $got // 'none';
    }
    return @codes;
}
sub count_of { my ($want, @codes) = @_; scalar grep { $_ eq $want } @codes }
sub confirm_req { my ($u, $code) = @_; [ space_a => POST => '/api/accounts/me/email', json => { code => "$code" },
                                         headers => { 'x-api-key' => $u->{key} } ] }

for my $round (1 .. 2) {
    my $g = user('a.test');
    request_code($g, "guess$round\@example.org");
    my $right = pending_code($g);
    my @wrongs = grep { $_ ne $right } map { 1000 + int(rand(9000)) } 1 .. 20;
    my @codes = race([ map { confirm_req($g, $wrongs[$_]) } 0 .. 9 ]);
    is(count_of('422', @codes), 3, "round $round: 10 wrong values at once, exactly 3 counted (422)");
    is(count_of('410', @codes), 7, "round $round: the 7 others find the code exhausted (410)");
    is(attempts_of($g), 3, "round $round: attempts = 3");
}

my $w = user('a.test');
request_code($w, 'winner@example.org');
my $right = pending_code($w);
my @codes = race([ map { confirm_req($w, $right) } 1 .. 10 ]);
is(count_of('200', @codes), 1, '10 right values at once: one winner');
is(count_of('404', @codes), 9, 'the 9 others: no pending change');
is(sql_value("SELECT count(*) FROM email_change_codes WHERE account_id = $w->{id} AND consumed"), 1, 'consumed once');

my $m = user('a.test');
request_code($m, 'mixed@example.org');
$right = pending_code($m);
my @mixed = map { $_ % 2 ? confirm_req($m, $right) : confirm_req($m, $right == 9999 ? 1000 : $right + 1) } 1 .. 10;
@codes = race(\@mixed);
my $won = count_of('200', @codes);
ok($won <= 1, "5 right and 5 wrong at once: at most one winner ($won)");
ok(attempts_of($m) <= 3, 'at most 3 attempts counted (' . attempts_of($m) . ')');
is(count_of('422', @codes), attempts_of($m), 'each 422 is one counted attempt');
is(sql_value("SELECT (email = 'mixed\@example.org')::int FROM accounts WHERE id = $m->{id}") // 0, $won,
   'the email changed exactly when a request won');
is(count_of('200', @codes) + count_of('404', @codes) + count_of('410', @codes) + count_of('422', @codes), 10,
   'no other status (no 500)');

# A confirmation and an admin's PUT of the same account and address at
# once take their locks in one order (account row, then the address):
# never a deadlock (which PostgreSQL would break with an error, a 503).
my @pairs;
for my $round (1 .. 6) {
    my $p = user('a.test');
    request_code($p, "both$round\@example.org");
    push @pairs, race([ confirm_req($p, pending_code($p)),
                        [ space_a => PUT => "/api/accounts/$p->{id}", headers => { 'x-api-key' => $admin },
                          json => { username => $p->{name}, password => 'secret123', algorithm => 'MD5',
                                    email => "both$round\@example.org" } ] ]);
}
is_deeply([ grep { $_ ne '200' } @pairs ], [], 'confirmation and PUT of one account and address at once: 200 both, 6 rounds');

done_testing();
