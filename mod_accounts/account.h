/*
 * The Account: a row of the accounts table with what hangs off it, and its
 * JSON shapes (api.md 3.1). No httpd header.
 */
#ifndef ACCOUNTS_ACCOUNT_H
#define ACCOUNTS_ACCOUNT_H

#include <apr_pools.h>

#include "json_writer.h"
#include "space.h"
#include "store.h"

typedef struct {
    const char *id;                 /* decimal text, as the database gives it */
    const char *username;
    const char *domain;
    const char *email;
    int activated;
    const char *ip_address;
    const char *user_agent;
    const char *created_at;         /* epoch seconds as text; NULL = SQL NULL */
    const char *updated_at;
    const char *display_name;
    const char *dtmf_protocol;
    int blocked;
    int admin;
    const char *phone;
    const char *provisioning_token; /* the current one (newest unused) */
    const char *provisioning_token_created_at;
    const char *passwords_json;     /* ["SHA-256", ...] */
    const char *dictionary_json;    /* {"key": "value", ...} in insertion order */
    const char *email_change_json;  /* object or NULL */
    const char *phone_change_json;
    const char *types_json;         /* [{"id": 1, "key": "door"}, ...] or NULL (none) */
    const char *actions_json;       /* [{"id", "key", "code"}, ...] or NULL (none) */
} account;

/* Which keys an endpoint shows (api.md 3.1 "variant"). */
typedef enum {
    ACCOUNT_VIEW_SELF,      /* no phone_change_code, no call_forwardings */
    ACCOUNT_VIEW_SEARCH,    /* no phone_change_code */
    ACCOUNT_VIEW_ADMIN,     /* no passwords, no call_forwardings */
    ACCOUNT_VIEW_UPDATED    /* no call_forwardings */
} account_view;

/* Reads the ACCOUNT_COL_* columns of a row (copied into p). */
void account_from_row(apr_pool_t *p, store *st, apr_dbd_row_t *row, account *out);

/* The Account just created from n (id and created_at as accounts_create
 * returned them): what a read of the new row would give, without the
 * read. No change code yet, the provisioning token minted with it. */
void account_from_new(apr_pool_t *p, const store_new_account *n, const char *id,
                      const char *created_at, account *out);

/* Room for a typical Account's text (a writer grows past it when needed). */
#define ACCOUNT_JSON_SIZE_HINT 1024

/* Writes the Account JSON object. space is the account's own Space (its
 * realm and provisioning-token expiry), NULL when its domain has no
 * configured Space. with_codes shows the change codes' "code". p takes the
 * few scratch strings (sip_uri). The only serialiser of Accounts: single
 * replies and listing pages alike. */
void account_write_json(json_writer *w, apr_pool_t *p, const account *a, account_view view,
                        int with_codes, const accounts_space *space);

/* hex(H(username ":" realm ":" password)): the stored form of a password. */
char *account_password_hash(apr_pool_t *p, const char *algorithm, const char *username,
                            const char *realm, const char *password);

#endif
