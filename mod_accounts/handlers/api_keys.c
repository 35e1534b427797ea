/* User API keys: GET /accounts/me/api_key and its auth_token form
 * (api.md 2.2, 5.3, 5.4). */
#include "handlers.h"
#include "../api_key.h"
#include "../crypto.h"
#include "../json.h"

#include <apr_date.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* Set-Cookie for a fresh key, lasting the account Space's key expiry
 * (a session cookie when that is 0). Attribute order is the contract's,
 * with SameSite=Strict last (api.md 2.2): a browser then never sends the
 * key with a request another site starts. Secure over HTTPS, and behind a
 * TLS-terminating proxy when the Space says so (AccountsCookieSecure, or an
 * https AccountsPublicURL). */
static void set_key_cookie(accounts_request *req, const char *key, long expiry_minutes)
{
    request_rec *r = req->r;
    const char *secure = req->space->cookie_always_secure
                         || strcmp(ap_http_scheme(r), "https") == 0 ? "; secure" : "";
    const char *cookie;

    if (expiry_minutes > 0) {
        char expires[APR_RFC822_DATE_LEN];
        apr_rfc822_date(expires, apr_time_now() + apr_time_from_sec(expiry_minutes * 60));
        cookie = apr_psprintf(r->pool, "x-api-key=%s; expires=%s; Max-Age=%ld; path=/%s; httponly"
                              "; SameSite=Strict", key, expires, expiry_minutes * 60, secure);
    }
    else {
        cookie = apr_psprintf(r->pool, "x-api-key=%s; path=/%s; httponly; SameSite=Strict", key,
                              secure);
    }
    apr_table_add(r->headers_out, "Set-Cookie", cookie);
}

static long key_expiry(const accounts_request *req, const char *account_domain)
{
    const accounts_space *own = space_registry_find(req->registry, account_domain);
    return own ? own->api_key_expiry : req->space->api_key_expiry;
}

int handle_me_api_key(accounts_request *req)
{
    request_rec *r = req->r;
    const char *key = crypto_random_alnum(r->pool, API_KEY_LENGTH);

    if (!key || store_user_api_key_replace(req->db, req->caller->id,
                                           crypto_secret_hash(r->pool, key),
                                           r->useragent_ip) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "new user API key for account %s",
                  req->caller->id);
    set_key_cookie(req, key, key_expiry(req, req->caller->domain));
    return accounts_send_text(req, HTTP_OK, key);
}

int handle_api_key_from_auth_token(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = router_param(&req->match, "auth_token");
    const char *key = crypto_random_alnum(r->pool, API_KEY_LENGTH);
    store *db = accounts_db(req);
    auth_token_result result;
    const char *domain = NULL;
    json_object *body;

    if (!db || !key) {
        return accounts_send_unavailable(req);
    }
    if (store_auth_token_exchange(db, crypto_secret_hash(r->pool, token),
                                  req->space->auth_token_expiry, req->space->domain,
                                  crypto_secret_hash(r->pool, key), r->useragent_ip,
                                  &result, &domain) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (result == AUTH_TOKEN_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Auth token not found");
    }
    if (result != AUTH_TOKEN_DONE) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Auth token not attached");
    }
    set_key_cookie(req, key, key_expiry(req, domain));
    body = json_pool_object(r->pool);
    json_object_object_add(body, "api_key", json_object_new_string(key));
    return accounts_send_json(req, HTTP_OK, body);
}
