/*
 * Every SQL statement mod_accounts and accountsctl run, prepared once and
 * named by intent. Works on any apr_dbd connection: inside httpd the one
 * mod_dbd lends to the request (statements prepared by mod_dbd), in
 * accountsctl one it opens itself (statements prepared on first use).
 * No httpd header.
 */
#ifndef ACCOUNTS_STORE_H
#define ACCOUNTS_STORE_H

#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_pools.h>

#include "fields.h"

typedef enum {
    STORE_OK = 0,
    STORE_NOT_FOUND,   /* the query ran and matched nothing */
    STORE_ERROR        /* the database failed or is unreachable (logged) */
} store_status;

typedef void (*store_log_fn)(void *baton, const char *message);

typedef struct {
    apr_pool_t *pool;               /* the request's (results, temporaries) */
    apr_pool_t *conn_pool;          /* lives as long as the connection */
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_hash_t *prepared;     /* label -> apr_dbd_prepared_t * */
    store_log_fn log;         /* where database errors go (never the client) */
    void *log_baton;
    apr_dbd_transaction_t *txn;   /* open transaction, if any */
} store;

typedef struct {
    const char *label;
    const char *sql;          /* apr_dbd syntax: %s placeholders, %% for % */
} store_statement;

/* Every statement of store/ (mod_dbd prepares them all at startup). */
int store_statements_total(void);
const store_statement *store_statement_at(int i);

/* ---- low level ---------------------------------------------------------- */

/* Runs a prepared SELECT; the whole result is fetched (random access). */
store_status store_select(store *st, const char *label, apr_dbd_results_t **res,
                          int nargs, const char **args);

/* Runs a prepared statement without result rows. */
store_status store_exec(store *st, const char *label, int *nrows,
                        int nargs, const char **args);

/* Runs sql (one statement, its values already in it: numbers the database
 * gave, nothing a client sent) in a transaction committed with
 * synchronous_commit off: the caller does not wait for the WAL flush, and
 * a crash may lose it (up to three times wal_writer_delay). Only for
 * writes whose loss is harmless. Not inside store_begin/store_end. */
store_status store_exec_async_commit(store *st, const char *label, const char *sql);

/* One row's column, NULL for SQL NULL. */
const char *store_column(store *st, apr_dbd_row_t *row, int col);

/* The first row of a SELECT, or STORE_NOT_FOUND. */
store_status store_select_row(store *st, const char *label, apr_dbd_row_t **row,
                              int nargs, const char **args);

store_status store_begin(store *st);
/* Commits, or rolls back when failed is set or a statement failed. */
store_status store_end(store *st, int failed);

/* ---- named operations --------------------------------------------------- */

store_status store_ping(store *st);

/* Applies the session settings the statements are written for (generic
 * plans), once per database session: call it before the first statement
 * of a request. */
store_status store_session_ready(store *st);

/* Columns of an Account row, in this order, starting every account SELECT. */
enum {
    ACCOUNT_COL_ID, ACCOUNT_COL_USERNAME, ACCOUNT_COL_DOMAIN, ACCOUNT_COL_EMAIL,
    ACCOUNT_COL_ACTIVATED, ACCOUNT_COL_IP_ADDRESS, ACCOUNT_COL_USER_AGENT,
    ACCOUNT_COL_CREATED_AT, ACCOUNT_COL_UPDATED_AT, ACCOUNT_COL_DISPLAY_NAME,
    ACCOUNT_COL_DTMF_PROTOCOL, ACCOUNT_COL_BLOCKED, ACCOUNT_COL_ADMIN,
    ACCOUNT_COL_PHONE, ACCOUNT_COL_PROVISIONING_TOKEN,
    ACCOUNT_COL_PROVISIONING_TOKEN_CREATED_AT, ACCOUNT_COL_PASSWORDS,
    ACCOUNT_COL_DICTIONARY, ACCOUNT_COL_EMAIL_CHANGE, ACCOUNT_COL_PHONE_CHANGE,
    ACCOUNT_COL_TYPES, ACCOUNT_COL_ACTIONS,
    ACCOUNT_COLUMNS_COUNT
};

/* The account owning an API key (by the key's hash), followed by the key's
 * columns: see API_KEY_COL_*. Without details, the sub-object columns are
 * empty (no token, passwords, dictionary entries or change codes) and
 * nothing is read for them: for callers that are never shown. */
enum {
    API_KEY_COL_ID = ACCOUNT_COLUMNS_COUNT,
    API_KEY_COL_IP,
    API_KEY_COL_USER_KEY,
    API_KEY_COL_EXPIRY_MINUTES,
    API_KEY_COL_IDLE_SECONDS
};
store_status store_account_by_api_key(store *st, const char *key_hash, int with_details,
                                      apr_dbd_row_t **row);

/* ---- digest (store/digest.c) ---- */

/* The account with that username in that domain (any Space): its Account
 * columns, then its passwords with their hashes as JSON
 * [["MD5", "hex"], ...] in stored order, the database's clock in
 * microseconds since the epoch, the highest nc recorded for nonce by this
 * account (NULL: never used; DIGEST_NONCE_REVOKED: refused), and the time
 * before which no nonce is valid (NULL: lost in a crash, see
 * store_nonce_epoch_renew; sql/0009). */
enum {
    ACCOUNT_COL_DIGEST_PASSWORDS = ACCOUNT_COLUMNS_COUNT,
    DIGEST_COL_NOW_US,
    DIGEST_COL_NONCE_NC,
    DIGEST_COL_EPOCH_US
};
store_status store_digest_subject(store *st, const char *username, const char *domain,
                                  const char *nonce, apr_dbd_row_t **row);

/* A new epoch when the old one is gone (a crash emptied the nonce table,
 * and with it the record of the nonces used): *epoch_us, now or what a
 * concurrent request wrote first. */
store_status store_nonce_epoch_renew(store *st, long long *epoch_us);

/* The nc of a nonce seen replayed: higher than any a request can send. */
#define DIGEST_NONCE_REVOKED 9223372036854775807LL

/* Records nc as the nonce's highest (the first use stores the nonce, with
 * minted_us, its mint time, for purging); *advanced = 0 when a request had
 * already used that nc or a higher one (a replay, or a lost race). */
store_status store_nonce_advance(store *st, const char *account_id, const char *nonce,
                                 long long nc, long long minted_us, int *advanced);

/* Refuses the nonce from now on (a replay of it was seen). */
store_status store_nonce_revoke(store *st, const char *account_id, const char *nonce,
                                long long minted_us);

/* ---- API keys and auth tokens ---- */

/* Stores a new user key (bound to ip), deleting the account's other user keys. */
store_status store_user_api_key_replace(store *st, const char *account_id,
                                        const char *key_hash, const char *ip);

typedef enum {
    AUTH_TOKEN_DONE,             /* exchanged / attached */
    AUTH_TOKEN_NOT_FOUND,        /* unknown or older than its lifetime */
    AUTH_TOKEN_NOT_ATTACHED,     /* exchange: unattached, or another Space's account */
    AUTH_TOKEN_ALREADY_ATTACHED  /* attach: attached already */
} auth_token_result;

/* Exchanges an attached auth_token for a new user key of its account, in
 * one statement (single use). *account_domain: the account's domain. A
 * token of a blocked account is AUTH_TOKEN_NOT_FOUND, and kept. */
store_status store_auth_token_exchange(store *st, const char *token_hash,
                                       long lifetime_minutes, const char *space_domain,
                                       const char *key_hash, const char *ip,
                                       auth_token_result *result,
                                       const char **account_domain);

/* Inserts a token, purging those older than purge_after_minutes; the row:
 * id, created_at, updated_at. */
store_status store_auth_token_insert(store *st, long purge_after_minutes, const char *token_hash,
                                     const char *ip, const char *user_agent,
                                     apr_dbd_row_t **row);

store_status store_auth_token_attach(store *st, const char *account_id, const char *token_hash,
                                     long lifetime_minutes, auth_token_result *result);

/* A creation token bound to domain; *created_at: epoch seconds. */
store_status store_creation_token_mint(store *st, const char *token_hash, const char *domain,
                                       const char *ip, const char *user_agent,
                                       const char **created_at);

/* Records a use of the key (last_used_at = now, requests + 1). */
store_status store_api_key_touch(store *st, const char *key_id);

store_status store_api_key_insert(store *st, const char *account_id,
                                  const char *key_hash, int user_key,
                                  const char *ip, const char *expiry_minutes);

store_status store_account_id_by_sip(store *st, const char *username,
                                     const char *domain, const char **id);

store_status store_tombstone_exists(store *st, const char *username,
                                    const char *domain);

/* Creates an activated admin, or makes the existing account one. */
store_status store_account_upsert_admin(store *st, const char *username,
                                        const char *domain, const char **id);

/* Replaces every password of the account with one row (api.md 4.2),
 * sets activated when activate is non-zero, and revokes the account's
 * user API keys but keep_key_id (the key of the request, or NULL): one
 * transaction (sql/0008 accounts_set_password). Stable keys stay. */
store_status store_password_set(store *st, const char *account_id, const char *algorithm,
                                const char *hash, int activate, const char *keep_key_id);

/* The account's passwords: rows of (algorithm, stored hash or clear text). */
store_status store_passwords_of(store *st, const char *account_id, apr_dbd_results_t **res);

/* The Account row (ACCOUNT_COL_*) with that id. */
store_status store_account_by_id(store *st, const char *id, apr_dbd_row_t **row);

/* Accounts of a domain, from its counter row (0 when it has none). */
store_status store_space_count(store *st, const char *domain, long *count);

/* Fills what validation needs of the database (fields.h); ignore_id: the
 * account being updated, or NULL. NULL values match nothing. */
store_status store_field_lookups(store *st, const char *domain, const char *ignore_id,
                                 const char *username, const char *email, const char *phone,
                                 field_lookups *out);

typedef struct {
    int exists;   /* minted by this Space */
    int used;
    int live;     /* not expired */
} creation_token_state;
store_status store_creation_token_state(store *st, const char *token_hash, const char *domain,
                                        long expiry_minutes, creation_token_state *state);

/* A new account, all or nothing (sql/0008 accounts_create). NULL text
 * fields are stored as NULL. */
typedef struct {
    const char *domain;
    const char *username;
    long max_accounts;             /* 0: no limit */
    const char *token_hash;        /* creation token to redeem, or NULL */
    long token_expiry_minutes;
    const char *email, *display_name, *phone, *dtmf_protocol;
    int activated, admin;
    const char *ip_address, *user_agent;
    const char *algorithm, *password_hash;   /* NULL: no password */
    const char *dictionary_json;             /* JSON object text, or NULL */
    const char *provisioning_token, *request_ip, *request_user_agent;
    int email_unique;       /* the request Space's AccountsEmailUnique is On */
} store_new_account;

typedef enum {
    CREATE_OK,
    CREATE_FULL,             /* max_accounts reached */
    CREATE_TOKEN_REFUSED,    /* the creation token is unknown, used or expired */
    CREATE_USERNAME_TAKEN,   /* by an account or a tombstone */
    CREATE_EMAIL_TAKEN,      /* by a concurrent write (validation saw it free) */
    CREATE_PHONE_TAKEN       /* likewise */
} create_result;
/* On CREATE_OK: the new id and its stored creation time (epoch seconds,
 * also its updated_at and its provisioning token's created_at). */
store_status store_account_create(store *st, const store_new_account *a,
                                  create_result *result, const char **id,
                                  const char **created_at);

store_status store_account_activated_by_sip(store *st, const char *username,
                                            const char *domain, int *activated);

/* Deletes the account of that domain and tombstones its username;
 * *deleted = 0 when no such account. */
store_status store_account_delete(store *st, const char *id, const char *domain, int *deleted);

/* Mints the new current provisioning token of the account of that domain
 * (STORE_NOT_FOUND: no such account). */
store_status store_provisioning_token_new(store *st, const char *account_id, const char *domain,
                                          const char *token, const char *ip,
                                          const char *user_agent);

/* Account rows (ACCOUNT_COL_*) of one domain: by id, by username, by email
 * (the lowest id; case-insensitive). */
store_status store_account_in_space(store *st, const char *id, const char *domain,
                                    apr_dbd_row_t **row);
store_status store_account_by_username(store *st, const char *username, const char *domain,
                                       apr_dbd_row_t **row);
store_status store_account_by_email(store *st, const char *domain, const char *email,
                                    apr_dbd_row_t **row);
/* limit accounts of the Space from offset, ordered by id; each row also
 * holds the Space's total in column PAGE_COL_TOTAL, and in
 * PAGE_COL_HAS_EXTRAS whether the account may have dictionary entries or
 * change codes: the rows leave those out (an empty dictionary, no codes). */
enum { PAGE_COL_TOTAL = ACCOUNT_COLUMNS_COUNT, PAGE_COL_HAS_EXTRAS };
store_status store_accounts_page(store *st, const char *domain, long long offset, int limit,
                                 apr_dbd_results_t **res);
/* The dictionary, change codes, types and actions (as the ACCOUNT_COL_*
 * columns hold them; actions whatever the DTMF protocol) of the accounts
 * whose ids are listed in ids, a PostgreSQL array literal ("{1,2}"): one
 * row per id. */
enum {
    PAGE_EXTRAS_COL_ID, PAGE_EXTRAS_COL_DICTIONARY, PAGE_EXTRAS_COL_EMAIL_CHANGE,
    PAGE_EXTRAS_COL_PHONE_CHANGE, PAGE_EXTRAS_COL_TYPES, PAGE_EXTRAS_COL_ACTIONS
};
store_status store_accounts_page_extras(store *st, const char *ids, apr_dbd_results_t **res);

/* Username and domain of an account, whatever its Space. */
store_status store_account_head(store *st, const char *id, const char **username,
                                const char **domain);

typedef enum { ACCOUNT_FLAG_ACTIVATED, ACCOUNT_FLAG_BLOCKED } account_flag;
/* Sets activated or blocked of the account of that domain (STORE_NOT_FOUND: none). */
store_status store_account_set_flag(store *st, account_flag flag, int value, const char *id,
                                    const char *domain);

/* ---- provisioning (api.md 6.4) ---- */

typedef struct {
    const char *id, *account_id, *domain;
    long age_seconds;
    int current;          /* the account's newest unused token */
} provisioning_token_info;

/* An unused provisioning token (STORE_NOT_FOUND: unknown, used, or of a
 * blocked account). */
store_status store_provisioning_token_find(store *st, const char *token,
                                           provisioning_token_info *info);

/* Marks the token used and activates its account; STORE_NOT_FOUND when a
 * concurrent request used it first or the account is blocked now. */
store_status store_provisioning_token_consume(store *st, const char *token_id);

/* Deletes an attached auth_token younger than lifetime whose account is of
 * space_domain and not blocked; STORE_NOT_FOUND otherwise. */
store_status store_auth_token_take(store *st, const char *token_hash, long lifetime_minutes,
                                   const char *space_domain, const char **account_id);

/* ---- reset password (api.md 5.21, 6.5) ---- */

store_status store_reset_token_insert(store *st, const char *account_id, const char *token_hash,
                                      const char *email, const char *ip, const char *user_agent);

typedef struct {
    const char *id, *domain, *username;
    int used;
    long age_seconds;
} reset_token_info;
/* STORE_NOT_FOUND: unknown, or of a blocked account. */
store_status store_reset_token_find(store *st, const char *token_hash, reset_token_info *info);

/* Consumes the token, stores the password, revokes user keys (sql/0008);
 * *done = 0 when a concurrent request consumed it first, or the account
 * is blocked now. */
store_status store_reset_password(store *st, const char *token_id, const char *algorithm,
                                  const char *hash, int *done);

/* PUT /accounts/{id} (sql/0008 accounts_update). */
typedef struct {
    const char *id;
    const char *scope_domain;      /* NULL: any Space (super admins) */
    const char *domain;            /* the domain after the update */
    long max_accounts;             /* of that domain's Space, for a move */
    const char *username, *email, *display_name, *phone, *dtmf_protocol;
    int admin;
    int activated, blocked;        /* -1: unchanged */
    const char *user_agent, *algorithm, *password_hash;
    const char *dictionary_json;   /* NULL: unchanged */
    int email_unique;              /* the request Space's AccountsEmailUnique is On */
    const char *keep_key_id;       /* user key left when the password is stored, or NULL */
} store_account_update_t;

typedef enum {
    UPDATE_OK, UPDATE_NOT_FOUND, UPDATE_FULL, UPDATE_USERNAME_TAKEN,
    UPDATE_EMAIL_TAKEN, UPDATE_PHONE_TAKEN   /* by a concurrent write */
} update_result;
store_status store_account_update(store *st, const store_account_update_t *u,
                                  update_result *result);

/* ---- Spaces (store/spaces.c) ---- */

/* The Space's row with its digest realm (inserted, or updated if it
 * differs): what the credential views give SIP servers. */
store_status store_space_realm_write(store *st, const char *domain, const char *realm);

/* ---- devices (store/devices.c) ---- */

/* Devices of an account in the registrar table (AccountsRegistrarTable):
 * rows of DEVICE_COL_*, one per device, newest first. A table that is
 * missing or unreadable is STORE_ERROR (logged). */
enum { DEVICE_COL_UUID, DEVICE_COL_UPDATED_AT, DEVICE_COL_USER_AGENT };
store_status store_devices_of(store *st, const char *table, const char *username,
                              const char *domain, apr_dbd_results_t **res);
/* The same for the account with that id in that domain, STORE_NOT_FOUND
 * when there is none; an account without devices gives one row of NULLs. */
store_status store_devices_of_account(store *st, const char *table, const char *id,
                                      const char *domain, apr_dbd_results_t **res);
/* Deletes every registration of the device uuid of an account (by its
 * username and domain, or by id in a domain: STORE_NOT_FOUND without such
 * an account); *deleted is how many rows went. */
store_status store_device_delete(store *st, const char *table, const char *username,
                                 const char *domain, const char *uuid, long long *deleted);
store_status store_device_delete_of_account(store *st, const char *table, const char *id,
                                            const char *domain, const char *uuid,
                                            long long *deleted);

/* ---- account types (store/types.c) ---- */

/* Type rows are (id, key), TYPE_COL_*; every lookup is within one Space. */
enum { TYPE_COL_ID, TYPE_COL_KEY };
store_status store_types_of_space(store *st, const char *domain, apr_dbd_results_t **res);
store_status store_type_in_space(store *st, const char *id, const char *domain,
                                 apr_dbd_row_t **row);
/* STORE_NOT_FOUND: the Space already has a type with that key. */
store_status store_type_create(store *st, const char *domain, const char *key,
                               apr_dbd_row_t **row);
typedef enum { TYPE_RENAMED, TYPE_RENAME_TAKEN, TYPE_RENAME_NOT_FOUND } type_rename_result;
store_status store_type_rename(store *st, const char *id, const char *domain, const char *key,
                               type_rename_result *result);
/* Deletes the type and its links; *deleted 0 when the Space has no such type. */
store_status store_type_delete(store *st, const char *id, const char *domain, int *deleted);
typedef enum {
    TYPE_LINK_DONE, TYPE_LINK_NO_ACCOUNT, TYPE_LINK_NO_TYPE, TYPE_LINK_ALREADY,
    TYPE_LINK_NOT_ATTACHED
} type_link_result;
/* Links or unlinks a type and an account of one Space, in one statement
 * each; the result says which check failed, in the order of 7.2. */
store_status store_type_attach(store *st, const char *account_id, const char *domain,
                               const char *type_id, type_link_result *result);
store_status store_type_detach(store *st, const char *account_id, const char *domain,
                               const char *type_id, type_link_result *result);

/* ---- account actions (store/actions.c) ---- */

/* Whether the Space has the account (STORE_NOT_FOUND) and it a DTMF protocol. */
store_status store_action_owner(store *st, const char *account_id, const char *domain,
                                int *has_dtmf_protocol);
/* Action rows are (id, key, code), ACTION_COL_*; account_id is one
 * store_action_owner found. */
enum { ACTION_COL_ID, ACTION_COL_KEY, ACTION_COL_CODE };
store_status store_actions_of(store *st, const char *account_id, apr_dbd_results_t **res);
store_status store_action_of(store *st, const char *action_id, const char *account_id,
                             apr_dbd_row_t **row);
store_status store_action_create(store *st, const char *account_id, const char *key,
                                 const char *code, apr_dbd_row_t **row);
/* STORE_NOT_FOUND: the account has no such action. */
store_status store_action_update(store *st, const char *action_id, const char *account_id,
                                 const char *key, const char *code, apr_dbd_row_t **row);
store_status store_action_delete(store *st, const char *action_id, const char *account_id,
                                 int *deleted);
/* ---- dictionary entries (store/dictionary.c, api-lifecycle.md 7.1) ---- */

/* Each function acts on the account with that id in that domain, and is
 * STORE_NOT_FOUND when there is none. */
/* The entries as rows of (key, value) in insertion order; an account
 * without entries gives one row of NULLs. */
store_status store_dictionary_of(store *st, const char *id, const char *domain,
                                 apr_dbd_results_t **res);
/* *value: the entry's value, NULL when the account has no such key. */
store_status store_dictionary_entry(store *st, const char *id, const char *domain,
                                    const char *key, const char **value);
/* Adds the entry, or replaces it (it then moves to the end of the order). */
store_status store_dictionary_set(store *st, const char *id, const char *domain,
                                  const char *key, const char *value);
/* Deletes one entry, or all of them; *deleted: how many went. */
store_status store_dictionary_delete(store *st, const char *id, const char *domain,
                                     const char *key, long long *deleted);
store_status store_dictionary_clear(store *st, const char *id, const char *domain,
                                    long long *deleted);

/* ---- contacts (store/contacts.c, api-lifecycle.md 7.4) ---- */

/* Admin view: the contacts of the account with that id in that domain
 * that are in that domain too, as Account rows (ACCOUNT_COL_*) ordered by
 * id; STORE_NOT_FOUND without the account; an account without contacts
 * gives one row of NULLs. */
store_status store_contacts_of(store *st, const char *id, const char *domain,
                               apr_dbd_results_t **res);
/* One of them: STORE_NOT_FOUND without the account; a row of NULLs when
 * contact_id is not one of its contacts. */
store_status store_contact_of(store *st, const char *id, const char *domain,
                              const char *contact_id, apr_dbd_row_t **row);
typedef enum {
    CONTACT_DONE,          /* added (or there already), or removed */
    CONTACT_NO_ACCOUNT,    /* no account with that id in the domain */
    CONTACT_NO_CONTACT     /* add: no such account in the domain; remove: not a contact */
} contact_change;
/* Adds contact_id (an account of that domain) to the account's contacts,
 * once however many times it is added. */
store_status store_contact_add(store *st, const char *id, const char *domain,
                               const char *contact_id, contact_change *result);
store_status store_contact_remove(store *st, const char *id, const char *domain,
                                  const char *contact_id, contact_change *result);
/* User view: the account's own contacts, whatever their domain, ordered by
 * id, as Account rows without the sub-objects (the Contact variant shows
 * none); one by username and domain. */
store_status store_my_contacts(store *st, const char *account_id, apr_dbd_results_t **res);
store_status store_my_contact_by_sip(store *st, const char *account_id, const char *username,
                                     const char *domain, apr_dbd_row_t **row);
/* ---- email and phone change codes (store/change_codes.c) ---- */

typedef enum { CHANGE_CODE_EMAIL, CHANGE_CODE_PHONE } change_code_kind;

/* Before a code is made (api-lifecycle.md 4.1, 5.1): the blocking service
 * (4.3; *blocked = 1 when it has just blocked the account: it made events
 * codes of any kind in the last period_minutes; events 0 = off), and
 * *validated = 1 when the account has a consumed creation token. */
store_status store_change_code_gate(store *st, const char *account_id, long events,
                                    long period_minutes, int *blocked, int *validated);

/* A new code of the account for target (the new email or phone): *code_id. */
store_status store_change_code_insert(store *st, change_code_kind kind, const char *account_id,
                                      const char *target, const char *code, const char *ip,
                                      const char *user_agent, const char **code_id);

/* Removes a code that could not be delivered. */
store_status store_change_code_delete(store *st, change_code_kind kind, const char *code_id);

typedef enum {
    CHANGE_CODE_NONE,      /* no pending code */
    CHANGE_CODE_EXPIRED,   /* expired or exhausted */
    CHANGE_CODE_WRONG,     /* another value: one attempt counted */
    CHANGE_CODE_TAKEN,     /* the email/phone is another account's now */
    CHANGE_CODE_DONE       /* consumed, the account changed and activated */
} change_code_result;
/* Confirms the account's pending code with code, in one transaction
 * (sql/0013); expiry_minutes of the account's Space (0 = never);
 * email_unique: the request Space's AccountsEmailUnique (emails only).
 * *attempts: the code's wrong values so far. */
store_status store_change_code_confirm(store *st, change_code_kind kind, const char *account_id,
                                       const char *code, long expiry_minutes, int email_unique,
                                       change_code_result *result, int *attempts);

/* accountsctl purge: counts of deleted rows, in store_purge_names order. */
#define STORE_PURGE_COUNT 7
extern const char *const store_purge_names[STORE_PURGE_COUNT];
store_status store_purge(store *st, const char *nonce_minutes,
                         const char *api_key_minutes, const char *auth_token_minutes,
                         const char *creation_token_minutes,
                         const char *provisioning_token_minutes,
                         const char *reset_password_minutes,
                         int counts[STORE_PURGE_COUNT]);

/* ---- creation request tokens (store/creation_requests.c) ---- */

store_status store_creation_request_mint(store *st, const char *token_hash, const char *domain,
                                         const char *ip, const char *user_agent);

typedef struct {
    int exists;      /* minted by this Space */
    int used;        /* exchanged for a creation token */
    int validated;   /* confirmed on the validation page */
} creation_request_state;
store_status store_creation_request_state(store *st, const char *token_hash, const char *domain,
                                          creation_request_state *state);

/* Sets validated_at unless it is set; STORE_NOT_FOUND: no unused request
 * token of that domain. */
store_status store_creation_request_validate(store *st, const char *token_hash, const char *domain);

/* Marks the unused, validated request token used and mints the creation
 * token it is linked to, in one statement; *created_at: its creation time
 * (epoch seconds). STORE_NOT_FOUND: not usable (unknown, used, not
 * validated, or used by a concurrent request). */
store_status store_creation_request_use(store *st, const char *token_hash, const char *domain,
                                        const char *creation_token_hash, const char *ip,
                                        const char *user_agent, const char **created_at);

/* ---- push-delivered tokens (store/push_tokens.c) ---- */

typedef enum { PUSH_CREATION_TOKEN, PUSH_RECOVERY_TOKEN } push_token_kind;

/* *throttled = 1 when the device (the three pn values, NULL matching NULL)
 * has a used token of that kind in that domain created less than
 * retry_minutes ago; never when retry_minutes is 0. */
store_status store_push_throttled(store *st, push_token_kind kind, const char *domain,
                                  const char *provider, const char *param, const char *prid,
                                  long retry_minutes, int *throttled);

/* Stores a token that was sent: unused, bound to domain, with the device's
 * pn values and the request's IP and User-Agent. */
store_status store_push_token_store(store *st, push_token_kind kind, const char *token_hash,
                                    const char *domain, const char *provider, const char *param,
                                    const char *prid, const char *ip, const char *user_agent);

typedef struct {
    const char *pn_provider, *pn_param, *pn_prid;   /* NULL when null */
    const char *created_at;                          /* epoch seconds */
} consumed_creation_token;
/* Links an unused, unlinked, unexpired creation token of domain to the
 * account (used, ip and user_agent := the request's); STORE_NOT_FOUND when
 * there is none (or a concurrent request consumed it first). */
store_status store_creation_token_consume(store *st, const char *token_hash, const char *domain,
                                          long expiry_minutes, const char *account_id,
                                          const char *ip, const char *user_agent,
                                          consumed_creation_token *out);

/* ---- account recovery (store/recovery.c, sql/0014) ---- */

/* 6.1: STORE_NOT_FOUND when no unused recovery token of domain has that
 * hash; else *live = 0 once it is older than expiry_minutes (0 = never). */
store_status store_recovery_token_state(store *st, const char *token_hash, const char *domain,
                                        long expiry_minutes, int *live);

typedef struct {
    const char *domain;        /* the request Space's accounts only */
    const char *token_hash;    /* phone branch: the recovery token's; NULL: email branch */
    long token_expiry;         /* AccountsRecoveryTokenExpiry */
    const char *email, *username, *phone;
    int email_unique;          /* the request Space's AccountsEmailUnique */
    long blocking_events, blocking_period;
    const char *code, *handle_hash, *ip, *user_agent;
} recovery_send_args;

typedef enum {
    RECOVERY_BAD_TOKEN,     /* phone branch: no unused, unexpired token of the Space */
    RECOVERY_NO_ACCOUNT,    /* no (unblocked) account matched; the token is used up */
    RECOVERY_RECENT,        /* an unconsumed recovery code younger than an hour */
    RECOVERY_BLOCKED,       /* the blocking service has just blocked the account */
    RECOVERY_CREATED        /* code and handle stored, the token used and linked */
} recovery_send_result;

typedef struct {
    recovery_send_result result;
    const char *account_id, *code_id, *token_id;   /* NULL when not applicable */
    const char *target;     /* the account's email (email branch) or phone */
} recovery_sent;

/* 6.3 steps 2 to 6 up to the delivery, in one transaction (sql/0014). */
store_status store_recovery_send(store *st, const recovery_send_args *in, recovery_sent *out);

/* The code was not delivered: deletes it, makes the token (if any) unused. */
store_status store_recovery_undo(store *st, const char *code_id, const char *token_id);

typedef enum {
    RECOVERY_CODE_UNKNOWN,   /* no code of the domain's unblocked accounts has the handle */
    RECOVERY_CODE_EXPIRED,   /* consumed, superseded, expired or exhausted */
    RECOVERY_CODE_WRONG,     /* another value: one attempt counted */
    RECOVERY_CODE_DONE       /* consumed */
} recovery_code_result;

typedef struct {
    recovery_code_result result;
    int attempts;
    const char *account_id, *email;   /* email: the account's, for the reset token */
} recovery_confirmed;

/* 6.4: confirms the handle's code (sql/0014); run it in a transaction with
 * store_reset_token_insert so that a consumed code always left a token. */
store_status store_recovery_confirm(store *st, const char *domain, const char *handle_hash,
                                    const char *code, long expiry_minutes,
                                    recovery_confirmed *out);

#endif
