/* Account creation request tokens (api-lifecycle.md 2): minted by an app,
 * validated by a person in a browser, exchanged once for a creation token.
 * Stored as the SHA-256 of their value, bound to the Space that minted
 * them. */
#include "internal.h"

#include <apr_strings.h>

const store_statement store_creation_requests_statements[] = {
    { "accounts_creation_request_mint",
      "INSERT INTO account_creation_request_tokens (token_hash, domain, ip, user_agent)"
      " VALUES (%s, lower(%s), %s, %s)" },
    { "accounts_creation_request_state",
      "SELECT used, validated_at IS NOT NULL FROM account_creation_request_tokens"
      " WHERE token_hash = %s AND domain = %s" },
    /* Idempotent: a second validation keeps the first time (11). */
    { "accounts_creation_request_validate",
      "UPDATE account_creation_request_tokens SET validated_at = coalesce(validated_at, now()),"
      " updated_at = CASE WHEN validated_at IS NULL THEN now() ELSE updated_at END"
      " WHERE token_hash = %s AND domain = %s AND NOT used RETURNING id" },
    /* At most one creation token per request token (11), in one statement:
     * the conditional update claims the request token first (a concurrent
     * use waits on its row lock, then finds it used and claims nothing),
     * taking the new creation token's id from its sequence so that the
     * link is written by the same update; the insert runs only on the row
     * the update returned. */
    { "accounts_creation_request_use",
      "WITH claim AS (UPDATE account_creation_request_tokens SET used = true, updated_at = now(),"
      "   creation_token_id = nextval(pg_get_serial_sequence('account_creation_tokens', 'id'))"
      "   WHERE token_hash = %s AND domain = %s AND NOT used AND validated_at IS NOT NULL"
      "   RETURNING creation_token_id, domain),"
      " minted AS (INSERT INTO account_creation_tokens (id, token_hash, domain, ip, user_agent)"
      "   SELECT creation_token_id, %s, domain, %s, %s FROM claim RETURNING created_at)"
      " SELECT extract(epoch FROM created_at)::bigint FROM minted" },
};
const int store_creation_requests_statement_count =
    sizeof(store_creation_requests_statements) / sizeof(store_creation_requests_statements[0]);

store_status store_creation_request_mint(store *st, const char *token_hash, const char *domain,
                                         const char *ip, const char *user_agent)
{
    const char *args[] = { token_hash, domain, ip, user_agent };
    return store_exec(st, "accounts_creation_request_mint", NULL, 4, args);
}

store_status store_creation_request_state(store *st, const char *token_hash, const char *domain,
                                          creation_request_state *state)
{
    const char *args[] = { token_hash, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_creation_request_state", &row, 2, args);

    if (s == STORE_ERROR) {
        return s;
    }
    state->exists = s == STORE_OK;
    state->used = state->exists && store_column_true(st, row, 0);
    state->validated = state->exists && store_column_true(st, row, 1);
    return STORE_OK;
}

store_status store_creation_request_validate(store *st, const char *token_hash, const char *domain)
{
    const char *args[] = { token_hash, domain };
    apr_dbd_row_t *row;
    return store_select_row(st, "accounts_creation_request_validate", &row, 2, args);
}

store_status store_creation_request_use(store *st, const char *token_hash, const char *domain,
                                        const char *creation_token_hash, const char *ip,
                                        const char *user_agent, const char **created_at)
{
    const char *args[] = { token_hash, domain, creation_token_hash, ip, user_agent };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_creation_request_use", &row, 5, args);

    if (s == STORE_OK) {
        *created_at = apr_pstrdup(st->pool, store_column(st, row, 0));
    }
    return s;
}
