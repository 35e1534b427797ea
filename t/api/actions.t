# Account actions (api-lifecycle.md 7.3): /accounts/{id}/actions CRUD, the
# DTMF-protocol rule before validation, the Account object's "actions".
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Accounts::Snapshot;

plan tests => 42;

reset_db();
my %a = ('x-api-key' => create_admin('actadmin', 'a.test'));
my %b = ('x-api-key' => create_admin('actadmin', 'b.test'));
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => \%a) }
sub B { my ($m, $p, %o) = @_; call(space_b => $m, "/sip/v1$p", %o, headers => \%b) }
sub body_of { my ($res) = @_; [ $res->code, json_of($res) // $res->content ] }

my $door = make_account('door01', 'a.test');
my $plain = make_account('plain1', 'a.test');
my $bella = make_account('bella1', 'b.test');
sql("UPDATE accounts SET dtmf_protocol = 'rfc2833' WHERE id IN ($door, $bella)");

# ---- the account, then its DTMF protocol, then validation ---------------------------
my $no_protocol = [ 403, { message => 'DTMF Protocol must be configured' } ];
my $before = db_snapshot();
for my $case ([ GET => "/accounts/$plain/actions" ], [ POST => "/accounts/$plain/actions", json => {} ],
              [ GET => "/accounts/$plain/actions/1" ], [ PUT => "/accounts/$plain/actions/1", json => {} ],
              [ DELETE => "/accounts/$plain/actions/1" ]) {
    my ($m, $p, %o) = @$case;
    is_deeply(body_of(A($m, $p, %o)), $no_protocol, "$m $p without a DTMF protocol: 403, before validation");
}
for my $id ($bella, 999, '99999999999999999999') {
    is_deeply(body_of(A(POST => "/accounts/$id/actions", json => {})), [ 404, { message => 'Account not found' } ],
              "account $id (another Space's, unknown, too large): 404 first");
}
is_deeply(body_of(A(POST => "/accounts/$door/actions", json => {})),
          [ 422, { message => 'The key field is required. (and 1 more error)',
                   errors => { key => [ 'The key field is required.' ], code => [ 'The code field is required.' ] } } ],
          'both required, key first');
is_deeply(body_of(A(POST => "/accounts/$door/actions", json => { key => 'Open!', code => 'A-1' })),
          [ 422, { message => 'The key may only contain letters, numbers, dashes and underscores. (and 3 more errors)',
                   errors => { key => [ 'The key may only contain letters, numbers, dashes and underscores.',
                                        'No uppercase letters are allowed.' ],
                               code => [ 'The code may only contain letters and numbers.',
                                         'No uppercase letters are allowed.' ] } } ],
          'alpha_dash key, alpha_num code, lowercase both');
is_deeply(body_of(A(POST => "/accounts/$door/actions", json => { key => 'open', code => 'c' x 256 })),
          [ 422, { message => 'The code may not be greater than 255 characters.',
                   errors => { code => [ 'The code may not be greater than 255 characters.' ] } } ], 'max:255');
is_deeply(db_snapshot(), $before, 'nothing written by the refusals');

# ---- CRUD ---------------------------------------------------------------------------
my $res = A(POST => "/accounts/$door/actions", json => { key => 'open', code => '12' });
is_deeply(body_of($res), [ 201, { id => 1, key => 'open', code => '12' } ], 'POST: 201, exactly id, key and code');
is_deeply(body_of(A(POST => "/accounts/$door/actions", json => { key => 'open', code => 34 })),
          [ 201, { id => 2, key => 'open', code => '34' } ], 'keys need not be unique; a number code is its text');
is_deeply(body_of(B(POST => "/accounts/$bella/actions", json => { key => 'light', code => '9' })),
          [ 201, { id => 3, key => 'light', code => '9' } ], "B's account");
is_deeply(body_of(A(GET => "/accounts/$door/actions")),
          [ 200, [ { id => 1, key => 'open', code => '12' }, { id => 2, key => 'open', code => '34' } ] ], 'the list by id');
is_deeply(body_of(A(GET => "/accounts/$door/actions/2")), [ 200, { id => 2, key => 'open', code => '34' } ], 'GET one');
is_deeply(body_of(A(GET => "/accounts/$door/actions/3")), [ 404, { message => 'Account action not found' } ],
          "another account's action: 404");
is_deeply(body_of(A(GET => "/accounts/$door/actions/99999999999999999999")), [ 404, { message => 'Account action not found' } ],
          'an action id too large: 404');
is_deeply(body_of(A(PUT => "/accounts/$door/actions/2", json => { key => 'close', code => '56' })),
          [ 200, { id => 2, key => 'close', code => '56' } ], 'PUT');
is_deeply(body_of(A(PATCH => "/accounts/$door/actions/2", json => { key => 'shut', code => '78' })),
          [ 200, { id => 2, key => 'shut', code => '78' } ], 'PATCH is the same');
is_deeply(body_of(A(PATCH => "/accounts/$door/actions/2", json => { key => 'only' })),
          [ 422, { message => 'The code field is required.', errors => { code => [ 'The code field is required.' ] } } ],
          'PATCH requires both too');
is_deeply(body_of(A(PUT => "/accounts/$door/actions/3", json => { key => 'steal', code => '1' })),
          [ 404, { message => 'Account action not found' } ], "PUT on another account's action: 404");
is(sql_value('SELECT key FROM account_actions WHERE id = 3'), 'light', "... which is unchanged");
is_deeply(body_of(A(PUT => "/accounts/$door/actions/999", json => { key => 'X' })), [ 422, {
    message => 'No uppercase letters are allowed. (and 1 more error)',
    errors => { key => [ 'No uppercase letters are allowed.' ], code => [ 'The code field is required.' ] } } ],
          'validation before the action lookup');
is_deeply(body_of(B(GET => "/accounts/$door/actions")), [ 404, { message => 'Account not found' } ], "B's admin: 404");

# ---- the Account object -------------------------------------------------------------
is_deeply(json_of(A(GET => "/accounts/$door"))->{actions},
          [ { id => 1, key => 'open', code => '12' }, { id => 2, key => 'shut', code => '78' } ], 'Account: its actions by id');
my ($listed) = grep { $_->{id} == $door } @{ json_of(A(GET => '/accounts'))->{data} };
is_deeply($listed->{actions}, [ { id => 1, key => 'open', code => '12' }, { id => 2, key => 'shut', code => '78' } ],
          'in the listing too');
my $key = (accountsctl('api-key', 'door01@a.test'))[1];
chomp $key;
is_deeply(json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key }))->{actions},
          [ { id => 1, key => 'open', code => '12' }, { id => 2, key => 'shut', code => '78' } ], 'and in /accounts/me');
sql("UPDATE accounts SET dtmf_protocol = NULL WHERE id = $door");
is_deeply(json_of(A(GET => "/accounts/$door"))->{actions}, [], 'without a DTMF protocol: [] ...');
($listed) = grep { $_->{id} == $door } @{ json_of(A(GET => '/accounts'))->{data} };
is_deeply($listed->{actions}, [], '... in the listing too');
is(sql_value("SELECT count(*) FROM account_actions WHERE account_id = $door"), 2, '... but they are kept');
sql("UPDATE accounts SET dtmf_protocol = 'sipinfo' WHERE id = $door");
is(scalar @{ json_of(A(GET => "/accounts/$door"))->{actions} }, 2, 'and come back with a protocol');
is_deeply(json_of(A(GET => "/accounts/$plain"))->{actions}, [], 'an account without actions: []');

# ---- deletion -----------------------------------------------------------------------
is_deeply(body_of(A(DELETE => "/accounts/$door/actions/1")), [ 200, 1 ], 'DELETE: 1');
like(A(DELETE => "/accounts/$door/actions/1")->header('Content-Type'), qr{^text/html; charset=UTF-8}, 'as text/html');
is_deeply(body_of(A(DELETE => "/accounts/$door/actions/1")), [ 200, 0 ], 'again: 0');
is_deeply(body_of(A(DELETE => "/accounts/$door/actions/3")), [ 200, 0 ], "another account's action: 0");
is(sql_value('SELECT count(*) FROM account_actions WHERE id = 3'), 1, '... which stays');
is(A(DELETE => "/accounts/$door")->code, 200, 'delete the account');
is(sql_value("SELECT count(*) FROM account_actions WHERE account_id = $door"), 0, 'its actions went with it');

# ---- who may ------------------------------------------------------------------------
my $bkey = (accountsctl('api-key', 'bella1@b.test'))[1];
chomp $bkey;
is_deeply(body_of(call(space_b => GET => "/sip/v1/accounts/$bella/actions", headers => { 'x-api-key' => $bkey })),
          [ 403, { message => 'Unauthorized area' } ], 'a user: 403');
