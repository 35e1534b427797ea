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

START_TEST(last_use_is_written_once_a_tenth_of_the_lifetime)
{
    /* Never expiring: every 15 minutes. */
    ck_assert_int_eq(api_key_touch_interval(0), 900);
    /* A tenth of the lifetime, at least a minute, at most 15 minutes. */
    ck_assert_int_eq(api_key_touch_interval(60), 360);
    ck_assert_int_eq(api_key_touch_interval(30), 180);
    ck_assert_int_eq(api_key_touch_interval(5), 60);
    ck_assert_int_eq(api_key_touch_interval(2), 60);
    ck_assert_int_eq(api_key_touch_interval(1000), 900);
    /* A one-minute key: half of it, so a key used every 50 s stays alive. */
    ck_assert_int_eq(api_key_touch_interval(1), 30);
    ck_assert(!api_key_should_touch(0, 60));
    ck_assert(!api_key_should_touch(359, 60));
    ck_assert(api_key_should_touch(360, 60));
    ck_assert(api_key_should_touch(30, 1));
    /* The interval is always below the lifetime: a key in use never lapses. */
    for (long m = 1; m <= 2000; m++) {
        ck_assert_int_lt(api_key_touch_interval(m), m * 60);
    }
    ck_assert_int_eq(api_key_expiry_minutes(1, 60, "5"), 60);
    ck_assert_int_eq(api_key_expiry_minutes(0, 60, "5"), 5);
    ck_assert_int_eq(api_key_expiry_minutes(0, 60, NULL), 0);
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
    tcase_add_test(tc, last_use_is_written_once_a_tenth_of_the_lifetime);
    suite_add_tcase(s, tc);
    return s;
}
