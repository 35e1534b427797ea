/* Admin account management (api.md 5.10 to 5.19). Every route sees the
 * request Space's accounts only, except the super admin's domain on
 * creation and PUT (api.md 2.4). */
#include "handlers.h"
#include "../auth.h"
#include "../crypto.h"
#include "../fields.h"
#include "../json.h"
#include "../pagination.h"
#include "../tokens.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>

APLOG_USE_MODULE(accounts);

/* ---- shared pieces ------------------------------------------------------- */

static int unauthorized_action(accounts_request *req)
{
    return accounts_send_message(req, HTTP_FORBIDDEN, "This action is unauthorized.");
}

static int unprocessable(accounts_request *req, validation *v)
{
    return accounts_send_json(req, HTTP_UNPROCESSABLE_ENTITY, validation_to_json(v));
}

static int is_super(const accounts_request *req)
{
    return accounts_is_super_admin(req->caller, req->caller_space);
}

/* The dictionary parameter as JSON object text for the database, or NULL
 * when absent ([] clears: "{}"). Call after validation. */
static const char *dictionary_text(apr_pool_t *p, json_object *params)
{
    json_object *d = NULL;

    if (!json_object_object_get_ex(params, "dictionary", &d) || !d) {
        return NULL;
    }
    if (json_object_is_type(d, json_type_array)) {
        return "{}";
    }
    return json_pool_serialize(p, d);
}

/* The User-Agent stored by admin writes: the request's, else a Space name. */
static const char *admin_user_agent(request_rec *r, const char *space_name)
{
    const char *ua = request_user_agent(r);
    return ua ? ua : space_name;
}

/* ---- POST /accounts (5.10) ---------------------------------------------------- */

int handle_admin_create(accounts_request *req)
{
    request_rec *r = req->r;
    json_object *params;
    const accounts_space *target = req->space;
    field_lookups found = { 0 };
    store_new_account a;
    create_result result;
    validation *v;
    const char *username, *algorithm, *id, *created_at;
    long count;

    params = handler_params(req);
    /* The target Space comes first: a super admin's unknown domain or a
     * full Space is a 403 before any validation (5.10 outcome 2). */
    if (is_super(req) && fields_present(params, "domain")) {
        const char *domain = fields_string(params, "domain");
        target = domain ? space_registry_find(req->registry, domain) : NULL;
        if (!target) {
            return unauthorized_action(req);
        }
    }
    if (target->max_accounts > 0) {
        if (store_space_count(req->db, target->domain, &count) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
        if (count >= target->max_accounts) {
            return unauthorized_action(req);
        }
    }
    username = fields_string(params, "username");
    if (store_field_lookups(req->db, target->domain, NULL, username, fields_string(params, "email"),
                            fields_string(params, "phone"), &found) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    /* Rules read the request Space's settings, uniqueness the target's. */
    v = validation_create(r->pool);
    fields_check_username(v, params, req->space, 1, &found);
    fields_check_domain(v, params, req->registry);
    fields_check_dictionary(v, params);
    fields_check_password(v, params, 6);
    fields_check_email(v, params, req->space, &found);
    fields_check_dtmf_protocol(v, params);
    fields_check_phone(v, params, req->space, &found);
    fields_check_algorithm(v, params);
    fields_check_boolean(v, params, "admin");
    fields_check_boolean(v, params, "activated");
    fields_check_display_name(v, params);
    if (validation_failed(v)) {
        return unprocessable(req, v);
    }

    algorithm = fields_string(params, "algorithm");
    memset(&a, 0, sizeof(a));
    a.domain = target->domain;
    a.username = username;
    a.max_accounts = target->max_accounts;
    a.email = fields_string(params, "email");
    a.display_name = fields_string(params, "display_name");
    a.phone = fields_string(params, "phone");
    a.dtmf_protocol = fields_string(params, "dtmf_protocol");
    a.activated = fields_true(params, "activated");
    a.admin = fields_true(params, "admin");
    a.ip_address = r->useragent_ip;
    a.user_agent = admin_user_agent(r, req->space->name);
    a.algorithm = algorithm;
    a.password_hash = account_password_hash(r->pool, algorithm, username,
                                            space_digest_realm(target),
                                            fields_string(params, "password"));
    a.dictionary_json = dictionary_text(r->pool, params);
    a.provisioning_token = crypto_random_alnum(r->pool, PROVISIONING_TOKEN_LENGTH);
    a.request_ip = r->useragent_ip;
    a.request_user_agent = request_user_agent(r);
    /* The database holds the uniqueness validation checked (sql/0008):
     * the request Space's rule, as fields_check_email reads it. */
    a.email_unique = req->space->email_unique == 1;
    if (!a.provisioning_token
        || store_account_create(req->db, &a, &result, &id, &created_at) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    switch (result) {
    case CREATE_FULL:
        return unauthorized_action(req);
    case CREATE_TOKEN_REFUSED:     /* no token here: cannot happen */
    case CREATE_USERNAME_TAKEN:
        return reply_username_taken(req);
    case CREATE_EMAIL_TAKEN:
        return reply_contact_taken(req, "email");
    case CREATE_PHONE_TAKEN:
        return reply_contact_taken(req, "phone");
    case CREATE_OK:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account %s created in %s by admin %s",
                  id, target->domain, req->caller->id);
    return reply_new_account(req, &a, id, created_at);
}

/* ---- PUT /accounts/{id} (5.11) ------------------------------------------------ */

/* -1 when absent, else the applied boolean. */
static int optional_flag(json_object *params, const char *field)
{
    return fields_present(params, field) ? fields_true(params, field) : -1;
}

int handle_admin_update(accounts_request *req)
{
    request_rec *r = req->r;
    const char *id = admin_path_id(req);
    json_object *params;
    const accounts_space *target_space;
    const char *old_username = NULL, *old_domain = NULL, *target, *username, *algorithm;
    field_lookups found = { 0 };
    store_account_update_t u;
    update_result result;
    validation *v;
    store_status s;
    int super = is_super(req);

    params = handler_params(req);
    if (id) {
        s = store_account_head(req->db, id, &old_username, &old_domain);
        if (s == STORE_ERROR) {
            return accounts_send_unavailable(req);
        }
        if (s == STORE_NOT_FOUND || (!super && strcmp(old_domain, req->space->domain) != 0)) {
            old_username = old_domain = NULL;   /* will be a 404 after validation */
        }
    }
    /* The domain the account will have (4.7): a super admin's domain, else
     * its current domain for a super admin, else the request Space's. */
    if (super && fields_present(params, "domain") && fields_string(params, "domain")) {
        target = apr_pstrdup(r->pool, fields_string(params, "domain"));
        for (char *c = (char *)target; *c; c++) {
            *c = (char)tolower((unsigned char)*c);
        }
    }
    else {
        target = super && old_domain ? old_domain : req->space->domain;
    }
    username = fields_string(params, "username");
    if (store_field_lookups(req->db, target, id, username, fields_string(params, "email"),
                            fields_string(params, "phone"), &found) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    /* Tombstones only matter when the (username, domain) pair changes. */
    if (old_username && username && strcmp(old_username, username) == 0
        && strcmp(old_domain, target) == 0) {
        found.username_tombstoned = 0;
    }

    v = validation_create(r->pool);
    fields_check_username(v, params, req->space, 1, &found);
    fields_check_domain(v, params, req->registry);
    fields_check_email(v, params, req->space, &found);
    fields_check_dtmf_protocol(v, params);
    fields_check_phone(v, params, req->space, &found);
    fields_check_password(v, params, 6);
    fields_check_algorithm(v, params);
    fields_check_boolean(v, params, "admin");
    fields_check_boolean(v, params, "activated");
    fields_check_boolean(v, params, "blocked");
    fields_check_display_name(v, params);
    fields_check_dictionary(v, params);
    if (validation_failed(v)) {
        return unprocessable(req, v);
    }
    if (!id || !old_domain) {
        return reply_account_not_found(req);
    }

    target_space = space_registry_find(req->registry, target);
    algorithm = fields_string(params, "algorithm");
    memset(&u, 0, sizeof(u));
    u.id = id;
    u.scope_domain = super ? NULL : req->space->domain;
    u.domain = target;
    u.max_accounts = target_space ? target_space->max_accounts : 0;
    u.username = username;
    u.email = fields_string(params, "email");
    u.display_name = fields_string(params, "display_name");
    u.phone = fields_string(params, "phone");
    u.dtmf_protocol = fields_string(params, "dtmf_protocol");
    u.admin = fields_true(params, "admin");
    u.activated = optional_flag(params, "activated");
    u.blocked = optional_flag(params, "blocked");
    u.user_agent = admin_user_agent(r, target_space ? target_space->name : target);
    u.algorithm = algorithm;
    u.password_hash = account_password_hash(r->pool, algorithm, username,
                                            target_space ? space_digest_realm(target_space) : target,
                                            fields_string(params, "password"));
    u.dictionary_json = dictionary_text(r->pool, params);
    u.email_unique = req->space->email_unique == 1;
    /* Storing the password revokes the account's user keys (api.md 2.2),
     * but not the key of this request (an admin updating itself). */
    u.keep_key_id = req->caller_api_key_id;
    if (store_account_update(req->db, &u, &result) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    switch (result) {
    case UPDATE_NOT_FOUND:
        return reply_account_not_found(req);
    case UPDATE_FULL:
        return unauthorized_action(req);
    case UPDATE_USERNAME_TAKEN:
        return reply_username_taken(req);
    case UPDATE_EMAIL_TAKEN:
        return reply_contact_taken(req, "email");
    case UPDATE_PHONE_TAKEN:
        return reply_contact_taken(req, "phone");
    case UPDATE_OK:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "account %s updated by admin %s", id,
                  req->caller->id);
    return reply_account(req, HTTP_OK, id, ACCOUNT_VIEW_UPDATED, 1);
}

/* ---- reading ------------------------------------------------------------------ */

/* scheme://Host/path of the request, as the client sent it (api.md 3.3);
 * without a Host header (HTTP/1.0), the server's own name and port. */
static const char *list_url(request_rec *r)
{
    const char *host = apr_table_get(r->headers_in, "Host");
    char *path = apr_pstrdup(r->pool, r->parsed_uri.path ? r->parsed_uri.path : r->uri);
    size_t len = strlen(path);

    while (len > 1 && path[len - 1] == '/') {
        path[--len] = '\0';
    }
    if (!host || !*host) {
        return ap_construct_url(r->pool, path, r);
    }
    return apr_pstrcat(r->pool, ap_http_scheme(r), "://", host, path, NULL);
}

/* Fills in the dictionary, change codes, types and actions of the page's accounts whose
 * ids are listed in ids ("{1,2}": those flagged has_extras), from
 * accounts_page_extras. */
static store_status add_page_extras(accounts_request *req, account *accounts, long count,
                                    const char *ids)
{
    apr_pool_t *p = req->r->pool;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;

    if (store_accounts_page_extras(req->db, ids, &res) != STORE_OK) {
        return STORE_ERROR;
    }
    while (apr_dbd_get_row(req->db->driver, p, res, &row, -1) == 0) {
        const char *id = store_column(req->db, row, PAGE_EXTRAS_COL_ID);
        for (long i = 0; i < count; i++) {
            if (id && strcmp(accounts[i].id, id) == 0) {
                const char *v = store_column(req->db, row, PAGE_EXTRAS_COL_DICTIONARY);
                accounts[i].dictionary_json = v ? apr_pstrdup(p, v) : NULL;
                v = store_column(req->db, row, PAGE_EXTRAS_COL_EMAIL_CHANGE);
                accounts[i].email_change_json = v ? apr_pstrdup(p, v) : NULL;
                v = store_column(req->db, row, PAGE_EXTRAS_COL_PHONE_CHANGE);
                accounts[i].phone_change_json = v ? apr_pstrdup(p, v) : NULL;
                v = store_column(req->db, row, PAGE_EXTRAS_COL_TYPES);
                accounts[i].types_json = v ? apr_pstrdup(p, v) : NULL;
                v = store_column(req->db, row, PAGE_EXTRAS_COL_ACTIONS);
                accounts[i].actions_json = v ? apr_pstrdup(p, v) : NULL;
            }
        }
    }
    return STORE_OK;
}

int handle_admin_list(accounts_request *req)
{
    request_rec *r = req->r;
    long page = pagination_page(r->args);
    long long offset = (long long)(page - 1) * PAGINATION_PER_PAGE;
    /* The page's Accounts, plus the paginator and its links. */
    json_writer *w = json_writer_create(r->pool,
                                        PAGINATION_PER_PAGE * ACCOUNT_JSON_SIZE_HINT + 4096);
    account accounts[PAGINATION_PER_PAGE];
    const char *flagged = NULL;     /* "1,2": the ids flagged has_extras */
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    long long total = -1;
    long count = 0;

    /* The rows carry the Space's exact total (kept by triggers, no
     * count(*) per request): one round trip. Only a page past the end,
     * which has no row, asks for the total on its own; only a page with
     * accounts that may have a dictionary or change codes asks for those. */
    if (store_accounts_page(req->db, req->space->domain, offset, PAGINATION_PER_PAGE, &res) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    while (apr_dbd_get_row(req->db->driver, r->pool, res, &row, -1) == 0) {
        const char *extras = store_column(req->db, row, PAGE_COL_HAS_EXTRAS);
        if (total < 0) {
            total = strtoll(store_column(req->db, row, PAGE_COL_TOTAL), NULL, 10);
        }
        if (count == PAGINATION_PER_PAGE) {
            continue;           /* the statement's LIMIT: cannot happen */
        }
        account_from_row(r->pool, req->db, row, &accounts[count]);
        if (extras && extras[0] == 't') {
            flagged = flagged ? apr_pstrcat(r->pool, flagged, ",", accounts[count].id, NULL)
                              : accounts[count].id;
        }
        count++;
    }
    if (flagged && add_page_extras(req, accounts, count,
                                   apr_pstrcat(r->pool, "{", flagged, "}", NULL)) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (total < 0) {
        long space_count;
        if (store_space_count(req->db, req->space->domain, &space_count) != STORE_OK) {
            return accounts_send_unavailable(req);
        }
        total = space_count;
    }
    /* "data" comes before every field that needs the count or the total. */
    pagination_write_begin(w, page);
    for (long i = 0; i < count; i++) {
        account_write_json(w, r->pool, &accounts[i], ACCOUNT_VIEW_ADMIN, 0, req->space);
    }
    pagination_write_end(w, r->pool, list_url(r), page, total, count);
    return accounts_send_writer(req, HTTP_OK, w);
}

/* Sends the account of a lookup, or the 404 message. */
static int reply_found(accounts_request *req, store_status s, apr_dbd_row_t *row,
                       account_view view, int with_codes, const char *missing)
{
    account a;

    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return accounts_send_message(req, HTTP_NOT_FOUND, missing);
    }
    account_from_row(req->r->pool, req->db, row, &a);
    return send_account(req, HTTP_OK, &a, view, with_codes,
                        space_registry_find(req->registry, a.domain));
}

int handle_admin_show(accounts_request *req)
{
    const char *id = admin_path_id(req);
    apr_dbd_row_t *row = NULL;

    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    s = store_account_in_space(req->db, id, req->space->domain, &row);
    return reply_found(req, s, row, ACCOUNT_VIEW_ADMIN, 1, "Account not found");
}

int handle_admin_search(accounts_request *req)
{
    const char *sip = router_param(&req->match, "sip");
    const char *at = strchr(sip, '@');
    apr_dbd_row_t *row = NULL;
    store_status s;

    if (!at || strcasecmp(at + 1, req->space->domain) != 0) {
        return accounts_send_message(req, HTTP_NOT_FOUND, "SIP address not found");
    }
    s = store_account_by_username(req->db, apr_pstrndup(req->r->pool, sip, (apr_size_t)(at - sip)),
                                  req->space->domain, &row);
    return reply_found(req, s, row, ACCOUNT_VIEW_SEARCH, 0, "SIP address not found");
}

int handle_admin_search_email(accounts_request *req)
{
    apr_dbd_row_t *row = NULL;
    store_status s = store_account_by_email(req->db, req->space->domain,
                                            router_param(&req->match, "email"), &row);

    return reply_found(req, s, row, ACCOUNT_VIEW_SEARCH, 0, "Email address not found");
}

/* ---- writing ------------------------------------------------------------------ */

int handle_admin_delete(accounts_request *req)
{
    const char *id = admin_path_id(req);
    int deleted = 0;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (store_account_delete(req->db, id, req->space->domain, &deleted) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    if (!deleted) {
        return reply_account_not_found(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "account %s deleted by admin %s", id,
                  req->caller->id);
    return accounts_send_empty(req, HTTP_OK);
}

static int set_flag(accounts_request *req, account_flag flag, int value)
{
    const char *id = admin_path_id(req);
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    s = store_account_set_flag(req->db, flag, value, id, req->space->domain);
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return reply_account_not_found(req);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, req->r, "account %s %s by admin %s", id,
                  flag == ACCOUNT_FLAG_ACTIVATED ? (value ? "activated" : "deactivated")
                                                 : (value ? "blocked" : "unblocked"),
                  req->caller->id);
    return reply_account(req, HTTP_OK, id, ACCOUNT_VIEW_SELF, 0);
}

int handle_admin_activate(accounts_request *req) { return set_flag(req, ACCOUNT_FLAG_ACTIVATED, 1); }
int handle_admin_deactivate(accounts_request *req) { return set_flag(req, ACCOUNT_FLAG_ACTIVATED, 0); }
int handle_admin_block(accounts_request *req) { return set_flag(req, ACCOUNT_FLAG_BLOCKED, 1); }
int handle_admin_unblock(accounts_request *req) { return set_flag(req, ACCOUNT_FLAG_BLOCKED, 0); }

int handle_admin_provision(accounts_request *req)
{
    request_rec *r = req->r;
    const char *id = admin_path_id(req);
    const char *token = crypto_random_alnum(r->pool, PROVISIONING_TOKEN_LENGTH);
    store_status s;

    if (!id) {
        return reply_account_not_found(req);
    }
    if (!token) {
        return accounts_send_unavailable(req);
    }
    s = store_provisioning_token_new(req->db, id, req->space->domain, token, r->useragent_ip,
                                     request_user_agent(r));
    if (s == STORE_ERROR) {
        return accounts_send_unavailable(req);
    }
    if (s == STORE_NOT_FOUND) {
        return reply_account_not_found(req);
    }
    return reply_account(req, HTTP_OK, id, ACCOUNT_VIEW_SELF, 0);
}
