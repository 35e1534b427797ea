# GET /accounts deep in a big Space (api.md 3.3, 5.12): pages past the
# first 4096 accounts are found through the id buckets of sql/0006 and
# 0007. Every page checked here must hold exactly the ids a plain ORDER BY
# id OFFSET
# gives, after bulk inserts from several connections (several writer
# slots), deletions, moves out of and into the Space, and creations
# through the API.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 36;

reset_db();
my $admin = create_admin('admin', 'a.test');
sub A { my ($path) = @_; call(space_a => GET => "/api$path", headers => { 'x-api-key' => $admin }) }

# Each sql() is its own psql session, so its own backend and writer slot.
for my $chunk (0 .. 2) {
    sql("INSERT INTO accounts (username, domain, ip_address)"
        . " SELECT 'u$chunk-' || g, 'a.test', '192.0.2.1' FROM generate_series(1, 4000) g");
}
# sql/0007: each insert of a multiple of 256 ids folds the Space's buckets
# older than the previous one into one row each (slot -1).
my $cold = "FROM account_id_buckets WHERE domain = 'a.test' AND bucket <"
    . " (SELECT max(bucket) - 1 FROM account_id_buckets WHERE domain = 'a.test')";
is(sql_value("SELECT count(DISTINCT bucket) || '/' || count(*) FILTER (WHERE slot <> -1) $cold"),
   sql_value("SELECT count(DISTINCT bucket) $cold") . '/0',
   'three writers: every cold bucket folded into one row');
ok(sql_value("SELECT count(DISTINCT bucket) $cold") >= 1, 'and there are cold buckets');
sql("DELETE FROM accounts WHERE domain = 'a.test' AND id BETWEEN 3000 AND 5200");
sql("UPDATE accounts SET domain = 'b.test' WHERE domain = 'a.test' AND id % 7 = 0 AND id < 9000");
sql("UPDATE accounts SET domain = 'a.test' WHERE domain = 'b.test' AND id % 14 = 0 AND id < 6000");
for my $n (1 .. 5) {
    my $res = call(space_a => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
                   json => { username => "apiuser$n", password => 'secret-pass', algorithm => 'MD5' });
    is($res->code, 200, "creation $n through the API") or diag($res->content);
}

my $total = sql_value("SELECT count(*) FROM accounts WHERE domain = 'a.test'");
my $last = int(($total + 19) / 20);
ok($total > 4096 * 2, "a Space of $total accounts, more than two buckets");
is(sql_value("SELECT accounts_space_count('a.test')"), $total, 'the buckets count what count(*) counts');

for my $page (1, 2, 204, 205, 206, 250, 300, int(($last + 1) / 2), $last - 1, $last) {
    my $offset = ($page - 1) * 20;
    my $expected = sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM"
        . " (SELECT id FROM accounts WHERE domain = 'a.test' ORDER BY id LIMIT 20 OFFSET $offset) p");
    my $body = json_of(A("/accounts?page=$page"));
    is(join(',', map { $_->{id} } @{ $body->{data} }) . "/$body->{total}", "$expected/$total",
       "page $page: the ids of ORDER BY id OFFSET $offset, and the total");
}
is_deeply(json_of(A("/accounts?page=" . ($last + 1)))->{data}, [], 'past the last page: no data');

# Deleting every account empties the buckets' sum, not only the table.
sql("DELETE FROM accounts WHERE domain = 'a.test' AND NOT admin");
is(json_of(A('/accounts'))->{total}, 1, 'after a bulk delete: only the admin is counted');
is(sql_value("SELECT accounts_space_count('b.test')"),
   sql_value("SELECT count(*) FROM accounts WHERE domain = 'b.test'"), "moves counted in the other Space too");
my $p = json_of(A('/accounts?page=300'));
is_deeply([ $p->{total}, $p->{data} ], [ 1, [] ], 'a deep page of a Space that shrank: empty');

# Bucket rows with a sum of zero remain; they must not break a lookup.
sql("INSERT INTO accounts (username, domain, ip_address)"
    . " SELECT 'late-' || g, 'a.test', '192.0.2.1' FROM generate_series(1, 12000) g");
# That insert folded the deletions' rows: every page below the newest
# buckets is now found by one probe of the folded running totals (sql/0007),
# the last 4096 accounts backwards from the newest.
is(sql_value("SELECT count(*) $cold AND slot >= 0"), 0, 'after more creations: every cold bucket folded again');
my $late_total = sql_value("SELECT count(*) FROM accounts WHERE domain = 'a.test'");
my $late_last = int(($late_total + 19) / 20);
ok($late_total > 2 * 4096, "$late_total accounts: pages between the first and the last 4096");
for my $page (206, 300, 395, 396, 397, $late_last) {
    my $offset = ($page - 1) * 20;
    my $expected = sql_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM"
        . " (SELECT id FROM accounts WHERE domain = 'a.test' ORDER BY id LIMIT 20 OFFSET $offset) p");
    is(join(',', map { $_->{id} } @{ json_of(A("/accounts?page=$page"))->{data} }), $expected,
       "after emptied and folded buckets, page $page is still right");
}

# The listing reads sub-objects set-wise for the page (store.c
# accounts_page): each item must be what GET /accounts/{id} shows of the
# account, less the change codes' "code" (api.md 3.1: only there).
my @late = map { sql_value("SELECT id FROM accounts WHERE username = 'late-$_'") } 1 .. 3;
sql("INSERT INTO account_dictionary_entries (account_id, key, value) VALUES"
    . " ($late[0], 'zeta', 'z'), ($late[0], 'alpha', 'a'), ($late[1], 'only', 'one')");
sql("INSERT INTO email_change_codes (account_id, email, code, consumed) VALUES"
    . " ($late[0], 'old\@example.com', '1111', false), ($late[0], 'new\@example.com', '2222', false),"
    . " ($late[1], 'used\@example.com', '3333', true)");
sql("INSERT INTO phone_change_codes (account_id, phone, code, ip) VALUES ($late[2], '+33612345678', '4444', '192.0.2.9')");
sql("INSERT INTO provisioning_tokens (account_id, token, used) VALUES"
    . " ($late[0], 'tokenOlder001', false), ($late[0], 'tokenNewer002', false), ($late[1], 'tokenUsed0003', true)");
my %listed = map { $_->{id} => $_ } @{ json_of(A('/accounts?page=1'))->{data} };
for my $i (0 .. 2) {
    my $shown = json_of(A("/accounts/$late[$i]"));
    for my $change (qw(email_change_code phone_change_code)) {
        delete $shown->{$change}{code} if ref $shown->{$change};
    }
    is_deeply($listed{$late[$i]}, $shown, "listing item $i equals the account as shown alone, less codes");
}

# The dictionary and change codes come from a second statement, for the
# accounts flagged as having some (sql/0007): a creation through the API
# with a dictionary sets the flag too.
my $made = call(space_a => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
                json => { username => 'withdict', password => 'secret-pass', algorithm => 'MD5',
                          dictionary => { lang => 'fr', theme => 'dark' } });
is($made->code, 200, 'a creation with a dictionary') or diag($made->content);
my $made_id = json_of($made)->{id};
my $last_now = int((json_of(A('/accounts'))->{total} + 19) / 20);
my ($item) = grep { $_->{id} == $made_id } @{ json_of(A("/accounts?page=$last_now"))->{data} };
is_deeply($item && $item->{dictionary}, { lang => 'fr', theme => 'dark' }, 'listed with its dictionary');
