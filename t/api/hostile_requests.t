# Hostile request heads and paths (issue 7, part 4): headers over the
# module's own limits and over Apache's, percent-encoding tricks in path
# parameters, header injection through the email endpoints, and a burst of
# 1,000 bad digest attempts. Every refusal is a 4xx (JSON where the module
# answers) and leaves every table as it was. hostile.t has the bodies.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;
use Accounts::Digest;

reset_db();
my $admin = create_admin('admina', 'a.test');
my $admin_b = create_admin('adminb', 'b.test');
my $realm = 'global.realm.test';
my $aid = make_account('victim1', 'a.test', realm => $realm, passwords => { MD5 => 'victim-pass-1' });
my $bid = make_account('inb00001', 'b.test');
my $password = 'secret123';
remember_secret($password);
my $logs = Apache::Test::vars('serverroot') . '/logs';
my $maildir = Apache::Test::vars('serverroot') . '/mail';
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin, %{ $o{headers} || {} } }) }
sub error_log { open my $fh, '<', "$logs/error_log" or die $!; local $/; <$fh> }

my $before = db_snapshot();
sub unchanged { my ($name) = @_; is_deeply(db_snapshot(), $before, "$name: nothing written") }
sub wrote { $before = db_snapshot() }
# The module's refusal: the status, a JSON message ($message: string or
# regex), no account in the body, nothing written.
sub refused {
    my ($name, $res, $status, $message) = @_;
    my $body = json_of($res);
    my $got = ref $body eq 'HASH' ? $body->{message} : undef;
    ok($res->code == $status && ($res->header('Content-Type') // '') eq 'application/json'
       && defined $got && (ref $message ? $got =~ $message : $got eq $message)
       && $res->content !~ /"username"/, "$name: $status, JSON message") or diag($res->code . ' ' . substr($res->content, 0, 300));
    unchanged($name);
}
# A plain-text authentication 401 (api.md 2.3 table).
sub text_401 {
    my ($name, $res, $text) = @_;
    is($res->code . ' ' . $res->content, "401 $text", "$name: 401 $text");
}

# ---- 1. headers: Apache's limit, then the module's own ----------------------------------
# LimitRequestFieldSize (8190 by default): Apache answers 400 itself, before
# any module sees the request (its own HTML page: no JSON possible there).
my $huge = 'h' x 9000;
my $create = { username => 'hugehead1', password => $password, algorithm => 'MD5' };
for my $h ([ 'x-api-key', $huge ], [ From => "sip:$huge\@a.test" ], [ Authorization => qq(Digest nonce="$huge") ],
           [ Cookie => "x-api-key=$huge" ], [ 'User-Agent' => $huge ]) {
    my $res = A(POST => '/accounts', json => $create, headers => { $h->[0] => $h->[1] });
    is($res->code, 400, "9,000-byte $h->[0]: Apache's 400");
    unchanged("9,000-byte $h->[0]");
}

# x-api-key (auth.c): a key is 40 characters; a value over 255 bytes is
# refused without being hashed or looked up.
text_401('a 255-byte key', A(GET => '/accounts/me', headers => { 'x-api-key' => 'k' x 255 }), 'Invalid API Key');
text_401('a 1,000-byte key', A(GET => '/accounts/me', headers => { 'x-api-key' => 'k' x 1000 }), 'Invalid API Key');
text_401('a 1,001-byte key cookie', call(space_a => GET => '/api/accounts/me', headers => { Cookie => 'x-api-key=' . ('k' x 1001) }),
         'Invalid API Key');
my $log = error_log();
like($log, qr/x-api-key of 1000 bytes refused unread \(limit 255\)/, 'the header key was refused unread');
like($log, qr/x-api-key of 1001 bytes refused unread \(limit 255\)/, 'the cookie key too');
unlike($log, qr/x-api-key of 255 bytes refused/, 'a 255-byte key is looked up');
# Other cookies are not the module's business: a big Cookie header still works.
my $res = call(space_a => GET => '/api/accounts/me',
               headers => { Cookie => join('; ', (map { "c$_=" . ('v' x 500) } 1 .. 12), "x-api-key=$admin") });
is($res->code, 200, 'a 6 KB Cookie header with the key cookie in it: 200');
unchanged('headers under the limits');

# From (digest.c): 1,024 bytes at most.
sub from_of { my ($len) = @_; my $f = 'sip:victim1@a.test;tag='; $f . ('t' x ($len - length $f)) }
$res = call(space_a => GET => '/api/accounts/me', headers => { From => from_of(1024) });
is($res->code . ' ' . $res->content, '401 Unauthenticated request', 'a 1,024-byte From is read (;tag= dropped)');
ok(scalar challenges($res), 'with a challenge');
wrote();   # the challenge's nonce
for my $len (1025, 7000) {
    $res = call(space_a => GET => '/api/accounts/me', headers => { From => from_of($len) });
    text_401("a $len-byte From", $res, 'Invalid SIP address');
    ok(!$res->header('WWW-Authenticate'), "a $len-byte From: no challenge");
    unchanged("a $len-byte From");
}
text_401('a 2,000-byte unknown address', call(space_a => GET => '/api/accounts/me', headers => { From => 'sip:' . ('u' x 2000) . '@a.test' }),
         'Invalid SIP address');

# Authorization (digest.c): 4,096 bytes at most. A valid answer padded with
# an unknown parameter: read at 4,096 bytes, refused unread at 4,097.
my ($c) = challenges($res = call(space_a => GET => '/api/accounts/me', headers => { From => 'sip:victim1@a.test' }));
my %auth = (username => 'victim1', realm => $c->{realm}, password => 'victim-pass-1', nonce => $c->{nonce},
            opaque => $c->{opaque}, method => 'GET', uri => '/api/accounts/me');
sub padded { my ($header, $len) = @_; my $p = ',x-pad="'; $header . $p . ('p' x ($len - length($header) - length($p) - 1)) . '"' }
my $from = { From => 'sip:victim1@a.test' };
$res = call(space_a => GET => '/api/accounts/me', headers => { %$from, Authorization => padded(digest_header(%auth, nc => '00000001'), 4096) });
is($res->code, 200, 'a valid 4,096-byte Authorization: 200');
$res = call(space_a => GET => '/api/accounts/me', headers => { %$from, Authorization => padded(digest_header(%auth, nc => '00000002'), 4097) });
text_401('a valid 4,097-byte Authorization', $res, 'Nonce invalid');
$res = call(space_a => GET => '/api/accounts/me', headers => { %$from, Authorization => digest_header(%auth, nc => '00000002') });
is($res->code, 200, 'the refused header did not use nc 2 up');
wrote();   # nonces

# User-Agent (handlers/replies.c): stored as at most 255 characters, cut
# between characters, invalid UTF-8 bytes as '?'. It used to be cut at 255
# bytes and stored as sent: a 503 for a cut character or a Latin-1 header.
for my $case ([ 'ascii', 'a' x 5000, 'a' x 255 ],
              [ 'two-byte', "\xc3\xa9" x 300, "\xc3\xa9" x 255 ],
              [ 'cutmid', ('a' x 254) . "\xe2\x98\x8e" . 'tail', ('a' x 254) . "\xe2\x98\x8e" ],
              [ 'latin1', "Linphone\xff\xfe/5.2 \xe9t\xe9", 'Linphone??/5.2 ?t?' ]) {
    my ($name, $ua, $stored) = @$case;
    $res = A(POST => '/accounts', json => { username => "ua$name", password => $password, algorithm => 'MD5' },
             headers => { 'User-Agent' => $ua });
    is($res->code, 200, "User-Agent ($name): 200");
    is(db_value("SELECT user_agent FROM accounts WHERE username = 'ua$name'"), $stored, "User-Agent ($name): stored as expected");
}
$res = call(space_a => POST => '/api/accounts/auth_token', headers => { 'User-Agent' => "\xc3\xa9" x 300 });
is($res->code, 201, 'auth token with a long User-Agent: 201');
is(db_value('SELECT char_length(user_agent) FROM auth_tokens'), 255, 'its User-Agent stored as 255 characters');
wrote();

# ---- 2. path parameters: traversal and percent-encoding tricks -----------------------------
# The module gets the path undecoded (mod_accounts.c, pre_translate_name)
# and decodes each segment once: an id is a decimal integer or the route does
# not match (api.md 1.2).
my $route = qr/^The route .* could not be found\.$/;
my @ids = (
    [ "..%2F$bid", $route ], [ "%2e%2e%2F$bid", $route ], [ "%2e%2e/$bid", $route ], [ "..%252F$bid", $route ],
    [ '%25' . sprintf('%02X', ord $aid) . substr($aid, 1), $route ],   # %2533 is "%33", not 3
    [ "$aid%2F", $route ], [ "$aid%2f..", $route ], [ "$aid%00", $route ], [ "$aid%0A", $route ], [ "$aid;x", $route ],
    [ "$aid%20", $route ], [ "%20$aid", $route ], [ "$aid.0", $route ], [ '1e3', $route ], [ '0x10', $route ],
    [ '-1', $route ], [ '+1', $route ], [ '%2B1', $route ], [ '%D9%A1', $route ], [ '%EF%BC%91', $route ],
    [ '%F0%9D%9F%8F', $route ], [ '%E2%81%B9', $route ],
    [ '99999999999999999999', 'Account not found' ], [ '12345678901234567890123', 'Account not found' ],
    [ '9223372036854775808', 'Account not found' ], [ '0', 'Account not found' ],
    [ $bid, 'Account not found' ], [ "$bid/", 'Account not found' ], [ "0000$bid", 'Account not found' ],
);
for my $case (@ids) {
    my ($id, $message) = @$case;
    refused("GET /accounts/$id", A(GET => "/accounts/$id"), 404, $message);
}
# Writes with the same ids: nothing is touched.
my %writes = map { $_ => 1 } "..%2F$bid", "%2e%2e%2F$bid", "%2e%2e/$bid", "..%252F$bid", "$aid%00", '99999999999999999999', $bid;
for my $case (grep { $writes{$_->[0]} || $_->[0] =~ /^%25/ } @ids) {
    my ($id, $message) = @$case;
    refused("DELETE /accounts/$id", A(DELETE => "/accounts/$id"), 404, $message);
    refused("POST /accounts/$id/block", A(POST => "/accounts/$id/block"), 404, $message);
    refused("PUT /accounts/$id", A(PUT => "/accounts/$id", json => { username => 'putfresh1', password => $password, algorithm => 'MD5' }),
            404, $message);
}
# Malformed escapes never reach the module: Apache refuses the request
# target itself (400, its own page), and nothing is written.
$res = A(DELETE => "/accounts/$aid%zz");
is($res->code, 400, "DELETE /accounts/$aid%zz: Apache's 400");
unchanged('a malformed escape');
# Normalised paths name the same resource: a trailing slash, doubled slashes,
# leading zeros (still the vhost's Space only).
# %3N is the digit N itself (an unreserved character, RFC 3986): decoded once.
for my $same ("$aid/", "$aid//", "/$aid", "0000$aid", join('', map { sprintf '%%%02X', ord } split //, $aid)) {
    my $r = A(GET => "/accounts/$same");
    is_deeply([ $r->code, json_of($r) && json_of($r)->{username} ], [ 200, 'victim1' ], "GET /accounts/$same is account $aid");
}
# Traversal out of the API's <Location> leaves the module: Apache's 404, no data.
for my $case ([ space_a => "/api/../sip/v1/accounts/$bid", $admin_b ], [ space_b => "/sip/v1/../api/accounts/$aid", $admin_b ],
              [ space_a => "/api/accounts/..%2F..%2Fsip/v1/accounts/$bid", $admin_b ]) {
    my ($space, $path, $key) = @$case;
    $res = call($space => GET => $path, headers => { 'x-api-key' => $key });
    ok($res->code == 404 && $res->content !~ /"username"/, "$space $path: 404, no account");
}
# {sip} parameters: decoded once, the part after '@' must be the Space's.
for my $case ([ 'inb00001%40b.test', 'Account not found' ], [ 'victim1%40a.test%2F..%2F..%2Fb.test', 'Account not found' ],
              [ 'victim1%2540a.test', 'Account not found' ], [ 'victim1@a.test%00', $route ], [ 'victim1@b.test', 'Account not found' ]) {
    refused("GET /accounts/$case->[0]/info", call(space_a => GET => "/api/accounts/$case->[0]/info"), 404, $case->[1]);
}
refused('search of a B account on A', A(GET => '/accounts/inb00001@b.test/search'), 404, 'SIP address not found');
refused('search, %2540', A(GET => '/accounts/victim1%2540a.test/search'), 404, 'SIP address not found');

# ---- 3. header injection through the email endpoints ------------------------------------------
sub mails { opendir(my $d, $maildir) or return 0; scalar grep { /\.eml$/ } readdir $d }
my $mails = mails();
my $invalid = [ 'The email must be a valid email address.' ];
for my $email ("x\@example.org\r\nBcc: evil\@example.org", "x\@example.org\nBcc: evil\@example.org",
               "x\@example.org\rBcc: evil\@example.org", 'x@example.org, evil@example.org', 'Friends: evil@example.org;',
               "x\@example.org\r\n\r\nbody", "\"x\r\ny\"\@example.org") {
    (my $shown = $email) =~ s/\r/\\r/g;
    $shown =~ s/\n/\\n/g;
    $res = A(POST => '/accounts', json => { username => 'inject01', password => $password, algorithm => 'MD5', email => $email });
    is_deeply([ $res->code, json_of($res)->{errors} ], [ 422, { email => $invalid } ], "POST /accounts email '$shown': 422");
    unchanged("POST /accounts email '$shown'");
    $res = A(PUT => "/accounts/$aid", json => { username => 'victim1', password => $password, algorithm => 'MD5', email => $email });
    is_deeply([ $res->code, json_of($res)->{errors} ], [ 422, { email => $invalid } ], "PUT email '$shown': 422");
    unchanged("PUT email '$shown'");
}
$res = A(POST => '/accounts', body => "username=inject02&password=$password&algorithm=MD5&email=x%40example.org%0D%0ABcc%3A+evil%40example.org",
         headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is_deeply([ $res->code, json_of($res)->{errors} ], [ 422, { email => $invalid } ], 'form email with CR LF: 422');
unchanged('form email with CR LF');
$res = A(POST => '/accounts', json => { username => "inject03\r\nbcc: evil", password => $password, algorithm => 'MD5' });
is_deeply([ $res->code, json_of($res)->{errors}{username} ], [ 422, [ 'The username should be a valid SIP username' ] ],
          'username with CR LF: 422');
unchanged('username with CR LF');

# display_name has no rule but its length (api.md 4.9): CR LF is stored, and
# never reaches a header of the mails.
$res = A(POST => '/accounts', json => { username => 'mailok01', password => $password, algorithm => 'MD5',
                                        email => 'mailok01@example.org', display_name => "Mallory\r\nBcc: evil\@example.org" });
is($res->code, 200, 'display_name with CR LF: stored');
my $mid = json_of($res)->{id};
wrote();
for my $what (qw(send_provisioning_email send_reset_password_email)) {
    is(A(POST => "/accounts/$mid/$what")->code, 200, "$what to that account: 200");
    opendir(my $d, $maildir) or die $!;
    my ($f) = reverse sort grep { /\.eml$/ } readdir $d;
    open my $fh, '<', "$maildir/$f" or die $!;
    my ($head) = split /\n\n/, do { local $/; <$fh> }, 2;
    is_deeply([ map { /^([^:]+):/ ? $1 : "<$_>" } split /\n/, $head ],
              [ qw(From To Subject Date Message-ID MIME-Version Content-Type Content-Transfer-Encoding) ],
              "$what: only the expected header lines");
    unlike($head, qr/evil|Mallory/i, "$what: the display name is in no header");
    like($head, qr/^To: mailok01\@example\.org$/m, "$what: To is the account's address alone");
}
wrote();
$mails = mails();
# Addresses stored by other means than the API (the database is shared with
# Flexisip): no mail goes to what the email rule refuses (handlers/emails.c).
for my $email ("victim\@example.org\r\nBcc: evil\@example.org", 'victim@example.org, evil@example.org',
               'Friends: evil@example.org;', "victim\@example.org\nSubject: hi") {
    (my $literal = $email) =~ s/'/''/g;
    sql("UPDATE accounts SET email = '$literal' WHERE id = $aid");
    wrote();
    for my $what (qw(send_provisioning_email send_reset_password_email)) {
        (my $shown = $email) =~ s/\r?\n/\\n/g;
        refused("$what to a stored '$shown'", A(POST => "/accounts/$aid/$what"), 403, 'No email configured');
    }
}
is(mails(), $mails, 'no mail was sent to those addresses');
like(error_log(), qr/account $aid: its stored email is not a valid address, no email sent/, 'each refusal is logged');
sql("UPDATE accounts SET email = NULL WHERE id = $aid");
wrote();

# ---- 4. a burst of 1,000 bad digest attempts ---------------------------------------------------
# Each gets its 401 (or the 4xx of api.md 2.3: 422 for a bad field, 404 for an
# unknown account), never a 5xx; none of them stores anything (nonces are
# stateless and only an authenticated request records its nc), so the
# account's nonce rows stay the one of its single successful request.
my $burst = make_account('burst001', 'a.test', realm => $realm, passwords => { MD5 => 'burst-pass-1' });
my $me = '/api/accounts/me';
my $bfrom = { From => 'sip:burst001@a.test' };
my %bauth = (username => 'burst001', realm => $realm, password => 'burst-pass-1', method => 'GET', uri => $me);
($c) = challenges(call(space_a => GET => $me, headers => $bfrom));
# One nonce used once, successfully: what the replays below replay.
my $used = $c->{nonce};
is(call(space_a => GET => $me, headers => { %$bfrom, Authorization => digest_header(%bauth, nonce => $used,
        opaque => $c->{opaque}, nc => '00000001') })->code, 200, 'one successful request before the burst');
($c) = challenges(call(space_a => GET => $me, headers => $bfrom));
my $replays = 0;
my @garbage = ('Basic Zm9vOmJhcg==', 'Digest', 'Digest ,,,', 'Digest username="burst001", nonce="abc',
               'Digest nonce', 'Digest nonce=' . ('a' x 5000), 'Bearer eyJhbGciOiJub25lIn0.e30.', 'Digest nonce="' . ('0' x 64) . '"');
my (%statuses, @unexpected, $max_nonces);
for my $i (0 .. 999) {
    my $kind = $i % 5;
    my ($headers, $want);
    if ($kind == 0) {          # wrong response with a live nonce
        $headers = { %$bfrom, Authorization => digest_header(%bauth, nonce => $c->{nonce}, opaque => $c->{opaque},
                                                             nc => sprintf('%08x', $i + 1), response => 'f' x 32) };
        $want = '401 Unauthorized';
    }
    elsif ($kind == 1) {       # the used nonce again, same nc: a replay; revoked from then on
        $headers = { %$bfrom, Authorization => digest_header(%bauth, nonce => $used, opaque => $c->{opaque}, nc => '00000001') };
        $want = $replays++ ? '401 Nonce invalid' : '401 Nonce replayed';
    }
    elsif ($kind == 2) {       # a stale nonce: never issued, or older than AccountsNonceMaxAge (60 minutes)
        my $nonce = $i % 10 == 2
            ? mint_nonce(space => 'a.test', username => 'burst001', domain => 'a.test', age_seconds => 3661)
            : sprintf('%064x', $i);
        $headers = { %$bfrom, Authorization => digest_header(%bauth, nonce => $nonce, opaque => $c->{opaque}, nc => sprintf('%08x', $i + 1)) };
        $want = '401 Nonce invalid';
    }
    elsif ($kind == 3) {       # garbage
        $headers = { %$bfrom, Authorization => $garbage[$i % @garbage] };
        $want = '401 Nonce invalid';
    }
    else {                     # a bad field (422), an unknown account (404), a bad From (401)
        my $sub = int($i / 5) % 3;
        $headers = $sub == 0 ? { %$bfrom, Authorization => digest_header(%bauth, nonce => $c->{nonce}, opaque => 'forged', nc => sprintf('%08x', $i + 1)) }
                 : $sub == 1 ? { From => "sip:ghost$i\@a.test", Authorization => $garbage[0] }
                 :             { From => "<sip:burst001\@a.test>;tag=$i" };
        $want = ('422', '404', '401 Invalid SIP address')[$sub];
    }
    my $r = call(space_a => GET => $me, headers => $headers);
    $statuses{$r->code}++;
    my $got = $r->code == 401 ? '401 ' . $r->content : $r->code;
    push @unexpected, "#$i: $got (wanted $want)" if $got ne $want;
    ($c) = challenges($r) if $r->header('WWW-Authenticate');
    if ($i % 50 == 49) {
        my $n = db_value("SELECT count(*) FROM digest_nonces WHERE account_id = $burst");
        $max_nonces = $n if !defined $max_nonces || $n > $max_nonces;
    }
}
is_deeply(\@unexpected, [], '1,000 bad attempts: each got the expected 4xx')
    or diag(join "\n", @unexpected[0 .. ($#unexpected < 9 ? $#unexpected : 9)]);
ok(!grep({ $_ >= 500 } keys %statuses), 'no 5xx: ' . join(', ', map { "$_ x $statuses{$_}" } sort keys %statuses));
is($max_nonces, 1, 'the bad attempts stored nothing: the account keeps the one row of its successful request');
is(db_value('SELECT count(*) FROM digest_nonces WHERE account_id <> ' . $burst . " AND account_id <> $aid"), 0,
   'no nonce for any other account');
my ($ok) = digest_call(space_a => GET => $me, username => 'burst001', domain => 'a.test', password => 'burst-pass-1');
is($ok->code, 200, 'the account still authenticates afterwards');

done_testing();
