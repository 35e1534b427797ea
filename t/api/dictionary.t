# An account's dictionary, entry by entry (api-lifecycle.md 7, 7.1, 11):
# exact bodies, the 404s (account first, then entry), the key and value
# rules, percent-decoded keys, Space isolation, blocked callers, nothing
# written on refusal, the storage shared with the Account's "dictionary",
# and concurrent writers of one key.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;
use Accounts::Race;
use JSON::PP ();

plan tests => 90;

reset_db();
my $admin_a = create_admin('dictadmin', 'a.test');
my $admin_b = create_admin('dictadmin', 'b.test');
my $super = create_admin('dictroot', 'super.test');
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin_a, %{ $o{headers} || {} } }) }
sub B { my ($m, $p, %o) = @_; call(space_b => $m, "/sip/v1$p", %o, headers => { 'x-api-key' => $admin_b, %{ $o{headers} || {} } }) }
sub S { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $super, %{ $o{headers} || {} } }) }
sub answer { my ($res) = @_; [ $res->code, $res->content ] }
sub refused { my ($res) = @_; [ $res->code, json_of($res) ] }
sub text_html { my ($res) = @_; ($res->header('Content-Type') // '') =~ m{^text/html; charset=UTF-8} }
sub entries { my ($id) = @_; [ sql("SELECT key || '=' || value FROM account_dictionary_entries WHERE account_id = $id ORDER BY id") ] }

# An account with a dictionary, set through POST /accounts (the same storage).
my $res = A(POST => '/accounts', json => { username => 'dictuser1', password => 'secret123', algorithm => 'MD5',
                                          dictionary => { lang => 'fr', theme => 'dark' } });
my $id = json_of($res)->{id};
my $empty = make_account('dictempty', 'a.test');
my $in_b = make_account('dictuserb', 'b.test');
sql("INSERT INTO account_dictionary_entries (account_id, key, value) VALUES ($in_b, 'secret', 'of-b')");

# ---- reading -------------------------------------------------------------------------
$res = A(GET => "/accounts/$id/dictionary");
is_deeply(answer($res), [ 200, '{"lang":"fr","theme":"dark"}' ], 'GET dictionary: the entries, in insertion order');
like($res->header('Content-Type'), qr{^application/json}, 'as JSON');
is_deeply(answer(A(GET => "/accounts/$empty/dictionary")), [ 200, '{}' ], 'no entry: {} (never [])');
is_deeply(answer(A(GET => "/accounts/$id/dictionary/lang")), [ 200, '{"value":"fr"}' ], 'GET an entry: {"value": ...}');
is_deeply(refused(A(GET => "/accounts/$id/dictionary/nope")), [ 404, { message => 'Dictionary entry not found' } ],
          'an unknown key: 404 Dictionary entry not found');
is_deeply(refused(A(GET => "/accounts/$id/dictionary/LANG")), [ 404, { message => 'Dictionary entry not found' } ],
          'keys are case-sensitive');

# ---- writing ---------------------------------------------------------------------------
$res = A(POST => "/accounts/$id/dictionary/color", json => { value => 'blue' });
is_deeply(answer($res), [ 201, '{"value":"blue"}' ], 'POST a new key: 201 {"value": ...}');
like($res->header('Content-Type'), qr{^application/json}, 'as JSON');
$res = A(POST => "/accounts/$id/dictionary/lang", json => { value => "  en \n" });
is_deeply(answer($res), [ 201, '{"value":"en"}' ], 'POST an existing key: 201 too, the value trimmed');
is_deeply(answer(A(GET => "/accounts/$id/dictionary")), [ 200, '{"theme":"dark","color":"blue","lang":"en"}' ],
          'a replaced key moves to the end (FlexiAPI deletes and re-inserts)');
like(A(GET => "/accounts/$id")->content, qr/"dictionary":\{"theme":"dark","color":"blue","lang":"en"\}/,
     "the Account object shows the same entries, in the same order");
is_deeply(entries($id), [ 'theme=dark', 'color=blue', 'lang=en' ], 'one row per key');
$res = A(POST => "/accounts/$id/dictionary/form", body => 'value=from+a+form',
         headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is_deeply(answer($res), [ 201, '{"value":"from a form"}' ], 'a form body works too');
is_deeply(answer(A(POST => "/accounts/$id/dictionary/1", json => { value => 'one' })), [ 201, '{"value":"one"}' ],
          'an integer-looking key is accepted here (unlike the dictionary parameter)');
my $long = 'k' x 255;
is_deeply(answer(A(POST => "/accounts/$id/dictionary/$long", json => { value => 'v' x 255 })), [ 201, '{"value":"' . ('v' x 255) . '"}' ],
          'a key and a value of 255 characters');
is_deeply(answer(A(GET => "/accounts/$id/dictionary/$long")), [ 200, '{"value":"' . ('v' x 255) . '"}' ], 'read back');
my $e255 = "%C3%A9" x 255;
is(A(POST => "/accounts/$id/dictionary/$e255", json => { value => "\x{e9}" x 255 })->code, 201,
   '255 characters count as characters, not bytes (key and value)');

# Percent-decoded keys: one path segment, any character.
is_deeply(answer(A(POST => "/accounts/$id/dictionary/a%2Fb%20c%3F", json => { value => 'slash' })), [ 201, '{"value":"slash"}' ],
          'a key with an encoded slash, space and question mark');
is(sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $id AND key = 'a/b c?'"), 1,
   'stored decoded');
is_deeply(answer(A(GET => "/accounts/$id/dictionary/a%2fb%20c%3f")), [ 200, '{"value":"slash"}' ], 'read with other escapes');
is_deeply(answer(A(POST => "/accounts/$id/dictionary/%C3%A9t%C3%A9", json => { value => 'summer' })), [ 201, '{"value":"summer"}' ],
          'a UTF-8 key');
is(sql_value("SELECT value FROM account_dictionary_entries WHERE account_id = $id AND key = 'été'"), 'summer', 'stored as UTF-8');
is(sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $id AND key = '%C3%A9t%C3%A9'"), 0,
   'decoded once');
# The listing reads dictionaries only for accounts flagged as having some
# (sql/0007 has_extras): a first entry set here flags the account.
is(sql_value("SELECT has_extras FROM accounts WHERE id = $empty"), 'f', 'an account that never had an entry is not flagged');
A(POST => "/accounts/$empty/dictionary/first", json => { value => 'entry' });
my ($listed) = grep { $_->{id} == $empty } @{ json_of(A(GET => '/accounts'))->{data} };
is_deeply($listed->{dictionary}, { first => 'entry' }, "GET /accounts shows an entry set by this route");
is_deeply(answer(A(DELETE => "/accounts/$empty/dictionary/first")), [ 200, '1' ], 'and it goes');

# ---- refusals: 422, nothing written -------------------------------------------------------
my $before = db_snapshot();
sub same_db { my ($name) = @_; is_deeply(db_snapshot(), $before, "$name: nothing written") }
my $req = 'The value field is required.';
is_deeply(refused(A(POST => "/accounts/$id/dictionary/k2")), [ 422, { message => $req, errors => { value => [ $req ] } } ],
          'no value: 422 required');
is_deeply(refused(A(POST => "/accounts/$id/dictionary/k2", json => { value => '   ' })), [ 422, { message => $req, errors => { value => [ $req ] } } ],
          'a blank value: required (trimmed to null)');
my $str = 'The value must be a string.';
for my $v (5, JSON::PP::true, [ 'x' ], { a => 'b' }) {
    is_deeply(refused(A(POST => "/accounts/$id/dictionary/k2", json => { value => $v })), [ 422, { message => $str, errors => { value => [ $str ] } } ],
              'value ' . JSON::PP->new->allow_nonref->encode($v) . ': must be a string');
}
my $max = 'The value may not be greater than 255 characters.';
is_deeply(refused(A(POST => "/accounts/$id/dictionary/k2", json => { value => 'v' x 256 })), [ 422, { message => $max, errors => { value => [ $max ] } } ],
          'a value of 256 characters: 422 max');
my $kmax = 'The key may not be greater than 255 characters.';
my $k256 = 'k' x 256;
is_deeply(refused(A(POST => "/accounts/$id/dictionary/$k256", json => { value => 'v' })), [ 422, { message => $kmax, errors => { key => [ $kmax ] } } ],
          'POST, a key of 256 characters: 422');
is_deeply(refused(A(POST => "/accounts/$id/dictionary/" . ('%C3%A9' x 256))), [ 422, { message => "$kmax (and 1 more error)", errors => { key => [ $kmax ], value => [ $req ] } } ],
          'both wrong: the key first, then the value');
is_deeply(refused(A(GET => "/accounts/$id/dictionary/$k256")), [ 422, { message => $kmax, errors => { key => [ $kmax ] } } ],
          'GET, a key of 256 characters: 422');
is_deeply(refused(A(DELETE => "/accounts/$id/dictionary/$k256")), [ 422, { message => $kmax, errors => { key => [ $kmax ] } } ],
          'DELETE, a key of 256 characters: 422');
# A key that is not UTF-8 names no entry (PostgreSQL could store none): the
# router answers its 404 for such a path, before any lookup.
# (Not the byte strings hostile.t sends as passwords: zzz_secrets.t would
# find them in the "no route" debug line.)
for my $case ([ GET => 'dk%FFey' ], [ DELETE => 'dk%FFey' ], [ POST => 'dk%C0%AFey', json => { value => 'v' } ]) {
    my ($m, $k, %o) = @$case;
    my $res = A($m => "/accounts/$id/dictionary/$k", %o);
    is_deeply([ $res->code, (json_of($res) // {})->{message} =~ /could not be found/ ? 1 : 0 ], [ 404, 1 ],
              "$m, a key that is not UTF-8: the routing 404");
}
same_db('the 422s');

# ---- 404s: the account comes first ---------------------------------------------------------
my @routes = ([ GET => '/dictionary' ], [ DELETE => '/dictionary' ], [ GET => '/dictionary/lang' ],
              [ POST => '/dictionary/lang', json => { value => 'stolen' } ], [ DELETE => '/dictionary/lang' ],
              [ POST => "/dictionary/$k256" ]);
my $nf = [ 404, { message => 'Account not found' } ];
for my $target ([ $in_b, "another Space's account" ], [ 999999, 'an unknown id' ], [ '99999999999999999999999', 'an id too large' ]) {
    my ($tid, $what) = @$target;
    is_deeply([ map { my ($m, $p, %o) = @$_; refused(A($m, "/accounts/$tid$p", %o)) } @routes ], [ ($nf) x @routes ],
              "admin of A, $what: 404 Account not found on every route, before any validation");
}
# The admin of B, on its own vhost, and A's account.
is_deeply([ map { my ($m, $p, %o) = @$_; refused(B($m, "/accounts/$id$p", %o)) } @routes ], [ ($nf) x @routes ],
          "admin of B on its vhost, A's account: 404 on every route");
# A super admin sees the vhost's Space: A's accounts on A's vhost, not B's.
is_deeply(answer(S(GET => "/accounts/$id/dictionary/theme")), [ 200, '{"value":"dark"}' ], "super admin on A's vhost: A's account");
is_deeply(refused(S(GET => "/accounts/$in_b/dictionary")), $nf, "super admin on A's vhost, B's account: 404");
is_deeply(answer(B(GET => "/accounts/$in_b/dictionary")), [ 200, '{"secret":"of-b"}' ], "B's admin reads B's account");
# On the super Space's own vhost, a super admin sees that Space's accounts only.
is_deeply([ map { my ($m, $p, %o) = @$_; refused(call(space_super => $m, "/api/accounts/$id$p", %o, headers => { 'x-api-key' => $super })) } @routes ],
          [ ($nf) x @routes ], "super admin on the super Space's vhost, A's account: 404 on every route");
is_deeply(refused(call(space_super => GET => "/api/accounts/$id/dictionary", headers => { 'x-api-key' => $admin_a })),
          [ 403, { message => 'Unauthorized area' } ], "admin of A on the super Space's vhost: 403");
same_db('the 404s');

# ---- who may call -----------------------------------------------------------------------------
my $user = make_account('dictplain', 'a.test');
my $user_key = (accountsctl('api-key', 'dictplain@a.test'))[1];
chomp $user_key;
my $ua = [ 403, { message => 'Unauthorized area' } ];
is_deeply(refused(call(space_a => GET => "/api/accounts/$id/dictionary", headers => { 'x-api-key' => $user_key })), $ua,
          'a user: 403 Unauthorized area');
is_deeply(refused(call(space_a => POST => "/api/accounts/$user/dictionary/x", json => { value => 'y' }, headers => { 'x-api-key' => $user_key })),
          $ua, 'a user writing its own dictionary: 403');
is(call(space_a => GET => "/api/accounts/$id/dictionary")->code, 401, 'anonymous: 401');
is_deeply(refused(call(space_b => DELETE => "/sip/v1/accounts/$in_b/dictionary", headers => { 'x-api-key' => $admin_a })), $ua,
          "admin of A on B's vhost: 403");
sql("UPDATE accounts SET blocked = true WHERE username = 'dictadmin' AND domain = 'a.test'");
$before = db_snapshot();
is_deeply(refused(A(POST => "/accounts/$id/dictionary/lang", json => { value => 'xx' })), [ 403, { message => 'Account blocked' } ],
          'a blocked admin: 403 Account blocked');
is_deeply(refused(A(DELETE => "/accounts/$id/dictionary")), [ 403, { message => 'Account blocked' } ], 'a blocked admin cannot clear');
same_db('the blocked admin');
sql("UPDATE accounts SET blocked = false WHERE username = 'dictadmin' AND domain = 'a.test'");

# ---- routing -----------------------------------------------------------------------------------
is_deeply(refused(A(GET => '/accounts/abc/dictionary')), [ 404, { message => 'The route api/accounts/abc/dictionary could not be found.' } ],
          'a non-decimal id: the routing 404');
$res = A(PUT => "/accounts/$id/dictionary/lang", json => { value => 'x' });
is_deeply([ $res->code, $res->header('Allow') ], [ 405, 'GET, HEAD, POST, DELETE' ], 'PUT on an entry: 405');
$res = A(POST => "/accounts/$id/dictionary", json => { value => 'x' });
is_deeply([ $res->code, $res->header('Allow') ], [ 405, 'GET, HEAD, DELETE' ], 'POST on the dictionary: 405');
is_deeply(answer(A(GET => "/accounts/$id/dictionary/lang/")), [ 200, '{"value":"en"}' ], 'a trailing slash is ignored');

# ---- deleting ----------------------------------------------------------------------------------
$res = A(DELETE => "/accounts/$id/dictionary/color");
is_deeply(answer($res), [ 200, '1' ], 'DELETE an entry: 1');
ok(text_html($res), 'the 1 as text/html');
$res = A(DELETE => "/accounts/$id/dictionary/color");
is_deeply(answer($res), [ 200, '0' ], 'again: 0');
ok(text_html($res), 'the 0 as text/html');
is_deeply(refused(A(GET => "/accounts/$id/dictionary/color")), [ 404, { message => 'Dictionary entry not found' } ], 'gone');
A(POST => "/accounts/$id/dictionary/clear", json => { value => 'an entry named clear' });
is_deeply(answer(A(DELETE => "/accounts/$id/dictionary/clear")), [ 200, '1' ],
          'DELETE .../dictionary/clear deletes the entry named clear (FlexiAPI\'s router)');
is_deeply(answer(A(GET => "/accounts/$id/dictionary/theme")), [ 200, '{"value":"dark"}' ], 'the other entries stay');
my $count = sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $id");
ok($count > 3, "$count entries before the clear");
$res = A(DELETE => "/accounts/$id/dictionary");
is_deeply(answer($res), [ 200, $count ], 'DELETE the dictionary: the number of entries deleted');
ok(text_html($res), 'as text/html');
is_deeply(answer(A(GET => "/accounts/$id/dictionary")), [ 200, '{}' ], 'empty now');
is_deeply(answer(A(DELETE => "/accounts/$id/dictionary")), [ 200, '0' ], 'clearing an empty dictionary: 0');
like(A(GET => "/accounts/$id")->content, qr/"dictionary":\{\}/, 'the Account shows {}');
is_deeply(answer(B(GET => "/accounts/$in_b/dictionary")), [ 200, '{"secret":"of-b"}' ], "B's entries untouched");

# PUT /accounts/{id} sets the same entries.
$res = A(PUT => "/accounts/$id", headers => { 'Content-Type' => 'application/json' },
         body => '{"username":"dictuser1","password":"secret123","algorithm":"MD5","dictionary":{"z":"1","a":"2"}}');
is($res->code, 200, 'PUT /accounts/{id} with a dictionary');
is_deeply(answer(A(GET => "/accounts/$id/dictionary")), [ 200, '{"z":"1","a":"2"}' ], 'the route sees what PUT set');

# Deleting the account deletes its entries.
is(A(DELETE => "/accounts/$id")->code, 200, 'account deleted');
is(sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $id"), 0, 'its entries are gone');
is_deeply(refused(A(GET => "/accounts/$id/dictionary")), $nf, 'its dictionary: 404');

# ---- concurrency (api-lifecycle.md 11): unique (account, key) -----------------------------------
# 12 writers of one new key at once, four rounds: every one gets the normal
# 201 (the losers of the insert update the winner's row), one row stays,
# holding one of the values sent.
my $racer = make_account('dictrace', 'a.test');
my @statuses;
my @rows;
for my $round (1 .. 4) {
    my @answers = race(12, sub { my ($i) = @_;
        (space_a => POST => "/api/accounts/$racer/dictionary/key$round", headers => { 'x-api-key' => $admin_a },
         json => { value => "value$i" }) });
    push @statuses, join ' ', map { $_->[0] } @answers;
    my %sent = map { ("{\"value\":\"value$_\"}" => 1) } 1 .. 12;
    is(scalar(grep { $_->[0] eq '201' && $sent{ $_->[1] } } @answers), 12, "round $round: 12 writers of one key, 12 answers 201 {\"value\": ...}")
        or diag(join "\n", map { "$_->[0] $_->[1]" } @answers);
    push @rows, sql_value("SELECT count(*) || ':' || min(value) FROM account_dictionary_entries WHERE account_id = $racer AND key = 'key$round'");
}
is(scalar(grep { /^1:value([1-9]|1[0-2])$/ } @rows), 4, 'each round: exactly one row for the key, with one of the values sent')
    or diag("@rows");
# Writers and deleters of one key mixed: never a 500 or a 503.
my @mixed = race(12, sub { my ($i) = @_;
    $i % 3 ? (space_a => POST => "/api/accounts/$racer/dictionary/mixed", headers => { 'x-api-key' => $admin_a }, json => { value => "v$i" })
           : (space_a => DELETE => "/api/accounts/$racer/dictionary/mixed", headers => { 'x-api-key' => $admin_a }) });
is(scalar(grep { ($_->[0] eq '201' && $_->[1] =~ /^\{"value":"v\d+"\}$/) || ($_->[0] eq '200' && $_->[1] =~ /^[01]$/) } @mixed), 12,
   'writers and deleters of one key at once: each gets its normal answer')
    or diag(join "\n", map { "$_->[0] $_->[1]" } @mixed);
ok(sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $racer AND key = 'mixed'") <= 1, 'at most one row');
# Writers racing the account's deletion: 201 or 404, never an error.
my $doomed = make_account('dictdoomed', 'a.test');
my @doom = race(12, sub { my ($i) = @_;
    $i == 6 ? (space_a => DELETE => "/api/accounts/$doomed", headers => { 'x-api-key' => $admin_a })
            : (space_a => POST => "/api/accounts/$doomed/dictionary/k$i", headers => { 'x-api-key' => $admin_a }, json => { value => 'v' }) });
is(scalar(grep { $_->[0] eq '201' || ($_->[0] eq '404' && $_->[1] eq '{"message":"Account not found"}') } @doom[0 .. 4, 6 .. 11]), 11,
   'writers racing the deletion of the account: 201 or 404 Account not found')
    or diag(join "\n", map { "$_->[0] $_->[1]" } @doom);
is_deeply([ $doom[5][0], sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $doomed") ], [ 200, 0 ],
          'the deletion went through and took every entry with it');
