# apachectl -t (httpd -t) with the module: every bad directive value stops
# the configuration test with a message naming the directive; a valid
# configuration passes; two different definitions of one Space fail.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use File::Temp qw(tempdir);

my @bad = (
    [ AccountsSpace => '"bad domain"' ],
    [ AccountsSpaceName => '""' ],
    [ AccountsSuperSpace => 'maybe' ],
    [ AccountsRealm => '"a\"b"' ],
    [ AccountsMaxAccounts => '-1' ],
    [ AccountsPasswordAlgorithm => 'SHA-1' ],
    [ AccountsEmailUnique => 'perhaps' ],
    [ AccountsUsernameRegex => '"^[a-z"' ],
    [ AccountsAllowPhoneUsername => '2' ],
    [ AccountsCreationTokenExpiry => 'soon' ],
    [ AccountsAuthTokenExpiry => '0' ],
    [ AccountsApiKeyExpiry => '-60' ],
    [ AccountsProvisioningTokenExpiry => 'x' ],
    [ AccountsResetPasswordExpiry => '99999999999' ],
    [ AccountsTurnServer => 'turn.example.org:0' ],
    [ AccountsTurnSecret => '""' ],
    [ AccountsTurnTTL => 'day' ],
    [ AccountsPublicURL => 'ftp://example.org' ],
    [ AccountsSendmail => '""' ],
    [ AccountsMailFrom => 'nobody' ],
    [ AccountsSecret => '""' ],
    [ AccountsAllowedPhoneCountries => '33 +31' ],
    [ AccountsMailFromName => '""' ],
    [ AccountsMailSignature => '""' ],
    [ AccountsProvisioningHeaderRequired => 'sometimes' ],
    [ AccountsProvisioningSections => '/nonexistent/sections.ini' ],
    [ AccountsProvisioningOverwrite => 'always' ],
    [ AccountsLinphoneUI => 'hide_settings yes' ],
    [ AccountsContactsVcardURL => 'vcards' ],
    [ AccountsNonceMaxAge => 'old' ],
    [ AccountsSpaceExpiry => '2030-13-01' ],
);

plan tests => 2 * @bad + 5;

my $dir = tempdir(CLEANUP => 1);
my $mods = $ENV{ACCOUNTS_HTTPD_MODULES};

sub configtest {
    my ($body) = @_;
    open my $fh, '>', "$dir/httpd.conf" or die $!;
    print $fh <<"CONF";
ServerRoot "$dir"
DefaultRuntimeDir "$dir"
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error_log"
ServerName localhost
Listen 127.0.0.1:1
LoadModule mpm_event_module "$mods/mod_mpm_event.so"
LoadModule dbd_module "$mods/mod_dbd.so"
LoadModule accounts_module "$ENV{ACCOUNTS_MODULE}"
DBDriver pgsql
DBDParams "$ENV{ACCOUNTS_DB}"
$body
CONF
    close $fh;
    my ($rc, $out, $err) = Accounts::Test::_run($ENV{ACCOUNTS_HTTPD}, '-t', '-f', "$dir/httpd.conf");
    return ($rc, $out . $err);
}

my $space = "<VirtualHost *:1>\n ServerName a.test\n AccountsSpace a.test\n"
          . " <Location /api>\n  SetHandler accounts\n </Location>\n</VirtualHost>\n";

my ($rc, $text) = configtest("AccountsMaxAccounts 10\nAccountsLinphoneUI max_account 2\n$space");
is($rc, 0, 'a valid configuration passes') or diag $text;
like($text, qr/Syntax OK/, 'Syntax OK');

for my $case (@bad) {
    my ($name, $value) = @$case;
    ($rc, $text) = configtest("$name $value\n$space");
    isnt($rc, 0, "$name $value is refused");
    like($text, qr/\Q$name\E/, "and the message names $name") or diag $text;
}

my $twice = $space . "<VirtualHost *:1>\n ServerName a.test\n AccountsSpace a.test\n"
          . " AccountsMaxAccounts 5\n</VirtualHost>\n";
($rc, $text) = configtest($twice);
isnt($rc, 0, 'one SIP domain defined twice with different settings is refused');
like($text, qr/AccountsSpace a\.test is defined twice.*AccountsMaxAccounts/s, 'naming the domain and the setting');

my $same = $space . "<VirtualHost *:1>\n ServerName a.test\n AccountsSpace a.test\n</VirtualHost>\n";
($rc, $text) = configtest($same);
is($rc, 0, 'two vhosts serving one Space with the same settings are fine') or diag $text;
