/*
 * A request body, from the bytes on the wire to the 422 body: the strict
 * JSON parser (json_pool_parse), the normalisation of api.md 1.3, every
 * field rule of api.md 4.x in the order each endpoint runs them, against
 * realistic Spaces, then the validation body and its serialisation.
 */
#include "fuzz.h"

#include <string.h>

#include <sanitizer/lsan_interface.h>

#include "fields.h"
#include "json.h"
#include "space.h"
#include "utf8.h"
#include "validation.h"

/* ACCOUNTS_MAX_JSON_DEPTH of request.h (an httpd header, kept out of here). */
#define FUZZ_JSON_DEPTH 64

static space_registry *registry;
static const accounts_space *plain_space;   /* every setting at its default */
static const accounts_space *strict_space;  /* blacklist, countries, phone usernames */

/* A resolved Space of domain with directive/value pairs (NULL-terminated). */
static accounts_space *make_space(apr_pool_t *p, const char *domain, const char *const *settings)
{
    accounts_space *sp = space_create(p);

    FUZZ_ASSERT(!space_setting_set(p, sp, space_setting_find("AccountsSpace"), domain, NULL));
    for (; settings && settings[0]; settings += 2) {
        const space_setting *def = space_setting_find(settings[0]);
        FUZZ_ASSERT(def && !space_setting_set(p, sp, def, settings[1], NULL));
    }
    FUZZ_ASSERT(!space_resolve(p, sp, NULL, "fuzz secret"));
    FUZZ_ASSERT(!space_registry_add(registry, sp));
    /* The compiled patterns live as long as the process, but only APR pool
     * memory points at them, and LeakSanitizer does not scan that (APR
     * maps it itself): without this, every leak check would report them. */
    __lsan_ignore_object(sp->username_pattern);
    for (int i = 0; sp->blacklist && i < sp->blacklist->nelts; i++) {
        __lsan_ignore_object(APR_ARRAY_IDX(sp->blacklist, i, space_blacklist_item).pattern);
    }
    return sp;
}

static void make_spaces(void)
{
    static const char *const strict[] = {
        /* The blacklist examples of api.md 4.1, plus an anchored pattern. */
        "AccountsBlacklistedUsernames", "foobar,username-.*,^admin$,root",
        "AccountsAllowPhoneUsername", "On",
        "AccountsAllowedPhoneCountries", "33",
        "AccountsAllowedPhoneCountries", "32",
        "AccountsRealm", "Strict Realm",
        NULL
    };
    apr_pool_t *p;

    /* Lives as long as the process: not the per-input pool. */
    apr_pool_create(&p, NULL);
    registry = space_registry_create(p);
    plain_space = make_space(p, "sip.example.com", NULL);
    strict_space = make_space(p, "strict.example.org", strict);
}

/* The checks of each endpoint, in its handler's order (api.md 5.x). */
static void public_create(validation *v, json_object *params, const field_lookups *db)
{
    fields_check_username(v, params, plain_space, 0, db);
    fields_check_domain(v, params, registry);
    fields_check_dictionary(v, params);
    fields_check_password(v, params, 6);
    fields_check_email(v, params, plain_space, db);
    fields_check_dtmf_protocol(v, params);
    fields_check_phone(v, params, plain_space, db);
    fields_check_algorithm(v, params);
}

static void admin_create(validation *v, json_object *params, const field_lookups *db)
{
    fields_check_username(v, params, strict_space, 1, db);
    fields_check_domain(v, params, registry);
    fields_check_dictionary(v, params);
    fields_check_password(v, params, 6);
    fields_check_email(v, params, strict_space, db);
    fields_check_dtmf_protocol(v, params);
    fields_check_phone(v, params, strict_space, db);
    fields_check_algorithm(v, params);
    fields_check_boolean(v, params, "admin");
    fields_check_boolean(v, params, "activated");
    fields_check_display_name(v, params);
}

/* No Space: the rules fall back to their Space-free forms. */
static void admin_update(validation *v, json_object *params, const field_lookups *db)
{
    fields_check_username(v, params, NULL, 1, db);
    fields_check_domain(v, params, registry);
    fields_check_email(v, params, NULL, db);
    fields_check_dtmf_protocol(v, params);
    fields_check_phone(v, params, NULL, db);
    fields_check_password(v, params, 6);
    fields_check_algorithm(v, params);
    fields_check_boolean(v, params, "admin");
    fields_check_boolean(v, params, "activated");
    fields_check_boolean(v, params, "blocked");
    fields_check_display_name(v, params);
    fields_check_dictionary(v, params);
}

static void me_password(validation *v, json_object *params, const field_lookups *db)
{
    (void)db;
    fields_check_algorithm(v, params);
    fields_check_password(v, params, 0);
}

/* What a handler reads once the rules passed (or to pick the target). */
static void read_values(apr_pool_t *p, json_object *params)
{
    static const char *const strings[] = {
        "username", "domain", "email", "phone", "display_name", "dtmf_protocol",
        "algorithm", "password",
    };
    const char *code = NULL;

    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        const char *s = fields_string(params, strings[i]);
        if (s) {
            (void)fields_code_points(s);
        }
    }
    (void)fields_true(params, "admin");
    (void)fields_true(params, "activated");
    (void)fields_true(params, "blocked");
    if (fields_phone_valid(p, fields_string(params, "phone"), &code)) {
        FUZZ_ASSERT(code && *code);
    }
}

/* What the parser accepts is JSON (RFC 8259): raw control characters only
 * as whitespace between tokens, the whole text well-formed UTF-8. */
static void check_body(const char *body, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)body[i];
        FUZZ_ASSERT(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
    }
    FUZZ_ASSERT(fuzz_utf8_valid(body, size));
}

/* Every string and key the handlers may store is well-formed UTF-8 after
 * decoding (\u escapes included): PostgreSQL refuses anything else. */
static void check_strings(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_string:
        FUZZ_ASSERT(fuzz_utf8_valid(json_object_get_string(o),
                                    (size_t)json_object_get_string_len(o)));
        break;
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            check_strings(json_object_array_get_idx(o, i));
        }
        break;
    case json_type_object: {
        json_object_object_foreach(o, key, val) {
            FUZZ_ASSERT(fuzz_utf8_valid(key, strlen(key)));
            check_strings(val);
        }
        break;
    }
    default:
        break;
    }
}

/* The 422 body must be JSON the strict parser takes back. */
static void render(apr_pool_t *p, validation *v)
{
    const char *text, *error = NULL;
    json_object *back;

    if (!validation_failed(v)) {
        return;
    }
    text = json_pool_serialize(p, validation_to_json(v));
    back = json_pool_parse(p, text, strlen(text), FUZZ_JSON_DEPTH, &error);
    FUZZ_ASSERT(back && json_object_is_type(back, json_type_object));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    typedef void (*endpoint)(validation *, json_object *, const field_lookups *);
    static const endpoint endpoints[] = { public_create, admin_create, admin_update, me_password };
    apr_pool_t *p = fuzz_pool();
    const char *body = fuzz_text(p, data, size), *error = NULL, *once;
    json_object *params;
    /* The database's answers vary with the input, so every rule runs with
     * and without its uniqueness failures. */
    field_lookups db = {
        (int)(size & 1), (int)(size >> 1 & 1), (int)(size >> 2 & 1),
        (int)(size >> 3 & 1), (int)(size >> 4 & 1),
    };

    if (!registry) {
        make_spaces();
    }
    /* As request.c: the whole body, NUL-terminated after its length. */
    params = json_pool_parse(p, body, size, FUZZ_JSON_DEPTH, &error);
    if (!params) {
        FUZZ_ASSERT(error && *error);
        fuzz_done();
        return 0;
    }
    check_body(body, size);
    check_strings(params);
    /* Only an object carries parameters; anything else means none. */
    if (!json_object_is_type(params, json_type_object)) {
        params = json_pool_object(p);
    }
    fields_normalize(params);
    once = json_pool_serialize(p, params);
    fields_normalize(params);
    FUZZ_ASSERT(strcmp(once, json_pool_serialize(p, params)) == 0);

    for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
        validation *v = validation_create(p);
        endpoints[i](v, params, &db);
        render(p, v);
    }
    read_values(p, params);
    fuzz_done();
    return 0;
}
