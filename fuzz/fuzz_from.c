/*
 * The From header of a digest request, the module's SIP address parser
 * (api.md 2.3, identifying the account): cut at ';', percent-decoded, then
 * a bare sip:/sips: user@host[:port].
 */
#include "fuzz.h"

#include <string.h>

#include <apr_strings.h>

#include "digest.h"

/* user with its ';' percent-encoded: after decoding, the one character of
 * a user that would end the URI early ('%' and '@' cannot be in one). */
static const char *encode_user(apr_pool_t *p, const char *user)
{
    const char *out = "";

    for (const char *semi; (semi = strchr(user, ';')) != NULL; user = semi + 1) {
        out = apr_pstrcat(p, out, apr_pstrndup(p, user, (apr_size_t)(semi - user)), "%3B", NULL);
    }
    return apr_pstrcat(p, out, user, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *from = fuzz_text(p, data, size);
    const char *username = NULL, *domain = NULL, *again_user = NULL, *again_domain = NULL;

    if (digest_parse_from(p, from, &username, &domain)) {
        FUZZ_ASSERT(username && *username && !strchr(username, '@'));
        FUZZ_ASSERT(domain && *domain && !strchr(domain, '@') && !strchr(domain, ';'));
        /* The address written back as a URI is the same address (unless
         * the rewrite made it longer than the parser reads). */
        const char *uri = apr_pstrcat(p, "sip:", encode_user(p, username), "@", domain,
                                      ";tag=fuzz", NULL);
        if (strlen(uri) <= DIGEST_MAX_FROM) {
            FUZZ_ASSERT(digest_parse_from(p, uri, &again_user, &again_domain));
            FUZZ_ASSERT(strcmp(username, again_user) == 0 && strcmp(domain, again_domain) == 0);
        }
    }
    fuzz_done();
    return 0;
}
