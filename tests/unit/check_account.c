/* The Account JSON object: keys per variant, value types (api.md 3.1). */
#include "suites.h"
#include "account.h"
/* Spelled out: json-c's include directory has a json.h of its own. */
#include "../../mod_accounts/json.h"

#include <string.h>

#include <apr_strings.h>

#define JSON_C_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

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

/* The Account's text as account_write_json writes it. */
static const char *account_text(const account *a, account_view view, int with_codes,
                                const accounts_space *sp)
{
    json_writer *w = json_writer_create(test_pool, 16);   /* small: it must grow */
    const char *text;
    apr_size_t len;

    account_write_json(w, test_pool, a, view, with_codes, sp);
    text = json_writer_finish(w, &len);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

/* The Account parsed back by json-c (pool-owned), so that keys and values
 * can be inspected. The text must be what json-c itself would write for
 * that value: serialising the parse gives it back byte for byte. */
static json_object *account_json(const account *a, account_view view, int with_codes,
                                 const accounts_space *sp)
{
    const char *text = account_text(a, view, with_codes, sp);
    json_object *o = json_pool_own(test_pool, json_tokener_parse(text));

    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_FLAGS), text);
    return o;
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
    json_object *o = account_json(&a, ACCOUNT_VIEW_SELF, 0, space(NULL, NULL));

    ck_assert_str_eq(keys_of(o), COMMON_KEYS ",passwords,email_change_code,types,actions,carddav_servers");
    ck_assert_str_eq(account_text(&a, ACCOUNT_VIEW_SELF, 0, space(NULL, NULL)),
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

    ck_assert_str_eq(keys_of(account_json(&a, ACCOUNT_VIEW_SEARCH, 0, sp)),
                     COMMON_KEYS ",passwords,email_change_code,types,actions,carddav_servers,call_forwardings");
    ck_assert_str_eq(keys_of(account_json(&a, ACCOUNT_VIEW_ADMIN, 0, sp)),
                     COMMON_KEYS ",email_change_code,phone_change_code,types,actions,carddav_servers");
    ck_assert_str_eq(keys_of(account_json(&a, ACCOUNT_VIEW_UPDATED, 0, sp)),
                     COMMON_KEYS ",passwords,email_change_code,phone_change_code,types,actions,carddav_servers");
}
END_TEST

START_TEST(realm_and_provisioning_expiry_come_from_the_account_space)
{
    account a = sample();
    json_object *o = account_json(&a, ACCOUNT_VIEW_SELF, 0, space("my.realm", "90"));
    json_object *v;

    json_object_object_get_ex(o, "realm", &v);
    ck_assert_str_eq(json_object_get_string(v), "my.realm");
    json_object_object_get_ex(o, "provisioning_token_expire_at", &v);
    ck_assert_str_eq(json_object_get_string(v), "2025-03-01T11:30:00.000000Z");

    /* An account whose domain has no Space: realm and expiry are null. */
    o = account_json(&a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "realm", &v);
    ck_assert_ptr_null(v);
}
END_TEST

START_TEST(dictionary_keeps_insertion_order_and_empty_is_an_object)
{
    account a = sample();
    json_object *o, *v;

    a.dictionary_json = "{\"foo\": \"bar\", \"lang\": \"fr\"}";
    o = account_json(&a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "dictionary", &v);
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                     "{\"foo\":\"bar\",\"lang\":\"fr\"}");
    a.dictionary_json = NULL;
    o = account_json(&a, ACCOUNT_VIEW_SELF, 0, NULL);
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
    o = account_json(&a, ACCOUNT_VIEW_ADMIN, 1, NULL);
    json_object_object_get_ex(o, "email_change_code", &v);
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE),
                     "{\"email\":\"new@example.org\",\"code\":\"1234\",\"ip\":\"192.0.2.1\","
                     "\"user_agent\":null,\"created_at\":\"2025-03-01T10:00:00.000000Z\","
                     "\"updated_at\":\"2025-03-01T10:00:00.000000Z\"}");
    o = account_json(&a, ACCOUNT_VIEW_SELF, 0, NULL);
    json_object_object_get_ex(o, "email_change_code", &v);
    ck_assert(!json_object_object_get_ex(v, "code", NULL));
}
END_TEST

/* A member of the Account as text. */
static const char *member_text(const account *a, account_view view, int with_codes,
                               const char *key)
{
    json_object *v = NULL;

    ck_assert(json_object_object_get_ex(account_json(a, view, with_codes, NULL), key, &v));
    return json_object_to_json_string_ext(v, JSON_C_FLAGS);
}

/* The passwords member as json-c built it before the writer: each element
 * of the parsed array under "algorithm"; [] for anything but an array. */
static const char *passwords_by_json_c(const char *algorithms_json)
{
    json_object *algorithms = json_pool_own(test_pool, algorithms_json
                                                           ? json_tokener_parse(algorithms_json)
                                                           : NULL);
    json_object *out = json_pool_array(test_pool);
    size_t n = json_object_is_type(algorithms, json_type_array)
                   ? json_object_array_length(algorithms) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *entry = json_object_new_object();
        json_object_object_add(entry, "algorithm",
                               json_object_get(json_object_array_get_idx(algorithms, i)));
        json_object_array_add(out, entry);
    }
    return json_object_to_json_string_ext(out, JSON_C_FLAGS);
}

START_TEST(passwords_are_written_as_json_c_wrote_them)
{
    /* json_agg's own form (read without json-c), then what only json-c
     * reads: escapes, other types, odd spacing, broken text. */
    static const char *const inputs[] = {
        "[]", "[ ]", "[\"SHA-256\"]", "[\"SHA-256\", \"MD5\"]", "[\"CLRTXT\",\"MD5\",\"SHA-256\"]",
        " [ \"MD5\" ,\n\"x/y\" ] ", "[\"a\\\"b\"]", "[\"\\u00e9\\/\"]", "[\"caf\xc3\xa9\"]",
        "[1, null, true, {\"k\": 2.50}]", "[\"MD5\",]", "[\"MD5\" \"SHA-256\"]", "[\"MD5\"] x",
        "[\"MD5\"", "[", "", "{}", "\"MD5\"", "null", "[\"\t\"]", "[\"\x7f\"]",
    };
    account a = sample();

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        a.passwords_json = inputs[i];
        ck_assert_msg(strcmp(member_text(&a, ACCOUNT_VIEW_SELF, 0, "passwords"),
                             passwords_by_json_c(inputs[i])) == 0, "input %s", inputs[i]);
    }
    a.passwords_json = NULL;
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "passwords"), "[]");
    a.passwords_json = "[\"SHA-256\", \"MD5\"]";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_UPDATED, 0, "passwords"),
                     "[{\"algorithm\":\"SHA-256\"},{\"algorithm\":\"MD5\"}]");
}
END_TEST

START_TEST(dictionary_text_from_the_database_is_rewritten_compact)
{
    account a = sample();

    a.dictionary_json = "{ \"a\" : {\"b\": [1, 2.50, \"x/\\u00e9\"]}, \"c\": null }";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_ADMIN, 0, "dictionary"),
                     "{\"a\":{\"b\":[1,2.50,\"x/\xc3\xa9\"]},\"c\":null}");
    /* Never [] nor anything but an object. */
    a.dictionary_json = "[]";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_ADMIN, 0, "dictionary"), "{}");
    a.dictionary_json = "\"text\"";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_ADMIN, 0, "dictionary"), "{}");
    a.dictionary_json = "{ broken";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_ADMIN, 0, "dictionary"), "{}");
}
END_TEST

START_TEST(change_codes_of_every_view)
{
    account a = sample();

    a.email_change_json = "{\"email\":\"e@example.org\",\"code\":\"12\",\"ip\":null,"
                          "\"user_agent\":\"UA\",\"created_at\":0,\"updated_at\":\"86400\"}";
    a.phone_change_json = "{\"phone\":\"+33612345678\",\"code\":\"34\",\"ip\":\"192.0.2.1\"}";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_UPDATED, 1, "email_change_code"),
                     "{\"email\":\"e@example.org\",\"code\":\"12\",\"ip\":null,\"user_agent\":\"UA\","
                     "\"created_at\":\"1970-01-01T00:00:00.000000Z\","
                     "\"updated_at\":\"1970-01-02T00:00:00.000000Z\"}");
    /* Missing members are null; missing timestamps the epoch. */
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_ADMIN, 0, "phone_change_code"),
                     "{\"phone\":\"+33612345678\",\"ip\":\"192.0.2.1\",\"user_agent\":null,"
                     "\"created_at\":\"1970-01-01T00:00:00.000000Z\","
                     "\"updated_at\":\"1970-01-01T00:00:00.000000Z\"}");
    a.email_change_json = "[1]";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SEARCH, 0, "email_change_code"), "null");
    a.email_change_json = "not json";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "email_change_code"), "null");
    a.phone_change_json = NULL;
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_UPDATED, 0, "phone_change_code"), "null");
}
END_TEST

START_TEST(strings_are_escaped_and_nulls_written)
{
    account a = sample();

    a.username = "j\"o/e\\";
    a.display_name = "Caf\xc3\xa9 \x01\n";
    a.created_at = NULL;
    a.ip_address = NULL;
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "username"), "\"j\\\"o/e\\\\\"");
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "sip_uri"),
                     "\"sip:j\\\"o/e\\\\@sip.example.com\"");
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "display_name"),
                     "\"Caf\xc3\xa9 \\u0001\\n\"");
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "created_at"), "null");
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "ip_address"), "null");
    a.id = "9223372036854775807";
    ck_assert_str_eq(member_text(&a, ACCOUNT_VIEW_SELF, 0, "id"), "9223372036854775807");
}
END_TEST

START_TEST(password_hash_is_ha1_of_username_realm_password)
{
    ck_assert_str_eq(account_password_hash(test_pool, "MD5", "johndoe", "sip.example.com", "secret123"),
                     "4efac590b2efdc47855a1db7dd47a5a9");
    ck_assert_ptr_null(account_password_hash(test_pool, "CLRTXT", "a", "b", "c"));
}
END_TEST

/* The Contact variant (api-lifecycle.md 7.4): these keys only, in order;
 * nothing of the tokens, passwords, dictionary, email, phone or codes. */
START_TEST(contact_variant_has_exactly_its_keys_in_order)
{
    account a = sample();
    json_writer *w = json_writer_create(test_pool, 16);
    apr_size_t len;
    const char *text;

    a.email = "john@example.org";
    a.phone = "+33612345678";
    a.display_name = "John \"JD\" Doe";
    a.activated = 1;
    a.dictionary_json = "{\"lang\":\"fr\"}";
    a.email_change_json = "{\"email\":\"new@example.org\",\"code\":\"1234\",\"ip\":null,"
                          "\"user_agent\":null,\"created_at\":1,\"updated_at\":1}";
    account_write_contact_json(w, test_pool, &a);
    text = json_writer_finish(w, &len);
    ck_assert_str_eq(text, "{\"id\":42,\"username\":\"johndoe\",\"domain\":\"sip.example.com\","
                           "\"activated\":true,\"dtmf_protocol\":\"rfc2833\","
                           "\"display_name\":\"John \\\"JD\\\" Doe\","
                           "\"sip_uri\":\"sip:johndoe@sip.example.com\",\"types\":[],\"actions\":[]}");
    a.display_name = NULL;
    a.dtmf_protocol = NULL;
    a.activated = 0;
    w = json_writer_create(test_pool, 16);
    account_write_contact_json(w, test_pool, &a);
    ck_assert_str_eq(json_writer_finish(w, &len),
                     "{\"id\":42,\"username\":\"johndoe\",\"domain\":\"sip.example.com\","
                     "\"activated\":false,\"dtmf_protocol\":null,\"display_name\":null,"
                     "\"sip_uri\":\"sip:johndoe@sip.example.com\",\"types\":[],\"actions\":[]}");
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
    tcase_add_test(tc, passwords_are_written_as_json_c_wrote_them);
    tcase_add_test(tc, dictionary_text_from_the_database_is_rewritten_compact);
    tcase_add_test(tc, change_codes_of_every_view);
    tcase_add_test(tc, strings_are_escaped_and_nulls_written);
    tcase_add_test(tc, password_hash_is_ha1_of_username_realm_password);
    tcase_add_test(tc, contact_variant_has_exactly_its_keys_in_order);
    suite_add_tcase(s, tc);
    return s;
}
