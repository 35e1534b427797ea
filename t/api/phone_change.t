# Phone change by a 4-digit code sent by SMS (api-lifecycle.md 5.1, 5.2,
# 1.1, 1.2, 11): the SMS command is t/bin/fake-command (space_a, space_c),
# /bin/false on space_b; space_c allows +33, +32 and +1 numbers only.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Time::HiRes qw(time sleep);

reset_db();
command_reset('sms');
my $admin = create_admin('phoneadmin', 'a.test');

my $n = 0;
sub user {
    my ($domain, %o) = @_;
    my $name = 'dialer' . ++$n;
    my $id = make_account($name, $domain);
    sql("UPDATE accounts SET activated = false WHERE id = $id");
    sql("UPDATE accounts SET phone = '$o{phone}' WHERE id = $id") if $o{phone};
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
sub request_code { my ($u, $phone, %o) = @_; U($u, POST => '/accounts/me/phone/request', json => { phone => $phone }, %o) }
sub confirm_code { my ($u, $code, %o) = @_; U($u, POST => '/accounts/me/phone', json => { code => $code }, %o) }
sub pending_code { my ($u) = @_; sql_value("SELECT code FROM phone_change_codes WHERE account_id = $u->{id} AND NOT consumed ORDER BY id DESC LIMIT 1") }
sub codes_of { my ($u) = @_; sql_value("SELECT count(*) FROM phone_change_codes WHERE account_id = $u->{id}") }
sub attempts_of { my ($u) = @_; sql_value("SELECT attempts FROM phone_change_codes WHERE account_id = $u->{id} ORDER BY id DESC LIMIT 1") }
sub answer { my ($res) = @_; [ $res->code, json_of($res) ] }
sub error422 { my ($field, @msgs) = @_;
    my $more = @msgs > 1 ? ' (and ' . (@msgs - 1) . ' more error' . (@msgs > 2 ? 's' : '') . ')' : '';
    [ 422, { message => $msgs[0] . $more, errors => { $field => [ @msgs ] } } ] }
my $invalid = 'The phone field contains an invalid number.';
my $country = 'The phone number must belong to an authorized country.';
my $taken = 'The phone has already been taken.';

# ---- 5.1: the checks --------------------------------------------------------------------
my $u = user('a.test', phone => '+33611111111');
my $other = user('a.test', phone => '+33622222222');
my $unvalidated = user('a.test', unvalidated => 1);
make_account('+33633333333', 'a.test');
make_account('+33644444444', 'c.test');

is_deeply(answer(request_code($unvalidated, 'blabla')), [ 403, { message => 'Account unvalidated' } ],
          'no consumed creation token: 403 before validation');
is_deeply(answer(request_code($u, 'blabla')), error422(phone => $invalid, $country), '"blabla": the first two messages');
is_deeply(answer(U($u, POST => '/accounts/me/phone/request', json => {})), error422(phone => 'The phone field is required.'),
          'missing: required');
is_deeply(answer(request_code($u, '0612121212')), error422(phone => $invalid, $country), 'no + : invalid');
is_deeply(answer(request_code($u, '+33622222222')), error422(phone => $taken), "another account's phone: taken");
is_deeply(answer(request_code($u, '+33611111111')), error422(phone => $taken), 'its own phone: taken too');
is_deeply(answer(request_code($u, '+33633333333')), error422(phone => $taken), 'a username of the domain: taken');
is(request_code($u, '+33644444444')->code, 200, "another domain's username does not count");
my $c = user('c.test');
is_deeply(answer(request_code($c, '+31612345678', space => 'space_c')), error422(phone => $country),
          "space_c (33 32 1): a Dutch number is not of an authorized country");
is(request_code($c, '+32470123456', space => 'space_c')->code, 200, 'a Belgian one is');
my @calls = command_calls('sms');
is(scalar @calls, 2, 'two SMS sent so far (one per accepted request)');
is_deeply($calls[1], { argv => [ '+32470123456' ],
                       stdin => 'Your Space C validation code is ' . pending_code($c) . '. The code is available for 10 minutes' },
          "space_c's SMS: its own name and phone code lifetime");

# ---- 5.1: success ------------------------------------------------------------------------
command_reset('sms');
my $s = user('a.test');
my $res = request_code($s, ' +33 6 12-34-56-78 ', headers => { 'User-Agent' => 'LinphoneAndroid/5.2' });
is($res->code, 200, 'request: 200');
is($res->content, '', 'empty body');
my ($code, $phone, $ip, $ua, $attempts) = split /\|/, sql_value(
    "SELECT code, phone, ip, user_agent, attempts FROM phone_change_codes WHERE account_id = $s->{id}");
like($code, qr/^[1-9][0-9]{3}$/, 'a 4-digit code');
is_deeply([ $phone, $ip, $ua, $attempts ], [ '+33 6 12-34-56-78', '127.0.0.1', 'LinphoneAndroid/5.2', 0 ],
          'the number as submitted (trimmed), IP, user agent, no attempt');
@calls = command_calls('sms');
is(scalar @calls, 1, 'one SMS');
is_deeply($calls[0]{argv}, [ '+33612345678' ], 'the number, + and digits only, as the one argument after the fixed ones');
is($calls[0]{stdin}, "Your Space A validation code is $code. The code is available for 10 minutes",
   'the text on stdin, no final period');
my $me = json_of(U($s, GET => '/accounts/me'));
ok(!exists $me->{phone_change_code} && !defined $me->{phone}, 'Self variant: no phone_change_code, phone unchanged');
my $shown = json_of(call(space_a => GET => "/api/accounts/$s->{id}", headers => { 'x-api-key' => $admin }));
is_deeply([ @{ $shown->{phone_change_code} }{qw(phone code ip user_agent)} ],
          [ '+33 6 12-34-56-78', $code, '127.0.0.1', 'LinphoneAndroid/5.2' ], 'GET /accounts/{id}: the pending change with its code');
my $list = json_of(call(space_a => GET => '/api/accounts', headers => { 'x-api-key' => $admin }));
my ($item) = grep { $_->{id} == $s->{id} } @{ $list->{data} };
ok($item->{phone_change_code} && !exists $item->{phone_change_code}{code}, 'GET /accounts: shown, without the code');

# ---- failures of the SMS command ---------------------------------------------------------
command_behave('sms', exit => 3);
my $f = user('a.test');
$res = request_code($f, '+33655555555');
is_deeply(answer($res), [ 503, { message => 'Service unavailable' } ], 'the command exits 3: 503');
is($res->header('Retry-After'), '1', 'Retry-After: 1');
is(codes_of($f), 0, 'the code is not kept');
command_behave('sms', sleep => 12);
my $t0 = time;
$res = request_code($f, '+33655555555');
my $took = time - $t0;
is($res->code, 503, 'the command runs past 10 seconds: 503');
ok($took >= 9.5 && $took < 12, sprintf('killed at the 10-second deadline (%.1f s)', $took));
is(codes_of($f), 0, 'nothing kept');
command_behave('sms');
my $bu = user('b.test');
is(request_code($bu, '+33655555555', space => 'space_b')->code, 503, 'space_b (/bin/false): 503');
is(codes_of($bu), 0, 'nothing kept');
is(request_code($f, '+33655555555')->code, 200, 'the command works again: 200');

# ---- 5.2 ---------------------------------------------------------------------------------
is_deeply(answer(confirm_code($s, 'wrong')), [ 422, { message => 'The code must be 4 digits.',
          errors => { code => [ 'The code must be 4 digits.' ] } } ], '"wrong": 422 digits');
is_deeply(answer(confirm_code($other, '1234')), [ 404, { message => 'No pending phone change' } ], 'no pending code: 404');
my $wrong = $code == 9999 ? 1000 : $code + 1;
is_deeply(answer(confirm_code($s, "$wrong")), [ 422, { message => 'The code should be valid',
          errors => { code => [ 'The code should be valid' ] } } ], 'wrong value: 422');
is(attempts_of($s), 1, 'one attempt');
$res = confirm_code($s, $code);
is($res->code, 200, 'the right code: 200');
my $acct = json_of($res);
is($acct->{phone}, '+33 6 12-34-56-78', 'the new phone');
ok($acct->{activated}, 'activated');
ok(!exists $acct->{phone_change_code} && exists $acct->{passwords}, 'the Self variant');
$shown = json_of(call(space_a => GET => "/api/accounts/$s->{id}", headers => { 'x-api-key' => $admin }));
ok(exists $shown->{phone_change_code} && !defined $shown->{phone_change_code}, 'the Admin variant: phone_change_code null');
is(confirm_code($s, $code)->code, 404, 'single use');

# Exhausted, expired.
my $x = user('a.test');
request_code($x, '+33666666666');
$code = pending_code($x);
$wrong = $code == 9999 ? 1000 : $code + 1;
is_deeply([ map { confirm_code($x, "$wrong")->code } 1 .. 4 ], [ 422, 422, 422, 410 ], 'three 422, then 410');
is_deeply(answer(confirm_code($x, $code)), [ 410, { message => 'Expired code' } ], 'exhausted: the right value too');
is(attempts_of($x), 3, 'three attempts');
my $e = user('a.test');
request_code($e, '+33677777777');
sql("UPDATE phone_change_codes SET created_at = now() - interval '11 minutes' WHERE account_id = $e->{id}");
is(confirm_code($e, pending_code($e))->code, 410, 'expired after AccountsPhoneChangeCodeExpiry (10)');

# Re-check at confirmation: phone, then username.
my $r = user('a.test');
request_code($r, '+33688888888');
$code = pending_code($r);
sql("UPDATE accounts SET phone = '+33688888888' WHERE id = $other->{id}");
is_deeply(answer(confirm_code($r, $code)), error422(phone => $taken), "another account's phone meanwhile: 422");
sql("UPDATE accounts SET phone = NULL WHERE id = $other->{id}");
sql("UPDATE accounts SET username = '+33688888888' WHERE id = $other->{id}");
is_deeply(answer(confirm_code($r, $code)), error422(phone => $taken), "another account's username meanwhile: 422");
is(sql_value("SELECT consumed::text || attempts FROM phone_change_codes WHERE account_id = $r->{id}"), 'false0',
   'not consumed, not counted');
sql("UPDATE accounts SET username = '$other->{name}' WHERE id = $other->{id}");
is(confirm_code($r, $code)->code, 200, 'free again: 200');

# ---- concurrency (11) ------------------------------------------------------------------------
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
sub confirm_req { my ($u, $code) = @_; [ space_a => POST => '/api/accounts/me/phone', json => { code => "$code" },
                                         headers => { 'x-api-key' => $u->{key} } ] }

my $g = user('a.test');
request_code($g, '+33699999991');
my $right = pending_code($g);
my @wrongs = (grep { $_ != $right } 1000 .. 1010)[0 .. 9];
my @codes = race([ map { confirm_req($g, $_) } @wrongs ]);
is(count_of('422', @codes), 3, '10 wrong values at once: exactly 3 counted');
is(count_of('410', @codes), 7, 'the 7 others: 410');
is(attempts_of($g), 3, 'attempts = 3');

my $w = user('a.test');
request_code($w, '+33699999992');
$right = pending_code($w);
@codes = race([ map { confirm_req($w, $right) } 1 .. 10 ]);
is(count_of('200', @codes), 1, '10 right values at once: one winner');
is(count_of('404', @codes), 9, 'the others: 404');
is(sql_value("SELECT phone FROM accounts WHERE id = $w->{id}"), '+33699999992', 'the phone is set');

# Two accounts confirm the same number at once: one gets it.
my ($p1, $p2) = (user('a.test'), user('a.test'));
request_code($_, '+33699999993') for $p1, $p2;
@codes = race([ confirm_req($p1, pending_code($p1)), confirm_req($p2, pending_code($p2)) ]);
is_deeply([ sort @codes ], [ 200, 422 ], 'two accounts confirm one number at once: one 200, one 422 taken');
is(sql_value("SELECT count(*) FROM accounts WHERE phone = '+33699999993'"), 1, 'one account holds it');

done_testing();
