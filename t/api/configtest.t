# Configuration mistakes are caught by `apache2 -t` (issue 18, item 3):
# without mod_dbd, the test used to pass and the next graceful reload took
# the running server down ("mod_accounts needs mod_dbd").
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use File::Temp qw(tempdir);

plan tests => 11;

my $dir = tempdir(CLEANUP => 1);
my $modules = $ENV{ACCOUNTS_HTTPD_MODULES};
my $builtin = `$ENV{ACCOUNTS_HTTPD} -l 2>/dev/null` // '';
my $base = join '', map { $builtin =~ /^\s*mod_$_\.c$/m ? '' : "LoadModule ${_}_module $modules/mod_$_.so\n" }
    qw(mpm_event authz_core unixd);

sub configtest {
    my ($load, $vhosts) = @_;
    $vhosts //= "<VirtualHost *:80>\n    AccountsSpace sip.example.org\n    <Location /api>\n"
        . "        SetHandler accounts\n    </Location>\n</VirtualHost>\n";
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh "ServerRoot \"$dir\"\nPidFile \"$dir/httpd.pid\"\nErrorLog \"$dir/error_log\"\n"
        . "DefaultRuntimeDir \"$dir\"\nServerName localhost\nListen 127.0.0.1:1\n$base$load"
        . "LoadModule accounts_module $ENV{ACCOUNTS_MODULE}\n$vhosts";
    close $fh;
    return Accounts::Test::_run($ENV{ACCOUNTS_HTTPD}, '-t', '-f', "$dir/httpd.conf");
}

my ($rc, $out, $err) = configtest('');
isnt($rc, 0, 'a Space without mod_dbd loaded: apache2 -t fails');
like($err . $out, qr/mod_accounts needs mod_dbd: LoadModule dbd_module first/, 'and says what to load');
my $dbd = "LoadModule dbd_module $modules/mod_dbd.so\n";
my $db = "DBDriver pgsql\nDBDParams \"host=/nonexistent dbname=accounts\"\n";

# A Space without its database directives: said at configuration time (it
# used to be "no database connection (is PostgreSQL reachable?)" on every
# request of the running server).
($rc, $out, $err) = configtest($dbd);
isnt($rc, 0, 'with mod_dbd but no DBDriver nor DBDParams: apache2 -t fails');
like($err . $out, qr{AccountsSpace sip\.example\.org \(\Q$dir\E/httpd\.conf:\d+\) has no DBDriver and no DBDParams: give it its database with DBDriver pgsql and DBDParams},
     'naming the Space, its virtual host and what is missing') or diag($err);
($rc, $out, $err) = configtest("${dbd}DBDriver pgsql\n");
like($err . $out, qr{has no DBDParams: }, 'only DBDParams missing: says so') or diag($err);
($rc, $out, $err) = configtest($dbd, "<VirtualHost *:80>\n    AccountsSpace sip.example.org\n    DBDriver pgsql\n"
    . "    DBDParams \"host=/nonexistent dbname=accounts\"\n</VirtualHost>\n");
is($rc, 0, 'the directives in the virtual host itself: passes') or diag($err);

($rc, $out, $err) = configtest("$dbd$db");
is($rc, 0, 'with mod_dbd and a database: passes') or diag($err);
like($err . $out, qr/Syntax OK/, 'Syntax OK');

# Two virtual hosts defining one Space differently: both are named.
($rc, $out, $err) = configtest("$dbd$db",
    "<VirtualHost *:80>\n    ServerName sip.example.org\n    AccountsSpace sip.example.org\n</VirtualHost>\n"
    . "<VirtualHost *:8080>\n    ServerName sip.example.org\n    AccountsSpace Sip.Example.org\n"
    . "    AccountsMaxAccounts 10\n</VirtualHost>\n");
isnt($rc, 0, 'one Space defined twice differently: apache2 -t fails');
like($err . $out, qr{AccountsSpace sip\.example\.org is defined twice with different settings \(AccountsMaxAccounts differs, in the virtual host at \Q$dir\E/httpd\.conf:\d+ and in the one at \Q$dir\E/httpd\.conf:\d+\)},
     'naming the file and line of both virtual hosts') or diag($err);
($rc, $out, $err) = configtest("$dbd$db",
    "<VirtualHost *:80>\n    ServerName sip.example.org\n    AccountsSpace sip.example.org\n</VirtualHost>\n"
    . "<VirtualHost *:8080>\n    ServerName sip.example.org\n    AccountsSpace SIP.Example.ORG\n</VirtualHost>\n");
is($rc, 0, 'AccountsSpace values that differ only in case are one Space') or diag($err);
