#include "account.h"
#include "crypto.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

static const char *copy_column(apr_pool_t *p, store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v ? apr_pstrdup(p, v) : NULL;
}

static int bool_column(store *st, apr_dbd_row_t *row, int col)
{
    const char *v = store_column(st, row, col);
    return v && (v[0] == 't' || v[0] == '1');
}

void account_from_row(apr_pool_t *p, store *st, apr_dbd_row_t *row, account *out)
{
    out->id = copy_column(p, st, row, ACCOUNT_COL_ID);
    out->username = copy_column(p, st, row, ACCOUNT_COL_USERNAME);
    out->domain = copy_column(p, st, row, ACCOUNT_COL_DOMAIN);
    out->email = copy_column(p, st, row, ACCOUNT_COL_EMAIL);
    out->activated = bool_column(st, row, ACCOUNT_COL_ACTIVATED);
    out->ip_address = copy_column(p, st, row, ACCOUNT_COL_IP_ADDRESS);
    out->user_agent = copy_column(p, st, row, ACCOUNT_COL_USER_AGENT);
    out->created_at = copy_column(p, st, row, ACCOUNT_COL_CREATED_AT);
    out->updated_at = copy_column(p, st, row, ACCOUNT_COL_UPDATED_AT);
    out->display_name = copy_column(p, st, row, ACCOUNT_COL_DISPLAY_NAME);
    out->dtmf_protocol = copy_column(p, st, row, ACCOUNT_COL_DTMF_PROTOCOL);
    out->blocked = bool_column(st, row, ACCOUNT_COL_BLOCKED);
    out->admin = bool_column(st, row, ACCOUNT_COL_ADMIN);
    out->phone = copy_column(p, st, row, ACCOUNT_COL_PHONE);
    out->provisioning_token = copy_column(p, st, row, ACCOUNT_COL_PROVISIONING_TOKEN);
    out->provisioning_token_created_at =
        copy_column(p, st, row, ACCOUNT_COL_PROVISIONING_TOKEN_CREATED_AT);
    out->passwords_json = copy_column(p, st, row, ACCOUNT_COL_PASSWORDS);
    out->dictionary_json = copy_column(p, st, row, ACCOUNT_COL_DICTIONARY);
    out->email_change_json = copy_column(p, st, row, ACCOUNT_COL_EMAIL_CHANGE);
    out->phone_change_json = copy_column(p, st, row, ACCOUNT_COL_PHONE_CHANGE);
    out->types_json = copy_column(p, st, row, ACCOUNT_COL_TYPES);
    out->actions_json = copy_column(p, st, row, ACCOUNT_COL_ACTIONS);
}

void account_from_new(apr_pool_t *p, const store_new_account *n, const char *id,
                      const char *created_at, account *out)
{
    memset(out, 0, sizeof(*out));
    out->id = id;
    out->username = n->username;
    out->domain = n->domain;
    out->email = n->email;
    out->activated = n->activated;
    out->ip_address = n->ip_address;
    out->user_agent = n->user_agent;
    out->created_at = created_at;
    out->updated_at = created_at;
    out->display_name = n->display_name;
    out->dtmf_protocol = n->dtmf_protocol;
    out->admin = n->admin;
    out->phone = n->phone;
    out->provisioning_token = n->provisioning_token;
    out->provisioning_token_created_at = created_at;
    /* As the database aggregates them: algorithms in a JSON array, the
     * dictionary as the object that was stored (or an empty one). */
    out->passwords_json = n->password_hash
                              ? apr_pstrcat(p, "[\"", n->algorithm, "\"]", NULL) : "[]";
    out->dictionary_json = n->dictionary_json ? n->dictionary_json : "{}";
}

/* Parses JSON text the database built; NULL text or bad JSON gives NULL.
 * Only for the rare sub-objects that are not trivial; the caller puts it. */
static json_object *parse_db_json(const char *text)
{
    return text ? json_tokener_parse(text) : NULL;
}

/* A string member; null for NULL (an SQL NULL). */
static void member(json_writer *w, const char *key, const char *s_or_null)
{
    json_writer_key(w, key);
    json_writer_string_or_null(w, s_or_null);
}

static void member_bool(json_writer *w, const char *key, int v)
{
    json_writer_key(w, key);
    json_writer_bool(w, v);
}

static void member_raw(json_writer *w, const char *key, const char *json)
{
    json_writer_key(w, key);
    json_writer_raw(w, json, strlen(json));
}

/* A timestamp column (epoch seconds as text), or null for SQL NULL. */
static void member_timestamp(json_writer *w, const char *key, const char *epoch_text)
{
    json_writer_key(w, key);
    if (epoch_text) {
        json_writer_timestamp(w, strtoll(epoch_text, NULL, 10));
    }
    else {
        json_writer_null(w);
    }
}

/* The member of a json-c object src (null when missing), as json-c wrote it. */
static void member_copied(json_writer *w, json_object *src, const char *key)
{
    json_object *v = NULL;

    json_object_object_get_ex(src, key, &v);
    json_writer_key(w, key);
    json_writer_json_c(w, v);
}

/* ---- passwords ------------------------------------------------------------ */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    return s;
}

/* The length (quotes included) of the string at s when json-c would copy
 * it out unchanged (printable ASCII, no '"' or '\\'), else 0. */
static size_t plain_string(const char *s)
{
    size_t n = 1;

    if (*s != '"') {
        return 0;
    }
    while ((unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f && s[n] != '"'
           && s[n] != '\\') {
        n++;
    }
    return s[n] == '"' ? n + 1 : 0;
}

/* Algorithms as json_agg writes them, ["SHA-256", "MD5"], every name a
 * plain string: 1, and with w set the passwords array written from the
 * text itself. 0 for anything else (json-c then decides). Call without w
 * first, since it stops half-way through what it does not know. */
static int plain_passwords(json_writer *w, const char *s)
{
    size_t n;

    s = skip_space(s);
    if (*s++ != '[') {
        return 0;
    }
    if (w) {
        json_writer_array_begin(w);
    }
    s = skip_space(s);
    while (*s != ']') {
        if ((n = plain_string(s)) == 0) {
            return 0;
        }
        if (w) {
            json_writer_object_begin(w);
            json_writer_key(w, "algorithm");
            json_writer_raw(w, s, n);
            json_writer_object_end(w);
        }
        s = skip_space(s + n);
        if (*s == ',') {
            s = skip_space(s + 1);
            if (*s == ']') {
                return 0;       /* a trailing comma: json-c's business */
            }
        }
        else if (*s != ']') {
            return 0;
        }
    }
    if (w) {
        json_writer_array_end(w);
    }
    return *skip_space(s + 1) == '\0';
}

/* [{"algorithm": ...}] from the JSON array of algorithm names; [] when the
 * text is no array. */
static void write_passwords(json_writer *w, const char *algorithms_json)
{
    json_object *algorithms;
    size_t n;

    if (algorithms_json && plain_passwords(NULL, algorithms_json)) {
        plain_passwords(w, algorithms_json);
        return;
    }
    algorithms = parse_db_json(algorithms_json);
    n = algorithms && json_object_is_type(algorithms, json_type_array)
            ? json_object_array_length(algorithms) : 0;
    json_writer_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        json_writer_object_begin(w);
        json_writer_key(w, "algorithm");
        json_writer_json_c(w, json_object_array_get_idx(algorithms, i));
        json_writer_object_end(w);
    }
    json_writer_array_end(w);
    json_object_put(algorithms);
}

/* ---- dictionary and change codes -------------------------------------------- */

/* The dictionary object as the database built it; {} (never []) when
 * empty, missing or not an object. */
static void write_dictionary(json_writer *w, const char *text)
{
    json_object *d;

    if (!text || strcmp(text, "{}") == 0) {
        json_writer_raw(w, "{}", 2);
        return;
    }
    d = parse_db_json(text);
    if (d && json_object_is_type(d, json_type_object)) {
        json_writer_json_c(w, d);
    }
    else {
        json_writer_raw(w, "{}", 2);
    }
    json_object_put(d);
}

/* An array the database built (types, actions), as the API shows it; []
 * when there is none. */
static void write_db_array(json_writer *w, const char *text)
{
    json_object *a = text ? parse_db_json(text) : NULL;

    if (a && json_object_is_type(a, json_type_array)) {
        json_writer_json_c(w, a);
    }
    else {
        json_writer_raw(w, "[]", 2);
    }
    json_object_put(a);
}

/* A change-code object as the database built it (timestamps as epochs),
 * reshaped for the API: ISO timestamps, "code" only where asked; null
 * when there is none. */
static void write_change_code(json_writer *w, const char *text, const char *value_key,
                              int with_code)
{
    json_object *src = parse_db_json(text);
    json_object *v = NULL;

    if (!src || !json_object_is_type(src, json_type_object)) {
        json_object_put(src);
        json_writer_null(w);
        return;
    }
    json_writer_object_begin(w);
    member_copied(w, src, value_key);
    if (with_code) {
        member_copied(w, src, "code");
    }
    member_copied(w, src, "ip");
    member_copied(w, src, "user_agent");
    json_object_object_get_ex(src, "created_at", &v);
    json_writer_key(w, "created_at");
    json_writer_timestamp(w, json_object_get_int64(v));
    json_object_object_get_ex(src, "updated_at", &v);
    json_writer_key(w, "updated_at");
    json_writer_timestamp(w, json_object_get_int64(v));
    json_writer_object_end(w);
    json_object_put(src);
}

/* ---- the Account -------------------------------------------------------------- */

static void write_provisioning_expiry(json_writer *w, const account *a,
                                      const accounts_space *space)
{
    json_writer_key(w, "provisioning_token_expire_at");
    if (a->provisioning_token && space && space->provisioning_token_expiry > 0
        && a->provisioning_token_created_at) {
        long long created = strtoll(a->provisioning_token_created_at, NULL, 10);
        json_writer_timestamp(w, created + 60LL * space->provisioning_token_expiry);
    }
    else {
        json_writer_null(w);
    }
}

/* The members every view shows, id to sip_uri. */
static void write_common(json_writer *w, apr_pool_t *p, const account *a,
                         const accounts_space *space)
{
    json_writer_key(w, "id");
    json_writer_int64(w, strtoll(a->id, NULL, 10));
    member(w, "username", a->username);
    member(w, "domain", a->domain);
    member(w, "email", a->email);
    member_bool(w, "activated", a->activated);
    member(w, "ip_address", a->ip_address);
    member(w, "user_agent", a->user_agent);
    member_timestamp(w, "created_at", a->created_at);
    member_timestamp(w, "updated_at", a->updated_at);
    member(w, "display_name", a->display_name);
    member(w, "dtmf_protocol", a->dtmf_protocol);
    member_bool(w, "blocked", a->blocked);
    member_bool(w, "admin", a->admin);
    member(w, "phone", a->phone);
    member(w, "realm", space ? space->realm : NULL);
    member(w, "provisioning_token", a->provisioning_token);
    write_provisioning_expiry(w, a, space);
    json_writer_key(w, "dictionary");
    write_dictionary(w, a->dictionary_json);
    member(w, "sip_uri", apr_pstrcat(p, "sip:", a->username, "@", a->domain, NULL));
}

void account_write_json(json_writer *w, apr_pool_t *p, const account *a, account_view view,
                        int with_codes, const accounts_space *space)
{
    json_writer_object_begin(w);
    write_common(w, p, a, space);
    if (view != ACCOUNT_VIEW_ADMIN) {
        json_writer_key(w, "passwords");
        write_passwords(w, a->passwords_json);
    }
    json_writer_key(w, "email_change_code");
    write_change_code(w, a->email_change_json, "email", with_codes);
    if (view == ACCOUNT_VIEW_ADMIN || view == ACCOUNT_VIEW_UPDATED) {
        json_writer_key(w, "phone_change_code");
        write_change_code(w, a->phone_change_json, "phone", with_codes);
    }
    json_writer_key(w, "types");
    write_db_array(w, a->types_json);
    /* Actions only count with a DTMF protocol (7.3); they are kept without. */
    json_writer_key(w, "actions");
    write_db_array(w, a->dtmf_protocol ? a->actions_json : NULL);
    member_raw(w, "carddav_servers", "[]");
    if (view == ACCOUNT_VIEW_SEARCH) {
        member_raw(w, "call_forwardings", "[]");
    }
    json_writer_object_end(w);
}

char *account_password_hash(apr_pool_t *p, const char *algorithm, const char *username,
                            const char *realm, const char *password)
{
    digest_algorithm alg;

    if (!crypto_algorithm_parse(algorithm, &alg)) {
        return NULL;
    }
    return crypto_digest_hex(p, alg, username, ":", realm, ":", password, NULL);
}
