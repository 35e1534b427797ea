/* Digest and HMAC helpers against the published test vectors (api.md 2.3, 5.6). */
#include "suites.h"
#include "crypto.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

START_TEST(md5_ha1_ha2_and_response_match_the_api_vectors)
{
    const char *ha1 = crypto_digest_hex(test_pool, DIGEST_MD5, "johndoe", ":",
                                        "sip.example.com", ":", "secret123", NULL);
    const char *ha2 = crypto_digest_hex(test_pool, DIGEST_MD5, "GET", ":", "/api/accounts/me", NULL);
    char nonce[65];
    memset(nonce, 'a', 64);
    nonce[64] = '\0';
    ck_assert_str_eq(ha1, "4efac590b2efdc47855a1db7dd47a5a9");
    ck_assert_str_eq(ha2, "780b1b57bee69e12a6d1428874573821");
    ck_assert_str_eq(crypto_digest_hex(test_pool, DIGEST_MD5, ha1, ":", nonce, ":", "00000001",
                                       ":", "0a4f113b", ":", "auth", ":", ha2, NULL),
                     "14541717479198aecf53fb8de3bafe9f");
}
END_TEST

START_TEST(sha256_ha1_ha2_and_response_match_the_api_vectors)
{
    const char *ha1 = crypto_digest_hex(test_pool, DIGEST_SHA256, "johndoe", ":",
                                        "sip.example.com", ":", "secret123", NULL);
    const char *ha2 = crypto_digest_hex(test_pool, DIGEST_SHA256, "GET", ":", "/api/accounts/me", NULL);
    char nonce[65];
    memset(nonce, 'a', 64);
    nonce[64] = '\0';
    ck_assert_str_eq(ha1, "de089f5dd9dd90e88c84162b982237b30d1dc6ba5e1fe7e1e6b1e66826a5fac4");
    ck_assert_str_eq(ha2, "4d43e021bc574cd16a2edaa32f8e03760a3911c404d1079d4b90a648a77c9d20");
    ck_assert_str_eq(crypto_digest_hex(test_pool, DIGEST_SHA256, ha1, ":", nonce, ":", "00000001",
                                       ":", "0a4f113b", ":", "auth", ":", ha2, NULL),
                     "d15810a4d833861b1f7a651ca9a4c5e8834722b9dc4e90f9484a2d8359e0af3c");
}
END_TEST

START_TEST(rfc7616_section_3_9_1_example_responses)
{
    /* RFC 7616 3.9.1: Mufasa / Circle of Life, GET /dir/index.html. */
    const char *nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    const char *cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    const char *md5_ha1 = crypto_digest_hex(test_pool, DIGEST_MD5, "Mufasa", ":",
                                            "http-auth@example.org", ":", "Circle of Life", NULL);
    const char *md5_ha2 = crypto_digest_hex(test_pool, DIGEST_MD5, "GET:/dir/index.html", NULL);
    const char *sha_ha1 = crypto_digest_hex(test_pool, DIGEST_SHA256, "Mufasa", ":",
                                            "http-auth@example.org", ":", "Circle of Life", NULL);
    const char *sha_ha2 = crypto_digest_hex(test_pool, DIGEST_SHA256, "GET:/dir/index.html", NULL);

    ck_assert_str_eq(crypto_digest_hex(test_pool, DIGEST_MD5, md5_ha1, ":", nonce, ":00000001:",
                                       cnonce, ":auth:", md5_ha2, NULL),
                     "8ca523f5e9506fed4657c9700eebdbec");
    ck_assert_str_eq(crypto_digest_hex(test_pool, DIGEST_SHA256, sha_ha1, ":", nonce, ":00000001:",
                                       cnonce, ":auth:", sha_ha2, NULL),
                     "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}
END_TEST

START_TEST(turn_password_is_base64_hmac_sha1_of_the_username)
{
    ck_assert_str_eq(crypto_hmac_sha1_base64(test_pool, "s3cr3t", "1700086400:AbCdEfGhIjKlMnOp"),
                     "6+UnBt3lumCHNxUYdeAjFsDexbQ=");
}
END_TEST

START_TEST(random_alnum_has_the_asked_length_and_alphabet)
{
    const char *a = crypto_random_alnum(test_pool, 40);
    const char *b = crypto_random_alnum(test_pool, 40);

    ck_assert_uint_eq(strlen(a), 40);
    for (const char *c = a; *c; c++) {
        ck_assert(isalnum((unsigned char)*c));
    }
    ck_assert_str_ne(a, b);
    ck_assert_uint_eq(strlen(crypto_random_hex(test_pool, 32)), 64);
}
END_TEST

START_TEST(random_codes_are_four_digits_from_1000_to_9999_and_spread)
{
    int seen_low = 0, seen_high = 0;

    for (int i = 0; i < 20000; i++) {
        const char *code = crypto_random_code(test_pool);
        long v = strtol(code, NULL, 10);
        ck_assert_uint_eq(strlen(code), 4);
        ck_assert_int_ge(v, 1000);
        ck_assert_int_le(v, 9999);
        seen_low |= v < 1100;
        seen_high |= v > 9899;
    }
    ck_assert(seen_low && seen_high);
}
END_TEST

START_TEST(algorithm_names_are_exact)
{
    digest_algorithm alg;
    ck_assert(crypto_algorithm_parse("MD5", &alg) && alg == DIGEST_MD5);
    ck_assert(crypto_algorithm_parse("SHA-256", &alg) && alg == DIGEST_SHA256);
    ck_assert(!crypto_algorithm_parse("md5", &alg));
    ck_assert(!crypto_algorithm_parse("SHA256", &alg));
    ck_assert(!crypto_algorithm_parse(NULL, &alg));
}
END_TEST

START_TEST(equal_compares_whole_strings)
{
    ck_assert(crypto_equal("abc", "abc"));
    ck_assert(!crypto_equal("abc", "abd"));
    ck_assert(!crypto_equal("abc", "abcd"));
    ck_assert(!crypto_equal(NULL, "abc"));
}
END_TEST

Suite *crypto_suite(void)
{
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("crypto");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, md5_ha1_ha2_and_response_match_the_api_vectors);
    tcase_add_test(tc, sha256_ha1_ha2_and_response_match_the_api_vectors);
    tcase_add_test(tc, rfc7616_section_3_9_1_example_responses);
    tcase_add_test(tc, turn_password_is_base64_hmac_sha1_of_the_username);
    tcase_add_test(tc, random_alnum_has_the_asked_length_and_alphabet);
    tcase_add_test(tc, random_codes_are_four_digits_from_1000_to_9999_and_spread);
    tcase_add_test(tc, algorithm_names_are_exact);
    tcase_add_test(tc, equal_compares_whole_strings);
    suite_add_tcase(s, tc);
    return s;
}
