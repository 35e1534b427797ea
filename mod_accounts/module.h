/* What the module's files share with mod_accounts.c. */
#ifndef ACCOUNTS_MODULE_H
#define ACCOUNTS_MODULE_H

#include <httpd.h>
#include <http_config.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "space.h"

extern module AP_MODULE_DECLARE_DATA accounts_module;

/* Per-server configuration: the Space and the registry of all Spaces. */
typedef struct {
    accounts_space *space;
    const space_registry *registry;   /* set at post_config */
} accounts_server_conf;

/* mod_dbd's ap_dbd_acquire, looked up once at startup. */
ap_dbd_t *accounts_dbd_acquire(request_rec *r);

#endif
