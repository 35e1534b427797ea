/* Account recovery pages (api-lifecycle.md 6): a person proves control of
 * the account's email or phone with a 4-digit code (6.1 to 6.3), then the
 * confirmation (6.4) leads to the reset-password page (api.md 6.5) with a
 * fresh reset-password token. The pages are send_page()'s; the request
 * Space's accounts only; the one-shot rules are sql/0014's. */
#include "handlers.h"
#include "../codes.h"
#include "../crypto.h"
#include "../fields.h"
#include "../mail.h"
#include "../markup.h"
#include "../tokens.h"

#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

#define TITLE "Account recovery"
#define TOKEN_FIELD "account_recovery_token"

typedef struct {
    const char *email, *username, *phone, *token;   /* as submitted (NULL: none) */
} recovery_form;

static const char *esc(accounts_request *req, const char *s)
{
    return markup_escape(req->r->pool, s ? s : "");
}

/* The messages of a failed validation, as the page's alert list. */
static const char *error_list(accounts_request *req, const apr_array_header_t *errors)
{
    apr_pool_t *p = req->r->pool;
    const char *list;

    if (!errors || !errors->nelts) {
        return "";
    }
    list = "<ul class=\"errors\" role=\"alert\">\n";
    for (int i = 0; i < errors->nelts; i++) {
        list = apr_pstrcat(p, list, "<li>", esc(req, APR_ARRAY_IDX(errors, i, const char *)),
                           "</li>\n", NULL);
    }
    return apr_pstrcat(p, list, "</ul>\n", NULL);
}

/* The request form of 6.1 (phone, with the recovery token) or 6.2 (email
 * and username), pre-filled with f, after the notice (HTML) and errors. */
static int send_request_form(accounts_request *req, int status, int phone_form,
                             const recovery_form *f, const char *notice,
                             const apr_array_header_t *errors)
{
    apr_pool_t *p = req->r->pool;
    const char *fields;

    if (phone_form) {
        fields = apr_pstrcat(p,
            "<label for=\"phone\">Phone number</label>\n"
            "<input id=\"phone\" name=\"phone\" type=\"text\" inputmode=\"tel\" autocomplete=\"tel\""
            " placeholder=\"+123456789\" value=\"", esc(req, f->phone), "\" required>\n"
            "<input type=\"hidden\" name=\"" TOKEN_FIELD "\" value=\"", esc(req, f->token), "\">\n",
            NULL);
    }
    else {
        fields = apr_pstrcat(p,
            "<label for=\"email\">Email</label>\n"
            "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\""
            " placeholder=\"bob@example.com\" value=\"", esc(req, f->email), "\" required>\n"
            "<label for=\"username\">Username", req->space->email_unique == 1 ? " (optional)" : "",
            "</label>\n"
            "<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\""
            " value=\"", esc(req, f->username), "\"", req->space->email_unique == 1 ? "" : " required",
            ">\n", NULL);
    }
    return send_page(req, status, TITLE, apr_pstrcat(p,
        notice ? notice : "", error_list(req, errors),
        "<p>We will send you a verification code to recover your account on <strong>",
        esc(req, req->space->name), "</strong>.</p>\n"
        "<form method=\"POST\" action=\"", esc(req, req->base), "/recovery\">\n", fields,
        "<button type=\"submit\">Send</button>\n</form>\n", NULL));
}

/* The confirm form of 6.3 step 7 and 6.4 (attempts_left < 0: not shown). */
static int send_confirm_form(accounts_request *req, int status, const char *handle,
                             int attempts_left, const apr_array_header_t *errors)
{
    apr_pool_t *p = req->r->pool;

    return send_page(req, status, TITLE, apr_pstrcat(p,
        error_list(req, errors),
        "<p>Enter the code you received below.</p>\n"
        "<form method=\"POST\" action=\"", esc(req, req->base), "/recovery/confirm\">\n"
        "<input type=\"hidden\" name=\"recovery\" value=\"", esc(req, handle), "\">\n"
        "<label for=\"code\">Code</label>\n"
        "<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" pattern=\"[0-9]{4}\""
        " maxlength=\"4\" autocomplete=\"one-time-code\" required>\n",
        attempts_left >= 0 ? apr_psprintf(p, "<p>%d attempts left</p>\n", attempts_left) : "",
        "<button type=\"submit\">Confirm</button>\n</form>\n", NULL));
}

static int send_text_page(accounts_request *req, int status, const char *text)
{
    return send_page(req, status, TITLE,
                     apr_pstrcat(req->r->pool, "<p>", esc(req, text), "</p>\n", NULL));
}

static int send_unavailable_page(accounts_request *req)
{
    apr_table_setn(req->r->headers_out, "Retry-After", "1");
    return send_text_page(req, HTTP_SERVICE_UNAVAILABLE,
                          "The code could not be sent. Please try again later.");
}

/* ---- GET /recovery/phone/{account_recovery_token} (6.1) ----------------------- */

/* A query parameter's value, %-decoded; a '+' stays a '+' (a phone number
 * starts with one: an app that writes ?phone=+33... means the plus sign,
 * and a space is %20). NULL when absent or malformed. */
static const char *query_param(apr_pool_t *p, const char *args, const char *name)
{
    size_t len = strlen(name);

    while (args && *args) {
        const char *end = strchr(args, '&');
        size_t n = end ? (size_t)(end - args) : strlen(args);
        if (n >= len && strncmp(args, name, len) == 0 && (n == len || args[len] == '=')) {
            char *v = apr_pstrmemdup(p, n > len ? args + len + 1 : args + n, n > len ? n - len - 1 : 0);
            return ap_unescape_url(v) == OK ? v : NULL;
        }
        args = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Looks the token up: *found and *live, or OK once it answered 503. */
static int token_state(accounts_request *req, const char *token, int *found, int *live)
{
    store_status s;

    *found = *live = 0;
    if (!token || strlen(token) != RECOVERY_TOKEN_LENGTH) {
        return ACCOUNTS_CONTINUE;
    }
    if (!accounts_db(req)) {
        return accounts_send_unavailable(req);
    }
    s = store_recovery_token_state(req->db, crypto_secret_hash(req->r->pool, token),
                                   req->space->domain, req->space->recovery_token_expiry, live);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    *found = s == STORE_OK;
    return ACCOUNTS_CONTINUE;
}

int handle_recovery_phone_page(accounts_request *req)
{
    recovery_form f = { NULL, NULL, NULL, NULL };
    int found, live, rc;

    f.token = router_param(&req->match, "account_recovery_token");
    if ((rc = token_state(req, f.token, &found, &live)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!found) {
        return send_text_page(req, HTTP_NOT_FOUND, "This link is not valid, or was already used.");
    }
    if (!live) {
        return send_text_page(req, HTTP_GONE, "This link has expired.");
    }
    f.phone = query_param(req->r->pool, req->r->args, "phone");
    return send_request_form(req, HTTP_OK, 1, &f, NULL, NULL);
}

/* ---- GET /recovery/email (6.2) ------------------------------------------------ */

int handle_recovery_email_page(accounts_request *req)
{
    recovery_form f = { NULL, NULL, NULL, NULL };
    return send_request_form(req, HTTP_OK, 0, &f, NULL, NULL);
}

/* ---- POST /recovery (6.3) ----------------------------------------------------- */

static void add_error(apr_array_header_t *errors, const char *message)
{
    *(const char **)apr_array_push(errors) = message;
}

/* 6.3 step 1, in rule order (Laravel's presence: what 'required' accepts). */
static void check_request(accounts_request *req, json_object *params, apr_array_header_t *errors)
{
    int has_email = !fields_required_fails(params, "email");
    int has_phone = !fields_required_fails(params, "phone");
    const char *email = fields_string(params, "email"), *phone = fields_string(params, "phone");

    if (!has_email && !has_phone) {
        add_error(errors, "The email field is required when phone is not present.");
    }
    else if (has_email && (!email || !fields_email_valid(email))) {
        add_error(errors, "The email must be a valid email address.");
    }
    if (!has_phone && !has_email) {
        add_error(errors, "The phone field is required when email is not present.");
    }
    else if (has_phone && (!phone || phone[0] != '+')) {
        add_error(errors, "The phone must start with one of the following: +");
    }
    if (has_phone && fields_required_fails(params, TOKEN_FIELD)) {
        add_error(errors, "The account recovery token field is required when phone is present.");
    }
    if (has_email && req->space->email_unique != 1 && fields_required_fails(params, "username")) {
        add_error(errors, "The username field is required.");
    }
}

/* Delivers the code (6.3 step 6): NULL when sent, else why not. */
static const char *deliver(accounts_request *req, int by_phone, const recovery_sent *sent,
                           const char *code)
{
    request_rec *r = req->r;
    const accounts_space *own = req->space;
    mail_message m;

    if (by_phone) {
        return send_sms(req, own, sent->target,
                        codes_phone_sms_text(r->pool, own->name, code, own->recovery_code_expiry));
    }
    if (!sent->target || !fields_email_valid(sent->target)) {
        return "the account's stored email is not a valid address";
    }
    memset(&m, 0, sizeof(m));
    m.from_address = own->mail_from;
    m.from_name = own->mail_from_name;
    m.to = sent->target;
    m.subject = apr_pstrcat(r->pool, own->name, ": Your account recovery code", NULL);
    m.body = apr_pstrcat(r->pool,
                         codes_recovery_email_body(r->pool, own->name, code,
                                                   own->recovery_code_expiry),
                         email_sign_off(r->pool, own), NULL);
    m.message_id_domain = own->domain;
    return mail_send(r->pool, own->sendmail, mail_render(r->pool, &m));
}

int handle_recovery_send(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *space = req->space;
    json_object *params = handler_params(req);
    apr_array_header_t *errors = apr_array_make(r->pool, 4, sizeof(const char *));
    recovery_form f;
    recovery_send_args in;
    recovery_sent sent;
    const char *handle, *code, *why, *provisioning;
    int by_phone;

    f.email = fields_string(params, "email");
    f.username = fields_string(params, "username");
    f.phone = fields_string(params, "phone");
    f.token = fields_string(params, TOKEN_FIELD);
    /* When both are given, the email branch is used (6.3 step 1). */
    by_phone = fields_required_fails(params, "email") && !fields_required_fails(params, "phone");
    check_request(req, params, errors);
    if (errors->nelts) {
        return send_request_form(req, HTTP_UNPROCESSABLE_ENTITY, by_phone, &f, NULL, errors);
    }
    code = crypto_random_code(r->pool);
    handle = crypto_random_alnum(r->pool, RECOVERY_HANDLE_LENGTH);
    if (!code || !handle || !accounts_db(req)) {
        return accounts_send_unavailable(req);
    }
    memset(&in, 0, sizeof(in));
    in.domain = space->domain;
    /* A token that is no string finds nothing (403): hash a value no token has. */
    in.token_hash = by_phone ? crypto_secret_hash(r->pool, f.token ? f.token : "") : NULL;
    in.token_expiry = space->recovery_token_expiry;
    in.email = by_phone ? NULL : f.email;
    in.username = by_phone ? NULL : f.username;
    in.phone = by_phone ? f.phone : NULL;
    in.email_unique = space->email_unique == 1;
    in.blocking_events = space->blocking_events;
    in.blocking_period = space->blocking_period;
    in.code = code;
    in.handle_hash = crypto_secret_hash(r->pool, handle);
    in.ip = r->useragent_ip;
    in.user_agent = request_user_agent(r);
    if (store_recovery_send(req->db, &in, &sent) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    switch (sent.result) {
    case RECOVERY_BAD_TOKEN:
        return send_text_page(req, HTTP_FORBIDDEN, "Wrong Account Recovery Token");
    case RECOVERY_NO_ACCOUNT:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account recovery by %s in %s: no account",
                      by_phone ? "phone" : "email", space->domain);
        /* The form again (phone: the token is used up, so the email form). */
        f.token = NULL;
        return send_request_form(req, HTTP_OK, 0, &f,
                                 "<p class=\"notice\">A recovery code was sent if the account exists.</p>\n",
                                 NULL);
    case RECOVERY_RECENT:
        return send_text_page(req, HTTP_TOO_MANY_REQUESTS,
                              "Account recovered recently, try again later.");
    case RECOVERY_BLOCKED:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "account %s blocked: %ld codes or more in %ld minutes (AccountsBlockingEvents)",
                      sent.account_id, space->blocking_events, space->blocking_period);
        return send_text_page(req, HTTP_FORBIDDEN, "This account is blocked.");
    case RECOVERY_CREATED:
        break;
    }
    if ((why = deliver(req, by_phone, &sent, code)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "recovery code for account %s not sent by %s: %s",
                      sent.account_id, by_phone ? "SMS" : "email", why);
        if (store_recovery_undo(req->db, sent.code_id, sent.token_id) != STORE_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          "undelivered recovery code of account %s could not be deleted",
                          sent.account_id);
        }
        return send_unavailable_page(req);
    }
    /* FlexiAPI provisions the account on recovery (6.3 step 6): a new
     * current provisioning token. Minted once the code went out, so that an
     * undelivered code changes nothing of the account. */
    provisioning = crypto_random_alnum(r->pool, PROVISIONING_TOKEN_LENGTH);
    if (!provisioning
        || store_provisioning_token_new(req->db, sent.account_id, space->domain, provisioning,
                                        r->useragent_ip, request_user_agent(r)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "recovery code sent by %s for account %s",
                  by_phone ? "SMS" : "email", sent.account_id);
    return send_confirm_form(req, HTTP_OK, handle, CODES_MAX_ATTEMPTS, NULL);
}

/* ---- POST /recovery/confirm (6.4) --------------------------------------------- */

/* FlexiAPI's form: four one-digit fields number_1 .. number_4, read as
 * code when code is absent. */
static void code_from_digits(apr_pool_t *p, json_object *params)
{
    char code[5];

    if (fields_present(params, "code")) {
        return;
    }
    for (int i = 0; i < 4; i++) {
        const char *d = fields_string(params, apr_psprintf(p, "number_%d", i + 1));
        if (!d || strlen(d) != 1) {
            return;
        }
        code[i] = d[0];
    }
    code[4] = '\0';
    json_object_object_add(params, "code", json_object_new_string(code));
}

int handle_recovery_confirm(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *space = req->space;
    json_object *params = handler_params(req);
    apr_array_header_t *errors = apr_array_make(r->pool, 1, sizeof(const char *));
    validation *v = validation_create(r->pool);
    const char *handle, *code, *token, *url;
    recovery_confirmed c;
    int failed;

    code_from_digits(r->pool, params);
    handle = fields_string(params, "recovery");
    codes_check_code(r->pool, v, params, &code);
    if (validation_failed(v)) {
        add_error(errors, fields_required_fails(params, "code") ? "The code field is required."
                                                                : "The code must be 4 digits.");
        return send_confirm_form(req, HTTP_UNPROCESSABLE_ENTITY, handle, -1, errors);
    }
    if (!handle || strlen(handle) != RECOVERY_HANDLE_LENGTH) {
        return send_text_page(req, HTTP_NOT_FOUND, "This recovery is not valid.");
    }
    token = crypto_random_alnum(r->pool, RESET_PASSWORD_TOKEN_LENGTH);
    if (!token || !accounts_db(req) || store_begin(req->db) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    /* One transaction: the code is consumed only together with the reset
     * token it leads to (11). */
    failed = store_recovery_confirm(req->db, space->domain, crypto_secret_hash(r->pool, handle),
                                    code, space->recovery_code_expiry, &c) != STORE_OK;
    if (!failed && c.result == RECOVERY_CODE_DONE) {
        failed = store_reset_token_insert(req->db, c.account_id, crypto_secret_hash(r->pool, token),
                                          c.email, r->useragent_ip, request_user_agent(r))
                 != STORE_OK;
    }
    if (store_end(req->db, failed) != STORE_OK || failed) {
        return accounts_send_unavailable(req);
    }
    switch (c.result) {
    case RECOVERY_CODE_UNKNOWN:
        return send_text_page(req, HTTP_NOT_FOUND, "This recovery is not valid.");
    case RECOVERY_CODE_EXPIRED:
        return send_text_page(req, HTTP_GONE, "The code has expired. Please start the recovery again.");
    case RECOVERY_CODE_WRONG:
        /* Slow guessing shows in the log (1.2); the code never does. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "wrong recovery code for account %s from %s (attempt %d of %d)",
                      c.account_id, r->useragent_ip, c.attempts, CODES_MAX_ATTEMPTS);
        add_error(errors, "The code should be valid");
        return send_confirm_form(req, HTTP_OK, handle, CODES_MAX_ATTEMPTS - c.attempts, errors);
    case RECOVERY_CODE_DONE:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "account %s recovered: reset-password link given", c.account_id);
    url = apr_pstrcat(r->pool, space->public_url, req->base, "/password/reset/", token, NULL);
    apr_table_setn(r->headers_out, "Location", url);
    return send_page(req, HTTP_SEE_OTHER, TITLE, apr_pstrcat(r->pool,
        "<p>The code is right. <a href=\"", esc(req, url), "\">Choose a new password</a>.</p>\n",
        NULL));
}
