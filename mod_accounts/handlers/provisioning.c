/* The Linphone remote-provisioning document routes (api.md 6.4). */
#include "handlers.h"
#include "../crypto.h"
#include "../provisioning.h"
#include "../tokens.h"

#include <string.h>

#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* Errors here are plain text, or {"message"} when the client asks JSON. */
static int refuse(accounts_request *req, int status, const char *text)
{
    const char *accept = apr_table_get(req->r->headers_in, "Accept");

    if (accept && ap_strcasestr(accept, "json")) {
        return accounts_send_message(req, status, text);
    }
    req->r->status = status;
    ap_set_content_type(req->r, "text/plain; charset=UTF-8");
    ap_set_content_length(req->r, strlen(text));
    ap_rputs(text, req->r);
    return OK;
}

/* The x-linphone-provisioning rule: ACCOUNTS_CONTINUE or answered 400. */
static int check_header(accounts_request *req)
{
    if (req->space->provisioning_header_required == 1
        && !apr_table_get(req->r->headers_in, "x-linphone-provisioning")) {
        return refuse(req, HTTP_BAD_REQUEST, "x-linphone-provisioning header is missing");
    }
    return ACCOUNTS_CONTINUE;
}

static int send_xml(accounts_request *req, const char *xml)
{
    req->r->status = HTTP_OK;
    if (apr_table_get(req->r->headers_in, "Origin")) {
        apr_table_setn(req->r->headers_out, "Access-Control-Allow-Origin", "*");
    }
    apr_table_setn(req->r->headers_out, "Cache-Control", "no-store");
    ap_set_content_type(req->r, "application/xml");
    ap_set_content_length(req->r, strlen(xml));
    ap_rputs(xml, req->r);
    return OK;
}

/* The document of the account with that id (NULL: no account part). */
static int send_document(accounts_request *req, const char *account_id)
{
    request_rec *r = req->r;
    provisioning_account pa;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    account a;
    store_status s;

    if (!account_id) {
        return send_xml(req, provisioning_document(r->pool, req->space, NULL));
    }
    s = store_account_by_id(req->db, account_id, &row);
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? refuse(req, HTTP_NOT_FOUND, "Not Found")
                                    : accounts_send_unavailable(req);
    }
    account_from_row(r->pool, req->db, row, &a);
    if (store_passwords_of(req->db, account_id, &res) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    memset(&pa, 0, sizeof(pa));
    pa.username = a.username;
    pa.domain = a.domain;
    pa.display_name = a.display_name;
    pa.space = space_registry_find(req->registry, a.domain);
    pa.passwords = apr_array_make(r->pool, 2, sizeof(provisioning_password));
    row = NULL;
    while (apr_dbd_get_row(req->db->driver, r->pool, res, &row, -1) == 0) {
        provisioning_password *pw = apr_array_push((apr_array_header_t *)pa.passwords);
        pw->algorithm = apr_pstrdup(r->pool, store_column(req->db, row, 0));
        pw->value = apr_pstrdup(r->pool, store_column(req->db, row, 1));
    }
    return send_xml(req, provisioning_document(r->pool, req->space, &pa));
}

/* "reset_password" among the query parameters, with any value. */
static int wants_reset_password(const char *query)
{
    for (const char *q = query; q && *q;) {
        size_t len = strcspn(q, "&");
        if (len >= 14 && strncmp(q, "reset_password", 14) == 0 && (len == 14 || q[14] == '=')) {
            return 1;
        }
        q += len + (q[len] == '&');
    }
    return 0;
}

/* GET /provisioning/{provisioning_token} */
int handle_provisioning_token(accounts_request *req)
{
    request_rec *r = req->r;
    const char *token = router_param(&req->match, "provisioning_token");
    const accounts_space *own;
    provisioning_token_info info;
    store_status s;
    int rc;

    if ((rc = check_header(req)) != ACCOUNTS_CONTINUE) {
        return rc;
    }
    if (!accounts_db(req)) {
        return accounts_send_unavailable(req);
    }
    s = store_provisioning_token_find(req->db, token, &info);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND || !info.current) {
        return refuse(req, HTTP_NOT_FOUND, "Not Found");
    }
    own = space_registry_find(req->registry, info.domain);
    if (own && own->provisioning_token_expiry > 0
        && info.age_seconds > own->provisioning_token_expiry * 60) {
        return refuse(req, HTTP_GONE, "Expired");
    }
    s = store_provisioning_token_consume(req->db, info.id);
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? refuse(req, HTTP_NOT_FOUND, "Not Found")
                                    : accounts_send_unavailable(req);
    }
    /* Anyone with admin read access sees provisioning tokens (api.md 10.2):
     * every use is logged. */
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "provisioning token of account %s used",
                  info.account_id);
    if (wants_reset_password(r->args)) {
        const accounts_space *alg_space = own ? own : req->space;
        const char *password = crypto_random_alnum(r->pool, RESET_PASSWORD_LENGTH);
        apr_dbd_row_t *row;
        const char *username;

        if (!password || store_account_by_id(req->db, info.account_id, &row) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
        username = apr_pstrdup(r->pool, store_column(req->db, row, ACCOUNT_COL_USERNAME));
        if (store_password_set(req->db, info.account_id, alg_space->password_algorithm,
                               account_password_hash(r->pool, alg_space->password_algorithm,
                                                     username,
                                                     own ? space_digest_realm(own) : info.domain,
                                                     password), 0, NULL) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "password of account %s reset through provisioning", info.account_id);
    }
    return send_document(req, info.account_id);
}

/* GET /provisioning/auth_token/{auth_token}: no header rule; the token is
 * single use and the provisioning token untouched. */
int handle_provisioning_auth_token(accounts_request *req)
{
    const char *token = router_param(&req->match, "auth_token");
    const char *account_id = NULL;
    store_status s;

    if (!accounts_db(req)) {
        return accounts_send_unavailable(req);
    }
    s = store_auth_token_take(req->db, crypto_secret_hash(req->r->pool, token),
                              req->space->auth_token_expiry, req->space->domain, &account_id);
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? refuse(req, HTTP_NOT_FOUND, "Not Found")
                                    : accounts_send_unavailable(req);
    }
    return send_document(req, account_id);
}

/* GET /provisioning/me */
int handle_provisioning_me(accounts_request *req)
{
    int rc = check_header(req);
    return rc != ACCOUNTS_CONTINUE ? rc : send_document(req, req->caller->id);
}

/* GET /provisioning: the Space's sections only. */
int handle_provisioning_space(accounts_request *req)
{
    int rc = check_header(req);
    return rc != ACCOUNTS_CONTINUE ? rc : send_document(req, NULL);
}
