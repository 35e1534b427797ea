/* API key acceptance rules (api.md 2.2). */
#include "suites.h"
#include "api_key.h"

START_TEST(unbound_key_is_accepted_from_any_ip)
{
    ck_assert(api_key_accepts(NULL, "192.0.2.1", 0, 60, NULL, 999999));
    ck_assert(api_key_accepts("", "192.0.2.1", 1, 60, NULL, 10));
}
END_TEST

START_TEST(bound_key_is_refused_from_another_ip)
{
    ck_assert(api_key_accepts("192.0.2.1", "192.0.2.1", 1, 60, NULL, 10));
    ck_assert(!api_key_accepts("192.0.2.1", "192.0.2.2", 1, 60, NULL, 10));
    ck_assert(!api_key_accepts("192.0.2.1", NULL, 1, 60, NULL, 10));
}
END_TEST

START_TEST(user_key_dies_after_the_space_expiry_unused)
{
    ck_assert(api_key_accepts(NULL, "h", 1, 1, NULL, 60));
    ck_assert(!api_key_accepts(NULL, "h", 1, 1, NULL, 61));
    ck_assert(api_key_accepts(NULL, "h", 1, 0, NULL, 10000000));   /* 0 = never */
}
END_TEST

START_TEST(stable_key_uses_its_own_expiry)
{
    ck_assert(api_key_accepts(NULL, "h", 0, 1, NULL, 10000000));   /* no expiry */
    ck_assert(api_key_accepts(NULL, "h", 0, 1, "0", 10000000));
    ck_assert(api_key_accepts(NULL, "h", 0, 1, "5", 300));
    ck_assert(!api_key_accepts(NULL, "h", 0, 1, "5", 301));
}
END_TEST

START_TEST(last_use_is_written_at_most_once_a_minute)
{
    ck_assert(!api_key_should_touch(0));
    ck_assert(!api_key_should_touch(59));
    ck_assert(api_key_should_touch(60));
}
END_TEST

Suite *api_key_suite(void)
{
    Suite *s = suite_create("api_key");
    TCase *tc = tcase_create("api_key");

    tcase_add_test(tc, unbound_key_is_accepted_from_any_ip);
    tcase_add_test(tc, bound_key_is_refused_from_another_ip);
    tcase_add_test(tc, user_key_dies_after_the_space_expiry_unused);
    tcase_add_test(tc, stable_key_uses_its_own_expiry);
    tcase_add_test(tc, last_use_is_written_at_most_once_a_minute);
    suite_add_tcase(s, tc);
    return s;
}
