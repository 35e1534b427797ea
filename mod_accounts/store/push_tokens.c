/* Push-delivered tokens (api-lifecycle.md 3): creation tokens and account
 * recovery tokens sent to a device, the throttling of 3.3, and consuming
 * a creation token for an existing account (3.4). Stored as the SHA-256
 * of their value, bound to the Space that sent them. */
#include "internal.h"

#include <apr_strings.h>

/* A device's token of that kind, used and created less than R minutes ago
 * (3.3). A device with both pn_param and pn_prid (the usual case) is one
 * probe of the device indexes of sql/0011; a null value matches only
 * null, which IS NOT DISTINCT FROM says but no index can serve beyond the
 * (domain, pn_provider) prefix: that form is kept for such devices. */
#define THROTTLE_SQL(table, device) \
    "SELECT 1 FROM " table " WHERE domain = %s AND pn_provider = %s AND " device \
    " AND used AND created_at > now() - make_interval(mins => %s::integer) LIMIT 1"
#define BOTH_VALUES "pn_param = %s AND pn_prid = %s"
#define NULLABLE_VALUES "pn_param IS NOT DISTINCT FROM %s AND pn_prid IS NOT DISTINCT FROM %s"

#define STORE_SQL(table) \
    "INSERT INTO " table " (token_hash, domain, pn_provider, pn_param, pn_prid, ip, user_agent)" \
    " VALUES (%s, lower(%s), %s, %s, %s, %s, %s)"

const store_statement store_push_tokens_statements[] = {
    { "accounts_push_creation_throttled", THROTTLE_SQL("account_creation_tokens", BOTH_VALUES) },
    { "accounts_push_creation_throttled_nullable",
      THROTTLE_SQL("account_creation_tokens", NULLABLE_VALUES) },
    { "accounts_push_recovery_throttled", THROTTLE_SQL("account_recovery_tokens", BOTH_VALUES) },
    { "accounts_push_recovery_throttled_nullable",
      THROTTLE_SQL("account_recovery_tokens", NULLABLE_VALUES) },
    { "accounts_push_creation_store", STORE_SQL("account_creation_tokens") },
    { "accounts_push_recovery_store", STORE_SQL("account_recovery_tokens") },
    /* One winner (11): the conditional update (unused, unlinked, of this
     * Space, not expired) is the check. */
    { "accounts_creation_token_consume",
      "UPDATE account_creation_tokens SET used = true, account_id = %s::bigint, ip = %s,"
      " user_agent = %s, updated_at = now()"
      " WHERE token_hash = %s AND domain = %s AND NOT used AND account_id IS NULL"
      " AND (%s::integer = 0 OR created_at > now() - make_interval(mins => %s::integer))"
      " RETURNING pn_provider, pn_param, pn_prid, extract(epoch FROM created_at)::bigint" },
};
const int store_push_tokens_statement_count =
    sizeof(store_push_tokens_statements) / sizeof(store_push_tokens_statements[0]);

store_status store_push_throttled(store *st, push_token_kind kind, const char *domain,
                                  const char *provider, const char *param, const char *prid,
                                  long retry_minutes, int *throttled)
{
    const char *args[] = { domain, provider, param, prid, apr_ltoa(st->pool, retry_minutes) };
    const char *label;
    apr_dbd_row_t *row;
    store_status s;

    *throttled = 0;
    if (retry_minutes <= 0) {
        return STORE_OK;
    }
    if (param && prid) {
        label = kind == PUSH_CREATION_TOKEN ? "accounts_push_creation_throttled"
                                            : "accounts_push_recovery_throttled";
    }
    else {
        label = kind == PUSH_CREATION_TOKEN ? "accounts_push_creation_throttled_nullable"
                                            : "accounts_push_recovery_throttled_nullable";
    }
    s = store_select_row(st, label, &row, 5, args);
    if (s == STORE_ERROR) {
        return s;
    }
    *throttled = s == STORE_OK;
    return STORE_OK;
}

store_status store_push_token_store(store *st, push_token_kind kind, const char *token_hash,
                                    const char *domain, const char *provider, const char *param,
                                    const char *prid, const char *ip, const char *user_agent)
{
    const char *args[] = { token_hash, domain, provider, param, prid, ip, user_agent };
    return store_exec(st, kind == PUSH_CREATION_TOKEN ? "accounts_push_creation_store"
                                                      : "accounts_push_recovery_store",
                      NULL, 7, args);
}

store_status store_creation_token_consume(store *st, const char *token_hash, const char *domain,
                                          long expiry_minutes, const char *account_id,
                                          const char *ip, const char *user_agent,
                                          consumed_creation_token *out)
{
    const char *exp = apr_ltoa(st->pool, expiry_minutes);
    const char *args[] = { account_id, ip, user_agent, token_hash, domain, exp, exp };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_creation_token_consume", &row, 7, args);

    if (s == STORE_OK) {
        out->pn_provider = apr_pstrdup(st->pool, store_column(st, row, 0));
        out->pn_param = apr_pstrdup(st->pool, store_column(st, row, 1));
        out->pn_prid = apr_pstrdup(st->pool, store_column(st, row, 2));
        out->created_at = apr_pstrdup(st->pool, store_column(st, row, 3));
    }
    return s;
}
