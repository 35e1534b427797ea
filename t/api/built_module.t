# The suite tests the module it built, never an installed copy (issue 18,
# item 6): the running httpd maps the build's mod_accounts.so and no other
# file of that name, and its generated configuration loads only the build.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Cwd qw(realpath);

plan tests => 4;

my $built = realpath($ENV{ACCOUNTS_MODULE}) // die "ACCOUNTS_MODULE is not set\n";
ok(-f $built, "the build's module: $built");

my $logs = Apache::Test::vars('t_logs');
open my $pf, '<', "$logs/httpd.pid" or die "$logs/httpd.pid: $!";
chomp(my $pid = <$pf>);
close $pf;
open my $maps, '<', "/proc/$pid/maps" or die "/proc/$pid/maps: $!";
my %mapped = map { (split ' ', $_, 6)[5] // '' => 1 } <$maps>;
close $maps;
my @modules = sort grep { m{/mod_accounts\.so\b} } map { s/\s+\z//r } keys %mapped;
is_deeply([ map { realpath($_) // $_ } @modules ], [ $built ], 'httpd maps exactly the built module');

my $conf = Apache::Test::vars('t_conf_file');
open my $cf, '<', $conf or die "$conf: $!";
my @loads = grep { /^\s*LoadModule\s+accounts_module\b/ } <$cf>;
close $cf;
is(scalar(@loads), 0, 'the generated httpd.conf inherits no LoadModule accounts_module from the system');

open my $el, '<', "$logs/error_log" or die "$logs/error_log: $!";
my @skipped = grep { /accounts_module is already loaded/ } <$el>;
close $el;
is(scalar(@skipped), 0, 'no "already loaded, skipping" in the error log');
