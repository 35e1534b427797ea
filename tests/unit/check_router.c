/* Route matching: precedence, path parameters, 404 and 405 (api.md 1.2). */
#include "suites.h"
#include "router.h"

static int h(struct accounts_request *req) { (void)req; return 0; }

static const route table[] = {
    { "GET", "/ping", ACCESS_PUBLIC, h },
    { "GET", "/accounts/me", ACCESS_USER, h },
    { "DELETE", "/accounts/me", ACCESS_USER, h },
    { "GET", "/accounts/{sip}/info", ACCESS_PUBLIC, h },
    { "POST", "/accounts", ACCESS_ADMIN, h },
    { "GET", "/accounts", ACCESS_ADMIN, h },
    { "GET", "/accounts/{id}", ACCESS_ADMIN, h },
    { "PUT", "/accounts/{id}", ACCESS_ADMIN, h },
    { "DELETE", "/accounts/{id}", ACCESS_ADMIN, h },
    { "POST", "/accounts/{id}/types/{type_id}", ACCESS_ADMIN, h },
    { "GET", "/accounts/{id}/devices/{uuid}", ACCESS_ADMIN, h },
    { "GET", "/accounts/{id}/contacts/{contact_id}", ACCESS_ADMIN, h },
    { "GET", "/accounts/{id}/dictionary/{key}", ACCESS_ADMIN, h },
};
#define N ((int)(sizeof(table) / sizeof(table[0])))

START_TEST(literal_route_is_found)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/me", &m), ROUTE_FOUND);
    ck_assert_ptr_eq(m.route, &table[1]);
    ck_assert_int_eq(router_match(test_pool, table, N, "DELETE", "/accounts/me", &m), ROUTE_FOUND);
    ck_assert_ptr_eq(m.route, &table[2]);
}
END_TEST

START_TEST(id_routes_match_decimal_ids_only)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/42", &m), ROUTE_FOUND);
    ck_assert_str_eq(router_param(&m, "id"), "42");
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/abc", &m), ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/4a", &m), ROUTE_NOT_FOUND);
    /* Too large for an id is still an id: the handler answers 404. */
    ck_assert_int_eq(router_match(test_pool, table, N, "GET",
                                  "/accounts/12345678901234567890123", &m), ROUTE_FOUND);
    /* Every "{..._id}" is an id too; other names take any segment. */
    ck_assert_int_eq(router_match(test_pool, table, N, "POST", "/accounts/4/types/7", &m), ROUTE_FOUND);
    ck_assert_str_eq(router_param(&m, "type_id"), "7");
    ck_assert_int_eq(router_match(test_pool, table, N, "POST", "/accounts/4/types/door", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/4/devices/urn:uuid:1", &m),
                     ROUTE_FOUND);
}
END_TEST

START_TEST(name_id_parameters_are_decimal_too)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/4/contacts/17", &m),
                     ROUTE_FOUND);
    ck_assert_str_eq(router_param(&m, "contact_id"), "17");
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/4/contacts/x17", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/4/contacts/me", &m),
                     ROUTE_NOT_FOUND);
    /* Other names take any segment. */
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/4/dictionary/a%2Fb", &m),
                     ROUTE_FOUND);
    ck_assert_str_eq(router_param(&m, "key"), "a/b");
}
END_TEST

START_TEST(parameters_are_percent_decoded)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET",
                                  "/accounts/bob%40sip.example.org/info", &m), ROUTE_FOUND);
    ck_assert_str_eq(router_param(&m, "sip"), "bob@sip.example.org");
    ck_assert_ptr_null(router_param(&m, "id"));
    ck_assert_int_eq(router_match(test_pool, table, N, "GET",
                                  "/accounts/b%C3%B6b%40sip.example.org/info", &m), ROUTE_FOUND);
    /* Not UTF-8 once decoded (a lone byte, an overlong '/'): no route. */
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/ab%FF%40x/info", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/ab%C0%AF%40x/info", &m),
                     ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(malformed_escapes_and_nul_do_not_match)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/bob%4/info", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/bob%zz/info", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/bob%00/info", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/%/info", &m),
                     ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(one_trailing_slash_is_ignored)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/ping/", &m), ROUTE_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/ping//", &m), ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "//ping", &m), ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(unknown_paths_are_not_found)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/foo", &m), ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/", &m), ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "/accounts/me/x/y", &m),
                     ROUTE_NOT_FOUND);
    ck_assert_int_eq(router_match(test_pool, table, N, "GET", "", &m), ROUTE_NOT_FOUND);
}
END_TEST

START_TEST(wrong_method_lists_the_allowed_ones_with_head_after_get)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "POST", "/accounts/7", &m),
                     ROUTE_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "GET, HEAD, PUT, DELETE");
    ck_assert_int_eq(router_match(test_pool, table, N, "PATCH", "/accounts", &m),
                     ROUTE_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "POST, GET, HEAD");
    ck_assert_int_eq(router_match(test_pool, table, N, "POST", "/accounts/me", &m),
                     ROUTE_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "GET, HEAD, DELETE");
}
END_TEST

START_TEST(head_matches_get_routes)
{
    route_match m;
    ck_assert_int_eq(router_match(test_pool, table, N, "HEAD", "/ping", &m), ROUTE_FOUND);
}
END_TEST

Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("router");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, literal_route_is_found);
    tcase_add_test(tc, id_routes_match_decimal_ids_only);
    tcase_add_test(tc, parameters_are_percent_decoded);
    tcase_add_test(tc, name_id_parameters_are_decimal_too);
    tcase_add_test(tc, malformed_escapes_and_nul_do_not_match);
    tcase_add_test(tc, one_trailing_slash_is_ignored);
    tcase_add_test(tc, unknown_paths_are_not_found);
    tcase_add_test(tc, wrong_method_lists_the_allowed_ones_with_head_after_get);
    tcase_add_test(tc, head_matches_get_routes);
    suite_add_tcase(s, tc);
    return s;
}
