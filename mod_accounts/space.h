/*
 * A Space: the settings of one SIP domain served by one virtual host.
 *
 * Pure APR + PCRE2: no httpd header, so the Check tests and accountsctl can
 * use it. mod_accounts.c wires these functions to Apache's config hooks.
 */
#ifndef ACCOUNTS_SPACE_H
#define ACCOUNTS_SPACE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>
#include <apr_time.h>

#include "space_settings.h"

typedef enum {
    SETTING_DOMAIN,       /* hostname, stored lowercase */
    SETTING_TEXT,         /* one line of text */
    SETTING_REALM,        /* text that can sit inside a quoted header value */
    SETTING_FLAG,         /* On / Off */
    SETTING_COUNT,        /* non-negative integer */
    SETTING_MINUTES,      /* non-negative integer of minutes */
    SETTING_POSITIVE_MINUTES, /* integer of minutes, at least 1 */
    SETTING_ALGORITHM,    /* MD5 / SHA-256 */
    SETTING_REGEX,        /* a PCRE2 pattern that compiles */
    SETTING_BLACKLIST,    /* comma list of literals or patterns */
    SETTING_HOSTPORT,     /* host[:port] */
    SETTING_SECRET,       /* non-empty opaque text */
    SETTING_URL,          /* http(s)://... without trailing slash */
    SETTING_URL_OR_NONE,  /* a URL or the word none */
    SETTING_EMAIL,        /* a plain email address */
    SETTING_COUNTRIES,    /* country calling codes, repeatable words */
    SETTING_FILE,         /* a readable file */
    SETTING_UI,           /* NAME VALUE, repeatable */
    SETTING_DATE,         /* YYYY-MM-DD */
    SETTING_SIP_URI,      /* <sip:host...> or sip:host... (sips: too) */
    SETTING_COMMAND,      /* PROGRAM [ARGS...], split by command_split */
    SETTING_KEYMAP,       /* space-separated NAME:VALUE pairs */
    SETTING_SQL_TABLE     /* an SQL identifier, optionally schema-qualified */
} setting_kind;

/* C type of each kind's field in accounts_space. */
#define SETTING_CTYPE_SETTING_FLAG int
#define SETTING_CTYPE_SETTING_COUNT long
#define SETTING_CTYPE_SETTING_MINUTES long
#define SETTING_CTYPE_SETTING_POSITIVE_MINUTES long
#define SETTING_CTYPE_SETTING_DOMAIN const char *
#define SETTING_CTYPE_SETTING_TEXT const char *
#define SETTING_CTYPE_SETTING_REALM const char *
#define SETTING_CTYPE_SETTING_ALGORITHM const char *
#define SETTING_CTYPE_SETTING_REGEX const char *
#define SETTING_CTYPE_SETTING_BLACKLIST const char *
#define SETTING_CTYPE_SETTING_HOSTPORT const char *
#define SETTING_CTYPE_SETTING_SECRET const char *
#define SETTING_CTYPE_SETTING_URL const char *
#define SETTING_CTYPE_SETTING_URL_OR_NONE const char *
#define SETTING_CTYPE_SETTING_EMAIL const char *
#define SETTING_CTYPE_SETTING_COUNTRIES const char *
#define SETTING_CTYPE_SETTING_FILE const char *
#define SETTING_CTYPE_SETTING_UI const char *
#define SETTING_CTYPE_SETTING_DATE const char *
#define SETTING_CTYPE_SETTING_SIP_URI const char *
#define SETTING_CTYPE_SETTING_COMMAND const char *
#define SETTING_CTYPE_SETTING_KEYMAP const char *
#define SETTING_CTYPE_SETTING_SQL_TABLE const char *

/* Linphone "ui" entries of the provisioning document, in document order.
 * "super" comes from AccountsSuperSpace; the others from AccountsLinphoneUI. */
#define SPACE_UI_COUNT 12
extern const char *const space_ui_names[SPACE_UI_COUNT];

typedef struct {
    const char *literal;
    pcre2_code *pattern;   /* NULL when the item is not a valid pattern */
} space_blacklist_item;

/* A section of the provisioning document: a name and "key = value" pairs. */
typedef struct {
    const char *name;
    apr_array_header_t *entries;   /* of space_entry */
} space_section;

typedef struct {
    const char *key;
    const char *value;
} space_entry;

typedef struct accounts_space {
    /* Settings as configured; "unset" is NULL for text and -1 for numbers. */
#define X(id, directive, args, kind, field, def, help) SETTING_CTYPE_##kind field;
    ACCOUNTS_SPACE_SETTINGS(X)
#undef X

    /* Derived once by space_resolve(), read-only afterwards. */
    int resolved;
    const char *origin;                   /* where it is configured ("file:line"), or NULL */
    pcre2_code *username_pattern;
    apr_array_header_t *blacklist;        /* of space_blacklist_item */
    apr_array_header_t *phone_countries;  /* of const char *, empty = all */
    int ui[SPACE_UI_COUNT];
    apr_time_t expires_at;                /* 0 = never; else first instant refused */
    const char *opaque;                   /* digest opaque, from the secret */
    int cookie_always_secure;             /* AccountsCookieSecure, or its default */
    apr_array_header_t *provisioning_custom; /* of space_section, from the INI file */
} accounts_space;

typedef enum {
#define X(id, directive, args, kind, field, def, help) SPACE_SETTING_##id,
    ACCOUNTS_SPACE_SETTINGS(X)
#undef X
    SPACE_SETTING_COUNT
} space_setting_id;

typedef struct {
    space_setting_id id;
    const char *directive;
    setting_kind kind;
    apr_size_t offset;
    const char *default_text;   /* NULL: derived or none, see docs */
    const char *help;
} space_setting;

extern const space_setting space_settings[SPACE_SETTING_COUNT];

const space_setting *space_setting_find(const char *directive);

/* A Space with every setting unset. */
accounts_space *space_create(apr_pool_t *p);

/* Parses one directive occurrence into sp. Returns NULL, or an error message
 * that names the directive (Apache shows it and refuses to start). */
const char *space_setting_set(apr_pool_t *p, accounts_space *sp,
                              const space_setting *def,
                              const char *arg, const char *arg2);

/* Setting by setting: the virtual host's value when set, else the base's. */
accounts_space *space_merge(apr_pool_t *p, const accounts_space *base,
                            const accounts_space *add);

/* Fills defaults and derived values. server_name feeds the default public
 * URL; secret is used when AccountsSecret is unset. */
const char *space_resolve(apr_pool_t *p, accounts_space *sp,
                          const char *server_name, const char *secret);

/* NULL when a and b carry the same settings, else the first directive that
 * differs (two definitions of one SIP domain must agree). */
const char *space_first_difference(const accounts_space *a,
                                   const accounts_space *b);

/* Parses INI text ("[section]", "key = value", ';' or '#' comments) into
 * space_section items; NULL and *error (naming the line) on a bad line. */
apr_array_header_t *space_parse_sections(apr_pool_t *p, const char *text, const char **error);

/* Realm used for digest and password hashes: the configured one or the domain. */
const char *space_digest_realm(const accounts_space *sp);

/* The registry of every configured Space, keyed by lowercase SIP domain. */
typedef struct space_registry space_registry;
space_registry *space_registry_create(apr_pool_t *p);
const char *space_registry_add(space_registry *reg, const accounts_space *sp);
const accounts_space *space_registry_find(const space_registry *reg,
                                          const char *domain);
unsigned int space_registry_count(const space_registry *reg);

/* The longest AccountsAuthTokenExpiry of all Spaces: auth tokens are not
 * bound to a Space, so only tokens older than every lifetime are purged. */
long space_registry_max_auth_token_expiry(const space_registry *reg);

#endif
