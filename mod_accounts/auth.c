#include "auth.h"
#include "api_key.h"
#include "crypto.h"
#include "digest.h"
#include "json.h"
#include "validation.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include <http_log.h>
#include <http_protocol.h>
#include <util_cookies.h>

APLOG_USE_MODULE(accounts);

#define API_KEY_NAME "x-api-key"

int accounts_is_super_admin(const account *a, const accounts_space *own_space)
{
    return a->admin && own_space && own_space->super == 1;
}

/* The key from the x-api-key header, else from the x-api-key cookie
 * (*from_cookie then set). */
static const char *presented_api_key(request_rec *r, int *from_cookie)
{
    const char *key = apr_table_get(r->headers_in, API_KEY_NAME);
    const char *cookie = NULL;

    *from_cookie = 0;
    if (key && *key) {
        return key;
    }
    if (ap_cookie_read(r, API_KEY_NAME, &cookie, 0) == APR_SUCCESS && cookie && *cookie) {
        *from_cookie = 1;
        return cookie;
    }
    return NULL;
}

/* The host of an origin "scheme://host[:port]" (brackets kept for IPv6),
 * lowercase; NULL when it is not one (e.g. the opaque origin "null"). */
static char *origin_host(apr_pool_t *p, const char *origin)
{
    const char *start = ap_strstr_c(origin, "://");
    const char *end;
    char *host;

    if (!start) {
        return NULL;
    }
    start += 3;
    end = *start == '[' ? strchr(start, ']') : start + strcspn(start, ":/");
    if (!end) {
        return NULL;
    }
    if (*start == '[') {
        end++;
    }
    host = apr_pstrndup(p, start, (apr_size_t)(end - start));
    ap_str_tolower(host);
    return *host ? host : NULL;
}

/* Did another site make the browser send this request? Fetch metadata
 * says so directly (cross-site, or same-site: a sibling subdomain is
 * another application); else an Origin whose host is neither the request's
 * Host nor the Space's public URL's. Requests without either header come
 * from non-browser clients, or browsers that send neither on same-origin
 * GETs. */
static int is_cross_site(const accounts_request *req)
{
    request_rec *r = req->r;
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");
    char *host;

    if (site && (strcasecmp(site, "cross-site") == 0 || strcasecmp(site, "same-site") == 0)) {
        return 1;
    }
    if (!origin) {
        return 0;
    }
    host = origin_host(r->pool, origin);
    if (!host) {
        return 1;
    }
    if (r->hostname && strcasecmp(host, r->hostname) == 0) {
        return 0;
    }
    {
        const char *own = origin_host(r->pool, req->space->public_url);
        return !own || strcmp(host, own) != 0;
    }
}

static int refuse_api_key(accounts_request *req)
{
    return accounts_send_text(req, HTTP_UNAUTHORIZED, "Invalid API Key");
}

/* shown: whether the route may show the caller's Account (user routes:
 * /accounts/me...); admin routes only check who calls, so their caller is
 * read without its sub-objects. */
static int authenticate_api_key(accounts_request *req, const char *key, int shown)
{
    request_rec *r = req->r;
    store *db = accounts_db(req);
    apr_dbd_row_t *row;
    account *caller;
    const accounts_space *own;
    long long idle;
    store_status s;

    /* Keys are API_KEY_LENGTH characters: a much longer header or cookie
     * value is refused before it is hashed or looked up. */
    if (strlen(key) > API_KEY_MAX_PRESENTED) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "x-api-key of %" APR_SIZE_T_FMT
                      " bytes refused unread (limit %d)", strlen(key), API_KEY_MAX_PRESENTED);
        return refuse_api_key(req);
    }
    if (!db) {
        return accounts_send_unavailable(req);
    }
    /* Keys are stored hashed: the lookup is by hash, so comparing the key
     * itself never happens and leaks no timing about stored keys. */
    s = store_account_by_api_key(db, crypto_secret_hash(r->pool, key), shown, &row);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "unknown API key");
        return refuse_api_key(req);
    }
    caller = apr_pcalloc(r->pool, sizeof(*caller));
    account_from_row(r->pool, db, row, caller);
    own = space_registry_find(req->registry, caller->domain);
    idle = strtoll(store_column(db, row, API_KEY_COL_IDLE_SECONDS), NULL, 10);
    if (!api_key_accepts(store_column(db, row, API_KEY_COL_IP), r->useragent_ip,
                         store_column(db, row, API_KEY_COL_USER_KEY)[0] == 't',
                         own ? own->api_key_expiry : req->space->api_key_expiry,
                         store_column(db, row, API_KEY_COL_EXPIRY_MINUTES), idle)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "API key of account %s refused (other IP or expired)", caller->id);
        return refuse_api_key(req);
    }
    if (api_key_should_touch(idle, api_key_expiry_minutes(
                                       store_column(db, row, API_KEY_COL_USER_KEY)[0] == 't',
                                       own ? own->api_key_expiry : req->space->api_key_expiry,
                                       store_column(db, row, API_KEY_COL_EXPIRY_MINUTES)))
        && store_api_key_touch(db, store_column(db, row, API_KEY_COL_ID)) == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    req->caller = caller;
    req->caller_space = own;
    req->caller_api_key_id = apr_pstrdup(r->pool, store_column(db, row, API_KEY_COL_ID));
    return ACCOUNTS_CONTINUE;
}

/* ---- digest (api.md 2.3) --------------------------------------------------- */

/* The account a From header names, with what digest needs of it. */
typedef struct {
    account *account;
    const accounts_space *space;    /* its own Space, or NULL */
    const char *realm;
    json_object *passwords;         /* [["MD5", "hex"], ...] in stored order */
    long long now_us;               /* the database's clock */
    long long epoch_us;             /* nonces minted before are unknown (sql/0009) */
    const char *nonce_nc;           /* highest nc recorded for the request's nonce, or NULL */
} digest_subject;

/* Adds the WWW-Authenticate headers for nonce: one per stored password,
 * a legacy clear-text one offering MD5 then SHA-256 and ending the list. */
static void add_challenges(accounts_request *req, const digest_subject *who, const char *nonce)
{
    request_rec *r = req->r;
    size_t n = json_object_array_length(who->passwords);

    for (size_t i = 0; i < n; i++) {
        const char *alg = json_object_get_string(
            json_object_array_get_idx(json_object_array_get_idx(who->passwords, i), 0));
        if (strcmp(alg, "CLRTXT") == 0) {
            apr_table_add(r->err_headers_out, "WWW-Authenticate",
                          digest_challenge(r->pool, who->realm, "MD5", nonce, req->space->opaque));
            apr_table_add(r->err_headers_out, "WWW-Authenticate",
                          digest_challenge(r->pool, who->realm, "SHA-256", nonce, req->space->opaque));
            return;
        }
        if (strcmp(alg, "MD5") == 0 || strcmp(alg, "SHA-256") == 0) {
            apr_table_add(r->err_headers_out, "WWW-Authenticate",
                          digest_challenge(r->pool, who->realm, alg, nonce, req->space->opaque));
        }
    }
}

/* 401 with a fresh nonce (none when the account has no password). The
 * nonce is stateless: nothing is written, so no number of challenges can
 * push out a nonce a client is about to answer. */
static int challenge(accounts_request *req, const digest_subject *who, const char *body)
{
    if (json_object_array_length(who->passwords) > 0) {
        const char *nonce = digest_nonce_mint(req->r->pool, req->space->secret, req->space->domain,
                                              who->account->username, who->account->domain,
                                              who->now_us);
        if (!nonce) {
            return accounts_send_unavailable(req);
        }
        add_challenges(req, who, nonce);
    }
    return accounts_send_text(req, HTTP_UNAUTHORIZED, body);
}

/* The stored [algorithm, hash] pair for the requested algorithm, else the
 * clear-text one; NULL when neither exists. */
static json_object *password_for(const digest_subject *who, const char *algorithm)
{
    json_object *clear = NULL;
    size_t n = json_object_array_length(who->passwords);

    for (size_t i = 0; i < n; i++) {
        json_object *pair = json_object_array_get_idx(who->passwords, i);
        const char *alg = json_object_get_string(json_object_array_get_idx(pair, 0));
        if (strcmp(alg, algorithm) == 0) {
            return pair;
        }
        if (strcmp(alg, "CLRTXT") == 0) {
            clear = pair;
        }
    }
    return clear;
}

/* The account of the From header, with the state of the request's nonce
 * (NULL: none), in one round trip. */
static int read_subject(accounts_request *req, const char *username, const char *domain,
                        const char *nonce, digest_subject *who)
{
    request_rec *r = req->r;
    apr_dbd_row_t *row = NULL;
    store_status s = store_digest_subject(req->db, username, domain, nonce, &row);
    const char *v;

    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
    }
    who->account = apr_pcalloc(r->pool, sizeof(account));
    account_from_row(r->pool, req->db, row, who->account);
    who->space = space_registry_find(req->registry, who->account->domain);
    who->realm = who->space ? space_digest_realm(who->space) : who->account->domain;
    who->passwords = json_pool_own(r->pool, json_tokener_parse(
        store_column(req->db, row, ACCOUNT_COL_DIGEST_PASSWORDS)));
    who->now_us = strtoll(store_column(req->db, row, DIGEST_COL_NOW_US), NULL, 10);
    v = store_column(req->db, row, DIGEST_COL_NONCE_NC);
    who->nonce_nc = v ? apr_pstrdup(r->pool, v) : NULL;
    if (!who->passwords || !json_object_is_type(who->passwords, json_type_array)) {
        return accounts_send_unavailable(req);
    }
    /* No epoch: a crash emptied the nonce table, used nonces included, so
     * every nonce issued before now would look unused. */
    v = store_column(req->db, row, DIGEST_COL_EPOCH_US);
    if (v) {
        who->epoch_us = strtoll(v, NULL, 10);
    }
    else if (store_nonce_epoch_renew(req->db, &who->epoch_us) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    /* A nonce issued now must not predate an epoch written just after this
     * request read the clock. */
    if (who->now_us < who->epoch_us) {
        who->now_us = who->epoch_us;
    }
    return ACCOUNTS_CONTINUE;
}

typedef enum {
    NONCE_USABLE,     /* issued here for this account, live, nc not used yet */
    NONCE_REPLAYED,   /* that nc (or a higher one) was already used */
    NONCE_UNKNOWN     /* not ours, not this account's, expired or revoked */
} nonce_state;

/* A nonce minted "later" than the database's clock is refused, beyond this
 * slack: only a database failover to a host with another clock makes one. */
#define DIGEST_NONCE_CLOCK_SLACK_US (60LL * 1000000LL)

/* Step 2 and 3 of api.md 2.3, before any write: is the nonce one this
 * Space issued to this account, since the nonce table's epoch, still young
 * enough (max_age minutes, 0: no limit, by the database's clock), and not
 * used with this nc or a higher one? nc < 0: none sent (the field checks
 * refuse it later). */
static nonce_state nonce_state_of(const accounts_request *req, const digest_subject *who,
                                  const char *nonce, long long nc, long max_age,
                                  long long *minted_us)
{
    long long used;

    if (!digest_nonce_verify(req->r->pool, nonce, req->space->secret, req->space->domain,
                             who->account->username, who->account->domain, minted_us)
        || *minted_us < who->epoch_us
        || *minted_us > who->now_us + DIGEST_NONCE_CLOCK_SLACK_US
        || (max_age > 0 && who->now_us - *minted_us > max_age * 60LL * 1000000LL)) {
        return NONCE_UNKNOWN;
    }
    if (!who->nonce_nc) {
        return NONCE_USABLE;          /* never used: any nc is new */
    }
    used = strtoll(who->nonce_nc, NULL, 10);
    if (used == DIGEST_NONCE_REVOKED) {
        return NONCE_UNKNOWN;
    }
    return nc >= 0 && nc <= used ? NONCE_REPLAYED : NONCE_USABLE;
}

/* A replay: the nonce is refused from now on, and a fresh one offered. */
static int refuse_replay(accounts_request *req, const digest_subject *who, const char *nonce,
                         long long minted_us)
{
    if (store_nonce_revoke(req->db, who->account->id, nonce, minted_us) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return challenge(req, who, "Nonce replayed");
}

static int authenticate_digest(accounts_request *req)
{
    request_rec *r = req->r;
    const char *from = apr_table_get(r->headers_in, "From");
    const char *header = apr_table_get(r->headers_in, "Authorization");
    const char *username, *domain, *raw_path, *query;
    const accounts_space *own;
    digest_credentials creds;
    digest_subject who;
    validation *v;
    json_object *password;
    digest_algorithm alg;
    const char *ha1, *expected;
    long long nc, minted_us = 0;
    int parsed, rc, advanced;

    if (!from || !*from) {
        return accounts_send_text(req, HTTP_UNAUTHORIZED,
                                  "From header is required or invalid token");
    }
    if (!digest_parse_from(r->pool, from, &username, &domain)) {
        return accounts_send_text(req, HTTP_UNAUTHORIZED, "Invalid SIP address");
    }
    if (!accounts_db(req)) {
        return accounts_send_unavailable(req);
    }
    parsed = header && digest_parse_authorization(r->pool, header, &creds) && creds.nonce;
    if ((rc = read_subject(req, username, domain, parsed ? creds.nonce : NULL, &who))
        != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!header) {
        return challenge(req, &who, "Unauthenticated request");
    }
    if (!parsed) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "unparsable digest Authorization header");
        return challenge(req, &who, "Nonce invalid");
    }
    /* The account's own Space (its domain is the From domain, compared
     * case-insensitively) sets how long its nonces live. */
    own = space_registry_find(req->registry, domain);
    nc = creds.nc ? digest_parse_nc(creds.nc) : -1;
    switch (nonce_state_of(req, &who, creds.nonce, nc,
                           own ? own->nonce_max_age : req->space->nonce_max_age, &minted_us)) {
    case NONCE_UNKNOWN:
        return challenge(req, &who, "Nonce invalid");
    case NONCE_REPLAYED:
        return refuse_replay(req, &who, creds.nonce, minted_us);
    case NONCE_USABLE:
        break;
    }

    /* The uri as the client sent it: the raw path, or path?query. */
    raw_path = apr_pstrdup(r->pool, r->unparsed_uri);
    query = strchr(raw_path, '?');
    if (query) {
        ((char *)raw_path)[query - raw_path] = '\0';
    }
    v = validation_create(r->pool);
    digest_check_fields(v, &creds, req->space->opaque, raw_path, r->unparsed_uri,
                        who.realm, username);
    if (validation_failed(v)) {
        return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
    }

    if (!creds.algorithm) {
        creds.algorithm = "MD5";
    }
    crypto_algorithm_parse(creds.algorithm, &alg);
    password = password_for(&who, creds.algorithm);
    if (!password) {
        return challenge(req, &who, "Wrong algorithm");
    }
    ha1 = json_object_get_string(json_object_array_get_idx(password, 1));
    if (strcmp(json_object_get_string(json_object_array_get_idx(password, 0)), "CLRTXT") == 0) {
        ha1 = crypto_digest_hex(r->pool, alg, username, ":", who.realm, ":", ha1, NULL);
    }
    expected = digest_expected_response(r->pool, alg, ha1, r->method, &creds);
    if (!crypto_equal(expected, creds.response)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "digest authentication of account %s failed (wrong response)",
                      who.account->id);
        return challenge(req, &who, "Unauthorized");
    }
    /* Authenticated: only now is the nc recorded, so requests that fail
     * (anyone can get a nonce) write nothing. Of racing requests with one
     * nonce and nc, the database lets one through. */
    if (store_nonce_advance(req->db, who.account->id, creds.nonce, nc, minted_us, &advanced)
        != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (!advanced) {
        return refuse_replay(req, &who, creds.nonce, minted_us);
    }
    /* Success: the answer carries the same nonce, for the next nc. */
    add_challenges(req, &who, creds.nonce);
    req->caller = who.account;
    req->caller_space = who.space;
    return ACCOUNTS_CONTINUE;
}

static int authenticate(accounts_request *req, access_level level)
{
    int from_cookie;
    const char *key = presented_api_key(req->r, &from_cookie);

    /* Browsers attach the cookie to whatever another site makes them send
     * (a form POST, an image, a fetch): a request authenticated by the
     * cookie alone must come from the API's own site. The header cannot be
     * set cross-site without the key. */
    if (key && from_cookie && is_cross_site(req)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r,
                      "cross-site request with the x-api-key cookie refused (Origin: %.200s, "
                      "Sec-Fetch-Site: %.40s)",
                      apr_table_get(req->r->headers_in, "Origin") ?: "-",
                      apr_table_get(req->r->headers_in, "Sec-Fetch-Site") ?: "-");
        return accounts_send_message(req, HTTP_FORBIDDEN, "Cross-site request refused");
    }
    /* A key (header or cookie) means key authentication and nothing else. */
    return key ? authenticate_api_key(req, key, level == ACCESS_USER) : authenticate_digest(req);
}

int accounts_authorize(accounts_request *req, access_level level)
{
    int rc;

    if (level == ACCESS_PUBLIC) {
        return ACCOUNTS_CONTINUE;
    }
    if ((rc = authenticate(req, level)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (req->caller->blocked) {
        return accounts_send_message(req, HTTP_FORBIDDEN, "Account blocked");
    }
    if (level == ACCESS_ADMIN || level == ACCESS_SUPER_ADMIN) {
        int super = accounts_is_super_admin(req->caller, req->caller_space);
        int allowed = level == ACCESS_SUPER_ADMIN
                          ? super
                          : req->caller->admin
                                && (super || strcmp(req->caller->domain, req->space->domain) == 0);
        if (!allowed) {
            return accounts_send_message(req, HTTP_FORBIDDEN, "Unauthorized area");
        }
    }
    return ACCOUNTS_CONTINUE;
}
