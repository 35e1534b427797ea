/*
 * The Linphone remote-provisioning document (api.md 6.4): sections of
 * entries rendered as lpconfig XML, every value escaped. Pure C.
 */
#ifndef ACCOUNTS_PROVISIONING_H
#define ACCOUNTS_PROVISIONING_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "space.h"

/* One stored password as the document needs it. */
typedef struct {
    const char *algorithm;   /* MD5, SHA-256 or CLRTXT */
    const char *value;       /* HA1 hex, or the clear text for CLRTXT */
} provisioning_password;

/* The account part of a document; NULL for GET /provisioning. */
typedef struct {
    const char *username;
    const char *domain;
    const char *display_name;             /* or NULL */
    const accounts_space *space;          /* its own Space, or NULL */
    const apr_array_header_t *passwords;  /* of provisioning_password, stored order */
} provisioning_account;

/* proxy_0's reg_identity, an RFC 3261 name-addr: <sip:username@domain>,
 * after the display name (if any) as a quoted-string, '"' and '\' escaped
 * as quoted-pairs and each control character but HTAB replaced by a
 * space; a display name of only blanks gives the bare address. */
const char *provisioning_reg_identity(apr_pool_t *p, const char *display_name,
                                      const char *username, const char *domain);

/* The XML document, built for request_space (custom sections, misc,
 * overwrite flag) and the account (ui, proxy_0, auth_info_N). */
const char *provisioning_document(apr_pool_t *p, const accounts_space *request_space,
                                  const provisioning_account *account);

#endif
