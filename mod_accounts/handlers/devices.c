/* Devices of an account, from Kamailio's registrar table named by the
 * request Space's AccountsRegistrarTable (api-lifecycle.md 8): the user's
 * own (GET/DELETE /accounts/me/devices...) and an admin's view of an account
 * of the request Space (GET/DELETE /accounts/{id}/devices...). */
#include "handlers.h"
#include "../device.h"
#include "../json_writer.h"

#include <stdlib.h>

#include <http_log.h>

APLOG_USE_MODULE(accounts);

/* The FlexiAPI shape (8.1): an object keyed by uuid, {} when empty. Rows
 * come newest first; a row without a uuid is the "no device" row of an
 * account lookup. */
static int send_devices(accounts_request *req, apr_dbd_results_t *res)
{
    apr_pool_t *p = req->r->pool;
    json_writer *w = json_writer_create(p, 512);
    apr_dbd_row_t *row = NULL;

    json_writer_object_begin(w);
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        const char *uuid = store_column(req->db, row, DEVICE_COL_UUID);
        const char *updated_at = store_column(req->db, row, DEVICE_COL_UPDATED_AT);
        const char *user_agent = store_column(req->db, row, DEVICE_COL_USER_AGENT);
        device_user_agent parts;

        if (!uuid) {
            continue;
        }
        parts = device_user_agent_parse(p, user_agent);
        json_writer_key(w, uuid);
        json_writer_object_begin(w);
        json_writer_key(w, "uuid");
        json_writer_string(w, uuid);
        json_writer_key(w, "update_time");
        if (updated_at) {
            json_writer_timestamp(w, atoll(updated_at));
        }
        else {
            json_writer_null(w);
        }
        json_writer_key(w, "user_agent");
        json_writer_string(w, user_agent ? user_agent : "");
        json_writer_key(w, "app");
        json_writer_string(w, parts.app);
        json_writer_key(w, "version");
        json_writer_string(w, parts.version);
        json_writer_key(w, "device_name");
        json_writer_string(w, parts.device_name);
        json_writer_object_end(w);
    }
    json_writer_object_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}

/* FlexiAPI answers true/false, which Laravel renders as "1" or nothing. */
static int send_deleted(accounts_request *req, long long deleted)
{
    return deleted > 0 ? accounts_send_text(req, HTTP_OK, "1") : accounts_send_empty(req, HTTP_OK);
}

int handle_me_devices_list(accounts_request *req)
{
    const char *table = req->space->registrar_table;
    apr_dbd_results_t *res = NULL;

    if (!table) {
        return accounts_send_json_text(req, HTTP_OK, "{}", 2);
    }
    if (store_devices_of(req->db, table, req->caller->username, req->caller->domain, &res)
        != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    return send_devices(req, res);
}

int handle_me_device_delete(accounts_request *req)
{
    const char *table = req->space->registrar_table;
    long long deleted = 0;

    if (!table) {
        return accounts_send_empty(req, HTTP_OK);
    }
    if (store_device_delete(req->db, table, req->caller->username, req->caller->domain,
                            router_param(&req->match, "uuid"), &deleted) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (deleted > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "device of account %s deleted by itself",
                      req->caller->id);
    }
    return send_deleted(req, deleted);
}

/* The admin routes look the account up in the request Space first (404),
 * whether or not a registrar table is configured. */
int handle_admin_devices_list(accounts_request *req)
{
    const char *table = req->space->registrar_table;
    const char *id = admin_path_id(req);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (!table) {
        s = store_account_in_space(req->db, id, req->space->domain, &row);
        if (s == STORE_OK) {
            return accounts_send_json_text(req, HTTP_OK, "{}", 2);
        }
    }
    else {
        s = store_devices_of_account(req->db, table, id, req->space->domain, &res);
        if (s == STORE_OK) {
            return send_devices(req, res);
        }
    }
    return s == STORE_NOT_FOUND ? reply_account_not_found(req) : accounts_send_unavailable(req);
}

int handle_admin_device_delete(accounts_request *req)
{
    const char *table = req->space->registrar_table;
    const char *id = admin_path_id(req);
    long long deleted = 0;
    apr_dbd_row_t *row = NULL;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (!table) {
        s = store_account_in_space(req->db, id, req->space->domain, &row);
    }
    else {
        s = store_device_delete_of_account(req->db, table, id, req->space->domain,
                                           router_param(&req->match, "uuid"), &deleted);
    }
    if (s != STORE_OK) {
        return s == STORE_NOT_FOUND ? reply_account_not_found(req) : accounts_send_unavailable(req);
    }
    if (deleted > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "device of account %s deleted by admin %s",
                      id, req->caller->id);
    }
    return send_deleted(req, deleted);
}
