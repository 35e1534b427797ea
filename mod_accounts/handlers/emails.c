/* Admin emails: provisioning and reset password (api.md 5.20, 5.21, 6.6). */
#include "handlers.h"
#include "../crypto.h"
#include "../fields.h"
#include "../mail.h"
#include "../tokens.h"

#include <stdio.h>
#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* The request Space's account with the path's id, with an email; or an
 * answer (404, 403, 503) was sent. */
static int load_recipient(accounts_request *req, account *a, const accounts_space **own)
{
    const char *id = admin_path_id(req);
    apr_dbd_row_t *row = NULL;
    store_status s;

    if (!id) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
    }
    s = store_account_in_space(req->db, id, req->space->domain, &row);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
    }
    account_from_row(req->r->pool, req->db, row, a);
    if (!a->email) {
        return accounts_send_message(req, HTTP_FORBIDDEN, "No email configured");
    }
    /* The API only stores valid addresses, but the database is shared (an
     * address written by other means may carry CR/LF, or a second address
     * or a group in the To: header): no message goes to what is not one. */
    if (!fields_email_valid(a->email)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, req->r,
                      "account %s: its stored email is not a valid address, no email sent", a->id);
        return accounts_send_message(req, HTTP_FORBIDDEN, "No email configured");
    }
    *own = space_registry_find(req->registry, a->domain);
    if (!*own) {
        *own = req->space;
    }
    return ACCOUNTS_CONTINUE;
}

/* Sends the message; 200 empty, or 503 with an error log line. */
static int deliver(accounts_request *req, const accounts_space *own, const account *a,
                   const char *subject, const char *body, const char *what)
{
    request_rec *r = req->r;
    mail_message m;
    const char *error;

    memset(&m, 0, sizeof(m));
    m.from_address = own->mail_from;
    m.from_name = own->mail_from_name;
    m.to = a->email;
    m.subject = subject;
    m.body = body;
    m.message_id_domain = own->domain;
    error = mail_send(r->pool, own->sendmail, mail_render(r->pool, &m));
    if (error) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "%s email to account %s not sent: %s",
                      what, a->id, error);
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s email sent to account %s", what, a->id);
    return accounts_send_empty(req, HTTP_OK);
}

const char *email_sign_off(apr_pool_t *p, const accounts_space *own)
{
    return apr_pstrcat(p, "\nRegards,\nThe ", own->name, " team\n",
                       own->mail_signature ? own->mail_signature : "",
                       own->mail_signature ? "\n" : "", NULL);
}

int handle_send_provisioning_email(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *own;
    account a;
    const char *token, *url, *body;
    int rc = load_recipient(req, &a, &own);

    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    token = crypto_random_alnum(r->pool, PROVISIONING_TOKEN_LENGTH);
    if (!token || store_provisioning_token_new(req->db, a.id, a.domain, token, r->useragent_ip,
                                               request_user_agent(r)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    url = apr_pstrcat(r->pool, own->public_url, req->base, "/provisioning/", token, NULL);
    body = apr_pstrcat(r->pool,
        "Hello ", a.username, "@", a.domain, ",\n\n",
        "Your account has been created on ", own->name, ".\n\n",
        "To set it up in Linphone, open this link on your device, or enter it in the\n"
        "Linphone app (Assistant > Fetch remote configuration):\n\n",
        url, "\n\n",
        "Linphone can be downloaded from https://www.linphone.org/.\n",
        email_sign_off(r->pool, own), NULL);
    return deliver(req, own, &a,
                   apr_pstrcat(r->pool, "Welcome to ", own->name,
                               ": Start using your account today", NULL),
                   body, "provisioning");
}

/* "24", "1.5", "1.67": the hours of a minutes count, up to two decimals. */
static const char *hours_text(apr_pool_t *p, long minutes)
{
    char buf[32];
    size_t len;

    snprintf(buf, sizeof(buf), "%.2f", minutes / 60.0);
    len = strlen(buf);
    while (len > 0 && buf[len - 1] == '0') {
        buf[--len] = '\0';
    }
    if (len > 0 && buf[len - 1] == '.') {
        buf[--len] = '\0';
    }
    return apr_pstrdup(p, buf);
}

int handle_send_reset_password_email(accounts_request *req)
{
    request_rec *r = req->r;
    const accounts_space *own;
    account a;
    const char *token, *url, *body;
    int rc = load_recipient(req, &a, &own);

    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    token = crypto_random_alnum(r->pool, RESET_PASSWORD_TOKEN_LENGTH);
    if (!token || store_reset_token_insert(req->db, a.id, crypto_secret_hash(r->pool, token),
                                           a.email, r->useragent_ip,
                                           request_user_agent(r)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    url = apr_pstrcat(r->pool, own->public_url, req->base, "/password/reset/", token, NULL);
    body = apr_pstrcat(r->pool,
        "Hello ", a.username, "@", a.domain, ",\n\n",
        "A password reset was requested for your account on ", own->name, ".\n\n",
        "To choose a new password, open this link:\n\n",
        url, "\n\n",
        "This link expires in ", hours_text(r->pool, own->reset_password_expiry),
        own->reset_password_expiry == 60 ? " hour.\n" : " hours.\n",
        "If you did not ask for it, you can ignore this message.\n",
        email_sign_off(r->pool, own), NULL);
    return deliver(req, own, &a,
                   apr_pstrcat(r->pool, own->name, ": Reset your password", NULL),
                   body, "reset-password");
}
