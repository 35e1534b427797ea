/* The body parser (api.md 1.3): strict JSON (RFC 8259) in well-formed
 * UTF-8, or a refusal whose reason follows "Invalid JSON: ". The refused
 * inputs are what libFuzzer found json-c's strict mode to let through
 * (fuzz/regressions/json/). */
#include "suites.h"
/* Spelled out: json-c's include directory has a json.h of its own. */
#include "../../mod_accounts/json.h"

#include <string.h>

/* The parser's reason for refusing the len bytes of text, NULL when it
 * accepts them. */
static const char *refusal(const char *text, size_t len)
{
    const char *error = NULL;
    json_object *o = json_pool_parse(test_pool, text, len, 64, &error);

    if (o) {
        ck_assert_ptr_null(error);
        return NULL;
    }
    ck_assert_ptr_nonnull(error);
    return error;
}

#define REFUSAL(literal) refusal(literal, sizeof(literal) - 1)

START_TEST(json_is_accepted)
{
    ck_assert_ptr_null(REFUSAL("{\"a\":[1,-0,0.5,-1.5e-3,1E+2,true,false,null],\"b\":{}}"));
    ck_assert_ptr_null(REFUSAL(" \t\r\n{\"escapes\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"} \n"));
    ck_assert_ptr_null(REFUSAL("{\"pair\":\"\\ud83d\\ude00\",\"raw\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}"));
    /* A backslash escaped, then text that only looks like an escape. */
    ck_assert_ptr_null(REFUSAL("{\"a\":\"\\\\ud800\"}"));
    ck_assert_ptr_null(REFUSAL("[\"\\u0000\"]"));   /* NUL: refused later, by request.c */
}
END_TEST

START_TEST(raw_control_characters_in_strings_are_refused)
{
    static const char *const control = "Control character error, possibly incorrectly encoded";

    ck_assert_str_eq(REFUSAL("{\"\":\"9\f\v\"}"), control);
    ck_assert_str_eq(REFUSAL("{\"a\":\"line\nbreak\"}"), control);
    ck_assert_str_eq(REFUSAL("{\"a\":\"tab\there\"}"), control);
    ck_assert_str_eq(REFUSAL("{\"k\x01\":1}"), control);
}
END_TEST

START_TEST(malformed_utf8_is_refused)
{
    static const char *const malformed = "Malformed UTF-8 characters, possibly incorrectly encoded";

    ck_assert_str_eq(REFUSAL("{\"a\":\"\xc0\x80\"}"), malformed);         /* overlong NUL */
    ck_assert_str_eq(REFUSAL("{\"a\":\"\xe0\x80\xaf\"}"), malformed);     /* overlong '/' */
    ck_assert_str_eq(REFUSAL("{\"a\":\"\xed\xa0\x80\"}"), malformed);     /* a surrogate */
    ck_assert_str_eq(REFUSAL("{\"a\":\"\xf4\x90\x80\x80\"}"), malformed); /* past U+10FFFF */
    ck_assert_str_eq(REFUSAL("{\"\xff\":1}"), malformed);
    ck_assert_str_eq(REFUSAL("{\"a\":\"caf\xe9\"}"), malformed);          /* Latin-1 */
}
END_TEST

START_TEST(lone_surrogate_escapes_are_refused)
{
    static const char *const unpaired = "Single unpaired UTF-16 surrogate in unicode escape";

    ck_assert_str_eq(REFUSAL("{\"a\":\"\\ud800\"}"), unpaired);
    ck_assert_str_eq(REFUSAL("{\"a\":\"\\udc00\\ud800\"}"), unpaired);
    ck_assert_str_eq(REFUSAL("{\"a\":\"\\ud83d\\u0041\"}"), unpaired);
}
END_TEST

START_TEST(json_c_extensions_are_refused)
{
    static const char *const texts[] = {
        "{'a':1}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}",
        "{\"a\":1.}", "{\"a\":-01}", "{\"a\":1.e5}", "{\"a\":+1}", "{\"a\":.5}",
        "{\f\"a\":1}", "{\"a\":1}\v", "{\"a\":TRUE}", "{\"a\":1}/* c */",
    };

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ck_assert_msg(refusal(texts[i], strlen(texts[i])) != NULL, "accepted: %s", texts[i]);
    }
}
END_TEST

/* The value of text, which must parse. */
static json_object *parsed(const char *text)
{
    const char *error = NULL;
    json_object *o = json_pool_parse(test_pool, text, strlen(text), 64, &error);

    ck_assert_msg(o != NULL, "refused (%s): %s", error, text);
    return o;
}

START_TEST(scalars_at_the_top_are_json)
{
    ck_assert_int_eq(json_object_get_int(parsed("42")), 42);
    ck_assert_int_eq(json_object_get_int(parsed(" 7 ")), 7);
    ck_assert_int_eq(json_object_get_int(parsed("\r\n-0\t")), 0);
    ck_assert(json_object_get_double(parsed("-1.5e3")) == -1500.0);
    ck_assert(json_object_get_double(parsed("0.25E-2")) == 0.0025);
    ck_assert(json_object_is_type(parsed("true"), json_type_boolean));
    ck_assert(json_object_get_boolean(parsed(" true")));
    ck_assert(!json_object_get_boolean(parsed("false ")));
    ck_assert_str_eq(json_object_get_string(parsed("\"text\"")), "text");
    /* null: a value, but no object, hence no parameters. */
    ck_assert(!json_object_is_type(parsed("null"), json_type_object));
    ck_assert(!json_object_is_type(parsed(" null\n"), json_type_object));
}
END_TEST

START_TEST(broken_scalars_are_refused)
{
    static const char *const texts[] = {
        "tru", "nul", "fals", "t", "01", "-01", "1.", "-", "1e", "1e+", ".5", "+1", "0x10",
        "truex", "nullnull", "true false", "42 43", "1 ,", "42]", "null}", "\"a\" \"b\"",
        "True", "NULL", "  ", "{\"a\":1", "[1,", "\"open",
    };

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ck_assert_msg(refusal(texts[i], strlen(texts[i])) != NULL, "accepted: %s", texts[i]);
    }
    /* Text that ends before its value does, as PHP words it. */
    ck_assert_str_eq(REFUSAL("tru"), "Syntax error");
    ck_assert_str_eq(REFUSAL("nul"), "Syntax error");
    ck_assert_str_eq(REFUSAL("1e+"), "Syntax error");
    ck_assert_str_eq(REFUSAL(" \n "), "Syntax error");
    ck_assert_str_eq(REFUSAL("{\"a\":1"), "Syntax error");
    ck_assert_str_eq(REFUSAL("[\"open"), "Syntax error");
}
END_TEST

START_TEST(nul_after_the_value_is_refused)
{
    /* It used to count as trailing whitespace. */
    ck_assert_str_eq(REFUSAL("{\"a\":1}\0"), "Syntax error");
    ck_assert_str_eq(REFUSAL("{\"a\":1} \0 "), "Syntax error");
}
END_TEST

Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, json_is_accepted);
    tcase_add_test(tc, raw_control_characters_in_strings_are_refused);
    tcase_add_test(tc, malformed_utf8_is_refused);
    tcase_add_test(tc, lone_surrogate_escapes_are_refused);
    tcase_add_test(tc, json_c_extensions_are_refused);
    tcase_add_test(tc, nul_after_the_value_is_refused);
    tcase_add_test(tc, scalars_at_the_top_are_json);
    tcase_add_test(tc, broken_scalars_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
