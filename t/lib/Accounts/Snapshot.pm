package Accounts::Snapshot;
# "Nothing was written": db_snapshot() is a fingerprint of every table of
# the test database, cheap enough to take around each of hundreds of hostile
# requests: one psql is kept open for the whole test file instead of one per
# query (db_value() runs other queries through it).
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use IPC::Open2 ();

our @EXPORT = qw(db_snapshot db_value);

my ($pid, $from_psql, $to_psql);

sub _query {
    my ($query) = @_;
    $pid //= IPC::Open2::open2($from_psql, $to_psql, 'psql', $ENV{ACCOUNTS_DB}, '-XAtq',
                               '-v', 'ON_ERROR_STOP=0');
    print {$to_psql} "$query;\n\\echo __snapshot_end__\n";
    $to_psql->flush;
    my @rows;
    while (defined(my $line = <$from_psql>)) {
        chomp $line;
        last if $line eq '__snapshot_end__';
        push @rows, $line;
    }
    return @rows;
}

# The first column of the first row of a query, through the same psql.
sub db_value {
    my ($query) = @_;
    my ($row) = _query($query);
    return defined $row ? (split /\|/, $row)[0] : undef;
}

# { table => "rows:md5 of the rows" } for every table of the public schema.
# API keys' last_used_at and requests are left out: using a key may refresh
# them (at most once a minute, api.md 2.2), which is not a write of the
# request's input.
my $snapshot_sql;
sub db_snapshot {
    $snapshot_sql //= join ' UNION ALL ', map {
        "SELECT '$_', count(*) || ':' || coalesce(md5(string_agg(j, ',' ORDER BY j)), '')"
        . " FROM (SELECT (to_jsonb(t) - 'last_used_at' - 'requests')::text AS j FROM \"$_\" t) s"
    } _query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
             . " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1");
    die 'db_snapshot: no table' unless $snapshot_sql;
    my %snap = map { split /\|/, $_, 2 } _query($snapshot_sql);
    return \%snap;
}

END {
    local $?;   # the test's exit status
    if ($pid) {
        close $to_psql;
        waitpid $pid, 0;
    }
}

1;
