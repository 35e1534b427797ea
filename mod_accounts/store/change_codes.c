/* Email and phone change codes (api-lifecycle.md 4, 5): the checks before a
 * code is made (blocking service, validated account), the code itself, and
 * its confirmation by the functions of sql/0013. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

const store_statement store_change_codes_statements[] = {
    /* The blocking service (4.3, sql/0011: it blocks the account when it
     * answers true) and whether the account has a consumed creation token
     * (4.1 step 2), in one round trip. */
    { "accounts_change_code_gate",
      "SELECT account_codes_block_if_flooding(%s::bigint, %s::integer, %s::integer),"
      " EXISTS (SELECT 1 FROM account_creation_tokens t WHERE t.account_id = %s::bigint AND t.used)" },
    { "accounts_email_change_code_insert",
      "INSERT INTO email_change_codes (account_id, email, code, ip, user_agent)"
      " VALUES (%s::bigint, %s, %s, %s, %s) RETURNING id" },
    { "accounts_phone_change_code_insert",
      "INSERT INTO phone_change_codes (account_id, phone, code, ip, user_agent)"
      " VALUES (%s::bigint, %s, %s, %s, %s) RETURNING id" },
    /* A code that could not be delivered is not kept (4.1 step 5). */
    { "accounts_email_change_code_delete",
      "DELETE FROM email_change_codes WHERE id = %s::bigint" },
    { "accounts_phone_change_code_delete",
      "DELETE FROM phone_change_codes WHERE id = %s::bigint" },
    { "accounts_email_change_confirm",
      "SELECT outcome, code_attempts FROM account_email_change_confirm(%s::bigint, %s, %s::integer,"
      " %s::boolean)" },
    { "accounts_phone_change_confirm",
      "SELECT outcome, code_attempts FROM account_phone_change_confirm(%s::bigint, %s, %s::integer)" },
};
const int store_change_codes_statement_count =
    sizeof(store_change_codes_statements) / sizeof(store_change_codes_statements[0]);

store_status store_change_code_gate(store *st, const char *account_id, long events,
                                    long period_minutes, int *blocked, int *validated)
{
    const char *args[] = { account_id, apr_ltoa(st->pool, events),
                           apr_ltoa(st->pool, period_minutes), account_id };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_change_code_gate", &row, 4, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    *blocked = store_column_true(st, row, 0);
    *validated = store_column_true(st, row, 1);
    return STORE_OK;
}

store_status store_change_code_insert(store *st, change_code_kind kind, const char *account_id,
                                      const char *target, const char *code, const char *ip,
                                      const char *user_agent, const char **code_id)
{
    const char *args[] = { account_id, target, code, ip, user_agent };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, kind == CHANGE_CODE_EMAIL
                                              ? "accounts_email_change_code_insert"
                                              : "accounts_phone_change_code_insert",
                                      &row, 5, args);

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    *code_id = apr_pstrdup(st->pool, store_column(st, row, 0));
    return STORE_OK;
}

store_status store_change_code_delete(store *st, change_code_kind kind, const char *code_id)
{
    const char *args[] = { code_id };
    return store_exec(st, kind == CHANGE_CODE_EMAIL ? "accounts_email_change_code_delete"
                                                    : "accounts_phone_change_code_delete",
                      NULL, 1, args);
}

store_status store_change_code_confirm(store *st, change_code_kind kind, const char *account_id,
                                       const char *code, long expiry_minutes, int email_unique,
                                       change_code_result *result, int *attempts)
{
    const char *args[] = { account_id, code, apr_ltoa(st->pool, expiry_minutes),
                           email_unique ? "true" : "false" };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, kind == CHANGE_CODE_EMAIL
                                              ? "accounts_email_change_confirm"
                                              : "accounts_phone_change_confirm",
                                      &row, kind == CHANGE_CODE_EMAIL ? 4 : 3, args);
    const char *outcome, *n;

    if (s != STORE_OK) {
        return STORE_ERROR;
    }
    outcome = store_column(st, row, 0);
    n = store_column(st, row, 1);
    *attempts = n ? atoi(n) : 0;
    if (!outcome) {
        return STORE_ERROR;
    }
    *result = strcmp(outcome, "done") == 0      ? CHANGE_CODE_DONE
              : strcmp(outcome, "wrong") == 0   ? CHANGE_CODE_WRONG
              : strcmp(outcome, "expired") == 0 ? CHANGE_CODE_EXPIRED
              : strcmp(outcome, "taken") == 0   ? CHANGE_CODE_TAKEN
                                                : CHANGE_CODE_NONE;
    return STORE_OK;
}
