/* Account types of a Space and their links to accounts
 * (api-lifecycle.md 7.2; sql/0016). Every statement is scoped by the
 * Space's domain: another Space's type id is an unknown one. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

const store_statement store_types_statements[] = {
    { "accounts_types_of_space",
      "SELECT id, key FROM account_types WHERE domain = %s ORDER BY id" },
    { "accounts_type_in_space",
      "SELECT id, key FROM account_types WHERE id = %s::bigint AND domain = %s" },
    /* No row: the key is taken in the Space (also by a concurrent creation). */
    { "accounts_type_create",
      "INSERT INTO account_types (domain, key) VALUES (%s, %s)"
      " ON CONFLICT (domain, key) DO NOTHING RETURNING id, key" },
    { "accounts_type_rename",
      "SELECT account_type_rename(%s::bigint, %s, %s)" },
    { "accounts_type_delete",
      "DELETE FROM account_types WHERE id = %s::bigint AND domain = %s RETURNING id" },
    /* One round trip: whether the account and the type exist in the Space,
     * whether the link existed before, whether this statement made it (a
     * concurrent attach that won makes it 0 here). */
    { "accounts_type_attach",
      "WITH a AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s),"
      " t AS (SELECT id FROM account_types WHERE id = %s::bigint AND domain = %s),"
      " ins AS (INSERT INTO account_type_links (account_id, type_id) SELECT a.id, t.id FROM a, t"
      "   ON CONFLICT DO NOTHING RETURNING 1)"
      " SELECT (SELECT count(*) FROM a),"
      " EXISTS (SELECT 1 FROM account_type_links l, a WHERE l.account_id = a.id AND l.type_id = (SELECT id FROM t)),"
      " (SELECT count(*) FROM t), (SELECT count(*) FROM ins)" },
    { "accounts_type_detach",
      "WITH a AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s),"
      " del AS (DELETE FROM account_type_links WHERE account_id IN (SELECT id FROM a)"
      "   AND type_id = %s::bigint RETURNING 1)"
      " SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM del)" },
};
const int store_types_statement_count =
    sizeof(store_types_statements) / sizeof(store_types_statements[0]);

store_status store_types_of_space(store *st, const char *domain, apr_dbd_results_t **res)
{
    const char *args[] = { domain };
    return store_select(st, "accounts_types_of_space", res, 1, args);
}

store_status store_type_in_space(store *st, const char *id, const char *domain,
                                 apr_dbd_row_t **row)
{
    const char *args[] = { id, domain };
    return store_select_row(st, "accounts_type_in_space", row, 2, args);
}

store_status store_type_create(store *st, const char *domain, const char *key,
                               apr_dbd_row_t **row)
{
    const char *args[] = { domain, key };
    return store_select_row(st, "accounts_type_create", row, 2, args);
}

store_status store_type_rename(store *st, const char *id, const char *domain, const char *key,
                               type_rename_result *result)
{
    const char *args[] = { id, domain, key };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_type_rename", &row, 3, args);

    if (s == STORE_OK) {
        const char *r = store_column(st, row, 0);
        *result = !r ? TYPE_RENAME_NOT_FOUND
                  : strcmp(r, "renamed") == 0 ? TYPE_RENAMED
                  : strcmp(r, "taken") == 0 ? TYPE_RENAME_TAKEN : TYPE_RENAME_NOT_FOUND;
    }
    return s;
}

store_status store_type_delete(store *st, const char *id, const char *domain, int *deleted)
{
    const char *args[] = { id, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_type_delete", &row, 2, args);

    *deleted = s == STORE_OK;
    return s == STORE_NOT_FOUND ? STORE_OK : s;
}

static int count_column(store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v && (strcmp(v, "t") == 0 || atoi(v) > 0);
}

store_status store_type_attach(store *st, const char *account_id, const char *domain,
                               const char *type_id, type_link_result *result)
{
    const char *args[] = { account_id, domain, type_id, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_type_attach", &row, 4, args);

    if (s == STORE_OK) {
        *result = !count_column(st, row, 0) ? TYPE_LINK_NO_ACCOUNT
                  : count_column(st, row, 1) ? TYPE_LINK_ALREADY
                  : !count_column(st, row, 2) ? TYPE_LINK_NO_TYPE
                  : count_column(st, row, 3) ? TYPE_LINK_DONE : TYPE_LINK_ALREADY;
    }
    return s;
}

store_status store_type_detach(store *st, const char *account_id, const char *domain,
                               const char *type_id, type_link_result *result)
{
    const char *args[] = { account_id, domain, type_id };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_type_detach", &row, 3, args);

    if (s == STORE_OK) {
        *result = !count_column(st, row, 0) ? TYPE_LINK_NO_ACCOUNT
                  : count_column(st, row, 1) ? TYPE_LINK_DONE : TYPE_LINK_NOT_ATTACHED;
    }
    return s;
}
