# Every database session the module opens runs with generic plans
# (store_session_ready): before its first statement, whatever the
# connection. Without it PostgreSQL kept re-planning the prepared
# statements and, with a Space's statistics out of date, the creation's
# username check scanned the whole Space (bench/run (d) at a quarter of
# its speed). Seen from PostgreSQL's own statement log: the cluster is
# restarted with log_statement = all, so every session is a new one.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use Time::HiRes qw(sleep);

plan tests => 4;

reset_db();
my $key = create_admin('session', 'a.test');
my $log = "$ENV{PGDATA}/../postgres.log";

sql("ALTER SYSTEM SET log_statement = 'all'");
db_stop();
my $from = -s $log;
db_start();
my $code = 0;
for (1 .. 40) {
    $code = call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key })->code;
    last if $code == 200;
    sleep 0.25;
}
is($code, 200, 'served again after the restart');
call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key }) for 1 .. 10;
sql("ALTER SYSTEM RESET log_statement");
sql("SELECT pg_reload_conf()");

# Per backend pid (log_line_prefix '%m [%p] ...'): was the setting applied
# before its first prepared statement of the module?
open(my $fh, '<', $log) or die "$log: $!";
seek($fh, $from, 0);
my (%ready, %early, %used);
while (my $line = <$fh>) {
    my ($pid) = $line =~ /\[(\d+)\]/ or next;
    if ($line =~ /statement: SET plan_cache_mode = force_generic_plan/) {
        $ready{$pid} = 1;
    }
    elsif ($line =~ /(?:execute|statement: PREPARE) accounts_/ || $line =~ /execute [^:]*: .*accounts_/) {
        $used{$pid} = 1;
        $early{$pid} = 1 if $line =~ /execute / && !$ready{$pid};
    }
}
close $fh;
my @sessions = grep { $ready{$_} || $used{$_} } keys %used;
ok(scalar(@sessions) >= 1, scalar(@sessions) . ' module session(s) ran statements after the restart');
is_deeply([ sort grep { !$ready{$_} } @sessions ], [], 'each of them applied generic plans');
is_deeply([ sort keys %early ], [], 'before executing any statement');
