/* auth_tokens and account creation tokens (api.md 6.1, 6.2, 6.3). */
#include "handlers.h"
#include "../crypto.h"
#include "../json.h"
#include "../tokens.h"

#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

int handle_auth_token_create(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = crypto_random_alnum(r->pool, AUTH_TOKEN_LENGTH);
    const char *ua = request_user_agent(r);
    store *db = accounts_db(req);
    apr_dbd_row_t *row;
    json_object *body;

    if (!db || !token
        || store_auth_token_insert(db, space_registry_max_auth_token_expiry(req->registry),
                                   crypto_secret_hash(r->pool, token), r->useragent_ip,
                                   ua, &row) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    body = json_pool_object(r->pool);
    json_object_object_add(body, "token", json_object_new_string(token));
    json_object_object_add(body, "ip", json_string_or_null(r->useragent_ip));
    json_object_object_add(body, "user_agent", json_string_or_null(ua));
    json_object_object_add(body, "updated_at", json_timestamp_or_null(r->pool, store_column(db, row, 2)));
    json_object_object_add(body, "created_at", json_timestamp_or_null(r->pool, store_column(db, row, 1)));
    json_object_object_add(body, "id", json_object_new_int64(strtoll(store_column(db, row, 0), NULL, 10)));
    return accounts_send_json(req, HTTP_CREATED, body);
}

int handle_auth_token_attach(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = router_param(&req->match, "auth_token");
    auth_token_result result;

    if (store_auth_token_attach(req->db, req->caller->id, crypto_secret_hash(r->pool, token),
                                req->space->auth_token_expiry, &result) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (result == AUTH_TOKEN_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Auth token not found");
    }
    if (result == AUTH_TOKEN_ALREADY_ATTACHED) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Auth token already attached");
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "auth token attached to account %s",
                  req->caller->id);
    return accounts_send_empty(req, HTTP_OK);
}

int handle_creation_token_create(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = crypto_random_alnum(r->pool, CREATION_TOKEN_LENGTH);
    const char *ua = request_user_agent(r);
    const char *created_at;
    json_object *body, *expire_at = NULL;

    if (!token || store_creation_token_mint(req->db, crypto_secret_hash(r->pool, token),
                                            req->space->domain, r->useragent_ip, ua,
                                            &created_at) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (req->space->creation_token_expiry > 0) {
        expire_at = json_object_new_string(json_timestamp_text(
            r->pool, strtoll(created_at, NULL, 10) + 60LL * req->space->creation_token_expiry));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account creation token minted by account %s",
                  req->caller->id);
    body = json_pool_object(r->pool);
    json_object_object_add(body, "token", json_object_new_string(token));
    json_object_object_add(body, "ip", json_string_or_null(r->useragent_ip));
    json_object_object_add(body, "user_agent", json_string_or_null(ua));
    json_object_object_add(body, "expire_at", expire_at);
    return accounts_send_json(req, HTTP_CREATED, body);
}
