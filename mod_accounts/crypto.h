/*
 * Secrets and digests: CSPRNG strings, MD5/SHA-256 hex digests, HMACs and a
 * constant-time comparison. OpenSSL's libcrypto underneath; no httpd header.
 */
#ifndef ACCOUNTS_CRYPTO_H
#define ACCOUNTS_CRYPTO_H

#include <apr_pools.h>

typedef enum {
    DIGEST_MD5,
    DIGEST_SHA256
} digest_algorithm;

/* "MD5" or "SHA-256" (exact) -> 1 and *out set; anything else -> 0. */
int crypto_algorithm_parse(const char *name, digest_algorithm *out);
const char *crypto_algorithm_name(digest_algorithm alg);

/* n characters of [A-Za-z0-9] from the CSPRNG; NULL if the CSPRNG fails. */
char *crypto_random_alnum(apr_pool_t *p, apr_size_t n);

/* A 4-digit code (api-lifecycle.md 1.2): "1000" to "9999", uniformly, from
 * the CSPRNG; NULL if the CSPRNG fails. */
char *crypto_random_code(apr_pool_t *p);

/* Lowercase hex of nbytes random bytes; NULL if the CSPRNG fails. */
char *crypto_random_hex(apr_pool_t *p, apr_size_t nbytes);

/* Lowercase hex digest of the concatenation of the NULL-terminated list of
 * strings, e.g. crypto_digest_hex(p, DIGEST_MD5, user, ":", realm, NULL). */
char *crypto_digest_hex(apr_pool_t *p, digest_algorithm alg, ...);

/* SHA-256 hex of a secret: how keys and tokens that are never shown again
 * are stored and looked up. */
char *crypto_secret_hash(apr_pool_t *p, const char *secret);

/* Standard padded base64 of HMAC-SHA1 / HMAC-SHA256(key, message). */
char *crypto_hmac_sha1_base64(apr_pool_t *p, const char *key, const char *message);
char *crypto_hmac_sha256_base64(apr_pool_t *p, const char *key, const char *message);

/* Lowercase hex of HMAC-SHA256(key, message). */
char *crypto_hmac_sha256_hex(apr_pool_t *p, const char *key, const char *message);

/* 1 when a and b are equal strings; time depends only on the lengths. */
int crypto_equal(const char *a, const char *b);

#endif
