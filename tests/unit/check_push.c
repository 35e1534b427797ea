/* Push-delivered tokens (api-lifecycle.md 3.1): the pn_* rules, the
 * Firebase key map and the push command's argv. */
#include "suites.h"
#include "fields.h"
#include "push.h"

#include <string.h>

#include <apr_strings.h>

static apr_status_t put_json(void *o)
{
    json_object_put(o);
    return APR_SUCCESS;
}

/* A parsed, normalised parameter object, as a handler sees it. */
static json_object *params(const char *text)
{
    json_object *o = json_tokener_parse(text);
    ck_assert_msg(o != NULL, "bad test JSON %s", text);
    apr_pool_cleanup_register(test_pool, o, put_json, apr_pool_cleanup_null);
    fields_normalize(o);
    return o;
}

/* The 422 body of the pn rules on text, "" when it passes. */
static const char *errors_of(const char *text)
{
    validation *v = validation_create(test_pool);

    push_check_params(v, params(text));
    if (!validation_failed(v)) {
        return "";
    }
    return apr_pstrdup(test_pool, json_object_to_json_string_ext(
        validation_to_json(v), JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

#define PROVIDER_MSG "The pn provider should be in apns.dev, apns, fcm"
#define PARAM_MSG "The pn param should be null or contain only alphanumeric, dots and underscore characters"
#define PRID_MSG "The pn prid should be null or contain only alphanumeric, dashes, underscore and colon characters"

START_TEST(valid_pn_values_pass)
{
    ck_assert_str_eq(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":\"linphone.app_1\",\"pn_prid\":\"abc:DEF-1_2\"}"), "");
    ck_assert_str_eq(errors_of("{\"pn_provider\":\"apns.dev\"}"), "");
    ck_assert_str_eq(errors_of("{\"pn_provider\":\" apns \",\"pn_param\":null,\"pn_prid\":\"\"}"), "");
}
END_TEST

START_TEST(pn_provider_is_required_then_one_of_three)
{
    ck_assert_str_eq(errors_of("{\"pn_provider\":null,\"pn_param\":null,\"pn_prid\":null}"),
                     "{\"message\":\"The pn provider field is required.\","
                     "\"errors\":{\"pn_provider\":[\"The pn provider field is required.\"]}}");
    ck_assert_str_eq(errors_of("{}"), errors_of("{\"pn_provider\":\"   \"}"));
    ck_assert_str_eq(errors_of("{\"pn_provider\":[]}"), errors_of("{}"));
    ck_assert_str_eq(errors_of("{\"pn_provider\":\"FCM\"}"),
                     "{\"message\":\"" PROVIDER_MSG "\",\"errors\":{\"pn_provider\":[\"" PROVIDER_MSG "\"]}}");
    ck_assert_str_eq(errors_of("{\"pn_provider\":1}"), errors_of("{\"pn_provider\":\"FCM\"}"));
    ck_assert_str_eq(errors_of("{\"pn_provider\":[\"fcm\"]}"), errors_of("{\"pn_provider\":\"FCM\"}"));
}
END_TEST

START_TEST(pn_param_and_prid_allow_their_characters_only)
{
    ck_assert_str_eq(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":\"@wrong\",\"pn_prid\":\"a b\"}"),
                     "{\"message\":\"" PARAM_MSG " (and 1 more error)\",\"errors\":{"
                     "\"pn_param\":[\"" PARAM_MSG "\"],\"pn_prid\":[\"" PRID_MSG "\"]}}");
    /* Colons and dashes are prid characters, not param ones. */
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":\"a:b\"}"), "");
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":\"a-b\"}"), "");
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_prid\":\"a.b\"}"), "");
    /* Non-strings fail the rule; non-ASCII letters are not alphanumeric here. */
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":12}"), "");
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_prid\":true}"), "");
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":{\"a\":1}}"), "");
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_param\":\"caf\\u00e9\"}"), "");
    ck_assert_str_ne(errors_of("{\"pn_provider\":\"fcm\",\"pn_prid\":\"a;rm -rf /\"}"), "");
}
END_TEST

START_TEST(pn_values_fit_their_columns)
{
    const char *p255 = apr_psprintf(test_pool, "%0255d", 7), *p256 = apr_psprintf(test_pool, "%0256d", 7);

    ck_assert_str_eq(errors_of(apr_psprintf(test_pool, "{\"pn_provider\":\"fcm\",\"pn_param\":\"%s\","
                                                       "\"pn_prid\":\"%s\"}", p255, p255)), "");
    ck_assert_str_eq(errors_of(apr_psprintf(test_pool, "{\"pn_provider\":\"fcm\",\"pn_param\":\"%s\","
                                                       "\"pn_prid\":\"%s\"}", p256, p256)),
                     "{\"message\":\"The pn param may not be greater than 255 characters. (and 1 more error)\","
                     "\"errors\":{\"pn_param\":[\"The pn param may not be greater than 255 characters.\"],"
                     "\"pn_prid\":[\"The pn prid may not be greater than 255 characters.\"]}}");
}
END_TEST

START_TEST(firebase_keys_split_at_the_first_colon)
{
    const char *map = "linphone:firebase-key-1  other:key:with:colons\tlast:one last:two";

    ck_assert_str_eq(push_firebase_key(test_pool, map, "linphone"), "firebase-key-1");
    ck_assert_str_eq(push_firebase_key(test_pool, map, "other"), "key:with:colons");
    ck_assert_str_eq(push_firebase_key(test_pool, map, "last"), "two");
    ck_assert_ptr_null(push_firebase_key(test_pool, map, "linphon"));
    ck_assert_ptr_null(push_firebase_key(test_pool, map, "linphone:firebase"));
    ck_assert_ptr_null(push_firebase_key(test_pool, map, NULL));
    ck_assert_ptr_null(push_firebase_key(test_pool, NULL, "linphone"));
}
END_TEST

static const char *joined(const apr_array_header_t *a)
{
    const char *out = "";
    for (int i = 0; i < a->nelts; i++) {
        out = apr_pstrcat(test_pool, out, i ? "|" : "", APR_ARRAY_IDX(a, i, const char *), NULL);
    }
    return out;
}

START_TEST(arguments_follow_the_table_of_3_1)
{
    ck_assert_str_eq(joined(push_arguments(test_pool, "fcm", "linphone", "abc:DEF", "aB3dE5fG7hJ9k", NULL)),
                     "--pn-provider|fcm|--pn-param|linphone|--pn-prid|abc:DEF|"
                     "--customPayload|{\"token\":\"aB3dE5fG7hJ9k\"}");
    ck_assert_str_eq(joined(push_arguments(test_pool, "apns", NULL, NULL, "T", "linphone:k1")),
                     "--pn-provider|apns|--pn-param||--pn-prid||--customPayload|{\"token\":\"T\"}|"
                     "--apple-push-type|Background");
    ck_assert_str_eq(joined(push_arguments(test_pool, "apns.dev", "linphone", "p", "T", "linphone:k1")),
                     "--pn-provider|apns.dev|--pn-param|linphone|--pn-prid|p|--customPayload|{\"token\":\"T\"}|"
                     "--apple-push-type|Background|--key|k1");
    ck_assert_int_eq(push_arguments(test_pool, "fcm", NULL, NULL, "T", NULL)->nelts, 8);
}
END_TEST

START_TEST(an_unconfigured_or_failing_command_is_not_sent)
{
    const apr_array_header_t *args = push_arguments(test_pool, "fcm", "p", "q", "T", NULL);

    ck_assert_ptr_nonnull(push_send(test_pool, NULL, args));
    ck_assert_ptr_nonnull(push_send(test_pool, "", args));
    ck_assert_ptr_nonnull(push_send(test_pool, "/bin/false", args));
    ck_assert_ptr_nonnull(push_send(test_pool, "/nonexistent/pusher", args));
    ck_assert_ptr_null(push_send(test_pool, "/bin/true --fixed", args));
    ck_assert_ptr_null(strstr(push_send(test_pool, "/bin/false", args), "token"));
}
END_TEST

Suite *push_suite(void)
{
    Suite *s = suite_create("push");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, valid_pn_values_pass);
    tcase_add_test(tc, pn_provider_is_required_then_one_of_three);
    tcase_add_test(tc, pn_param_and_prid_allow_their_characters_only);
    tcase_add_test(tc, pn_values_fit_their_columns);
    tcase_add_test(tc, firebase_keys_split_at_the_first_colon);
    tcase_add_test(tc, arguments_follow_the_table_of_3_1);
    tcase_add_test(tc, an_unconfigured_or_failing_command_is_not_sent);
    suite_add_tcase(s, tc);
    return s;
}
