/* Space directives: parsing, validation, merging, defaults, the registry,
 * and the reference configuration and docs against the directive table. */
#include "suites.h"
#include "space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

static const char *set(accounts_space *sp, const char *directive, const char *arg)
{
    const space_setting *def = space_setting_find(directive);
    ck_assert_msg(def != NULL, "no directive %s", directive);
    return space_setting_set(test_pool, sp, def, arg, NULL);
}

/* One good and one bad value per directive; the error must name it. */
static const struct {
    const char *directive, *good, *bad;
} cases[] = {
    { "AccountsSpace", "Sip.Example.org", "bad domain!" },
    { "AccountsSpaceName", "Example Space", "" },
    { "AccountsSuperSpace", "On", "maybe" },
    { "AccountsRealm", "sip.example.org", "with\"quote" },
    { "AccountsMaxAccounts", "1000", "-1" },
    { "AccountsPasswordAlgorithm", "md5", "SHA-1" },
    { "AccountsEmailUnique", "Off", "2" },
    { "AccountsUsernameRegex", "^[a-z]+$", "^[a-z" },
    { "AccountsBlacklistedUsernames", "root,admin.*", NULL },
    { "AccountsAllowPhoneUsername", "On", "yes" },
    { "AccountsCreationTokenExpiry", "10", "ten" },
    { "AccountsAuthTokenExpiry", "5", "0" },
    { "AccountsApiKeyExpiry", "0", "99999999999" },
    { "AccountsProvisioningTokenExpiry", "30", "-3" },
    { "AccountsResetPasswordExpiry", "1440", "" },
    { "AccountsTurnServer", "turn.example.org:3478", "turn.example.org:99999" },
    { "AccountsTurnSecret", "s3cr3t", "" },
    { "AccountsTurnTTL", "1440", "x" },
    { "AccountsPublicURL", "https://sip.example.org/", "ftp://sip.example.org" },
    { "AccountsSendmail", "/usr/sbin/sendmail -t -i", "" },
    { "AccountsMailFrom", "no-reply@example.org", "not an address" },
    { "AccountsSecret", "a long secret", "" },
    { "AccountsAllowedPhoneCountries", "33", "0033" },
    { "AccountsMailFromName", "Example", "two\nlines" },
    { "AccountsMailSignature", "The team", "" },
    { "AccountsProvisioningHeaderRequired", "Off", "sometimes" },
    { "AccountsProvisioningSections", TOP_SRCDIR "/conf/accounts.conf", "/nonexistent/file.ini" },
    { "AccountsProvisioningOverwrite", "On", "always" },
    { "AccountsContactsVcardURL", "none", "vcard" },
    { "AccountsNonceMaxAge", "60", "sixty" },
    { "AccountsSipProxy", "<sip:proxy.example.org;transport=tls>", "proxy.example.org" },
    { "AccountsSipRoute", "sips:edge.example.org", "<sip:edge example.org>" },
    { "AccountsCookieSecure", "On", "secure" },
    { "AccountsSpaceExpiry", "2030-02-28", "2030-02-30" },
    { "AccountsPushCommand", "/usr/bin/flexisip_pusher --disable-tls-check \"a b\"", "flexisip_pusher" },
    { "AccountsPushFirebaseKeys", "linphone:AAAA:bbb other:key", "linphone" },
    { "AccountsSmsCommand", "/usr/local/bin/send-sms --account main", "/usr/bin/\"sms" },
    { "AccountsCreationTokenRetry", "0", "-1" },
    { "AccountsRecoveryTokenRetry", "60", "1h" },
    { "AccountsRecoveryTokenExpiry", "0", "x" },
    { "AccountsEmailChangeCodeExpiry", "10", "" },
    { "AccountsPhoneChangeCodeExpiry", "10", "ten" },
    { "AccountsRecoveryCodeExpiry", "10", "1.5" },
    { "AccountsBlockingEvents", "0", "-5" },
    { "AccountsBlockingPeriod", "30", "0" },
    { "AccountsRegistrarTable", "kamailio.location", "location;drop" },
};

START_TEST(every_directive_has_a_case)
{
    /* + AccountsLinphoneUI, tested on its own (two arguments). */
    ck_assert_int_eq(sizeof(cases) / sizeof(cases[0]) + 1, SPACE_SETTING_COUNT);
}
END_TEST

START_TEST(good_values_are_accepted_and_bad_ones_refused_naming_the_directive)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        accounts_space *sp = space_create(test_pool);
        const char *err = set(sp, cases[i].directive, cases[i].good);
        ck_assert_msg(err == NULL, "%s %s: %s", cases[i].directive, cases[i].good, err);
        if (cases[i].bad) {
            err = set(sp, cases[i].directive, cases[i].bad);
            ck_assert_msg(err != NULL, "%s accepted '%s'", cases[i].directive, cases[i].bad);
            ck_assert_msg(strstr(err, cases[i].directive) == err, "message '%s'", err);
        }
    }
}
END_TEST

START_TEST(values_are_normalised)
{
    accounts_space *sp = space_create(test_pool);
    ck_assert_ptr_null(set(sp, "AccountsSpace", "Sip.Example.ORG"));
    ck_assert_str_eq(sp->domain, "sip.example.org");
    ck_assert_ptr_null(set(sp, "AccountsPasswordAlgorithm", "sha-256"));
    ck_assert_str_eq(sp->password_algorithm, "SHA-256");
    ck_assert_ptr_null(set(sp, "AccountsPublicURL", "https://a.example//"));
    ck_assert_str_eq(sp->public_url, "https://a.example");
    ck_assert_ptr_null(set(sp, "AccountsMaxAccounts", "2147483647"));
    ck_assert_int_eq(sp->max_accounts, 2147483647L);
}
END_TEST

/* Issue 13, item 9: behind a TLS-terminating proxy the request is plain
 * HTTP, so the cookie's Secure comes from the Space: an https public URL
 * the operator configured, or AccountsCookieSecure. */
static int cookie_secure_for(const char *public_url, const char *cookie_secure)
{
    accounts_space *sp = space_create(test_pool);
    set(sp, "AccountsSpace", "sip.example.org");
    if (public_url) {
        ck_assert_ptr_null(set(sp, "AccountsPublicURL", public_url));
    }
    if (cookie_secure) {
        ck_assert_ptr_null(set(sp, "AccountsCookieSecure", cookie_secure));
    }
    ck_assert_ptr_null(space_resolve(test_pool, sp, "host.example.org", "secret"));
    return sp->cookie_always_secure;
}

/* Issue 14: what a provisioning document may carry as reg_proxy. */
START_TEST(sip_proxy_takes_sip_uris_only)
{
    static const char *const good[] = {
        "<sip:proxy.example.org;transport=tls>", "sip:proxy.example.org", "sips:10.0.0.1:5061",
        "<sip:[2001:db8::1]:5060;transport=udp;lr>", "SIP:Proxy.Example.org",
    };
    static const char *const bad[] = {
        "proxy.example.org", "<sip:>", "sip:", "<sip:proxy.example.org", "sip:a b", "\"sip:x\"",
        "sip:x&y", "<sip:x<y>", "http://proxy.example.org", "sip:;transport=tls",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        accounts_space *sp = space_create(test_pool);
        ck_assert_msg(set(sp, "AccountsSipProxy", good[i]) == NULL, "refused %s", good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        accounts_space *sp = space_create(test_pool);
        ck_assert_msg(set(sp, "AccountsSipProxy", bad[i]) != NULL, "accepted %s", bad[i]);
    }
}
END_TEST

START_TEST(cookie_secure_follows_the_public_url_unless_set)
{
    ck_assert_int_eq(cookie_secure_for(NULL, NULL), 0);   /* the derived https:// + ServerName does not count */
    ck_assert_int_eq(cookie_secure_for("https://sip.example.org", NULL), 1);
    ck_assert_int_eq(cookie_secure_for("http://sip.example.org", NULL), 0);
    ck_assert_int_eq(cookie_secure_for("https://sip.example.org", "Off"), 0);
    ck_assert_int_eq(cookie_secure_for("http://sip.example.org", "On"), 1);
    ck_assert_int_eq(cookie_secure_for(NULL, "On"), 1);
}
END_TEST

START_TEST(linphone_ui_takes_a_known_name_and_a_number)
{
    const space_setting *def = space_setting_find("AccountsLinphoneUI");
    accounts_space *sp = space_create(test_pool);

    ck_assert_ptr_null(space_setting_set(test_pool, sp, def, "hide_settings", "1"));
    ck_assert_ptr_nonnull(space_setting_set(test_pool, sp, def, "no_such_entry", "1"));
    ck_assert_ptr_nonnull(space_setting_set(test_pool, sp, def, "hide_settings", "yes"));
    ck_assert_ptr_nonnull(space_setting_set(test_pool, sp, def, "super", "1"));
}
END_TEST

START_TEST(unset_values_get_their_documented_defaults)
{
    accounts_space *sp = space_create(test_pool);
    set(sp, "AccountsSpace", "sip.example.org");
    ck_assert_ptr_null(space_resolve(test_pool, sp, "host.example.org", "secret"));

    ck_assert_str_eq(sp->name, "sip.example.org");
    ck_assert_int_eq(sp->super, 0);
    ck_assert_ptr_null(sp->realm);
    ck_assert_str_eq(space_digest_realm(sp), "sip.example.org");
    ck_assert_int_eq(sp->max_accounts, 0);
    ck_assert_str_eq(sp->password_algorithm, "SHA-256");
    ck_assert_int_eq(sp->email_unique, 1);
    ck_assert_str_eq(sp->username_regex, "^[a-z0-9+_.-]*$");
    ck_assert_int_eq(sp->blacklist->nelts, 0);
    ck_assert_int_eq(sp->allow_phone_username, 0);
    ck_assert_int_eq(sp->creation_token_expiry, 0);
    ck_assert_int_eq(sp->auth_token_expiry, 5);
    ck_assert_int_eq(sp->api_key_expiry, 60);
    ck_assert_int_eq(sp->provisioning_token_expiry, 0);
    ck_assert_int_eq(sp->reset_password_expiry, 1440);
    ck_assert_ptr_null(sp->turn_server);
    ck_assert_int_eq(sp->turn_ttl, 1440);
    ck_assert_str_eq(sp->public_url, "https://host.example.org");
    ck_assert_str_eq(sp->sendmail, "/usr/sbin/sendmail -t -i");
    ck_assert_str_eq(sp->mail_from, "no-reply@sip.example.org");
    ck_assert_str_eq(sp->secret, "secret");
    ck_assert_int_eq(sp->phone_countries->nelts, 0);
    ck_assert_int_eq(sp->provisioning_header_required, 1);
    ck_assert_int_eq(sp->provisioning_overwrite, 0);
    ck_assert_str_eq(sp->contacts_vcard_url, "https://host.example.org/contacts/vcard");
    ck_assert_int_eq(sp->nonce_max_age, 60);
    ck_assert_int_eq(sp->expires_at, 0);
    ck_assert_int_eq(sp->ui[3], 1);   /* disable_broadcast_feature */
    ck_assert_int_eq(sp->ui[0], 0);   /* super */
    ck_assert_ptr_nonnull(sp->opaque);
}
END_TEST

START_TEST(vhost_value_wins_over_the_global_one_setting_by_setting)
{
    accounts_space *global = space_create(test_pool);
    accounts_space *vhost = space_create(test_pool);
    accounts_space *merged;
    const space_setting *ui = space_setting_find("AccountsLinphoneUI");

    set(global, "AccountsMaxAccounts", "10");
    set(global, "AccountsApiKeyExpiry", "30");
    set(global, "AccountsSuperSpace", "On");
    set(global, "AccountsRealm", "global.realm");
    set(global, "AccountsAllowedPhoneCountries", "33");
    space_setting_set(test_pool, global, ui, "hide_settings", "1");
    space_setting_set(test_pool, global, ui, "max_account", "3");

    set(vhost, "AccountsSpace", "b.example.org");
    set(vhost, "AccountsMaxAccounts", "0");          /* zero is a value, not "unset" */
    set(vhost, "AccountsSuperSpace", "Off");
    set(vhost, "AccountsAllowedPhoneCountries", "31");
    set(vhost, "AccountsAllowedPhoneCountries", "1");
    space_setting_set(test_pool, vhost, ui, "max_account", "5");

    merged = space_merge(test_pool, global, vhost);
    ck_assert_ptr_null(space_resolve(test_pool, merged, "b.example.org", "s"));
    ck_assert_str_eq(merged->domain, "b.example.org");
    ck_assert_int_eq(merged->max_accounts, 0);
    ck_assert_int_eq(merged->api_key_expiry, 30);
    ck_assert_int_eq(merged->super, 0);
    ck_assert_str_eq(merged->realm, "global.realm");
    ck_assert_int_eq(merged->phone_countries->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(merged->phone_countries, 0, const char *), "31");
    ck_assert_int_eq(merged->ui[4], 1);    /* hide_settings from the global pairs */
    ck_assert_int_eq(merged->ui[11], 5);   /* max_account: the vhost's pair wins */
}
END_TEST

START_TEST(blacklist_items_are_literals_or_patterns)
{
    accounts_space *sp = space_create(test_pool);
    set(sp, "AccountsSpace", "a.example");
    set(sp, "AccountsBlacklistedUsernames", " foobar , username-.* ,(unclosed ");
    space_resolve(test_pool, sp, NULL, "s");
    ck_assert_int_eq(sp->blacklist->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(sp->blacklist, 0, space_blacklist_item).literal, "foobar");
    ck_assert_ptr_nonnull(APR_ARRAY_IDX(sp->blacklist, 1, space_blacklist_item).pattern);
    ck_assert_ptr_null(APR_ARRAY_IDX(sp->blacklist, 2, space_blacklist_item).pattern);
}
END_TEST

START_TEST(space_expiry_starts_the_day_after)
{
    accounts_space *sp = space_create(test_pool);
    set(sp, "AccountsSpace", "a.example");
    set(sp, "AccountsSpaceExpiry", "2000-01-01");
    space_resolve(test_pool, sp, NULL, "s");
    ck_assert(sp->expires_at == apr_time_from_sec(946771200));   /* 2000-01-02T00:00Z */
}
END_TEST

START_TEST(registry_refuses_two_different_definitions_of_one_domain)
{
    space_registry *reg = space_registry_create(test_pool);
    accounts_space *a = space_create(test_pool), *b = space_create(test_pool),
                   *c = space_create(test_pool);
    const char *err;

    set(a, "AccountsSpace", "a.example");
    set(b, "AccountsSpace", "A.example");
    set(c, "AccountsSpace", "a.example");
    set(c, "AccountsMaxAccounts", "3");
    space_resolve(test_pool, a, "a.example", "s");
    space_resolve(test_pool, b, "a.example", "s");
    space_resolve(test_pool, c, "a.example", "s");

    ck_assert_ptr_null(space_registry_add(reg, a));
    ck_assert_ptr_null(space_registry_add(reg, b));     /* same settings: fine */
    err = space_registry_add(reg, c);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "AccountsMaxAccounts"));
    ck_assert_uint_eq(space_registry_count(reg), 1);
    ck_assert_ptr_eq(space_registry_find(reg, "A.EXAMPLE"), a);
    ck_assert_ptr_null(space_registry_find(reg, "b.example"));
}
END_TEST

/* Reads a whole file of the source tree. */
static char *slurp(const char *relative)
{
    char path[512];
    FILE *f;
    long len;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", TOP_SRCDIR, relative);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = apr_palloc(test_pool, (apr_size_t)len + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

START_TEST(reference_config_documents_exactly_the_directive_table)
{
    char *conf = slurp("conf/accounts.conf");
    char *line, *state;

    /* Every directive appears as a commented "#   Directive default" line. */
    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "\n#   %s ", space_settings[i].directive);
        ck_assert_msg(strstr(conf, needle) != NULL,
                      "conf/accounts.conf does not document %s", space_settings[i].directive);
    }
    /* And no directive it names is unknown to the module. */
    for (line = apr_strtok(conf, "\n", &state); line; line = apr_strtok(NULL, "\n", &state)) {
        char name[128];
        if (sscanf(line, "#   %127s", name) == 1 && strncmp(name, "Accounts", 8) == 0) {
            ck_assert_msg(space_setting_find(name) != NULL,
                          "conf/accounts.conf names unknown directive %s", name);
        }
    }
}
END_TEST

START_TEST(configuration_docs_cover_every_directive)
{
    const char *doc = slurp("docs/configuration.md");

    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "`%s", space_settings[i].directive);
        ck_assert_msg(strstr(doc, needle) != NULL, "docs/configuration.md misses %s",
                      space_settings[i].directive);
    }
}
END_TEST

START_TEST(provisioning_sections_parse_and_errors_name_the_line)
{
    const char *error = NULL;
    apr_array_header_t *secs = space_parse_sections(
        test_pool, "; comment\n\n[app]\n key = a = b \n# x\n[proxy_0]\nreg_proxy=<sip:p>\n", &error);
    space_section *s;

    ck_assert_ptr_nonnull(secs);
    ck_assert_int_eq(secs->nelts, 2);
    s = &APR_ARRAY_IDX(secs, 0, space_section);
    ck_assert_str_eq(s->name, "app");
    ck_assert_str_eq(APR_ARRAY_IDX(s->entries, 0, space_entry).key, "key");
    ck_assert_str_eq(APR_ARRAY_IDX(s->entries, 0, space_entry).value, "a = b");
    s = &APR_ARRAY_IDX(secs, 1, space_section);
    ck_assert_str_eq(APR_ARRAY_IDX(s->entries, 0, space_entry).value, "<sip:p>");

    ck_assert_ptr_null(space_parse_sections(test_pool, "[a]\n\n\nno equals sign\n", &error));
    ck_assert_str_eq(error, "line 4: expected key = value inside a [section]");
    ck_assert_ptr_null(space_parse_sections(test_pool, "key = outside\n", &error));
    ck_assert_ptr_null(space_parse_sections(test_pool, "\n[unclosed\n", &error));
    ck_assert_str_eq(error, "line 2: a section header is [name]");
}
END_TEST

Suite *space_suite(void)
{
    Suite *s = suite_create("space");
    TCase *tc = tcase_create("space");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, every_directive_has_a_case);
    tcase_add_test(tc, good_values_are_accepted_and_bad_ones_refused_naming_the_directive);
    tcase_add_test(tc, values_are_normalised);
    tcase_add_test(tc, linphone_ui_takes_a_known_name_and_a_number);
    tcase_add_test(tc, unset_values_get_their_documented_defaults);
    tcase_add_test(tc, vhost_value_wins_over_the_global_one_setting_by_setting);
    tcase_add_test(tc, blacklist_items_are_literals_or_patterns);
    tcase_add_test(tc, space_expiry_starts_the_day_after);
    tcase_add_test(tc, registry_refuses_two_different_definitions_of_one_domain);
    tcase_add_test(tc, reference_config_documents_exactly_the_directive_table);
    tcase_add_test(tc, configuration_docs_cover_every_directive);
    tcase_add_test(tc, cookie_secure_follows_the_public_url_unless_set);
    tcase_add_test(tc, sip_proxy_takes_sip_uris_only);
    tcase_add_test(tc, provisioning_sections_parse_and_errors_name_the_line);
    suite_add_tcase(s, tc);
    return s;
}
