/* Email and phone change by 4-digit codes (api-lifecycle.md 4, 5) and the
 * phone countries the phone rules accept (5.3). */
#include "handlers.h"
#include "../codes.h"
#include "../command.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json_writer.h"
#include "../mail.h"
#include "../phone_countries.h"

#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* The caller's own Space: its name, expiries, blocking limits, mail and
 * SMS commands (the request Space when its domain is no configured one). */
static const accounts_space *own_space(const accounts_request *req)
{
    return req->caller_space ? req->caller_space : req->space;
}

static const char *kind_name(change_code_kind kind)
{
    return kind == CHANGE_CODE_EMAIL ? "email" : "phone";
}

static int send_validation(accounts_request *req, validation *v)
{
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

/* Steps 1 and 2 of 4.1 and 5.1: the blocking service (which blocks the
 * account when it made too many codes lately), then a validated account. */
static int check_gate(accounts_request *req)
{
    const accounts_space *own = own_space(req);
    int blocked = 0, validated = 0;

    if (store_change_code_gate(req->db, req->caller->id, own->blocking_events,
                               own->blocking_period, &blocked, &validated) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (blocked) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, req->r,
                      "account %s blocked: %ld codes or more in %ld minutes (AccountsBlockingEvents)",
                      req->caller->id, own->blocking_events, own->blocking_period);
        return accounts_send_message(req, HTTP_FORBIDDEN, "Account blocked");
    }
    if (!validated) {
        return accounts_send_message(req, HTTP_FORBIDDEN, "Account unvalidated");
    }
    return ACCOUNTS_CONTINUE;
}

/* A new code for target; *code and *code_id set, or 503 sent. */
static int new_code(accounts_request *req, change_code_kind kind, const char *target,
                    const char **code, const char **code_id)
{
    request_rec *r = req->r;

    *code = crypto_random_code(r->pool);
    if (!*code || store_change_code_insert(req->db, kind, req->caller->id, target, *code,
                                           r->useragent_ip, request_user_agent(r), code_id)
                      != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return ACCOUNTS_CONTINUE;
}

/* The code was not delivered: it is not kept, and the client may retry. */
static int not_sent(accounts_request *req, change_code_kind kind, const char *code_id,
                    const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r, "%s change code for account %s not sent: %s",
                  kind_name(kind), req->caller->id, why);
    /* Should the delete fail too, a code nobody received stays pending: it
     * can be guessed no better than any other, and the next request makes
     * a newer one. */
    if (store_change_code_delete(req->db, kind, code_id) != STORE_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                      "undelivered %s change code of account %s could not be deleted",
                      kind_name(kind), req->caller->id);
    }
    return accounts_send_unavailable(req);
}

/* 4.2 and 5.2: the pending code against the submitted one, in the database. */
static int confirm(accounts_request *req, change_code_kind kind)
{
    request_rec *r = req->r;
    const accounts_space *own = own_space(req);
    validation *v = validation_create(r->pool);
    change_code_result result;
    const char *code;
    int attempts = 0;

    codes_check_code(r->pool, v, handler_params(req), &code);
    if (validation_failed(v)) {
        return send_validation(req, v);
    }
    if (store_change_code_confirm(req->db, kind, req->caller->id, code,
                                  kind == CHANGE_CODE_EMAIL ? own->email_change_code_expiry
                                                            : own->phone_change_code_expiry,
                                  req->space->email_unique == 1, &result, &attempts)
        != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    switch (result) {
    case CHANGE_CODE_NONE:
        return accounts_send_message(req, HTTP_NOT_FOUND, kind == CHANGE_CODE_EMAIL
                                                              ? "No pending email change"
                                                              : "No pending phone change");
    case CHANGE_CODE_EXPIRED:
        return accounts_send_message(req, HTTP_GONE, "Expired code");
    case CHANGE_CODE_WRONG:
        /* Slow guessing shows in the log (1.2); the code never does. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "wrong %s change code for account %s from %s (attempt %d of %d)",
                      kind_name(kind), req->caller->id, r->useragent_ip, attempts,
                      CODES_MAX_ATTEMPTS);
        validation_add(v, "code", "The code should be valid");
        return send_validation(req, v);
    case CHANGE_CODE_TAKEN:
        validation_add(v, kind_name(kind), kind == CHANGE_CODE_EMAIL
                                               ? "The email has already been taken."
                                               : "The phone has already been taken.");
        return send_validation(req, v);
    case CHANGE_CODE_DONE:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account %s changed its %s with a code",
                  req->caller->id, kind_name(kind));
    return reply_account(req, HTTP_OK, req->caller->id, ACCOUNT_VIEW_SELF, 0);
}

/* ---- email (4.1, 4.2) ---------------------------------------------------------- */

/* 4.1 step 3: required, valid, max:255, not the current email, unique in
 * the account's domain when the request Space wants it. */
static int check_new_email(accounts_request *req, validation *v)
{
    json_object *params = handler_params(req);
    const char *email = fields_string(params, "email");
    field_lookups lookups = { 0 };

    if (fields_required_fails(params, "email")) {
        validation_fail(v, "email", RULE_REQUIRED);
        return ACCOUNTS_CONTINUE;
    }
    fields_check_email(v, params, req->space, NULL);
    if (email && req->caller->email && strcmp(email, req->caller->email) == 0) {
        validation_fail(v, "email", RULE_IN);
    }
    if (email && req->space->email_unique == 1) {
        if (store_field_lookups(req->db, req->caller->domain, req->caller->id, NULL, email, NULL,
                                &lookups) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
        if (lookups.email_taken) {
            validation_add(v, "email", "The email has already been taken.");
        }
    }
    return ACCOUNTS_CONTINUE;
}

/* POST /accounts/me/email/request: a code to the new address. */
int handle_me_email_request(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *own = own_space(req);
    validation *v = validation_create(r->pool);
    const char *email, *code, *code_id, *error;
    mail_message m;
    int rc;

    if ((rc = check_gate(req)) != ACCOUNTS_CONTINUE
        || (rc = check_new_email(req, v)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (validation_failed(v)) {
        return send_validation(req, v);
    }
    email = fields_string(req->params, "email");
    if ((rc = new_code(req, CHANGE_CODE_EMAIL, email, &code, &code_id)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    memset(&m, 0, sizeof(m));
    m.from_address = own->mail_from;
    m.from_name = own->mail_from_name;
    m.to = email;
    m.subject = apr_pstrcat(r->pool, own->name, ": Confirm your registration", NULL);
    m.body = apr_pstrcat(r->pool,
                         codes_email_body(r->pool, own->name, code, own->email_change_code_expiry),
                         email_sign_off(r->pool, own), NULL);
    m.message_id_domain = own->domain;
    error = mail_send(r->pool, own->sendmail, mail_render(r->pool, &m));
    if (error) {
        return not_sent(req, CHANGE_CODE_EMAIL, code_id, error);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "email change code sent for account %s",
                  req->caller->id);
    return accounts_send_empty(req, HTTP_OK);
}

/* POST /accounts/me/email: the code makes the new address the account's. */
int handle_me_email_confirm(accounts_request *req)
{
    return confirm(req, CHANGE_CODE_EMAIL);
}

/* ---- phone (5.1, 5.2) ---------------------------------------------------------- */

/* 5.1 step 3: api.md 4.4's rules, required; taken counts the caller's own
 * phone, and the usernames of the account's domain. */
static int check_new_phone(accounts_request *req, validation *v)
{
    json_object *params = handler_params(req);
    const char *phone = fields_string(params, "phone");
    field_lookups lookups = { 0 };

    if (fields_required_fails(params, "phone")) {
        validation_fail(v, "phone", RULE_REQUIRED);
        return ACCOUNTS_CONTINUE;
    }
    if (phone && store_field_lookups(req->db, req->caller->domain, NULL, NULL, NULL, phone,
                                     &lookups) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    fields_check_phone(v, params, req->space, &lookups);
    return ACCOUNTS_CONTINUE;
}

const char *send_sms(accounts_request *req, const accounts_space *own, const char *phone,
                     const char *text)
{
    apr_pool_t *p = req->r->pool;
    apr_array_header_t *words = NULL, *extra = apr_array_make(p, 1, sizeof(const char *));
    const char *why;

    if (!own->sms_command || !*own->sms_command) {
        return "no SMS command is configured (AccountsSmsCommand)";
    }
    if ((why = command_split(p, own->sms_command, &words)) != NULL) {
        return apr_pstrcat(p, "AccountsSmsCommand ", why, NULL);
    }
    APR_ARRAY_PUSH(extra, const char *) = codes_sms_number(p, phone);
    return command_run(p, words, extra, text, COMMAND_TIMEOUT_SECONDS);
}

/* POST /accounts/me/phone/request: a code by SMS to the new number. */
int handle_me_phone_request(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *own = own_space(req);
    validation *v = validation_create(r->pool);
    const char *phone, *code, *code_id, *error;
    int rc;

    if ((rc = check_gate(req)) != ACCOUNTS_CONTINUE
        || (rc = check_new_phone(req, v)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (validation_failed(v)) {
        return send_validation(req, v);
    }
    phone = fields_string(req->params, "phone");
    if ((rc = new_code(req, CHANGE_CODE_PHONE, phone, &code, &code_id)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    error = send_sms(req, own, phone,
                     codes_phone_sms_text(r->pool, own->name, code, own->phone_change_code_expiry));
    if (error) {
        return not_sent(req, CHANGE_CODE_PHONE, code_id, error);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "phone change code sent by SMS for account %s (SMS command exit status 0)",
                  req->caller->id);
    return accounts_send_empty(req, HTTP_OK);
}

/* POST /accounts/me/phone: the code makes the new number the account's. */
int handle_me_phone_confirm(accounts_request *req)
{
    return confirm(req, CHANGE_CODE_PHONE);
}


/* ---- GET /phone_countries (5.3) ---------------------------------------------- */

/* Countries are configuration (1.6 item 7): every region of the table, the
 * request Space's AccountsAllowedPhoneCountries telling which are
 * activated (regions of one calling code go together). */
int handle_phone_countries(accounts_request *req)
{
    json_writer *w = json_writer_create(req->r->pool, 64 * phone_countries_count);

    json_writer_array_begin(w);
    for (int i = 0; i < phone_countries_count; i++) {
        json_writer_object_begin(w);
        json_writer_key(w, "code");
        json_writer_string(w, phone_countries[i].code);
        json_writer_key(w, "country_code");
        json_writer_string(w, phone_countries[i].calling_code);
        json_writer_key(w, "activated");
        json_writer_bool(w, fields_phone_country_allowed(req->space,
                                                         phone_countries[i].calling_code));
        json_writer_object_end(w);
    }
    json_writer_array_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}
