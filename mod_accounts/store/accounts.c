/* Accounts: lookups, creation, update, deletion, flags, passwords and the
 * listing (api.md 5.10 to 5.19). */
#include "internal.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

/* The ids of a listing's page (accounts_page, accounts_page_extras): an
 * array, so that each table is read by one index scan over them. */
#define PAGE_IDS "ANY((SELECT ids FROM page)::bigint[])"

/* The newest unconsumed change code of each account of the page. */
#define PAGE_CHANGE_CODES(table, field, alias) \
    " LEFT JOIN (SELECT DISTINCT ON (c.account_id) c.account_id, " CHANGE_CODE_OBJECT(field) " AS j" \
    "   FROM " table " c WHERE c.account_id = " PAGE_IDS " AND NOT c.consumed" \
    "   ORDER BY c.account_id, c.id DESC) " alias " ON " alias ".account_id = a.id"

const store_statement store_accounts_statements[] = {
    { "accounts_account_id_by_sip",
      "SELECT id FROM accounts WHERE username = %s AND domain = lower(%s)" },
    { "accounts_tombstone_exists",
      "SELECT 1 FROM account_tombstones WHERE username = %s AND domain = lower(%s)" },
    { "accounts_account_upsert_admin",
      "INSERT INTO accounts (username, domain, activated, admin, ip_address, user_agent)"
      " VALUES (%s, lower(%s), true, true, '127.0.0.1', 'accountsctl')"
      " ON CONFLICT (username, domain) DO UPDATE"
      " SET admin = true, activated = true, updated_at = now() RETURNING id" },
    /* Also revokes the account's user keys but the one given (sql/0008). */
    { "accounts_password_set",
      "SELECT accounts_set_password(%s::bigint, %s, %s, %s::boolean, %s::bigint)" },
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
    { "accounts_account_create",
      "SELECT status, account_id, created_epoch FROM accounts_create(%s, %s, %s::integer, %s, %s::integer,"
      " %s, %s, %s, %s, %s::boolean, %s::boolean, %s, %s, %s, %s, %s::json, %s, %s, %s, %s::boolean)" },
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
      " SELECT a.id, coalesce(d.j, '{}'), e.j, ph.j, ty.j, ac.j FROM unnest((SELECT ids FROM page)) AS a(id)"
      " LEFT JOIN (SELECT d.account_id, " DICTIONARY_OBJECT " AS j FROM account_dictionary_entries d"
      "   WHERE d.account_id = " PAGE_IDS " GROUP BY d.account_id) d ON d.account_id = a.id"
      PAGE_CHANGE_CODES("email_change_codes", "email", "e")
      PAGE_CHANGE_CODES("phone_change_codes", "phone", "ph")
      " LEFT JOIN (SELECT l.account_id, json_agg(json_build_object('id', t.id, 'key', t.key) ORDER BY t.id) AS j"
      "   FROM account_type_links l JOIN account_types t ON t.id = l.type_id"
      "   WHERE l.account_id = " PAGE_IDS " GROUP BY l.account_id) ty ON ty.account_id = a.id"
      " LEFT JOIN (SELECT x.account_id, json_agg(" ACTION_OBJECT " ORDER BY x.id) AS j"
      "   FROM account_actions x WHERE x.account_id = " PAGE_IDS
      "   GROUP BY x.account_id) ac ON ac.account_id = a.id" },
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
      " %s::boolean, %s::boolean, %s, %s, %s, %s::json, %s::boolean, %s::bigint)" },
};
const int store_accounts_statement_count =
    sizeof(store_accounts_statements) / sizeof(store_accounts_statements[0]);

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
                                const char *hash, int activate, const char *keep_key_id)
{
    const char *args[] = { account_id, algorithm, hash, activate ? "true" : "false", keep_key_id };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_password_set", &row, 5, args);
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
    out->username_taken = store_column_true(st, row, 0);
    out->username_tombstoned = store_column_true(st, row, 1);
    out->email_taken = store_column_true(st, row, 2);
    out->phone_taken = store_column_true(st, row, 3);
    out->phone_is_username = store_column_true(st, row, 4);
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
        a->provisioning_token, a->request_ip, a->request_user_agent,
        a->email_unique ? "true" : "false"
    };
    apr_dbd_row_t *row;
    const char *status;
    store_status s = store_select_row(st, "accounts_account_create", &row, 20, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    status = store_column(st, row, 0);
    *result = strcmp(status, "ok") == 0 ? CREATE_OK
            : strcmp(status, "full") == 0 ? CREATE_FULL
            : strcmp(status, "token") == 0 ? CREATE_TOKEN_REFUSED
            : strcmp(status, "email_taken") == 0 ? CREATE_EMAIL_TAKEN
            : strcmp(status, "phone_taken") == 0 ? CREATE_PHONE_TAKEN
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
        *activated = store_column_true(st, row, 0);
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

store_status store_accounts_page(store *st, const char *domain, long long offset, int limit,
                                 apr_dbd_results_t **res)
{
    const char *args[] = { domain, domain,
                           apr_psprintf(st->pool, "%" APR_INT64_T_FMT, (apr_int64_t)offset),
                           apr_itoa(st->pool, limit) };
    return store_select(st, "accounts_page", res, 4, args);
}

store_status store_accounts_page_extras(store *st, const char *ids, apr_dbd_results_t **res)
{
    const char *args[] = { ids };
    return store_select(st, "accounts_page_extras", res, 1, args);
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
        u->user_agent, u->algorithm, u->password_hash, u->dictionary_json,
        u->email_unique ? "true" : "false", u->keep_key_id
    };
    apr_dbd_row_t *row;
    const char *status;
    store_status s = store_select_row(st, "accounts_account_update", &row, 18, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    status = store_column(st, row, 0);
    *result = strcmp(status, "ok") == 0 ? UPDATE_OK
            : strcmp(status, "not_found") == 0 ? UPDATE_NOT_FOUND
            : strcmp(status, "full") == 0 ? UPDATE_FULL
            : strcmp(status, "email_taken") == 0 ? UPDATE_EMAIL_TAKEN
            : strcmp(status, "phone_taken") == 0 ? UPDATE_PHONE_TAKEN
            : UPDATE_USERNAME_TAKEN;
    return STORE_OK;
}
