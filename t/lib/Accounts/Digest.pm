package Accounts::Digest;
# Stateless digest nonces as the module mints them (mod_accounts/digest.h):
# mint time (16 hex, microseconds), salt (16 hex), then the first 32 hex of
# HMAC-SHA-256(AccountsSecret, "digest nonce\n" . time.salt . "\n" . Space
# . "\n" . username . "\n" . lowercase domain). The suite knows the test
# AccountsSecret, so it can make nonces the module would have issued at
# any time (an expired one, say) and check the ones it gets.
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Digest::SHA ();

our @EXPORT = qw(mint_nonce nonce_time_us nonce_is_for $TEST_SECRET);

# AccountsSecret of every test Space (t/conf/extra.conf.in).
our $TEST_SECRET = 'e2e-test-secret';

sub _mac {
    my ($secret, $head, $space, $username, $domain) = @_;
    return substr(Digest::SHA::hmac_sha256_hex(
        "digest nonce\n$head\n$space\n$username\n" . lc($domain), $secret), 0, 32);
}

# mint_nonce(space => 'a.test', username => 'bob', domain => 'a.test',
#            age_seconds => 3700, secret => ...): a nonce issued age_seconds ago.
sub mint_nonce {
    my (%a) = @_;
    my $us = int((time() - ($a{age_seconds} // 0)) * 1_000_000);
    my $head = sprintf('%016x%016x', $us, int(rand(2**32)) * 2**16 + int(rand(2**16)));
    return $head . _mac($a{secret} // $TEST_SECRET, $head, $a{space}, $a{username}, $a{domain});
}

# The mint time of a nonce, in microseconds since the epoch.
sub nonce_time_us { my ($nonce) = @_; no warnings 'portable'; return hex(substr($nonce, 0, 16)) }

# 1 when the nonce carries a valid MAC for that Space and account.
sub nonce_is_for {
    my ($nonce, %a) = @_;
    return 0 unless $nonce =~ /^[0-9a-f]{64}$/;
    return _mac($a{secret} // $TEST_SECRET, substr($nonce, 0, 32), $a{space}, $a{username}, $a{domain})
        eq substr($nonce, 32) ? 1 : 0;
}

1;
