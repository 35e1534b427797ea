/*
 * Route table matching: method + path pattern -> handler, with path
 * parameters. Pure C (APR only) so it is unit tested and fuzzed alone.
 *
 * Patterns are '/'-separated segments: a literal ("accounts"), "{id}" or
 * "{name_id}" (a decimal number only, so /accounts/me never reaches an id
 * route) or any other "{name}" (one non-empty segment, percent-decoded, and
 * well-formed UTF-8: a parameter that is not gets the routing 404).
 */
#ifndef ACCOUNTS_ROUTER_H
#define ACCOUNTS_ROUTER_H

#include <apr_pools.h>

typedef enum {
    ACCESS_PUBLIC,       /* anyone; no credentials read */
    ACCESS_USER,         /* any authenticated, non-blocked account */
    ACCESS_ADMIN,        /* admin of the request's Space, or a super admin */
    ACCESS_SUPER_ADMIN   /* admin of a super Space */
} access_level;

struct accounts_request;
typedef int (*route_handler)(struct accounts_request *req);

typedef struct {
    const char *method;
    const char *pattern;
    access_level access;
    route_handler handler;
} route;

#define ROUTE_MAX_PARAMS 4

typedef struct {
    const char *name;
    const char *value;
} route_param;

typedef enum {
    ROUTE_FOUND,
    ROUTE_NOT_FOUND,
    ROUTE_METHOD_NOT_ALLOWED
} route_status;

typedef struct {
    const route *route;                 /* ROUTE_FOUND */
    int nparams;
    route_param params[ROUTE_MAX_PARAMS];
    const char *allow;                  /* ROUTE_METHOD_NOT_ALLOWED: "GET, HEAD, PUT" */
} route_match;

/* Matches method + path (relative to the mount point, raw as received, e.g.
 * "/accounts/bob%40sip.example.org/info"). HEAD matches GET routes. The first
 * route of the table matching both wins; when only paths match, the result
 * is ROUTE_METHOD_NOT_ALLOWED with the allowed methods. */
route_status router_match(apr_pool_t *p, const route *table, int nroutes,
                          const char *method, const char *path, route_match *out);

/* The value of a path parameter, or NULL. */
const char *router_param(const route_match *m, const char *name);

/* Percent-decodes one path segment; NULL for a malformed escape or a decoded
 * NUL byte. */
char *router_decode_segment(apr_pool_t *p, const char *segment, apr_size_t len);

#endif
