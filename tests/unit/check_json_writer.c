/* The JSON writer: the same bytes as json-c (PLAIN | NOSLASHESCAPE) for
 * every string, number and structure the module writes. */
#include "suites.h"
#include "json_writer.h"
/* Spelled out: json-c's include directory has a json.h of its own. */
#include "../../mod_accounts/json.h"

#include <stdint.h>
#include <string.h>

#include <apr_strings.h>

#define JSON_C_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* json-c's text for a value (taken: put with the pool). */
static const char *json_c_text(json_object *v)
{
    return json_object_to_json_string_ext(json_pool_own(test_pool, v), JSON_C_FLAGS);
}

static json_writer *writer(void)
{
    return json_writer_create(test_pool, 1);   /* the smallest: growth is tested too */
}

/* The writer's string for len bytes of s, as a value and as a key. */
static void assert_string_as_json_c(const char *s, size_t len)
{
    json_writer *w = writer();
    json_object *o;
    const char *expected;
    apr_size_t got_len;

    json_writer_string_len(w, s, len);
    expected = json_c_text(json_object_new_string_len(s, (int)len));
    ck_assert_str_eq(json_writer_finish(w, &got_len), expected);
    ck_assert_uint_eq(got_len, strlen(expected));

    if (memchr(s, '\0', len)) {
        return;   /* json-c keys are C strings */
    }
    o = json_object_new_object();
    w = writer();
    json_writer_object_begin(w);
    json_writer_key(w, apr_pstrndup(test_pool, s, len));
    json_writer_null(w);
    json_writer_object_end(w);
    json_object_object_add(o, apr_pstrndup(test_pool, s, len), NULL);
    ck_assert_str_eq(json_writer_finish(w, NULL), json_c_text(o));
}

START_TEST(every_byte_is_escaped_as_json_c_escapes_it)
{
    char all[256];

    for (int c = 0; c < 256; c++) {
        char one = (char)c;
        /* Alone, and between plain text (runs copied around escapes). */
        char framed[3] = { 'a', (char)c, 'b' };
        assert_string_as_json_c(&one, 1);
        assert_string_as_json_c(framed, sizeof(framed));
        all[c] = (char)c;
    }
    assert_string_as_json_c(all, sizeof(all));
    /* The letters json-c uses, spelled out. */
    {
        json_writer *w = writer();
        json_writer_string(w, "\"\\/\b\f\n\r\t\x01\x1f\x7f");
        ck_assert_str_eq(json_writer_finish(w, NULL),
                         "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
    }
}
END_TEST

START_TEST(utf8_and_broken_utf8_are_copied_as_json_c_copies_them)
{
    static const char *const texts[] = {
        "caf\xc3\xa9", "\xe2\x82\xac 5", "\xf0\x9f\x98\x80 smile", "\xef\xbb\xbf" "bom",
        "\xed\xa0\x80", "\xc0\x80", "\xff\xfe", "caf\xe9", "\xe2\x82", "a\xc3", "",
        "\xe2\x80\xa8 line separator \xe2\x80\xa9", "/slash/", "sip:user@host;x=\"y\"",
    };

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        assert_string_as_json_c(texts[i], strlen(texts[i]));
    }
}
END_TEST

START_TEST(numbers_as_json_c_writes_them)
{
    static const int64_t values[] = {
        0, 1, -1, 9, 10, -10, 99, 100, 2147483647LL, -2147483648LL, 4294967296LL,
        1740823200, 999999999999999999LL, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1,
    };

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        json_writer *w = writer();
        json_writer_int64(w, values[i]);
        ck_assert_str_eq(json_writer_finish(w, NULL), json_c_text(json_object_new_int64(values[i])));
    }
    {
        json_writer *w = writer();
        json_writer_int64(w, INT64_MIN);
        ck_assert_str_eq(json_writer_finish(w, NULL), "-9223372036854775808");
    }
}
END_TEST

START_TEST(commas_follow_nesting)
{
    json_writer *w = writer();
    apr_size_t len;

    json_writer_object_begin(w);
    json_writer_key(w, "a");
    json_writer_array_begin(w);
    json_writer_array_end(w);
    json_writer_key(w, "b");
    json_writer_object_begin(w);
    json_writer_object_end(w);
    json_writer_key(w, "c");
    json_writer_array_begin(w);
    json_writer_int64(w, 1);
    json_writer_array_begin(w);
    json_writer_bool(w, 1);
    json_writer_bool(w, 0);
    json_writer_array_end(w);
    json_writer_object_begin(w);
    json_writer_key(w, "d");
    json_writer_null(w);
    json_writer_key(w, "e");
    json_writer_string_or_null(w, NULL);
    json_writer_key(w, "f");
    json_writer_string_or_null(w, "g");
    json_writer_object_end(w);
    json_writer_string(w, "h");
    json_writer_array_end(w);
    json_writer_key(w, "i");
    json_writer_int64(w, -2);
    json_writer_object_end(w);
    ck_assert_str_eq(json_writer_finish(w, &len),
                     "{\"a\":[],\"b\":{},\"c\":[1,[true,false],{\"d\":null,\"e\":null,\"f\":\"g\"},"
                     "\"h\"],\"i\":-2}");
    ck_assert_uint_eq(len, strlen(json_writer_finish(w, NULL)));
    /* And json-c writes the same for that value. */
    ck_assert_str_eq(json_c_text(json_tokener_parse(json_writer_finish(w, NULL))),
                     json_writer_finish(w, NULL));
}
END_TEST

START_TEST(deep_nesting_up_to_the_limit)
{
    json_writer *w = writer();
    const char *expected = "";

    /* [0,[1,[2,...[31],31],...,1],0] */
    for (int i = 0; i < JSON_WRITER_MAX_DEPTH; i++) {
        json_writer_array_begin(w);
        json_writer_int64(w, i);
        expected = apr_psprintf(test_pool, "%s%s[%d", expected, i ? "," : "", i);
    }
    for (int i = JSON_WRITER_MAX_DEPTH - 1; i >= 0; i--) {
        json_writer_array_end(w);
        expected = apr_pstrcat(test_pool, expected, "]", NULL);
        if (i > 0) {
            json_writer_int64(w, i);
            expected = apr_psprintf(test_pool, "%s,%d", expected, i);
        }
    }
    ck_assert_str_eq(json_writer_finish(w, NULL), expected);
}
END_TEST

START_TEST(raw_and_json_c_values_are_values)
{
    json_writer *w = writer();
    json_object *parsed = json_pool_own(
        test_pool, json_tokener_parse("{ \"x\" : [1.50, -0.0, 1e3, \"\\u00e9\\/\"], \"y\": {} }"));

    json_writer_array_begin(w);
    json_writer_raw(w, "{}", 2);
    json_writer_raw(w, "[1,2]", 5);
    json_writer_json_c(w, parsed);
    json_writer_json_c(w, NULL);
    json_writer_object_begin(w);
    json_writer_key(w, "r");
    json_writer_raw(w, "\"text\"", 6);
    json_writer_key(w, "j");
    json_writer_json_c(w, parsed);
    json_writer_object_end(w);
    json_writer_array_end(w);
    ck_assert_str_eq(json_writer_finish(w, NULL),
                     "[{},[1,2],{\"x\":[1.50,-0.0,1e3,\"\xc3\xa9/\"],\"y\":{}},null,"
                     "{\"r\":\"text\",\"j\":{\"x\":[1.50,-0.0,1e3,\"\xc3\xa9/\"],\"y\":{}}}]");
}
END_TEST

START_TEST(timestamps_match_json_timestamp_text)
{
    static const long long instants[] = {
        0, 59, 60, 3599, 3600, 86399, 86400, 68169599, 68169600,   /* 1972-02-29 */
        951782400, 951868799, 951868800,                          /* 2000-02-29 */
        1740823200, 4107542399LL, 4107542400LL,                   /* 2100-02-28, 03-01 */
        253402300799LL,                                           /* 9999-12-31T23:59:59 */
        253402300800LL, 1000000000000LL, -1, -86400, -62135596800LL,  /* libc's */
    };

    for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
        json_writer *w = writer();
        json_writer_timestamp(w, instants[i]);
        ck_assert_str_eq(json_writer_finish(w, NULL),
                         apr_pstrcat(test_pool, "\"", json_timestamp_text(test_pool, instants[i]),
                                     "\"", NULL));
    }
    /* A stride through 1970-9999 (100,000 instants) that lands on all
     * sorts of seconds of the day and days of the calendar. */
    for (long long t = 0; t <= 253402300799LL; t += 2534029) {
        apr_pool_t *p;
        json_writer *w;

        apr_pool_create(&p, test_pool);
        w = json_writer_create(p, 32);
        json_writer_timestamp(w, t);
        ck_assert_str_eq(json_writer_finish(w, NULL),
                         apr_pstrcat(p, "\"", json_timestamp_text(p, t), "\"", NULL));
        apr_pool_destroy(p);
    }
}
END_TEST

START_TEST(the_buffer_grows_in_the_pool)
{
    json_writer *w = writer();
    char *big = apr_palloc(test_pool, 100000);
    apr_size_t len;
    const char *text;

    memset(big, 'x', 100000);
    json_writer_array_begin(w);
    for (int i = 0; i < 1000; i++) {
        json_writer_string(w, "0123456789");
    }
    json_writer_string_len(w, big, 100000);
    json_writer_array_end(w);
    text = json_writer_finish(w, &len);
    ck_assert_uint_eq(len, 2 + 1000 * 13 + 100002);
    ck_assert_uint_eq(strlen(text), len);
    ck_assert(text[len - 2] == '"' && text[len - 1] == ']');
}
END_TEST

Suite *json_writer_suite(void)
{
    Suite *s = suite_create("json_writer");
    TCase *tc = tcase_create("json_writer");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, every_byte_is_escaped_as_json_c_escapes_it);
    tcase_add_test(tc, utf8_and_broken_utf8_are_copied_as_json_c_copies_them);
    tcase_add_test(tc, numbers_as_json_c_writes_them);
    tcase_add_test(tc, commas_follow_nesting);
    tcase_add_test(tc, deep_nesting_up_to_the_limit);
    tcase_add_test(tc, raw_and_json_c_values_are_values);
    tcase_add_test(tc, timestamps_match_json_timestamp_text);
    tcase_add_test(tc, the_buffer_grows_in_the_pool);
    suite_add_tcase(s, tc);
    return s;
}
