/* Account recovery (api-lifecycle.md 6): the recovery token's lookup for
 * the phone page, and the functions of sql/0014 that make a recovery code
 * (claiming the token first) and confirm it. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

const store_statement store_recovery_statements[] = {
    /* 6.1: an unused token of this Space, and whether it is still live. */
    { "accounts_recovery_token_state",
      "SELECT (%s::integer = 0 OR now() <= created_at + make_interval(mins => %s::integer))"
      " FROM account_recovery_tokens WHERE token_hash = %s AND domain = %s AND NOT used" },
    { "accounts_recovery_send",
      "SELECT outcome, account_id, code_id, token_id, target FROM account_recovery_send("
      "%s, %s, %s::integer, %s, %s, %s, %s::boolean, %s::integer, %s::integer, %s, %s, %s, %s)" },
    { "accounts_recovery_undo",
      "SELECT account_recovery_undo(%s::bigint, %s::bigint)" },
    { "accounts_recovery_confirm",
      "SELECT outcome, code_attempts, account_id, email FROM account_recovery_confirm("
      "%s, %s, %s, %s::integer)" },
};
const int store_recovery_statement_count =
    sizeof(store_recovery_statements) / sizeof(store_recovery_statements[0]);

store_status store_recovery_token_state(store *st, const char *token_hash, const char *domain,
                                        long expiry_minutes, int *live)
{
    const char *exp = apr_ltoa(st->pool, expiry_minutes);
    const char *args[] = { exp, exp, token_hash, domain };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_recovery_token_state", &row, 4, args);

    if (s == STORE_OK) {
        *live = store_column_true(st, row, 0);
    }
    return s;
}

static const char *copy(store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v ? apr_pstrdup(st->pool, v) : NULL;
}

store_status store_recovery_send(store *st, const recovery_send_args *in, recovery_sent *out)
{
    const char *args[] = { in->domain, in->token_hash, apr_ltoa(st->pool, in->token_expiry),
                           in->email, in->username, in->phone,
                           in->email_unique ? "true" : "false",
                           apr_ltoa(st->pool, in->blocking_events),
                           apr_ltoa(st->pool, in->blocking_period), in->code, in->handle_hash,
                           in->ip, in->user_agent };
    apr_dbd_row_t *row;
    const char *outcome;

    memset(out, 0, sizeof(*out));
    if (store_select_row(st, "accounts_recovery_send", &row, 13, args) != STORE_OK
        || !(outcome = store_column(st, row, 0))) {
        return STORE_ERROR;
    }
    out->result = strcmp(outcome, "created") == 0   ? RECOVERY_CREATED
                  : strcmp(outcome, "none") == 0    ? RECOVERY_NO_ACCOUNT
                  : strcmp(outcome, "recent") == 0  ? RECOVERY_RECENT
                  : strcmp(outcome, "blocked") == 0 ? RECOVERY_BLOCKED
                                                    : RECOVERY_BAD_TOKEN;
    out->account_id = copy(st, row, 1);
    out->code_id = copy(st, row, 2);
    out->token_id = copy(st, row, 3);
    out->target = copy(st, row, 4);
    return STORE_OK;
}

store_status store_recovery_undo(store *st, const char *code_id, const char *token_id)
{
    const char *args[] = { code_id, token_id };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_recovery_undo", &row, 2, args);
    return s == STORE_ERROR ? s : STORE_OK;
}

store_status store_recovery_confirm(store *st, const char *domain, const char *handle_hash,
                                    const char *code, long expiry_minutes,
                                    recovery_confirmed *out)
{
    const char *args[] = { domain, handle_hash, code, apr_ltoa(st->pool, expiry_minutes) };
    apr_dbd_row_t *row;
    const char *outcome, *n;

    memset(out, 0, sizeof(*out));
    if (store_select_row(st, "accounts_recovery_confirm", &row, 4, args) != STORE_OK
        || !(outcome = store_column(st, row, 0))) {
        return STORE_ERROR;
    }
    out->result = strcmp(outcome, "done") == 0      ? RECOVERY_CODE_DONE
                  : strcmp(outcome, "wrong") == 0   ? RECOVERY_CODE_WRONG
                  : strcmp(outcome, "expired") == 0 ? RECOVERY_CODE_EXPIRED
                                                    : RECOVERY_CODE_UNKNOWN;
    n = store_column(st, row, 1);
    out->attempts = n ? atoi(n) : 0;
    out->account_id = copy(st, row, 2);
    out->email = copy(st, row, 3);
    return STORE_OK;
}
