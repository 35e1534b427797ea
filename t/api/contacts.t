# Contacts (api-lifecycle.md 7, 7.4, 10.3, 11): the admin routes (Admin
# variant, the account's then the contact's 404, idempotent add, one-way
# relations, Space isolation), the user routes (the reduced Contact
# variant, {sip} lookups, whatever the vhost), blocked callers, nothing
# written on refusal, deletion in both directions, concurrent adds.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;
use Accounts::Race;

plan tests => 100;

reset_db();
my $admin_a = create_admin('contadmin', 'a.test');
my $admin_b = create_admin('contadmin', 'b.test');
my $super = create_admin('controot', 'super.test');
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin_a, %{ $o{headers} || {} } }) }
sub B { my ($m, $p, %o) = @_; call(space_b => $m, "/sip/v1$p", %o, headers => { 'x-api-key' => $admin_b, %{ $o{headers} || {} } }) }
sub S { my ($space, $m, $p, %o) = @_; my $base = $space eq 'space_b' ? '/sip/v1' : '/api';
        call($space => $m, "$base$p", %o, headers => { 'x-api-key' => $super, %{ $o{headers} || {} } }) }
sub answer { my ($res) = @_; [ $res->code, $res->content ] }
sub refused { my ($res) = @_; [ $res->code, json_of($res) ] }
sub key_of { my ($sip) = @_; my $k = (accountsctl('api-key', $sip))[1]; chomp $k; return $k }
sub relations { [ sql('SELECT account_id || \'>\' || contact_id FROM account_contacts ORDER BY account_id, contact_id') ] }

my $alice = make_account('alice1', 'a.test');
my $bob = make_account('bob001', 'a.test');
my $carol = make_account('carol1', 'a.test');
my $dave = make_account('dave01', 'a.test');
my $erin = make_account('erin01', 'b.test');
sql("UPDATE accounts SET display_name = 'Bob B.', dtmf_protocol = 'rfc2833', email = 'bob\@example.org',"
    . " phone = '+33612345678' WHERE id = $bob");
sql("INSERT INTO account_dictionary_entries (account_id, key, value) VALUES ($bob, 'lang', 'fr')");
sql("INSERT INTO provisioning_tokens (account_id, token) VALUES ($bob, 'BobProvToken1')");
sql("INSERT INTO email_change_codes (account_id, email, code) VALUES ($bob, 'new\@example.org', '1234')");
my %alice = ('x-api-key' => key_of('alice1@a.test'));
my %bob = ('x-api-key' => key_of('bob001@a.test'));
my %erin = ('x-api-key' => key_of('erin01@b.test'));
my $nf = [ 404, { message => 'Account not found' } ];
my $cnf = [ 404, { message => 'Contact not found' } ];

# ---- adding -------------------------------------------------------------------------------
my $res = A(POST => "/accounts/$alice/contacts/$bob");
is_deeply(answer($res), [ 200, '' ], 'POST /accounts/{id}/contacts/{contact_id}: 200, empty body');
is_deeply(relations(), [ "$alice>$bob" ], 'one relation');
is_deeply(answer(A(POST => "/accounts/$alice/contacts/$bob")), [ 200, '' ], 'adding it again: 200');
is_deeply(relations(), [ "$alice>$bob" ], 'still one relation (idempotent)');
is_deeply(answer(A(POST => "/accounts/$alice/contacts/$dave")), [ 200, '' ], 'another contact');
is_deeply(answer(A(POST => "/accounts/$alice/contacts/$alice")), [ 200, '' ], 'an account may be its own contact');
is_deeply(answer(A(POST => "/accounts/$carol/contacts/00$alice")), [ 200, '' ], 'leading zeros are ignored');
is_deeply(relations(), [ sort("$alice>$alice", "$alice>$bob", "$alice>$dave", "$carol>$alice") ], 'four relations');

my $before = db_snapshot();
sub same_db { my ($name) = @_; is_deeply(db_snapshot(), $before, "$name: nothing written") }
is_deeply(refused(A(POST => "/accounts/$alice/contacts/$erin")), $cnf, "a contact of another Space: 404 Contact not found");
is_deeply(refused(A(POST => "/accounts/$alice/contacts/999999")), $cnf, 'an unknown contact: 404 Contact not found');
is_deeply(refused(A(POST => "/accounts/$alice/contacts/99999999999999999999999")), $cnf, 'a contact id too large: 404 Contact not found');
is_deeply(refused(A(POST => "/accounts/$erin/contacts/$bob")), $nf, "another Space's account: 404 Account not found");
is_deeply(refused(A(POST => "/accounts/999999/contacts/$bob")), $nf, 'an unknown account: 404 Account not found');
is_deeply(refused(A(POST => "/accounts/999999/contacts/999998")), $nf, 'both unknown: the account comes first');
is_deeply(refused(A(POST => "/accounts/99999999999999999999999/contacts/99999999999999999999999")), $nf,
          'both too large: the account comes first');
same_db('refused adds');

# ---- admin reads: the Admin variant --------------------------------------------------------
# What GET /accounts/{id} shows of an account, without the change codes' "code"
# (only GET /accounts/{id} and PUT show it).
sub admin_view { my ($id) = @_; my $a = json_of(A(GET => "/accounts/$id")); delete $_->{code} for grep { ref } @$a{qw(email_change_code phone_change_code)}; $a }
$res = A(GET => "/accounts/$alice/contacts");
is($res->code, 200, 'GET /accounts/{id}/contacts: 200');
like($res->header('Content-Type'), qr{^application/json}, 'as JSON');
is_deeply(json_of($res), [ admin_view($alice), admin_view($bob), admin_view($dave) ],
          'the contacts ordered by id, each the Admin variant (as in GET /accounts/{id}, without the code)');
is_deeply([ sort keys %{ json_of($res)->[1] } ], [ sort qw(id username domain email activated ip_address user_agent created_at
    updated_at display_name dtmf_protocol blocked admin phone realm provisioning_token provisioning_token_expire_at dictionary
    sip_uri email_change_code phone_change_code types actions carddav_servers) ], 'exactly the Admin variant keys');
is_deeply([ json_of($res)->[1]{email_change_code}{email}, exists json_of($res)->[1]{email_change_code}{code} ], [ 'new@example.org', '' ],
          "the pending email change, without its code");
is_deeply(answer(A(GET => "/accounts/$bob/contacts")), [ 200, '[]' ], 'one-way: bob has no contact; [] when none');
is_deeply(json_of(A(GET => "/accounts/$alice/contacts/$bob")), admin_view($bob), 'GET one contact: the Admin variant');
is_deeply(refused(A(GET => "/accounts/$alice/contacts/$carol")), $cnf, 'not a contact: 404 Contact not found');
is_deeply(refused(A(GET => "/accounts/$bob/contacts/$alice")), $cnf, 'the reverse of a relation is not one');
is_deeply(refused(A(GET => "/accounts/$alice/contacts/99999999999999999999999")), $cnf, 'a contact id too large: 404 Contact not found');
is_deeply(refused(A(GET => "/accounts/$erin/contacts")), $nf, "another Space's account: 404 Account not found");
is_deeply(refused(A(GET => "/accounts/$erin/contacts/$alice")), $nf, "another Space's account, one contact: 404 Account not found");
is_deeply(refused(A(GET => '/accounts/999999/contacts')), $nf, 'an unknown account: 404');

# ---- Space isolation -------------------------------------------------------------------------
$before = db_snapshot();
for my $case ([ GET => "/accounts/$alice/contacts" ], [ GET => "/accounts/$alice/contacts/$bob" ],
              [ POST => "/accounts/$alice/contacts/$carol" ], [ DELETE => "/accounts/$alice/contacts/$bob" ]) {
    my ($m, $p) = @$case;
    is_deeply(refused(B($m, $p)), $nf, "admin of B on its vhost, A's account: $m 404");
}
is_deeply(refused(B(POST => "/accounts/$erin/contacts/$alice")), $cnf, "admin of B: an account of A as a contact of B's: 404 Contact not found");
is_deeply(refused(S(space_a => POST => "/accounts/$alice/contacts/$erin")), $cnf, "super admin on A's vhost: B's account is no contact");
is_deeply(refused(S(space_a => GET => "/accounts/$erin/contacts")), $nf, "super admin on A's vhost, B's account: 404");
is_deeply(refused(S(space_super => GET => "/accounts/$alice/contacts")), $nf, "super admin on the super Space's vhost, A's account: 404");
is_deeply(refused(S(space_super => POST => "/accounts/$alice/contacts/$carol")), $nf, "... and no add there");
is_deeply(refused(call(space_super => GET => "/api/accounts/$alice/contacts/$bob", headers => { 'x-api-key' => $admin_a })),
          [ 403, { message => 'Unauthorized area' } ], "admin of A on the super Space's vhost: 403");
is_deeply(refused(call(space_b => GET => "/sip/v1/accounts/$erin/contacts", headers => { 'x-api-key' => $admin_a })),
          [ 403, { message => 'Unauthorized area' } ], "admin of A on B's vhost: 403");
is_deeply(refused(call(space_a => GET => "/api/accounts/$alice/contacts", headers => \%alice)),
          [ 403, { message => 'Unauthorized area' } ], 'a user on the admin route: 403');
is(call(space_a => POST => "/api/accounts/$alice/contacts/$carol")->code, 401, 'anonymous: 401');
same_db('refused callers');
is_deeply([ map { $_->{id} } @{ json_of(S(space_a => GET => "/accounts/$alice/contacts")) } ], [ $alice, $bob, $dave ],
          "super admin on A's vhost: A's account's contacts");

# ---- the user's own: the Contact variant -------------------------------------------------------
sub contact_view {
    my ($id) = @_;
    my $a = json_of(A(GET => "/accounts/$id"));
    return { (map { ($_ => $a->{$_}) } qw(id username domain activated dtmf_protocol display_name sip_uri)), types => [], actions => [] };
}
$res = call(space_a => GET => '/api/accounts/me/contacts', headers => \%alice);
is($res->code, 200, 'GET /accounts/me/contacts: 200');
is_deeply(json_of($res), [ contact_view($alice), contact_view($bob), contact_view($dave) ], 'the Contact variant, ordered by id');
like($res->content, qr/^\[\{"id":$alice,"username":"alice1","domain":"a.test","activated":true,"dtmf_protocol":null,"display_name":null,"sip_uri":"sip:alice1\@a.test","types":\[\],"actions":\[\]\},/,
     'exactly its keys, in order');
unlike($res->content, qr/BobProvToken1|provisioning_token|email|phone|passwords|dictionary|1234/,
       "no token, email, phone, code, dictionary or password of the contacts");
is_deeply(answer(call(space_a => GET => '/api/accounts/me/contacts', headers => \%bob)), [ 200, '[]' ], 'no contact: []');
is_deeply(json_of(call(space_a => GET => '/api/accounts/me/contacts/bob001@a.test', headers => \%alice)), contact_view($bob),
          'GET /accounts/me/contacts/{sip}: that contact');
is_deeply(json_of(call(space_a => GET => '/api/accounts/me/contacts/bob001%40a.test', headers => \%alice)), contact_view($bob),
          'an encoded @');
is_deeply(json_of(call(space_a => GET => '/api/accounts/me/contacts/bob001@A.Test', headers => \%alice)), contact_view($bob),
          'the domain in another case');
for my $sip ('carol1@a.test', 'bob001', 'bob001@b.test', 'BOB001@a.test', 'nobody@a.test', 'erin01@b.test', '@a.test', 'bob001@',
             'sip:bob001@a.test') {
    is_deeply(refused(call(space_a => GET => "/api/accounts/me/contacts/$sip", headers => \%alice)), $cnf,
              "{sip} $sip: 404 Contact not found");
}
# Not UTF-8 once decoded: the routing 404, before any lookup (also on the
# older {sip} routes, which answered 503 before the router refused them).
for my $path ('/api/accounts/me/contacts/bo%FF@a.test', '/api/accounts/bo%FF@a.test/info') {
    my $res = call(space_a => GET => $path, headers => \%alice);
    is_deeply([ $res->code, (json_of($res) // {})->{message} =~ /could not be found/ ? 1 : 0 ], [ 404, 1 ],
              "GET $path: the routing 404");
}
# Whatever the vhost: the caller's own contacts.
is_deeply(json_of(call(space_b => GET => '/sip/v1/accounts/me/contacts', headers => \%alice)), [ contact_view($alice), contact_view($bob), contact_view($dave) ],
          "alice on B's vhost: her contacts");
is_deeply(answer(call(space_a => GET => '/api/accounts/me/contacts', headers => \%erin)), [ 200, '[]' ], "B's user on A's vhost: its own (none)");
is(call(space_a => GET => '/api/accounts/me/contacts')->code, 401, 'anonymous: 401');

# Blocked callers get nothing.
sql("UPDATE accounts SET blocked = true WHERE id = $alice");
is_deeply(refused(call(space_a => GET => '/api/accounts/me/contacts', headers => \%alice)), [ 403, { message => 'Account blocked' } ],
          'a blocked user: 403 Account blocked');
is_deeply(refused(call(space_a => GET => '/api/accounts/me/contacts/bob001@a.test', headers => \%alice)), [ 403, { message => 'Account blocked' } ],
          'a blocked user, one contact: 403');
sql("UPDATE accounts SET blocked = false WHERE id = $alice");
sql("UPDATE accounts SET blocked = true WHERE username = 'contadmin' AND domain = 'a.test'");
$before = db_snapshot();
is_deeply(refused(A(POST => "/accounts/$bob/contacts/$carol")), [ 403, { message => 'Account blocked' } ], 'a blocked admin: 403');
is_deeply(refused(A(DELETE => "/accounts/$alice/contacts/$bob")), [ 403, { message => 'Account blocked' } ], 'a blocked admin cannot remove');
same_db('the blocked admin');
sql("UPDATE accounts SET blocked = false WHERE username = 'contadmin' AND domain = 'a.test'");
# A blocked contact is still listed (it is the SIP side's business).
sql("UPDATE accounts SET blocked = true WHERE id = $dave");
is(scalar @{ json_of(call(space_a => GET => '/api/accounts/me/contacts', headers => \%alice)) }, 3, 'a blocked contact is still a contact');
sql("UPDATE accounts SET blocked = false WHERE id = $dave");

# ---- routing --------------------------------------------------------------------------------
is_deeply(refused(A(GET => "/accounts/$alice/contacts/abc")), [ 404, { message => "The route api/accounts/$alice/contacts/abc could not be found." } ],
          'a non-decimal contact_id: the routing 404');
is_deeply(refused(A(POST => "/accounts/$alice/contacts/me")), [ 404, { message => "The route api/accounts/$alice/contacts/me could not be found." } ],
          'contact_id me: the routing 404');
$res = A(PUT => "/accounts/$alice/contacts/$bob");
is_deeply([ $res->code, $res->header('Allow') ], [ 405, 'GET, HEAD, POST, DELETE' ], 'PUT on a contact: 405');
$res = call(space_a => POST => '/api/accounts/me/contacts', headers => \%alice);
is_deeply([ $res->code, $res->header('Allow') ], [ 405, 'GET, HEAD' ], 'POST /accounts/me/contacts: 405 (the me route, not an admin one)');

# ---- removing -------------------------------------------------------------------------------
$res = A(DELETE => "/accounts/$alice/contacts/$dave");
is_deeply(answer($res), [ 200, '1' ], 'DELETE a contact: 200, body 1');
like($res->header('Content-Type'), qr{^text/html; charset=UTF-8}, 'the 1 as text/html');
$before = db_snapshot();
is_deeply(refused(A(DELETE => "/accounts/$alice/contacts/$dave")), $cnf, 'again: 404 Contact not found');
is_deeply(refused(A(DELETE => "/accounts/$bob/contacts/$alice")), $cnf, 'the reverse of a relation: 404');
is_deeply(refused(A(DELETE => "/accounts/$erin/contacts/$alice")), $nf, "another Space's account: 404 Account not found");
is_deeply(refused(A(DELETE => "/accounts/$alice/contacts/99999999999999999999999")), $cnf, 'a contact id too large: 404 Contact not found');
same_db('refused removals');

# A contact moved into another Space (a super admin's PUT with a domain) is
# that Space's data: A's admin no longer sees it, the user still does.
is(S(space_a => PUT => "/accounts/$dave", json => { username => 'dave01', password => 'secret123', algorithm => 'MD5', domain => 'b.test' })->code, 200,
   'super admin moves dave to B');
A(POST => "/accounts/$carol/contacts/$bob");
sql("INSERT INTO account_contacts (account_id, contact_id) VALUES ($carol, $dave)");
is_deeply([ map { $_->{id} } @{ json_of(A(GET => "/accounts/$carol/contacts")) } ], [ $alice, $bob ], "A's admin: only the contacts in A");
is_deeply(refused(A(GET => "/accounts/$carol/contacts/$dave")), $cnf, "A's admin, the moved contact: 404");
is_deeply(refused(A(DELETE => "/accounts/$carol/contacts/$dave")), $cnf, "A's admin cannot remove it");
my %carol = ('x-api-key' => key_of('carol1@a.test'));
is_deeply([ map { $_->{sip_uri} } @{ json_of(call(space_a => GET => '/api/accounts/me/contacts', headers => \%carol)) } ],
          [ 'sip:alice1@a.test', 'sip:bob001@a.test', 'sip:dave01@b.test' ], 'the user sees all its contacts');

# ---- deleting an account: its relations go, both ways (10.3) ------------------------------------
A(POST => "/accounts/$bob/contacts/$alice");
is(sql_value("SELECT count(*) FROM account_contacts WHERE account_id = $bob OR contact_id = $bob"), 3, 'bob: one contact, in two contact lists');
is(A(DELETE => "/accounts/$bob")->code, 200, 'bob deleted');
is(sql_value("SELECT count(*) FROM account_contacts WHERE account_id = $bob OR contact_id = $bob"), 0, 'every relation of bob is gone');
is_deeply([ map { $_->{id} } @{ json_of(A(GET => "/accounts/$alice/contacts")) } ], [ $alice ], "bob left alice's contacts");
is_deeply(refused(call(space_a => GET => '/api/accounts/me/contacts/bob001@a.test', headers => \%alice)), $cnf, 'and her lookup');

# ---- concurrency (11): unique (account, contact) ---------------------------------------------------
# 12 adds of one pair at once, four rounds: every one gets the normal 200
# with an empty body (the losers find the winner's row), one relation.
my @racers = map { make_account("racer$_", 'a.test') } 1 .. 5;
my @rows;
for my $round (1 .. 4) {
    my ($from, $to) = ($racers[0], $racers[$round]);
    my @answers = race(12, sub { (space_a => POST => "/api/accounts/$from/contacts/$to", headers => { 'x-api-key' => $admin_a }) });
    is(scalar(grep { $_->[0] eq '200' && $_->[1] eq '' } @answers), 12, "round $round: 12 adds of one pair, 12 answers 200")
        or diag(join "\n", map { "$_->[0] $_->[1]" } @answers);
    push @rows, sql_value("SELECT count(*) FROM account_contacts WHERE account_id = $from AND contact_id = $to");
}
is("@rows", '1 1 1 1', 'each round: exactly one relation');
# Adds racing the deletion of the contact: 200 or 404 Contact not found, never an error.
my $doomed = make_account('doomed1', 'a.test');
my @doom = race(12, sub { my ($i) = @_;
    $i == 6 ? (space_a => DELETE => "/api/accounts/$doomed", headers => { 'x-api-key' => $admin_a })
            : (space_a => POST => "/api/accounts/$racers[$i % 5]/contacts/$doomed", headers => { 'x-api-key' => $admin_a }) });
is(scalar(grep { ($_->[0] eq '200' && $_->[1] eq '') || ($_->[0] eq '404' && $_->[1] eq '{"message":"Contact not found"}') } @doom[0 .. 4, 6 .. 11]), 11,
   'adds racing the deletion of the contact: 200 or 404 Contact not found')
    or diag(join "\n", map { "$_->[0] $_->[1]" } @doom);
is_deeply([ $doom[5][0], sql_value("SELECT count(*) FROM account_contacts WHERE contact_id = $doomed") ], [ 200, 0 ],
          'the deletion went through, no relation left to it');
