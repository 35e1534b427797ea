/* The Account JSON object: keys per variant, value types (api.md 3.1). */
#include "suites.h"
#include "account.h"

#include <string.h>

#include <apr_strings.h>

static account sample(void)
{
    account a;
    memset(&a, 0, sizeof(a));
    a.id = "42";
    a.username = "johndoe";
    a.domain = "sip.example.com";
    a.ip_address = "192.0.2.10";
    a.user_agent = "Example Space";
    a.created_at = "1740823200";   /* 2025-03-01T10:00:00Z */
    a.updated_at = "1740823200";
    a.dtmf_protocol = "rfc2833";
    a.provisioning_token = "q2W8eRt5Yu1Io";
    a.provisioning_token_created_at = "1740823200";
    a.passwords_json = "[\"SHA-256\"]";
    a.dictionary_json = "{}";
    return a;
}

static accounts_space *space(const char *realm, const char *provisioning_expiry)
{
    accounts_space *sp = space_create(test_pool);
    space_setting_set(test_pool, sp, space_setting_find("AccountsSpace"), "sip.example.com", NULL);
    if (realm) {
        space_setting_set(test_pool, sp, space_setting_find("AccountsRealm"), realm, NULL);
    }
    if (provisioning_expiry) {
        space_setting_set(test_pool, sp, space_setting_find("AccountsProvisioningTokenExpiry"),
                          provisioning_expiry, NULL);
    }
    space_resolve(test_pool, sp, NULL, "secret");
    return sp;
}

/* The object's keys, comma-joined, in order. */
static const char *keys_of(json_object *o)
{
    const char *out = "";
    json_object_object_foreach(o, key, val) {
        (void)val;
        out = *out ? apr_pstrcat(test_pool, out, ",", key, NULL) : apr_pstrdup(test_pool, key);
    }
    return out;
}

#define COMMON_KEYS "id,username,domain,email,activated,ip_address,user_agent,created_at," \
    "updated_at,display_name,dtmf_protocol,blocked,admin,phone,realm,provisioning_token," \
    "provisioning_token_expire_at,dictionary,sip_uri"

START_TEST(self_variant_matches_the_example_of_the_contract)
{
    account a = sample();
    json_object *o = account_to_json(test_pool, &a, ACCOUNT_VIEW_SELF, 0, space(NULL, NULL));

    ck_assert_str_eq(keys_of(o), COMMON_KEYS ",passwords,email_change_code,types,actions,carddav_servers");
    ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"id\":42,\"username\":\"johndoe\",\"domain\":\"sip.example.com\",\"email\":null,"
        "\"activated\":false,\"ip_address\":\"192.0.2.10\",\"user_agent\":\"Example Space\","
        "\"created_at\":\"2025-03-01T10:00:00.000000Z\",\"updated_at\":\"2025-03-01T10:00:00.000000Z\","
        "\"display_name\":null,\"dtmf_protocol\":\"rfc2833\",\"blocked\":false,\"admin\":false,"
        "\"phone\":null,\"realm\":null,\"provisioning_token\":\"q2W8eRt5Yu1Io\","
        "\"provisioning_token_expire_at\":null,\"dictionary\":{},"
        "\"sip_uri\":\"sip:johndoe@sip.example.com\",\"passwords\":[{\"algorithm\":\"SHA-256\"}],"
        "\"email_change_code\":null,\"types\":[],\"actions\":[],\"carddav_servers\":[]}");
}
END_TEST

START_TEST(variants_differ_as_the_contract_says)
{
    account a = sample();
    accounts_space *sp = space(NULL, NULL);

    ck_assert_str_eq(keys_of(account_to_json(test_pool, &a, ACCOUNT_VIEW_SEARCH, 0, sp)),
                     COMMON_KEYS ",passwords,email_change_code,types,actions,carddav_servers,call_forwardings");
    ck_assert_str_eq(keys_of(account_to_json(test_pool, &a, ACCOUNT_VIEW_ADMIN, 0, sp)),
                     COMMON_KEYS ",email_change_code,phone_change_code,types,actions,carddav_servers");
    ck_assert_str_eq(keys_of(account_to_json(test_pool, &a, ACCOUNT_VIEW_UPDATED, 0, sp)),
                     COMMON_KEYS ",passwords,email_change_code,phone_change_code,types,actions,carddav_servers");
}
END_TEST

START_TEST(realm_and_provisioning_expiry_come_from_the_account_space)
{
    account a = sample();
    json_object *o = account_to_json(test_pool, &a, ACCOUNT_VIEW_SELF, 0,
                                     space("my.realm", "90"));
    json_object *v;

    json_object_object_get_ex(o, "realm", &v);
    ck_assert_str_eq(json_object_get_string(v), "my.realm");
    json_object_object_get_ex(o, "provisioning_token_expire_at", &v);
    ck_assert_str_eq(json_object_get_string(v), "2025-03-01T11:30:00.000000Z");

    /* An account whose domain has no Space: realm and expiry are null. */
    o = account_to_json(test_pool, &a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "realm", &v);
    ck_assert_ptr_null(v);
}
END_TEST

START_TEST(dictionary_keeps_insertion_order_and_empty_is_an_object)
{
    account a = sample();
    json_object *o, *v;

    a.dictionary_json = "{\"foo\": \"bar\", \"lang\": \"fr\"}";
    o = account_to_json(test_pool, &a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "dictionary", &v);
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                     "{\"foo\":\"bar\",\"lang\":\"fr\"}");
    a.dictionary_json = NULL;
    o = account_to_json(test_pool, &a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "dictionary", &v);
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), "{}");
}
END_TEST

START_TEST(change_codes_show_their_code_only_where_asked)
{
    account a = sample();
    json_object *o, *v;

    a.email_change_json = "{\"email\":\"new@example.org\",\"code\":\"1234\",\"ip\":\"192.0.2.1\","
                          "\"user_agent\":null,\"created_at\":1740823200,\"updated_at\":1740823200}";
    o = account_to_json(test_pool, &a, ACCOUNT_VIEW_ADMIN, 1, NULL);
    json_object_object_get_ex(o, "email_change_code", &v);
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE),
                     "{\"email\":\"new@example.org\",\"code\":\"1234\",\"ip\":\"192.0.2.1\","
                     "\"user_agent\":null,\"created_at\":\"2025-03-01T10:00:00.000000Z\","
                     "\"updated_at\":\"2025-03-01T10:00:00.000000Z\"}");
    o = account_to_json(test_pool, &a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "email_change_code", &v);
    ck_assert(!json_object_object_get_ex(v, "code", NULL));
}
END_TEST

START_TEST(password_hash_is_ha1_of_username_realm_password)
{
    ck_assert_str_eq(account_password_hash(test_pool, "MD5", "johndoe", "sip.example.com", "secret123"),
                     "4efac590b2efdc47855a1db7dd47a5a9");
    ck_assert_ptr_null(account_password_hash(test_pool, "CLRTXT", "a", "b", "c"));
}
END_TEST

Suite *account_suite(void)
{
    Suite *s = suite_create("account");
    TCase *tc = tcase_create("account");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, self_variant_matches_the_example_of_the_contract);
    tcase_add_test(tc, variants_differ_as_the_contract_says);
    tcase_add_test(tc, realm_and_provisioning_expiry_come_from_the_account_space);
    tcase_add_test(tc, dictionary_keeps_insertion_order_and_empty_is_an_object);
    tcase_add_test(tc, change_codes_show_their_code_only_where_asked);
    tcase_add_test(tc, password_hash_is_ha1_of_username_realm_password);
    suite_add_tcase(s, tc);
    return s;
}
