#include "store.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

/* The Account object's columns; every account SELECT starts with them
 * (see ACCOUNT_COL_*). Sub-objects come as JSON text built by PostgreSQL,
 * so one round trip yields the whole Account. */
#define ACCOUNT_SELECT ACCOUNT_SELECT_WITH_PASSWORDS( \
    "(SELECT coalesce(json_agg(p.algorithm ORDER BY p.id), '[]') FROM passwords p" \
    "   WHERE p.account_id = a.id)")

/* The accounts row's own columns (ACCOUNT_COL_ID to ACCOUNT_COL_PHONE). */
#define ACCOUNT_ROW_COLUMNS \
    "a.id, a.username, a.domain, a.email, a.activated, a.ip_address, a.user_agent," \
    " extract(epoch FROM a.created_at)::bigint, extract(epoch FROM a.updated_at)::bigint," \
    " a.display_name, a.dtmf_protocol, a.blocked, a.admin, a.phone"

/* The sub-objects, over d (dictionary entries) and c (change codes). */
#define DICTIONARY_OBJECT "json_object_agg(d.key, d.value ORDER BY d.id)"
#define CHANGE_CODE_OBJECT(field) \
    "json_build_object('" field "', c." field ", 'code', c.code, 'ip', c.ip," \
    " 'user_agent', c.user_agent, 'created_at', extract(epoch FROM c.created_at)::bigint," \
    " 'updated_at', extract(epoch FROM c.updated_at)::bigint)"

/* ACCOUNT_SELECT with another expression for the passwords column. */
#define ACCOUNT_SELECT_WITH_PASSWORDS(passwords) \
    "SELECT " ACCOUNT_ROW_COLUMNS "," \
    " pt.token, extract(epoch FROM pt.created_at)::bigint, " passwords "," \
    " (SELECT coalesce(" DICTIONARY_OBJECT ", '{}')" \
    "   FROM account_dictionary_entries d WHERE d.account_id = a.id)," \
    " (SELECT " CHANGE_CODE_OBJECT("email") \
    "   FROM email_change_codes c WHERE c.account_id = a.id AND NOT c.consumed" \
    "   ORDER BY c.id DESC LIMIT 1)," \
    " (SELECT " CHANGE_CODE_OBJECT("phone") \
    "   FROM phone_change_codes c WHERE c.account_id = a.id AND NOT c.consumed" \
    "   ORDER BY c.id DESC LIMIT 1)"

/* The current provisioning token (newest unused) of the account "a". */
#define ACCOUNT_LATERAL \
    " LEFT JOIN LATERAL (SELECT t.token, t.created_at" \
    "   FROM provisioning_tokens t WHERE t.account_id = a.id AND NOT t.used" \
    "   ORDER BY t.id DESC LIMIT 1) pt ON true"

/* The ids of a listing's page (accounts_page, accounts_page_extras): an
 * array, so that each table is read by one index scan over them. */
#define PAGE_IDS "ANY((SELECT ids FROM page)::bigint[])"

/* The newest unconsumed change code of each account of the page. */
#define PAGE_CHANGE_CODES(table, field, alias) \
    " LEFT JOIN (SELECT DISTINCT ON (c.account_id) c.account_id, " CHANGE_CODE_OBJECT(field) " AS j" \
    "   FROM " table " c WHERE c.account_id = " PAGE_IDS " AND NOT c.consumed" \
    "   ORDER BY c.account_id, c.id DESC) " alias " ON " alias ".account_id = a.id"

#define ACCOUNT_FROM " FROM accounts a" ACCOUNT_LATERAL

/* The sub-object columns after the provisioning token's
 * (ACCOUNT_COL_PASSWORDS on) left empty: no passwords, an empty
 * dictionary, no change codes. */
#define ACCOUNT_NO_LISTS "'[]'::json, '{}'::json, NULL::json, NULL::json"

/* Every sub-object column (ACCOUNT_COL_PROVISIONING_TOKEN on) left empty. */
#define ACCOUNT_NO_DETAILS "NULL::text, NULL::bigint, " ACCOUNT_NO_LISTS

/* An API key's columns (API_KEY_COL_*), over k. */
#define API_KEY_COLUMNS \
    "k.id, k.ip, k.user_key, k.expiry_minutes, extract(epoch FROM now() - k.last_used_at)::bigint"

/* Deletes the nonces of the account `account` (an SQL expression) older
 * than its newest ones; the next %s is how many to keep besides the one
 * being added (DIGEST_NONCES_KEPT - 1). So unauthenticated challenges
 * cannot grow the table without bound. SKIP LOCKED: concurrent challenges
 * for one account each prune what nobody else holds instead of waiting on
 * each other's rows (they deadlocked under bench/soak); a skipped row goes
 * with the next challenge. */
#define NONCE_PRUNE(account) \
    "DELETE FROM digest_nonces WHERE id IN (" \
    "   SELECT n.id FROM digest_nonces n WHERE n.account_id = " account \
    "   AND n.id <= (SELECT o.id FROM digest_nonces o WHERE o.account_id = " account \
    "     ORDER BY o.id DESC OFFSET %s::integer LIMIT 1)" \
    "   FOR UPDATE SKIP LOCKED)"

/* What digest needs of an account: the Account columns, then its passwords
 * with their hashes (ACCOUNT_COL_DIGEST_PASSWORDS). */
#define DIGEST_SUBJECT_SELECT \
    ACCOUNT_SELECT ", (SELECT coalesce(json_agg(json_build_array(p.algorithm, p.password)" \
    "   ORDER BY p.id), '[]') FROM passwords p WHERE p.account_id = a.id)"

const store_statement store_statements[] = {
    { "accounts_ping", "SELECT 1" },
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
    { "accounts_account_by_sip",
      DIGEST_SUBJECT_SELECT ACCOUNT_FROM " WHERE a.username = %s AND a.domain = lower(%s)" },
    /* A handshake's first request in one round trip: the account, and a
     * new nonce for it when it has a password to challenge (pruned as in
     * accounts_nonce_insert). */
    { "accounts_digest_challenge",
      "WITH target AS (SELECT id FROM accounts WHERE username = %s AND domain = lower(%s)),"
      " fresh AS (INSERT INTO digest_nonces (account_id, nonce)"
      "   SELECT t.id, %s FROM target t WHERE EXISTS (SELECT 1 FROM passwords p WHERE p.account_id = t.id)"
      "   RETURNING account_id),"
      " pruned AS (" NONCE_PRUNE("(SELECT account_id FROM fresh)") ")"
      " " DIGEST_SUBJECT_SELECT ACCOUNT_FROM " WHERE a.id = (SELECT id FROM target)" },
    /* A signed request in one round trip: the account, and its nonce's nc
     * advanced if it grows (the row lock makes racing requests with one
     * nonce and nc have one winner); the last column says whether it did. */
    { "accounts_digest_advance",
      "WITH target AS (SELECT id FROM accounts WHERE username = %s AND domain = lower(%s)),"
      " advanced AS (UPDATE digest_nonces SET nc = %s::bigint"
      "   WHERE account_id = (SELECT id FROM target) AND nonce = %s AND nc < %s::bigint"
      "   AND (%s::integer = 0 OR created_at > now() - make_interval(mins => %s::integer))"
      "   RETURNING id)"
      " " DIGEST_SUBJECT_SELECT ", EXISTS (SELECT 1 FROM advanced)"
      ACCOUNT_FROM " WHERE a.id = (SELECT id FROM target)" },
    /* A new nonce for an account already read, pruned as above. */
    { "accounts_nonce_insert",
      "WITH fresh AS (INSERT INTO digest_nonces (account_id, nonce) VALUES (%s::bigint, %s)) "
      NONCE_PRUNE("%s::bigint") },
    { "accounts_nonce_find",
      "SELECT id FROM digest_nonces WHERE account_id = %s::bigint AND nonce = %s"
      " AND (%s::integer = 0 OR created_at > now() - make_interval(mins => %s::integer))" },
    { "accounts_nonce_delete",
      "DELETE FROM digest_nonces WHERE account_id = %s::bigint AND nonce = %s" },
    /* A fresh user key replaces the account's previous user keys. */
    { "accounts_user_api_key_replace",
      "WITH old AS (DELETE FROM api_keys WHERE account_id = %s::bigint AND user_key)"
      " INSERT INTO api_keys (account_id, key_hash, user_key, ip) VALUES (%s::bigint, %s, true, %s)" },
    /* Exchanges an attached, live auth_token of the Space for a user key:
     * deleting the token is what makes it single use. */
    { "accounts_auth_token_exchange",
      "WITH t AS (DELETE FROM auth_tokens WHERE token_hash = %s AND account_id IS NOT NULL"
      "   AND created_at > now() - make_interval(mins => %s::integer)"
      "   AND account_id IN (SELECT id FROM accounts WHERE domain = %s) RETURNING account_id),"
      " old AS (DELETE FROM api_keys WHERE user_key AND account_id IN (SELECT account_id FROM t)),"
      " fresh AS (INSERT INTO api_keys (account_id, key_hash, user_key, ip)"
      "   SELECT account_id, %s, true, %s FROM t RETURNING account_id)"
      " SELECT a.domain FROM fresh JOIN accounts a ON a.id = fresh.account_id" },
    /* Why an auth_token was refused: absent/expired (no row), unattached
     * or of another Space (a row). */
    { "accounts_auth_token_state",
      "SELECT t.account_id IS NOT NULL, coalesce(a.domain = %s, false) FROM auth_tokens t"
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
    { "accounts_creation_token_mint",
      "INSERT INTO account_creation_tokens (token_hash, domain, ip, user_agent)"
      " VALUES (%s, lower(%s), %s, %s) RETURNING extract(epoch FROM created_at)::bigint" },
    { "accounts_api_key_touch",
      "UPDATE api_keys SET last_used_at = now(), requests = requests + 1"
      " WHERE id = %s::bigint" },
    { "accounts_api_key_insert",
      "INSERT INTO api_keys (account_id, key_hash, user_key, ip, expiry_minutes)"
      " VALUES (%s::bigint, %s, %s::boolean, %s, nullif(%s, '')::integer)" },
    { "accounts_account_id_by_sip",
      "SELECT id FROM accounts WHERE username = %s AND domain = lower(%s)" },
    { "accounts_tombstone_exists",
      "SELECT 1 FROM account_tombstones WHERE username = %s AND domain = lower(%s)" },
    { "accounts_account_upsert_admin",
      "INSERT INTO accounts (username, domain, activated, admin, ip_address, user_agent)"
      " VALUES (%s, lower(%s), true, true, '127.0.0.1', 'accountsctl')"
      " ON CONFLICT (username, domain) DO UPDATE"
      " SET admin = true, activated = true, updated_at = now() RETURNING id" },
    { "accounts_password_set",
      "SELECT accounts_set_password(%s::bigint, %s, %s, %s::boolean)" },
    { "accounts_passwords_of",
      "SELECT algorithm, password FROM passwords WHERE account_id = %s::bigint ORDER BY id" },
    { "accounts_account_by_id",
      ACCOUNT_SELECT ACCOUNT_FROM " WHERE a.id = %s::bigint" },
    { "accounts_space_count",
      "SELECT accounts_space_count(%s)" },
    /* What validation needs to know of the candidate values (api.md 4.1,
     * 4.3, 4.4), in one round trip; %s 2 is the account to ignore (0: none). */
    { "accounts_field_lookups",
      "SELECT EXISTS (SELECT 1 FROM accounts WHERE domain = %s AND id <> %s::bigint AND username = %s),"
      " EXISTS (SELECT 1 FROM account_tombstones WHERE domain = %s AND username = %s),"
      " EXISTS (SELECT 1 FROM accounts WHERE domain = %s AND id <> %s::bigint AND lower(email) = lower(%s)),"
      " EXISTS (SELECT 1 FROM accounts WHERE domain = %s AND id <> %s::bigint AND phone = %s),"
      " EXISTS (SELECT 1 FROM accounts WHERE domain = %s AND id <> %s::bigint AND username = %s)" },
    { "accounts_creation_token_state",
      "SELECT used, (%s::integer = 0 OR created_at > now() - make_interval(mins => %s::integer))"
      " FROM account_creation_tokens WHERE token_hash = %s AND domain = %s" },
    { "accounts_account_create",
      "SELECT status, account_id, created_epoch FROM accounts_create(%s, %s, %s::integer, %s, %s::integer,"
      " %s, %s, %s, %s, %s::boolean, %s::boolean, %s, %s, %s, %s, %s::json, %s, %s, %s)" },
    { "accounts_account_activated_by_sip",
      "SELECT activated FROM accounts WHERE username = %s AND domain = lower(%s)" },
    /* Deletes an account (everything attached cascades) and tombstones its
     * username in its domain. */
    { "accounts_account_delete",
      "WITH gone AS (DELETE FROM accounts WHERE id = %s::bigint AND domain = %s"
      "   RETURNING username, domain),"
      " stone AS (INSERT INTO account_tombstones (username, domain)"
      "   SELECT username, domain FROM gone ON CONFLICT DO NOTHING)"
      " SELECT count(*) FROM gone" },
    /* A new current provisioning token; the older unused ones stop working. */
    { "accounts_provisioning_token_new",
      "WITH a AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s),"
      " old AS (UPDATE provisioning_tokens SET used = true"
      "   WHERE account_id IN (SELECT id FROM a) AND NOT used)"
      " INSERT INTO provisioning_tokens (account_id, token, ip, user_agent)"
      " SELECT id, %s, %s, %s FROM a RETURNING id" },
    /* An unused provisioning token: its account, age, and whether it is
     * the account's current one (its newest unused token). */
    { "accounts_provisioning_token_find",
      "SELECT t.id, t.account_id, a.domain, extract(epoch FROM now() - t.created_at)::bigint,"
      " t.id = (SELECT max(c.id) FROM provisioning_tokens c WHERE c.account_id = t.account_id AND NOT c.used)"
      " FROM provisioning_tokens t JOIN accounts a ON a.id = t.account_id"
      " WHERE t.token = %s AND NOT t.used" },
    /* Uses the token once (a concurrent fetch finds it used) and activates
     * its account. */
    { "accounts_provisioning_token_consume",
      "WITH c AS (UPDATE provisioning_tokens SET used = true WHERE id = %s::bigint AND NOT used"
      "   RETURNING account_id)"
      " UPDATE accounts SET activated = true, updated_at = now()"
      " WHERE id IN (SELECT account_id FROM c) RETURNING id" },
    /* Takes (deletes) an attached, live auth_token of the Space. */
    { "accounts_auth_token_take",
      "DELETE FROM auth_tokens WHERE token_hash = %s AND account_id IS NOT NULL"
      " AND created_at > now() - make_interval(mins => %s::integer)"
      " AND account_id IN (SELECT id FROM accounts WHERE domain = %s) RETURNING account_id" },
    /* A new reset-password token; the account's earlier ones stop working. */
    { "accounts_reset_token_insert",
      "WITH old AS (UPDATE reset_password_tokens SET used = true"
      "   WHERE account_id = %s::bigint AND NOT used)"
      " INSERT INTO reset_password_tokens (account_id, token_hash, email, ip, user_agent)"
      " VALUES (%s::bigint, %s, %s, %s, %s)" },
    { "accounts_reset_token_find",
      "SELECT t.id, t.used, extract(epoch FROM now() - t.created_at)::bigint, a.domain, a.username"
      " FROM reset_password_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = %s" },
    { "accounts_reset_password",
      "SELECT accounts_reset_password(%s::bigint, %s, %s)" },
    { "accounts_account_in_space",
      ACCOUNT_SELECT ACCOUNT_FROM " WHERE a.id = %s::bigint AND a.domain = %s" },
    { "accounts_account_by_username",
      ACCOUNT_SELECT ACCOUNT_FROM " WHERE a.username = %s AND a.domain = %s" },
    { "accounts_account_by_email",
      ACCOUNT_SELECT ACCOUNT_FROM " WHERE a.domain = %s AND lower(a.email) = lower(%s)"
      " ORDER BY a.id LIMIT 1" },
    /* One page of a Space's accounts by id. The Space's total and the
     * page's ids come from its id buckets (sql/0007: a few index probes,
     * and at most one bucket of index entries skipped, whatever the page).
     * The ids go on as one array: the accounts and their provisioning
     * tokens are read by one index scan over the 20 ids (PAGE_IDS), and
     * nothing scans a table whatever its size (a join on the ids as a set
     * let the planner scan the provisioning tokens whole: 0.5 ms per
     * page). The Admin variant shows no passwords, so none are read; the
     * rarer sub-objects come from accounts_page_extras, for the rows
     * flagged (PAGE_COL_HAS_EXTRAS). Each row also carries the total
     * (PAGE_COL_TOTAL): a listing is one round trip, or two when an
     * account of the page has a dictionary entry or a change code. Same
     * columns as ACCOUNT_SELECT. */
    { "accounts_page",
      "WITH total AS MATERIALIZED (SELECT accounts_space_count(%s) AS n),"
      " page AS MATERIALIZED (SELECT array_agg(id) AS ids"
      "   FROM accounts_page_ids(%s, %s::bigint, %s::integer, (SELECT n FROM total)) AS id)"
      " SELECT " ACCOUNT_ROW_COLUMNS ", pt.token, extract(epoch FROM pt.created_at)::bigint,"
      " " ACCOUNT_NO_LISTS ", (SELECT n FROM total), a.has_extras"
      " FROM accounts a"
      " LEFT JOIN (SELECT DISTINCT ON (t.account_id) t.account_id, t.token, t.created_at"
      "   FROM provisioning_tokens t WHERE t.account_id = " PAGE_IDS " AND NOT t.used"
      "   ORDER BY t.account_id, t.id DESC) pt ON pt.account_id = a.id"
      " WHERE a.id = " PAGE_IDS
      " ORDER BY a.id" },
    /* The dictionary and change codes of the page's accounts flagged
     * has_extras (sql/0007), by id (PAGE_EXTRAS_COL_*): few accounts have
     * any, so the page statement leaves them out. */
    { "accounts_page_extras",
      "WITH page AS MATERIALIZED (SELECT %s::bigint[] AS ids)"
      " SELECT a.id, coalesce(d.j, '{}'), e.j, ph.j FROM unnest((SELECT ids FROM page)) AS a(id)"
      " LEFT JOIN (SELECT d.account_id, " DICTIONARY_OBJECT " AS j FROM account_dictionary_entries d"
      "   WHERE d.account_id = " PAGE_IDS " GROUP BY d.account_id) d ON d.account_id = a.id"
      PAGE_CHANGE_CODES("email_change_codes", "email", "e")
      PAGE_CHANGE_CODES("phone_change_codes", "phone", "ph") },
    { "accounts_account_head",
      "SELECT username, domain FROM accounts WHERE id = %s::bigint" },
    { "accounts_set_activated",
      "UPDATE accounts SET activated = %s::boolean, updated_at = now()"
      " WHERE id = %s::bigint AND domain = %s RETURNING id" },
    { "accounts_set_blocked",
      "UPDATE accounts SET blocked = %s::boolean, updated_at = now()"
      " WHERE id = %s::bigint AND domain = %s RETURNING id" },
    { "accounts_account_update",
      "SELECT accounts_update(%s::bigint, %s, %s, %s::integer, %s, %s, %s, %s, %s, %s::boolean,"
      " %s::boolean, %s::boolean, %s, %s, %s, %s::json)" },
    { "accounts_purge_nonces",
      "DELETE FROM digest_nonces WHERE %s::integer > 0"
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

const int store_statement_count = sizeof(store_statements) / sizeof(store_statements[0]);

const char *const store_purge_names[STORE_PURGE_COUNT] = {
    "nonces", "user_api_keys", "stable_api_keys", "auth_tokens",
    "creation_tokens", "provisioning_tokens", "reset_password_tokens"
};

/* The driver's message for a failure, copied before anything else runs on
 * the connection. */
static const char *failure_reason(store *st, int rv)
{
    const char *reason = apr_dbd_error(st->driver, st->handle, rv);
    return apr_pstrdup(st->pool, reason ? reason : "unknown error");
}

static store_status log_failure(store *st, const char *what, const char *label,
                                const char *reason)
{
    if (st->log) {
        st->log(st->log_baton, apr_psprintf(st->pool, "%s %s failed: %s", what, label, reason));
    }
    return STORE_ERROR;
}

static void store_log(store *st, const char *what, const char *label, int rv)
{
    if (st->log) {
        const char *reason = apr_dbd_error(st->driver, st->handle, rv);
        st->log(st->log_baton, apr_psprintf(st->pool, "%s %s failed: %s", what,
                                            label, reason ? reason : "unknown error"));
    }
}

static const char *statement_sql(const char *label)
{
    for (int i = 0; i < store_statement_count; i++) {
        if (strcmp(store_statements[i].label, label) == 0) {
            return store_statements[i].sql;
        }
    }
    return NULL;
}

/* Prepares label on this connection and remembers it. */
static apr_dbd_prepared_t *prepare(store *st, const char *label, int quiet)
{
    const char *sql = statement_sql(label);
    apr_dbd_prepared_t *stmt = NULL;
    int rv;

    if (!sql) {
        if (st->log) {
            st->log(st->log_baton, apr_psprintf(st->pool, "unknown statement %s", label));
        }
        return NULL;
    }
    rv = apr_dbd_prepare(st->driver, st->conn_pool, st->handle, sql, label, &stmt);
    if (rv != 0) {
        if (!quiet) {
            store_log(st, "preparing", label, rv);
        }
        return NULL;
    }
    if (!st->prepared) {
        st->prepared = apr_hash_make(st->conn_pool);
    }
    apr_hash_set(st->prepared, label, APR_HASH_KEY_STRING, stmt);
    return stmt;
}

static apr_dbd_prepared_t *statement(store *st, const char *label)
{
    apr_dbd_prepared_t *stmt = st->prepared
        ? apr_hash_get(st->prepared, label, APR_HASH_KEY_STRING) : NULL;

    /* Not prepared by mod_dbd (accountsctl): prepare it now. */
    return stmt ? stmt : prepare(st, label, 0);
}

/* Every statement here is a lookup by key, written for a generic plan.
 * PostgreSQL's default (plan_cache_mode = auto) keeps re-planning a
 * prepared statement whenever its custom plans look cheaper, and with a
 * Space's statistics out of date they do: a creation's username check
 * then scanned the whole Space through (domain, id) instead of probing
 * (username, domain), and every execution paid the planning again
 * (bench/run (d): 285 instead of 1,070 creations/s). So each session runs
 * with generic plans; the marker in the connection's statement hash
 * (owned by mod_dbd, one per session) says the setting is applied. */
#define SESSION_READY_MARK "accounts: session ready"
static const char session_setup_sql[] = "SET plan_cache_mode = force_generic_plan";

store_status store_session_ready(store *st)
{
    int nrows = 0, rv;

    if (st->prepared && apr_hash_get(st->prepared, SESSION_READY_MARK, APR_HASH_KEY_STRING)) {
        return STORE_OK;
    }
    rv = apr_dbd_query(st->driver, st->handle, &nrows, session_setup_sql);
    if (rv != 0) {
        return log_failure(st, "setting up", "the session", failure_reason(st, rv));
    }
    if (!st->prepared) {
        st->prepared = apr_hash_make(st->conn_pool);
    }
    apr_hash_set(st->prepared, SESSION_READY_MARK, APR_HASH_KEY_STRING, session_setup_sql);
    return STORE_OK;
}

/* After a failed statement: was the connection re-established under us?
 * The PostgreSQL driver resets a broken connection when mod_dbd checks it,
 * and the new session has none of the prepared statements. Preparing the
 * statement again succeeds only then (otherwise the name already exists),
 * and tells the caller that running it once more is safe: it never ran.
 * Not inside a transaction, whose earlier statements would be lost. */
static int reprepared_after_reconnect(store *st, const char *label)
{
    if (st->txn) {
        return 0;
    }
    if (apr_dbd_check_conn(st->driver, st->pool, st->handle) != APR_SUCCESS) {
        return 0;
    }
    if (!prepare(st, label, 1)) {
        return 0;
    }
    /* A new session: it has none of the old one's settings either. */
    apr_hash_set(st->prepared, SESSION_READY_MARK, APR_HASH_KEY_STRING, NULL);
    return store_session_ready(st) == STORE_OK;
}

store_status store_select(store *st, const char *label, apr_dbd_results_t **res,
                          int nargs, const char **args)
{
    apr_dbd_prepared_t *stmt = statement(st, label);
    int rv;

    if (!stmt) {
        return STORE_ERROR;
    }
    *res = NULL;
    rv = apr_dbd_pselect(st->driver, st->pool, st->handle, res, stmt, 1, nargs, args);
    if (rv != 0) {
        const char *why = failure_reason(st, rv);
        if (!reprepared_after_reconnect(st, label)) {
            return log_failure(st, "query", label, why);
        }
        *res = NULL;
        rv = apr_dbd_pselect(st->driver, st->pool, st->handle, res,
                             statement(st, label), 1, nargs, args);
        if (rv != 0) {
            return log_failure(st, "query", label, failure_reason(st, rv));
        }
    }
    return STORE_OK;
}

store_status store_exec(store *st, const char *label, int *nrows,
                        int nargs, const char **args)
{
    apr_dbd_prepared_t *stmt = statement(st, label);
    int dummy, rv;

    if (!stmt) {
        return STORE_ERROR;
    }
    rv = apr_dbd_pquery(st->driver, st->pool, st->handle, nrows ? nrows : &dummy,
                        stmt, nargs, args);
    if (rv != 0) {
        const char *why = failure_reason(st, rv);
        if (!reprepared_after_reconnect(st, label)) {
            return log_failure(st, "statement", label, why);
        }
        rv = apr_dbd_pquery(st->driver, st->pool, st->handle, nrows ? nrows : &dummy,
                            statement(st, label), nargs, args);
        if (rv != 0) {
            return log_failure(st, "statement", label, failure_reason(st, rv));
        }
    }
    return STORE_OK;
}

const char *store_column(store *st, apr_dbd_row_t *row, int col)
{
    const char *value = NULL;

    /* apr_dbd_get_entry() gives "" for SQL NULL; datum_get tells them apart. */
    if (apr_dbd_datum_get(st->driver, row, col, APR_DBD_TYPE_STRING, &value) != APR_SUCCESS) {
        return NULL;
    }
    return value;
}

store_status store_select_row(store *st, const char *label, apr_dbd_row_t **row,
                              int nargs, const char **args)
{
    apr_dbd_results_t *res;
    store_status s = store_select(st, label, &res, nargs, args);

    if (s != STORE_OK) {
        return s;
    }
    *row = NULL;
    if (apr_dbd_get_row(st->driver, st->pool, res, row, 1) != 0 || !*row) {
        return STORE_NOT_FOUND;
    }
    return STORE_OK;
}

store_status store_begin(store *st)
{
    int rv = apr_dbd_transaction_start(st->driver, st->pool, st->handle, &st->txn);

    if (rv != 0) {
        st->txn = NULL;
        store_log(st, "transaction", "begin", rv);
        return STORE_ERROR;
    }
    /* apr_dbd's default mode: a failed statement makes the end roll back. */
    return STORE_OK;
}

store_status store_end(store *st, int failed)
{
    apr_dbd_transaction_t *txn = st->txn;
    int rv;

    if (!txn) {
        return STORE_ERROR;
    }
    st->txn = NULL;
    if (failed) {
        apr_dbd_transaction_mode_set(st->driver, txn, APR_DBD_TRANSACTION_ROLLBACK);
    }
    rv = apr_dbd_transaction_end(st->driver, st->pool, txn);
    if (rv != 0) {
        store_log(st, "transaction", "end", rv);
        return STORE_ERROR;
    }
    return STORE_OK;
}

store_status store_ping(store *st)
{
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_ping", &row, 0, NULL);
    return s == STORE_NOT_FOUND ? STORE_ERROR : s;
}

store_status store_account_by_api_key(store *st, const char *key_hash, int with_details,
                                      apr_dbd_row_t **row)
{
    const char *args[] = { key_hash, key_hash };
    return store_select_row(st, with_details ? "accounts_account_by_api_key"
                                             : "accounts_caller_by_api_key", row, 2, args);
}

store_status store_api_key_touch(store *st, const char *key_id)
{
    const char *args[] = { key_id };
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

store_status store_account_id_by_sip(store *st, const char *username,
                                     const char *domain, const char **id)
{
    const char *args[] = { username, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_account_id_by_sip", &row, 2, args);

    if (s == STORE_OK) {
        *id = apr_pstrdup(st->pool, store_column(st, row, 0));
    }
    return s;
}

store_status store_tombstone_exists(store *st, const char *username, const char *domain)
{
    const char *args[] = { username, domain };
    apr_dbd_row_t *row;
    return store_select_row(st, "accounts_tombstone_exists", &row, 2, args);
}

store_status store_account_upsert_admin(store *st, const char *username,
                                        const char *domain, const char **id)
{
    const char *args[] = { username, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_account_upsert_admin", &row, 2, args);

    if (s == STORE_OK) {
        *id = apr_pstrdup(st->pool, store_column(st, row, 0));
    }
    return s == STORE_NOT_FOUND ? STORE_ERROR : s;
}

store_status store_password_set(store *st, const char *account_id, const char *algorithm,
                                const char *hash, int activate)
{
    const char *args[] = { account_id, algorithm, hash, activate ? "true" : "false" };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_password_set", &row, 4, args);
    return s == STORE_NOT_FOUND ? STORE_ERROR : s;
}

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

store_status store_account_by_sip(store *st, const char *username, const char *domain,
                                  apr_dbd_row_t **row)
{
    const char *args[] = { username, domain };
    return store_select_row(st, "accounts_account_by_sip", row, 2, args);
}

store_status store_digest_challenge(store *st, const char *username, const char *domain,
                                    const char *nonce, apr_dbd_row_t **row)
{
    const char *keep = apr_itoa(st->pool, DIGEST_NONCES_KEPT - 1);
    const char *args[] = { username, domain, nonce, keep };
    return store_select_row(st, "accounts_digest_challenge", row, 4, args);
}

store_status store_digest_advance(store *st, const char *username, const char *domain,
                                  const char *nonce, long long nc, long max_age_minutes,
                                  apr_dbd_row_t **row, int *advanced)
{
    const char *age = apr_ltoa(st->pool, max_age_minutes);
    const char *ncs = apr_psprintf(st->pool, "%" APR_INT64_T_FMT, (apr_int64_t)nc);
    const char *args[] = { username, domain, ncs, nonce, ncs, age, age };
    store_status s = store_select_row(st, "accounts_digest_advance", row, 7, args);

    if (s == STORE_OK) {
        const char *flag = store_column(st, *row, DIGEST_COL_ADVANCED);
        *advanced = flag && flag[0] == 't';
    }
    return s;
}

store_status store_nonce_insert(store *st, const char *account_id, const char *nonce)
{
    const char *keep = apr_itoa(st->pool, DIGEST_NONCES_KEPT - 1);
    const char *args[] = { account_id, nonce, account_id, account_id, keep };
    return store_exec(st, "accounts_nonce_insert", NULL, 5, args);
}

store_status store_nonce_refused(store *st, const char *account_id, const char *nonce,
                                 long long nc, long max_age_minutes, nonce_state *state)
{
    const char *age = apr_ltoa(st->pool, max_age_minutes);
    const char *find[] = { account_id, nonce, age, age };
    const char *del[] = { account_id, nonce };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_nonce_find", &row, 4, find);

    if (s == STORE_ERROR) {
        return s;
    }
    if (s == STORE_NOT_FOUND) {
        *state = NONCE_UNKNOWN;
        return STORE_OK;
    }
    if (nc < 0) {
        *state = NONCE_ADVANCED;
        return STORE_OK;
    }
    *state = NONCE_REPLAYED;
    return store_exec(st, "accounts_nonce_delete", NULL, 2, del);
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
    *result = s == STORE_NOT_FOUND ? AUTH_TOKEN_NOT_FOUND : AUTH_TOKEN_NOT_ATTACHED;
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

store_status store_passwords_of(store *st, const char *account_id, apr_dbd_results_t **res)
{
    const char *args[] = { account_id };
    return store_select(st, "accounts_passwords_of", res, 1, args);
}

store_status store_account_by_id(store *st, const char *id, apr_dbd_row_t **row)
{
    const char *args[] = { id };
    return store_select_row(st, "accounts_account_by_id", row, 1, args);
}

store_status store_space_count(store *st, const char *domain, long *count)
{
    const char *args[] = { domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_space_count", &row, 1, args);

    *count = s == STORE_OK ? atol(store_column(st, row, 0)) : 0;
    return s == STORE_NOT_FOUND ? STORE_OK : s;
}

static int true_column(store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v && v[0] == 't';
}

store_status store_field_lookups(store *st, const char *domain, const char *ignore_id,
                                 const char *username, const char *email, const char *phone,
                                 field_lookups *out)
{
    const char *ig = ignore_id ? ignore_id : "0";
    const char *args[] = { domain, ig, username, domain, username, domain, ig, email,
                           domain, ig, phone, domain, ig, phone };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_field_lookups", &row, 14, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    out->username_taken = true_column(st, row, 0);
    out->username_tombstoned = true_column(st, row, 1);
    out->email_taken = true_column(st, row, 2);
    out->phone_taken = true_column(st, row, 3);
    out->phone_is_username = true_column(st, row, 4);
    return STORE_OK;
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
    state->used = state->exists && true_column(st, row, 0);
    state->live = state->exists && true_column(st, row, 1);
    return STORE_OK;
}

store_status store_account_create(store *st, const store_new_account *a,
                                  create_result *result, const char **id,
                                  const char **created_at)
{
    const char *args[] = {
        a->domain, a->username, apr_ltoa(st->pool, a->max_accounts),
        a->token_hash, apr_ltoa(st->pool, a->token_expiry_minutes),
        a->email, a->display_name, a->phone, a->dtmf_protocol,
        a->activated ? "true" : "false", a->admin ? "true" : "false",
        a->ip_address, a->user_agent, a->algorithm, a->password_hash, a->dictionary_json,
        a->provisioning_token, a->request_ip, a->request_user_agent
    };
    apr_dbd_row_t *row;
    const char *status;
    store_status s = store_select_row(st, "accounts_account_create", &row, 19, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    status = store_column(st, row, 0);
    *result = strcmp(status, "ok") == 0 ? CREATE_OK
            : strcmp(status, "full") == 0 ? CREATE_FULL
            : strcmp(status, "token") == 0 ? CREATE_TOKEN_REFUSED
            : CREATE_USERNAME_TAKEN;
    if (*result == CREATE_OK) {
        *id = apr_pstrdup(st->pool, store_column(st, row, 1));
        *created_at = apr_pstrdup(st->pool, store_column(st, row, 2));
    }
    return STORE_OK;
}

store_status store_account_activated_by_sip(store *st, const char *username,
                                            const char *domain, int *activated)
{
    const char *args[] = { username, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_account_activated_by_sip", &row, 2, args);

    if (s == STORE_OK) {
        *activated = true_column(st, row, 0);
    }
    return s;
}

store_status store_account_delete(store *st, const char *id, const char *domain, int *deleted)
{
    const char *args[] = { id, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_account_delete", &row, 2, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    *deleted = atoi(store_column(st, row, 0)) > 0;
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

store_status store_account_in_space(store *st, const char *id, const char *domain,
                                    apr_dbd_row_t **row)
{
    const char *args[] = { id, domain };
    return store_select_row(st, "accounts_account_in_space", row, 2, args);
}

store_status store_account_by_username(store *st, const char *username, const char *domain,
                                       apr_dbd_row_t **row)
{
    const char *args[] = { username, domain };
    return store_select_row(st, "accounts_account_by_username", row, 2, args);
}

store_status store_account_by_email(store *st, const char *domain, const char *email,
                                    apr_dbd_row_t **row)
{
    const char *args[] = { domain, email };
    return store_select_row(st, "accounts_account_by_email", row, 2, args);
}

store_status store_accounts_page_extras(store *st, const char *ids, apr_dbd_results_t **res)
{
    const char *args[] = { ids };
    return store_select(st, "accounts_page_extras", res, 1, args);
}

store_status store_accounts_page(store *st, const char *domain, long long offset, int limit,
                                 apr_dbd_results_t **res)
{
    const char *args[] = { domain, domain,
                           apr_psprintf(st->pool, "%" APR_INT64_T_FMT, (apr_int64_t)offset),
                           apr_itoa(st->pool, limit) };
    return store_select(st, "accounts_page", res, 4, args);
}

store_status store_account_head(store *st, const char *id, const char **username,
                                const char **domain)
{
    const char *args[] = { id };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_account_head", &row, 1, args);

    if (s == STORE_OK) {
        *username = apr_pstrdup(st->pool, store_column(st, row, 0));
        *domain = apr_pstrdup(st->pool, store_column(st, row, 1));
    }
    return s;
}

store_status store_account_set_flag(store *st, account_flag flag, int value, const char *id,
                                    const char *domain)
{
    const char *args[] = { value ? "true" : "false", id, domain };
    apr_dbd_row_t *row;
    return store_select_row(st, flag == ACCOUNT_FLAG_ACTIVATED ? "accounts_set_activated"
                                                               : "accounts_set_blocked",
                            &row, 3, args);
}

static const char *optional_bool(int value)
{
    return value < 0 ? NULL : value ? "true" : "false";
}

store_status store_account_update(store *st, const store_account_update_t *u,
                                  update_result *result)
{
    const char *args[] = {
        u->id, u->scope_domain, u->domain, apr_ltoa(st->pool, u->max_accounts),
        u->username, u->email, u->display_name, u->phone, u->dtmf_protocol,
        u->admin ? "true" : "false", optional_bool(u->activated), optional_bool(u->blocked),
        u->user_agent, u->algorithm, u->password_hash, u->dictionary_json
    };
    apr_dbd_row_t *row;
    const char *status;
    store_status s = store_select_row(st, "accounts_account_update", &row, 16, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    status = store_column(st, row, 0);
    *result = strcmp(status, "ok") == 0 ? UPDATE_OK
            : strcmp(status, "not_found") == 0 ? UPDATE_NOT_FOUND
            : strcmp(status, "full") == 0 ? UPDATE_FULL
            : UPDATE_USERNAME_TAKEN;
    return STORE_OK;
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
        info->current = true_column(st, row, 4);
    }
    return s;
}

store_status store_provisioning_token_consume(store *st, const char *token_id)
{
    const char *args[] = { token_id };
    apr_dbd_row_t *row;
    return store_select_row(st, "accounts_provisioning_token_consume", &row, 1, args);
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
        info->used = true_column(st, row, 1);
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
