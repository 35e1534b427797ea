# Runs after every other test file: no password, key or token the suite
# used may appear in Apache's error log (the module logs at debug level
# here), nor a stored hash of one.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

plan tests => 3;

my $logs = Apache::Test::vars('serverroot') . '/logs';
open my $fh, '<', "$logs/secrets.txt" or die "no secrets recorded: $!";
my %secrets = map { chomp; ($_ => 1) } <$fh>;
close $fh;
ok(keys(%secrets) > 50, 'the suite recorded the secrets it used (' . scalar(keys %secrets) . ')');

open my $log, '<', "$logs/error_log" or die $!;
my $text = do { local $/; <$log> };
close $log;
ok(length $text > 10000, 'the error log has content to check');

# Password hashes and key hashes stored by the suite, read back.
my @hashes = grep { length } sql('SELECT password FROM passwords UNION SELECT key_hash FROM api_keys');
my @leaked = grep { index($text, $_) >= 0 } (keys %secrets, @hashes);
is_deeply(\@leaked, [], 'no secret and no stored hash in the error log');
