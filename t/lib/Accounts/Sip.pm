package Accounts::Sip;
# Helpers of the SIP tests (t/sip/, make check-sip): real servers and
# clients from Debian's packages, loopback only, on ports free at run time,
# each started here and always stopped when the test file ends (END), pass
# or fail.
#
#   require_programs()            one failed test per missing program or
#                                 Kamailio module: a failure, never a skip
#   start_kamailio(sha256 => 1, port => P, usrloc_db => 1)
#                                 tests/sip/kamailio.cfg on udp:127.0.0.1:P
#                                 (a free port if P is undef), reading the
#                                 test database; usrloc_db: registrations in
#                                 its "location" table (created by
#                                 tests/e2e/run), TZ=UTC; returns { port, log, pid }
#   start_turnserver()            tests/sip/turnserver.conf; { port, log, pid }
#   baresip_register($port, [user, domain, password], ...)
#                                 one baresip run registering every account
#                                 through 127.0.0.1:$port; returns
#                                 { 'user@domain' => '200 OK' | '403 Forbidden' | ... }
#   linphone($rc_text)            tests/sip/linphone_provision on that
#                                 configuration: (exit status, output)
#   linphone_start($rc_text, $hold)
#                                 the same in the background, staying
#                                 registered $hold seconds; { log, pid }
#   log_lines($server, qr/.../)   the lines of a server's log that match
#
# Logs stay in t/logs/sip/<test>/ of the run directory (build/e2e-sip/t/logs/sip/register/...).
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use Apache::Test ();
use File::Path ();
use File::Temp ();
use IO::Socket::INET ();
use POSIX ();
use Test::More ();
use Time::HiRes qw(time sleep);

our @EXPORT = qw(require_programs start_kamailio start_turnserver baresip_register linphone
                 linphone_start log_lines free_udp_port wait_for kamailio_version);

my ($tag) = $0 =~ m{([^/]+)\.t$};
my $logdir = Apache::Test::vars('t_logs') . '/sip/' . ($tag // 'sip');
File::Path::make_path($logdir);
my $srcdir = $ENV{ACCOUNTS_SRCDIR} // die 'ACCOUNTS_SRCDIR is not set (run through tests/e2e/run)';
my $kamailio_modules = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
my $workdir = File::Temp::tempdir('acc-sip.XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $seq = 0;
my @servers;    # every process started here, stopped by END

# ---- programs ----------------------------------------------------------------

sub _in_path {
    my ($prog) = @_;
    return $prog if $prog =~ m{/} && -x $prog;
    for my $d (split /:/, $ENV{PATH} // '') {
        return "$d/$prog" if -x "$d/$prog";
    }
    return undef;
}

# Each program (and Kamailio module) the SIP tests run must be installed:
# one test per item, failing with the Debian package to install.
sub require_programs {
    my (@names) = @_;
    my %package = (kamailio => 'kamailio', baresip => 'baresip-core', turnserver => 'coturn',
                   turnutils_uclient => 'coturn', linphone_provision => 'liblinphone-dev',
                   'db_postgres.so' => 'kamailio-postgres-modules');
    my $all = 1;
    for my $n (@names) {
        my $found = $n =~ /\.so$/ ? -f "$kamailio_modules/$n"
                  : $n eq 'linphone_provision' ? -x ($ENV{ACCOUNTS_SIP_LINPHONE} // '')
                  : defined _in_path($n);
        Test::More::ok($found, "$n is installed") or Test::More::diag(
            "$n is missing: install the Debian package $package{$n} (make check-sip needs it)");
        $all &&= $found;
    }
    return $all;
}

sub kamailio_version {
    my $v = `kamailio -v 2>&1`;
    return $v =~ /version: kamailio (\S+)/ ? $1 : '?';
}

# ---- processes ---------------------------------------------------------------

sub free_udp_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'udp')
        or die "no free UDP port: $!";
    return $s->sockport;
}

# Starts @cmd in its own process group, stdout and stderr to $log.
sub _spawn {
    my ($name, $log, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $log or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    my $server = { name => $name, pid => $pid, log => $log };
    push @servers, $server;
    return $server;
}

sub _alive {
    my ($server) = @_;
    return waitpid($server->{pid}, POSIX::WNOHANG()) == 0;
}

sub _stop {
    my ($server) = @_;
    return if $server->{stopped}++;
    kill 'TERM', -$server->{pid};
    my $deadline = time + 5;
    while (time < $deadline) {
        return if waitpid($server->{pid}, POSIX::WNOHANG()) != 0 && !kill(0, -$server->{pid});
        sleep 0.05;
    }
    kill 'KILL', -$server->{pid};
    waitpid $server->{pid}, 0;
}

END {
    my $status = $?;
    _stop($_) for reverse @servers;
    $? = $status;
}
$SIG{$_} = sub { exit 1 } for qw(INT TERM HUP);

# Polls $probe (a sub returning true when ready) for up to $seconds.
sub wait_for {
    my ($seconds, $probe) = @_;
    my $deadline = time + $seconds;
    while (time < $deadline) {
        return 1 if $probe->();
        sleep 0.1;
    }
    return 0;
}

# One UDP datagram to 127.0.0.1:$port; true when any answer comes back
# within a short while.
sub _udp_answers {
    my ($port, $payload) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'udp') or return 0;
    $payload = $payload->($s->sockport) if ref $payload;
    $s->send($payload) or return 0;
    my $rin = '';
    vec($rin, fileno($s), 1) = 1;
    return 0 unless select(my $rout = $rin, undef, undef, 0.3);
    my $buf = '';
    return defined $s->recv($buf, 4096) && length $buf;
}

# An OPTIONS request: kamailio.cfg answers every method but REGISTER with 405.
sub _sip_options {
    my ($port, $local_port) = @_;
    my $branch = 'z9hG4bK' . int(rand(1e9));
    return "OPTIONS sip:ping\@127.0.0.1:$port SIP/2.0\r\n"
        . "Via: SIP/2.0/UDP 127.0.0.1:$local_port;rport;branch=$branch\r\n"
        . "Max-Forwards: 5\r\nFrom: <sip:probe\@probe.invalid>;tag=1\r\n"
        . "To: <sip:ping\@probe.invalid>\r\nCall-ID: $branch\r\nCSeq: 1 OPTIONS\r\n"
        . "Content-Length: 0\r\n\r\n";
}

# tests/sip/kamailio.cfg with the test database: PGHOST (exported by
# tests/e2e/run) names the cluster's socket directory, and a database URL
# without a host lets libpq use it.
sub start_kamailio {
    my (%o) = @_;
    my $port = $o{port} // free_udp_port();
    my $name = $o{sha256} ? 'kamailio-sha256' : 'kamailio-md5';
    my $run = "$workdir/$name";
    File::Path::make_path($run);
    my $user = getpwuid($<);
    my $url = "postgres://$user\@/accounts";
    my $log = "$logdir/$name.log";
    local $ENV{TZ} = 'UTC';
    my $k = _spawn($name, $log, 'kamailio', '-f', "$srcdir/tests/sip/kamailio.cfg", '-DD', '-E',
                   '-l', "udp:127.0.0.1:$port", '-Y', $run, '-P', "$run/kamailio.pid", '-w', $run,
                   '-m', '32', '-M', '4',
                   '-A', qq{DBURL="$url"}, '-A', qq{SQLCON="accounts=>$url"},
                   $o{sha256} ? ('-A', 'SHA256') : (), $o{usrloc_db} ? ('-A', 'USRLOC_DB') : ());
    $k->{port} = $port;
    my $ready = wait_for(15, sub { !_alive($k) ? die "$name exited; see $log\n" : _udp_answers($port, sub { _sip_options($port, $_[0]) }) });
    die "$name does not answer on udp:127.0.0.1:$port; see $log\n" unless $ready;
    return $k;
}

# A STUN Binding request (RFC 5389): turnserver answers it without credentials.
sub _stun_binding {
    return pack('nnN', 0x0001, 0, 0x2112A442) . join('', map { chr int rand 256 } 1 .. 12);
}

sub start_turnserver {
    my $port = free_udp_port();
    my $run = "$workdir/turnserver";
    File::Path::make_path($run);
    my $log = "$logdir/turnserver.log";
    my $t = _spawn('turnserver', "$logdir/turnserver.out", 'turnserver', '-c', "$srcdir/tests/sip/turnserver.conf",
                   '--listening-port', $port, '--pidfile', "$run/turnserver.pid", '--db', "$run/turndb",
                   '--log-file', $log);
    $t->{port} = $port;
    $t->{log} = $log;
    my $ready = wait_for(15, sub { !_alive($t) ? die "turnserver exited; see $logdir/turnserver.out\n"
                                               : _udp_answers($port, _stun_binding()) });
    die "turnserver does not answer on udp:127.0.0.1:$port; see $log\n" unless $ready;
    return $t;
}

sub log_lines {
    my ($server, $re) = @_;
    my @logs = grep { -f } ($server->{log}, glob("$server->{log}*"));
    my @out;
    for my $f (@logs) {
        open my $fh, '<', $f or next;
        push @out, grep { /$re/ } <$fh>;
    }
    return @out;
}

# ---- clients -----------------------------------------------------------------

sub _run_to {
    my ($log, $timeout, %env) = @_;
    return sub {
        my (@cmd) = @_;
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            POSIX::setsid();
            @ENV{keys %env} = values %env;
            open STDIN, '<', '/dev/null';
            open STDOUT, '>', $log or POSIX::_exit(126);
            open STDERR, '>&', \*STDOUT;
            exec @cmd or POSIX::_exit(127);
        }
        my $deadline = time + $timeout;
        while (waitpid($pid, POSIX::WNOHANG()) == 0) {
            if (time > $deadline) {
                kill 'KILL', -$pid;
                waitpid $pid, 0;
                return (-1, _slurp($log));
            }
            sleep 0.05;
        }
        my $status = $? >> 8;
        return ($status, _slurp($log));
    };
}

sub _slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    local $/;
    return <$fh> // '';
}

# One baresip (no audio device, no UI but its log) registering each
# [user, domain, password] through the registrar on 127.0.0.1:$port; it
# quits after 3 seconds (and unregisters). Returns the outcome per AOR: the
# status line of baresip's last report for it ("200 OK", "403 Forbidden"),
# or its error ("Function not implemented" when libre lacks an algorithm).
sub baresip_register {
    my ($port, @accounts) = @_;
    my $dir = "$workdir/baresip-" . ++$seq;
    File::Path::make_path($dir);
    open my $c, '>', "$dir/config" or die "$dir/config: $!";
    print $c "sip_listen 127.0.0.1:0\naudio_player none\naudio_source none\naudio_alert none\n"
        . "module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule_app account.so\n";
    close $c;
    open my $a, '>', "$dir/accounts" or die "$dir/accounts: $!";
    for my $acc (@accounts) {
        my ($user, $domain, $password) = @$acc;
        print $a "<sip:$user\@$domain>;auth_pass=$password;"
            . "outbound=\"sip:127.0.0.1:$port;transport=udp\";regint=600\n";
    }
    close $a;
    my $log = "$logdir/baresip-$seq.log";
    my ($status, $out) = _run_to($log, 20, HOME => $dir)->('baresip', '-f', $dir, '-t', '3');
    my %result;
    for my $acc (@accounts) {
        my $aor = "$acc->[0]\@$acc->[1]";
        for my $line (split /\n/, $out) {
            $line =~ s/\e\[[0-9;]*m//g;
            if ($line =~ /^\Q$aor\E: \{[^}]*\} (\d{3} [^(\[]*?)\s*(?:\(|\[|$)/) {
                $result{$aor} //= $1;    # the first answer to the REGISTER (the next is the unregister's)
            }
            elsif ($line =~ /^reg: sip:\Q$aor\E: (?:Register: )?(.*?)\s*(?:\(.*)?$/) {
                $result{$aor} //= $1;
            }
        }
        $result{$aor} //= "no outcome (baresip exit $status; see $log)";
    }
    return \%result;
}

# tests/sip/linphone_provision on a configuration file holding $rc_text:
# (exit status: 0 registered, 2 registration failed, 3 provisioning
# failed, 4 timeout; its output). liblinphone keeps its database under
# $HOME/.local/share/linphone, here a directory of its own.
sub linphone {
    my ($rc_text, $seconds) = @_;
    my $dir = "$workdir/linphone-" . ++$seq;
    File::Path::make_path("$dir/.local/share/linphone");
    open my $fh, '>', "$dir/linphonerc" or die "$dir/linphonerc: $!";
    print $fh $rc_text;
    close $fh;
    my $log = "$logdir/linphone-$seq.log";
    my ($status, $out) = _run_to($log, ($seconds // 15) + 10, HOME => $dir)
        ->($ENV{ACCOUNTS_SIP_LINPHONE}, "$dir/linphonerc", $seconds // 15);
    return ($status, $out, _slurp("$dir/linphonerc"));
}

sub linphone_start {
    my ($rc_text, $hold) = @_;
    my $dir = "$workdir/linphone-" . ++$seq;
    File::Path::make_path("$dir/.local/share/linphone");
    open my $fh, '>', "$dir/linphonerc" or die "$dir/linphonerc: $!";
    print $fh $rc_text;
    close $fh;
    local $ENV{HOME} = $dir;
    return _spawn("linphone-$seq", "$logdir/linphone-$seq.log", $ENV{ACCOUNTS_SIP_LINPHONE},
                  "$dir/linphonerc", 15, $hold);
}

1;
