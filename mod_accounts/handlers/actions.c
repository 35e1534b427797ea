/* An account's actions, DTMF shortcuts (api-lifecycle.md 7.3):
 * /accounts/{id}/actions CRUD. Every route resolves the account in the
 * request Space (404), then requires its DTMF protocol (403), before any
 * validation. An action is {"id": N, "key": "open", "code": "12"}. */
#include "handlers.h"
#include "../fields.h"
#include "../json_writer.h"
#include "../validation.h"

#include <stdlib.h>

#include <http_log.h>

APLOG_USE_MODULE(accounts);

static void write_action(json_writer *w, store *db, apr_dbd_row_t *row)
{
    json_writer_object_begin(w);
    json_writer_key(w, "id");
    json_writer_int64(w, strtoll(store_column(db, row, ACTION_COL_ID), NULL, 10));
    json_writer_key(w, "key");
    json_writer_string(w, store_column(db, row, ACTION_COL_KEY));
    json_writer_key(w, "code");
    json_writer_string(w, store_column(db, row, ACTION_COL_CODE));
    json_writer_object_end(w);
}

static int send_action(accounts_request *req, int status, apr_dbd_row_t *row)
{
    json_writer *w = json_writer_create(req->r->pool, 128);

    write_action(w, req->db, row);
    return accounts_send_writer(req, status, w);
}

static int action_not_found(accounts_request *req)
{
    return accounts_send_message(req, HTTP_NOT_FOUND, "Account action not found");
}

/* The account id of the path once it is an account of the request Space
 * with a DTMF protocol; NULL once the refusal went out (*rc). */
static const char *action_owner(accounts_request *req, int *rc)
{
    const char *id = admin_path_id(req);
    int has_protocol = 0;
    store_status s = id ? store_action_owner(req->db, id, req->space->domain, &has_protocol)
                        : STORE_NOT_FOUND;

    if (s == STORE_ERROR) {
        *rc = accounts_send_unavailable(req);
        return NULL;
    }
    if (s == STORE_NOT_FOUND) {
        *rc = reply_account_not_found(req);
        return NULL;
    }
    if (!has_protocol) {
        *rc = accounts_send_message(req, HTTP_FORBIDDEN, "DTMF Protocol must be configured");
        return NULL;
    }
    return id;
}

/* key (alpha_dash) then code (alpha_num), both required, lowercase,
 * max:255; 0 once the 422 went out (*rc). */
static int valid_action(accounts_request *req, const char **key, const char **code, int *rc)
{
    validation *v = validation_create(req->r->pool);
    json_object *params = handler_params(req);

    fields_check_label(v, params, "key", 1, key);
    fields_check_label(v, params, "code", 0, code);
    if (validation_failed(v)) {
        *rc = accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
        return 0;
    }
    return 1;
}

int handle_actions_list(accounts_request *req)
{
    apr_pool_t *p = req->r->pool;
    json_writer *w;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    const char *account_id;
    int rc;

    if (!(account_id = action_owner(req, &rc))) {
        return rc;
    }
    if (store_actions_of(req->db, account_id, &res) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    w = json_writer_create(p, 256);
    json_writer_array_begin(w);
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        write_action(w, req->db, row);
    }
    json_writer_array_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}

int handle_action_show(accounts_request *req)
{
    const char *account_id, *action_id = path_bigint_param(req, "action_id");
    apr_dbd_row_t *row;
    store_status s;
    int rc;

    if (!(account_id = action_owner(req, &rc))) {
        return rc;
    }
    s = action_id ? store_action_of(req->db, action_id, account_id, &row) : STORE_NOT_FOUND;
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    return s == STORE_NOT_FOUND ? action_not_found(req) : send_action(req, HTTP_OK, row);
}

int handle_action_create(accounts_request *req)
{
    const char *account_id, *key, *code;
    apr_dbd_row_t *row;
    int rc;

    if (!(account_id = action_owner(req, &rc)) || !valid_action(req, &key, &code, &rc)) {
        return rc;
    }
    if (store_action_create(req->db, account_id, key, code, &row) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "action %s of account %s created by admin %s",
                  store_column(req->db, row, ACTION_COL_ID), account_id, req->caller->id);
    return send_action(req, HTTP_CREATED, row);
}

/* PUT and PATCH: both parameters required; unknown action after validation. */
int handle_action_update(accounts_request *req)
{
    const char *account_id, *key, *code, *action_id = path_bigint_param(req, "action_id");
    apr_dbd_row_t *row;
    store_status s;
    int rc;

    if (!(account_id = action_owner(req, &rc)) || !valid_action(req, &key, &code, &rc)) {
        return rc;
    }
    s = action_id ? store_action_update(req->db, action_id, account_id, key, code, &row)
                  : STORE_NOT_FOUND;
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    return s == STORE_NOT_FOUND ? action_not_found(req) : send_action(req, HTTP_OK, row);
}

int handle_action_delete(accounts_request *req)
{
    const char *account_id, *action_id = path_bigint_param(req, "action_id");
    int deleted = 0, rc;

    if (!(account_id = action_owner(req, &rc))) {
        return rc;
    }
    if (action_id && store_action_delete(req->db, action_id, account_id, &deleted) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (deleted) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "action %s of account %s deleted by admin %s",
                      action_id, account_id, req->caller->id);
    }
    return accounts_send_text(req, HTTP_OK, deleted ? "1" : "0");
}
