/* Account types of the request Space (api-lifecycle.md 7.2): /account_types
 * CRUD and POST/DELETE /accounts/{id}/types/{type_id}. A type is
 * {"id": N, "key": "door"}; another Space's type id is an unknown one, so
 * an admin never reads, changes or attaches a type it does not own (super
 * admins act on the vhost's Space, as on /accounts). */
#include "handlers.h"
#include "../fields.h"
#include "../json_writer.h"
#include "../validation.h"

#include <stdlib.h>

#include <http_log.h>

APLOG_USE_MODULE(accounts);

static void write_type(json_writer *w, store *db, apr_dbd_row_t *row)
{
    json_writer_object_begin(w);
    json_writer_key(w, "id");
    json_writer_int64(w, strtoll(store_column(db, row, TYPE_COL_ID), NULL, 10));
    json_writer_key(w, "key");
    json_writer_string(w, store_column(db, row, TYPE_COL_KEY));
    json_writer_object_end(w);
}

static int send_type(accounts_request *req, int status, apr_dbd_row_t *row)
{
    json_writer *w = json_writer_create(req->r->pool, 128);

    write_type(w, req->db, row);
    return accounts_send_writer(req, status, w);
}

static int type_not_found(accounts_request *req)
{
    return accounts_send_message(req, HTTP_NOT_FOUND, "Account type not found");
}

static int key_taken(accounts_request *req)
{
    validation *v = validation_create(req->r->pool);

    validation_fail(v, "key", "The <attr> has already been taken.");
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

/* The key parameter after its rules (required, alpha_dash, lowercase,
 * max:255), or NULL once the 422 went out (*rc). */
static const char *valid_key(accounts_request *req, int *rc)
{
    validation *v = validation_create(req->r->pool);
    const char *key;

    fields_check_label(v, handler_params(req), "key", 1, &key);
    if (validation_failed(v)) {
        *rc = accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
        return NULL;
    }
    return key;
}

int handle_types_list(accounts_request *req)
{
    apr_pool_t *p = req->r->pool;
    json_writer *w = json_writer_create(p, 256);
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;

    if (store_types_of_space(req->db, req->space->domain, &res) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    json_writer_array_begin(w);
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        write_type(w, req->db, row);
    }
    json_writer_array_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}

int handle_type_show(accounts_request *req)
{
    const char *id = path_bigint_param(req, "type_id");
    apr_dbd_row_t *row;
    store_status s;

    if (!id) {
        return type_not_found(req);
    }
    s = store_type_in_space(req->db, id, req->space->domain, &row);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    return s == STORE_NOT_FOUND ? type_not_found(req) : send_type(req, HTTP_OK, row);
}

int handle_type_create(accounts_request *req)
{
    apr_dbd_row_t *row;
    const char *key;
    store_status s;
    int rc;

    if (!(key = valid_key(req, &rc))) {
        return rc;
    }
    s = store_type_create(req->db, req->space->domain, key, &row);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return key_taken(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "account type %s created in %s by admin %s",
                  store_column(req->db, row, TYPE_COL_ID), req->space->domain, req->caller->id);
    return send_type(req, HTTP_CREATED, row);
}

/* PUT and PATCH: validation (uniqueness included) before the lookup. */
int handle_type_update(accounts_request *req)
{
    const char *id = path_bigint_param(req, "type_id");
    type_rename_result result;
    apr_dbd_row_t *row;
    const char *key;
    int rc;

    if (!(key = valid_key(req, &rc))) {
        return rc;
    }
    if (!id) {
        return type_not_found(req);
    }
    if (store_type_rename(req->db, id, req->space->domain, key, &result) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (result == TYPE_RENAME_TAKEN) {
        return key_taken(req);
    }
    if (result == TYPE_RENAME_NOT_FOUND) {
        return type_not_found(req);
    }
    if (store_type_in_space(req->db, id, req->space->domain, &row) != STORE_OK) {
        /* Deleted between the rename and this read: as if it came first. */
        return type_not_found(req);
    }
    return send_type(req, HTTP_OK, row);
}

int handle_type_delete(accounts_request *req)
{
    const char *id = path_bigint_param(req, "type_id");
    int deleted = 0;

    if (id && store_type_delete(req->db, id, req->space->domain, &deleted) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (deleted) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "account type %s deleted by admin %s", id,
                      req->caller->id);
    }
    return accounts_send_text(req, HTTP_OK, deleted ? "1" : "0");
}

/* Attach and detach: the account first (404), then the link (403), then
 * the type (404), all in one statement (store_type_attach). */
static int link_answer(accounts_request *req, type_link_result result, int attaching)
{
    switch (result) {
    case TYPE_LINK_NO_ACCOUNT:
        return reply_account_not_found(req);
    case TYPE_LINK_ALREADY:
        return accounts_send_message(req, HTTP_FORBIDDEN, "Type already attached");
    case TYPE_LINK_NOT_ATTACHED:
        return accounts_send_message(req, HTTP_FORBIDDEN, "Type not attached");
    case TYPE_LINK_NO_TYPE:
        return type_not_found(req);
    case TYPE_LINK_DONE:
        break;
    }
    return attaching ? accounts_send_empty(req, HTTP_OK) : accounts_send_text(req, HTTP_OK, "1");
}

static int change_link(accounts_request *req, int attaching)
{
    const char *account_id = admin_path_id(req);
    const char *type_id = path_bigint_param(req, "type_id");
    type_link_result result;
    store_status s;

    if (!account_id) {
        return link_answer(req, TYPE_LINK_NO_ACCOUNT, attaching);
    }
    if (!type_id) {
        /* No type has an id that large: the account decides (404 first). */
        type_id = "0";
    }
    s = attaching ? store_type_attach(req->db, account_id, req->space->domain, type_id, &result)
                  : store_type_detach(req->db, account_id, req->space->domain, type_id, &result);
    if (s != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return link_answer(req, result, attaching);
}

int handle_account_type_attach(accounts_request *req)
{
    return change_link(req, 1);
}

int handle_account_type_detach(accounts_request *req)
{
    return change_link(req, 0);
}
