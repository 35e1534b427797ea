/* One-shot tokens: account creation tokens, provisioning tokens, reset-
 * password tokens (api.md 6.3 to 6.5). */
#include "internal.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

const store_statement store_tokens_statements[] = {
    { "accounts_creation_token_mint",
      "INSERT INTO account_creation_tokens (token_hash, domain, ip, user_agent)"
      " VALUES (%s, lower(%s), %s, %s) RETURNING extract(epoch FROM created_at)::bigint" },
    { "accounts_creation_token_state",
      "SELECT used, (%s::integer = 0 OR created_at > now() - make_interval(mins => %s::integer))"
      " FROM account_creation_tokens WHERE token_hash = %s AND domain = %s" },
    /* A new current provisioning token; the older unused ones stop working. */
    { "accounts_provisioning_token_new",
      "WITH a AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s),"
      " old AS (UPDATE provisioning_tokens SET used = true"
      "   WHERE account_id IN (SELECT id FROM a) AND NOT used)"
      " INSERT INTO provisioning_tokens (account_id, token, ip, user_agent)"
      " SELECT id, %s, %s, %s FROM a RETURNING id" },
    /* An unused provisioning token: its account, age, and whether it is
     * the account's current one (its newest unused token). A blocked
     * account's tokens are not found: a public route gives it nothing, not
     * even whether its token exists or is expired (issue 13). */
    { "accounts_provisioning_token_find",
      "SELECT t.id, t.account_id, a.domain, extract(epoch FROM now() - t.created_at)::bigint,"
      " t.id = (SELECT max(c.id) FROM provisioning_tokens c WHERE c.account_id = t.account_id AND NOT c.used)"
      " FROM provisioning_tokens t JOIN accounts a ON a.id = t.account_id"
      " WHERE t.token = %s AND NOT t.used AND NOT a.blocked" },
    /* Uses the token once (a concurrent fetch finds it used) and activates
     * its account; not when the account was blocked since the token was
     * found. */
    { "accounts_provisioning_token_consume",
      "WITH c AS (UPDATE provisioning_tokens SET used = true WHERE id = %s::bigint AND NOT used"
      "   AND account_id IN (SELECT id FROM accounts WHERE NOT blocked)"
      "   RETURNING account_id)"
      " UPDATE accounts SET activated = true, updated_at = now()"
      " WHERE id IN (SELECT account_id FROM c) RETURNING id" },
    /* A new reset-password token; the account's earlier ones stop working. */
    { "accounts_reset_token_insert",
      "WITH old AS (UPDATE reset_password_tokens SET used = true"
      "   WHERE account_id = %s::bigint AND NOT used)"
      " INSERT INTO reset_password_tokens (account_id, token_hash, email, ip, user_agent)"
      " VALUES (%s::bigint, %s, %s, %s, %s)" },
    /* A blocked account's tokens are not found: its link is answered as an
     * unknown one (issue 13). */
    { "accounts_reset_token_find",
      "SELECT t.id, t.used, extract(epoch FROM now() - t.created_at)::bigint, a.domain, a.username"
      " FROM reset_password_tokens t JOIN accounts a ON a.id = t.account_id"
      " WHERE t.token_hash = %s AND NOT a.blocked" },
    { "accounts_reset_password",
      "SELECT accounts_reset_password(%s::bigint, %s, %s)" },
};
const int store_tokens_statement_count =
    sizeof(store_tokens_statements) / sizeof(store_tokens_statements[0]);

store_status store_creation_token_mint(store *st, const char *token_hash, const char *domain,
                                       const char *ip, const char *user_agent,
                                       const char **created_at)
{
    const char *args[] = { token_hash, domain, ip, user_agent };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_creation_token_mint", &row, 4, args);

    if (s == STORE_OK) {
        *created_at = apr_pstrdup(st->pool, store_column(st, row, 0));
    }
    return s == STORE_NOT_FOUND ? STORE_ERROR : s;
}

store_status store_creation_token_state(store *st, const char *token_hash, const char *domain,
                                        long expiry_minutes, creation_token_state *state)
{
    const char *exp = apr_ltoa(st->pool, expiry_minutes);
    const char *args[] = { exp, exp, token_hash, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_creation_token_state", &row, 4, args);

    if (s == STORE_ERROR) {
        return s;
    }
    state->exists = s == STORE_OK;
    state->used = state->exists && store_column_true(st, row, 0);
    state->live = state->exists && store_column_true(st, row, 1);
    return STORE_OK;
}

store_status store_provisioning_token_new(store *st, const char *account_id, const char *domain,
                                          const char *token, const char *ip,
                                          const char *user_agent)
{
    const char *args[] = { account_id, domain, token, ip, user_agent };
    apr_dbd_row_t *row;
    return store_select_row(st, "accounts_provisioning_token_new", &row, 5, args);
}

store_status store_provisioning_token_find(store *st, const char *token,
                                           provisioning_token_info *info)
{
    const char *args[] = { token };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_provisioning_token_find", &row, 1, args);

    if (s == STORE_OK) {
        info->id = apr_pstrdup(st->pool, store_column(st, row, 0));
        info->account_id = apr_pstrdup(st->pool, store_column(st, row, 1));
        info->domain = apr_pstrdup(st->pool, store_column(st, row, 2));
        info->age_seconds = atol(store_column(st, row, 3));
        info->current = store_column_true(st, row, 4);
    }
    return s;
}

store_status store_provisioning_token_consume(store *st, const char *token_id)
{
    const char *args[] = { token_id };
    apr_dbd_row_t *row;
    return store_select_row(st, "accounts_provisioning_token_consume", &row, 1, args);
}

store_status store_reset_token_insert(store *st, const char *account_id, const char *token_hash,
                                      const char *email, const char *ip, const char *user_agent)
{
    const char *args[] = { account_id, account_id, token_hash, email, ip, user_agent };
    return store_exec(st, "accounts_reset_token_insert", NULL, 6, args);
}

store_status store_reset_token_find(store *st, const char *token_hash, reset_token_info *info)
{
    const char *args[] = { token_hash };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_reset_token_find", &row, 1, args);

    if (s == STORE_OK) {
        info->id = apr_pstrdup(st->pool, store_column(st, row, 0));
        info->used = store_column_true(st, row, 1);
        info->age_seconds = atol(store_column(st, row, 2));
        info->domain = apr_pstrdup(st->pool, store_column(st, row, 3));
        info->username = apr_pstrdup(st->pool, store_column(st, row, 4));
    }
    return s;
}

store_status store_reset_password(store *st, const char *token_id, const char *algorithm,
                                  const char *hash, int *done)
{
    const char *args[] = { token_id, algorithm, hash };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_reset_password", &row, 3, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    *done = store_column(st, row, 0) != NULL;
    return STORE_OK;
}
