/* Account creation request tokens (api-lifecycle.md 2): an app asks for
 * one (2.1), a person confirms it on the module's validation page (2.2),
 * then the app exchanges it, once, for a creation token (2.3). */
#include "handlers.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json.h"
#include "../markup.h"
#include "../tokens.h"

#include <stdlib.h>
#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

#define REQUEST_TOKEN_FIELD "account_creation_request_token"
#define INVALID_REQUEST_TOKEN "Please provide a valid account_creation_request_token"

int handle_creation_request_create(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = crypto_random_alnum(r->pool, CREATION_REQUEST_TOKEN_LENGTH);
    store *db = accounts_db(req);
    json_object *body;

    if (!db || !token
        || store_creation_request_mint(db, crypto_secret_hash(r->pool, token), req->space->domain,
                                       r->useragent_ip, request_user_agent(r)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account creation request token minted in %s",
                  req->space->domain);
    body = json_pool_object(r->pool);
    json_object_object_add(body, "token", json_object_new_string(token));
    json_object_object_add(body, "validation_url", json_object_new_string(apr_pstrcat(
        r->pool, req->space->public_url, req->base, "/creation_token/check/", token, NULL)));
    return accounts_send_json(req, HTTP_CREATED, body);
}

/* ---- the validation page (2.2) ----------------------------------------------------- */

#define PAGE_TITLE "Account creation"

static int send_not_found_page(accounts_request *req)
{
    return send_page(req, HTTP_NOT_FOUND, PAGE_TITLE,
                     "<p>This link is not valid, or was already used.</p>\n");
}

/* The request token, if it can still be validated: a request token of
 * the request Space, unused. ACCOUNTS_CONTINUE with *usable set, or OK
 * once it answered 503. */
static int find_request_token(accounts_request *req, const char *token, int *usable)
{
    creation_request_state state = { 0 };

    *usable = 0;
    if (!token || strlen(token) != CREATION_REQUEST_TOKEN_LENGTH) {
        return ACCOUNTS_CONTINUE;
    }
    if (!accounts_db(req)
        || store_creation_request_state(req->db, crypto_secret_hash(req->r->pool, token),
                                        req->space->domain, &state) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    *usable = state.exists && !state.used;
    return ACCOUNTS_CONTINUE;
}

int handle_creation_request_check_page(accounts_request *req)
{
    apr_pool_t *p = req->r->pool;
    const char *token = router_param(&req->match, "token");
    int usable, rc = find_request_token(req, token, &usable);

    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!usable) {
        return send_not_found_page(req);
    }
    /* Loading the page changes nothing: only the button validates. */
    return send_page(req, HTTP_OK, PAGE_TITLE, apr_pstrcat(p,
        "<p>An application asked to create an account on <strong>",
        markup_escape(p, req->space->name), "</strong>. Confirm that a person is behind "
        "this request to continue the registration in the application.</p>\n"
        "<form method=\"POST\" action=\"", markup_escape(p, req->base),
        "/creation_token/validate\">\n"
        "<input type=\"hidden\" name=\"" REQUEST_TOKEN_FIELD "\" value=\"",
        markup_escape(p, token), "\">\n"
        "<button type=\"submit\">I'm not a robot</button>\n</form>\n", NULL));
}

int handle_creation_request_validate_page(accounts_request *req)
{
    const char *token;
    int usable, rc;

    handler_params(req);
    token = fields_string(req->params, REQUEST_TOKEN_FIELD);
    if ((rc = find_request_token(req, token, &usable)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!usable) {
        return send_not_found_page(req);
    }
    switch (store_creation_request_validate(req->db, crypto_secret_hash(req->r->pool, token),
                                            req->space->domain)) {
    case STORE_ERROR:
        return accounts_send_unavailable(req);
    case STORE_NOT_FOUND:      /* used since it was looked up */
        return send_not_found_page(req);
    case STORE_OK:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r,
                  "account creation request token validated in %s", req->space->domain);
    return send_page(req, HTTP_OK, "Thanks for the validation",
                     "<p>You can now continue your registration process in the application.</p>\n");
}

/* ---- exchange for a creation token (2.3) --------------------------------------------- */

/* The 422 of 2.3: required, then an unused request token of this Space
 * of exactly 13 characters. */
static int send_invalid(accounts_request *req, int missing)
{
    validation *v = validation_create(req->r->pool);

    if (missing) {
        validation_fail(v, REQUEST_TOKEN_FIELD, RULE_REQUIRED);
    }
    else {
        validation_add(v, REQUEST_TOKEN_FIELD, INVALID_REQUEST_TOKEN);
    }
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

int handle_creation_token_from_request(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *space = req->space;
    creation_request_state state = { 0 };
    const char *token, *hash, *creation_token, *ua = request_user_agent(r), *created_at;
    json_object *body, *expire_at = NULL;
    store_status s;

    handler_params(req);
    if (fields_required_fails(req->params, REQUEST_TOKEN_FIELD)) {
        return send_invalid(req, 1);
    }
    token = fields_string(req->params, REQUEST_TOKEN_FIELD);
    if (!token || strlen(token) != CREATION_REQUEST_TOKEN_LENGTH) {
        return send_invalid(req, 0);
    }
    hash = crypto_secret_hash(r->pool, token);
    if (!accounts_db(req)
        || store_creation_request_state(req->db, hash, space->domain, &state) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (!state.exists || state.used) {
        return send_invalid(req, 0);
    }
    if (!state.validated) {
        return accounts_send_message(req, HTTP_NOT_FOUND,
                                     "Account creation request token not validated");
    }
    if (!(creation_token = crypto_random_alnum(r->pool, CREATION_TOKEN_LENGTH))) {
        return accounts_send_unavailable(req);
    }
    s = store_creation_request_use(req->db, hash, space->domain,
                                   crypto_secret_hash(r->pool, creation_token), r->useragent_ip,
                                   ua, &created_at);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        /* A concurrent request used it first (validation cannot be undone). */
        return send_invalid(req, 0);
    }
    if (space->creation_token_expiry > 0) {
        expire_at = json_object_new_string(json_timestamp_text(
            r->pool, strtoll(created_at, NULL, 10) + 60LL * space->creation_token_expiry));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "account creation token minted from a request token in %s", space->domain);
    body = json_pool_object(r->pool);
    json_object_object_add(body, "token", json_object_new_string(creation_token));
    json_object_object_add(body, "ip", json_string_or_null(r->useragent_ip));
    json_object_object_add(body, "user_agent", json_string_or_null(ua));
    json_object_object_add(body, "expire_at", expire_at);
    return accounts_send_json(req, HTTP_CREATED, body);
}
