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

#endif
