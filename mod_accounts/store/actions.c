/* An account's actions, DTMF shortcuts (api-lifecycle.md 7.3; sql/0016).
 * The account (of the request Space) and its DTMF protocol are looked up
 * first by store_action_owner; the other statements then only touch that
 * account's actions. */
#include "internal.h"

#define ACTION_COLUMNS "id, key, code"

const store_statement store_actions_statements[] = {
    { "accounts_action_owner",
      "SELECT dtmf_protocol IS NOT NULL FROM accounts WHERE id = %s::bigint AND domain = %s" },
    { "accounts_actions_of",
      "SELECT " ACTION_COLUMNS " FROM account_actions WHERE account_id = %s::bigint ORDER BY id" },
    { "accounts_action_of",
      "SELECT " ACTION_COLUMNS " FROM account_actions"
      " WHERE id = %s::bigint AND account_id = %s::bigint" },
    { "accounts_action_create",
      "INSERT INTO account_actions (account_id, key, code) VALUES (%s::bigint, %s, %s)"
      " RETURNING " ACTION_COLUMNS },
    { "accounts_action_update",
      "UPDATE account_actions SET key = %s, code = %s, updated_at = now()"
      " WHERE id = %s::bigint AND account_id = %s::bigint RETURNING " ACTION_COLUMNS },
    { "accounts_action_delete",
      "DELETE FROM account_actions WHERE id = %s::bigint AND account_id = %s::bigint RETURNING id" },
};
const int store_actions_statement_count =
    sizeof(store_actions_statements) / sizeof(store_actions_statements[0]);

store_status store_action_owner(store *st, const char *account_id, const char *domain,
                                int *has_dtmf_protocol)
{
    const char *args[] = { account_id, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_action_owner", &row, 2, args);

    if (s == STORE_OK) {
        const char *v = store_column(st, row, 0);
        *has_dtmf_protocol = v && v[0] == 't';
    }
    return s;
}

store_status store_actions_of(store *st, const char *account_id, apr_dbd_results_t **res)
{
    const char *args[] = { account_id };
    return store_select(st, "accounts_actions_of", res, 1, args);
}

store_status store_action_of(store *st, const char *action_id, const char *account_id,
                             apr_dbd_row_t **row)
{
    const char *args[] = { action_id, account_id };
    return store_select_row(st, "accounts_action_of", row, 2, args);
}

store_status store_action_create(store *st, const char *account_id, const char *key,
                                 const char *code, apr_dbd_row_t **row)
{
    const char *args[] = { account_id, key, code };
    return store_select_row(st, "accounts_action_create", row, 3, args);
}

store_status store_action_update(store *st, const char *action_id, const char *account_id,
                                 const char *key, const char *code, apr_dbd_row_t **row)
{
    const char *args[] = { key, code, action_id, account_id };
    return store_select_row(st, "accounts_action_update", row, 4, args);
}

store_status store_action_delete(store *st, const char *action_id, const char *account_id,
                                 int *deleted)
{
    const char *args[] = { action_id, account_id };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_action_delete", &row, 2, args);

    *deleted = s == STORE_OK;
    return s == STORE_NOT_FOUND ? STORE_OK : s;
}
