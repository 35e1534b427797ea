/* The Laravel paginator (api.md 3.3): page parameter and links window. */
#include "suites.h"
#include "pagination.h"

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

/* The labels of the links, comma-joined. */
static const char *labels(long page, long long total)
{
    json_object *o = pagination_json(test_pool, "http://h/api/accounts", page, total,
                                     json_object_new_array());
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
    json_object *data = json_object_new_array();
    json_object *o, *v;

    for (int i = 0; i < 20; i++) {
        json_object_array_add(data, json_object_new_int(i));
    }
    o = pagination_json(test_pool, "http://h/api/accounts", 2, 45, data);
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

Suite *pagination_suite(void)
{
    Suite *s = suite_create("pagination");
    TCase *tc = tcase_create("pagination");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, page_parameter_is_a_plain_positive_decimal);
    tcase_add_test(tc, links_window_follows_laravel);
    tcase_add_test(tc, paginator_fields_for_a_middle_page);
    suite_add_tcase(s, tc);
    return s;
}
