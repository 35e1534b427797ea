/* API keys and auth tokens: the key lookup of every keyed request, user
 * keys, the auth-token exchange (api.md 2.2, 6.1, 6.2). */
#include "internal.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

/* An API key's columns (API_KEY_COL_*), over k. */
#define API_KEY_COLUMNS \
    "k.id, k.ip, k.user_key, k.expiry_minutes, extract(epoch FROM now() - k.last_used_at)::bigint"

const store_statement store_api_keys_statements[] = {
    /* a.id is also pinned by the key's own subquery: the planner then reads
     * the one account by its primary key whatever the statistics say. With
     * the join alone, stale statistics of a small api_keys table made it
     * merge-join over the whole accounts index (bench/run (b): 90 req/s). */
    { "accounts_account_by_api_key",
      ACCOUNT_SELECT ", " API_KEY_COLUMNS
      ACCOUNT_FROM " JOIN api_keys k ON k.account_id = a.id WHERE k.key_hash = %s"
      " AND a.id = (SELECT account_id FROM api_keys WHERE key_hash = %s)" },
    /* The same without the sub-objects, which stay empty (ACCOUNT_NO_DETAILS):
     * for admin routes, which never show their caller. Half the database
     * time of the statement above on every admin request (bench/run (e)). */
    { "accounts_caller_by_api_key",
      "SELECT " ACCOUNT_ROW_COLUMNS ", " ACCOUNT_NO_DETAILS ", " API_KEY_COLUMNS
      " FROM accounts a JOIN api_keys k ON k.account_id = a.id WHERE k.key_hash = %s"
      " AND a.id = (SELECT account_id FROM api_keys WHERE key_hash = %s)" },
    { "accounts_api_key_touch",
      "UPDATE api_keys SET last_used_at = now(), requests = requests + 1"
      " WHERE id = %s::bigint" },
    { "accounts_api_key_insert",
      "INSERT INTO api_keys (account_id, key_hash, user_key, ip, expiry_minutes)"
      " VALUES (%s::bigint, %s, %s::boolean, %s, nullif(%s, '')::integer)" },
    /* A fresh user key replaces the account's previous user keys. */
    { "accounts_user_api_key_replace",
      "WITH old AS (DELETE FROM api_keys WHERE account_id = %s::bigint AND user_key)"
      " INSERT INTO api_keys (account_id, key_hash, user_key, ip) VALUES (%s::bigint, %s, true, %s)" },
    /* Exchanges an attached, live auth_token of the Space for a user key:
     * deleting the token is what makes it single use. A blocked account's
     * token is left as it is (issue 13). */
    { "accounts_auth_token_exchange",
      "WITH t AS (DELETE FROM auth_tokens WHERE token_hash = %s AND account_id IS NOT NULL"
      "   AND created_at > now() - make_interval(mins => %s::integer)"
      "   AND account_id IN (SELECT id FROM accounts WHERE domain = %s AND NOT blocked)"
      "   RETURNING account_id),"
      " old AS (DELETE FROM api_keys WHERE user_key AND account_id IN (SELECT account_id FROM t)),"
      " fresh AS (INSERT INTO api_keys (account_id, key_hash, user_key, ip)"
      "   SELECT account_id, %s, true, %s FROM t RETURNING account_id)"
      " SELECT a.domain FROM fresh JOIN accounts a ON a.id = fresh.account_id" },
    /* Why an auth_token was refused: absent/expired (no row), unattached
     * or of another Space (a row), and whether its account is blocked. */
    { "accounts_auth_token_state",
      "SELECT t.account_id IS NOT NULL, coalesce(a.domain = %s, false), coalesce(a.blocked, false)"
      " FROM auth_tokens t"
      " LEFT JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = %s"
      " AND t.created_at > now() - make_interval(mins => %s::integer)" },
    { "accounts_auth_token_insert",
      "WITH expired AS (DELETE FROM auth_tokens WHERE created_at <= now() - make_interval(mins => %s::integer))"
      " INSERT INTO auth_tokens (token_hash, ip, user_agent) VALUES (%s, %s, %s)"
      " RETURNING id, extract(epoch FROM created_at)::bigint, extract(epoch FROM updated_at)::bigint" },
    { "accounts_auth_token_attach",
      "UPDATE auth_tokens SET account_id = %s::bigint, updated_at = now()"
      " WHERE token_hash = %s AND account_id IS NULL"
      " AND created_at > now() - make_interval(mins => %s::integer) RETURNING id" },
    /* Takes (deletes) an attached, live auth_token of the Space; not one
     * of a blocked account, which stays (issue 13). */
    { "accounts_auth_token_take",
      "DELETE FROM auth_tokens WHERE token_hash = %s AND account_id IS NOT NULL"
      " AND created_at > now() - make_interval(mins => %s::integer)"
      " AND account_id IN (SELECT id FROM accounts WHERE domain = %s AND NOT blocked)"
      " RETURNING account_id" },
};
const int store_api_keys_statement_count =
    sizeof(store_api_keys_statements) / sizeof(store_api_keys_statements[0]);

store_status store_account_by_api_key(store *st, const char *key_hash, int with_details,
                                      apr_dbd_row_t **row)
{
    const char *args[] = { key_hash, key_hash };
    return store_select_row(st, with_details ? "accounts_account_by_api_key"
                                             : "accounts_caller_by_api_key", row, 2, args);
}

/* The only write of a keyed read, at most once a minute per key
 * (API_KEY_TOUCH_INTERVAL): committed asynchronously, so the request does
 * not wait for a WAL flush (bench/run (b'), issue 17). A touch lost to a
 * crash leaves last_used_at older than the key's last use, so the key can
 * only expire early, never outlive AccountsApiKeyExpiry. */
store_status store_api_key_touch(store *st, const char *key_id)
{
    const char *args[] = { key_id };

    for (const char *c = key_id; *c; c++) {
        if (*c < '0' || *c > '9') {
            return STORE_ERROR;   /* the database's own bigint: never happens */
        }
    }
    if (*key_id && !st->txn && apr_dbd_name(st->driver)
        && strcmp(apr_dbd_name(st->driver), "pgsql") == 0) {
        return store_exec_async_commit(st, "accounts_api_key_touch",
                                       apr_pstrcat(st->pool, "UPDATE api_keys SET last_used_at = now(),"
                                                   " requests = requests + 1 WHERE id = ", key_id, NULL));
    }
    return store_exec(st, "accounts_api_key_touch", NULL, 1, args);
}

store_status store_api_key_insert(store *st, const char *account_id,
                                  const char *key_hash, int user_key,
                                  const char *ip, const char *expiry_minutes)
{
    const char *args[] = { account_id, key_hash, user_key ? "true" : "false", ip,
                           expiry_minutes ? expiry_minutes : "" };
    return store_exec(st, "accounts_api_key_insert", NULL, 5, args);
}

store_status store_user_api_key_replace(store *st, const char *account_id,
                                        const char *key_hash, const char *ip)
{
    const char *args[] = { account_id, account_id, key_hash, ip };
    return store_exec(st, "accounts_user_api_key_replace", NULL, 4, args);
}

store_status store_auth_token_exchange(store *st, const char *token_hash,
                                       long lifetime_minutes, const char *space_domain,
                                       const char *key_hash, const char *ip,
                                       auth_token_result *result,
                                       const char **account_domain)
{
    const char *life = apr_ltoa(st->pool, lifetime_minutes);
    const char *args[] = { token_hash, life, space_domain, key_hash, ip };
    const char *state_args[] = { space_domain, token_hash, life };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_auth_token_exchange", &row, 5, args);

    if (s == STORE_OK) {
        *account_domain = apr_pstrdup(st->pool, store_column(st, row, 0));
        *result = AUTH_TOKEN_DONE;
        return STORE_OK;
    }
    if (s == STORE_ERROR) {
        return s;
    }
    s = store_select_row(st, "accounts_auth_token_state", &row, 3, state_args);
    if (s == STORE_ERROR) {
        return s;
    }
    /* A blocked account's token is answered as an unknown one: the caller
     * learns nothing of it (issue 13). */
    *result = s == STORE_NOT_FOUND || store_column_true(st, row, 2) ? AUTH_TOKEN_NOT_FOUND
                                                                   : AUTH_TOKEN_NOT_ATTACHED;
    return STORE_OK;
}

store_status store_auth_token_insert(store *st, long lifetime_minutes, const char *token_hash,
                                     const char *ip, const char *user_agent,
                                     apr_dbd_row_t **row)
{
    const char *args[] = { apr_ltoa(st->pool, lifetime_minutes), token_hash, ip, user_agent };
    store_status s = store_select_row(st, "accounts_auth_token_insert", row, 4, args);
    return s == STORE_NOT_FOUND ? STORE_ERROR : s;
}

store_status store_auth_token_attach(store *st, const char *account_id, const char *token_hash,
                                     long lifetime_minutes, auth_token_result *result)
{
    const char *life = apr_ltoa(st->pool, lifetime_minutes);
    const char *args[] = { account_id, token_hash, life };
    const char *state_args[] = { "", token_hash, life };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_auth_token_attach", &row, 3, args);

    if (s == STORE_OK) {
        *result = AUTH_TOKEN_DONE;
        return s;
    }
    if (s == STORE_ERROR) {
        return s;
    }
    s = store_select_row(st, "accounts_auth_token_state", &row, 3, state_args);
    if (s == STORE_ERROR) {
        return s;
    }
    *result = s == STORE_NOT_FOUND ? AUTH_TOKEN_NOT_FOUND : AUTH_TOKEN_ALREADY_ATTACHED;
    return STORE_OK;
}

store_status store_auth_token_take(store *st, const char *token_hash, long lifetime_minutes,
                                   const char *space_domain, const char **account_id)
{
    const char *args[] = { token_hash, apr_ltoa(st->pool, lifetime_minutes), space_domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_auth_token_take", &row, 3, args);

    if (s == STORE_OK) {
        *account_id = apr_pstrdup(st->pool, store_column(st, row, 0));
    }
    return s;
}
