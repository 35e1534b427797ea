/* Push-delivered tokens (api-lifecycle.md 3): a creation token (3.1) or
 * an account recovery token (3.2) sent to a device through the push
 * command, with throttling (3.3); and consuming a creation token for the
 * authenticated account (3.4). */
#include "handlers.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json.h"
#include "../push.h"
#include "../tokens.h"

#include <stdlib.h>
#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* 3.1 and 3.2 outcomes in order: validation, throttling, send, store. The
 * token is stored only once the push command said it was sent. */
static int send_by_push(accounts_request *req, push_token_kind kind)
{
    request_rec *r = req->r;
    const accounts_space *space = req->space;
    const char *what = kind == PUSH_CREATION_TOKEN ? "creation" : "recovery";
    const char *provider, *param, *prid, *token, *why;
    validation *v = validation_create(r->pool);
    int throttled = 0;

    handler_params(req);
    push_check_params(v, req->params);
    if (validation_failed(v)) {
        return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
    }
    provider = fields_string(req->params, "pn_provider");
    param = fields_string(req->params, "pn_param");
    prid = fields_string(req->params, "pn_prid");
    if (!accounts_db(req)
        || store_push_throttled(req->db, kind, space->domain, provider, param, prid,
                                kind == PUSH_CREATION_TOKEN ? space->creation_token_retry
                                                            : space->recovery_token_retry,
                                &throttled) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (throttled) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "Token throttled: %s token by push in %s,"
                      " pn_provider %s", what, space->domain, provider);
        return accounts_send_message(req, HTTP_TOO_MANY_REQUESTS, "Last token requested too recently");
    }
    token = crypto_random_alnum(r->pool, kind == PUSH_CREATION_TOKEN ? CREATION_TOKEN_LENGTH
                                                                     : RECOVERY_TOKEN_LENGTH);
    if (!token) {
        return accounts_send_unavailable(req);
    }
    why = push_send(r->pool, space->push_command,
                    push_arguments(r->pool, provider, param, prid, token, space->push_firebase_keys));
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "%s token not sent by push in %s"
                      " (pn_provider %s): %s", what, space->domain, provider, why);
        return accounts_send_message(req, HTTP_SERVICE_UNAVAILABLE, "Token not sent");
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s token sent by push in %s (pn_provider %s,"
                  " exit status 0)", what, space->domain, provider);
    if (store_push_token_store(req->db, kind, crypto_secret_hash(r->pool, token), space->domain,
                               provider, param, prid, r->useragent_ip,
                               request_user_agent(r)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return accounts_send_empty(req, HTTP_OK);
}

int handle_creation_token_send_by_push(accounts_request *req)
{
    return send_by_push(req, PUSH_CREATION_TOKEN);
}

int handle_recovery_token_send_by_push(accounts_request *req)
{
    return send_by_push(req, PUSH_RECOVERY_TOKEN);
}

int handle_creation_token_consume(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *space = req->space;
    const char *token, *ua = request_user_agent(r);
    consumed_creation_token t;
    json_object *body, *expire_at = NULL;
    store_status s;

    handler_params(req);
    token = fields_string(req->params, "account_creation_token");
    /* A token only validates accounts of the Space that minted it. */
    if (!token || strcmp(req->caller->domain, space->domain) != 0) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account creation token not found");
    }
    s = store_creation_token_consume(req->db, crypto_secret_hash(r->pool, token), space->domain,
                                     space->creation_token_expiry, req->caller->id,
                                     r->useragent_ip, ua, &t);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account creation token not found");
    }
    if (space->creation_token_expiry > 0) {
        expire_at = json_object_new_string(json_timestamp_text(
            r->pool, strtoll(t.created_at, NULL, 10) + 60LL * space->creation_token_expiry));
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account creation token consumed by account %s",
                  req->caller->id);
    body = json_pool_object(r->pool);
    json_object_object_add(body, "token", json_object_new_string(token));
    json_object_object_add(body, "pn_provider", json_string_or_null(t.pn_provider));
    json_object_object_add(body, "pn_param", json_string_or_null(t.pn_param));
    json_object_object_add(body, "pn_prid", json_string_or_null(t.pn_prid));
    json_object_object_add(body, "used", json_object_new_boolean(1));
    json_object_object_add(body, "account_id", json_object_new_int64(strtoll(req->caller->id, NULL, 10)));
    json_object_object_add(body, "ip", json_string_or_null(r->useragent_ip));
    json_object_object_add(body, "user_agent", json_string_or_null(ua));
    json_object_object_add(body, "expire_at", expire_at);
    return accounts_send_json(req, HTTP_OK, body);
}
