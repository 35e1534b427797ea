#include "request.h"
#include "utf8.h"
#include "json.h"
#include "database.h"

#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

APLOG_USE_MODULE(accounts);

static void log_store_error(void *baton, const char *message)
{
    request_rec *r = baton;
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "database: %s",
                  accounts_database_message_line(r->pool, message));
}

store *accounts_db(accounts_request *req)
{
    ap_dbd_t *dbd;

    if (req->db) {
        return req->db;
    }
    dbd = accounts_dbd_acquire(req->r);
    if (!dbd) {
        /* mod_dbd logged why just before (AH00629 cannot connect, or
         * AH00632 failed to prepare: a schema older than the module). */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, req->r,
                      "no database connection: PostgreSQL is unreachable, or its schema is older "
                      "than this module (mod_dbd's error above says which; after an upgrade, run "
                      "accountsctl migrate)");
        return NULL;
    }
    req->db = accounts_store_on(req->r->pool, dbd, req->r->server);
    /* Errors of a request are logged with it (client, request id). */
    req->db->log = log_store_error;
    req->db->log_baton = req->r;
    if (store_session_ready(req->db) != STORE_OK) {
        req->db = NULL;
        return NULL;
    }
    accounts_write_space_realms_if_pending(req->db, req->database_spaces);
    return req->db;
}

/* ---- responses ---------------------------------------------------------- */

static void common_headers(accounts_request *req, int status)
{
    request_rec *r = req->r;

    r->status = status;
    /* Browsers may call the API from any origin, never with cookies. */
    if (apr_table_get(r->headers_in, "Origin")) {
        apr_table_setn(r->headers_out, "Access-Control-Allow-Origin", "*");
    }
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache, private");
}

int accounts_send_json_text(accounts_request *req, int status, const char *text,
                            apr_size_t len)
{
    common_headers(req, status);
    ap_set_content_type(req->r, "application/json");
    ap_set_content_length(req->r, len);
    ap_rwrite(text, (int)len, req->r);
    return OK;
}

int accounts_send_json(accounts_request *req, int status, json_object *body)
{
    const char *text = json_pool_serialize(req->r->pool, body);

    return accounts_send_json_text(req, status, text, strlen(text));
}

int accounts_send_writer(accounts_request *req, int status, json_writer *w)
{
    apr_size_t len;
    const char *text = json_writer_finish(w, &len);

    return accounts_send_json_text(req, status, text, len);
}

int accounts_send_message(accounts_request *req, int status, const char *message)
{
    json_object *body = json_pool_object(req->r->pool);

    json_object_object_add(body, "message", json_object_new_string(message));
    return accounts_send_json(req, status, body);
}

int accounts_send_text(accounts_request *req, int status, const char *text)
{
    common_headers(req, status);
    ap_set_content_type(req->r, "text/html; charset=UTF-8");
    ap_set_content_length(req->r, strlen(text));
    ap_rputs(text, req->r);
    return OK;
}

int accounts_send_empty(accounts_request *req, int status)
{
    return accounts_send_text(req, status, "");
}

int accounts_send_unavailable(accounts_request *req)
{
    /* Clients and load balancers may retry shortly. */
    apr_table_setn(req->r->headers_out, "Retry-After", "1");
    return accounts_send_message(req, HTTP_SERVICE_UNAVAILABLE, "Service unavailable");
}

/* ---- request body ------------------------------------------------------- */

/* Reads the whole body; -1 when it exceeds the cap, -2 on a read error. */
static int read_body(request_rec *r, char **out, apr_size_t *outlen)
{
    const char *clen = apr_table_get(r->headers_in, "Content-Length");
    apr_size_t len = 0, cap = 8192;
    char *buf;
    long got;

    *out = NULL;
    *outlen = 0;
    if (clen && apr_atoi64(clen) > ACCOUNTS_MAX_BODY) {
        return -1;
    }
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return -2;
    }
    if (!ap_should_client_block(r)) {
        return 0;
    }
    buf = apr_palloc(r->pool, cap + 1);
    for (;;) {
        if (len == cap) {
            char *bigger;
            if (cap > ACCOUNTS_MAX_BODY) {
                return -1;
            }
            bigger = apr_palloc(r->pool, 2 * cap + 1);
            memcpy(bigger, buf, len);
            buf = bigger;
            cap *= 2;
        }
        got = ap_get_client_block(r, buf + len, cap - len);
        if (got == 0) {
            break;
        }
        if (got < 0) {
            return -2;
        }
        len += (apr_size_t)got;
        if (len > ACCOUNTS_MAX_BODY) {
            return -1;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}

/* PostgreSQL text cannot hold U+0000: a string carrying it is refused like
 * malformed JSON. The JSON text is scanned for the \u0000 escape (the only
 * way valid JSON carries it) rather than the parsed values, because json-c
 * keeps object keys as C strings: "a\u0000b" as a key would silently become
 * "a". The text parsed, so a backslash is always inside a string, where
 * "\\" is one escaped backslash that starts no escape. */
static int has_nul_escape(const char *text, apr_size_t len)
{
    for (apr_size_t i = 0; i < len; i++) {
        if (text[i] != '\\') {
            continue;
        }
        if (i + 5 < len && strncmp(text + i + 1, "u0000", 5) == 0) {
            return 1;
        }
        i++;   /* the escaped character */
    }
    return 0;
}

/* application/x-www-form-urlencoded -> object of strings; NULL with *error
 * when a name or value decodes to a NUL byte or to invalid UTF-8, which no
 * field accepts and PostgreSQL text cannot store (the form counterpart of
 * api.md 1.3's invalid JSON). A pair with a malformed escape is ignored. */
static json_object *parse_form(apr_pool_t *p, char *body, const char **error)
{
    json_object *obj = json_pool_object(p);
    char *state;

    for (char *pair = apr_strtok(body, "&", &state); pair;
         pair = apr_strtok(NULL, "&", &state)) {
        char *eq = strchr(pair, '=');
        char *value = eq ? eq + 1 : "";
        int rc_name, rc_value;
        if (eq) {
            *eq = '\0';
        }
        for (char *c = pair; *c; c++) if (*c == '+') *c = ' ';
        for (char *c = value; *c; c++) if (*c == '+') *c = ' ';
        rc_name = ap_unescape_urlencoded(pair);
        rc_value = ap_unescape_urlencoded(value);
        /* Apache refuses %00 with HTTP_NOT_FOUND (a malformed escape,
         * HTTP_BAD_REQUEST, wins when both occur: the pair is ignored). */
        if (rc_name == HTTP_NOT_FOUND || rc_value == HTTP_NOT_FOUND) {
            *error = "a value contains a NUL character";
            return NULL;
        }
        if (rc_name != OK || rc_value != OK) {
            continue;
        }
        if (!utf8_valid(pair, strlen(pair)) || !utf8_valid(value, strlen(value))) {
            *error = "Malformed UTF-8 characters, possibly incorrectly encoded";
            return NULL;
        }
        json_object_object_add(obj, pair, json_object_new_string(value));
    }
    return obj;
}

/* The media type of a Content-Type value, without parameters, compared
 * case-insensitively: application/json, or a +json suffix type. */
static int is_json_type(const char *ctype)
{
    size_t len = strcspn(ctype, "; \t");

    return (len == 16 && strncasecmp(ctype, "application/json", 16) == 0)
           || (len > 17 && strncasecmp(ctype, "application/", 12) == 0
               && strncasecmp(ctype + len - 5, "+json", 5) == 0);
}

static int is_form_type(const char *ctype)
{
    size_t len = strcspn(ctype, "; \t");

    return len == 33 && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0;
}

int accounts_read_params(accounts_request *req)
{
    request_rec *r = req->r;
    const char *ctype = apr_table_get(r->headers_in, "Content-Type");
    const char *error = NULL;
    json_object *parsed;
    char *body;
    apr_size_t len;
    int rc = read_body(r, &body, &len);

    if (rc == -1) {
        return accounts_send_message(req, HTTP_REQUEST_ENTITY_TOO_LARGE,
                                     "Request body too large");
    }
    if (rc == -2) {
        return accounts_send_message(req, HTTP_BAD_REQUEST, "The request body could not be read.");
    }
    if (len == 0) {
        return ACCOUNTS_CONTINUE;   /* no parameters */
    }
    while (ctype && (*ctype == ' ' || *ctype == '\t')) {
        ctype++;
    }
    if (ctype && is_form_type(ctype)) {
        req->params = parse_form(r->pool, body, &error);
        if (!req->params) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "invalid form body: %s", error);
            return accounts_send_message(req, HTTP_BAD_REQUEST,
                                         apr_pstrcat(r->pool, "Invalid form data: ", error, NULL));
        }
        return ACCOUNTS_CONTINUE;
    }
    /* Only a body declared JSON is read as JSON: a page of another site can
     * make a browser send text/plain (a form's enctype) or a typeless body
     * holding JSON without asking first, but not application/json. */
    if (!ctype || !is_json_type(ctype)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "body of Content-Type '%.100s' refused",
                      ctype ? ctype : "(none)");
        return accounts_send_message(req, HTTP_UNSUPPORTED_MEDIA_TYPE,
                                     "Unsupported Content-Type: send application/json");
    }
    parsed = json_pool_parse(r->pool, body, len, ACCOUNTS_MAX_JSON_DEPTH, &error);
    if (parsed && has_nul_escape(body, len)) {
        parsed = NULL;
        error = "a string contains a NUL character";
    }
    if (!parsed) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "invalid JSON body: %s", error);
        return accounts_send_message(req, HTTP_BAD_REQUEST,
                                     apr_pstrcat(r->pool, "Invalid JSON: ", error, NULL));
    }
    if (json_object_is_type(parsed, json_type_object)) {
        req->params = parsed;
    }
    return ACCOUNTS_CONTINUE;
}
