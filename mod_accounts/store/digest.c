/* Digest authentication: the account a From header names, and the nonces
 * that have been used (api.md 2.3). Nonces themselves are stateless
 * (digest.h): issuing one writes nothing; the first authenticated request
 * with a nonce stores it with its nc, and later ones must send a higher nc. */
#include "internal.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

const store_statement store_digest_statements[] = {
    /* The account, its passwords with their hashes, the database's clock
     * (nonces are minted and aged by it, so every node agrees), the
     * highest nc recorded for the nonce the request names ("" when none),
     * and the epoch (sql/0009: nonces minted before it are unknown; NULL
     * when the table was emptied by a crash). */
    { "accounts_digest_subject",
      ACCOUNT_SELECT ", (SELECT coalesce(json_agg(json_build_array(p.algorithm, p.password)"
      "   ORDER BY p.id), '[]') FROM passwords p WHERE p.account_id = a.id),"
      " (extract(epoch FROM now()) * 1000000)::bigint,"
      " (SELECT n.nc FROM digest_nonces n WHERE n.nonce = %s AND n.account_id = a.id),"
      " (SELECT e.nc FROM digest_nonces e WHERE e.nonce = 'epoch')"
      ACCOUNT_FROM " WHERE a.username = %s AND a.domain = lower(%s)" },
    /* A new epoch once the table lost its rows (a crash empties an unlogged
     * table): from now on, only nonces minted from now on. Of concurrent
     * writers the first wins; each reads back the epoch that holds. The
     * epoch row keeps the time in nc (microseconds, as nonces do). */
    { "accounts_nonce_epoch_renew",
      "WITH fresh AS (INSERT INTO digest_nonces (account_id, nonce, nc, created_at)"
      "   VALUES (NULL, 'epoch', (extract(epoch FROM now()) * 1000000)::bigint, now())"
      "   ON CONFLICT (nonce) DO NOTHING RETURNING nc)"
      " SELECT coalesce((SELECT nc FROM fresh), (SELECT nc FROM digest_nonces WHERE nonce = 'epoch'))" },
    /* Records nc for the nonce if it grows: the unique nonce and its row
     * lock give racing requests with one nonce and nc exactly one winner.
     * created_at is the nonce's mint time, for purging. */
    { "accounts_nonce_advance",
      "INSERT INTO digest_nonces AS n (account_id, nonce, nc, created_at)"
      " VALUES (%s::bigint, %s, %s::bigint, to_timestamp(%s::bigint / 1000000.0))"
      " ON CONFLICT (nonce) DO UPDATE SET nc = excluded.nc"
      " WHERE n.account_id = excluded.account_id AND n.nc < excluded.nc RETURNING n.id" },
    /* A replayed nonce is refused from then on: its nc becomes the largest
     * there is, which no request can exceed (read back as unknown). */
    { "accounts_nonce_revoke",
      "INSERT INTO digest_nonces AS n (account_id, nonce, nc, created_at)"
      " VALUES (%s::bigint, %s, 9223372036854775807, to_timestamp(%s::bigint / 1000000.0))"
      " ON CONFLICT (nonce) DO UPDATE SET nc = excluded.nc"
      " WHERE n.account_id = excluded.account_id" },
};
const int store_digest_statement_count =
    sizeof(store_digest_statements) / sizeof(store_digest_statements[0]);

store_status store_digest_subject(store *st, const char *username, const char *domain,
                                  const char *nonce, apr_dbd_row_t **row)
{
    const char *args[] = { nonce ? nonce : "", username, domain };
    return store_select_row(st, "accounts_digest_subject", row, 3, args);
}

store_status store_nonce_epoch_renew(store *st, long long *epoch_us)
{
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_nonce_epoch_renew", &row, 0, NULL);
    const char *v = s == STORE_OK ? store_column(st, row, 0) : NULL;

    if (s != STORE_OK || !v) {
        return STORE_ERROR;
    }
    *epoch_us = strtoll(v, NULL, 10);
    return STORE_OK;
}

static const char *int64_text(apr_pool_t *p, long long v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)v);
}

store_status store_nonce_advance(store *st, const char *account_id, const char *nonce,
                                 long long nc, long long minted_us, int *advanced)
{
    const char *args[] = { account_id, nonce, int64_text(st->pool, nc),
                           int64_text(st->pool, minted_us) };
    apr_dbd_row_t *row;
    store_status s = store_select_row(st, "accounts_nonce_advance", &row, 4, args);

    *advanced = s == STORE_OK;
    return s == STORE_NOT_FOUND ? STORE_OK : s;
}

store_status store_nonce_revoke(store *st, const char *account_id, const char *nonce,
                                long long minted_us)
{
    const char *args[] = { account_id, nonce, int64_text(st->pool, minted_us) };
    return store_exec(st, "accounts_nonce_revoke", NULL, 3, args);
}
