/*
 * The digest Authorization header (api.md 2.3, verification steps 1 to 6):
 * parsing, the stateless nonce check, the nc counter, the field checks and
 * the expected response, as
 * auth.c runs them for a request of johndoe on GET /api/accounts/me.
 */
#include "fuzz.h"

#include <string.h>

#include <apr_strings.h>

#include "crypto.h"
#include "digest.h"
#include "json.h"
#include "validation.h"

/* The request the header claims to authenticate (api.md 2.3's vectors). */
#define FUZZ_OPAQUE "Zm9vYmFyLW9wYXF1ZQ=="
#define FUZZ_PATH "/api/accounts/me"
#define FUZZ_PATH_AND_QUERY "/api/accounts/me?page=2"
#define FUZZ_REALM "sip.example.com"
#define FUZZ_USERNAME "johndoe"
#define FUZZ_HA1_MD5 "4efac590b2efdc47855a1db7dd47a5a9"
#define FUZZ_HA1_SHA256 "de089f5dd9dd90e88c84162b982237b30d1dc6ba5e1fe7e1e6b1e66826a5fac4"

static const char *const names[] = {
    "username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque", "qop", "nc",
};

static const char **field(digest_credentials *c, size_t i)
{
    const char **fields[] = {
        &c->username, &c->realm, &c->nonce, &c->uri, &c->response,
        &c->algorithm, &c->cnonce, &c->opaque, &c->qop, &c->nc,
    };
    return fields[i];
}

/* The credentials written back as a header, every value quoted. */
static const char *rebuild(apr_pool_t *p, digest_credentials *c)
{
    const char *out = "Digest ";

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *value = *field(c, i);
        char *quoted, *q;
        if (!value) {
            continue;
        }
        q = quoted = apr_palloc(p, 2 * strlen(value) + 1);
        for (const char *s = value; *s; s++) {
            if (*s == '"' || *s == '\\') {
                *q++ = '\\';
            }
            *q++ = *s;
        }
        *q = '\0';
        out = apr_pstrcat(p, out, names[i], "=\"", quoted, "\",", NULL);
    }
    return out;
}

/* Parsing what the parser found, written back, finds the same values
 * (unless quoting made the header longer than the parser reads). */
static void check_round_trip(apr_pool_t *p, digest_credentials *c)
{
    const char *header = rebuild(p, c);
    digest_credentials again;

    if (strlen(header) > DIGEST_MAX_AUTHORIZATION) {
        return;
    }
    FUZZ_ASSERT(digest_parse_authorization(p, header, &again));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *a = *field(c, i), *b = *field(&again, i);
        FUZZ_ASSERT((a == NULL) == (b == NULL));
        FUZZ_ASSERT(!a || strcmp(a, b) == 0);
    }
}

static void check_response(apr_pool_t *p, digest_credentials *c)
{
    digest_algorithm alg;
    const char *expected;

    if (!crypto_algorithm_parse(c->algorithm ? c->algorithm : "MD5", &alg)) {
        return;
    }
    expected = digest_expected_response(p, alg, alg == DIGEST_MD5 ? FUZZ_HA1_MD5 : FUZZ_HA1_SHA256,
                                        "GET", c);
    FUZZ_ASSERT(expected && strlen(expected) == (alg == DIGEST_MD5 ? 32u : 64u));
    (void)crypto_equal(expected, c->response);
}

/* Whatever nonce a client sends, the stateless check (auth.c, step 2)
 * decides without fault, and a forged one never passes: only a nonce
 * minted with the secret does (a fuzzer cannot find a MAC). */
#define FUZZ_SECRET "fuzz-secret"
static void check_nonce(apr_pool_t *p, const char *nonce)
{
    long long minted = -1;
    const char *fresh;

    FUZZ_ASSERT(!digest_nonce_verify(p, nonce, FUZZ_SECRET, FUZZ_REALM, FUZZ_USERNAME,
                                     FUZZ_REALM, &minted));
    FUZZ_ASSERT(minted == -1);
    fresh = digest_nonce_mint(p, FUZZ_SECRET, FUZZ_REALM, FUZZ_USERNAME, FUZZ_REALM,
                              1764806400000000LL);
    FUZZ_ASSERT(fresh && digest_nonce_verify(p, fresh, FUZZ_SECRET, FUZZ_REALM, FUZZ_USERNAME,
                                             FUZZ_REALM, &minted));
    FUZZ_ASSERT(minted == 1764806400000000LL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *header = fuzz_text(p, data, size);
    digest_credentials creds;
    validation *v;

    if (!digest_parse_authorization(p, header, &creds) || !creds.nonce) {
        fuzz_done();   /* 401 Nonce invalid */
        return 0;
    }
    check_round_trip(p, &creds);
    check_nonce(p, creds.nonce);
    if (creds.nc) {
        FUZZ_ASSERT(digest_parse_nc(creds.nc) >= 0);
    }
    v = validation_create(p);
    digest_check_fields(v, &creds, FUZZ_OPAQUE, FUZZ_PATH, FUZZ_PATH_AND_QUERY, FUZZ_REALM,
                        FUZZ_USERNAME);
    if (validation_failed(v)) {
        /* 422: the body must serialise. */
        FUZZ_ASSERT(*json_pool_serialize(p, validation_to_json(v)) == '{');
    }
    else {
        /* The checks passed: every string the hash needs is there. */
        FUZZ_ASSERT(creds.uri && creds.nc && creds.cnonce && creds.qop);
        check_response(p, &creds);
    }
    fuzz_done();
    return 0;
}
