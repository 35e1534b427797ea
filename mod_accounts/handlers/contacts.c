/* Contacts (api-lifecycle.md 7.4): one-way relations from an account to
 * other accounts of its Space. Admins manage an account of the request
 * Space (super admins too: the vhost's Space) and only ever see the
 * contacts that are in that Space; the account lookup comes first (404
 * Account not found), then the contact's (404 Contact not found). Users
 * read their own contacts, whatever the vhost, in the reduced Contact
 * variant (no tokens, codes, passwords, email or phone). */
#include "handlers.h"
#include "../json_writer.h"
#include "../utf8.h"

#include <string.h>

#include <http_log.h>

APLOG_USE_MODULE(accounts);

static int contact_not_found(accounts_request *req)
{
    return accounts_send_message(req, HTTP_NOT_FOUND, "Contact not found");
}

/* The answer for a contact_id too large for an id: no account has it, so
 * after the account lookup it is "not a contact". */
static int unknown_contact(accounts_request *req, const char *id)
{
    apr_dbd_row_t *row = NULL;
    store_status s = store_account_in_space(req->db, id, req->space->domain, &row);

    if (s == STORE_OK) {
        return contact_not_found(req);
    }
    return s == STORE_NOT_FOUND ? reply_account_not_found(req) : accounts_send_unavailable(req);
}

/* Admin variant (as the items of GET /accounts: change codes without
 * their code), with the contact's own Space for its realm. */
static void write_admin_contact(accounts_request *req, json_writer *w, apr_dbd_row_t *row)
{
    account a;

    account_from_row(req->r->pool, req->db, row, &a);
    account_write_json(w, req->r->pool, &a, ACCOUNT_VIEW_ADMIN, 0,
                       space_registry_find(req->registry, a.domain));
}

/* ---- admin ------------------------------------------------------------------------ */

int handle_admin_contacts_list(accounts_request *req)
{
    const char *id = admin_path_id(req);
    apr_pool_t *p = req->r->pool;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    json_writer *w;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    s = store_contacts_of(req->db, id, req->space->domain, &res);
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? reply_account_not_found(req) : accounts_send_unavailable(req);
    }
    w = json_writer_create(p, ACCOUNT_JSON_SIZE_HINT);
    json_writer_array_begin(w);
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        /* The row of NULLs of an account without contacts. */
        if (store_column(req->db, row, ACCOUNT_COL_ID)) {
            write_admin_contact(req, w, row);
        }
    }
    json_writer_array_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}

int handle_admin_contact_show(accounts_request *req)
{
    const char *id = admin_path_id(req);
    const char *contact_id = path_bigint_param(req, "contact_id");
    apr_dbd_row_t *row = NULL;
    json_writer *w;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (!contact_id) {
        return unknown_contact(req, id);
    }
    s = store_contact_of(req->db, id, req->space->domain, contact_id, &row);
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? reply_account_not_found(req) : accounts_send_unavailable(req);
    }
    if (!store_column(req->db, row, ACCOUNT_COL_ID)) {
        return contact_not_found(req);
    }
    w = json_writer_create(req->r->pool, ACCOUNT_JSON_SIZE_HINT);
    write_admin_contact(req, w, row);
    return accounts_send_writer(req, HTTP_OK, w);
}

/* POST: 200 with an empty body, whether the relation is new or was there
 * (FlexiAPI detaches, then attaches). */
int handle_admin_contact_add(accounts_request *req)
{
    const char *id = admin_path_id(req);
    const char *contact_id = path_bigint_param(req, "contact_id");
    contact_change result;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (!contact_id) {
        return unknown_contact(req, id);
    }
    if (store_contact_add(req->db, id, req->space->domain, contact_id, &result) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (result == CONTACT_NO_ACCOUNT) {
        return reply_account_not_found(req);
    }
    if (result == CONTACT_NO_CONTACT) {
        return contact_not_found(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "contact %s added to account %s by admin %s",
                  contact_id, id, req->caller->id);
    return accounts_send_empty(req, HTTP_OK);
}

/* DELETE: 200 with the body 1 (FlexiAPI's detach count); 404 when it was
 * not a contact. */
int handle_admin_contact_remove(accounts_request *req)
{
    const char *id = admin_path_id(req);
    const char *contact_id = path_bigint_param(req, "contact_id");
    contact_change result;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (!contact_id) {
        return unknown_contact(req, id);
    }
    if (store_contact_remove(req->db, id, req->space->domain, contact_id, &result) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (result == CONTACT_NO_ACCOUNT) {
        return reply_account_not_found(req);
    }
    if (result == CONTACT_NO_CONTACT) {
        return contact_not_found(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r,
                  "contact %s removed from account %s by admin %s", contact_id, id, req->caller->id);
    return accounts_send_text(req, HTTP_OK, "1");
}

/* ---- the caller's own ---------------------------------------------------------------- */

static void write_contact(accounts_request *req, json_writer *w, apr_dbd_row_t *row)
{
    account a;

    account_from_row(req->r->pool, req->db, row, &a);
    account_write_contact_json(w, req->r->pool, &a);
}

int handle_me_contacts_list(accounts_request *req)
{
    apr_pool_t *p = req->r->pool;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    json_writer *w;

    if (store_my_contacts(req->db, req->caller->id, &res) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    w = json_writer_create(p, 512);
    json_writer_array_begin(w);
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        write_contact(req, w, row);
    }
    json_writer_array_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}

/* {sip} = username@domain, split at the first '@' (no scheme). */
int handle_me_contact_show(accounts_request *req)
{
    const char *sip = router_param(&req->match, "sip");
    const char *at = strchr(sip, '@');
    apr_dbd_row_t *row = NULL;
    json_writer *w;
    store_status s;

    /* Without '@' it names no account; bytes that are not UTF-8 name none
     * either, and must not reach the database (which would refuse the
     * statement: a 503). */
    if (!at || !utf8_valid(sip, strlen(sip))) {
        return contact_not_found(req);
    }
    s = store_my_contact_by_sip(req->db, req->caller->id,
                                apr_pstrndup(req->r->pool, sip, (apr_size_t)(at - sip)), at + 1,
                                &row);
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? contact_not_found(req) : accounts_send_unavailable(req);
    }
    w = json_writer_create(req->r->pool, 512);
    write_contact(req, w, row);
    return accounts_send_writer(req, HTTP_OK, w);
}
