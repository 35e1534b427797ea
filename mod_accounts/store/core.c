/* The storage layer's core: running prepared statements on an apr_dbd
 * connection (preparing on demand, surviving a reconnect), transactions,
 * the session setup, and the list of every statement of store/. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <poll.h>

#include <apr_strings.h>
#include <libpq-fe.h>

static const store_statement core_statements[] = {
    { "accounts_ping", "SELECT 1" },
};
static const int core_statement_count = sizeof(core_statements) / sizeof(core_statements[0]);

/* The driver's message for a failure, copied before anything else runs on
 * the connection. */
static const char *failure_reason(store *st, int rv)
{
    const char *reason = apr_dbd_error(st->driver, st->handle, rv);
    return apr_pstrdup(st->pool, reason ? reason : "unknown error");
}

static store_status log_failure(store *st, const char *what, const char *label,
                                const char *reason)
{
    if (st->log) {
        st->log(st->log_baton, apr_psprintf(st->pool, "%s %s failed: %s", what, label, reason));
    }
    return STORE_ERROR;
}

static void store_log(store *st, const char *what, const char *label, int rv)
{
    if (st->log) {
        const char *reason = apr_dbd_error(st->driver, st->handle, rv);
        st->log(st->log_baton, apr_psprintf(st->pool, "%s %s failed: %s", what,
                                            label, reason ? reason : "unknown error"));
    }
}

/* Every statement, resource by resource (store/<resource>.c). */
static const struct {
    const store_statement *statements;
    const int *count;
} tables[] = {
    { core_statements, &core_statement_count },
    { store_accounts_statements, &store_accounts_statement_count },
    { store_api_keys_statements, &store_api_keys_statement_count },
    { store_digest_statements, &store_digest_statement_count },
    { store_tokens_statements, &store_tokens_statement_count },
    { store_purge_statements, &store_purge_statement_count },
    { store_spaces_statements, &store_spaces_statement_count },
    { store_devices_statements, &store_devices_statement_count },
    { store_creation_requests_statements, &store_creation_requests_statement_count },
    { store_push_tokens_statements, &store_push_tokens_statement_count },
    { store_types_statements, &store_types_statement_count },
    { store_actions_statements, &store_actions_statement_count },
    { store_dictionary_statements, &store_dictionary_statement_count },
    { store_contacts_statements, &store_contacts_statement_count },
    { store_change_codes_statements, &store_change_codes_statement_count },
    { store_recovery_statements, &store_recovery_statement_count },
};

int store_statements_total(void)
{
    int n = 0;

    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        n += *tables[t].count;
    }
    return n;
}

const store_statement *store_statement_at(int i)
{
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        if (i < *tables[t].count) {
            return &tables[t].statements[i];
        }
        i -= *tables[t].count;
    }
    return NULL;
}

static const char *statement_sql(const char *label)
{
    for (int i = 0, n = store_statements_total(); i < n; i++) {
        const store_statement *s = store_statement_at(i);
        if (strcmp(s->label, label) == 0) {
            return s->sql;
        }
    }
    return NULL;
}

/* Prepares label on this connection and remembers it. */
static apr_dbd_prepared_t *prepare(store *st, const char *label, int quiet)
{
    const char *sql = statement_sql(label);
    apr_dbd_prepared_t *stmt = NULL;
    int rv;

    if (!sql) {
        if (st->log) {
            st->log(st->log_baton, apr_psprintf(st->pool, "unknown statement %s", label));
        }
        return NULL;
    }
    rv = apr_dbd_prepare(st->driver, st->conn_pool, st->handle, sql, label, &stmt);
    if (rv != 0) {
        if (!quiet) {
            store_log(st, "preparing", label, rv);
        }
        return NULL;
    }
    if (!st->prepared) {
        st->prepared = apr_hash_make(st->conn_pool);
    }
    apr_hash_set(st->prepared, label, APR_HASH_KEY_STRING, stmt);
    return stmt;
}

static apr_dbd_prepared_t *statement(store *st, const char *label)
{
    apr_dbd_prepared_t *stmt = st->prepared
        ? apr_hash_get(st->prepared, label, APR_HASH_KEY_STRING) : NULL;

    /* Not prepared by mod_dbd (accountsctl): prepare it now. */
    return stmt ? stmt : prepare(st, label, 0);
}

/* Every statement here is a lookup by key, written for a generic plan.
 * PostgreSQL's default (plan_cache_mode = auto) keeps re-planning a
 * prepared statement whenever its custom plans look cheaper, and with a
 * Space's statistics out of date they do: a creation's username check
 * then scanned the whole Space through (domain, id) instead of probing
 * (username, domain), and every execution paid the planning again
 * (bench/run (d): 285 instead of 1,070 creations/s). So each session runs
 * with generic plans; the marker in the connection's statement hash
 * (owned by mod_dbd, one per session) says the setting is applied. */
#define SESSION_READY_MARK "accounts: session ready"
static const char session_setup_sql[] = "SET plan_cache_mode = force_generic_plan";

store_status store_session_ready(store *st)
{
    int nrows = 0, rv;

    if (st->prepared && apr_hash_get(st->prepared, SESSION_READY_MARK, APR_HASH_KEY_STRING)) {
        return STORE_OK;
    }
    rv = apr_dbd_query(st->driver, st->handle, &nrows, session_setup_sql);
    if (rv != 0) {
        return log_failure(st, "setting up", "the session", failure_reason(st, rv));
    }
    if (!st->prepared) {
        st->prepared = apr_hash_make(st->conn_pool);
    }
    apr_hash_set(st->prepared, SESSION_READY_MARK, APR_HASH_KEY_STRING, session_setup_sql);
    return STORE_OK;
}

/* The libpq connection under the apr_dbd handle (NULL for another driver:
 * only pgsql is supported, the fallbacks below keep others working). */
static PGconn *pg_conn(store *st)
{
    const char *name = apr_dbd_name(st->driver);
    return name && strcmp(name, "pgsql") == 0 ? apr_dbd_native_handle(st->driver, st->handle)
                                              : NULL;
}

/* A new database session (the connection was re-established): it has none
 * of the old one's prepared statements or settings. All are prepared again
 * at once (but prepared_already, if not NULL), so that no later statement
 * fails for lack of one. */
static store_status renew_session(store *st, const char *prepared_already)
{
    for (int i = 0, n = store_statements_total(); i < n; i++) {
        const char *label = store_statement_at(i)->label;
        if (prepared_already && strcmp(label, prepared_already) == 0) {
            continue;
        }
        if (!prepare(st, label, 1)) {
            return log_failure(st, "preparing", label, "in the new session");
        }
    }
    apr_hash_set(st->prepared, SESSION_READY_MARK, APR_HASH_KEY_STRING, NULL);
    return store_session_ready(st);
}

/* 1 when the socket has something to read (or has been closed) now. */
static int socket_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    return fd < 0 || poll(&pfd, 1, 0) != 0;
}

/* Before sending a statement outside a transaction: a connection that the
 * server closed while it sat in mod_dbd's pool (a PostgreSQL restart, an
 * idle timeout) is re-established now, before anything is sent, so the
 * statement runs once, on the new session. An idle connection has nothing
 * to read: if its socket has, it is the server's farewell (a FATAL
 * "terminating connection" message, then the close). */
static void reconnect_if_closed(store *st)
{
    PGconn *c = pg_conn(st);

    if (st->txn || !c) {
        return;
    }
    if (PQstatus(c) == CONNECTION_OK && !socket_readable(PQsocket(c))) {
        return;
    }
    PQreset(c);
    if (PQstatus(c) == CONNECTION_OK) {
        renew_session(st, NULL);
    }
}

/* After a failed statement, outside a transaction: may it be sent again?
 * Only when it certainly never ran. If the connection broke while the
 * statement was on its way or running, the server may have applied it
 * (even committed it) before the answer was lost: the connection is
 * re-established for the next request, but the caller answers 503 rather
 * than apply a write twice. If the connection is fine and the statement
 * was missing from this session (mod_dbd re-established the connection
 * when it lent it), preparing it succeeds, and it never ran: safe. */
static int may_resend(store *st, const char *label)
{
    PGconn *c = pg_conn(st);

    if (st->txn) {
        return 0;
    }
    if (c && PQstatus(c) != CONNECTION_OK) {
        if (apr_dbd_check_conn(st->driver, st->pool, st->handle) == APR_SUCCESS) {
            renew_session(st, NULL);
        }
        return 0;
    }
    if (!c && apr_dbd_check_conn(st->driver, st->pool, st->handle) != APR_SUCCESS) {
        return 0;
    }
    if (!prepare(st, label, 1)) {
        return 0;
    }
    return renew_session(st, label) == STORE_OK;
}

store_status store_select(store *st, const char *label, apr_dbd_results_t **res,
                          int nargs, const char **args)
{
    apr_dbd_prepared_t *stmt = statement(st, label);
    int rv;

    if (!stmt) {
        return STORE_ERROR;
    }
    *res = NULL;
    reconnect_if_closed(st);
    rv = apr_dbd_pselect(st->driver, st->pool, st->handle, res, stmt, 1, nargs, args);
    if (rv != 0) {
        const char *why = failure_reason(st, rv);
        if (!may_resend(st, label)) {
            return log_failure(st, "query", label, why);
        }
        *res = NULL;
        rv = apr_dbd_pselect(st->driver, st->pool, st->handle, res,
                             statement(st, label), 1, nargs, args);
        if (rv != 0) {
            return log_failure(st, "query", label, failure_reason(st, rv));
        }
    }
    return STORE_OK;
}

store_status store_exec(store *st, const char *label, int *nrows,
                        int nargs, const char **args)
{
    apr_dbd_prepared_t *stmt = statement(st, label);
    int dummy, rv;

    if (!stmt) {
        return STORE_ERROR;
    }
    reconnect_if_closed(st);
    rv = apr_dbd_pquery(st->driver, st->pool, st->handle, nrows ? nrows : &dummy,
                        stmt, nargs, args);
    if (rv != 0) {
        const char *why = failure_reason(st, rv);
        if (!may_resend(st, label)) {
            return log_failure(st, "statement", label, why);
        }
        rv = apr_dbd_pquery(st->driver, st->pool, st->handle, nrows ? nrows : &dummy,
                            statement(st, label), nargs, args);
        if (rv != 0) {
            return log_failure(st, "statement", label, failure_reason(st, rv));
        }
    }
    return STORE_OK;
}

store_status store_exec_async_commit(store *st, const char *label, const char *sql)
{
    const char *script;
    int nrows = 0, rv;

    if (st->txn || !pg_conn(st)) {
        return STORE_ERROR;
    }
    reconnect_if_closed(st);
    /* One round trip: the simple query protocol runs the four statements
     * in order and stops at the first error. */
    script = apr_pstrcat(st->pool, "BEGIN; SET LOCAL synchronous_commit TO off; ", sql,
                         "; COMMIT", NULL);
    rv = apr_dbd_query(st->driver, st->handle, &nrows, script);
    if (rv != 0) {
        const char *why = failure_reason(st, rv);
        /* Stopped after BEGIN: leave no aborted transaction on a pooled
         * connection (a no-op, with a warning, when none is open). */
        if (PQstatus(pg_conn(st)) == CONNECTION_OK) {
            apr_dbd_query(st->driver, st->handle, &nrows, "ROLLBACK");
        }
        return log_failure(st, "statement", label, why);
    }
    return STORE_OK;
}

const char *store_column(store *st, apr_dbd_row_t *row, int col)
{
    const char *value = NULL;

    /* apr_dbd_get_entry() gives "" for SQL NULL; datum_get tells them apart. */
    if (apr_dbd_datum_get(st->driver, row, col, APR_DBD_TYPE_STRING, &value) != APR_SUCCESS) {
        return NULL;
    }
    return value;
}

store_status store_select_row(store *st, const char *label, apr_dbd_row_t **row,
                              int nargs, const char **args)
{
    apr_dbd_results_t *res;
    store_status s = store_select(st, label, &res, nargs, args);

    if (s != STORE_OK) {
        return s;
    }
    *row = NULL;
    if (apr_dbd_get_row(st->driver, st->pool, res, row, 1) != 0 || !*row) {
        return STORE_NOT_FOUND;
    }
    return STORE_OK;
}

store_status store_begin(store *st)
{
    int rv;

    reconnect_if_closed(st);
    rv = apr_dbd_transaction_start(st->driver, st->pool, st->handle, &st->txn);

    if (rv != 0) {
        st->txn = NULL;
        store_log(st, "transaction", "begin", rv);
        return STORE_ERROR;
    }
    /* apr_dbd's default mode: a failed statement makes the end roll back. */
    return STORE_OK;
}

store_status store_end(store *st, int failed)
{
    apr_dbd_transaction_t *txn = st->txn;
    int rv;

    if (!txn) {
        return STORE_ERROR;
    }
    st->txn = NULL;
    if (failed) {
        apr_dbd_transaction_mode_set(st->driver, txn, APR_DBD_TRANSACTION_ROLLBACK);
    }
    rv = apr_dbd_transaction_end(st->driver, st->pool, txn);
    if (rv != 0) {
        store_log(st, "transaction", "end", rv);
        return STORE_ERROR;
    }
    return STORE_OK;
}

store_status store_ping(store *st)
{
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_ping", &row, 0, NULL);
    return s == STORE_NOT_FOUND ? STORE_ERROR : s;
}

int store_column_true(store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v && v[0] == 't';
}
