/*
 * Path matching against the module's real route table (route_table.h,
 * expanded here without handlers). Input: the method, '\n', then the path
 * below the mount point, raw as received.
 */
#include "fuzz.h"

#include <ctype.h>
#include <string.h>

#include "route_table.h"
#include "router.h"

#define ROUTE_WITHOUT_HANDLER(method, pattern, access, handler) \
    { method, pattern, access, NULL },

static const route routes[] = {
    ACCOUNTS_ROUTES(ROUTE_WITHOUT_HANDLER)
};
#define NROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

static int is_decimal(const char *s)
{
    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

/* A found route: the method fits and every parameter is a non-empty value
 * of the pattern's parameters ({id} decimal). */
static void check_found(const route_match *m, const char *method)
{
    int params = 0;

    FUZZ_ASSERT(m->route >= routes && m->route < routes + NROUTES);
    FUZZ_ASSERT(strcmp(m->route->method, strcmp(method, "HEAD") == 0 ? "GET" : method) == 0);
    for (const char *c = m->route->pattern; (c = strchr(c, '{')) != NULL; c++) {
        params++;
    }
    FUZZ_ASSERT(m->nparams == params && params <= ROUTE_MAX_PARAMS);
    for (int i = 0; i < m->nparams; i++) {
        const char *value = router_param(m, m->params[i].name);
        FUZZ_ASSERT(value && *value);
        FUZZ_ASSERT(strcmp(m->params[i].name, "id") != 0 || is_decimal(value));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *method, *path = fuzz_split_line(p, fuzz_text(p, data, size), &method);
    route_match m;

    switch (router_match(p, routes, NROUTES, method, path, &m)) {
    case ROUTE_FOUND:
        check_found(&m, method);
        break;
    case ROUTE_METHOD_NOT_ALLOWED:
        FUZZ_ASSERT(m.allow && *m.allow && !m.route);
        break;
    case ROUTE_NOT_FOUND:
        FUZZ_ASSERT(!m.route && !m.allow);
        break;
    }
    /* The whole path as one segment: every byte sequence decodes or is
     * refused, never read past its length. */
    (void)router_decode_segment(p, path, strlen(path));
    fuzz_done();
    return 0;
}
