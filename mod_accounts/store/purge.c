/* accountsctl purge: expired nonces, keys and tokens. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

const store_statement store_purge_statements[] = {
    { "accounts_purge_nonces",
      "DELETE FROM digest_nonces WHERE account_id IS NOT NULL AND %s::integer > 0"
      " AND created_at < now() - make_interval(mins => %s::integer)" },
    { "accounts_purge_user_api_keys",
      "DELETE FROM api_keys WHERE user_key AND %s::integer > 0"
      " AND last_used_at < now() - make_interval(mins => %s::integer)" },
    { "accounts_purge_stable_api_keys",
      "DELETE FROM api_keys WHERE NOT user_key AND expiry_minutes > 0"
      " AND last_used_at < now() - make_interval(mins => expiry_minutes)" },
    { "accounts_purge_auth_tokens",
      "DELETE FROM auth_tokens WHERE %s::integer > 0"
      " AND created_at < now() - make_interval(mins => %s::integer)" },
    { "accounts_purge_creation_tokens",
      "DELETE FROM account_creation_tokens WHERE NOT used AND %s::integer > 0"
      " AND created_at < now() - make_interval(mins => %s::integer)" },
    { "accounts_purge_provisioning_tokens",
      "DELETE FROM provisioning_tokens WHERE used OR (%s::integer > 0"
      " AND created_at < now() - make_interval(mins => %s::integer))" },
    { "accounts_purge_reset_password_tokens",
      "DELETE FROM reset_password_tokens WHERE used"
      " OR created_at < now() - make_interval(mins => %s::integer)" },
};
const int store_purge_statement_count =
    sizeof(store_purge_statements) / sizeof(store_purge_statements[0]);

const char *const store_purge_names[STORE_PURGE_COUNT] = {
    "nonces", "user_api_keys", "stable_api_keys", "auth_tokens",
    "creation_tokens", "provisioning_tokens", "reset_password_tokens"
};

store_status store_purge(store *st, const char *nonce_minutes,
                         const char *api_key_minutes, const char *auth_token_minutes,
                         const char *creation_token_minutes,
                         const char *provisioning_token_minutes,
                         const char *reset_password_minutes,
                         int counts[STORE_PURGE_COUNT])
{
    const char *nonce[] = { nonce_minutes, nonce_minutes };
    const char *keys[] = { api_key_minutes, api_key_minutes };
    const char *auth[] = { auth_token_minutes, auth_token_minutes };
    const char *creation[] = { creation_token_minutes, creation_token_minutes };
    const char *prov[] = { provisioning_token_minutes, provisioning_token_minutes };
    const char *reset[] = { reset_password_minutes };
    store_status s = STORE_OK;

    if (s == STORE_OK) s = store_exec(st, "accounts_purge_nonces", &counts[0], 2, nonce);
    if (s == STORE_OK) s = store_exec(st, "accounts_purge_user_api_keys", &counts[1], 2, keys);
    if (s == STORE_OK) s = store_exec(st, "accounts_purge_stable_api_keys", &counts[2], 0, NULL);
    if (s == STORE_OK) s = store_exec(st, "accounts_purge_auth_tokens", &counts[3], 2, auth);
    if (s == STORE_OK) s = store_exec(st, "accounts_purge_creation_tokens", &counts[4], 2, creation);
    if (s == STORE_OK) s = store_exec(st, "accounts_purge_provisioning_tokens", &counts[5], 2, prov);
    if (s == STORE_OK) s = store_exec(st, "accounts_purge_reset_password_tokens", &counts[6], 1, reset);
    return s;
}
