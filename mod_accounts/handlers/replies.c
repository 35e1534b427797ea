/* Replies shared by several handlers. */
#include "handlers.h"
#include "../fields.h"
#include "../utf8.h"
#include "../json.h"
#include "../validation.h"

#include <string.h>

#include <http_protocol.h>

int send_account(accounts_request *req, int status, const account *a, account_view view,
                 int with_codes, const accounts_space *space)
{
    json_writer *w = json_writer_create(req->r->pool, ACCOUNT_JSON_SIZE_HINT);

    account_write_json(w, req->r->pool, a, view, with_codes, space);
    return accounts_send_writer(req, status, w);
}

int reply_account(accounts_request *req, int status, const char *id, account_view view,
                  int with_codes)
{
    request_rec *r = req->r;
    apr_dbd_row_t *row;
    account a;
    store_status s = store_account_by_id(req->db, id, &row);

    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
    }
    account_from_row(r->pool, req->db, row, &a);
    return send_account(req, status, &a, view, with_codes,
                        space_registry_find(req->registry, a.domain));
}

int reply_new_account(accounts_request *req, const store_new_account *n, const char *id,
                      const char *created_at)
{
    account a;

    account_from_new(req->r->pool, n, id, created_at, &a);
    return send_account(req, HTTP_OK, &a, ACCOUNT_VIEW_SELF, 0,
                        space_registry_find(req->registry, a.domain));
}

/* The User-Agent as stored (api.md 1.3): at most USER_AGENT_MAX characters
 * (the columns are varchar(255)), cut between characters, and UTF-8 that
 * PostgreSQL accepts: a byte that is not part of a well-formed character
 * (a Latin-1 header, say) is stored as '?'. */
#define USER_AGENT_MAX 255

const char *request_user_agent(request_rec *r)
{
    const char *ua = apr_table_get(r->headers_in, "User-Agent");
    size_t len, in = 0, out = 0;
    char *copy;

    if (!ua || !*ua) {
        return NULL;
    }
    len = strlen(ua);
    copy = apr_palloc(r->pool, (len < 4 * USER_AGENT_MAX ? len : 4 * USER_AGENT_MAX) + 1);
    for (int chars = 0; in < len && chars < USER_AGENT_MAX; chars++) {
        size_t n = utf8_char(ua + in, len - in);
        if (n == 0) {
            copy[out++] = '?';
            in++;
            continue;
        }
        memcpy(copy + out, ua + in, n);
        out += n;
        in += n;
    }
    copy[out] = '\0';
    return copy;
}

int reply_account_not_found(accounts_request *req)
{
    return accounts_send_message(req, HTTP_NOT_FOUND, "Account not found");
}

const char *admin_path_id(accounts_request *req)
{
    return path_bigint_param(req, "id");
}

const char *path_bigint_param(accounts_request *req, const char *name)
{
    const char *id = router_param(&req->match, name);
    size_t len = strlen(id);

    while (len > 1 && *id == '0') {
        id++;
        len--;
    }
    if (len > 19 || (len == 19 && strcmp(id, "9223372036854775807") > 0)) {
        return NULL;
    }
    return id;
}

int reply_username_taken(accounts_request *req)
{
    validation *v = validation_create(req->r->pool);

    validation_add(v, "username", "The username has already been taken.");
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

int reply_contact_taken(accounts_request *req, const char *field)
{
    validation *v = validation_create(req->r->pool);
    field_lookups taken = { 0 };

    /* The rule's own code, told what the database found: the message is
     * the one validation gives for a taken value (the other rules passed
     * already). */
    if (strcmp(field, "email") == 0) {
        taken.email_taken = 1;
        fields_check_email(v, req->params, req->space, &taken);
    }
    else {
        taken.phone_taken = 1;
        fields_check_phone(v, req->params, req->space, &taken);
    }
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

json_object *handler_params(accounts_request *req)
{
    if (!req->params) {
        req->params = json_pool_object(req->r->pool);
    }
    fields_normalize(req->params);
    return req->params;
}
