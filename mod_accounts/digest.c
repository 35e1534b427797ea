#include "digest.h"
#include "router.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include <apr_strings.h>

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

static int is_token_char(char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static void assign(digest_credentials *out, const char *name, const char *value)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        { "username", offsetof(digest_credentials, username) },
        { "realm", offsetof(digest_credentials, realm) },
        { "nonce", offsetof(digest_credentials, nonce) },
        { "uri", offsetof(digest_credentials, uri) },
        { "response", offsetof(digest_credentials, response) },
        { "algorithm", offsetof(digest_credentials, algorithm) },
        { "cnonce", offsetof(digest_credentials, cnonce) },
        { "opaque", offsetof(digest_credentials, opaque) },
        { "qop", offsetof(digest_credentials, qop) },
        { "nc", offsetof(digest_credentials, nc) },
    };

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcasecmp(fields[i].name, name) == 0) {
            const char **slot = (const char **)((char *)out + fields[i].offset);
            if (!*slot) {          /* the first occurrence counts */
                *slot = value;
            }
            return;
        }
    }
}

int digest_parse_authorization(apr_pool_t *p, const char *header, digest_credentials *out)
{
    const char *s;

    memset(out, 0, sizeof(*out));
    if (!header || strlen(header) > DIGEST_MAX_AUTHORIZATION
        || strncasecmp(header, "Digest", 6) != 0
        || (header[6] != ' ' && header[6] != '\t')) {
        return 0;
    }
    s = skip_ows(header + 6);
    while (*s) {
        const char *name_start = s;
        char *name, *value;

        if (*s == ',') {            /* empty list elements are allowed */
            s = skip_ows(s + 1);
            continue;
        }
        while (is_token_char(*s)) {
            s++;
        }
        if (s == name_start) {
            return 0;
        }
        name = apr_pstrndup(p, name_start, (apr_size_t)(s - name_start));
        s = skip_ows(s);
        if (*s != '=') {
            return 0;
        }
        s = skip_ows(s + 1);
        if (*s == '"') {
            /* The closing quote first, so the copy is the value's size:
             * sized by the rest of the header, a list of short values
             * cost memory quadratic in its length. */
            const char *end = s + 1;
            char *o;
            while (*end && *end != '"') {
                end += end[0] == '\\' && end[1] ? 2 : 1;
            }
            if (*end != '"') {
                return 0;           /* unbalanced quote, or a final backslash */
            }
            o = value = apr_palloc(p, (apr_size_t)(end - s));
            for (s++; s < end; s++) {
                if (*s == '\\') {
                    s++;
                }
                *o++ = *s;
            }
            *o = '\0';
            s = end + 1;
        }
        else {
            const char *v = s;
            while (is_token_char(*s)) {
                s++;
            }
            if (s == v) {
                return 0;
            }
            value = apr_pstrndup(p, v, (apr_size_t)(s - v));
        }
        assign(out, name, value);
        s = skip_ows(s);
        if (*s == ',') {
            s = skip_ows(s + 1);
        }
        else if (*s) {
            return 0;
        }
    }
    return 1;
}

static int is_user_char(char c)
{
    /* RFC 3261 user: unreserved / user-unreserved (after decoding). */
    return isalnum((unsigned char)c) || strchr("-_.!~*'()&=+$,;?/", c);
}

static int valid_host(const char *host, size_t len)
{
    if (len == 0) {
        return 0;
    }
    if (host[0] == '[') {
        if (len < 3 || host[len - 1] != ']') {
            return 0;
        }
        for (size_t i = 1; i < len - 1; i++) {
            if (!isxdigit((unsigned char)host[i]) && host[i] != ':' && host[i] != '.') {
                return 0;
            }
        }
        return 1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)host[i]) && host[i] != '-' && host[i] != '.') {
            return 0;
        }
    }
    return host[0] != '.' && host[0] != '-';
}

int digest_parse_from(apr_pool_t *p, const char *from, const char **username,
                      const char **domain)
{
    const char *semi, *rest, *at, *hostport, *colon;
    char *decoded;
    size_t scheme, hostlen;

    if (!from || strlen(from) > DIGEST_MAX_FROM) {
        return 0;
    }
    semi = strchr(from, ';');
    decoded = router_decode_segment(p, from, semi ? (apr_size_t)(semi - from) : strlen(from));
    if (!decoded) {
        return 0;
    }
    if (strncasecmp(decoded, "sip:", 4) == 0) {
        scheme = 4;
    }
    else if (strncasecmp(decoded, "sips:", 5) == 0) {
        scheme = 5;
    }
    else {
        return 0;
    }
    rest = decoded + scheme;
    at = strchr(rest, '@');
    if (!at || at == rest) {
        return 0;
    }
    for (const char *c = rest; c < at; c++) {
        if (!is_user_char(*c)) {
            return 0;
        }
    }
    hostport = at + 1;
    colon = hostport[0] == '[' ? strstr(hostport, "]:") : strchr(hostport, ':');
    if (colon && hostport[0] == '[') {
        colon++;
    }
    hostlen = colon ? (size_t)(colon - hostport) : strlen(hostport);
    if (!valid_host(hostport, hostlen)) {
        return 0;
    }
    if (colon) {
        const char *port = colon + 1;
        if (!*port || strlen(port) > 5) {
            return 0;
        }
        for (const char *c = port; *c; c++) {
            if (!isdigit((unsigned char)*c)) {
                return 0;
            }
        }
    }
    *username = apr_pstrndup(p, rest, (apr_size_t)(at - rest));
    *domain = apr_pstrdup(p, hostport);
    return 1;
}

/* The MAC of a nonce's first 32 characters (time and salt) for that
 * Space and account: 32 hex characters. Lines separate the parts, since
 * none of them can hold one. */
static char *nonce_mac(apr_pool_t *p, const char *secret, const char *head,
                       const char *space_domain, const char *username, const char *domain)
{
    char *lower = apr_pstrdup(p, domain), *mac;

    for (char *c = lower; *c; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    mac = crypto_hmac_sha256_hex(p, secret, apr_pstrcat(p, "digest nonce\n", head, "\n",
                                                        space_domain, "\n", username, "\n",
                                                        lower, NULL));
    if (mac) {
        mac[DIGEST_NONCE_LENGTH / 2] = '\0';
    }
    return mac;
}

char *digest_nonce_mint(apr_pool_t *p, const char *secret, const char *space_domain,
                        const char *username, const char *domain, long long now_us)
{
    const char *salt = crypto_random_hex(p, DIGEST_NONCE_LENGTH / 8);
    const char *head, *mac;

    if (!salt) {
        return NULL;
    }
    head = apr_psprintf(p, "%016" APR_UINT64_T_HEX_FMT "%s", (apr_uint64_t)now_us, salt);
    mac = nonce_mac(p, secret, head, space_domain, username, domain);
    return mac ? apr_pstrcat(p, head, mac, NULL) : NULL;
}

int digest_nonce_verify(apr_pool_t *p, const char *nonce, const char *secret,
                        const char *space_domain, const char *username, const char *domain,
                        long long *minted_us)
{
    unsigned long long t = 0;
    const char *head, *mac;

    if (!nonce || strlen(nonce) != DIGEST_NONCE_LENGTH) {
        return 0;
    }
    for (int i = 0; i < DIGEST_NONCE_LENGTH; i++) {
        if (!isdigit((unsigned char)nonce[i]) && !(nonce[i] >= 'a' && nonce[i] <= 'f')) {
            return 0;
        }
        if (i < 16) {
            t = t * 16 + (unsigned)(isdigit((unsigned char)nonce[i]) ? nonce[i] - '0'
                                                                    : nonce[i] - 'a' + 10);
        }
    }
    head = apr_pstrndup(p, nonce, DIGEST_NONCE_LENGTH / 2);
    mac = nonce_mac(p, secret, head, space_domain, username, domain);
    if (!mac || !crypto_equal(mac, nonce + DIGEST_NONCE_LENGTH / 2) || t > (1ULL << 62)) {
        return 0;
    }
    *minted_us = (long long)t;
    return 1;
}

long long digest_parse_nc(const char *nc)
{
    long long v = 0;

    if (!nc || !*nc) {
        return 0;
    }
    for (const char *c = nc; *c; c++) {
        int d;
        if (*c >= '0' && *c <= '9') d = *c - '0';
        else if (*c >= 'a' && *c <= 'f') d = *c - 'a' + 10;
        else if (*c >= 'A' && *c <= 'F') d = *c - 'A' + 10;
        else return 0;
        if (v > (0x7fffffffffffffffLL >> 4)) {
            return 0x7fffffffffffffffLL;   /* saturate: still "greater" */
        }
        v = v * 16 + d;
    }
    return v;
}

const char *digest_challenge(apr_pool_t *p, const char *realm, const char *algorithm,
                             const char *nonce, const char *opaque)
{
    return apr_psprintf(p, "Digest realm=\"%s\",qop=\"auth\",algorithm=%s,nonce=\"%s\",opaque=\"%s\"",
                        realm, algorithm, nonce, opaque);
}

/* required, then equal to one accepted value ("in"). */
static void check_in(validation *v, const char *field, const char *value,
                     const char *a, const char *b)
{
    if (!value || !*value) {
        validation_fail(v, field, RULE_REQUIRED);
    }
    else if (strcmp(value, a) != 0 && (!b || strcmp(value, b) != 0)) {
        validation_fail(v, field, RULE_IN);
    }
}

void digest_check_fields(validation *v, const digest_credentials *c,
                         const char *opaque, const char *raw_path,
                         const char *raw_path_and_query, const char *realm,
                         const char *from_username)
{
    check_in(v, "opaque", c->opaque, opaque, NULL);
    check_in(v, "uri", c->uri, raw_path, raw_path_and_query);
    check_in(v, "qop", c->qop, "auth", NULL);
    check_in(v, "realm", c->realm, realm, NULL);
    if (!c->nc || !*c->nc) {
        validation_fail(v, "nc", RULE_REQUIRED);
    }
    if (!c->cnonce || !*c->cnonce) {
        validation_fail(v, "cnonce", RULE_REQUIRED);
    }
    if (c->algorithm && strcmp(c->algorithm, "MD5") != 0 && strcmp(c->algorithm, "SHA-256") != 0) {
        validation_fail(v, "algorithm", RULE_IN);
    }
    check_in(v, "username", c->username, from_username, NULL);
}

char *digest_expected_response(apr_pool_t *p, digest_algorithm alg, const char *ha1,
                               const char *method, const digest_credentials *c)
{
    const char *ha2 = crypto_digest_hex(p, alg, method, ":", c->uri, NULL);
    return crypto_digest_hex(p, alg, ha1, ":", c->nonce, ":", c->nc, ":", c->cnonce, ":",
                             c->qop, ":", ha2, NULL);
}
