#include "account.h"
#include "crypto.h"
#include "json.h"

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

/* Parses JSON text the database built; NULL text or bad JSON gives NULL. */
static json_object *parse_db_json(const char *text)
{
    return text ? json_tokener_parse(text) : NULL;
}

static json_object *passwords_to_json(const char *algorithms_json)
{
    json_object *algorithms = parse_db_json(algorithms_json);
    json_object *out = json_object_new_array();
    size_t n = algorithms && json_object_is_type(algorithms, json_type_array)
                   ? json_object_array_length(algorithms) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *entry = json_object_new_object();
        json_object_object_add(entry, "algorithm",
                               json_object_get(json_object_array_get_idx(algorithms, i)));
        json_object_array_add(out, entry);
    }
    json_object_put(algorithms);
    return out;
}

/* A change-code object as the database built it (timestamps as epochs),
 * reshaped for the API: ISO timestamps, "code" only where asked. */
static json_object *change_code_to_json(apr_pool_t *p, const char *text,
                                        const char *value_key, int with_code)
{
    json_object *src = parse_db_json(text);
    json_object *out, *v;
    static const char *const keys[] = { "code", "ip", "user_agent" };

    if (!src || !json_object_is_type(src, json_type_object)) {
        json_object_put(src);
        return NULL;
    }
    out = json_object_new_object();
    json_object_object_get_ex(src, value_key, &v);
    json_object_object_add(out, value_key, json_object_get(v));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (i == 0 && !with_code) {
            continue;
        }
        json_object_object_get_ex(src, keys[i], &v);
        json_object_object_add(out, keys[i], json_object_get(v));
    }
    json_object_object_get_ex(src, "created_at", &v);
    json_object_object_add(out, "created_at",
                           json_object_new_string(json_timestamp_text(p, json_object_get_int64(v))));
    json_object_object_get_ex(src, "updated_at", &v);
    json_object_object_add(out, "updated_at",
                           json_object_new_string(json_timestamp_text(p, json_object_get_int64(v))));
    json_object_put(src);
    return out;
}

json_object *account_to_json(apr_pool_t *p, const account *a, account_view view,
                             int with_codes, const accounts_space *space)
{
    json_object *o = json_pool_object(p);
    json_object *dictionary = parse_db_json(a->dictionary_json);
    json_object *expire_at = NULL;

    if (a->provisioning_token && space && space->provisioning_token_expiry > 0
        && a->provisioning_token_created_at) {
        long long created = strtoll(a->provisioning_token_created_at, NULL, 10);
        expire_at = json_object_new_string(
            json_timestamp_text(p, created + 60LL * space->provisioning_token_expiry));
    }
    if (!dictionary || !json_object_is_type(dictionary, json_type_object)) {
        json_object_put(dictionary);
        dictionary = json_object_new_object();   /* never [] */
    }

    json_object_object_add(o, "id", json_object_new_int64(strtoll(a->id, NULL, 10)));
    json_object_object_add(o, "username", json_object_new_string(a->username));
    json_object_object_add(o, "domain", json_object_new_string(a->domain));
    json_object_object_add(o, "email", json_string_or_null(a->email));
    json_object_object_add(o, "activated", json_object_new_boolean(a->activated));
    json_object_object_add(o, "ip_address", json_string_or_null(a->ip_address));
    json_object_object_add(o, "user_agent", json_string_or_null(a->user_agent));
    json_object_object_add(o, "created_at", json_timestamp_or_null(p, a->created_at));
    json_object_object_add(o, "updated_at", json_timestamp_or_null(p, a->updated_at));
    json_object_object_add(o, "display_name", json_string_or_null(a->display_name));
    json_object_object_add(o, "dtmf_protocol", json_string_or_null(a->dtmf_protocol));
    json_object_object_add(o, "blocked", json_object_new_boolean(a->blocked));
    json_object_object_add(o, "admin", json_object_new_boolean(a->admin));
    json_object_object_add(o, "phone", json_string_or_null(a->phone));
    json_object_object_add(o, "realm", json_string_or_null(space ? space->realm : NULL));
    json_object_object_add(o, "provisioning_token", json_string_or_null(a->provisioning_token));
    json_object_object_add(o, "provisioning_token_expire_at", expire_at);
    json_object_object_add(o, "dictionary", dictionary);
    json_object_object_add(o, "sip_uri", json_object_new_string(
                               apr_pstrcat(p, "sip:", a->username, "@", a->domain, NULL)));
    if (view != ACCOUNT_VIEW_ADMIN) {
        json_object_object_add(o, "passwords", passwords_to_json(a->passwords_json));
    }
    json_object_object_add(o, "email_change_code",
                           change_code_to_json(p, a->email_change_json, "email", with_codes));
    if (view == ACCOUNT_VIEW_ADMIN || view == ACCOUNT_VIEW_UPDATED) {
        json_object_object_add(o, "phone_change_code",
                               change_code_to_json(p, a->phone_change_json, "phone", with_codes));
    }
    json_object_object_add(o, "types", json_object_new_array());
    json_object_object_add(o, "actions", json_object_new_array());
    json_object_object_add(o, "carddav_servers", json_object_new_array());
    if (view == ACCOUNT_VIEW_SEARCH) {
        json_object_object_add(o, "call_forwardings", json_object_new_array());
    }
    return o;
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
