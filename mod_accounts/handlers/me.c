/* The caller's own account: /accounts/me... (api.md 5.5 to 5.9). */
#include "handlers.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json.h"
#include "../tokens.h"

#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* The realm of the caller's password hashes (api.md 2.3). */
static const char *caller_realm(const accounts_request *req)
{
    return req->caller_space ? space_digest_realm(req->caller_space) : req->caller->domain;
}

/* GET /accounts/me: the caller, Self variant (even when its Space is not
 * the vhost's, api.md 1.7 item 14). */
int handle_me_show(accounts_request *req)
{
    return send_account(req, HTTP_OK, req->caller, ACCOUNT_VIEW_SELF, 0, req->caller_space);
}

/* DELETE /accounts/me: tombstone, then everything of the account goes. */
int handle_me_delete(accounts_request *req)
{
    int deleted = 0;

    if (store_account_delete(req->db, req->caller->id, req->caller->domain, &deleted) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "account %s deleted itself",
                  req->caller->id);
    return accounts_send_text(req, HTTP_OK, "1");
}

/* GET /accounts/me/provision: a new current provisioning token. */
int handle_me_provision(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = crypto_random_alnum(r->pool, PROVISIONING_TOKEN_LENGTH);

    if (!token || store_provisioning_token_new(req->db, req->caller->id, req->caller->domain, token,
                                               r->useragent_ip, request_user_agent(r)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return reply_account(req, HTTP_OK, req->caller->id, ACCOUNT_VIEW_SELF, 0);
}

/* Does the old password match one stored password (its own algorithm)? */
static int old_password_matches(accounts_request *req, apr_dbd_results_t *res,
                                const char *old_password)
{
    request_rec *r = req->r;
    apr_dbd_row_t *row = NULL;
    int match = 0;

    /* Every row is read (no early exit) so the result set is drained. */
    while (apr_dbd_get_row(req->db->driver, r->pool, res, &row, -1) == 0) {
        const char *alg = store_column(req->db, row, 0);
        const char *stored = store_column(req->db, row, 1);
        const char *candidate = strcmp(alg, "CLRTXT") == 0
            ? old_password
            : account_password_hash(r->pool, alg, req->caller->username, caller_realm(req),
                                    old_password);
        match |= candidate && crypto_equal(candidate, stored);
    }
    return match;
}

/* POST /accounts/me/password (api.md 5.9). */
int handle_me_password(accounts_request *req)
{
    request_rec *r = req->r;
    validation *v = validation_create(r->pool);
    apr_dbd_results_t *res;
    const char *algorithm, *old_password;
    int had_password;

    handler_params(req);
    fields_check_algorithm(v, req->params);
    fields_check_password(v, req->params, 0);
    if (validation_failed(v)) {
        return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
    }
    if (store_passwords_of(req->db, req->caller->id, &res) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    had_password = apr_dbd_num_tuples(req->db->driver, res) > 0;
    if (had_password) {
        old_password = fields_string(req->params, "old_password");
        if (!json_object_object_get(req->params, "old_password")) {   /* absent or null */
            validation_fail(v, "old_password", RULE_REQUIRED);
            return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
        }
        if (!old_password || !old_password_matches(req, res, old_password)) {
            /* FlexiAPI's wire format: no message, a string not a list. */
            json_object *body = json_pool_object(r->pool);
            json_object *errors = json_object_new_object();
            json_object_object_add(errors, "old_password",
                                   json_object_new_string("Incorrect old password"));
            json_object_object_add(body, "errors", errors);
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "password change of account %s refused: wrong old password",
                          req->caller->id);
            return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, body);
        }
    }
    algorithm = fields_string(req->params, "algorithm");
    /* The new password revokes the account's user keys (api.md 2.2), but
     * not the key this request came with: the client changing its own
     * password stays signed in. */
    if (store_password_set(req->db, req->caller->id, algorithm,
                           account_password_hash(r->pool, algorithm, req->caller->username,
                                                 caller_realm(req),
                                                 fields_string(req->params, "password")),
                           1, req->caller_api_key_id) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account %s changed its password (%s)",
                  req->caller->id, algorithm);
    if (had_password) {
        return accounts_send_json(req, HTTP_OK, json_pool_array(r->pool));
    }
    return accounts_send_empty(req, HTTP_OK);
}

/* GET /accounts/me/services/turn: draft-uberti-behave-turn-rest-00
 * credentials for the TURN server of the caller's own Space (api.md
 * 5.6), whatever vhost it calls: another Space's relay and secret are not
 * its to use. An account whose domain is no configured Space has none. */
int handle_me_turn(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *space = req->caller_space;
    const char *random_part, *username;
    json_object *body, *uris;
    long ttl;

    if (!space || !space->turn_server || !space->turn_secret || space->turn_ttl <= 0) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "No TURN service configured");
    }
    ttl = space->turn_ttl * 60;
    random_part = crypto_random_alnum(r->pool, TURN_USERNAME_RANDOM_LENGTH);
    if (!random_part) {
        return accounts_send_unavailable(req);
    }
    username = apr_psprintf(r->pool, "%" APR_TIME_T_FMT ":%s",
                            apr_time_sec(apr_time_now()) + ttl, random_part);
    body = json_pool_object(r->pool);
    uris = json_object_new_array();
    json_object_array_add(uris, json_object_new_string(
                                    apr_pstrcat(r->pool, "turn:", space->turn_server, NULL)));
    json_object_object_add(body, "username", json_object_new_string(username));
    json_object_object_add(body, "password", json_object_new_string(
                               crypto_hmac_sha1_base64(r->pool, space->turn_secret, username)));
    json_object_object_add(body, "ttl", json_object_new_int64(ttl));
    json_object_object_add(body, "uris", uris);
    return accounts_send_json(req, HTTP_OK, body);
}
