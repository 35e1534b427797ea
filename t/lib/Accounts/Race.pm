package Accounts::Race;
# Requests released at the same instant, for the concurrency tests of the
# sub-resources and of unique emails and phones (t/api/dictionary.t,
# t/api/contacts.t, t/api/concurrency_contacts.t). Accounts::Test's
# concurrently() is the simpler kind, released by the clock, for any call()
# options (form bodies...). Each client connects first,
# then all send together when the parent closes the gate (a pipe): a lost
# race needs two requests to meet within about one database round trip,
# which clients started by the clock seldom manage on a small machine.
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Time::HiRes ();
use Accounts::Test qw(space_url remember_secret);

our @EXPORT = qw(race);

# race($n, $make): $make->($i) returns (space, method, path, headers => {...},
# json => {...}) for client $i (1..$n; no json: an empty body). Returns
# [status, body] of each, in client order.
sub race {
    my ($n, $make) = @_;
    my $codec = JSON::PP->new->utf8->canonical;
    pipe(my $gate_r, my $gate_w) or die $!;
    my @kids;
    for my $i (1 .. $n) {
        my ($space, $method, $path, %o) = $make->($i);
        my ($host) = space_url($space) =~ m{^http://(.+)$};
        my $body = defined $o{json} ? $codec->encode($o{json}) : '';
        remember_secret(@{ $o{json} || {} }{qw(password account_creation_token)}, values %{ $o{headers} || {} });
        my $req = "$method $path HTTP/1.0\r\nHost: $host\r\n"
                . ($body ne '' ? "Content-Type: application/json\r\n" : '')
                . 'Content-Length: ' . length($body) . "\r\n"
                . join('', map { "$_: $o{headers}{$_}\r\n" } sort keys %{ $o{headers} || {} })
                . "\r\n$body";
        pipe(my $r, my $w) or die $!;
        my $pid = fork // die $!;
        if (!$pid) {
            close $gate_w;
            close $r;
            my $sock = IO::Socket::INET->new(PeerAddr => $host, Proto => 'tcp') or POSIX::_exit(1);
            sysread $gate_r, my $byte, 1;    # returns at EOF: the gate is open
            syswrite $sock, $req;
            my $resp = do { local $/; <$sock> } // '';
            my ($code) = $resp =~ m{\AHTTP/1\.\d (\d{3})};
            my ($content) = $resp =~ m{\r\n\r\n(.*)\z}s;
            print $w ($code // 'none'), "\n", $content // '';
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [ $pid, $r ];
    }
    close $gate_r;
    Time::HiRes::sleep(0.5);    # every client connected
    close $gate_w;
    my @answers;
    for (@kids) {
        my ($pid, $r) = @$_;
        my $code = <$r> // "none\n";
        chomp $code;
        my $body = do { local $/; <$r> } // '';
        waitpid $pid, 0;
        push @answers, [ $code, $body ];
    }
    return @answers;
}

1;
