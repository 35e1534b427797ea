/* Public account endpoints: creation with a creation token (api.md 5.1)
 * and public information (5.2). */
#include "handlers.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json.h"
#include "../tokens.h"

#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

#define TOKEN_FIELD "account_creation_token"

/* api.md 4.10: both rules are evaluated; an unknown token gets both. */
static void check_creation_token(validation *v, json_object *params,
                                 const creation_token_state *ts)
{
    const char *token = fields_string(params, TOKEN_FIELD);
    json_object *value = NULL;
    int usable = ts->exists && !ts->used;

    /* Laravel's required: absent, null, or an empty array or object. */
    if (!json_object_object_get_ex(params, TOKEN_FIELD, &value) || !value
        || ((json_object_is_type(value, json_type_array)
             || json_object_is_type(value, json_type_object))
            && (json_object_is_type(value, json_type_array) ? json_object_array_length(value)
                                                            : (size_t)json_object_object_length(value)) == 0)) {
        validation_fail(v, TOKEN_FIELD, RULE_REQUIRED);
        return;
    }
    if (!token || strlen(token) != CREATION_TOKEN_LENGTH || !usable) {
        validation_add(v, TOKEN_FIELD, "Please provide a valid account_creation_token");
    }
    if (!token || !usable || !ts->live) {
        validation_add(v, TOKEN_FIELD, "The provided token is expired");
    }
}

static int refuse_full(accounts_request *req)
{
    return accounts_send_message(req, HTTP_FORBIDDEN, "This action is unauthorized.");
}

/* The 422 of a lost race: re-read the token, answer as validation would. */
static int refuse_token(accounts_request *req, const char *token_hash)
{
    creation_token_state ts = { 0 };
    validation *v = validation_create(req->r->pool);

    if (store_creation_token_state(req->db, token_hash, req->space->domain,
                                   req->space->creation_token_expiry, &ts) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    check_creation_token(v, req->params, &ts);
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

int handle_create_with_token(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *space = req->space;
    store *db = accounts_db(req);
    field_lookups found = { 0 };
    creation_token_state ts = { 0 };
    store_new_account a;
    create_result result;
    validation *v;
    const char *username, *token, *token_hash = NULL, *algorithm, *id, *created_at;
    long count;

    if (!db) {
        return accounts_send_unavailable(req);
    }
    /* A full Space refuses before validation (api.md 5.1 outcome 1). */
    if (space->max_accounts > 0) {
        if (store_space_count(db, space->domain, &count) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
        if (count >= space->max_accounts) {
            return refuse_full(req);
        }
    }
    handler_params(req);
    username = fields_string(req->params, "username");
    token = fields_string(req->params, TOKEN_FIELD);
    if (store_field_lookups(db, space->domain, NULL, username,
                            fields_string(req->params, "email"),
                            fields_string(req->params, "phone"), &found) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (token) {
        token_hash = crypto_secret_hash(r->pool, token);
        if (store_creation_token_state(db, token_hash, space->domain,
                                       space->creation_token_expiry, &ts) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
    }

    v = validation_create(r->pool);
    fields_check_username(v, req->params, space, 0, &found);
    fields_check_domain(v, req->params, req->registry);
    fields_check_dictionary(v, req->params);
    fields_check_password(v, req->params, 6);
    fields_check_email(v, req->params, space, &found);
    fields_check_dtmf_protocol(v, req->params);
    fields_check_phone(v, req->params, space, &found);
    check_creation_token(v, req->params, &ts);
    fields_check_algorithm(v, req->params);
    if (validation_failed(v)) {
        return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
    }

    /* email, phone, dictionary and domain were validated, but this endpoint
     * does not store them (api.md 5.1). */
    algorithm = fields_string(req->params, "algorithm");
    memset(&a, 0, sizeof(a));
    a.domain = space->domain;
    a.username = username;
    a.max_accounts = space->max_accounts;
    a.token_hash = token_hash;
    a.token_expiry_minutes = space->creation_token_expiry;
    a.dtmf_protocol = fields_string(req->params, "dtmf_protocol");
    a.ip_address = r->useragent_ip;
    a.user_agent = space->name;
    a.algorithm = algorithm;
    a.password_hash = account_password_hash(r->pool, algorithm, username,
                                            space_digest_realm(space),
                                            fields_string(req->params, "password"));
    a.provisioning_token = crypto_random_alnum(r->pool, PROVISIONING_TOKEN_LENGTH);
    a.request_ip = r->useragent_ip;
    a.request_user_agent = request_user_agent(r);
    if (!a.provisioning_token
        || store_account_create(db, &a, &result, &id, &created_at) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    switch (result) {
    case CREATE_FULL:
        return refuse_full(req);
    case CREATE_TOKEN_REFUSED:
        return refuse_token(req, token_hash);
    case CREATE_USERNAME_TAKEN:
        return reply_username_taken(req);
    case CREATE_EMAIL_TAKEN:      /* not stored here, so never claimed: cannot happen */
        return reply_contact_taken(req, "email");
    case CREATE_PHONE_TAKEN:
        return reply_contact_taken(req, "phone");
    case CREATE_OK:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account %s created with a creation token in %s",
                  id, space->domain);
    return reply_new_account(req, &a, id, created_at);
}

int handle_account_info(accounts_request *req)
{
    const char *sip = router_param(&req->match, "sip");
    const char *at = strchr(sip, '@');
    store *db;
    json_object *body;
    int activated = 0;
    store_status s;

    if (!at || strcasecmp(at + 1, req->space->domain) != 0) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
    }
    if (!(db = accounts_db(req))) {
        return accounts_send_unavailable(req);
    }
    s = store_account_activated_by_sip(db, apr_pstrndup(req->r->pool, sip, (apr_size_t)(at - sip)),
                                       req->space->domain, &activated);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
    }
    body = json_pool_object(req->r->pool);
    json_object_object_add(body, "activated", json_object_new_boolean(activated));
    json_object_object_add(body, "realm", json_string_or_null(req->space->realm));
    return accounts_send_json(req, HTTP_OK, body);
}
