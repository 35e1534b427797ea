/* An account's dictionary entries, one by one (api-lifecycle.md 7.1): the
 * rows of account_dictionary_entries that the Account object shows as
 * "dictionary" and that POST /accounts and PUT /accounts/{id} set whole.
 *
 * Every statement finds the account in the request's domain and acts on
 * its entries in one statement, so "no such account" and the answer come
 * from one snapshot. The writes lock the account row (FOR KEY SHARE, the
 * lock the foreign key check takes anyway) before touching its entries: a
 * concurrent DELETE of the account then either waits for them or has
 * already removed the row, which the lock then skips (404), instead of
 * failing the insert's foreign key check (an error, a 503). */
#include "internal.h"

#include <stdlib.h>

#include <apr_strings.h>

#define DICTIONARY_ACCOUNT \
    "WITH o AS (SELECT id FROM accounts WHERE id = %s::bigint AND domain = %s FOR KEY SHARE)"

const store_statement store_dictionary_statements[] = {
    /* One row per entry in insertion order; one row of NULLs when there is
     * none; no row without the account. */
    { "accounts_dictionary_of",
      "SELECT d.key, d.value FROM accounts a"
      " LEFT JOIN account_dictionary_entries d ON d.account_id = a.id"
      " WHERE a.id = %s::bigint AND a.domain = %s ORDER BY d.id" },
    /* The value (NULL: no such key); no row without the account. */
    { "accounts_dictionary_entry",
      "SELECT d.value FROM accounts a"
      " LEFT JOIN account_dictionary_entries d ON d.account_id = a.id AND d.key = %s"
      " WHERE a.id = %s::bigint AND a.domain = %s" },
    /* Add or replace. A replaced entry takes the id the insert drew (its
     * default): FlexiAPI deletes and re-inserts, so the key moves to the
     * end of the insertion order. The unique (account, key) index decides
     * between concurrent writers of one key: the later one updates the row
     * the earlier one inserted (both answer 201, the last value stays). No
     * row without the account. */
    { "accounts_dictionary_set",
      DICTIONARY_ACCOUNT
      " INSERT INTO account_dictionary_entries (account_id, key, value)"
      " SELECT o.id, %s, %s FROM o"
      " ON CONFLICT (account_id, key) DO UPDATE SET id = excluded.id, value = excluded.value,"
      "   created_at = excluded.created_at, updated_at = excluded.updated_at"
      " RETURNING value" },
    /* (accounts found, entries deleted): one key, or all of them. */
    { "accounts_dictionary_delete",
      DICTIONARY_ACCOUNT ","
      " gone AS (DELETE FROM account_dictionary_entries d USING o"
      "   WHERE d.account_id = o.id AND d.key = %s RETURNING 1)"
      " SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM gone)" },
    { "accounts_dictionary_clear",
      DICTIONARY_ACCOUNT ","
      " gone AS (DELETE FROM account_dictionary_entries d USING o"
      "   WHERE d.account_id = o.id RETURNING 1)"
      " SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM gone)" },
};
const int store_dictionary_statement_count =
    sizeof(store_dictionary_statements) / sizeof(store_dictionary_statements[0]);

store_status store_dictionary_of(store *st, const char *id, const char *domain,
                                 apr_dbd_results_t **res)
{
    const char *args[] = { id, domain };
    store_status s = store_select(st, "accounts_dictionary_of", res, 2, args);

    if (s == STORE_OK && apr_dbd_num_tuples(st->driver, *res) == 0) {
        return STORE_NOT_FOUND;
    }
    return s;
}

store_status store_dictionary_entry(store *st, const char *id, const char *domain,
                                    const char *key, const char **value)
{
    const char *args[] = { key, id, domain };
    apr_dbd_row_t *row = NULL;
    store_status s = store_select_row(st, "accounts_dictionary_entry", &row, 3, args);

    *value = NULL;
    if (s == STORE_OK) {
        const char *v = store_column(st, row, 0);
        *value = v ? apr_pstrdup(st->pool, v) : NULL;
    }
    return s;
}

store_status store_dictionary_set(store *st, const char *id, const char *domain,
                                  const char *key, const char *value)
{
    const char *args[] = { id, domain, key, value };
    apr_dbd_row_t *row = NULL;
    return store_select_row(st, "accounts_dictionary_set", &row, 4, args);
}

/* (accounts, deleted) of the first row; STORE_NOT_FOUND when no account. */
static store_status deleted_entries(store *st, const char *label, int nargs, const char **args,
                                    long long *deleted)
{
    apr_dbd_row_t *row = NULL;
    store_status s = store_select_row(st, label, &row, nargs, args);

    *deleted = 0;
    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    if (atoll(store_column(st, row, 0)) == 0) {
        return STORE_NOT_FOUND;
    }
    *deleted = atoll(store_column(st, row, 1));
    return STORE_OK;
}

store_status store_dictionary_delete(store *st, const char *id, const char *domain,
                                     const char *key, long long *deleted)
{
    const char *args[] = { id, domain, key };
    return deleted_entries(st, "accounts_dictionary_delete", 3, args, deleted);
}

store_status store_dictionary_clear(store *st, const char *id, const char *domain,
                                    long long *deleted)
{
    const char *args[] = { id, domain };
    return deleted_entries(st, "accounts_dictionary_clear", 2, args, deleted);
}
