/* The reset-password page emails link to (api.md 6.5): a small,
 * self-contained HTML form; the token in the URL is the only secret. */
#include "handlers.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json.h"
#include "../markup.h"

#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

#define MIN_PASSWORD 8

static int send_form(accounts_request *req, int status, const reset_token_info *t,
                     const char *token, const apr_array_header_t *errors)
{
    apr_pool_t *p = req->r->pool;
    const char *list = "";

    if (errors && errors->nelts) {
        list = "<ul class=\"errors\" role=\"alert\">\n";
        for (int i = 0; i < errors->nelts; i++) {
            list = apr_pstrcat(p, list, "<li>", markup_escape(p, APR_ARRAY_IDX(errors, i, const char *)),
                               "</li>\n", NULL);
        }
        list = apr_pstrcat(p, list, "</ul>\n", NULL);
    }
    return send_page(req, status, "Reset your password", apr_pstrcat(p,
        "<p>Choose a new password for <strong>", markup_escape(p, t->username), "@",
        markup_escape(p, t->domain), "</strong>.</p>\n", list,
        "<form method=\"POST\">\n"
        "<input type=\"hidden\" name=\"token\" value=\"", markup_escape(p, token), "\">\n"
        "<label for=\"password\">New password</label>\n"
        "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" "
        "minlength=\"8\" required>\n"
        "<label for=\"password_confirmation\">New password, again</label>\n"
        "<input id=\"password_confirmation\" name=\"password_confirmation\" type=\"password\" "
        "autocomplete=\"new-password\" minlength=\"8\" required>\n"
        "<button type=\"submit\">Change my password</button>\n</form>\n", NULL));
}

static int send_not_found(accounts_request *req)
{
    return send_page(req, HTTP_NOT_FOUND, "Link not found", "<p>This link is not valid.</p>\n");
}

/* The token of the path: *found, and whether it can still be used.
 * ACCOUNTS_CONTINUE, or OK once it answered 503. */
static int find_token(accounts_request *req, const char *token, reset_token_info *t,
                      const accounts_space **own, int *usable, int *found)
{
    store_status s;

    *found = 0;
    if (!accounts_db(req)) {
        return accounts_send_unavailable(req);
    }
    s = store_reset_token_find(req->db, crypto_secret_hash(req->r->pool, token), t);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return ACCOUNTS_CONTINUE;
    }
    *found = 1;
    *own = space_registry_find(req->registry, t->domain);
    if (!*own) {
        *own = req->space;
    }
    *usable = !t->used && t->age_seconds <= (*own)->reset_password_expiry * 60;
    return ACCOUNTS_CONTINUE;
}

int handle_reset_page_show(accounts_request *req)
{
    const char *token = router_param(&req->match, "token");
    const accounts_space *own;
    reset_token_info t;
    int usable, found, rc = find_token(req, token, &t, &own, &usable, &found);

    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!found) {
        return send_not_found(req);
    }
    if (!usable) {
        return send_page(req, HTTP_OK, "Reset your password",
                         "<p>This link is not available anymore.</p>\n");
    }
    return send_form(req, HTTP_OK, &t, token, NULL);
}

/* Laravel's required: present and not only whitespace. */
static int blank(const char *s)
{
    if (!s) {
        return 1;
    }
    for (; *s; s++) {
        if (!strchr(" \t\n\r\v", *s)) {
            return 0;
        }
    }
    return 1;
}

int handle_reset_page_submit(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = router_param(&req->match, "token");
    apr_array_header_t *errors = apr_array_make(r->pool, 2, sizeof(const char *));
    const char *password, *confirmation, *sent_token;
    const accounts_space *own;
    reset_token_info t;
    int usable, found, done = 0, rc;

    handler_params(req);
    password = fields_string(req->params, "password");
    confirmation = fields_string(req->params, "password_confirmation");
    sent_token = fields_string(req->params, "token");

    /* Validation comes first (api.md 6.5), then the token. */
    if (blank(password)) {
        *(const char **)apr_array_push(errors) = "The password field is required.";
    }
    else {
        if (fields_code_points(password) < MIN_PASSWORD) {
            *(const char **)apr_array_push(errors) = "The password must be at least 8 characters.";
        }
        if (!confirmation || strcmp(password, confirmation) != 0) {
            *(const char **)apr_array_push(errors) = "The password confirmation does not match.";
        }
    }
    if (fields_present(req->params, "token") && (!sent_token || strcmp(sent_token, token) != 0)) {
        *(const char **)apr_array_push(errors) = "The token must be 16 characters.";
    }
    rc = find_token(req, token, &t, &own, &usable, &found);
    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (errors->nelts) {
        /* An unknown token with invalid input is still a 422 (validation
         * first): the form, without an account to name. */
        reset_token_info unknown = { NULL, "?", "?", 0, 0 };
        return send_form(req, HTTP_UNPROCESSABLE_ENTITY, found ? &t : &unknown, token, errors);
    }
    if (!found) {
        return send_not_found(req);
    }
    if (!usable) {
        return send_page(req, HTTP_FORBIDDEN, "Reset your password",
                         "<p>This link is not available anymore.</p>\n");
    }
    if (store_reset_password(req->db, t.id, own->password_algorithm,
                             account_password_hash(r->pool, own->password_algorithm, t.username,
                                                   space_digest_realm(own), password),
                             &done) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (!done) {
        return send_page(req, HTTP_FORBIDDEN, "Reset your password",
                         "<p>This link is not available anymore.</p>\n");
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "password of %s@%s reset by email link",
                  t.username, t.domain);
    return send_page(req, HTTP_OK, "Password changed",
                     "<p>Your password was updated properly.</p>\n");
}
