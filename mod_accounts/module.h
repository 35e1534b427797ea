/* What the module's files share with mod_accounts.c. */
#ifndef ACCOUNTS_MODULE_H
#define ACCOUNTS_MODULE_H

#include <httpd.h>
#include <http_config.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "space.h"
#include "store.h"

extern module AP_MODULE_DECLARE_DATA accounts_module;

/* Per-server configuration: the Space and the registry of all Spaces. */
typedef struct {
    accounts_space *space;
    const space_registry *registry;   /* set at post_config */
    /* The Spaces of every virtual host that shares this one's database
     * (its mod_dbd configuration), this one's first; set at post_config. */
    apr_array_header_t *database_spaces;
} accounts_server_conf;

/* mod_dbd's ap_dbd_acquire, looked up once at startup. */
ap_dbd_t *accounts_dbd_acquire(request_rec *r);

/* A store on a mod_dbd connection (pool: where results and temporaries
 * go); database errors are logged on the server. */
store *accounts_store_on(apr_pool_t *pool, ap_dbd_t *dbd, server_rec *s);

/* Writes each Space's realm into its row (sql/0010): what SIP servers
 * read of the configuration. */
store_status accounts_write_space_realms(store *db, const apr_array_header_t *spaces);

/* The database was away when this child started: the first request that
 * reaches it writes the Spaces' realms (request.c). */
void accounts_space_realms_pending(void);

#endif
