/* Digest parsing and checks (api.md 2.3), and the 422 body (api.md 1.5). */
#include "suites.h"
#include "digest.h"
#include "json.h"

#include <ctype.h>
#include <string.h>

#include <apr_strings.h>

START_TEST(flexiapi_compact_form_parses)
{
    digest_credentials c;
    ck_assert(digest_parse_authorization(test_pool,
        "Digest username=\"bob\",realm=\"sip.example.com\",nonce=\"abc\",nc=00000001,"
        "cnonce=\"xyz\",uri=\"/api/accounts/me\",qop=auth,response=\"r\",opaque=\"o\",algorithm=MD5", &c));
    ck_assert_str_eq(c.username, "bob");
    ck_assert_str_eq(c.realm, "sip.example.com");
    ck_assert_str_eq(c.nonce, "abc");
    ck_assert_str_eq(c.nc, "00000001");
    ck_assert_str_eq(c.cnonce, "xyz");
    ck_assert_str_eq(c.uri, "/api/accounts/me");
    ck_assert_str_eq(c.qop, "auth");
    ck_assert_str_eq(c.response, "r");
    ck_assert_str_eq(c.opaque, "o");
    ck_assert_str_eq(c.algorithm, "MD5");
}
END_TEST

START_TEST(linphone_spaced_form_with_escapes_parses)
{
    digest_credentials c;
    ck_assert(digest_parse_authorization(test_pool,
        "digest  USERNAME = \"b\\\"ob\" , Realm=\"r\", nonce=\"n\", Unknown=\"x\", qop=auth, nc = 0000000a", &c));
    ck_assert_str_eq(c.username, "b\"ob");
    ck_assert_str_eq(c.realm, "r");
    ck_assert_str_eq(c.nc, "0000000a");
    ck_assert_ptr_null(c.algorithm);
    ck_assert_ptr_null(c.response);
}
END_TEST

START_TEST(malformed_headers_do_not_parse)
{
    digest_credentials c;
    ck_assert(!digest_parse_authorization(test_pool, "Basic Ym9iOnNlY3JldA==", &c));
    ck_assert(!digest_parse_authorization(test_pool, "Digest", &c) || c.nonce == NULL);
    ck_assert(!digest_parse_authorization(test_pool, "Digestusername=\"a\"", &c));
    ck_assert(!digest_parse_authorization(test_pool, "Digest username=\"bob", &c));      /* unbalanced */
    ck_assert(!digest_parse_authorization(test_pool, "Digest username=\"bob\\", &c));
    ck_assert(!digest_parse_authorization(test_pool, "Digest username", &c));            /* truncated */
    ck_assert(!digest_parse_authorization(test_pool, "Digest username=", &c));
    ck_assert(!digest_parse_authorization(test_pool, "Digest =\"x\"", &c));
    ck_assert(!digest_parse_authorization(test_pool, "Digest a=\"x\" b=\"y\"", &c));    /* no comma */
    ck_assert(!digest_parse_authorization(test_pool, NULL, &c));
}
END_TEST

START_TEST(from_header_is_a_bare_sip_uri)
{
    const char *u, *d;
    ck_assert(digest_parse_from(test_pool, "sip:bob@sip.example.org", &u, &d));
    ck_assert_str_eq(u, "bob");
    ck_assert_str_eq(d, "sip.example.org");
    ck_assert(digest_parse_from(test_pool, "SIPS:bob@sip.example.org:5061;tag=abc", &u, &d));
    ck_assert_str_eq(d, "sip.example.org:5061");
    ck_assert(digest_parse_from(test_pool, "sip:b%2Bob@[2001:db8::1]", &u, &d));
    ck_assert_str_eq(u, "b+ob");
    ck_assert_str_eq(d, "[2001:db8::1]");
    ck_assert(digest_parse_from(test_pool, "sip:bob@192.0.2.1:5060", &u, &d));
}
END_TEST

START_TEST(other_from_forms_are_invalid_sip_addresses)
{
    const char *u, *d;
    ck_assert(!digest_parse_from(test_pool, "\"Bob\" <sip:bob@sip.example.org>", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "<sip:bob@sip.example.org>", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:bob", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:@example.org", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "bob@example.org", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:bob@", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:bob@exa mple.org", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:bob@example.org:port", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:b ob@example.org", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:bob%00@example.org", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "sip:bob%zz@example.org", &u, &d));
    ck_assert(!digest_parse_from(test_pool, "tel:+33612345678", &u, &d));
}
END_TEST

START_TEST(nc_is_hexadecimal_and_garbage_counts_as_zero)
{
    ck_assert_int_eq(digest_parse_nc("00000001"), 1);
    ck_assert_int_eq(digest_parse_nc("0000000a"), 10);
    ck_assert_int_eq(digest_parse_nc("FF"), 255);
    ck_assert_int_eq(digest_parse_nc("zz"), 0);
    ck_assert_int_eq(digest_parse_nc(""), 0);
    ck_assert(digest_parse_nc("ffffffffffffffffffffffff") > 0);
}
END_TEST

/* Stateless nonces (issue 13): what a challenge mints verifies, for that
 * Space and account only, with its mint time; nothing else does. */
#define NOW_US 1764806400123456LL
START_TEST(nonces_verify_for_their_space_and_account_only)
{
    const char *n = digest_nonce_mint(test_pool, "s3cret", "a.test", "bob", "A.test", NOW_US);
    long long t = 0;
    char *bad;

    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(strlen(n), DIGEST_NONCE_LENGTH);
    ck_assert_int_eq(strspn(n, "0123456789abcdef"), DIGEST_NONCE_LENGTH);
    ck_assert(digest_nonce_verify(test_pool, n, "s3cret", "a.test", "bob", "a.TEST", &t));
    ck_assert(t == NOW_US);
    ck_assert_str_ne(n, digest_nonce_mint(test_pool, "s3cret", "a.test", "bob", "a.test", NOW_US));
    ck_assert(!digest_nonce_verify(test_pool, n, "other", "a.test", "bob", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, n, "s3cret", "b.test", "bob", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, n, "s3cret", "a.test", "alice", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, n, "s3cret", "a.test", "bob", "b.test", &t));
    for (int i = 0; i < DIGEST_NONCE_LENGTH; i += 7) {   /* time, salt and MAC alike */
        bad = apr_pstrdup(test_pool, n);
        bad[i] = bad[i] == '0' ? '1' : '0';
        ck_assert_msg(!digest_nonce_verify(test_pool, bad, "s3cret", "a.test", "bob", "a.test", &t),
                      "digit %d changed", i);
    }
    bad = apr_pstrdup(test_pool, n);
    for (char *c = bad; *c; c++) {
        *c = (char)toupper((unsigned char)*c);
    }
    ck_assert(strcmp(bad, n) == 0
              || !digest_nonce_verify(test_pool, bad, "s3cret", "a.test", "bob", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, apr_pstrndup(test_pool, n, 63), "s3cret", "a.test",
                                   "bob", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, apr_pstrcat(test_pool, n, "0", NULL), "s3cret",
                                   "a.test", "bob", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, "", "s3cret", "a.test", "bob", "a.test", &t));
    ck_assert(!digest_nonce_verify(test_pool, NULL, "s3cret", "a.test", "bob", "a.test", &t));
}
END_TEST

START_TEST(challenge_has_the_exact_wire_format)
{
    ck_assert_str_eq(digest_challenge(test_pool, "sip.example.com", "SHA-256", "n0", "op"),
                     "Digest realm=\"sip.example.com\",qop=\"auth\",algorithm=SHA-256,nonce=\"n0\",opaque=\"op\"");
}
END_TEST

static const char *body_of(validation *v)
{
    return json_object_to_json_string_ext(validation_to_json(v), JSON_C_TO_STRING_PLAIN
                                                                    | JSON_C_TO_STRING_NOSLASHESCAPE);
}

START_TEST(field_checks_run_in_order_and_all_fail_at_once)
{
    digest_credentials c;
    validation *v = validation_create(test_pool);

    memset(&c, 0, sizeof(c));
    c.opaque = "wrong";
    c.uri = "/api/accounts/me";
    c.qop = "auth-int";
    c.realm = "other";
    c.algorithm = "md5";
    c.username = "bob";
    digest_check_fields(v, &c, "op", "/api/accounts/me", "/api/accounts/me", "realm", "bob");
    ck_assert_str_eq(body_of(v),
        "{\"message\":\"The selected opaque is invalid. (and 5 more errors)\",\"errors\":{"
        "\"opaque\":[\"The selected opaque is invalid.\"],\"qop\":[\"The selected qop is invalid.\"],"
        "\"realm\":[\"The selected realm is invalid.\"],\"nc\":[\"The nc field is required.\"],"
        "\"cnonce\":[\"The cnonce field is required.\"],\"algorithm\":[\"The selected algorithm is invalid.\"]}}");
}
END_TEST

START_TEST(uri_may_carry_the_query_string)
{
    digest_credentials c;
    validation *v = validation_create(test_pool);

    memset(&c, 0, sizeof(c));
    c.opaque = "op"; c.qop = "auth"; c.realm = "r"; c.nc = "1"; c.cnonce = "c"; c.username = "u";
    c.uri = "/api/x?page=2";
    digest_check_fields(v, &c, "op", "/api/x", "/api/x?page=2", "r", "u");
    ck_assert(!validation_failed(v));
    c.uri = "/api/y";
    digest_check_fields(v, &c, "op", "/api/x", "/api/x?page=2", "r", "u");
    ck_assert_str_eq(body_of(v), "{\"message\":\"The selected uri is invalid.\",\"errors\":{"
                                 "\"uri\":[\"The selected uri is invalid.\"]}}");
}
END_TEST

START_TEST(expected_response_matches_the_api_vectors)
{
    digest_credentials c;
    char nonce[65];

    memset(&c, 0, sizeof(c));
    memset(nonce, 'a', 64);
    nonce[64] = '\0';
    c.nonce = nonce; c.nc = "00000001"; c.cnonce = "0a4f113b"; c.qop = "auth";
    c.uri = "/api/accounts/me";
    ck_assert_str_eq(digest_expected_response(test_pool, DIGEST_MD5, "4efac590b2efdc47855a1db7dd47a5a9",
                                              "GET", &c),
                     "14541717479198aecf53fb8de3bafe9f");
    ck_assert_str_eq(digest_expected_response(test_pool, DIGEST_SHA256,
                         "de089f5dd9dd90e88c84162b982237b30d1dc6ba5e1fe7e1e6b1e66826a5fac4", "GET", &c),
                     "d15810a4d833861b1f7a651ca9a4c5e8834722b9dc4e90f9484a2d8359e0af3c");
}
END_TEST

START_TEST(validation_message_counts_the_other_errors)
{
    validation *v = validation_create(test_pool);
    validation_fail(v, "old_password", RULE_REQUIRED);
    ck_assert_str_eq(body_of(v), "{\"message\":\"The old password field is required.\",\"errors\":{"
                                 "\"old_password\":[\"The old password field is required.\"]}}");
    validation_add(v, "old_password", "Second.");
    ck_assert_ptr_nonnull(strstr(body_of(v), "(and 1 more error)\""));
}
END_TEST

/* prefix + fill characters + suffix, len bytes in all. */
static const char *sized(const char *prefix, char fill, const char *suffix, size_t len)
{
    size_t p = strlen(prefix), q = strlen(suffix);
    char *out = apr_palloc(test_pool, len + 1);

    memcpy(out, prefix, p);
    memset(out + p, fill, len - p - q);
    memcpy(out + len - q, suffix, q + 1);
    return out;
}

START_TEST(headers_over_the_parsers_limits_are_refused)
{
    digest_credentials c;
    const char *u, *d;

    /* An Authorization of exactly the limit parses; one byte more does not. */
    ck_assert(digest_parse_authorization(test_pool, sized("Digest nonce=\"abc\",x=\"", 'p', "\"",
                                                          DIGEST_MAX_AUTHORIZATION), &c));
    ck_assert_str_eq(c.nonce, "abc");
    ck_assert(!digest_parse_authorization(test_pool, sized("Digest nonce=\"abc\",x=\"", 'p', "\"",
                                                           DIGEST_MAX_AUTHORIZATION + 1), &c));
    /* The same for From, URI parameters after ';' included. */
    ck_assert(digest_parse_from(test_pool, sized("sip:bob@sip.example.org;tag=", 't', "", DIGEST_MAX_FROM), &u, &d));
    ck_assert_str_eq(u, "bob");
    ck_assert(!digest_parse_from(test_pool, sized("sip:bob@sip.example.org;tag=", 't', "", DIGEST_MAX_FROM + 1), &u, &d));
}
END_TEST

Suite *digest_suite(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("digest");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, flexiapi_compact_form_parses);
    tcase_add_test(tc, linphone_spaced_form_with_escapes_parses);
    tcase_add_test(tc, malformed_headers_do_not_parse);
    tcase_add_test(tc, from_header_is_a_bare_sip_uri);
    tcase_add_test(tc, other_from_forms_are_invalid_sip_addresses);
    tcase_add_test(tc, nc_is_hexadecimal_and_garbage_counts_as_zero);
    tcase_add_test(tc, challenge_has_the_exact_wire_format);
    tcase_add_test(tc, nonces_verify_for_their_space_and_account_only);
    tcase_add_test(tc, headers_over_the_parsers_limits_are_refused);
    tcase_add_test(tc, field_checks_run_in_order_and_all_fail_at_once);
    tcase_add_test(tc, uri_may_carry_the_query_string);
    tcase_add_test(tc, expected_response_matches_the_api_vectors);
    tcase_add_test(tc, validation_message_counts_the_other_errors);
    suite_add_tcase(s, tc);
    return s;
}
