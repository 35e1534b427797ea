/* An account's dictionary, entry by entry (api-lifecycle.md 7.1): the
 * entries the Account object shows as "dictionary". Level Admin; {id} is an
 * account of the request Space (super admins too: the vhost's Space), and
 * its lookup comes first (404), before any check of {key} or of the body.
 * Nothing is written unless every check passed. */
#include "handlers.h"
#include "../fields.h"
#include "../json_writer.h"
#include "../utf8.h"
#include "../validation.h"

#include <string.h>

#include <http_log.h>

APLOG_USE_MODULE(accounts);

static int entry_not_found(accounts_request *req)
{
    return accounts_send_message(req, HTTP_NOT_FOUND, "Dictionary entry not found");
}

static int store_failed(accounts_request *req, store_status s)
{
    return s == STORE_NOT_FOUND ? reply_account_not_found(req) : accounts_send_unavailable(req);
}

/* A count as FlexiAPI's PHP integer reaches the client: bare text. */
static int send_count(accounts_request *req, long long n)
{
    return accounts_send_text(req, HTTP_OK, apr_psprintf(req->r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)n));
}

/* {"value": "..."} */
static int send_value(accounts_request *req, int status, const char *value)
{
    json_writer *w = json_writer_create(req->r->pool, 64 + strlen(value));

    json_writer_object_begin(w);
    json_writer_key(w, "value");
    json_writer_string(w, value);
    json_writer_object_end(w);
    return accounts_send_writer(req, status, w);
}

/* The account exists in the request Space: OK (the caller goes on), or
 * what was answered (404, 503). */
static int account_exists(accounts_request *req, const char *id)
{
    apr_dbd_row_t *row = NULL;
    store_status s = store_account_in_space(req->db, id, req->space->domain, &row);

    return s == STORE_OK ? ACCOUNTS_CONTINUE : store_failed(req, s);
}

/* The 422 of the {key} rule, after the account lookup (404 first). */
static int key_refused(accounts_request *req, const char *id, validation *v)
{
    int rc = account_exists(req, id);

    if (rc != ACCOUNTS_CONTINUE) {
        return rc;
    }
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

/* {key} as decoded by the router. A key that is not UTF-8 (e.g. %FF) can
 * name no entry (PostgreSQL stores none), and must not reach the database,
 * which would refuse the statement (a 503). */
static const char *path_key(accounts_request *req, int *storable)
{
    const char *key = router_param(&req->match, "key");

    *storable = utf8_valid(key, strlen(key));
    return key;
}

/* ---- GET / DELETE /accounts/{id}/dictionary ------------------------------------ */

int handle_dictionary_list(accounts_request *req)
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
    s = store_dictionary_of(req->db, id, req->space->domain, &res);
    if (s != STORE_OK) {
        return store_failed(req, s);
    }
    /* An object in insertion order, {} when empty (as in the Account). */
    w = json_writer_create(p, 256);
    json_writer_object_begin(w);
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        const char *key = store_column(req->db, row, 0);
        if (key) {
            json_writer_key(w, key);
            json_writer_string(w, store_column(req->db, row, 1));
        }
    }
    json_writer_object_end(w);
    return accounts_send_writer(req, HTTP_OK, w);
}

int handle_dictionary_clear(accounts_request *req)
{
    const char *id = admin_path_id(req);
    long long deleted = 0;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    s = store_dictionary_clear(req->db, id, req->space->domain, &deleted);
    if (s != STORE_OK) {
        return store_failed(req, s);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r,
                  "dictionary of account %s cleared by admin %s (%" APR_INT64_T_FMT " entries)",
                  id, req->caller->id, (apr_int64_t)deleted);
    return send_count(req, deleted);
}

/* ---- GET / POST / DELETE /accounts/{id}/dictionary/{key} ----------------------- */

int handle_dictionary_show(accounts_request *req)
{
    const char *id = admin_path_id(req);
    validation *v = validation_create(req->r->pool);
    const char *key, *value = NULL;
    int storable;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    key = path_key(req, &storable);
    fields_check_dictionary_key(v, key);
    if (validation_failed(v)) {
        return key_refused(req, id, v);
    }
    if (!storable) {
        int rc = account_exists(req, id);
        return rc == ACCOUNTS_CONTINUE ? entry_not_found(req) : rc;
    }
    s = store_dictionary_entry(req->db, id, req->space->domain, key, &value);
    if (s != STORE_OK) {
        return store_failed(req, s);
    }
    return value ? send_value(req, HTTP_OK, value) : entry_not_found(req);
}

int handle_dictionary_set(accounts_request *req)
{
    const char *id = admin_path_id(req);
    json_object *params = handler_params(req);
    validation *v = validation_create(req->r->pool);
    const char *key, *value;
    int storable;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    /* Rule order: the key (the path), then the value. */
    key = path_key(req, &storable);
    fields_check_dictionary_key(v, key);
    if (!storable) {
        validation_fail(v, "key", RULE_STRING);
    }
    fields_check_dictionary_value(v, params);
    if (validation_failed(v)) {
        return key_refused(req, id, v);
    }
    value = fields_string(params, "value");
    s = store_dictionary_set(req->db, id, req->space->domain, key, value);
    if (s != STORE_OK) {
        return store_failed(req, s);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r,
                  "dictionary entry of account %s set by admin %s", id, req->caller->id);
    return send_value(req, HTTP_CREATED, value);
}

int handle_dictionary_delete(accounts_request *req)
{
    const char *id = admin_path_id(req);
    validation *v = validation_create(req->r->pool);
    long long deleted = 0;
    const char *key;
    int storable;
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    key = path_key(req, &storable);
    fields_check_dictionary_key(v, key);
    if (validation_failed(v)) {
        return key_refused(req, id, v);
    }
    if (!storable) {
        int rc = account_exists(req, id);
        return rc == ACCOUNTS_CONTINUE ? send_count(req, 0) : rc;
    }
    s = store_dictionary_delete(req->db, id, req->space->domain, key, &deleted);
    if (s != STORE_OK) {
        return store_failed(req, s);
    }
    if (deleted > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r,
                      "dictionary entry of account %s deleted by admin %s", id, req->caller->id);
    }
    return send_count(req, deleted);
}
