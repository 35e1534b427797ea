/*
 * RFC 7616 digest as Linphone clients speak it (api.md 2.3): parsing the
 * Authorization and From headers, the challenge header, the field checks
 * and the expected response. Pure C, no httpd header: unit tested and
 * fuzzed on its own.
 */
#ifndef ACCOUNTS_DIGEST_H
#define ACCOUNTS_DIGEST_H

#include <apr_pools.h>

#include "crypto.h"
#include "validation.h"

/* A digest nonce is stateless, as mod_auth_digest's are: 64 lowercase hex
 * characters, the mint time (16: microseconds since the epoch, by the
 * database's clock), a random salt (16) and a MAC (32: the first half of
 * HMAC-SHA-256 under the Space's AccountsSecret over those two, the Space
 * and the account's SIP identity). Issuing one stores nothing; only its
 * first authenticated use does (the highest nc seen, for replays). */
#define DIGEST_NONCE_LENGTH 64

/* The longest headers the parsers read (bytes); longer ones are refused
 * unparsed, whatever Apache's LimitRequestFieldSize allows. A real
 * Authorization is a few hundred bytes; a From is a bare SIP URI (username
 * and domain are 64 characters at most) plus URI parameters such as ;tag=. */
#define DIGEST_MAX_AUTHORIZATION 4096
#define DIGEST_MAX_FROM 1024

typedef struct {
    const char *username;
    const char *realm;
    const char *nonce;
    const char *uri;
    const char *response;
    const char *algorithm;   /* NULL when absent (means MD5) */
    const char *cnonce;
    const char *opaque;
    const char *qop;
    const char *nc;
} digest_credentials;

/* Parses "Digest name=value, ..." (names case-insensitive, values quoted
 * with \ escapes or tokens; unknown names ignored). 0 when the scheme is
 * not Digest, the list does not parse, or the header is longer than
 * DIGEST_MAX_AUTHORIZATION. */
int digest_parse_authorization(apr_pool_t *p, const char *header, digest_credentials *out);

/* The From header as a bare SIP URI: cut at the first ';', percent-decoded,
 * sip:/sips: user@host[:port]. 0 when it is anything else, or longer than
 * DIGEST_MAX_FROM. */
int digest_parse_from(apr_pool_t *p, const char *from, const char **username,
                      const char **domain);

/* A fresh nonce for username@domain, issued by the Space space_domain
 * (secret: its AccountsSecret) at now_us; NULL if the CSPRNG fails. */
char *digest_nonce_mint(apr_pool_t *p, const char *secret, const char *space_domain,
                        const char *username, const char *domain, long long now_us);

/* 1 when nonce was minted by digest_nonce_mint for exactly these
 * arguments (domain compared case-insensitively), with *minted_us its mint
 * time; 0 for anything else (another account's, another Space's, forged,
 * malformed). Constant time in the MAC comparison. */
int digest_nonce_verify(apr_pool_t *p, const char *nonce, const char *secret,
                        const char *space_domain, const char *username, const char *domain,
                        long long *minted_us);

/* nc read as hexadecimal; a value that is not hexadecimal counts as 0. */
long long digest_parse_nc(const char *nc);

/* One WWW-Authenticate value, exactly as clients expect it. */
const char *digest_challenge(apr_pool_t *p, const char *realm, const char *algorithm,
                             const char *nonce, const char *opaque);

/* Step 4 of api.md 2.3: the field checks, in their order, into v. */
void digest_check_fields(validation *v, const digest_credentials *c,
                         const char *opaque, const char *raw_path,
                         const char *raw_path_and_query, const char *realm,
                         const char *from_username);

/* H(HA1:nonce:nc:cnonce:qop:H(method:uri)) with the strings as sent. */
char *digest_expected_response(apr_pool_t *p, digest_algorithm alg, const char *ha1,
                               const char *method, const digest_credentials *c);

#endif
