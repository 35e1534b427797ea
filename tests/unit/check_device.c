/* The user-agent split of registered devices (api-lifecycle.md 8.1), held
 * to FlexiAPI's own pattern run by PCRE2. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "suites.h"
#include "device.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <pcre2.h>

#define FLEXIAPI_PATTERN "(?<app>[\\w-]+)/(?<version>[\\d.]+)[^(]*\\((?<device>[^)]*)"

/* What the pattern itself gives for ua. */
static device_user_agent by_pattern(const char *ua)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)FLEXIAPI_PATTERN, PCRE2_ZERO_TERMINATED, 0,
                                   &code, &offset, NULL);
    pcre2_match_data *md;
    device_user_agent out = { ua, "", "" };

    ck_assert_ptr_nonnull(re);
    md = pcre2_match_data_create_from_pattern(re, NULL);
    if (pcre2_match(re, (PCRE2_SPTR)ua, strlen(ua), 0, 0, md, NULL) > 0) {
        PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
        out.app = apr_pstrmemdup(test_pool, ua + v[2], v[3] - v[2]);
        out.version = apr_pstrmemdup(test_pool, ua + v[4], v[5] - v[4]);
        out.device_name = apr_pstrmemdup(test_pool, ua + v[6], v[7] - v[6]);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return out;
}

static void assert_split(const char *ua, const char *app, const char *version, const char *device)
{
    device_user_agent d = device_user_agent_parse(test_pool, ua);
    ck_assert_str_eq(d.app, app);
    ck_assert_str_eq(d.version, version);
    ck_assert_str_eq(d.device_name, device);
}

START_TEST(linphone_user_agents_split_into_app_version_and_device)
{
    assert_split("LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47", "LinphoneAndroid", "5.2.5",
                 "Pixel 7");
    assert_split("Linphone-Desktop/5.2.6 (debian 12, Qt 5.15.8) LinphoneCore/5.3.0",
                 "Linphone-Desktop", "5.2.6", "debian 12, Qt 5.15.8");
    assert_split("LinphoneiOS/5.2.1 (iPhone de Jean) LinphoneSDK/5.3.4", "LinphoneiOS", "5.2.1",
                 "iPhone de Jean");
    /* The first "(" after the version, even past other words. */
    assert_split("app/1.0 build 7 (x)", "app", "1.0", "x");
    /* No closing parenthesis: the device runs to the end. */
    assert_split("app/2 (unterminated", "app", "2", "unterminated");
    /* The leftmost word followed by "/" and a version wins. */
    assert_split("Mozilla x/y app/3.1(z)", "app", "3.1", "z");
}
END_TEST

START_TEST(without_a_match_the_app_is_the_whole_user_agent)
{
    assert_split("baresip v2.9.0 (x86_64/linux)", "baresip v2.9.0 (x86_64/linux)", "", "");
    assert_split("Name/1.0 without parenthesis", "Name/1.0 without parenthesis", "", "");
    assert_split("", "", "", "");
    device_user_agent d = device_user_agent_parse(test_pool, NULL);
    ck_assert_str_eq(d.app, "");
}
END_TEST

/* Random strings over the characters the pattern cares about: the hand
 * parser and PCRE2 agree on every one. */
START_TEST(the_parser_agrees_with_the_pattern_on_random_user_agents)
{
    static const char alphabet[] = "aZ9_-/.()( )/.1\xc3\xa9";
    unsigned int seed = 12345;

    for (int i = 0; i < 20000; i++) {
        char ua[24];
        int len = (int)(rand_r(&seed) % (sizeof(ua) - 1));
        for (int j = 0; j < len; j++) {
            ua[j] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        }
        ua[len] = '\0';
        device_user_agent want = by_pattern(ua);
        device_user_agent got = device_user_agent_parse(test_pool, ua);
        ck_assert_msg(strcmp(want.app, got.app) == 0 && strcmp(want.version, got.version) == 0
                          && strcmp(want.device_name, got.device_name) == 0,
                      "'%s': pattern (%s|%s|%s), parser (%s|%s|%s)", ua, want.app, want.version,
                      want.device_name, got.app, got.version, got.device_name);
    }
}
END_TEST

Suite *device_suite(void)
{
    Suite *s = suite_create("device");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, linphone_user_agents_split_into_app_version_and_device);
    tcase_add_test(tc, without_a_match_the_app_is_the_whole_user_agent);
    tcase_add_test(tc, the_parser_agrees_with_the_pattern_on_random_user_agents);
    suite_add_tcase(s, tc);
    return s;
}
