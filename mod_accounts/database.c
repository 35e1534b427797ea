#include "database.h"
#include "space.h"

#include <apr_atomic.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <http_log.h>

APLOG_USE_MODULE(accounts);

static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *dbd_prepare_fn;
static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire_fn;
static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open_fn;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close_fn;

int accounts_dbd_bind(void)
{
    dbd_prepare_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
    dbd_acquire_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    dbd_open_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    return dbd_prepare_fn && dbd_acquire_fn && dbd_open_fn && dbd_close_fn;
}

void accounts_dbd_prepare(server_rec *s, const char *sql, const char *label)
{
    if (dbd_prepare_fn) {
        dbd_prepare_fn(s, sql, label);
    }
}

ap_dbd_t *accounts_dbd_open(apr_pool_t *pool, server_rec *s)
{
    return dbd_open_fn ? dbd_open_fn(pool, s) : NULL;
}

void accounts_dbd_close(server_rec *s, ap_dbd_t *dbd)
{
    if (dbd_close_fn) {
        dbd_close_fn(s, dbd);
    }
}

ap_dbd_t *accounts_dbd_acquire(request_rec *r)
{
    return dbd_acquire_fn ? dbd_acquire_fn(r) : NULL;
}

const char *accounts_database_message_line(apr_pool_t *p, const char *message)
{
    char *out = apr_pstrdup(p, message), *o = out;

    for (const char *c = message; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t') {
            if (o > out && o[-1] != ' ') {
                *o++ = ' ';
            }
            continue;
        }
        *o++ = *c;
    }
    while (o > out && o[-1] == ' ') {
        o--;
    }
    *o = '\0';
    return out;
}

static void log_server_store_error(void *baton, const char *message)
{
    server_rec *s = baton;
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "database: %s",
                 accounts_database_message_line(s->process->pool, message));
}

store *accounts_store_on(apr_pool_t *pool, ap_dbd_t *dbd, server_rec *s)
{
    store *db = apr_pcalloc(pool, sizeof(store));

    db->pool = pool;
    db->conn_pool = dbd->pool;
    db->driver = dbd->driver;
    db->handle = dbd->handle;
    db->prepared = dbd->prepared;
    db->log = log_server_store_error;
    db->log_baton = s;
    return db;
}

store_status accounts_write_space_realms(store *db, const apr_array_header_t *spaces)
{
    for (int i = 0; spaces && i < spaces->nelts; i++) {
        const accounts_space *sp = APR_ARRAY_IDX(spaces, i, const accounts_space *);
        if (store_space_realm_write(db, sp->domain, space_digest_realm(sp)) != STORE_OK) {
            return STORE_ERROR;
        }
    }
    return STORE_OK;
}

/* Per process: set by child_init (before any thread runs) when the
 * database was away, cleared by the first request that writes the realms. */
static apr_uint32_t space_realms_pending;

void accounts_space_realms_pending(void)
{
    apr_atomic_set32(&space_realms_pending, 1);
}

void accounts_write_space_realms_if_pending(store *db, const apr_array_header_t *spaces)
{
    if (apr_atomic_read32(&space_realms_pending)
        && accounts_write_space_realms(db, spaces) == STORE_OK) {
        apr_atomic_set32(&space_realms_pending, 0);
    }
}
