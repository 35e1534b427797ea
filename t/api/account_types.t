# Account types (api-lifecycle.md 7.2): /account_types CRUD per Space,
# POST/DELETE /accounts/{id}/types/{type_id}, the Account object's "types",
# Space isolation, the unique key per Space under concurrency.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;

plan tests => 75;

reset_db();
my %a = ('x-api-key' => create_admin('typeadmin', 'a.test'));
my %b = ('x-api-key' => create_admin('typeadmin', 'b.test'));
my %super = ('x-api-key' => create_admin('typesuper', 'super.test'));
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { %a, %{ $o{headers} || {} } }) }
sub B { my ($m, $p, %o) = @_; call(space_b => $m, "/sip/v1$p", %o, headers => \%b) }
sub body_of { my ($res) = @_; [ $res->code, json_of($res) // $res->content ] }
sub unprocessable {
    my (@messages) = @_;
    my $extra = @messages > 1 ? ' (and ' . (@messages - 1) . ' more error' . (@messages > 2 ? 's' : '') . ')' : '';
    return [ 422, { message => $messages[0] . $extra, errors => { key => \@messages } } ];
}

# ---- CRUD ---------------------------------------------------------------------------
is_deeply(body_of(A(GET => '/account_types')), [ 200, [] ], 'no type yet: []');
my $res = A(POST => '/account_types', json => { key => 'door' });
is_deeply(body_of($res), [ 201, { id => 1, key => 'door' } ], 'POST: 201, exactly id and key');
like($res->header('Content-Type'), qr{^application/json}, 'JSON');
is_deeply(body_of(A(POST => '/account_types', json => { key => '  lift_2 ' })), [ 201, { id => 2, key => 'lift_2' } ],
          'the key is trimmed; digits and underscores');
is_deeply(body_of(A(POST => '/account_types', json => { key => 'door' })),
          unprocessable('The key has already been taken.'), 'the same key again in the Space: 422');
is_deeply(body_of(B(POST => '/account_types', json => { key => 'door' })), [ 201, { id => 4, key => 'door' } ],
          'the same key in another Space: its own type');
is_deeply(body_of(A(GET => '/account_types')), [ 200, [ { id => 1, key => 'door' }, { id => 2, key => 'lift_2' } ] ],
          "the list: the Space's types by id");
is_deeply(body_of(B(GET => '/account_types')), [ 200, [ { id => 4, key => 'door' } ] ], "B lists only B's");
is_deeply(body_of(call(space_super => GET => '/api/account_types', headers => \%super)), [ 200, [] ],
          "a super admin on its vhost sees that Space's types");

# Validation (every failing rule, api.md 1.5), nothing written.
my $before = db_snapshot();
for my $case ([ {}, 'The key field is required.' ], [ { key => '' }, 'The key field is required.' ],
              [ { key => 'Door' }, 'No uppercase letters are allowed.' ],
              [ { key => 'a door' }, 'The key may only contain letters, numbers, dashes and underscores.' ],
              [ { key => 'Da!' }, 'The key may only contain letters, numbers, dashes and underscores.',
                'No uppercase letters are allowed.' ],
              [ { key => 'k' x 256 }, 'The key may not be greater than 255 characters.' ],
              [ { key => [ 'door' ] }, 'The key may only contain letters, numbers, dashes and underscores.' ]) {
    my ($json, @messages) = @$case;
    is_deeply(body_of(A(POST => '/account_types', json => $json)), unprocessable(@messages),
              'POST ' . JSON::PP->new->canonical->encode($json) . ': 422');
}
is_deeply(db_snapshot(), $before, 'refused creations wrote nothing');
is_deeply(body_of(A(POST => '/account_types', json => { key => 'k' x 255 })), [ 201, { id => 5, key => 'k' x 255 } ],
          '255 characters: accepted');
is(A(DELETE => '/account_types/5')->content, '1', 'and deleted');

is_deeply(body_of(A(GET => '/account_types/2')), [ 200, { id => 2, key => 'lift_2' } ], 'GET one');
for my $id (4, 999, '99999999999999999999') {
    is_deeply(body_of(A(GET => "/account_types/$id")), [ 404, { message => 'Account type not found' } ],
              "GET /account_types/$id (another Space's, unknown, too large): 404");
}
is(A(GET => '/account_types/door')->code, 404, 'a non-decimal type id: route 404');
$res = A(POST => '/account_types/2');
is($res->code, 405, 'POST on a type: 405');
like($res->header('Allow') // '', qr/PATCH/, 'Allow lists PATCH');

is_deeply(body_of(A(PUT => '/account_types/2', json => { key => 'lift' })), [ 200, { id => 2, key => 'lift' } ], 'PUT renames');
is_deeply(body_of(A(PATCH => '/account_types/2', json => { key => 'elevator' })), [ 200, { id => 2, key => 'elevator' } ],
          'PATCH is the same');
is_deeply(body_of(A(PUT => '/account_types/2', json => { key => 'elevator' })), [ 200, { id => 2, key => 'elevator' } ],
          'its own key again: not taken');
is_deeply(body_of(A(PUT => '/account_types/2', json => { key => 'door' })), unprocessable('The key has already been taken.'),
          "another type's key: 422");
is_deeply(body_of(A(PUT => '/account_types/4', json => { key => 'gate' })), [ 404, { message => 'Account type not found' } ],
          "PUT on another Space's type: 404");
is_deeply(body_of(A(PUT => '/account_types/999', json => { key => 'Gate' })), unprocessable('No uppercase letters are allowed.'),
          'validation before the lookup');
is_deeply(body_of(A(PUT => '/account_types/999', json => { key => 'door' })), unprocessable('The key has already been taken.'),
          'uniqueness is validation too');
is(sql_value("SELECT key FROM account_types WHERE id = 4"), 'door', "B's type unchanged");

# ---- attach and detach --------------------------------------------------------------
my $alice = make_account('alice1', 'a.test');
my $bob = make_account('bob001', 'a.test');
my $bella = make_account('bella1', 'b.test');
is_deeply(body_of(A(POST => "/accounts/$alice/types/2")), [ 200, '' ], 'attach: 200, empty body');
is_deeply(body_of(A(POST => "/accounts/$alice/types/1")), [ 200, '' ], 'attach a second type');
is_deeply(body_of(A(POST => "/accounts/$alice/types/2")), [ 403, { message => 'Type already attached' } ], 'twice: 403');
is_deeply(body_of(A(POST => "/accounts/$alice/types/4")), [ 404, { message => 'Account type not found' } ],
          "another Space's type: 404");
is_deeply(body_of(A(POST => "/accounts/$alice/types/999")), [ 404, { message => 'Account type not found' } ], 'unknown type: 404');
is_deeply(body_of(A(POST => "/accounts/$alice/types/99999999999999999999")), [ 404, { message => 'Account type not found' } ],
          'a type id too large: 404');
is_deeply(body_of(A(POST => "/accounts/$bella/types/1")), [ 404, { message => 'Account not found' } ],
          "another Space's account: 404");
is_deeply(body_of(A(POST => "/accounts/999/types/999")), [ 404, { message => 'Account not found' } ],
          'the account is looked up first');
is_deeply(body_of(B(POST => "/accounts/$alice/types/4")), [ 404, { message => 'Account not found' } ],
          "B's admin on A's account: 404");

$res = A(GET => "/accounts/$alice");
is_deeply(json_of($res)->{types}, [ { id => 1, key => 'door' }, { id => 2, key => 'elevator' } ],
          'the Account object: its types by id');
is_deeply(json_of(A(GET => "/accounts/$bob"))->{types}, [], 'an account without types: []');
my ($listed) = grep { $_->{id} == $alice } @{ json_of(A(GET => '/accounts'))->{data} };
is_deeply($listed->{types}, [ { id => 1, key => 'door' }, { id => 2, key => 'elevator' } ], 'the listing shows them too');
my $alice_key = (accountsctl('api-key', 'alice1@a.test'))[1];
chomp $alice_key;
is_deeply(json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $alice_key }))->{types},
          [ { id => 1, key => 'door' }, { id => 2, key => 'elevator' } ], 'and GET /accounts/me');
is_deeply(json_of(A(GET => '/accounts/alice1@a.test/search'))->{types}, [ { id => 1, key => 'door' }, { id => 2, key => 'elevator' } ],
          'and the search');
A(PUT => '/account_types/1', json => { key => 'front-door' });
is_deeply(json_of(A(GET => "/accounts/$alice"))->{types}[0], { id => 1, key => 'front-door' }, 'a renamed type shows renamed');

is_deeply(body_of(A(DELETE => "/accounts/$alice/types/2")), [ 200, 1 ], 'detach: 200, body 1');
like(A(DELETE => "/accounts/$alice/types/1")->header('Content-Type'), qr{^text/html; charset=UTF-8}, 'the 1 as text/html');
is_deeply(body_of(A(DELETE => "/accounts/$alice/types/2")), [ 403, { message => 'Type not attached' } ], 'not attached: 403');
is_deeply(body_of(A(DELETE => "/accounts/$bella/types/4")), [ 404, { message => 'Account not found' } ], "detach on B's account: 404");
is_deeply(json_of(A(GET => "/accounts/$alice"))->{types}, [], 'detached: []');

# Deleting a type detaches it everywhere; deleting an account removes its links.
A(POST => "/accounts/$alice/types/1");
A(POST => "/accounts/$bob/types/1");
is_deeply(body_of(A(DELETE => '/account_types/4')), [ 200, 0 ], "DELETE of another Space's type: 0");
is(sql_value('SELECT count(*) FROM account_types WHERE id = 4'), 1, '... which stays');
is_deeply(body_of(A(DELETE => '/account_types/1')), [ 200, 1 ], 'DELETE: 1');
is_deeply(body_of(A(DELETE => '/account_types/1')), [ 200, 0 ], 'again: 0');
is(sql_value('SELECT count(*) FROM account_type_links'), 0, 'its links went with it');
is_deeply(json_of(A(GET => "/accounts/$bob"))->{types}, [], "no longer in bob's types");
A(POST => "/accounts/$bob/types/2");
is(A(DELETE => "/accounts/$bob")->code, 200, 'delete bob');
is(sql_value('SELECT count(*) FROM account_type_links'), 0, "bob's links went with him");

# A super admin moving an account to another Space leaves the old Space's types.
my $carl = make_account('carl01', 'a.test');
A(POST => "/accounts/$carl/types/2");
$res = call(space_a => PUT => "/api/accounts/$carl", headers => \%super,
            json => { username => 'carl01', domain => 'b.test', password => 'carl-secret1', algorithm => 'MD5' });
is($res->code, 200, 'a super admin moves carl to b.test') or diag($res->content);
is_deeply(json_of($res)->{types}, [], "carl has none of a.test's types in b.test");

# Who may: admins only.
is_deeply(body_of(call(space_a => GET => '/api/account_types', headers => { 'x-api-key' => $alice_key })),
          [ 403, { message => 'Unauthorized area' } ], 'a user: 403');
is(call(space_a => POST => '/api/account_types', json => { key => 'nope' })->code, 401, 'anonymous: 401');
is(sql_value("SELECT count(*) FROM account_types WHERE key = 'nope'"), 0, '... and nothing written');

# ---- concurrency: unique keys, one link ---------------------------------------------
my @codes = concurrently(20, sub { (space_a => POST => '/api/account_types', headers => \%a, json => { key => 'racer' }) });
is(scalar(grep { $_ eq '201' } @codes), 1, '20 concurrent creations of one key: one 201');
is(scalar(grep { $_ eq '422' } @codes), 19, 'the others: 422');
is(sql_value("SELECT count(*) FROM account_types WHERE key = 'racer' AND domain = 'a.test'"), 1, 'one row');

my $dave = make_account('dave01', 'a.test');
my $racer = sql_value("SELECT id FROM account_types WHERE key = 'racer'");
@codes = concurrently(20, sub { (space_a => POST => "/api/accounts/$dave/types/$racer", headers => \%a) });
is(scalar(grep { $_ eq '200' } @codes), 1, '20 concurrent attaches: one 200');
is(scalar(grep { $_ eq '403' } @codes), 19, 'the others: 403 Type already attached');
is(sql_value("SELECT count(*) FROM account_type_links WHERE account_id = $dave"), 1, 'one link');

my $other = sql_value("SELECT id FROM account_types WHERE key = 'elevator'");
@codes = concurrently(10, sub { my ($i) = @_;
    (space_a => PUT => '/api/account_types/' . ($i % 2 ? $racer : $other), headers => \%a, json => { key => 'same' }) });
is(scalar(grep { $_ eq '200' } @codes) >= 1 && scalar(grep { $_ eq '500' || $_ eq '503' } @codes) == 0, 1,
   'concurrent renames of two types to one key: never a 5xx') or diag("@codes");
is(sql_value("SELECT count(*) FROM account_types WHERE key = 'same'"), 1, 'one type has the key');
