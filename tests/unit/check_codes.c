/* Email and phone change codes (api-lifecycle.md 4, 5): the code rule, the
 * SMS number and texts, and the phone countries table of 5.3. */
#include "suites.h"
#include "codes.h"
#include "fields.h"
#include "phone_countries.h"

#include <string.h>

#include <apr_strings.h>

static apr_status_t put_json(void *o)
{
    json_object_put(o);
    return APR_SUCCESS;
}

/* A normalised parameter object, as a handler sees it. */
static json_object *params(const char *text)
{
    json_object *o = json_tokener_parse(text);
    ck_assert_msg(o != NULL, "bad test JSON %s", text);
    apr_pool_cleanup_register(test_pool, o, put_json, apr_pool_cleanup_null);
    fields_normalize(o);
    return o;
}

/* The 422 body of the code rule, "" when it passes; *code set. */
static const char *code_errors(const char *json, const char **code)
{
    validation *v = validation_create(test_pool);
    codes_check_code(test_pool, v, params(json), code);
    if (!validation_failed(v)) {
        return "";
    }
    return apr_pstrdup(test_pool, json_object_to_json_string_ext(validation_to_json(v),
                                                                 JSON_C_TO_STRING_PLAIN));
}

START_TEST(the_code_is_required_then_four_digits)
{
    const char *code;
    const char *required = "{\"message\":\"The code field is required.\","
                           "\"errors\":{\"code\":[\"The code field is required.\"]}}";
    const char *digits = "{\"message\":\"The code must be 4 digits.\","
                         "\"errors\":{\"code\":[\"The code must be 4 digits.\"]}}";

    ck_assert_str_eq(code_errors("{}", &code), required);
    ck_assert_ptr_null(code);
    ck_assert_str_eq(code_errors("{\"code\":null}", &code), required);
    ck_assert_str_eq(code_errors("{\"code\":\"  \"}", &code), required);
    ck_assert_str_eq(code_errors("{\"code\":[]}", &code), required);
    ck_assert_str_eq(code_errors("{\"code\":\"wrong\"}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":\"123\"}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":\"12345\"}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":\"12a4\"}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":\"+123\"}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":123}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":-123}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":12345}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":1234.0}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":true}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":[\"1234\"]}", &code), digits);
    ck_assert_str_eq(code_errors("{\"code\":{\"a\":1}}", &code), digits);
    ck_assert_ptr_null(code);

    ck_assert_str_eq(code_errors("{\"code\":\"1234\"}", &code), "");
    ck_assert_str_eq(code, "1234");
    /* Trimmed first (api.md 1.3), then the rule. */
    ck_assert_str_eq(code_errors("{\"code\":\" 9876 \"}", &code), "");
    ck_assert_str_eq(code, "9876");
    ck_assert_str_eq(code_errors("{\"code\":\"0123\"}", &code), "");
    ck_assert_str_eq(code, "0123");
    ck_assert_str_eq(code_errors("{\"code\":4321}", &code), "");
    ck_assert_str_eq(code, "4321");
    ck_assert_str_eq(code_errors("{\"code\":1000}", &code), "");
    ck_assert_str_eq(code_errors("{\"code\":9999}", &code), "");
    ck_assert_str_eq(code, "9999");
}
END_TEST

START_TEST(the_sms_number_keeps_the_plus_and_the_digits)
{
    ck_assert_str_eq(codes_sms_number(test_pool, "+33 6 12-34-56-78"), "+33612345678");
    ck_assert_str_eq(codes_sms_number(test_pool, "+1 (415) 555.2671"), "+14155552671");
    ck_assert_str_eq(codes_sms_number(test_pool, "+33612345678"), "+33612345678");
}
END_TEST

START_TEST(the_texts_carry_the_code_and_its_lifetime)
{
    const char *body;

    ck_assert_str_eq(codes_phone_sms_text(test_pool, "Space A", "1234", 10),
                     "Your Space A validation code is 1234. The code is available for 10 minutes");
    ck_assert_str_eq(codes_phone_sms_text(test_pool, "Space A", "1234", 0),
                     "Your Space A validation code is 1234.");
    body = codes_email_body(test_pool, "Space C", "4567", 15);
    ck_assert_ptr_nonnull(strstr(body, "Welcome to Space C\n"));
    ck_assert_ptr_nonnull(strstr(body, "\n4567\n"));
    ck_assert_ptr_nonnull(strstr(body, "\nThis code is valid for 15 minutes.\n"));
    body = codes_email_body(test_pool, "Space C", "4567", 0);
    ck_assert_ptr_null(strstr(body, "valid for"));
    body = codes_recovery_email_body(test_pool, "Space C", "4567", 15);
    ck_assert_ptr_nonnull(strstr(body, "recover your account on Space C.\n"));
    ck_assert_ptr_nonnull(strstr(body, "\n4567\n"));
    ck_assert_ptr_nonnull(strstr(body, "\nThis code is valid for 15 minutes.\n"));
    ck_assert_ptr_null(strstr(codes_recovery_email_body(test_pool, "Space C", "4567", 0), "valid for"));
}
END_TEST

static const char *calling_code_of(const char *region)
{
    for (int i = 0; i < phone_countries_count; i++) {
        if (strcmp(phone_countries[i].code, region) == 0) {
            return phone_countries[i].calling_code;
        }
    }
    return NULL;
}

START_TEST(phone_countries_are_iso_regions_ordered_by_code)
{
    static const char *const required[][2] = {
        { "FR", "33" }, { "NL", "31" }, { "BE", "32" }, { "DE", "49" }, { "GB", "44" },
        { "US", "1" }, { "CH", "41" }, { "ES", "34" }, { "IT", "39" }, { "CA", "1" },
    };

    ck_assert_int_eq(phone_countries_count, 242);
    for (int i = 0; i < phone_countries_count; i++) {
        const phone_country *c = &phone_countries[i];
        const char *number;
        ck_assert_msg(strlen(c->code) == 2 && c->code[0] >= 'A' && c->code[0] <= 'Z'
                          && c->code[1] >= 'A' && c->code[1] <= 'Z', "code %s", c->code);
        ck_assert_msg(i == 0 || strcmp(phone_countries[i - 1].code, c->code) < 0,
                      "%s after %s", c->code, phone_countries[i - 1].code);
        ck_assert_msg(strlen(c->calling_code) >= 1 && strlen(c->calling_code) <= 3
                          && strspn(c->calling_code, "0123456789") == strlen(c->calling_code),
                      "calling code %s of %s", c->calling_code, c->code);
        /* The phone rule knows the calling code: some national length of
         * 4 to 12 digits makes a valid number of it. */
        number = NULL;
        for (int len = 4; len <= 12 && !number; len++) {
            const char *candidate = apr_pstrcat(test_pool, "+", c->calling_code,
                                                apr_pstrndup(test_pool, "123456789012", len), NULL);
            const char *cc = NULL;
            if (fields_phone_valid(test_pool, candidate, &cc) && strcmp(cc, c->calling_code) == 0) {
                number = candidate;
            }
        }
        ck_assert_msg(number != NULL, "no valid number for %s (+%s)", c->code, c->calling_code);
    }
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        ck_assert_ptr_nonnull(calling_code_of(required[i][0]));
        ck_assert_str_eq(calling_code_of(required[i][0]), required[i][1]);
    }
    /* Not ISO 3166-1 codes: FlexiAPI has no row for them. */
    ck_assert_ptr_null(calling_code_of("AC"));
    ck_assert_ptr_null(calling_code_of("XK"));
}
END_TEST

START_TEST(allowed_countries_are_calling_codes_of_the_space)
{
    accounts_space *sp = space_create(test_pool);

    ck_assert(fields_phone_country_allowed(NULL, "31"));
    ck_assert_ptr_null(space_setting_set(test_pool, sp, space_setting_find("AccountsSpace"),
                                         "x.test", NULL));
    ck_assert_ptr_null(space_setting_set(test_pool, sp,
                                         space_setting_find("AccountsAllowedPhoneCountries"),
                                         "33", NULL));
    ck_assert_ptr_null(space_setting_set(test_pool, sp,
                                         space_setting_find("AccountsAllowedPhoneCountries"),
                                         "1", NULL));
    ck_assert_ptr_null(space_resolve(test_pool, sp, NULL, "secret"));
    ck_assert(fields_phone_country_allowed(sp, "33"));
    ck_assert(fields_phone_country_allowed(sp, "1"));
    ck_assert(!fields_phone_country_allowed(sp, "31"));
    ck_assert(!fields_phone_country_allowed(sp, "3"));
}
END_TEST

Suite *codes_suite(void)
{
    Suite *s = suite_create("codes");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, the_code_is_required_then_four_digits);
    tcase_add_test(tc, the_sms_number_keeps_the_plus_and_the_digits);
    tcase_add_test(tc, the_texts_carry_the_code_and_its_lifetime);
    tcase_add_test(tc, phone_countries_are_iso_regions_ordered_by_code);
    tcase_add_test(tc, allowed_countries_are_calling_codes_of_the_space);
    suite_add_tcase(s, tc);
    return s;
}
