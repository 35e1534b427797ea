# accountsctl, the command-line tool: every command, its output and exit
# status (deployment.md section 4).
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::SHA qw(sha256_hex);
use Digest::MD5 qw(md5_hex);
use File::Temp ();

plan tests => 79;

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
# Every migration of sql/, in name order (the list grows with the schema).
my $migrations = join '', map { m{/(\d{4}_\w+)\.sql$} ? "$1\n" : () } sort glob("$ENV{ACCOUNTS_SQL_DIR}/[0-9][0-9][0-9][0-9]_*.sql");
like($migrations, qr/^0001_init\n0002_account_functions\n.*0007_page_walk\n/s, 'the migrations of sql/, from 0001_init');
is($out, $migrations, 'prints the migrations applied, in order');
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
is(sql_value("SELECT (SELECT count(*) FROM digest_nonces WHERE account_id IS NOT NULL)::text"
             . " || (SELECT count(*) FROM auth_tokens)::text || (SELECT token FROM provisioning_tokens)"),
   '11livetoken0001', 'fresh rows are kept');
is(sql_value("SELECT count(*) FROM digest_nonces WHERE nonce = 'epoch'"), 1,
   "the nonce table's epoch row (a day old) is never purged");
($rc, $out) = accountsctl('purge', '--api-key-expiry', '0');
like($out, qr/^user_api_keys 0$/m, '--api-key-expiry 0 keeps idle keys');

# ---- create-admin: the password from standard input or a file ------------------
# Last: the digest logins leave nonces, which purge would count.
# Space A's realm, so that the new admins can log in by digest there.
my $realm_a = 'global.realm.test';
my $tmp = File::Temp::tempdir(CLEANUP => 1);
sub write_file { my ($name, $text) = @_; open my $fh, '>', "$tmp/$name" or die $!; print $fh $text; close $fh; "$tmp/$name" }
sub stored_password { sql_value("SELECT algorithm || ':' || password FROM passwords p JOIN accounts a"
                                . " ON a.id = p.account_id WHERE username = '$_[0]'") }
sub digest_login {
    my ($username, $password, $algorithm) = @_;
    my ($res) = digest_call(space_a => GET => '/api/accounts/me', username => $username, domain => 'a.test',
                            password => $password, algorithm => $algorithm);
    return $res->code . ' ' . ((json_of($res) // {})->{username} // '');
}

($rc, $out, $err) = accountsctl_input("stdin-secret-1\nnot this line\n", 'create-admin', 'fromstdin', 'a.test',
                                      '--password-stdin', '--realm', $realm_a);
is($rc, 0, '--password-stdin: exit 0');
like($out, qr/^[A-Za-z0-9]{40}\n$/, 'prints only the key');
is("$out$err" =~ /stdin-secret/ ? 'echoed' : 'not echoed', 'not echoed', 'the password appears in no output');
is(stored_password('fromstdin'), 'SHA-256:' . sha256_hex("fromstdin:$realm_a:stdin-secret-1"), 'the first line is the password');
is(digest_login('fromstdin', 'stdin-secret-1', 'SHA-256'), '200 fromstdin', 'which logs in by digest');

($rc) = accountsctl_input(" crlf secret 2 \r\n", 'create-admin', 'fromdash', 'a.test', '--password-file', '-',
                          '--algorithm', 'MD5', '--realm', $realm_a);
is($rc, 0, '--password-file -: standard input, exit 0');
is(stored_password('fromdash'), 'MD5:' . md5_hex("fromdash:$realm_a: crlf secret 2 "),
   'only the CRLF is removed (spaces are part of the password)');

my $file = write_file('admin-password', "file-secret-3\nsecond line\n");
remember_secret('file-secret-3', 'bare-secret-4');
($rc, $out, $err) = accountsctl('create-admin', 'fromfile', 'a.test', '--password-file', $file,
                                '--algorithm', 'MD5', '--realm', $realm_a);
is($rc, 0, '--password-file FILE: exit 0');
is("$out$err" =~ /file-secret/ ? 'echoed' : 'not echoed', 'not echoed', 'the password appears in no output');
is(digest_login('fromfile', 'file-secret-3', 'MD5'), '200 fromfile', 'its first line logs in by digest');
($rc) = accountsctl('create-admin', 'nonewline', 'a.test', '--password-file', write_file('bare', 'bare-secret-4'));
is(stored_password('nonewline'), 'SHA-256:' . sha256_hex('nonewline:a.test:bare-secret-4'),
   'a file without a final newline: all of it');

my $accounts = sql_value('SELECT count(*) FROM accounts');
for my $both ([ '--password', 'inline-pw', '--password-stdin' ], [ '--password-file', $file, '--password', 'inline-pw' ],
              [ '--password-stdin', '--password-file', $file ]) {
    ($rc, $out, $err) = accountsctl_input("stdin-pw\n", 'create-admin', 'twosources', 'a.test', @$both);
    is($rc, 1, "@$both: exit 1");
    like($err, qr/^accountsctl: --password-file, --password-stdin and --password are mutually exclusive$/, '  says so');
}
($rc, $out, $err) = accountsctl_input("\n", 'create-admin', 'emptystdin', 'a.test', '--password-stdin');
is("$rc $err", "1 accountsctl: the password must not be empty\n", 'an empty line: refused as --password ""');
($rc, $out, $err) = accountsctl('create-admin', 'emptyfile', 'a.test', '--password-file', write_file('empty', ''));
is("$rc $err", "1 accountsctl: the password must not be empty\n", 'an empty file: refused');
($rc, $out, $err) = accountsctl('create-admin', 'nofile', 'a.test', '--password-file', "$tmp/missing");
is($rc, 1, 'an unreadable password file: exit 1');
like($err, qr/^accountsctl: cannot read the password from \Q$tmp\E\/missing: No such file or directory$/,
     '  naming the file');
($rc, $out, $err) = accountsctl('create-admin', 'dirfile', 'a.test', '--password-file', $tmp);
like("$rc $err", qr/^1 accountsctl: cannot read the password from \Q$tmp\E: /, 'a directory: exit 1, naming it');
($rc, $out, $err) = accountsctl('create-admin', 'novalue', 'a.test', '--password-file');
is($rc, 1, '--password-file without FILE: exit 1');
is(sql_value('SELECT count(*) FROM accounts'), $accounts, 'no account created by any refused command');
like((accountsctl('--help'))[1], qr/--password-file FILE \| --password-stdin \| --password PW/, 'the usage names the three');

# ---- the command line (tools/cli.c; the man page is checked by tests/unit/check_cli.c)
($rc, $out, $err) = Accounts::Test::_run($ENV{ACCOUNTSCTL}, 'migrate', "--db=host=/nonexistent password=se cret",
                                         "--sql-dir=$ENV{ACCOUNTS_SQL_DIR}");
is($rc, 2, '--db=VALUE after the command: used (exit 2, unreachable)');
unlike("$out$err", qr/se cret|cret/, 'the connection string is never printed back');
($rc, $out, $err) = Accounts::Test::_run($ENV{ACCOUNTSCTL}, 'host=/x password=hunter2', 'migrate');
is("$rc " . ("$out$err" =~ /hunter2/ ? 'echoed' : 'not echoed'), '1 not echoed', 'a connection string without --db: exit 1, not echoed');
($rc, $out, $err) = accountsctl('create-admin', '--help');
is($rc, 0, 'COMMAND --help: exit 0, without its arguments');
like($out, qr/^usage: accountsctl \[--db CONNINFO\] create-admin USERNAME DOMAIN.*--realm REALM/s, '  its own usage on stdout');
