# What SIP servers read (issue 14): every Space's realm in the spaces table,
# written by httpd's children from the configuration, and the credential
# views sip_credentials, sip_credentials_md5 and sip_credentials_sha256
# (sql/0010) over accounts created through the API.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);

plan tests => 14;

reset_db();
# The rows were written when the children started (t/conf/extra.conf.in).
my %realm = map { split /\|/ } sql("SELECT domain, realm FROM spaces WHERE domain IN ('a.test', 'b.test', 'c.test', 'super.test')");
is_deeply(\%realm, { 'a.test' => 'global.realm.test', 'b.test' => 'realm-b.test', 'c.test' => 'c.realm.test',
                     'super.test' => 'global.realm.test' },
          "each Space's digest realm (AccountsRealm, inherited or its own) in its row");

# A graceful restart (what `apachectl graceful` does after httpd.conf
# changed) starts new children, which write the rows again: a realm out of
# date in the database is corrected with no hand copy.
sql("UPDATE spaces SET realm = 'stale.realm' WHERE domain = 'b.test'");
my $pidfile = Apache::Test::vars('t_logs') . '/httpd.pid';
open my $pfh, '<', $pidfile or die "$pidfile: $!";
chomp(my $httpd_pid = <$pfh>);
close $pfh;
ok(kill('USR1', $httpd_pid), 'graceful restart of httpd');
my $fixed;
for (1 .. 40) {
    last if ($fixed = sql_value("SELECT realm FROM spaces WHERE domain = 'b.test'")) eq 'realm-b.test';
    select(undef, undef, undef, 0.25);
}
is($fixed, 'realm-b.test', "the new children wrote the Space's realm back from the configuration");

my $admin = create_admin('sipadmin', 'b.test');
sub create { my (%f) = @_; call(space_b => POST => '/sip/v1/accounts', headers => { 'x-api-key' => $admin }, json => \%f) }
is(create(username => 'md5user', password => 'md5-secret', algorithm => 'MD5', activated => 1)->code, 200, 'an MD5 account');
is(create(username => 'shauser', password => 'sha-secret', algorithm => 'SHA-256', activated => 1)->code, 200, 'a SHA-256 account');
is(create(username => 'inactive', password => 'x-secret1', algorithm => 'MD5')->code, 200, 'a deactivated one');
my $blocked = json_of(create(username => 'blocked1', password => 'y-secret1', algorithm => 'MD5', activated => 1))->{id};
call(space_b => POST => "/sip/v1/accounts/$blocked/block", headers => { 'x-api-key' => $admin });

my @rows = sql("SELECT username, domain, realm, algorithm, ha1 FROM sip_credentials WHERE domain = 'b.test' ORDER BY username, algorithm");
is_deeply(\@rows, [ 'md5user|b.test|realm-b.test|MD5|' . md5_hex('md5user:realm-b.test:md5-secret'),
                    'shauser|b.test|realm-b.test|SHA-256|' . sha256_hex('shauser:realm-b.test:sha-secret') ],
          'sip_credentials: the activated, unblocked accounts, one row per password, realm of the Space');
is(sql_value("SELECT ha1 FROM sip_credentials_md5 WHERE username = 'md5user' AND domain = 'b.test'"),
   md5_hex('md5user:realm-b.test:md5-secret'), 'sip_credentials_md5 by (username, domain)');
is(sql_value("SELECT ha1 FROM sip_credentials_sha256 WHERE username = 'shauser' AND realm = 'realm-b.test'"),
   sha256_hex('shauser:realm-b.test:sha-secret'), 'sip_credentials_sha256 by (username, realm)');
is(sql_value("SELECT count(*) FROM sip_credentials_md5 WHERE username = 'shauser'"), 0, 'no MD5 row without an MD5 password');

# Legacy clear-text passwords: an HA1 for each algorithm the account has no hash of.
my $legacy = make_account('legacy', 'b.test', passwords => { CLRTXT => 'clear-1' });
my $mixed = make_account('mixed01', 'b.test', realm => 'realm-b.test', passwords => { MD5 => 'own-md5', CLRTXT => 'clear-2' });
@rows = sql("SELECT username, algorithm, ha1 FROM sip_credentials WHERE username IN ('legacy', 'mixed01') ORDER BY 1, 2");
is_deeply(\@rows, [ 'legacy|MD5|' . md5_hex('legacy:realm-b.test:clear-1'),
                    'legacy|SHA-256|' . sha256_hex('legacy:realm-b.test:clear-2' =~ s/clear-2/clear-1/r),
                    'mixed01|MD5|' . md5_hex('mixed01:realm-b.test:own-md5'),
                    'mixed01|SHA-256|' . sha256_hex('mixed01:realm-b.test:clear-2') ],
          'CLRTXT: computed HA1s, the stored hash wins for its algorithm');

# An account of a domain no Space serves: its realm is its domain.
make_account('stray01', 'nowhere.test', passwords => { MD5 => 'stray-pw' });
is(sql_value("SELECT realm || ' ' || ha1 FROM sip_credentials_md5 WHERE username = 'stray01' AND domain = 'nowhere.test'"),
   'nowhere.test ' . md5_hex('stray01:nowhere.test:stray-pw'), 'a domain without a Space row: realm = domain');

# Deactivation and blocking take effect at once.
call(space_b => POST => '/sip/v1/accounts/' . json_of(call(space_b => GET => '/sip/v1/accounts/md5user@b.test/search',
     headers => { 'x-api-key' => $admin }))->{id} . '/deactivate', headers => { 'x-api-key' => $admin });
is(sql_value("SELECT count(*) FROM sip_credentials WHERE username = 'md5user'"), 0, 'deactivated: gone from the views');

# The lookup a SIP server makes can be an index probe, whatever the size
# (with these few rows the planner would scan: tell it not to, and see
# whether it can do without; docs/sip-integration.md shows the plan at 1M).
my $plan = join "\n", sql("SET enable_seqscan = off; EXPLAIN SELECT ha1 FROM sip_credentials_md5"
                          . " WHERE username = 'shauser' AND domain = 'b.test'");
unlike($plan, qr/Seq Scan on (accounts|passwords)/, 'no sequential scan of accounts or passwords') or diag($plan);
