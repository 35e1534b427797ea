/* The Laravel paginator (api.md 3.3): page parameter and links window. */
#include "suites.h"
#include "pagination.h"
/* Spelled out: json-c's include directory has a json.h of its own. */
#include "../../mod_accounts/json.h"

#include <string.h>

#include <apr_strings.h>

START_TEST(page_parameter_is_a_plain_positive_decimal)
{
    ck_assert_int_eq(pagination_page(NULL), 1);
    ck_assert_int_eq(pagination_page("page=3"), 3);
    ck_assert_int_eq(pagination_page("foo=1&page=12&bar=2"), 12);
    ck_assert_int_eq(pagination_page("page=2&page=5"), 5);
    ck_assert_int_eq(pagination_page("page=2147483647"), 2147483647L);
    ck_assert_int_eq(pagination_page("page=2147483648"), 1);
    ck_assert_int_eq(pagination_page("page=abc"), 1);
    ck_assert_int_eq(pagination_page("page=0"), 1);
    ck_assert_int_eq(pagination_page("page=-1"), 1);
    ck_assert_int_eq(pagination_page("page=1e3"), 1);
    ck_assert_int_eq(pagination_page("page=99999999999999999999"), 1);
    ck_assert_int_eq(pagination_page("page="), 1);
    ck_assert_int_eq(pagination_page("pages=4"), 1);
}
END_TEST

/* The paginator's text, with count items (the numbers 0 to count - 1) in
 * its data. */
static const char *paginator_text(const char *path, long page, long long total, long count)
{
    json_writer *w = json_writer_create(test_pool, 16);   /* small: it must grow */

    pagination_write_begin(w, page);
    for (long i = 0; i < count; i++) {
        json_writer_int64(w, i);
    }
    pagination_write_end(w, test_pool, path, page, total, count);
    return json_writer_finish(w, NULL);
}

/* The paginator parsed back by json-c (pool-owned). Its text must be what
 * json-c itself writes for that value. */
static json_object *paginator(long page, long long total, long count)
{
    const char *text = paginator_text("http://h/api/accounts", page, total, count);
    json_object *o = json_pool_own(test_pool, json_tokener_parse(text));

    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE),
                     text);
    return o;
}

/* The labels of the links, comma-joined. */
static const char *labels(long page, long long total)
{
    json_object *o = paginator(page, total, 0);
    json_object *links;
    const char *out = "";

    json_object_object_get_ex(o, "links", &links);
    for (size_t i = 0; i < json_object_array_length(links); i++) {
        json_object *label;
        json_object_object_get_ex(json_object_array_get_idx(links, i), "label", &label);
        out = apr_pstrcat(test_pool, out, i ? "," : "", json_object_get_string(label), NULL);
    }
    return out;
}

#define P "&laquo; Previous"
#define N "Next &raquo;"

START_TEST(links_window_follows_laravel)
{
    ck_assert_str_eq(labels(1, 0), P ",1," N);
    ck_assert_str_eq(labels(2, 45), P ",1,2,3," N);
    ck_assert_str_eq(labels(1, 13 * 20), P ",1,2,3,4,5,6,7,8,9,10,11,12,13," N);
    ck_assert_str_eq(labels(7, 20 * 20), P ",1,2,3,4,5,6,7,8,9,10,...,19,20," N);
    ck_assert_str_eq(labels(14, 20 * 20), P ",1,2,...,11,12,13,14,15,16,17,18,19,20," N);
    ck_assert_str_eq(labels(10, 20 * 20), P ",1,2,...,7,8,9,10,11,12,13,...,19,20," N);
}
END_TEST

START_TEST(paginator_fields_for_a_middle_page)
{
    json_object *o = paginator(2, 45, 20), *v;

    json_object_object_get_ex(o, "data", &v);
    ck_assert_int_eq(json_object_array_length(v), 20);
    ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(v, 19)), 19);
    json_object_object_get_ex(o, "from", &v);
    ck_assert_int_eq(json_object_get_int(v), 21);
    json_object_object_get_ex(o, "to", &v);
    ck_assert_int_eq(json_object_get_int(v), 40);
    json_object_object_get_ex(o, "last_page", &v);
    ck_assert_int_eq(json_object_get_int(v), 3);
    json_object_object_get_ex(o, "prev_page_url", &v);
    ck_assert_str_eq(json_object_get_string(v), "http://h/api/accounts?page=1");
    json_object_object_get_ex(o, "next_page_url", &v);
    ck_assert_str_eq(json_object_get_string(v), "http://h/api/accounts?page=3");
    json_object_object_get_ex(o, "last_page_url", &v);
    ck_assert_str_eq(json_object_get_string(v), "http://h/api/accounts?page=3");
}
END_TEST

START_TEST(paginator_text_of_an_empty_list)
{
    ck_assert_str_eq(
        paginator_text("http://h/a\"/", 1, 0, 0),
        "{\"current_page\":1,\"data\":[],\"first_page_url\":\"http://h/a\\\"/?page=1\",\"from\":null,"
        "\"last_page\":1,\"last_page_url\":\"http://h/a\\\"/?page=1\",\"links\":["
        "{\"url\":null,\"label\":\"&laquo; Previous\",\"page\":null,\"active\":false},"
        "{\"url\":\"http://h/a\\\"/?page=1\",\"label\":\"1\",\"page\":1,\"active\":true},"
        "{\"url\":null,\"label\":\"Next &raquo;\",\"page\":null,\"active\":false}],"
        "\"next_page_url\":null,\"path\":\"http://h/a\\\"/\",\"per_page\":20,"
        "\"prev_page_url\":null,\"to\":null,\"total\":0}");
}
END_TEST

START_TEST(paginator_keys_and_gaps)
{
    json_object *o = paginator(10, 20 * 20, 20), *links, *gap;
    const char *keys = "";

    json_object_object_foreach(o, key, val) {
        (void)val;
        keys = apr_pstrcat(test_pool, keys, *keys ? "," : "", key, NULL);
    }
    ck_assert_str_eq(keys, "current_page,data,first_page_url,from,last_page,last_page_url,links,"
                           "next_page_url,path,per_page,prev_page_url,to,total");
    json_object_object_get_ex(o, "links", &links);
    gap = json_object_array_get_idx(links, 3);
    ck_assert_str_eq(json_object_to_json_string_ext(gap, JSON_C_TO_STRING_PLAIN),
                     "{\"url\":null,\"label\":\"...\",\"active\":false}");
    /* A page past the end: no items, from and to null. */
    o = paginator(5, 45, 0);
    ck_assert(json_object_object_get_ex(o, "from", &gap) && gap == NULL);
    ck_assert(json_object_object_get_ex(o, "to", &gap) && gap == NULL);
}
END_TEST

Suite *pagination_suite(void)
{
    Suite *s = suite_create("pagination");
    TCase *tc = tcase_create("pagination");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, page_parameter_is_a_plain_positive_decimal);
    tcase_add_test(tc, links_window_follows_laravel);
    tcase_add_test(tc, paginator_fields_for_a_middle_page);
    tcase_add_test(tc, paginator_text_of_an_empty_list);
    tcase_add_test(tc, paginator_keys_and_gaps);
    suite_add_tcase(s, tc);
    return s;
}
