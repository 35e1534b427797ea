/*
 * What the statement files of store/ share and nobody else needs: each
 * resource file's statement table (core.c lists them all, for mod_dbd and
 * for preparing on demand) and small column helpers.
 */
#ifndef ACCOUNTS_STORE_INTERNAL_H
#define ACCOUNTS_STORE_INTERNAL_H

#include "../store.h"

#define STORE_TABLE(name) \
    extern const store_statement store_##name##_statements[]; \
    extern const int store_##name##_statement_count;
STORE_TABLE(accounts)
STORE_TABLE(api_keys)
STORE_TABLE(digest)
STORE_TABLE(tokens)
STORE_TABLE(purge)
STORE_TABLE(spaces)
STORE_TABLE(devices)
STORE_TABLE(creation_requests)
STORE_TABLE(push_tokens)
STORE_TABLE(types)
STORE_TABLE(actions)
STORE_TABLE(dictionary)
STORE_TABLE(contacts)
STORE_TABLE(change_codes)
STORE_TABLE(recovery)
#undef STORE_TABLE

/* 1 when the column holds SQL true. */
int store_column_true(store *st, apr_dbd_row_t *row, int col);

#endif
