#include "pagination.h"
#include "json.h"

#include <ctype.h>
#include <string.h>

#include <apr_strings.h>

long pagination_page(const char *query)
{
    long page = 1;
    const char *q = query;

    while (q && *q) {
        const char *end = strchr(q, '&');
        size_t len = end ? (size_t)(end - q) : strlen(q);

        if (len > 5 && strncmp(q, "page=", 5) == 0) {
            const char *v = q + 5;
            size_t vlen = len - 5;
            long long n = 0;
            size_t i;
            for (i = 0; i < vlen && isdigit((unsigned char)v[i]) && n <= 2147483647LL; i++) {
                n = n * 10 + (v[i] - '0');
            }
            page = (i == vlen && n >= 1 && n <= 2147483647LL) ? (long)n : 1;
        }
        else if (len >= 4 && strncmp(q, "page", 4) == 0 && (len == 4 || q[4] == '=')) {
            page = 1;   /* "page" or "page=": not a usable number */
        }
        q = end ? end + 1 : NULL;
    }
    return page;
}

static json_object *url_or_null(apr_pool_t *p, const char *path, long page)
{
    return page > 0 ? json_object_new_string(apr_psprintf(p, "%s?page=%ld", path, page)) : NULL;
}

static void add_page_link(apr_pool_t *p, json_object *links, const char *path, long n, long current)
{
    json_object *link = json_object_new_object();
    json_object_object_add(link, "url", url_or_null(p, path, n));
    json_object_object_add(link, "label", json_object_new_string(apr_ltoa(p, n)));
    json_object_object_add(link, "page", json_object_new_int64(n));
    json_object_object_add(link, "active", json_object_new_boolean(n == current));
    json_object_array_add(links, link);
}

static void add_gap(json_object *links)
{
    json_object *link = json_object_new_object();
    json_object_object_add(link, "url", NULL);
    json_object_object_add(link, "label", json_object_new_string("..."));
    json_object_object_add(link, "active", json_object_new_boolean(0));
    json_object_array_add(links, link);
}

static void add_range(apr_pool_t *p, json_object *links, const char *path, long from, long to,
                      long current)
{
    for (long n = from; n <= to; n++) {
        add_page_link(p, links, path, n, current);
    }
}

/* Laravel's window, three pages on each side of the current one. */
static void add_window(apr_pool_t *p, json_object *links, const char *path, long P, long L)
{
    if (L < 14) {
        add_range(p, links, path, 1, L, P);
    }
    else if (P <= 7) {
        add_range(p, links, path, 1, 10, P);
        add_gap(links);
        add_range(p, links, path, L - 1, L, P);
    }
    else if (P > L - 7) {
        add_range(p, links, path, 1, 2, P);
        add_gap(links);
        add_range(p, links, path, L - 9, L, P);
    }
    else {
        add_range(p, links, path, 1, 2, P);
        add_gap(links);
        add_range(p, links, path, P - 3, P + 3, P);
        add_gap(links);
        add_range(p, links, path, L - 1, L, P);
    }
}

static json_object *nav_link(apr_pool_t *p, const char *path, const char *label, long target)
{
    json_object *link = json_object_new_object();
    json_object_object_add(link, "url", url_or_null(p, path, target));
    json_object_object_add(link, "label", json_object_new_string(label));
    json_object_object_add(link, "page", target > 0 ? json_object_new_int64(target) : NULL);
    json_object_object_add(link, "active", json_object_new_boolean(0));
    return link;
}

json_object *pagination_json(apr_pool_t *p, const char *path, long page, long long total,
                             json_object *data)
{
    json_object *o = json_pool_object(p);
    json_object *links = json_object_new_array();
    long last = total > 0 ? (long)((total + PAGINATION_PER_PAGE - 1) / PAGINATION_PER_PAGE) : 1;
    long count = (long)json_object_array_length(data);
    long long from = (long long)(page - 1) * PAGINATION_PER_PAGE + 1;
    long prev = page > 1 ? page - 1 : 0;
    long next = page < last ? page + 1 : 0;

    json_object_array_add(links, nav_link(p, path, "&laquo; Previous", prev));
    add_window(p, links, path, page, last);
    json_object_array_add(links, nav_link(p, path, "Next &raquo;", next));

    json_object_object_add(o, "current_page", json_object_new_int64(page));
    json_object_object_add(o, "data", data);
    json_object_object_add(o, "first_page_url", url_or_null(p, path, 1));
    json_object_object_add(o, "from", count ? json_object_new_int64(from) : NULL);
    json_object_object_add(o, "last_page", json_object_new_int64(last));
    json_object_object_add(o, "last_page_url", url_or_null(p, path, last));
    json_object_object_add(o, "links", links);
    json_object_object_add(o, "next_page_url", url_or_null(p, path, next));
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "per_page", json_object_new_int64(PAGINATION_PER_PAGE));
    json_object_object_add(o, "prev_page_url", url_or_null(p, path, prev));
    json_object_object_add(o, "to", count ? json_object_new_int64(from + count - 1) : NULL);
    json_object_object_add(o, "total", json_object_new_int64(total));
    return o;
}
