/*
 * The module's side of mod_dbd: its optional functions (looked up once at
 * post_config, so nothing else links against mod_dbd's symbols), the store
 * on one of its connections, and the Space realms every database holds.
 * mod_accounts.c binds and prepares; request.c acquires per request.
 */
#ifndef ACCOUNTS_DATABASE_H
#define ACCOUNTS_DATABASE_H

#include <httpd.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "store.h"

/* Looks up mod_dbd's functions; 0 when mod_dbd is not loaded. */
int accounts_dbd_bind(void);

/* mod_dbd's functions once bound (NULL / no-op before). */
void accounts_dbd_prepare(server_rec *s, const char *sql, const char *label);
ap_dbd_t *accounts_dbd_open(apr_pool_t *pool, server_rec *s);
void accounts_dbd_close(server_rec *s, ap_dbd_t *dbd);
ap_dbd_t *accounts_dbd_acquire(request_rec *r);

/* libpq's multi-line messages as one line of words (the error log would
 * show "\n" and "\t" literally). */
const char *accounts_database_message_line(apr_pool_t *pool, const char *message);

/* A store on a mod_dbd connection (pool: where results and temporaries
 * go); database errors are logged on the server. */
store *accounts_store_on(apr_pool_t *pool, ap_dbd_t *dbd, server_rec *s);

/* Writes each Space's realm into its row (sql/0010): what SIP servers
 * read of the configuration. */
store_status accounts_write_space_realms(store *db, const apr_array_header_t *spaces);

/* The database was away when this child started: the first request that
 * reaches it writes the Spaces' realms. */
void accounts_space_realms_pending(void);
void accounts_write_space_realms_if_pending(store *db, const apr_array_header_t *spaces);

#endif
