/* The Spaces' rows: what a SIP server needs of a Space (its digest realm,
 * read through the credential views of sql/0010), written from httpd.conf
 * by every httpd child at start. */
#include "internal.h"

const store_statement store_spaces_statements[] = {
    /* Idempotent: children of one generation all write the same values. */
    { "accounts_space_realm_write",
      "INSERT INTO spaces (domain, realm, updated_at) VALUES (%s, %s, now())"
      " ON CONFLICT (domain) DO UPDATE SET realm = excluded.realm, updated_at = now()"
      " WHERE spaces.realm IS DISTINCT FROM excluded.realm" },
};
const int store_spaces_statement_count =
    sizeof(store_spaces_statements) / sizeof(store_spaces_statements[0]);

store_status store_space_realm_write(store *st, const char *domain, const char *realm)
{
    const char *args[] = { domain, realm };
    return store_exec(st, "accounts_space_realm_write", NULL, 2, args);
}
