# accountsctl, the command-line tool: every command, its output and exit
# status (deployment.md section 4).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);
use Digest::MD5 qw(md5_hex);

plan tests => 47;

reset_db();

# ---- usage and database errors ---------------------------------------------
my ($rc, $out, $err) = accountsctl();
is($rc, 1, 'no command: exit 1');
($rc, $out, $err) = accountsctl('frobnicate');
is($rc, 1, 'unknown command: exit 1');
like($err, qr/unknown command/, 'and says so');
($rc, $out, $err) = Accounts::Test::_run($ENV{ACCOUNTSCTL}, '--db', 'host=/nonexistent dbname=nothing',
                                         'migrate', '--sql-dir', $ENV{ACCOUNTS_SQL_DIR});
is($rc, 2, 'unreachable database: exit 2');
like($err, qr/cannot connect/, 'with a message on stderr');
is($out, '', 'nothing on stdout');

# ---- migrate ----------------------------------------------------------------
sql('DROP DATABASE IF EXISTS accounts_migrate_test');
sql('CREATE DATABASE accounts_migrate_test');
(my $fresh = $ENV{ACCOUNTS_DB}) =~ s/dbname=\S+/dbname=accounts_migrate_test/;
($rc, $out) = Accounts::Test::_run($ENV{ACCOUNTSCTL}, '--db', $fresh, 'migrate', '--sql-dir', $ENV{ACCOUNTS_SQL_DIR});
is($rc, 0, 'migrate on an empty database: exit 0');
is($out, "0001_init\n0002_account_functions\n0003_account_update\n0004_statement_level_counters\n0005_reset_password\n0006_hot_paths\n0007_page_walk\n", 'prints the migrations applied, in order');
($rc, $out) = Accounts::Test::_run($ENV{ACCOUNTSCTL}, '--db', $fresh, 'migrate', '--sql-dir', $ENV{ACCOUNTS_SQL_DIR});
is($rc, 0, 'migrate again: exit 0');
is($out, '', 'and a no-op');
{
    local $ENV{ACCOUNTS_DB} = $fresh;
    my $files = () = glob("$ENV{ACCOUNTS_SQL_DIR}/[0-9][0-9][0-9][0-9]_*.sql");
    is(sql_value('SELECT count(*) FROM schema_migrations'), $files, 'each recorded once in schema_migrations');
    ($rc, $out) = Accounts::Test::_run($ENV{ACCOUNTSCTL}, 'migrate', '--sql-dir', $ENV{ACCOUNTS_SQL_DIR});
    is($rc, 0, 'ACCOUNTS_DB is used without --db');
}
sql('DROP DATABASE accounts_migrate_test');
($rc, $out, $err) = accountsctl('migrate', '--sql-dir', '/nonexistent');
is($rc, 1, 'unreadable migrations directory: exit 1');

# ---- create-admin -------------------------------------------------------------
($rc, $out) = accountsctl('create-admin', 'root1', 'a.test', '--password', 'pässword', '--algorithm', 'MD5');
is($rc, 0, 'create-admin: exit 0');
like($out, qr/^[A-Za-z0-9]{40}\n$/, 'prints only a 40-character key');
chomp(my $key = $out);
my ($id, $admin, $activated) = split /\|/, sql_value("SELECT id, admin, activated FROM accounts WHERE username = 'root1'");
is("$admin$activated", 'tt', 'an activated admin');
is(sql_value("SELECT algorithm || ':' || password FROM passwords WHERE account_id = $id"),
   'MD5:' . md5_hex("root1:a.test:p\xc3\xa4ssword"), 'HA1 over UTF-8 bytes, realm = domain by default');
is(sql_value("SELECT user_key || ':' || coalesce(ip, '-') FROM api_keys WHERE key_hash = '" . sha256_hex($key) . "'"),
   'false:-', 'the key is stored hashed, stable, not IP-bound');
is(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key })->code, 200, 'the key works');

($rc, $out) = accountsctl('create-admin', 'root2', 'a.test', '--password', 'secret', '--realm', 'my.realm');
is(sql_value("SELECT algorithm || ':' || password FROM passwords p JOIN accounts a ON a.id = p.account_id WHERE username = 'root2'"),
   'SHA-256:' . sha256_hex('root2:my.realm:secret'), 'SHA-256 by default, --realm used in the hash');

($rc, $out) = accountsctl('create-admin', 'nopass', 'a.test');
is($rc, 0, 'without --password');
is(sql_value("SELECT count(*) FROM passwords p JOIN accounts a ON a.id = p.account_id WHERE username = 'nopass'"), 0,
   'a new account has no password');

# An existing plain account becomes an admin, keeping its id and passwords.
sql("INSERT INTO accounts (username, domain, ip_address) VALUES ('plain', 'a.test', '192.0.2.1')");
my $plain = sql_value("SELECT id FROM accounts WHERE username = 'plain'");
sql("INSERT INTO passwords (account_id, algorithm, password) VALUES ($plain, 'MD5', 'abc')");
($rc, $out) = accountsctl('create-admin', 'plain', 'A.TEST');
is($rc, 0, 'create-admin on an existing account');
is(sql_value("SELECT id || ' ' || admin || ' ' || activated || ' ' || ip_address FROM accounts WHERE username = 'plain'"),
   "$plain true true 192.0.2.1", 'same id and data, now an activated admin (domain matched case-insensitively)');
is(sql_value("SELECT password FROM passwords WHERE account_id = $plain"), 'abc', 'passwords kept without --password');
is(sql_value('SELECT count(*) FROM accounts'), 4, 'no duplicate account');

($rc, undef, $err) = accountsctl('create-admin', 'x1', 'a.test', '--algorithm', 'SHA-1', '--password', 'p');
is($rc, 1, 'unknown algorithm: exit 1');
($rc, undef, $err) = accountsctl('create-admin', 'Upper', 'a.test');
is($rc, 1, 'invalid username: exit 1');
($rc, undef, $err) = accountsctl('create-admin', 'onlyone');
is($rc, 1, 'missing domain: exit 1');
sql("INSERT INTO account_tombstones (username, domain) VALUES ('gone', 'a.test')");
($rc, undef, $err) = accountsctl('create-admin', 'gone', 'a.test');
is($rc, 1, 'a tombstoned username: exit 1');
like($err, qr/cannot be used again/, 'with the reason');

# ---- api-key -----------------------------------------------------------------
($rc, $out) = accountsctl('api-key', 'plain@a.test');
is($rc, 0, 'api-key: exit 0');
like($out, qr/^[A-Za-z0-9]{40}\n$/, 'prints the key');
chomp(my $plain_key = $out);
is(json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $plain_key }))->{username},
   'plain', 'the key authenticates its account');
($rc, $out) = accountsctl('api-key', 'sip:plain@a.test');
is($rc, 0, 'a sip: prefix is accepted');
($rc, $out, $err) = accountsctl('api-key', 'nobody@a.test');
is($rc, 1, 'unknown account: exit 1');
like($err, qr/no account/, 'and a message');
($rc) = accountsctl('api-key', 'not-an-address');
is($rc, 1, 'not a SIP address: exit 1');

# ---- creation-token ------------------------------------------------------------
($rc, $out) = accountsctl('creation-token', '--space', 'a.test', '--count', '3');
is($rc, 0, 'creation-token: exit 0');
my @tokens = split /\n/, $out;
is(scalar(grep { /^[A-Za-z0-9]{13}$/ } @tokens), 3, 'three 13-character tokens');
is(sql_value("SELECT count(*) FROM account_creation_tokens WHERE domain = 'a.test' AND NOT used AND token_hash IN ("
             . join(',', map { "'" . sha256_hex($_) . "'" } @tokens) . ')'), 3,
   'stored hashed, unused, bound to the Space');
($rc, $out) = accountsctl('creation-token', '--space', 'b.test');
is(scalar(split /\n/, $out), 1, 'one token by default');
($rc) = accountsctl('creation-token');
is($rc, 1, 'missing --space: exit 1');

# ---- purge ---------------------------------------------------------------------
sql("INSERT INTO digest_nonces (account_id, nonce, created_at) VALUES ($id, repeat('a', 64), now() - interval '2 hours'),"
    . " ($id, repeat('b', 64), now())");
sql("INSERT INTO api_keys (account_id, key_hash, user_key, last_used_at) VALUES ($id, repeat('c', 64), true, now() - interval '2 hours'),"
    . " ($id, repeat('d', 64), true, now())");
sql("INSERT INTO auth_tokens (token_hash, created_at) VALUES (repeat('e', 64), now() - interval '10 minutes'), (repeat('f', 64), now())");
sql("INSERT INTO provisioning_tokens (account_id, token, used) VALUES ($id, 'usedtoken0001', true), ($id, 'livetoken0001', false)");
($rc, $out) = accountsctl('purge');
is($rc, 0, 'purge: exit 0');
is($out, "nonces 1\nuser_api_keys 1\nstable_api_keys 0\nauth_tokens 1\ncreation_tokens 0\n"
         . "provisioning_tokens 1\nreset_password_tokens 0\n", 'prints what it deleted');
is(sql_value("SELECT (SELECT count(*) FROM digest_nonces)::text || (SELECT count(*) FROM auth_tokens)::text"
             . " || (SELECT token FROM provisioning_tokens)"), '11livetoken0001', 'fresh rows are kept');
($rc, $out) = accountsctl('purge', '--api-key-expiry', '0');
like($out, qr/^user_api_keys 0$/m, '--api-key-expiry 0 keeps idle keys');
