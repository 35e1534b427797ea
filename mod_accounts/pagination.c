#include "pagination.h"

#include <ctype.h>
#include <stdio.h>
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

static void write_url(json_writer *w, apr_pool_t *p, const char *path, long page)
{
    if (page > 0) {
        json_writer_string(w, apr_psprintf(p, "%s?page=%ld", path, page));
    }
    else {
        json_writer_null(w);
    }
}

static void write_page_link(json_writer *w, apr_pool_t *p, const char *path, long n,
                            long current)
{
    char label[24];

    snprintf(label, sizeof(label), "%ld", n);
    json_writer_object_begin(w);
    json_writer_key(w, "url");
    write_url(w, p, path, n);
    json_writer_key(w, "label");
    json_writer_string(w, label);
    json_writer_key(w, "page");
    json_writer_int64(w, n);
    json_writer_key(w, "active");
    json_writer_bool(w, n == current);
    json_writer_object_end(w);
}

/* The "..." between two runs of page links: always the same text. */
static void write_gap(json_writer *w)
{
    static const char gap[] = "{\"url\":null,\"label\":\"...\",\"active\":false}";

    json_writer_raw(w, gap, sizeof(gap) - 1);
}

static void write_range(json_writer *w, apr_pool_t *p, const char *path, long from, long to,
                        long current)
{
    for (long n = from; n <= to; n++) {
        write_page_link(w, p, path, n, current);
    }
}

/* Laravel's window, three pages on each side of the current one. */
static void write_window(json_writer *w, apr_pool_t *p, const char *path, long P, long L)
{
    if (L < 14) {
        write_range(w, p, path, 1, L, P);
    }
    else if (P <= 7) {
        write_range(w, p, path, 1, 10, P);
        write_gap(w);
        write_range(w, p, path, L - 1, L, P);
    }
    else if (P > L - 7) {
        write_range(w, p, path, 1, 2, P);
        write_gap(w);
        write_range(w, p, path, L - 9, L, P);
    }
    else {
        write_range(w, p, path, 1, 2, P);
        write_gap(w);
        write_range(w, p, path, P - 3, P + 3, P);
        write_gap(w);
        write_range(w, p, path, L - 1, L, P);
    }
}

static void write_nav_link(json_writer *w, apr_pool_t *p, const char *path, const char *label,
                           long target)
{
    json_writer_object_begin(w);
    json_writer_key(w, "url");
    write_url(w, p, path, target);
    json_writer_key(w, "label");
    json_writer_string(w, label);
    json_writer_key(w, "page");
    if (target > 0) {
        json_writer_int64(w, target);
    }
    else {
        json_writer_null(w);
    }
    json_writer_key(w, "active");
    json_writer_bool(w, 0);
    json_writer_object_end(w);
}

static void write_links(json_writer *w, apr_pool_t *p, const char *path, long page, long last,
                        long prev, long next)
{
    json_writer_array_begin(w);
    write_nav_link(w, p, path, "&laquo; Previous", prev);
    write_window(w, p, path, page, last);
    write_nav_link(w, p, path, "Next &raquo;", next);
    json_writer_array_end(w);
}

/* An item number, or null on an empty page. */
static void write_item_number(json_writer *w, long count, long long n)
{
    if (count) {
        json_writer_int64(w, n);
    }
    else {
        json_writer_null(w);
    }
}

void pagination_write_begin(json_writer *w, long page)
{
    json_writer_object_begin(w);
    json_writer_key(w, "current_page");
    json_writer_int64(w, page);
    json_writer_key(w, "data");
    json_writer_array_begin(w);
}

void pagination_write_end(json_writer *w, apr_pool_t *p, const char *path, long page,
                          long long total, long count)
{
    long last = total > 0 ? (long)((total + PAGINATION_PER_PAGE - 1) / PAGINATION_PER_PAGE) : 1;
    long long from = (long long)(page - 1) * PAGINATION_PER_PAGE + 1;
    long prev = page > 1 ? page - 1 : 0;
    long next = page < last ? page + 1 : 0;

    json_writer_array_end(w);
    json_writer_key(w, "first_page_url");
    write_url(w, p, path, 1);
    json_writer_key(w, "from");
    write_item_number(w, count, from);
    json_writer_key(w, "last_page");
    json_writer_int64(w, last);
    json_writer_key(w, "last_page_url");
    write_url(w, p, path, last);
    json_writer_key(w, "links");
    write_links(w, p, path, page, last, prev, next);
    json_writer_key(w, "next_page_url");
    write_url(w, p, path, next);
    json_writer_key(w, "path");
    json_writer_string(w, path);
    json_writer_key(w, "per_page");
    json_writer_int64(w, PAGINATION_PER_PAGE);
    json_writer_key(w, "prev_page_url");
    write_url(w, p, path, prev);
    json_writer_key(w, "to");
    write_item_number(w, count, from + count - 1);
    json_writer_key(w, "total");
    json_writer_int64(w, total);
    json_writer_object_end(w);
}
