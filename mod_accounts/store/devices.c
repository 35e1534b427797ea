/* An account's devices, read from and deleted in Kamailio's registrar table
 * through the functions of sql/0012 (api-lifecycle.md 8.2). The table's name
 * is an argument (AccountsRegistrarTable, per Space), never SQL text. */
#include "internal.h"

#include <stdlib.h>

#define DEVICE_COLUMNS "d.uuid, extract(epoch FROM d.updated_at)::bigint, d.user_agent"

const store_statement store_devices_statements[] = {
    { "accounts_devices_of",
      "SELECT " DEVICE_COLUMNS " FROM account_devices(%s, %s, %s) d" },
    /* One round trip for the account and its devices: no row when the Space
     * has no such account, one row of NULLs when it has no device. */
    { "accounts_devices_of_account",
      "SELECT " DEVICE_COLUMNS " FROM accounts a"
      " LEFT JOIN LATERAL account_devices(%s, a.username, a.domain) d ON true"
      " WHERE a.id = %s::bigint AND a.domain = %s" },
    { "accounts_device_delete",
      "SELECT account_device_delete(%s, %s, %s, %s)" },
    { "accounts_device_delete_of_account",
      "SELECT account_device_delete(%s, a.username, a.domain, %s) FROM accounts a"
      " WHERE a.id = %s::bigint AND a.domain = %s" },
};
const int store_devices_statement_count =
    sizeof(store_devices_statements) / sizeof(store_devices_statements[0]);

store_status store_devices_of(store *st, const char *table, const char *username,
                              const char *domain, apr_dbd_results_t **res)
{
    const char *args[] = { table, username, domain };
    return store_select(st, "accounts_devices_of", res, 3, args);
}

store_status store_devices_of_account(store *st, const char *table, const char *id,
                                      const char *domain, apr_dbd_results_t **res)
{
    const char *args[] = { table, id, domain };
    store_status s = store_select(st, "accounts_devices_of_account", res, 3, args);

    if (s == STORE_OK && apr_dbd_num_tuples(st->driver, *res) == 0) {
        return STORE_NOT_FOUND;
    }
    return s;
}

/* The count of the first row's first column. */
static store_status deleted_count(store *st, const char *label, int nargs, const char **args,
                                  long long *deleted)
{
    apr_dbd_row_t *row = NULL;
    store_status s = store_select_row(st, label, &row, nargs, args);

    *deleted = 0;
    if (s == STORE_OK) {
        const char *n = store_column(st, row, 0);
        *deleted = n ? atoll(n) : 0;
    }
    return s;
}

store_status store_device_delete(store *st, const char *table, const char *username,
                                 const char *domain, const char *uuid, long long *deleted)
{
    const char *args[] = { table, username, domain, uuid };
    return deleted_count(st, "accounts_device_delete", 4, args, deleted);
}

store_status store_device_delete_of_account(store *st, const char *table, const char *id,
                                            const char *domain, const char *uuid,
                                            long long *deleted)
{
    const char *args[] = { table, uuid, id, domain };
    return deleted_count(st, "accounts_device_delete_of_account", 4, args, deleted);
}
