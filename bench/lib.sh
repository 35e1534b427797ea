# Shared by bench/run and bench/soak (sourced, not executed): a throwaway
# durable PostgreSQL, the schema, and a production-like httpd (mpm_event,
# the normal -O2 build, no sanitizers) serving two Spaces on loopback:
#   127.0.0.1:$BENCH_PORT      bench.test  at /api, plus /static.txt (50 bytes)
#   127.0.0.1:$BENCH_PORT+1    pages.test  at /api (the big listing Space)
#
# Needs: TREE, BUILD (a configured, built tree), BENCH_PORT. Sets: WORK,
# ACCOUNTS_DB, PGHOST, PGDATA, CTL, ADMIN_KEY.

bench_log() { printf '==> %s\n' "$*" >&2; }
bench_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

BENCH_MODULES=$(apxs -q LIBEXECDIR)
BENCH_REALM=bench.test
BENCH_PASSWORD=bench-password

bench_cleanup() {
    if [[ -n ${WORK:-} && -d $WORK ]]; then
        if [[ -s $WORK/httpd.pid ]] && kill -0 "$(cat "$WORK/httpd.pid")" 2>/dev/null; then
            /usr/sbin/apache2 -f "$WORK/httpd.conf" -k stop 2>/dev/null || true
            for _ in $(seq 50); do [[ -e $WORK/httpd.pid ]] || break; sleep 0.1; done
        fi
        "$TREE/tests/e2e/pg-cluster" stop "$WORK/pg" >/dev/null 2>&1 || true
        [[ -n ${BENCH_KEEP:-} ]] || rm -rf "$WORK"
    fi
}

# PostgreSQL with production durability (fsync and synchronous commit on),
# memory sized so the 1M-account Space stays cached.
bench_start_db() {
    WORK=$(mktemp -d /tmp/acc-bench.XXXXXX)
    trap bench_cleanup EXIT
    local env
    env=$(PG_CLUSTER_DURABLE=1 PG_CLUSTER_SETTINGS="shared_buffers = 512MB
max_wal_size = 4GB
checkpoint_timeout = 30min" "$TREE/tests/e2e/pg-cluster" start "$WORK/pg" 2>/dev/null) \
        || bench_die "PostgreSQL did not start"
    eval "$env"
    export PGHOST PGDATA PGDATABASE=accounts
    CTL="$BUILD/tools/accountsctl"
    "$CTL" --db "$ACCOUNTS_DB" migrate --sql-dir "$TREE/sql" >/dev/null
    ADMIN_KEY=$("$CTL" --db "$ACCOUNTS_DB" create-admin admin bench.test)
}

bench_sql() { psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

# bench_load_users N: in bench.test, "reader" (an API key in READER_KEY, for
# the key reads) and digest1..digestN with the MD5 password the wrk digest
# scripts sign with (one account per wrk thread).
bench_load_users() {
    bench_sql <<SQL
INSERT INTO accounts (username, domain, ip_address, activated)
    SELECT u, 'bench.test', '192.0.2.1', true
    FROM unnest(ARRAY['reader'] || ARRAY(SELECT 'digest' || g FROM generate_series(1, $1) g)) u;
INSERT INTO passwords (account_id, algorithm, password)
    SELECT id, 'MD5', md5(username || ':$BENCH_REALM:$BENCH_PASSWORD')
    FROM accounts WHERE domain = 'bench.test' AND username LIKE 'digest%';
SQL
    READER_KEY=$("$CTL" --db "$ACCOUNTS_DB" api-key reader@bench.test)
}

bench_write_httpd_conf() {
    mkdir -p "$WORK/htdocs"
    # 50 bytes, the baseline's payload.
    printf '%049d\n' 0 >"$WORK/htdocs/static.txt"
    cat >"$WORK/httpd.conf" <<CONF
ServerRoot "$WORK"
DefaultRuntimeDir "$WORK"
PidFile "$WORK/httpd.pid"
ErrorLog "$WORK/error_log"
LogLevel warn
ServerName bench.test
Listen 127.0.0.1:$BENCH_PORT
Listen 127.0.0.1:$((BENCH_PORT + 1))
LoadModule mpm_event_module "$BENCH_MODULES/mod_mpm_event.so"
LoadModule authz_core_module "$BENCH_MODULES/mod_authz_core.so"
LoadModule dbd_module "$BENCH_MODULES/mod_dbd.so"
LoadModule accounts_module "$BUILD/mod_accounts/.libs/mod_accounts.so"

# Debian's mpm_event defaults, sized for 2 cores; every child keeps its own
# pool of database connections (DBDMax per child), sized for the machine:
# 2 x 8 = the 16 connections of the load, 8 backends per core. With 2 x 25,
# PostgreSQL ran up to 50 backends on 2 cores and every scenario was 3-15 %
# slower (BENCH_DBD sets another size).
StartServers 2
ServerLimit 2
ThreadsPerChild 25
MaxRequestWorkers 50
MinSpareThreads 25
MaxSpareThreads 50
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0

DocumentRoot "$WORK/htdocs"
DBDriver pgsql
DBDParams "$ACCOUNTS_DB"
DBDMin ${BENCH_DBD:-8}
DBDKeep ${BENCH_DBD:-8}
DBDMax ${BENCH_DBD:-8}
AccountsSecret bench-secret

<VirtualHost 127.0.0.1:$BENCH_PORT>
    ServerName bench.test
    AccountsSpace bench.test
    AccountsRealm $BENCH_REALM
    <Location /api>
        SetHandler accounts
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:$((BENCH_PORT + 1))>
    ServerName pages.test
    AccountsSpace pages.test
    <Location /api>
        SetHandler accounts
    </Location>
</VirtualHost>
CONF
}

bench_start_httpd() {
    bench_write_httpd_conf
    /usr/sbin/apache2 -f "$WORK/httpd.conf" -k start || bench_die "httpd did not start"
    local _
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$BENCH_PORT/api/ping" >/dev/null && return 0
        sleep 0.1
    done
    tail -n 20 "$WORK/error_log" >&2
    bench_die "httpd does not answer /api/ping"
}

# "pid:rss_kib" of each httpd child (the parent only forks and is not measured).
bench_child_rss() {
    local parent
    parent=$(cat "$WORK/httpd.pid")
    ps --ppid "$parent" -o pid=,rss= | awk '{ printf "%s:%s ", $1, $2 }'
}

# The commit measured: from git, or from the .source-commit that scripts/dev
# writes into the copy it runs as its unprivileged user (no .git there).
bench_commit() {
    git -c safe.directory='*' -C "$TREE" rev-parse --short HEAD 2>/dev/null \
        || cat "$TREE/.source-commit" 2>/dev/null || echo unknown
}
