/* Contact relations between accounts (api-lifecycle.md 7.4, sql/0015):
 * an admin's view of an account's contacts in the request's domain, and a
 * user's view of its own contacts (any domain).
 *
 * The admin statements find the account and act on its contacts in one
 * statement (one snapshot), and only see contacts of the account's own
 * domain, the request's: a contact moved into another Space by a super
 * admin is another Space's data. The add locks both accounts (FOR KEY
 * SHARE, the lock of the foreign key checks) in the statement that finds
 * them: an account deleted meanwhile is then either waited for or skipped
 * (404), never a failed foreign key check (a 503). */
#include "internal.h"
#include "sql.h"

#include <stdlib.h>

/* The contacts of the account "o", as rows "a" of accounts. */
#define OWNER_CONTACTS(extra) \
    " FROM accounts o LEFT JOIN LATERAL (SELECT a.* FROM account_contacts c" \
    "   JOIN accounts a ON a.id = c.contact_id" \
    "   WHERE c.account_id = o.id AND a.domain = o.domain" extra ") a ON true"

/* The Contact variant's rows: the Account columns (ACCOUNT_COL_*) with the
 * sub-objects it does not show left empty, and the types and actions it
 * shows (api-lifecycle.md 7.2, 7.3), read as ACCOUNT_SELECT reads them. */
#define CONTACT_SELECT "SELECT " ACCOUNT_ROW_COLUMNS ", NULL::text, NULL::bigint," \
    " '[]'::json, '{}'::json, NULL::json, NULL::json," \
    " CASE WHEN a.has_extras THEN " TYPES_ARRAY("a.id") " END," \
    " CASE WHEN a.has_extras AND a.dtmf_protocol IS NOT NULL THEN " ACTIONS_ARRAY("a.id") " END"

const store_statement store_contacts_statements[] = {
    /* Admin variant rows ordered by id; one row of NULLs when the account
     * has no contact; no row without the account. */
    { "accounts_contacts_of",
      ACCOUNT_SELECT OWNER_CONTACTS("") ACCOUNT_LATERAL
      " WHERE o.id = %s::bigint AND o.domain = %s ORDER BY a.id" },
    /* The same for one contact (the first %s). */
    { "accounts_contact_of",
      ACCOUNT_SELECT OWNER_CONTACTS(" AND a.id = %s::bigint") ACCOUNT_LATERAL
      " WHERE o.id = %s::bigint AND o.domain = %s" },
    /* (accounts found, contacts found, relations added): idempotent, the
     * primary key decides between concurrent adds of one pair. */
    { "accounts_contact_add",
      "WITH o AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s FOR KEY SHARE),"
      " k AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s FOR KEY SHARE),"
      " added AS (INSERT INTO account_contacts (account_id, contact_id) SELECT o.id, k.id FROM o, k"
      "   ON CONFLICT (account_id, contact_id) DO NOTHING RETURNING 1)"
      " SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM k), (SELECT count(*) FROM added)" },
    /* (accounts found, relations deleted). */
    { "accounts_contact_remove",
      "WITH o AS (SELECT id, domain FROM accounts WHERE id = %s::bigint AND domain = %s),"
      " gone AS (DELETE FROM account_contacts r USING o, accounts a"
      "   WHERE r.account_id = o.id AND r.contact_id = %s::bigint"
      "     AND a.id = r.contact_id AND a.domain = o.domain RETURNING 1)"
      " SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM gone)" },
    /* A user's own contacts, whatever their domain, ordered by id. */
    { "accounts_my_contacts",
      CONTACT_SELECT " FROM account_contacts c JOIN accounts a ON a.id = c.contact_id"
      " WHERE c.account_id = %s::bigint ORDER BY a.id" },
    { "accounts_my_contact_by_sip",
      CONTACT_SELECT " FROM account_contacts c JOIN accounts a ON a.id = c.contact_id"
      " WHERE c.account_id = %s::bigint AND a.username = %s AND a.domain = lower(%s)" },
};
const int store_contacts_statement_count =
    sizeof(store_contacts_statements) / sizeof(store_contacts_statements[0]);

store_status store_contacts_of(store *st, const char *id, const char *domain,
                               apr_dbd_results_t **res)
{
    const char *args[] = { id, domain };
    store_status s = store_select(st, "accounts_contacts_of", res, 2, args);

    if (s == STORE_OK && apr_dbd_num_tuples(st->driver, *res) == 0) {
        return STORE_NOT_FOUND;
    }
    return s;
}

store_status store_contact_of(store *st, const char *id, const char *domain,
                              const char *contact_id, apr_dbd_row_t **row)
{
    const char *args[] = { contact_id, id, domain };
    return store_select_row(st, "accounts_contact_of", row, 3, args);
}

/* Column col of the first row as a count. */
static long long count_column(store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v ? atoll(v) : 0;
}

store_status store_contact_add(store *st, const char *id, const char *domain,
                               const char *contact_id, contact_change *result)
{
    const char *args[] = { id, domain, contact_id, domain };
    apr_dbd_row_t *row = NULL;

    if (store_select_row(st, "accounts_contact_add", &row, 4, args) != STORE_OK) {
        return STORE_ERROR;
    }
    *result = count_column(st, row, 0) == 0 ? CONTACT_NO_ACCOUNT
            : count_column(st, row, 1) == 0 ? CONTACT_NO_CONTACT
            : CONTACT_DONE;
    return STORE_OK;
}

store_status store_contact_remove(store *st, const char *id, const char *domain,
                                  const char *contact_id, contact_change *result)
{
    const char *args[] = { id, domain, contact_id };
    apr_dbd_row_t *row = NULL;

    if (store_select_row(st, "accounts_contact_remove", &row, 3, args) != STORE_OK) {
        return STORE_ERROR;
    }
    *result = count_column(st, row, 0) == 0 ? CONTACT_NO_ACCOUNT
            : count_column(st, row, 1) == 0 ? CONTACT_NO_CONTACT
            : CONTACT_DONE;
    return STORE_OK;
}

store_status store_my_contacts(store *st, const char *account_id, apr_dbd_results_t **res)
{
    const char *args[] = { account_id };
    return store_select(st, "accounts_my_contacts", res, 1, args);
}

store_status store_my_contact_by_sip(store *st, const char *account_id, const char *username,
                                     const char *domain, apr_dbd_row_t **row)
{
    const char *args[] = { account_id, username, domain };
    return store_select_row(st, "accounts_my_contact_by_sip", row, 3, args);
}
