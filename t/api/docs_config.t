# Every Apache configuration block of README.md and docs/*.md passes
# `apache2 -t` with the built module (issue 18, item 2), so that what an
# operator pastes works. A block is a fenced or indented code block whose
# lines hold a section or a directive of ours or of mod_dbd at the start
# of a line; shell and output blocks do not. Certificate and file paths are replaced by placeholders made
# here; everything else is tested as written.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use File::Temp qw(tempdir);

my $src = $ENV{ACCOUNTS_SRCDIR} or die 'ACCOUNTS_SRCDIR';
my @files = ("$src/README.md", sort glob("$src/docs/*.md"));

# Code blocks of a Markdown file: [first line number, text], dedented.
sub code_blocks {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!";
    my @lines = <$fh>;
    close $fh;
    my (@blocks, @cur, $start, $fence);
    my $flush = sub {
        if (@cur) {
            my ($min) = sort { $a <=> $b } map { /^( *)\S/ ? length $1 : () } @cur;
            push @blocks, [ $start, join '', map { length($_) > ($min // 0) ? substr($_, $min // 0) : "\n" } @cur ];
        }
        @cur = ();
    };
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        if ($l =~ /^\s*```/) {
            if ($fence) { $flush->(); $fence = 0 } else { $flush->(); $fence = 1; $start = $i + 2 }
            next;
        }
        if ($fence) { push @cur, $l; next }
        if ($l =~ /^ {4,}\S/ || ($l =~ /^\s*$/ && @cur)) {
            $start = $i + 1 unless @cur;
            push @cur, $l;
        }
        else {
            $flush->();
        }
    }
    $flush->();
    return @blocks;
}

# A block that holds a section or a directive of ours (or mod_dbd's) at
# the start of a line is configuration an operator will paste: all of it is
# tested, so a shell command or an end-of-line comment in it fails.
sub is_apache_config {
    my ($text) = @_;
    return scalar grep { /^\s*(<(VirtualHost|Location)\b|Accounts[A-Z]\w*\s|DBD(Driver|Params)\s)/ } split /\n/, $text;
}

my @found;
for my $file (@files) {
    for my $b (code_blocks($file)) {
        push @found, [ $file =~ s{^\Q$src\E/}{}r, @$b ] if is_apache_config($b->[1]);
    }
}
plan tests => 1 + scalar @found;
cmp_ok(scalar @found, '>=', 4, 'configuration blocks found in the docs: ' . scalar @found);

my $dir = tempdir(CLEANUP => 1);
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=placeholder', '-days', '1',
       '-keyout', "$dir/key.pem", '-out', "$dir/cert.pem") == 0 or die 'openssl req failed';
open my $ini, '>', "$dir/sections.ini" or die; print $ini "[app]\nkey = value\n"; close $ini;

my $modules = $ENV{ACCOUNTS_HTTPD_MODULES};
my $builtin = `$ENV{ACCOUNTS_HTTPD} -l 2>/dev/null` // '';
my $load = '';
for my $m (qw(mpm_event authz_core unixd dbd ssl socache_shmcb)) {
    $load .= "LoadModule ${m}_module $modules/mod_$m.so\n" unless $builtin =~ /^\s*mod_$m\.c$/m;
}
$load .= "LoadModule accounts_module $ENV{ACCOUNTS_MODULE}\n";

for my $f (@found) {
    my ($file, $line, $text) = @$f;
    # Directives the block may itself load again: drop those lines.
    $text =~ s/^\s*LoadModule\s+(dbd|accounts|ssl)_module\s.*$//mg;
    $text =~ s/^(\s*SSLCertificateFile\s+).*$/$1$dir\/cert.pem/mg;
    $text =~ s/^(\s*SSLCertificateKeyFile\s+).*$/$1$dir\/key.pem/mg;
    $text =~ s/^(\s*AccountsProvisioningSections\s+).*$/$1$dir\/sections.ini/mg;
    # A snippet of one virtual host leaves the database to the rest of
    # httpd.conf: give it one (a block's own DBD lines come later and win).
    my $database = "DBDriver pgsql\nDBDParams \"host=/nonexistent dbname=accounts\"\n";
    my $conf = "$dir/httpd.conf";
    open my $fh, '>', $conf or die;
    print $fh "ServerRoot \"$dir\"\nPidFile \"$dir/httpd.pid\"\nErrorLog \"$dir/error_log\"\n"
        . "DefaultRuntimeDir \"$dir\"\nServerName localhost\nListen 127.0.0.1:1\n$load\n$database"
        . "# ---- $file line $line ----\n$text";
    close $fh;
    my ($rc, $out, $err) = Accounts::Test::_run($ENV{ACCOUNTS_HTTPD}, '-t', '-f', $conf);
    is($rc, 0, "$file, block at line $line: apache2 -t passes")
        or diag("$err$out\n---- the block ----\n$text");
}
