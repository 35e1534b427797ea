/*
 * Laravel's length-aware paginator object (api.md 3.3): page numbers,
 * URLs and the "links" window. Pure C: unit tested on its own.
 */
#ifndef ACCOUNTS_PAGINATION_H
#define ACCOUNTS_PAGINATION_H

#include <apr_pools.h>

#include "json_writer.h"

#define PAGINATION_PER_PAGE 20

/* The page asked by a query string ("page=3&x=y"): a decimal integer of 1
 * to 2147483647 (digits only, the last page= wins), else 1. */
long pagination_page(const char *query);

/* The paginator for page of total items, written in two halves around
 * its "data" array so that the items go straight into w: begin writes
 * {"current_page":page,"data":[ and the caller then writes the page's
 * items as values; end closes the array (count items were written) and
 * writes the other fields. path is the list URL without query. */
void pagination_write_begin(json_writer *w, long page);
void pagination_write_end(json_writer *w, apr_pool_t *p, const char *path, long page,
                          long long total, long count);

#endif
