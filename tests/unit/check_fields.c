/* Input normalisation (api.md 1.3) and the field rules (api.md 4.1 to 4.9),
 * message by message: the texts are wire facts. */
#include "suites.h"
#include "fields.h"
#include "utf8.h"

#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>

/* "json.h" would name json-c's own header here (its include directory comes
 * first), so the pool ownership of test values is done locally. */
static apr_status_t put_json(void *o)
{
    json_object_put(o);
    return APR_SUCCESS;
}

static json_object *pool_owned(json_object *o)
{
    apr_pool_cleanup_register(test_pool, o, put_json, apr_pool_cleanup_null);
    return o;
}

static const char *serialize(json_object *o)
{
    return apr_pstrdup(test_pool, json_object_to_json_string_ext(
                                      o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* A parsed, pool-owned, normalised parameter object, as a handler sees it. */
static json_object *params(const char *text)
{
    json_object *o = json_tokener_parse(text);
    ck_assert_msg(o != NULL, "bad test JSON %s", text);
    fields_normalize(pool_owned(o));
    return o;
}

/* {field: value}, the value taken over (a C string needs no JSON escaping). */
static json_object *one(const char *field, json_object *value)
{
    json_object *o = pool_owned(json_object_new_object());
    json_object_object_add(o, field, value);
    return o;
}

static const char *repeat(const char *unit, int times)
{
    const char *out = "";
    for (int i = 0; i < times; i++) {
        out = apr_pstrcat(test_pool, out, unit, NULL);
    }
    return out;
}

/* The field's messages joined with " | ", "" when it has none. */
/* params() normalised as handler_params() does it. */
static json_object *fields_normalize_params(const char *text)
{
    json_object *p = params(text);
    fields_normalize(p);
    return p;
}

static const char *msgs(validation *v, const char *field)
{
    json_object *errors, *list;
    const char *out = "";

    json_object_object_get_ex(validation_to_json(v), "errors", &errors);
    if (!json_object_object_get_ex(errors, field, &list)) {
        return "";
    }
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        const char *m = json_object_get_string(json_object_array_get_idx(list, i));
        out = *out ? apr_pstrcat(test_pool, out, " | ", m, NULL) : apr_pstrdup(test_pool, m);
    }
    return out;
}

/* A resolved Space of sip.example.com with directive/value pairs applied. */
static accounts_space *space_with(const char *directive, ...)
{
    accounts_space *sp = space_create(test_pool);
    va_list ap;

    ck_assert_ptr_null(space_setting_set(test_pool, sp, space_setting_find("AccountsSpace"),
                                         "sip.example.com", NULL));
    va_start(ap, directive);
    for (const char *d = directive; d; d = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        const space_setting *def = space_setting_find(d);
        ck_assert_msg(def != NULL, "no directive %s", d);
        ck_assert_ptr_null(space_setting_set(test_pool, sp, def, value, NULL));
    }
    va_end(ap);
    ck_assert_ptr_null(space_resolve(test_pool, sp, NULL, "secret"));
    return sp;
}

static accounts_space *default_space(void)
{
    return space_with(NULL);
}

static const char *username_errors(const char *username_json, const accounts_space *sp,
                                   int admin, const field_lookups *db)
{
    validation *v = validation_create(test_pool);
    fields_check_username(v, params(apr_psprintf(test_pool, "{\"username\":%s}", username_json)),
                          sp, admin, db);
    return msgs(v, "username");
}

static const char *username_errors_of(const char *username, const accounts_space *sp)
{
    validation *v = validation_create(test_pool);
    fields_check_username(v, one("username", json_object_new_string(username)), sp, 0, NULL);
    return msgs(v, "username");
}

/* ---- normalisation ---- */

START_TEST(normalisation_trims_every_string_at_any_depth)
{
    json_object *o = params("{\"a\":\"  x \",\"b\":{\"c\":\"\\tY\\n\",\"d\":[\" z \",\" \",3,{\"e\":\" f\"}]},"
                            "\"g\":5,\"h\":true,\"i\":null,\"j\":\"\\u000b\\f k \\r\",\"l\":\"in side\"}");
    ck_assert_str_eq(serialize(o),
                     "{\"a\":\"x\",\"b\":{\"c\":\"Y\",\"d\":[\"z\",null,3,{\"e\":\"f\"}]},"
                     "\"g\":5,\"h\":true,\"i\":null,\"j\":\"k\",\"l\":\"in side\"}");
}
END_TEST

START_TEST(normalisation_turns_empty_strings_into_null_and_keeps_passwords_untrimmed)
{
    json_object *o = params("{\"password\":\"  pw  \",\"password_confirmation\":\" c \","
                            "\"old_password\":\" o \",\"email\":\"   \",\"n\":\"\"}");
    ck_assert_str_eq(serialize(o),
                     "{\"password\":\"  pw  \",\"password_confirmation\":\" c \","
                     "\"old_password\":\"o\",\"email\":null,\"n\":null}");
    ck_assert_str_eq(serialize(params("{\"password\":\"\",\"password_confirmation\":\"\"}")),
                     "{\"password\":null,\"password_confirmation\":null}");
}
END_TEST

START_TEST(the_password_exception_is_for_top_level_parameters_only)
{
    ck_assert_str_eq(serialize(params("{\"dictionary\":{\"password\":\" x \"}}")),
                     "{\"dictionary\":{\"password\":\"x\"}}");
}
END_TEST

START_TEST(normalisation_leaves_non_ascii_spaces_and_survives_odd_input)
{
    /* U+00A0 is not ASCII whitespace. */
    ck_assert_str_eq(serialize(params("{\"a\":\"\\u00a0x\\u00a0\"}")),
                     "{\"a\":\"\xc2\xa0x\xc2\xa0\"}");
    ck_assert_str_eq(serialize(params("[\" a \",\"\"]")), "[\"a\",null]");
    ck_assert_str_eq(serialize(params("\" a \"")), "\" a \"");
    fields_normalize(NULL);
}
END_TEST

START_TEST(accessors_tell_absent_null_and_values_apart)
{
    json_object *o = params("{\"n\":null,\"s\":\"x\",\"i\":1,\"t\":true,\"f\":false,\"one\":\"1\","
                            "\"zero\":0,\"d\":1.0,\"yes\":\"true\",\"two\":2,\"minus\":-1}");
    ck_assert(fields_present(o, "n"));
    ck_assert(!fields_present(o, "absent"));
    ck_assert(!fields_present(NULL, "n"));
    ck_assert_str_eq(fields_string(o, "s"), "x");
    ck_assert_ptr_null(fields_string(o, "n"));
    ck_assert_ptr_null(fields_string(o, "i"));
    ck_assert_ptr_null(fields_string(o, "absent"));
    ck_assert_ptr_null(fields_string(NULL, "s"));
    ck_assert(fields_true(o, "t"));
    ck_assert(fields_true(o, "i"));
    ck_assert(fields_true(o, "one"));
    ck_assert(!fields_true(o, "f"));
    ck_assert(!fields_true(o, "zero"));
    ck_assert(!fields_true(o, "n"));
    ck_assert(!fields_true(o, "d"));
    ck_assert(!fields_true(o, "yes"));
    ck_assert(!fields_true(o, "two"));
    ck_assert(!fields_true(o, "minus"));
    ck_assert(!fields_true(o, "absent"));
    ck_assert(!fields_true(NULL, "t"));
}
END_TEST

/* ---- username (4.1) ---- */

START_TEST(username_required_fails_alone_and_stops_the_other_rules)
{
    accounts_space *sp = default_space();
    field_lookups taken = { 1, 1, 0, 0, 0 };
    validation *v = validation_create(test_pool);

    fields_check_username(v, params("{}"), sp, 0, &taken);
    ck_assert_str_eq(msgs(v, "username"), "The username field is required.");
    ck_assert_str_eq(username_errors("null", sp, 0, &taken), "The username field is required.");
    ck_assert_str_eq(username_errors("\"  \"", sp, 0, &taken), "The username field is required.");
    ck_assert_str_eq(username_errors("[]", sp, 0, &taken), "The username field is required.");
    ck_assert_str_eq(username_errors("{}", sp, 0, &taken), "The username field is required.");
    v = validation_create(test_pool);
    fields_check_username(v, NULL, sp, 0, &taken);
    ck_assert_str_eq(msgs(v, "username"), "The username field is required.");
}
END_TEST

START_TEST(a_username_that_is_not_a_string_gets_only_the_string_message)
{
    accounts_space *sp = default_space();
    field_lookups taken = { 1, 1, 0, 0, 0 };

    ck_assert_str_eq(username_errors("123456", sp, 0, &taken), "The username must be a string.");
    ck_assert_str_eq(username_errors("true", sp, 0, &taken), "The username must be a string.");
    ck_assert_str_eq(username_errors("[\"johndoe\"]", sp, 0, &taken), "The username must be a string.");
    ck_assert_str_eq(username_errors("{\"a\":\"b\"}", sp, 0, &taken), "The username must be a string.");
}
END_TEST

START_TEST(username_length_is_6_to_64_code_points)
{
    accounts_space *sp = default_space();
    accounts_space *any = space_with("AccountsUsernameRegex", "^.*$", NULL);

    ck_assert_str_eq(username_errors("\"johnd\"", sp, 0, NULL), "The username must be at least 6 characters.");
    ck_assert_str_eq(username_errors("\"johndo\"", sp, 0, NULL), "");
    ck_assert_str_eq(username_errors_of(repeat("a", 64), sp), "");
    ck_assert_str_eq(username_errors_of(repeat("a", 65), sp), "The username may not be greater than 64 characters.");
    ck_assert_str_eq(username_errors_of(repeat("\xc3\xa9", 5), any), "The username must be at least 6 characters.");
    ck_assert_str_eq(username_errors_of(repeat("\xc3\xa9", 6), any), "");
    ck_assert_str_eq(username_errors_of(repeat("\xc3\xa9", 64), any), "");
    ck_assert_str_eq(username_errors_of(repeat("\xc3\xa9", 65), any), "The username may not be greater than 64 characters.");
}
END_TEST

START_TEST(usernames_with_ascii_uppercase_letters_are_refused)
{
    accounts_space *any = space_with("AccountsUsernameRegex", "^.*$", NULL);

    ck_assert_str_eq(username_errors("\"JohnDoe\"", default_space(), 0, NULL),
                     "No uppercase letters are allowed. | The username should be a valid SIP username");
    ck_assert_str_eq(username_errors("\"johndoE\"", any, 0, NULL), "No uppercase letters are allowed.");
    ck_assert_str_eq(username_errors("\"Ajohndoe\"", any, 0, NULL), "No uppercase letters are allowed.");
    ck_assert_str_eq(username_errors("\"johndoeZ\"", any, 0, NULL), "No uppercase letters are allowed.");
    /* Only ASCII lowercasing counts. */
    ck_assert_str_eq(username_errors_of("john\xc3\x89" "doe", any), "");
}
END_TEST

START_TEST(phone_number_usernames_are_refused_unless_admins_may_create_them)
{
    accounts_space *off = default_space();
    accounts_space *on = space_with("AccountsAllowPhoneUsername", "On", NULL);
    const char *phone = "\"+33612121212\"";
    const char *refused = "The username should not be a phone number";

    ck_assert_str_eq(username_errors(phone, off, 0, NULL), refused);
    ck_assert_str_eq(username_errors(phone, off, 1, NULL), refused);
    ck_assert_str_eq(username_errors(phone, on, 0, NULL), refused);
    ck_assert_str_eq(username_errors(phone, on, 1, NULL), "");
    ck_assert_str_eq(username_errors("\"+1-415-555-2671\"", off, 0, NULL), refused);
    /* Not in international form: not a phone number. */
    ck_assert_str_eq(username_errors("\"33612121212\"", off, 0, NULL), "");
    ck_assert_str_eq(username_errors("\"0612121212\"", off, 0, NULL), "");
    ck_assert_str_eq(username_errors("\"+1234567\"", off, 0, NULL), "");
}
END_TEST

START_TEST(blacklist_items_are_literals_or_unanchored_patterns)
{
    accounts_space *sp = space_with("AccountsBlacklistedUsernames", "foobar, username-.*,xx[yyyy,b(a", NULL);
    accounts_space *any = space_with("AccountsBlacklistedUsernames", "foobar,username-.*,xx[yyyy,b(a",
                                     "AccountsUsernameRegex", "^.*$", NULL);
    const char *used = "Username already used.";

    ck_assert_str_eq(username_errors_of("myfoobar1", sp), used);
    ck_assert_str_eq(username_errors_of("foobar", sp), used);
    ck_assert_str_eq(username_errors_of("username-gnap", sp), used);
    ck_assert_str_eq(username_errors_of("valid-username", sp), "");
    /* Items that do not compile are compared literally only. */
    ck_assert_str_eq(username_errors_of("xx[yyyy", any), used);
    ck_assert_str_eq(username_errors_of("axx[yyyyb", any), "");
    ck_assert_str_eq(username_errors_of("b(a-is-ok", any), "");
    /* Several matching items still make one message. */
    ck_assert_str_eq(username_errors_of("username-foobar", sp), used);
    ck_assert_str_eq(username_errors_of("myfoobar1", default_space()), "");
}
END_TEST

START_TEST(usernames_must_match_the_space_regex)
{
    accounts_space *sp = default_space();
    accounts_space *letters = space_with("AccountsUsernameRegex", "^[a-z]+$", NULL);
    const char *invalid = "The username should be a valid SIP username";

    ck_assert_str_eq(username_errors_of("john.doe+1_-", sp), "");
    ck_assert_str_eq(username_errors_of("john doe", sp), invalid);
    ck_assert_str_eq(username_errors_of("john@doe", sp), invalid);
    ck_assert_str_eq(username_errors_of("j\xc3\xb6hndoe", sp), invalid);
    ck_assert_str_eq(username_errors_of("john.doe", letters), invalid);
    ck_assert_str_eq(username_errors_of("johndoe", letters), "");
}
END_TEST

START_TEST(taken_and_tombstoned_usernames_each_add_the_taken_message)
{
    accounts_space *sp = default_space();
    field_lookups taken = { 1, 0, 0, 0, 0 }, tomb = { 0, 1, 0, 0, 0 }, both = { 1, 1, 1, 1, 1 };
    field_lookups none = { 0, 0, 1, 1, 1 };

    ck_assert_str_eq(username_errors("\"johndoe\"", sp, 0, &taken), "The username has already been taken.");
    ck_assert_str_eq(username_errors("\"johndoe\"", sp, 0, &tomb), "The username has already been taken.");
    ck_assert_str_eq(username_errors("\"johndoe\"", sp, 0, &both),
                     "The username has already been taken. | The username has already been taken.");
    ck_assert_str_eq(username_errors("\"johndoe\"", sp, 0, &none), "");
}
END_TEST

START_TEST(username_rules_all_report_in_rule_order)
{
    accounts_space *sp = space_with("AccountsBlacklistedUsernames", "bar,336", NULL);
    field_lookups both = { 1, 1, 0, 0, 0 };

    ck_assert_str_eq(username_errors("\"X bar\"", sp, 0, &both),
                     "The username must be at least 6 characters. | No uppercase letters are allowed. | "
                     "Username already used. | The username should be a valid SIP username | "
                     "The username has already been taken. | The username has already been taken.");
    ck_assert_str_eq(username_errors(apr_psprintf(test_pool, "\"B%s\"", repeat("a", 64)), sp, 0, NULL),
                     "The username may not be greater than 64 characters. | No uppercase letters are allowed. | "
                     "The username should be a valid SIP username");
    ck_assert_str_eq(username_errors("\"+33612121212\"", sp, 0, &both),
                     "The username should not be a phone number | Username already used. | "
                     "The username has already been taken. | The username has already been taken.");
}
END_TEST

/* ---- password and algorithm (4.2) ---- */

static const char *password_errors(const char *json, int min)
{
    validation *v = validation_create(test_pool);
    fields_check_password(v, params(json), min);
    return msgs(v, "password");
}

START_TEST(password_is_required_a_string_and_at_least_min_code_points)
{
    ck_assert_str_eq(password_errors("{}", 6), "The password field is required.");
    ck_assert_str_eq(password_errors("{\"password\":null}", 6), "The password field is required.");
    ck_assert_str_eq(password_errors("{\"password\":\"\"}", 6), "The password field is required.");
    /* Not trimmed, yet whitespace only is "empty" to Laravel's required. */
    ck_assert_str_eq(password_errors("{\"password\":\"       \"}", 6), "The password field is required.");
    ck_assert_str_eq(password_errors("{\"password\":[]}", 6), "The password field is required.");
    ck_assert_str_eq(password_errors("{\"password\":123456}", 6), "The password must be a string.");
    ck_assert_str_eq(password_errors("{\"password\":[\"secret1\"]}", 6), "The password must be a string.");
    ck_assert_str_eq(password_errors("{\"password\":false}", 6), "The password must be a string.");
    ck_assert_str_eq(password_errors("{\"password\":\"12345\"}", 6), "The password must be at least 6 characters.");
    ck_assert_str_eq(password_errors("{\"password\":\"123456\"}", 6), "");
    ck_assert_str_eq(password_errors("{\"password\":\" 1234 \"}", 6), "");
    ck_assert_str_eq(password_errors("{\"password\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}", 6),
                     "The password must be at least 6 characters.");
    ck_assert_str_eq(password_errors("{\"password\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}", 6), "");
    ck_assert_str_eq(password_errors("{\"password\":\"ab\"}", 3), "The password must be at least 3 characters.");
    ck_assert_str_eq(password_errors("{\"password\":\"a\"}", 0), "");
}
END_TEST

static const char *algorithm_errors(const char *json)
{
    validation *v = validation_create(test_pool);
    fields_check_algorithm(v, params(json));
    return msgs(v, "algorithm");
}

START_TEST(algorithm_is_required_then_exactly_md5_or_sha256)
{
    const char *bad = "The password algorithm must be in MD5, SHA-256";

    ck_assert_str_eq(algorithm_errors("{}"), "The algorithm field is required.");
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":null}"), "The algorithm field is required.");
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":\" \"}"), "The algorithm field is required.");
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":\"MD5\"}"), "");
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":\" SHA-256 \"}"), "");
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":\"md5\"}"), bad);
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":\"SHA256\"}"), bad);
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":\"CLRTXT\"}"), bad);
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":5}"), bad);
    ck_assert_str_eq(algorithm_errors("{\"algorithm\":[\"MD5\"]}"), bad);
}
END_TEST

/* ---- email (4.3) ---- */

static const char *email_errors_of(json_object *value, const accounts_space *sp, const field_lookups *db)
{
    validation *v = validation_create(test_pool);
    fields_check_email(v, one("email", value), sp, db);
    return msgs(v, "email");
}

START_TEST(practical_email_validity)
{
    static const char *const valid[] = {
        "user@localhost", "\"quoted local\"@example.org", "a.b@[192.0.2.1]",
        "john.doe+tag@sub.example.com", "o'hara@x.org", "!#$%&'*+/=?^_`{|}~-@x.org",
        "a@b-c.d", "\"a\\\"b\"@x.org", "\"a@b\"@x.org", "1@2", "a@[IPv6:2001:db8::1]",
        "A.B@EXAMPLE.ORG",
    };
    static const char *const invalid[] = {
        "a..b@x", ".a@x", "a.@x", "a@-x.org", "a@x-.org", "a b@x.org", "a@b@c", "@x.org",
        "a@", "a", "a@x..org", "a@x.org.", "a@.x.org", "a@x_y.org", "a@x org", "\"a\tb\"@x.org",
        "a\x01" "b@x.org", "\"unterminated@x.org", "\"q\"x@y.org", "a@[]", "a@[1.2.3.4",
        "a@[1.2]3]", "a@[1.[2]", "a@[1\\2]", "a(b)@x.org", "a,b@x.org", "a\\b@x.org", "j\xc3\xb6hn@x.org",
        "a@\xc3\xa9.org", "\"\xc3\xa9\"@x.org", "a@x.org\x7f",
    };
    accounts_space *sp = default_space();

    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        ck_assert_msg(strcmp(email_errors_of(json_object_new_string(valid[i]), sp, NULL), "") == 0,
                      "%s should be valid", valid[i]);
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        ck_assert_msg(strcmp(email_errors_of(json_object_new_string(invalid[i]), sp, NULL),
                             "The email must be a valid email address.") == 0,
                      "%s should be invalid", invalid[i]);
    }
    /* The local part is 1 to 64 octets. */
    ck_assert_str_eq(email_errors_of(json_object_new_string(
        apr_pstrcat(test_pool, repeat("a", 64), "@x.org", NULL)), sp, NULL), "");
    ck_assert_str_eq(email_errors_of(json_object_new_string(
        apr_pstrcat(test_pool, repeat("a", 65), "@x.org", NULL)), sp, NULL),
        "The email must be a valid email address.");
}
END_TEST

START_TEST(email_is_nullable_then_valid_then_at_most_255_then_unique)
{
    accounts_space *unique = default_space();
    accounts_space *shared = space_with("AccountsEmailUnique", "Off", NULL);
    field_lookups taken = { 1, 1, 1, 1, 1 };
    const char *long_ok = apr_pstrcat(test_pool, "a@", repeat("b", 249), ".org", NULL);    /* 255 */
    const char *too_long = apr_pstrcat(test_pool, "a@", repeat("b", 250), ".org", NULL);   /* 256 */
    validation *v = validation_create(test_pool);

    fields_check_email(v, params("{}"), unique, &taken);
    fields_check_email(v, params("{\"email\":null}"), unique, &taken);
    fields_check_email(v, params("{\"email\":\"  \"}"), unique, &taken);
    fields_check_email(v, NULL, unique, &taken);
    ck_assert(!validation_failed(v));

    ck_assert_str_eq(email_errors_of(json_object_new_string(long_ok), unique, NULL), "");
    ck_assert_str_eq(email_errors_of(json_object_new_string(too_long), unique, NULL),
                     "The email may not be greater than 255 characters.");
    ck_assert_str_eq(email_errors_of(json_object_new_string("a@x.org"), unique, &taken),
                     "The email has already been taken.");
    ck_assert_str_eq(email_errors_of(json_object_new_string("a@x.org"), shared, &taken), "");
    ck_assert_str_eq(email_errors_of(json_object_new_string("a@x.org"), NULL, &taken), "");
    ck_assert_str_eq(email_errors_of(json_object_new_string(
        apr_pstrcat(test_pool, "a b@", repeat("b", 260), NULL)), unique, &taken),
        "The email must be a valid email address. | The email may not be greater than 255 characters. | "
        "The email has already been taken.");
    ck_assert_str_eq(email_errors_of(json_object_new_int(42), unique, &taken),
                     "The email must be a valid email address.");
    ck_assert_str_eq(email_errors_of(json_object_new_array(), unique, NULL),
                     "The email must be a valid email address.");
}
END_TEST

/* ---- phone (4.4) ---- */

START_TEST(phone_validity_is_international_form_with_a_plausible_length)
{
    static const struct { const char *phone, *code; } valid[] = {
        { "+33612121212", "33" }, { "+31612345678", "31" }, { "+33 6 12 12 12 12", "33" },
        { "+1 (415) 555-2671", "1" }, { "+7 912 345-67-89", "7" }, { "+44 20 7946 0958", "44" },
        { "+49 30 123456", "49" }, { "+86 10 1234 5678", "86" }, { "+32 470 12 34 56", "32" },
        { "+32 2 123 45 67", "32" }, { "+39 06 1234 5678", "39" }, { "+41 44 668 18 00", "41" },
        { "+43 1 234567", "43" }, { "+61 4 1234 5678", "61" }, { "+81 3-1234-5678", "81" },
        { "+91 98765 43210", "91" }, { "+55 11 91234-5678", "55" }, { "+34 612 34 56 78", "34" },
        { "+352 1234", "352" }, { "+212 6 12 34 56 78", "212" }, { "+998 90 123 45 67", "998" },
        { "(+33) 6.12.12.12.12", "33" }, { "+800 1234 5678", "800" },
        { "+43 12345", "43" },
    };
    static const char *const invalid[] = {
        "+1234", "0612121212", "33612121212", "+3361212121", "+336121212123", "+1 415 555 267",
        "+999 123456789", "+259 1234567", "+379 12345678", "+33 6 12 12 12 12 x", "++33612121212",
        "+33+612121212", "+1234567890123456", "+", "", "+33\t612121212", "+33/612121212",
        "+0 612121212", "+43 1234", "phone", "+33 6 12 12 12 1\xc3\xa9",
    };
    const char *code;

    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        code = NULL;
        ck_assert_msg(fields_phone_valid(test_pool, valid[i].phone, &code), "%s should be valid", valid[i].phone);
        ck_assert_str_eq(code, valid[i].code);
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        code = "untouched";
        ck_assert_msg(!fields_phone_valid(test_pool, invalid[i], &code), "%s should be invalid", invalid[i]);
        ck_assert_str_eq(code, "untouched");
    }
    ck_assert(!fields_phone_valid(test_pool, NULL, &code));
    ck_assert(fields_phone_valid(NULL, "+33612121212", NULL));
}
END_TEST

static const char *phone_errors(const char *json, const accounts_space *sp, const field_lookups *db)
{
    validation *v = validation_create(test_pool);
    fields_check_phone(v, params(json), sp, db);
    return msgs(v, "phone");
}

START_TEST(phone_rules_list_every_failure_in_order)
{
    accounts_space *all = default_space();
    accounts_space *fr_nl = space_with("AccountsAllowedPhoneCountries", "33", "AccountsAllowedPhoneCountries", "31", NULL);
    field_lookups taken = { 0, 0, 0, 1, 0 }, is_username = { 0, 0, 0, 0, 1 }, both = { 1, 1, 1, 1, 1 };
    const char *invalid = "The phone field contains an invalid number. | "
                          "The phone number must belong to an authorized country.";

    ck_assert_str_eq(phone_errors("{}", all, &both), "");
    ck_assert_str_eq(phone_errors("{\"phone\":null}", all, &both), "");
    ck_assert_str_eq(phone_errors("{\"phone\":\"\"}", all, &both), "");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+33612121212\"}", all, NULL), "");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+1 415 555 2671\"}", all, NULL), "");
    ck_assert_str_eq(phone_errors("{\"phone\":\"0612121212\"}", all, NULL), invalid);
    ck_assert_str_eq(phone_errors("{\"phone\":\"+1234\"}", fr_nl, NULL), invalid);
    ck_assert_str_eq(phone_errors("{\"phone\":33612121212}", all, NULL), invalid);
    ck_assert_str_eq(phone_errors("{\"phone\":[\"+33612121212\"]}", all, NULL), invalid);
    ck_assert_str_eq(phone_errors("{\"phone\":\"+33612121212\"}", fr_nl, NULL), "");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+31612345678\"}", fr_nl, NULL), "");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+14155552671\"}", fr_nl, NULL),
                     "The phone number must belong to an authorized country.");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+33612121212\"}", all, &taken), "The phone has already been taken.");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+33612121212\"}", all, &is_username), "The phone has already been taken.");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+33612121212\"}", all, &both),
                     "The phone has already been taken. | The phone has already been taken.");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+44 20\"}", all, &both),
                     "The phone field contains an invalid number. | "
                     "The phone number must belong to an authorized country. | "
                     "The phone has already been taken. | The phone has already been taken.");
    ck_assert_str_eq(phone_errors("{\"phone\":\"+33612121212\"}", NULL, NULL), "");
}
END_TEST

/* +33612121212 padded with spaces inside, which the digit count ignores
 * and trimming keeps, to len characters (len >= 12). */
static const char *spaced_phone(int len)
{
    return apr_pstrcat(test_pool, "+33", repeat(" ", len - 12), "612121212", NULL);
}

static const char *phone_json(const char *phone)
{
    return apr_psprintf(test_pool, "{\"phone\":\"%s\"}", phone);
}

START_TEST(phone_is_at_most_64_characters_separators_included)
{
    accounts_space *all = default_space();
    field_lookups both = { 1, 1, 1, 1, 1 };
    const char *max = "The phone may not be greater than 64 characters.";

    /* Why the rule is needed: such a number is valid, and the column
     * (varchar(64)) refused it with a 503. */
    ck_assert(fields_phone_valid(NULL, spaced_phone(200), NULL));
    ck_assert_str_eq(phone_errors(phone_json(spaced_phone(64)), all, NULL), "");
    ck_assert_str_eq(phone_errors(phone_json(spaced_phone(65)), all, NULL), max);
    ck_assert_str_eq(phone_errors(phone_json(apr_pstrcat(test_pool, "+33", repeat("-", 53), "612121212", NULL)),
                                  all, NULL), max);
    /* Characters, not bytes: 64 characters in 116 bytes are not too long. */
    ck_assert_str_eq(phone_errors(phone_json(apr_pstrcat(test_pool, "+33612121212", repeat("\\u00e9", 52), NULL)),
                                  all, NULL),
                     "The phone field contains an invalid number. | "
                     "The phone number must belong to an authorized country.");
    /* The last rule, after the contract's. */
    ck_assert_str_eq(phone_errors(phone_json(apr_pstrcat(test_pool, "+", repeat("1", 70), NULL)), all, &both),
                     "The phone field contains an invalid number. | "
                     "The phone number must belong to an authorized country. | "
                     "The phone has already been taken. | The phone has already been taken. | "
                     "The phone may not be greater than 64 characters.");
}
END_TEST

/* ---- dtmf_protocol (4.5) ---- */

static const char *dtmf_errors(const char *json)
{
    validation *v = validation_create(test_pool);
    fields_check_dtmf_protocol(v, params(json));
    return msgs(v, "dtmf_protocol");
}

START_TEST(dtmf_protocol_is_nullable_and_one_of_three)
{
    const char *bad = "The selected dtmf protocol is invalid.";

    ck_assert_str_eq(dtmf_errors("{}"), "");
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":null}"), "");
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":\"\"}"), "");
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":\"sipinfo\"}"), "");
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":\" rfc2833 \"}"), "");
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":\"sipmessage\"}"), "");
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":\"SIPINFO\"}"), bad);
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":\"inband\"}"), bad);
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":1}"), bad);
    ck_assert_str_eq(dtmf_errors("{\"dtmf_protocol\":[\"sipinfo\"]}"), bad);
}
END_TEST

/* ---- dictionary (4.6) ---- */

static const char *dictionary_errors(const char *json)
{
    validation *v = validation_create(test_pool);
    fields_check_dictionary(v, params(json));
    return msgs(v, "dictionary");
}

START_TEST(dictionary_is_an_object_of_short_strings_with_non_integer_keys)
{
    const char *bad = "The dictionary must be an associative dictionary of strings";

    ck_assert_str_eq(dictionary_errors("{}"), "");
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{}}"), "");
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":[]}"), "");
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":\"b\",\"01\":\"x\",\"-\":\"y\",\"1a\":\"z\","
                                       "\"-0\":\"v\",\"1.5\":\"w\",\" k \":\" t \"}}"), "");
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":null}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":\"\"}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":\"a=b\"}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":5}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":true}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":[\"a\"]}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"1\":\"x\"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"0\":\"x\"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"42\":\"x\"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"-5\":\"x\"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"\":\"x\"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":\"\"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":\"   \"}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":null}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":5}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":true}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":{\"b\":\"c\"}}}"), bad);
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"a\":[\"c\"]}}"), bad);
    /* Unnormalised input: an empty value is still refused. */
    {
        validation *v = validation_create(test_pool);
        fields_check_dictionary(v, pool_owned(json_tokener_parse("{\"dictionary\":{\"a\":\"\"}}")));
        ck_assert_str_eq(msgs(v, "dictionary"), bad);
    }
    /* Many failures, one message. */
    ck_assert_str_eq(dictionary_errors("{\"dictionary\":{\"1\":null,\"\":5}}"), bad);
}
END_TEST

START_TEST(dictionary_keys_and_values_hold_at_most_255_code_points)
{
    const char *bad = "The dictionary must be an associative dictionary of strings";
    const char *e255 = repeat("\\u00e9", 255), *e256 = repeat("\\u00e9", 256);

    ck_assert_str_eq(dictionary_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"%s\":\"%s\"}}", e255, e255)), "");
    ck_assert_str_eq(dictionary_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"%s\":\"v\"}}", e256)), bad);
    ck_assert_str_eq(dictionary_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"k\":\"%s\"}}", e256)), bad);
    ck_assert_str_eq(dictionary_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"k\":\" %s \"}}", e255)), "");
}
END_TEST

/* ---- domain (4.7) ---- */

START_TEST(a_present_domain_must_name_a_configured_space)
{
    space_registry *reg = space_registry_create(test_pool);
    accounts_space *other = space_create(test_pool);
    const char *bad = "The selected domain is invalid.";
    static const char *const refused[] = {
        "{\"domain\":null}", "{\"domain\":\"\"}", "{\"domain\":\"  \"}", "{\"domain\":\"unknown.org\"}",
        "{\"domain\":5}", "{\"domain\":[\"sip.example.com\"]}", "{\"domain\":\"sip.example.com.\"}",
    };
    validation *v;

    space_setting_set(test_pool, other, space_setting_find("AccountsSpace"), "other.example.org", NULL);
    ck_assert_ptr_null(space_resolve(test_pool, other, NULL, "secret"));
    ck_assert_ptr_null(space_registry_add(reg, default_space()));
    ck_assert_ptr_null(space_registry_add(reg, other));

    v = validation_create(test_pool);
    fields_check_domain(v, params("{}"), reg);
    fields_check_domain(v, params("{\"domain\":\"sip.example.com\"}"), reg);
    fields_check_domain(v, params("{\"domain\":\" Other.Example.ORG \"}"), reg);
    fields_check_domain(v, NULL, reg);
    ck_assert(!validation_failed(v));
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        v = validation_create(test_pool);
        fields_check_domain(v, params(refused[i]), reg);
        ck_assert_msg(strcmp(msgs(v, "domain"), bad) == 0, "%s should be refused", refused[i]);
    }
    v = validation_create(test_pool);
    fields_check_domain(v, params("{\"domain\":\"sip.example.com\"}"), NULL);
    ck_assert_str_eq(msgs(v, "domain"), bad);
}
END_TEST

/* ---- booleans (4.8) ---- */

START_TEST(booleans_accept_true_false_one_zero_and_null)
{
    static const char *const accepted[] = {
        "true", "false", "1", "0", "\"1\"", "\"0\"", "null", "\"\"", "\" 1 \"",
    };
    static const char *const refused[] = {
        "\"true\"", "\"false\"", "\"yes\"", "2", "-1", "1.0", "0.0", "\"01\"", "[]", "{}", "[true]",
    };
    validation *v;

    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        v = validation_create(test_pool);
        fields_check_boolean(v, params(apr_psprintf(test_pool, "{\"admin\":%s}", accepted[i])), "admin");
        ck_assert_msg(!validation_failed(v), "%s should be accepted", accepted[i]);
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        v = validation_create(test_pool);
        fields_check_boolean(v, params(apr_psprintf(test_pool, "{\"blocked\":%s}", refused[i])), "blocked");
        ck_assert_msg(strcmp(msgs(v, "blocked"), "The blocked field must be true or false.") == 0,
                      "%s should be refused", refused[i]);
    }
    v = validation_create(test_pool);
    fields_check_boolean(v, params("{}"), "activated");
    fields_check_boolean(v, NULL, "activated");
    ck_assert(!validation_failed(v));
    fields_check_boolean(v, params("{\"is_on\":\"on\"}"), "is_on");
    ck_assert_str_eq(msgs(v, "is_on"), "The is on field must be true or false.");
}
END_TEST

/* ---- display_name (4.9) ---- */

static const char *display_name_errors(const char *json)
{
    validation *v = validation_create(test_pool);
    fields_check_display_name(v, params(json));
    return msgs(v, "display_name");
}

START_TEST(display_name_is_a_nullable_string_of_at_most_255_code_points)
{
    ck_assert_str_eq(display_name_errors("{}"), "");
    ck_assert_str_eq(display_name_errors("{\"display_name\":null}"), "");
    ck_assert_str_eq(display_name_errors("{\"display_name\":\"  \"}"), "");
    ck_assert_str_eq(display_name_errors("{\"display_name\":\"J\\u00f6hn Doe\"}"), "");
    ck_assert_str_eq(display_name_errors(apr_psprintf(test_pool, "{\"display_name\":\"%s\"}",
                                                      repeat("\\u00e9", 255))), "");
    ck_assert_str_eq(display_name_errors(apr_psprintf(test_pool, "{\"display_name\":\"%s\"}",
                                                      repeat("\\u00e9", 256))),
                     "The display name may not be greater than 255 characters.");
    ck_assert_str_eq(display_name_errors("{\"display_name\":5}"), "The display name must be a string.");
    ck_assert_str_eq(display_name_errors("{\"display_name\":[]}"), "The display name must be a string.");
    ck_assert_str_eq(display_name_errors("{\"display_name\":true}"), "The display name must be a string.");
}
END_TEST

/* ---- type and action keys and codes (api-lifecycle.md 7.2, 7.3) ---- */

static const char *label_errors(const char *json, int dashes_allowed, const char **text)
{
    validation *v = validation_create(test_pool);
    fields_check_label(v, fields_normalize_params(json), "key", dashes_allowed, text);
    return msgs(v, "key");
}

START_TEST(labels_are_required_alpha_dash_or_alpha_num_lowercase_and_short)
{
    const char *text;

    ck_assert_str_eq(label_errors("{\"key\":\"door-1_b\"}", 1, &text), "");
    ck_assert_str_eq(text, "door-1_b");
    ck_assert_str_eq(label_errors("{\"key\":\"  open \"}", 1, &text), "");
    ck_assert_str_eq(text, "open");
    ck_assert_str_eq(label_errors("{\"key\":12}", 0, &text), "");
    ck_assert_str_eq(text, "12");
    ck_assert_str_eq(label_errors("{}", 1, &text), "The key field is required.");
    ck_assert_ptr_null(text);
    ck_assert_str_eq(label_errors("{\"key\":\"\"}", 1, &text), "The key field is required.");
    ck_assert_str_eq(label_errors("{\"key\":null}", 1, &text), "The key field is required.");
    ck_assert_str_eq(label_errors("{\"key\":\"door-1\"}", 0, &text),
                     "The key may only contain letters and numbers.");
    ck_assert_ptr_null(text);
    /* Rules are not short-circuited (api.md 1.5): every failing message. */
    ck_assert_str_eq(label_errors("{\"key\":\"Door!\"}", 1, &text),
                     "The key may only contain letters, numbers, dashes and underscores."
                     " | No uppercase letters are allowed.");
    ck_assert_str_eq(label_errors("{\"key\":\"d\\u00f6or\"}", 1, &text),
                     "The key may only contain letters, numbers, dashes and underscores.");
    ck_assert_str_eq(label_errors(apr_psprintf(test_pool, "{\"key\":\"%s\"}", repeat("a", 255)), 1,
                                  &text), "");
    ck_assert_str_eq(label_errors(apr_psprintf(test_pool, "{\"key\":\"%s\"}", repeat("A", 256)), 1,
                                  &text),
                     "No uppercase letters are allowed. | The key may not be greater than 255 characters.");
    ck_assert_ptr_null(text);
    ck_assert_str_eq(label_errors("{\"key\":true}", 1, &text),
                     "The key may only contain letters, numbers, dashes and underscores.");
    ck_assert_str_eq(label_errors("{\"key\":[\"a\"]}", 0, &text),
                     "The key may only contain letters and numbers.");
    ck_assert_str_eq(label_errors("{\"key\":1.5}", 1, &text),
                     "The key may only contain letters, numbers, dashes and underscores.");
}
END_TEST

/* ---- column bounds (sql/0001_init.sql) ---- */

/* The field's messages after every rule of POST /accounts (5.10). */
static const char *admin_create_errors(const char *json, const char *field)
{
    accounts_space *sp = default_space();
    json_object *p = params(json);
    validation *v = validation_create(test_pool);

    fields_check_username(v, p, sp, 1, NULL);
    fields_check_dictionary(v, p);
    fields_check_password(v, p, 6);
    fields_check_email(v, p, sp, NULL);
    fields_check_dtmf_protocol(v, p);
    fields_check_phone(v, p, sp, NULL);
    fields_check_algorithm(v, p);
    fields_check_display_name(v, p);
    return msgs(v, field);
}

START_TEST(no_field_passes_with_a_value_longer_than_its_column)
{
    const char *dict = "The dictionary must be an associative dictionary of strings";
    const char *e255 = repeat("\\u00e9", 255), *e256 = repeat("\\u00e9", 256);
    const struct { const char *field, *fits, *too_long, *refusal; } cases[] = {
        { "username", repeat("a", 64), repeat("a", 65),
          "The username may not be greater than 64 characters." },
        { "email", apr_pstrcat(test_pool, "a@", repeat("b", 253), NULL),
          apr_pstrcat(test_pool, "a@", repeat("b", 254), NULL),
          "The email may not be greater than 255 characters." },
        { "phone", spaced_phone(64), spaced_phone(65), "The phone may not be greater than 64 characters." },
        { "dtmf_protocol", "sipmessage", "sipmessage-sipinfo", "The selected dtmf protocol is invalid." },
        { "display_name", e255, e256, "The display name may not be greater than 255 characters." },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *f = cases[i].field;
        ck_assert_str_eq(admin_create_errors(apr_psprintf(test_pool, "{\"%s\":\"%s\"}", f, cases[i].fits), f), "");
        ck_assert_str_eq(admin_create_errors(apr_psprintf(test_pool, "{\"%s\":\"%s\"}", f, cases[i].too_long), f),
                         cases[i].refusal);
    }
    /* account_dictionary_entries.key and .value */
    ck_assert_str_eq(admin_create_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"%s\":\"%s\"}}", e255, e255),
                                         "dictionary"), "");
    ck_assert_str_eq(admin_create_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"%s\":\"v\"}}", e256),
                                         "dictionary"), dict);
    ck_assert_str_eq(admin_create_errors(apr_psprintf(test_pool, "{\"dictionary\":{\"k\":\"%s\"}}", e256),
                                         "dictionary"), dict);
}
END_TEST

/* ---- several fields ---- */

START_TEST(fields_report_in_the_order_they_are_checked)
{
    validation *v = validation_create(test_pool);
    json_object *p = params("{\"dtmf_protocol\":\"x\",\"username\":null}");
    json_object *body, *message;

    fields_check_username(v, p, default_space(), 0, NULL);
    fields_check_password(v, p, 6);
    fields_check_algorithm(v, p);
    fields_check_dtmf_protocol(v, p);
    body = validation_to_json(v);
    json_object_object_get_ex(body, "message", &message);
    ck_assert_str_eq(json_object_get_string(message), "The username field is required. (and 3 more errors)");
    ck_assert_str_eq(serialize(body),
                     "{\"message\":\"The username field is required. (and 3 more errors)\",\"errors\":{"
                     "\"username\":[\"The username field is required.\"],"
                     "\"password\":[\"The password field is required.\"],"
                     "\"algorithm\":[\"The algorithm field is required.\"],"
                     "\"dtmf_protocol\":[\"The selected dtmf protocol is invalid.\"]}}");
}
END_TEST

START_TEST(utf8_validity_refuses_what_postgresql_refuses)
{
    ck_assert(utf8_valid("", 0));
    ck_assert(utf8_valid("plain ascii", 11));
    ck_assert(utf8_valid("a\0b", 3));                          /* NUL is UTF-8 (refused elsewhere) */
    ck_assert(utf8_valid("\xc3\xa9\xe2\x98\x8e\xf0\x9f\x98\x80", 9));  /* e acute, phone, emoji */
    ck_assert(utf8_valid("\xf4\x8f\xbf\xbf", 4));               /* U+10FFFF */
    ck_assert(!utf8_valid("\xff", 1));
    ck_assert(!utf8_valid("\x80", 1));                          /* stray continuation byte */
    ck_assert(!utf8_valid("\xc0\xaf", 2));                      /* overlong '/' */
    ck_assert(!utf8_valid("\xe0\x80\xaf", 3));                  /* overlong, 3 bytes */
    ck_assert(!utf8_valid("\xed\xa0\x80", 3));                  /* UTF-16 surrogate */
    ck_assert(!utf8_valid("\xf4\x90\x80\x80", 4));              /* beyond U+10FFFF */
    ck_assert(!utf8_valid("\xe2\x98", 2));                      /* cut short */
    ck_assert(!utf8_valid("\xc3\xa9", 1));                      /* cut by the length */
    ck_assert_uint_eq(utf8_char("\xe2\x98\x8etail", 7), 3);
    ck_assert_uint_eq(utf8_char("\xe9t", 2), 0);                  /* Latin-1 */
    ck_assert_uint_eq(utf8_char("x", 0), 0);
}
END_TEST

START_TEST(email_validity_is_exported_for_stored_addresses)
{
    ck_assert(fields_email_valid("alice@example.org"));
    ck_assert(fields_email_valid("o'brien%_x@example.org"));
    ck_assert(!fields_email_valid(NULL));
    ck_assert(!fields_email_valid("alice@example.org\r\nBcc: evil@example.org"));
    ck_assert(!fields_email_valid("alice@example.org, evil@example.org"));
    ck_assert(!fields_email_valid("Friends: evil@example.org;"));
    ck_assert(!fields_email_valid("\"a\r\nb\"@example.org"));
}
END_TEST

Suite *fields_suite(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("fields");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, normalisation_trims_every_string_at_any_depth);
    tcase_add_test(tc, normalisation_turns_empty_strings_into_null_and_keeps_passwords_untrimmed);
    tcase_add_test(tc, the_password_exception_is_for_top_level_parameters_only);
    tcase_add_test(tc, normalisation_leaves_non_ascii_spaces_and_survives_odd_input);
    tcase_add_test(tc, accessors_tell_absent_null_and_values_apart);
    tcase_add_test(tc, username_required_fails_alone_and_stops_the_other_rules);
    tcase_add_test(tc, a_username_that_is_not_a_string_gets_only_the_string_message);
    tcase_add_test(tc, username_length_is_6_to_64_code_points);
    tcase_add_test(tc, usernames_with_ascii_uppercase_letters_are_refused);
    tcase_add_test(tc, phone_number_usernames_are_refused_unless_admins_may_create_them);
    tcase_add_test(tc, blacklist_items_are_literals_or_unanchored_patterns);
    tcase_add_test(tc, usernames_must_match_the_space_regex);
    tcase_add_test(tc, taken_and_tombstoned_usernames_each_add_the_taken_message);
    tcase_add_test(tc, username_rules_all_report_in_rule_order);
    tcase_add_test(tc, password_is_required_a_string_and_at_least_min_code_points);
    tcase_add_test(tc, algorithm_is_required_then_exactly_md5_or_sha256);
    tcase_add_test(tc, practical_email_validity);
    tcase_add_test(tc, email_is_nullable_then_valid_then_at_most_255_then_unique);
    tcase_add_test(tc, phone_validity_is_international_form_with_a_plausible_length);
    tcase_add_test(tc, phone_rules_list_every_failure_in_order);
    tcase_add_test(tc, phone_is_at_most_64_characters_separators_included);
    tcase_add_test(tc, dtmf_protocol_is_nullable_and_one_of_three);
    tcase_add_test(tc, dictionary_is_an_object_of_short_strings_with_non_integer_keys);
    tcase_add_test(tc, dictionary_keys_and_values_hold_at_most_255_code_points);
    tcase_add_test(tc, a_present_domain_must_name_a_configured_space);
    tcase_add_test(tc, booleans_accept_true_false_one_zero_and_null);
    tcase_add_test(tc, display_name_is_a_nullable_string_of_at_most_255_code_points);
    tcase_add_test(tc, labels_are_required_alpha_dash_or_alpha_num_lowercase_and_short);
    tcase_add_test(tc, no_field_passes_with_a_value_longer_than_its_column);
    tcase_add_test(tc, fields_report_in_the_order_they_are_checked);
    tcase_add_test(tc, utf8_validity_refuses_what_postgresql_refuses);
    tcase_add_test(tc, email_validity_is_exported_for_stored_addresses);
    suite_add_tcase(s, tc);
    return s;
}
