# Hostile request bodies (issue 7, part 4): oversized and deeply nested
# bodies, duplicate keys, a wrong JSON type in every field of the three
# account-writing endpoints, NUL bytes and invalid UTF-8 in every string
# field, SQL metacharacters. Every refusal is a clean 4xx with a JSON
# message, and every table is as it was before (Accounts::Snapshot).
# bad_input.t has the basics (malformed JSON, 2 MiB and 10 MB bodies);
# hostile_requests.t the headers, paths, emails and the digest burst.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;
use Digest::SHA qw(sha256_hex);
use Encode ();
use JSON::PP ();

reset_db();
my $admin = create_admin('admina', 'a.test');
my $put_id = make_account('putme1', 'a.test');
my $reset_id = make_account('resetme1', 'a.test', passwords => { MD5 => 'reset-old-1' });
my (undef, $token) = accountsctl('creation-token', '--space', 'a.test');
chomp $token;
my $password = 'secret123';
remember_secret($password, 'new-secret-1');

my $create = '/api/accounts/with-account-creation-token';
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin, %{ $o{headers} || {} } }) }
sub raw_json { my ($m, $p, $body, %h) = @_; A($m, $p, body => $body, headers => { 'Content-Type' => 'application/json', %h }) }
sub raw_form { my ($m, $p, $body) = @_; A($m, $p, body => $body, headers => { 'Content-Type' => 'application/x-www-form-urlencoded' }) }

# ---- the two checks of every case -----------------------------------------------
my $before = db_snapshot();
sub unchanged { my ($name) = @_; is_deeply(db_snapshot(), $before, "$name: nothing written") }
sub wrote { $before = db_snapshot() }   # after a request meant to write

# A clean 4xx: the status, a JSON object body whose message is $message
# (a string or a regex), and the database untouched.
sub refused {
    my ($name, $res, $status, $message) = @_;
    my $body = json_of($res);
    my $got = ref $body eq 'HASH' ? $body->{message} : undef;
    ok($res->code == $status && ($res->header('Content-Type') // '') eq 'application/json'
       && defined $got && (ref $message ? $got =~ $message : $got eq $message),
       "$name: $status, JSON message") or diag($res->code . ' ' . substr($res->content, 0, 300));
    unchanged($name);
}

# ---- 1. body size: the module's 1 MiB cap (request.c) ---------------------------------
my $MiB = 1024 * 1024;
# A JSON body of exactly $len bytes whose display_name is too long: read
# and validated, it is a 422.
sub sized_json {
    my ($len) = @_;
    my $head = qq({"username":"bigbody1","password":"$password","algorithm":"MD5","display_name":");
    return $head . ('x' x ($len - length($head) - 2)) . '"}';
}
# The same body sent chunked (no Content-Length: the cap is applied while reading).
sub chunked { my ($text) = @_; my $off = 0; sub { my $c = substr($text, $off, 65536); $off += length $c; $c } }
my $too_long = 'The display name may not be greater than 255 characters.';

is(length sized_json($MiB), $MiB, 'the test body is exactly 1 MiB');
refused('exactly 1 MiB: read and validated', raw_json(POST => '/accounts', sized_json($MiB)), 422, $too_long);
refused('1 MiB + 1 byte', raw_json(POST => '/accounts', sized_json($MiB + 1)), 413, 'Request body too large');
refused('1 MiB chunked: read and validated',
        raw_json(POST => '/accounts', chunked(sized_json($MiB))), 422, $too_long);
refused('1 MiB + 1 chunked', raw_json(POST => '/accounts', chunked(sized_json($MiB + 1))), 413,
        'Request body too large');
refused('1 MiB + 1 form body', raw_form(POST => '/accounts', 'username=bigform1&display_name=' . ('x' x $MiB)),
        413, 'Request body too large');
refused('1 MiB + 1 on PUT', raw_json(PUT => "/accounts/$put_id", sized_json($MiB + 1)), 413, 'Request body too large');
refused('1 MiB + 1, anonymous: the size is checked before authentication',
        call(space_a => POST => '/api/accounts', body => sized_json($MiB + 1),
             headers => { 'Content-Type' => 'application/json' }), 413, 'Request body too large');

# ---- 2. nesting -------------------------------------------------------------------------
my $arrays = ('[' x 10_000) . (']' x 10_000);
my $objects = ('{"a":' x 10_000) . '1' . ('}' x 10_000);
my $deep = qr/^Invalid JSON: /;
refused('10,000 nested arrays', raw_json(POST => '/accounts', $arrays), 400, $deep);
refused('10,000 nested objects', raw_json(POST => '/accounts', $objects), 400, $deep);
refused('10,000 unclosed arrays', raw_json(POST => '/accounts', '[' x 10_000), 400, $deep);
refused('10,000 nested arrays in a field', raw_json(POST => '/accounts', qq({"username":"deep00001","dictionary":$arrays})),
        400, $deep);
refused('10,000 nested arrays on PUT', raw_json(PUT => "/accounts/$put_id", $arrays), 400, $deep);
refused('10,000 nested arrays on public creation',
        call(space_a => POST => $create, body => $arrays, headers => { 'Content-Type' => 'application/json' }), 400, $deep);
refused('10,000 nested arrays, anonymous: parsed before authentication',
        call(space_a => POST => '/api/accounts', body => $arrays, headers => { 'Content-Type' => 'application/json' }),
        400, $deep);
# The parser's limit (64 levels, api.md asks for at least 32).
sub nested_dictionary { my ($depth) = @_; qq({"username":"deep00001","dictionary":) . ('[' x ($depth - 1)) . (']' x ($depth - 1)) . '}' }
my $res = raw_json(POST => '/accounts', nested_dictionary(64));
is_deeply([ $res->code, json_of($res)->{errors}{dictionary} ],
          [ 422, [ 'The dictionary must be an associative dictionary of strings' ] ], '64 levels: parsed, then validated');
unchanged('64 levels');
refused('65 levels', raw_json(POST => '/accounts', nested_dictionary(65)), 400, 'Invalid JSON: nesting too deep');

# ---- 3. duplicate keys: the last one wins, and is what gets validated ---------------------
$res = raw_json(POST => '/accounts', qq({"username":"dupfirst1","username":"duplast01","password":"$password","algorithm":"MD5"}));
is_deeply([ $res->code, json_of($res)->{username} ], [ 200, 'duplast01' ], 'duplicate username: the last one is used');
is(sql_value("SELECT string_agg(username, ',') FROM accounts WHERE username LIKE 'dup%'"), 'duplast01',
   'and only it is stored');
wrote();
refused('duplicate username, the last one not a string',
        raw_json(POST => '/accounts', qq({"username":"dupgood01","username":12345678,"password":"$password","algorithm":"MD5"})),
        422, 'The username must be a string.');
refused('duplicate admin flag, the last one invalid',
        raw_json(POST => '/accounts', qq({"username":"dupgood02","admin":true,"admin":"yes","password":"$password","algorithm":"MD5"})),
        422, 'The admin field must be true or false.');
$res = raw_json(POST => '/accounts', qq({"username":12345678,"username":"duplast02","password":"$password","algorithm":"MD5"}));
is_deeply([ $res->code, json_of($res)->{username} ], [ 200, 'duplast02' ], 'an invalid first value is replaced by a valid last one');
wrote();
$res = raw_json(POST => '/accounts', qq({"username":"duplast03","password":"$password","algorithm":"MD5","dictionary":{"k":"first","k":"last"}}));
is_deeply([ $res->code, json_of($res)->{dictionary} ], [ 200, { k => 'last' } ], 'duplicate dictionary key: the last value');
is(sql_value("SELECT string_agg(key || '=' || value, ',') FROM account_dictionary_entries WHERE account_id = " . json_of($res)->{id}),
   'k=last', 'one entry stored');
wrote();
$res = raw_form(POST => '/accounts', "username=dupform01&username=dupform02&password=$password&algorithm=MD5");
is_deeply([ $res->code, json_of($res)->{username} ], [ 200, 'dupform02' ], 'form body: the last value wins too');
wrote();

# ---- 4. a wrong JSON type in every field -----------------------------------------------------
# Values of each type; the expected messages of a field for each (undef: the
# value is valid there). Every body also carries algorithm "MD4" (except when
# algorithm itself is tested), so even a valid value writes nothing.
my %value = (
    number => 12345678, float => 1.5, true => JSON::PP::true, false => JSON::PP::false,
    'empty array' => [], array => [ 'x' ], 'empty object' => {}, object => { a => 'b' },
    null => undef, 'string "true"' => 'true',
);
my @types = sort keys %value;
my %empty = map { $_ => 1 } 'null', 'empty array', 'empty object';   # what 'required' refuses
sub required_string { my ($attr) = @_; sub { $_[0] =~ /^string/ ? () : $empty{$_[0]} ? ("The $attr field is required.") : ("The $attr must be a string.") } }
my %rule = (
    username => required_string('username'),
    password => required_string('password'),
    algorithm => sub { $empty{$_[0]} ? ('The algorithm field is required.') : ('The password algorithm must be in MD5, SHA-256') },
    account_creation_token => sub { $empty{$_[0]} ? ('The account creation token field is required.')
                                    : ('Please provide a valid account_creation_token', 'The provided token is expired') },
    email => sub { $_[0] eq 'null' ? () : ('The email must be a valid email address.') },
    dtmf_protocol => sub { $_[0] eq 'null' ? () : ('The selected dtmf protocol is invalid.') },
    phone => sub { $_[0] eq 'null' ? () : ('The phone field contains an invalid number.',
                                           'The phone number must belong to an authorized country.') },
    dictionary => sub { $_[0] =~ /^(empty array|empty object|object)$/ ? ()
                        : ('The dictionary must be an associative dictionary of strings') },
    domain => sub { ('The selected domain is invalid.') },
    display_name => sub { $_[0] =~ /^(null|string)/ ? () : ('The display name must be a string.') },
    map { my $f = $_; ($f => sub { $_[0] =~ /^(null|true|false)$/ ? () : ("The $f field must be true or false.") }) }
        qw(admin activated blocked),
);
my %endpoint = (
    'POST /accounts' => [ sub { A(POST => '/accounts', json => $_[0]) },
                          { username => 'typecase1', password => $password, algorithm => 'MD5' },
                          [ qw(username domain dictionary password email dtmf_protocol phone algorithm admin activated display_name) ] ],
    'PUT /accounts/{id}' => [ sub { A(PUT => "/accounts/$put_id", json => $_[0]) },
                              { username => 'putme1', password => $password, algorithm => 'MD5' },
                              [ qw(username domain email dtmf_protocol phone password algorithm admin activated blocked display_name dictionary) ] ],
    'POST /accounts/with-account-creation-token' => [
        sub { call(space_a => POST => $create, json => $_[0]) },
        { username => 'typecase2', password => $password, algorithm => 'MD5', account_creation_token => $token },
        [ qw(username domain dictionary password email dtmf_protocol phone account_creation_token algorithm) ] ],
);
my $poison = [ 'The password algorithm must be in MD5, SHA-256' ];
for my $ep (sort keys %endpoint) {
    my ($send, $base, $fields) = @{ $endpoint{$ep} };
    for my $field (@$fields) {
        for my $type (@types) {
            # A string where a string is expected is no wrong type.
            next if $type =~ /^string/ && $field =~ /^(username|password|algorithm|email|dtmf_protocol|phone|domain|display_name|account_creation_token)$/;
            my %body = (%$base, $field => $value{$type});
            my %want;
            my @messages = $rule{$field}->($type);
            $want{$field} = \@messages if @messages;
            if ($field ne 'algorithm') {
                $body{algorithm} = 'MD4';
                $want{algorithm} = $poison;
            }
            my $res = $send->(\%body);
            my $errors = json_of($res) ? json_of($res)->{errors} : undef;
            is_deeply([ $res->code, $errors, db_snapshot() ], [ 422, \%want, $before ],
                      "$ep, $field = $type: " . (@messages ? 'refused' : 'accepted') . ', nothing written');
        }
    }
}
# Wrong types inside the dictionary.
for my $dict ({ a => 1 }, { a => [ 'x' ] }, { a => undef }, { a => { b => 'c' } }, { 1 => 'x' }, { '' => 'x' }) {
    my $res = A(POST => '/accounts', json => { username => 'typecase3', password => $password, algorithm => 'MD5', dictionary => $dict });
    is_deeply([ $res->code, json_of($res)->{errors}, db_snapshot() ],
              [ 422, { dictionary => [ 'The dictionary must be an associative dictionary of strings' ] }, $before ],
              'dictionary ' . JSON::PP->new->canonical->allow_nonref->encode($dict) . ': refused, nothing written');
}

# ---- 5. NUL and invalid UTF-8 in every string field ------------------------------------------
# api.md 1.3: in JSON both make the body invalid (400 Invalid JSON). Form
# bodies get the same treatment (400 Invalid form data), before
# authentication like the JSON check.
my @bad_utf8 = ([ "\xff", 'byte FF' ], [ "\xc0\xaf", 'overlong /' ], [ "\xed\xa0\x80", 'UTF-16 surrogate' ],
                [ "\xf4\x90\x80\x80", 'beyond U+10FFFF' ], [ "\xe2\x82", 'cut short' ]);
my @bad_form = ([ '%FF', 'byte FF' ], [ '%C0%AF', 'overlong /' ], [ '%ED%A0%80', 'UTF-16 surrogate' ]);
my %string_fields = (
    'POST /accounts' => [ [ POST => '/accounts' ], { username => 'nulcase1', password => $password, algorithm => 'MD5' },
                          [ qw(username password email display_name phone dtmf_protocol algorithm domain) ] ],
    'PUT /accounts/{id}' => [ [ PUT => "/accounts/$put_id" ], { username => 'putme1', password => $password, algorithm => 'MD5' },
                              [ qw(username password email display_name phone dtmf_protocol algorithm domain) ] ],
    'public creation' => [ [ POST => '/accounts/with-account-creation-token' ],
                           { username => 'nulcase2', password => $password, algorithm => 'MD5', account_creation_token => $token },
                           [ qw(username password email phone dtmf_protocol algorithm domain account_creation_token) ] ],
    'POST /accounts/me/password' => [ [ POST => '/accounts/me/password' ], { algorithm => 'MD5', password => 'new-secret-1' },
                                      [ qw(password old_password algorithm) ] ],
);
my $json = JSON::PP->new->canonical;
# The body of %$base with $field set to $raw (bytes spliced in after encoding).
sub json_with { my ($base, $field, $raw) = @_; my $text = $json->encode({ %$base, $field => 'MARKER' }); $text =~ s/MARKER/$raw/; $text }
sub form_with { my ($base, $field, $raw) = @_; join '&', map { "$_=" . ($_ eq $field ? $raw : $base->{$_}) } sort keys %{ { %$base, $field => 1 } } }
my $n = 0;
for my $ep (sort keys %string_fields) {
    my ($route, $base, $fields) = @{ $string_fields{$ep} };
    my ($m, $p) = @$route;
    for my $field (@$fields) {
        my ($utf8, $utf8_name) = @{ $bad_utf8[$n % @bad_utf8] };
        my ($form, $form_name) = @{ $bad_form[$n++ % @bad_form] };
        refused("$ep, \\u0000 in $field (JSON)", raw_json($m, $p, json_with($base, $field, 'ab\u0000cd')), 400,
                'Invalid JSON: a string contains a NUL character');
        refused("$ep, $utf8_name in $field (JSON)", raw_json($m, $p, json_with($base, $field, "ab${utf8}cd")), 400,
                qr/^Invalid JSON: .*utf-8/i);
        refused("$ep, %00 in $field (form)", raw_form($m, $p, form_with($base, $field, 'ab%00cd')), 400,
                'Invalid form data: a value contains a NUL character');
        refused("$ep, $form_name in $field (form)", raw_form($m, $p, form_with($base, $field, "ab${form}cd")), 400,
                'Invalid form data: Malformed UTF-8 characters, possibly incorrectly encoded');
    }
    # Dictionary keys and values (JSON only: forms have no nesting), and a NUL in a top-level key.
    next if $ep =~ /password/;
    for my $dict ('{"k":"ab\u0000cd"}', '{"ab\u0000cd":"v"}', '{"k":"ab\\\\u0000cd","x":"y\u0000"}') {
        my $text = json_with($base, 'dictionary', 'MARK2'); $text =~ s/"MARK2"/$dict/;
        refused("$ep, \\u0000 in the dictionary $dict", raw_json($m, $p, $text), 400, 'Invalid JSON: a string contains a NUL character');
    }
    for my $dict (qq({"k":"ab\xffcd"}), qq({"ab\xed\xa0\x80cd":"v"})) {
        my $text = json_with($base, 'dictionary', 'MARK2'); $text =~ s/"MARK2"/$dict/;
        refused("$ep, invalid UTF-8 in a dictionary " . ($dict =~ /^\{"k"/ ? 'value' : 'key'), raw_json($m, $p, $text), 400,
                qr/^Invalid JSON: .*utf-8/i);
    }
    my $text = json_with($base, 'display_name', 'x'); $text =~ s/"display_name"/"display_name\\u0000"/;
    refused("$ep, \\u0000 in a parameter name", raw_json($m, $p, $text), 400, 'Invalid JSON: a string contains a NUL character');
}
# An escaped backslash before u0000 is no NUL: stored as those 7 characters.
$res = raw_json(POST => '/accounts', qq({"username":"notnul01","password":"$password","algorithm":"MD5","display_name":"a\\\\u0000b"}));
is_deeply([ $res->code, json_of($res)->{display_name} ], [ 200, 'a\u0000b' ], 'an escaped backslash then u0000: no NUL, stored as text');
wrote();
# Anonymous: the body is refused before authentication (400, not 401).
refused('NUL, anonymous admin route', call(space_a => POST => '/api/accounts', body => '{"username":"a\u0000b"}',
                                           headers => { 'Content-Type' => 'application/json' }), 400,
        'Invalid JSON: a string contains a NUL character');
refused('%00, anonymous admin route', call(space_a => POST => '/api/accounts', body => 'username=a%00b',
                                           headers => { 'Content-Type' => 'application/x-www-form-urlencoded' }), 400,
        'Invalid form data: a value contains a NUL character');
# The reset-password page (a form): a valid token stays unused.
my $rtoken = 'RsT' . ('x' x 13);
remember_secret($rtoken);
sql("INSERT INTO reset_password_tokens (account_id, token_hash, email) VALUES ($reset_id, '" . sha256_hex($rtoken) . "', 'r\@example.org')");
wrote();
for my $case ([ 'password=ab%00cdefgh&password_confirmation=ab%00cdefgh', 'Invalid form data: a value contains a NUL character' ],
              [ 'password=ab%FFcdefgh&password_confirmation=ab%FFcdefgh', 'Invalid form data: Malformed UTF-8 characters, possibly incorrectly encoded' ]) {
    refused("reset page, $case->[1]", call(space_a => POST => "/api/password/reset/$rtoken", body => $case->[0],
                                           headers => { 'Content-Type' => 'application/x-www-form-urlencoded' }), 400, $case->[1]);
}

# ---- 6. SQL metacharacters: stored verbatim, read back identical ------------------------------
my @meta = (q{'; DROP TABLE accounts; --}, q{Robert'); DELETE FROM passwords; --}, q{back\slash \\ \' \" quote"},
            q{100% _off_ %% __ \%\_}, q{$1 $$ E'\x41' ::text /* */ ; COMMIT;}, "unicode \x{260E} \x{540D}\x{524D} \x{1F600}");
my $i = 0;
for my $m (@meta) {
    $i++;
    my %sent = (username => "meta_$i", password => $password, algorithm => 'MD5', display_name => $m,
                email => "o'brien%_x$i\@example.org", dictionary => { q{k'"%_\\} => $m });
    my $res = A(POST => '/accounts', json => \%sent);
    my $id = json_of($res) && json_of($res)->{id};
    my $show = json_of(A(GET => "/accounts/$id"));
    is_deeply([ $res->code, @{$show}{qw(username display_name email dictionary)} ],
              [ 200, @sent{qw(username display_name email dictionary)} ], "metacharacters $i: read back identical");
    is(db_value("SELECT display_name FROM accounts WHERE id = $id"), Encode::encode_utf8($m), "metacharacters $i: stored verbatim");
    wrote();
}
is(db_value("SELECT count(*) FROM accounts WHERE username LIKE 'meta\\_%'"), scalar @meta, 'no statement was injected');
my $meta_id = db_value("SELECT id FROM accounts WHERE username = 'meta_1'");
$res = A(PUT => "/accounts/$meta_id", json => { username => 'meta_1', password => $password, algorithm => 'MD5',
                                                display_name => $meta[1], email => q{it's%_@example.org} });
is_deeply([ $res->code, json_of(A(GET => "/accounts/$meta_id"))->{display_name} ], [ 200, $meta[1] ], 'PUT: read back identical');
wrote();

# % and _ in lookups match themselves only (no LIKE patterns).
for my $u ('abcxde1', 'abc_de1') {
    A(POST => '/accounts', json => { username => $u, password => $password, algorithm => 'MD5', email => ($u =~ s/abc(.)de1/a$1b/r) . '@example.org' });
}
wrote();
$res = A(GET => '/accounts/abc_de1@a.test/search');
is(json_of($res)->{username}, 'abc_de1', '_ in a search is literal (abcxde1 was created first)');
for my $miss ('_bc_de1@a.test', 'abc%25@a.test', '%25@a.test', 'abc%25de1@a.test') {
    refused("search $miss", A(GET => "/accounts/$miss/search"), 404, 'SIP address not found');
}
$res = A(GET => '/accounts/a_b@example.org/search-by-email');
is(json_of($res)->{username}, 'abc_de1', '_ in search-by-email is literal (axb@ was created first)');
is(json_of(A(GET => '/accounts/A_B@EXAMPLE.ORG/search-by-email'))->{username}, 'abc_de1', 'still case-insensitive');
is(json_of(A(GET => "/accounts/o'brien%25_x3\@example.org/search-by-email"))->{username}, 'meta_3', 'quote and % found exactly');
for my $miss ('%25@example.org', 'a%25@example.org', '_@example.org', "o'brien%25\@example.org") {
    refused("search-by-email $miss", A(GET => "/accounts/$miss/search-by-email"), 404, 'Email address not found');
}

done_testing();
