# Admin account management (api.md 5.10 to 5.19, 3.3): every endpoint,
# Space isolation both ways, super admins, max_accounts, pagination.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 112;

reset_db();
my $super = create_admin('root', 'super.test');
my $admin_a = create_admin('admina', 'a.test');
my $admin_c = create_admin('adminc', 'c.test');
sub A { my ($m, $p, %o) = @_; call(space_a => $m, "/api$p", %o, headers => { 'x-api-key' => $admin_a, 'User-Agent' => 'AdminTool/1.0', %{ $o{headers} || {} } }) }
sub S { my ($space, $m, $p, %o) = @_; my $base = $space eq 'space_b' ? '/sip/v1' : '/api';
        call($space => $m, "$base$p", %o, headers => { 'x-api-key' => $super, %{ $o{headers} || {} } }) }
my %new = (username => 'created1', password => 'secret123', algorithm => 'MD5');

# ---- POST /accounts -------------------------------------------------------------
my $res = A(POST => '/accounts', json => { %new, email => 'Created1@Example.org', display_name => 'Created One',
                                          phone => '+33612121212', dtmf_protocol => 'sipinfo', admin => 1,
                                          activated => 'true' eq 'x' ? 0 : '1', dictionary => { lang => 'fr', theme => 'dark' } });
is($res->code, 200, 'create: 200');
my $c = json_of($res);
is_deeply([ sort keys %$c ], [ sort qw(id username domain email activated ip_address user_agent created_at updated_at
    display_name dtmf_protocol blocked admin phone realm provisioning_token provisioning_token_expire_at dictionary
    sip_uri passwords email_change_code types actions carddav_servers) ], 'Self variant');
is_deeply([ @$c{qw(username domain email display_name phone dtmf_protocol user_agent)} ],
          [ 'created1', 'a.test', 'Created1@Example.org', 'Created One', '+33612121212', 'sipinfo', 'AdminTool/1.0' ],
          'fields as sent, user_agent from the request');
ok($c->{admin} && $c->{activated} && !$c->{blocked}, 'admin and activated as sent');
like($c->{provisioning_token}, qr/^[A-Za-z0-9]{13}$/, 'a provisioning token');
is_deeply($c->{dictionary}, { lang => 'fr', theme => 'dark' }, 'dictionary stored');
like($res->content, qr/"dictionary":\{"lang":"fr","theme":"dark"\}/, 'in insertion order');
my $id = $c->{id};
is(sql_value("SELECT password FROM passwords WHERE account_id = $id"), ha1('MD5', 'created1', 'global.realm.test', 'secret123'),
   "password hashed with the target Space's realm");

$res = A(POST => '/accounts', json => { %new, username => 'created2' }, headers => { 'User-Agent' => '' });
my $c2 = json_of($res);
ok(!$c2->{admin} && !$c2->{activated}, 'admin and activated default to false');
is($c2->{user_agent}, 'Space A', 'no User-Agent: the Space name');

$res = A(POST => '/accounts', json => { %new, username => 'created1', email => 'CREATED1@example.org', admin => 'yes' });
is($res->code, 422, 'validation: 422');
is_deeply(json_of($res)->{errors}, { username => [ 'The username has already been taken.' ],
                                     email => [ 'The email has already been taken.' ],
                                     admin => [ 'The admin field must be true or false.' ] }, 'taken username and email, bad boolean');
$res = A(POST => '/accounts', json => { %new, username => 'created3', domain => 'unknown.test' });
is_deeply(json_of($res)->{errors}, { domain => [ 'The selected domain is invalid.' ] }, "a plain admin's unknown domain: 422");
$res = A(POST => '/accounts', json => { %new, username => 'created3', domain => 'b.test' });
is(json_of($res)->{domain}, 'a.test', "a plain admin's valid domain is ignored");

# Super admins choose the domain; the target Space's max_accounts applies.
$res = S(space_a => POST => '/accounts', json => { %new, username => 'inbspace', domain => 'b.test' });
is($res->code, 200, 'super admin with domain: 200');
is(json_of($res)->{domain}, 'b.test', 'created in the target Space');
is(json_of($res)->{realm}, 'realm-b.test', "with the target Space's realm");
is(sql_value("SELECT password FROM passwords p JOIN accounts a ON a.id = p.account_id WHERE username = 'inbspace'"),
   ha1('MD5', 'inbspace', 'realm-b.test', 'secret123'), 'HA1 with that realm');
$res = S(space_a => POST => '/accounts', json => { %new, username => 'nowhere1', domain => 'nowhere.test' });
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'This action is unauthorized.' } ],
          "a super admin's unknown domain: 403");
$res = S(space_a => POST => '/accounts', json => { %new, username => 'superdef' });
is(json_of($res)->{domain}, 'a.test', "super admin without domain: the vhost's Space");

for my $i (1 .. 4) {
    call(space_c => POST => '/api/accounts', json => { %new, username => "cfill$i" }, headers => { 'x-api-key' => $admin_c });
}
is(sql_value("SELECT count(*) FROM accounts WHERE domain = 'c.test'"), 5, 'Space C is full (5 with its admin)');
$res = call(space_c => POST => '/api/accounts', json => { %new, username => 'oneover' }, headers => { 'x-api-key' => $admin_c });
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'This action is unauthorized.' } ], 'full Space: 403');
$res = call(space_c => POST => '/api/accounts', json => {}, headers => { 'x-api-key' => $admin_c });
is($res->code, 403, 'even an invalid request gets 403 when full');
$res = S(space_a => POST => '/accounts', json => { %new, username => 'oneover', domain => 'c.test' });
is($res->code, 403, "a super admin targeting a full Space: 403");

# ---- GET /accounts/{id} ------------------------------------------------------------
sql("INSERT INTO email_change_codes (account_id, email, code, ip) VALUES ($id, 'new\@example.org', '1234', '192.0.2.1')");
$res = A(GET => "/accounts/$id");
is($res->code, 200, 'show: 200');
my $show = json_of($res);
ok(!exists $show->{passwords} && exists $show->{phone_change_code}, 'Admin variant: no passwords, phone_change_code');
is($show->{email_change_code}{code}, '1234', 'change codes with their code');
is($show->{email_change_code}{email}, 'new@example.org', 'pending email');
for my $bad ('999999', '12345678901234567890123', '0') {
    $res = A(GET => "/accounts/$bad");
    is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ], "show $bad: 404");
}
is(A(GET => '/accounts/abc')->code, 404, 'non-numeric id: 404 (route)');
my $bid = sql_value("SELECT id FROM accounts WHERE username = 'inbspace'");
is(A(GET => "/accounts/$bid")->code, 404, "an account of another Space: 404");
is(S(space_a => GET => "/accounts/$bid")->code, 404, "a super admin on A's vhost sees only A's accounts");
is(S(space_b => GET => "/accounts/$bid")->code, 200, "and B's on B's vhost");

# ---- search ------------------------------------------------------------------------
$res = A(GET => '/accounts/created1@a.test/search');
is($res->code, 200, 'search: 200');
ok(exists json_of($res)->{call_forwardings} && !exists json_of($res)->{phone_change_code}, 'Search variant');
ok(!exists json_of($res)->{email_change_code}{code}, 'without the code');
for my $miss ('nobody@a.test', 'inbspace@b.test', 'created1') {
    $res = A(GET => "/accounts/$miss/search");
    is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'SIP address not found' } ], "search $miss: 404");
}
$res = A(GET => '/accounts/CREATED1@example.ORG/search-by-email');
is(json_of($res)->{username}, 'created1', 'search-by-email is case-insensitive');
$res = A(GET => '/accounts/ghost@example.org/search-by-email');
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Email address not found' } ], 'unknown email: 404');

# ---- activate / deactivate / block / unblock / provision ------------------------------
$res = A(POST => "/accounts/$id/deactivate");
is($res->code, 200, 'deactivate: 200');
ok(!json_of($res)->{activated}, 'activated false');
ok(exists json_of($res)->{passwords}, 'Self variant');
ok(!json_of(A(POST => "/accounts/$id/deactivate"))->{activated}, 'idempotent');
ok(json_of(A(POST => "/accounts/$id/activate"))->{activated}, 'activate');
my $ukey = (accountsctl('api-key', 'created1@a.test'))[1];
chomp $ukey;
ok(json_of(A(POST => "/accounts/$id/block"))->{blocked}, 'block');
is(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $ukey })->code, 403, 'a blocked account gets 403');
ok(!json_of(A(POST => "/accounts/$id/unblock"))->{blocked}, 'unblock');
is(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $ukey })->code, 200, 'access restored, key kept');
for my $action (qw(activate deactivate block unblock provision)) {
    my $m = $action eq 'provision' ? 'GET' : 'POST';
    $res = A($m => "/accounts/$bid/$action");
    is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ], "$action of another Space's account: 404");
}
my $before = $c->{provisioning_token};
$res = A(GET => "/accounts/$id/provision");
is($res->code, 200, 'provision: 200');
isnt(json_of($res)->{provisioning_token}, $before, 'a new provisioning token');

# ---- PUT /accounts/{id} ---------------------------------------------------------------
my %put = (username => 'renamed1', password => 'newpass1', algorithm => 'SHA-256');
$res = A(PUT => '/accounts/999999', json => { username => 'X' });
is($res->code, 422, 'validation comes before the lookup (unknown id, bad input: 422)');
$res = A(PUT => '/accounts/999999', json => \%put);
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Account not found' } ], 'unknown id: 404');
$res = A(PUT => "/accounts/$id", json => { username => 'renamed1' });
is_deeply(json_of($res)->{errors}, { password => [ 'The password field is required.' ],
                                     algorithm => [ 'The algorithm field is required.' ] }, 'password and algorithm required');
$res = A(PUT => "/accounts/$id", json => { %put, email => 'created1@example.org', dictionary => { a => 'b' } });
is($res->code, 200, 'update: 200');
my $u = json_of($res);
ok(exists $u->{passwords} && exists $u->{phone_change_code} && !exists $u->{call_forwardings}, 'Updated variant');
is($u->{email_change_code}{code}, '1234', 'change codes with their code');
is($u->{username}, 'renamed1', 'renamed');
is($u->{email}, 'created1@example.org', "resending the account's own email is fine");
ok(!defined $u->{display_name} && !defined $u->{phone} && !defined $u->{dtmf_protocol}, 'fields not resent are reset');
ok(!$u->{admin}, 'admin not resent: false');
ok($u->{activated} && !$u->{blocked}, 'activated and blocked unchanged when not sent');
is_deeply($u->{dictionary}, { a => 'b' }, 'dictionary replaced whole');
is_deeply($u->{passwords}, [ { algorithm => 'SHA-256' } ], 'password re-stored');
is(sql_value("SELECT password FROM passwords WHERE account_id = $id"), ha1('SHA-256', 'renamed1', 'global.realm.test', 'newpass1'),
   'with the new username');
$res = A(PUT => "/accounts/$id", json => { %put, activated => 0, blocked => 1 });
ok(!json_of($res)->{activated} && json_of($res)->{blocked}, 'activated and blocked when sent');
is_deeply(json_of($res)->{dictionary}, { a => 'b' }, 'dictionary untouched when not sent');
$res = A(PUT => "/accounts/$id", json => { %put, dictionary => [] });
is_deeply(json_of($res)->{dictionary}, {}, '[] clears the dictionary');

sql("INSERT INTO account_tombstones (username, domain) VALUES ('buried1', 'a.test')");
$res = A(PUT => "/accounts/$id", json => { %put, username => 'buried1' });
is_deeply(json_of($res)->{errors}, { username => [ 'The username has already been taken.' ] }, 'renaming to a tombstoned username: 422');
$res = A(PUT => "/accounts/$bid", json => { %put, username => 'fresh0001' });
is($res->code, 404, "a plain admin cannot PUT another Space's account");

# Super admin: PUT finds any Space's account; a move applies the target's max_accounts.
$res = S(space_a => PUT => "/accounts/$bid", json => { %put, username => 'stillinb' });
is($res->code, 200, "super admin: PUT of another Space's account");
is(json_of($res)->{domain}, 'b.test', 'without domain: stays in its domain');
$res = S(space_a => PUT => "/accounts/$bid", json => { %put, username => 'movedtoa', domain => 'a.test' });
is(json_of($res)->{domain}, 'a.test', 'with domain: moved');
is(json_of($res)->{realm}, 'global.realm.test', 'realm of the new Space');
$res = S(space_a => PUT => "/accounts/$bid", json => { %put, username => 'movedtoa', domain => 'c.test' });
is_deeply([ $res->code, json_of($res) ], [ 403, { message => 'This action is unauthorized.' } ], 'moving into a full Space: 403');
is(sql_value("SELECT accounts_space_count('a.test')") + 0,
   sql_value("SELECT count(*) FROM accounts WHERE domain = 'a.test'") + 0, "the Space counters follow moves");

# ---- GET /accounts: the paginator ------------------------------------------------------
$res = S(space_b => GET => '/accounts');
my $p = json_of($res);
is($res->code, 200, 'list of an empty Space: 200');
is_deeply([ @$p{qw(current_page from to last_page total per_page prev_page_url next_page_url)} ],
          [ 1, undef, undef, 1, 0, 20, undef, undef ], 'empty: page 1, from/to null, last_page 1, total 0');
is_deeply($p->{data}, [], 'data []');
my $base = space_url('space_b') . '/sip/v1/accounts';
is($p->{path}, $base, 'path: scheme://Host/path as sent');
is_deeply($p->{links}, [ { url => undef, label => '&laquo; Previous', page => undef, active => JSON::PP::false },
                         { url => "$base?page=1", label => '1', page => 1, active => JSON::PP::true },
                         { url => undef, label => 'Next &raquo;', page => undef, active => JSON::PP::false } ],
          'links: previous, 1, next');

sql("INSERT INTO accounts (username, domain, ip_address) SELECT 'bulk' || g, 'a.test', '192.0.2.1' FROM generate_series(1, 45) g");
my $total = sql_value("SELECT count(*) FROM accounts WHERE domain = 'a.test'");
$res = A(GET => '/accounts');
$p = json_of($res);
is($p->{total}, $total, 'total: every account of the Space');
is(scalar @{ $p->{data} }, 20, '20 per page');
ok(!exists $p->{data}[0]{passwords}, 'Admin variant items');
my @ids = map { $_->{id} } @{ $p->{data} };
is_deeply(\@ids, [ sort { $a <=> $b } @ids ], 'ordered by id');
my $last = int(($total + 19) / 20);
is($p->{last_page}, $last, 'last_page');
my $abase = space_url('space_a') . '/api/accounts';
is($p->{next_page_url}, "$abase?page=2", 'next_page_url');
$res = A(GET => "/accounts/?page=$last&foo=bar");
$p = json_of($res);
is($p->{current_page}, $last, 'the last page');
is($p->{to}, $total, 'to = total on the last page');
is($p->{from}, ($last - 1) * 20 + 1, 'from');
ok(!defined $p->{next_page_url}, 'no next page');
is($p->{prev_page_url}, "$abase?page=" . ($last - 1), 'prev_page_url, other parameters dropped');
$res = A(GET => '/accounts?page=99');
$p = json_of($res);
is_deeply([ $p->{current_page}, $p->{data}, $p->{from}, $p->{to} ], [ 99, [], undef, undef ], 'past the last page: empty data');
for my $q ('abc', '0', '-1', '1e3', '99999999999999999999') {
    is(json_of(A(GET => "/accounts?page=$q"))->{current_page}, 1, "page=$q: page 1");
}

# ---- DELETE /accounts/{id} -------------------------------------------------------------
$res = A(DELETE => "/accounts/$id");
is($res->code, 200, 'delete: 200');
is($res->content, '', 'empty body');
is(sql_value("SELECT count(*) FROM account_tombstones WHERE username = 'renamed1'"), 1, 'tombstone recorded');
is(sql_value("SELECT count(*) FROM account_dictionary_entries WHERE account_id = $id")
   + sql_value("SELECT count(*) FROM email_change_codes WHERE account_id = $id"), 0, 'attached data deleted');
is(A(DELETE => "/accounts/$id")->code, 404, 'deleting again: 404');
my $cid = sql_value("SELECT id FROM accounts WHERE username = 'cfill1'");
is(A(DELETE => "/accounts/$cid")->code, 404, "another Space's account: 404");
