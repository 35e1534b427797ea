/*
 * Laravel's length-aware paginator object (api.md 3.3): page numbers,
 * URLs and the "links" window. Pure C: unit tested on its own.
 */
#ifndef ACCOUNTS_PAGINATION_H
#define ACCOUNTS_PAGINATION_H

#include <apr_pools.h>
#include <json-c/json.h>

#define PAGINATION_PER_PAGE 20

/* The page asked by a query string ("page=3&x=y"): a decimal integer of 1
 * to 2147483647 (digits only, the last page= wins), else 1. */
long pagination_page(const char *query);

/* The paginator for page of total items; data (an array, ownership taken)
 * holds the page's items; path is the list URL without query. The result
 * is a pool-owned root. */
json_object *pagination_json(apr_pool_t *p, const char *path, long page, long long total,
                             json_object *data);

#endif
