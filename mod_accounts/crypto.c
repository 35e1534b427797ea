#include "crypto.h"

#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

static const char alnum[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int crypto_algorithm_parse(const char *name, digest_algorithm *out)
{
    if (name && strcmp(name, "MD5") == 0) {
        *out = DIGEST_MD5;
        return 1;
    }
    if (name && strcmp(name, "SHA-256") == 0) {
        *out = DIGEST_SHA256;
        return 1;
    }
    return 0;
}

const char *crypto_algorithm_name(digest_algorithm alg)
{
    return alg == DIGEST_MD5 ? "MD5" : "SHA-256";
}

char *crypto_random_alnum(apr_pool_t *p, apr_size_t n)
{
    char *out = apr_palloc(p, n + 1);
    unsigned char buf[64];
    apr_size_t filled = 0;

    while (filled < n) {
        if (RAND_bytes(buf, sizeof(buf)) != 1) {
            return NULL;
        }
        for (apr_size_t i = 0; i < sizeof(buf) && filled < n; i++) {
            /* 248 = 4 * 62: rejecting larger bytes keeps every character
             * equally likely. */
            if (buf[i] < 248) {
                out[filled++] = alnum[buf[i] % 62];
            }
        }
    }
    out[n] = '\0';
    return out;
}

char *crypto_random_code(apr_pool_t *p)
{
    unsigned char buf[2];

    for (;;) {
        unsigned v;
        if (RAND_bytes(buf, sizeof(buf)) != 1) {
            return NULL;
        }
        v = ((unsigned)buf[0] << 8) | buf[1];
        /* 63000 = 7 * 9000: rejecting larger values keeps every code
         * equally likely. */
        if (v < 63000) {
            return apr_psprintf(p, "%u", 1000 + v % 9000);
        }
    }
}

static char *to_hex(apr_pool_t *p, const unsigned char *bytes, apr_size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(p, 2 * n + 1);

    for (apr_size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    out[2 * n] = '\0';
    return out;
}

char *crypto_random_hex(apr_pool_t *p, apr_size_t nbytes)
{
    unsigned char *buf = apr_palloc(p, nbytes);

    if (RAND_bytes(buf, (int)nbytes) != 1) {
        return NULL;
    }
    return to_hex(p, buf, nbytes);
}

char *crypto_digest_hex(apr_pool_t *p, digest_algorithm alg, ...)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const char *part;
    va_list ap;

    if (!ctx) {
        return NULL;
    }
    EVP_DigestInit_ex(ctx, alg == DIGEST_MD5 ? EVP_md5() : EVP_sha256(), NULL);
    va_start(ap, alg);
    while ((part = va_arg(ap, const char *)) != NULL) {
        EVP_DigestUpdate(ctx, part, strlen(part));
    }
    va_end(ap);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    return to_hex(p, md, mdlen);
}

char *crypto_secret_hash(apr_pool_t *p, const char *secret)
{
    return crypto_digest_hex(p, DIGEST_SHA256, secret, NULL);
}

static char *hmac_base64(apr_pool_t *p, const EVP_MD *md, const char *key,
                         const char *message)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    char *out;

    if (!HMAC(md, key, (int)strlen(key), (const unsigned char *)message,
              strlen(message), mac, &maclen)) {
        return NULL;
    }
    out = apr_palloc(p, 4 * ((maclen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
    return out;
}

char *crypto_hmac_sha1_base64(apr_pool_t *p, const char *key, const char *message)
{
    return hmac_base64(p, EVP_sha1(), key, message);
}

char *crypto_hmac_sha256_base64(apr_pool_t *p, const char *key, const char *message)
{
    return hmac_base64(p, EVP_sha256(), key, message);
}

char *crypto_hmac_sha256_hex(apr_pool_t *p, const char *key, const char *message)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;

    if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)message,
              strlen(message), mac, &maclen)) {
        return NULL;
    }
    return to_hex(p, mac, maclen);
}

int crypto_equal(const char *a, const char *b)
{
    size_t la, lb;

    if (!a || !b) {
        return 0;
    }
    la = strlen(a);
    lb = strlen(b);
    if (la != lb) {
        return 0;
    }
    return CRYPTO_memcmp(a, b, la) == 0;
}
