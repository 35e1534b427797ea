#include "auth.h"
#include "api_key.h"
#include "crypto.h"
#include "digest.h"
#include "json.h"
#include "validation.h"
#include "module.h"

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

/* The key from the x-api-key header, else from the x-api-key cookie. */
static const char *presented_api_key(request_rec *r)
{
    const char *key = apr_table_get(r->headers_in, API_KEY_NAME);
    const char *cookie = NULL;

    if (key && *key) {
        return key;
    }
    if (ap_cookie_read(r, API_KEY_NAME, &cookie, 0) == APR_SUCCESS && cookie && *cookie) {
        return cookie;
    }
    return NULL;
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
    if (api_key_should_touch(idle)
        && store_api_key_touch(db, store_column(db, row, API_KEY_COL_ID)) == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    req->caller = caller;
    req->caller_space = own;
    return ACCOUNTS_CONTINUE;
}

/* ---- digest (api.md 2.3) --------------------------------------------------- */

/* The account a From header names, with what digest needs of it. */
typedef struct {
    account *account;
    const accounts_space *space;    /* its own Space, or NULL */
    const char *realm;
    json_object *passwords;         /* [["MD5", "hex"], ...] in stored order */
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

/* 401 with a fresh nonce (none when the account has no password). */
static int challenge(accounts_request *req, const digest_subject *who, const char *body)
{
    if (json_object_array_length(who->passwords) > 0) {
        const char *nonce = crypto_random_hex(req->r->pool, DIGEST_NONCE_BYTES);
        if (!nonce || store_nonce_insert(req->db, who->account->id, nonce) != STORE_OK) {
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

/* who, from a row of one of the digest subject statements (s its status). */
static int subject_from_row(accounts_request *req, store_status s, apr_dbd_row_t *row,
                            digest_subject *who)
{
    request_rec *r = req->r;

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
    if (!who->passwords || !json_object_is_type(who->passwords, json_type_array)) {
        return accounts_send_unavailable(req);
    }
    return ACCOUNTS_CONTINUE;
}

/* No Authorization: the account and, when it has a password, a fresh
 * nonce stored with it, in one round trip; then the 401 challenge. */
static int first_challenge(accounts_request *req, const char *username, const char *domain)
{
    const char *nonce = crypto_random_hex(req->r->pool, DIGEST_NONCE_BYTES);
    digest_subject who;
    apr_dbd_row_t *row = NULL;
    store_status s;
    int rc;

    if (!nonce) {
        return accounts_send_unavailable(req);
    }
    s = store_digest_challenge(req->db, username, domain, nonce, &row);
    if ((rc = subject_from_row(req, s, row, &who)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    /* The statement stored the nonce exactly when there is a password. */
    if (json_object_array_length(who.passwords) > 0) {
        add_challenges(req, &who, nonce);
    }
    return accounts_send_text(req, HTTP_UNAUTHORIZED, "Unauthenticated request");
}

/* The account of a signed request and the state of its nonce (step 3 of
 * api.md 2.3). The usual case, a nonce whose nc grows, is one round trip;
 * the others ask store_nonce_refused what went wrong. */
static int subject_and_nonce(accounts_request *req, const char *username, const char *domain,
                             const digest_credentials *creds, int parsed, long max_age,
                             digest_subject *who, nonce_state *nonce)
{
    long long nc = parsed && creds->nc ? digest_parse_nc(creds->nc) : -1;
    apr_dbd_row_t *row = NULL;
    store_status s;
    int advanced = 0, rc;

    if (parsed && nc >= 0) {
        s = store_digest_advance(req->db, username, domain, creds->nonce, nc, max_age, &row,
                                 &advanced);
    }
    else {
        s = store_account_by_sip(req->db, username, domain, &row);
    }
    if ((rc = subject_from_row(req, s, row, who)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!parsed) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, req->r, "unparsable digest Authorization header");
        return challenge(req, who, "Nonce invalid");
    }
    if (advanced) {
        *nonce = NONCE_ADVANCED;
        return ACCOUNTS_CONTINUE;
    }
    if (store_nonce_refused(req->db, who->account->id, creds->nonce, nc, max_age,
                            nonce) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return ACCOUNTS_CONTINUE;
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
    nonce_state nonce;
    const char *ha1, *expected;
    int parsed, rc;

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
    if (!header) {
        return first_challenge(req, username, domain);
    }
    parsed = digest_parse_authorization(r->pool, header, &creds) && creds.nonce;
    /* The account's own Space (its domain is the From domain, compared
     * case-insensitively) sets how long its nonces live. */
    own = space_registry_find(req->registry, domain);
    rc = subject_and_nonce(req, username, domain, &creds, parsed,
                           own ? own->nonce_max_age : req->space->nonce_max_age, &who, &nonce);
    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (nonce == NONCE_UNKNOWN) {
        return challenge(req, &who, "Nonce invalid");
    }
    if (nonce == NONCE_REPLAYED) {
        return challenge(req, &who, "Nonce replayed");
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
    /* Success: the answer carries the same nonce, for the next nc. */
    add_challenges(req, &who, creds.nonce);
    req->caller = who.account;
    req->caller_space = who.space;
    return ACCOUNTS_CONTINUE;
}

static int authenticate(accounts_request *req, access_level level)
{
    const char *key = presented_api_key(req->r);

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
