/*
 * One API request as the handlers see it, and the only ways to answer it:
 * JSON bodies, Laravel-style error messages, the plain-text authentication
 * bodies, 503 when the database is away.
 */
#ifndef ACCOUNTS_REQUEST_H
#define ACCOUNTS_REQUEST_H

#include <httpd.h>
#include <json-c/json.h>

#include "account.h"
#include "json_writer.h"
#include "router.h"
#include "space.h"
#include "store.h"

/* Bodies up to this size are read and validated (api.md 1.3). */
#define ACCOUNTS_MAX_BODY (1024 * 1024)
/* JSON nesting the parser accepts (api.md asks for at least 32). */
#define ACCOUNTS_MAX_JSON_DEPTH 64

typedef struct accounts_request {
    request_rec *r;
    const accounts_space *space;      /* the request's Space (its vhost) */
    const space_registry *registry;   /* every configured Space */
    const apr_array_header_t *database_spaces; /* the Spaces sharing its database */
    const char *base;                 /* mount path: "" or e.g. "/api" */
    const char *path;                 /* below base, raw as received */
    route_match match;
    json_object *params;              /* body parameters (an object), or NULL */
    store *db;                        /* set by accounts_db() */
    account *caller;                  /* authenticated account, or NULL */
    const accounts_space *caller_space; /* the caller's own Space, or NULL */
    const char *caller_api_key_id;    /* id of the API key that authenticated, or NULL */
} accounts_request;

/* The request's database connection; NULL when the database is unreachable
 * (the caller answers accounts_send_unavailable). */
store *accounts_db(accounts_request *req);

/* A step of the request that did not answer returns ACCOUNTS_CONTINUE; one
 * that answered (an error, say) returns OK and the request ends there. */
#define ACCOUNTS_CONTINUE DECLINED

/* Reads and parses the body (api.md 1.3): ACCOUNTS_CONTINUE, or OK once it
 * answered 400 or 413. */
int accounts_read_params(accounts_request *req);

/* Answers: each sets the status, writes the body and returns OK. */
int accounts_send_json(accounts_request *req, int status, json_object *body);
/* JSON already serialised (len bytes of text, e.g. a json_writer's): the
 * same status and headers as accounts_send_json. */
int accounts_send_json_text(accounts_request *req, int status, const char *text,
                            apr_size_t len);
/* The JSON a json_writer holds, finished: as accounts_send_json_text. */
int accounts_send_writer(accounts_request *req, int status, json_writer *w);
int accounts_send_message(accounts_request *req, int status, const char *message);
int accounts_send_text(accounts_request *req, int status, const char *text);
int accounts_send_empty(accounts_request *req, int status);
int accounts_send_unavailable(accounts_request *req);

#endif
