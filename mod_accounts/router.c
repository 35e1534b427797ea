#include "router.h"
#include "utf8.h"

#include <ctype.h>
#include <string.h>

#include <apr_strings.h>

#define ROUTER_MAX_SEGMENTS 16

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *router_decode_segment(apr_pool_t *p, const char *segment, apr_size_t len)
{
    char *out = apr_palloc(p, len + 1);
    apr_size_t o = 0;

    for (apr_size_t i = 0; i < len; i++) {
        if (segment[i] == '%') {
            int hi, lo;
            if (i + 2 >= len) {
                return NULL;
            }
            hi = hexval(segment[i + 1]);
            lo = hi < 0 ? -1 : hexval(segment[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else {
            out[o++] = segment[i];
        }
    }
    out[o] = '\0';
    return out;
}

typedef struct {
    const char *start;
    apr_size_t len;
} segment;

/* Splits "/a/b/c" (one trailing '/' ignored) into segments; -1 if the path
 * has an empty segment or too many of them. */
static int split_path(const char *path, segment *segs)
{
    int n = 0;
    apr_size_t len = strlen(path);

    if (len > 1 && path[len - 1] == '/') {
        len--;
    }
    if (len == 0 || path[0] != '/') {
        return -1;
    }
    if (len == 1) {
        return 0;
    }
    for (apr_size_t i = 1; i <= len;) {
        apr_size_t j = i;
        while (j < len && path[j] != '/') {
            j++;
        }
        if (j == i || n == ROUTER_MAX_SEGMENTS) {
            return -1;
        }
        segs[n].start = path + i;
        segs[n].len = j - i;
        n++;
        i = j + 1;
    }
    return n;
}

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

/* "{id}" and every "{..._id}" ({contact_id}, {type_id}, {action_id}:
 * api-lifecycle.md 7) only match decimal numbers. */
static int is_id_name(const char *name)
{
    size_t len = strlen(name);

    return strcmp(name, "id") == 0 || (len > 3 && strcmp(name + len - 3, "_id") == 0);
}

/* Does the path (split) match the pattern? Fills params when it does. */
static int pattern_matches(apr_pool_t *p, const char *pattern, const segment *segs,
                           int nsegs, route_match *out)
{
    const char *pat = pattern;
    int i = 0, nparams = 0;

    if (strcmp(pattern, "/") == 0) {
        return nsegs == 0;
    }
    while (*pat == '/') {
        const char *end = strchr(pat + 1, '/');
        apr_size_t plen = end ? (apr_size_t)(end - pat - 1) : strlen(pat + 1);
        const char *lit = pat + 1;

        if (i >= nsegs) {
            return 0;
        }
        if (plen >= 2 && lit[0] == '{' && lit[plen - 1] == '}') {
            char *value = router_decode_segment(p, segs[i].start, segs[i].len);
            char *name = apr_pstrndup(p, lit + 1, plen - 2);
            /* A parameter that is not UTF-8 (%FF) names nothing the database
             * could hold: no route, rather than a query PostgreSQL refuses. */
            if (!value || !*value || nparams == ROUTE_MAX_PARAMS
                || !utf8_valid(value, strlen(value))) {
                return 0;
            }
            if (is_id_name(name) && !is_decimal(value)) {
                return 0;
            }
            out->params[nparams].name = name;
            out->params[nparams].value = value;
            nparams++;
        }
        else if (segs[i].len != plen || strncmp(segs[i].start, lit, plen) != 0) {
            return 0;
        }
        i++;
        pat = lit + plen;
    }
    if (i != nsegs) {
        return 0;
    }
    out->nparams = nparams;
    return 1;
}

route_status router_match(apr_pool_t *p, const route *table, int nroutes,
                          const char *method, const char *path, route_match *out)
{
    segment segs[ROUTER_MAX_SEGMENTS];
    int nsegs = split_path(path, segs);
    const char *match_method = strcmp(method, "HEAD") == 0 ? "GET" : method;
    char *allow = NULL;

    memset(out, 0, sizeof(*out));
    if (nsegs < 0) {
        return ROUTE_NOT_FOUND;
    }
    for (int r = 0; r < nroutes; r++) {
        route_match candidate;
        memset(&candidate, 0, sizeof(candidate));
        if (!pattern_matches(p, table[r].pattern, segs, nsegs, &candidate)) {
            continue;
        }
        if (strcmp(table[r].method, match_method) == 0) {
            *out = candidate;
            out->route = &table[r];
            return ROUTE_FOUND;
        }
        /* Same path, other method: remember it for the 405's Allow list
         * (Laravel lists HEAD right after GET). */
        {
            const char *m = strcmp(table[r].method, "GET") == 0 ? "GET, HEAD"
                                                                  : table[r].method;
            allow = allow ? apr_pstrcat(p, allow, ", ", m, NULL) : apr_pstrdup(p, m);
        }
    }
    if (allow) {
        out->allow = allow;
        return ROUTE_METHOD_NOT_ALLOWED;
    }
    return ROUTE_NOT_FOUND;
}

const char *router_param(const route_match *m, const char *name)
{
    for (int i = 0; i < m->nparams; i++) {
        if (strcmp(m->params[i].name, name) == 0) {
            return m->params[i].value;
        }
    }
    return NULL;
}
