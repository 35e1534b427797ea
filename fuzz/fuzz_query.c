/*
 * The query string of GET /accounts (api.md 3.3): the page parameter, then
 * the paginator written for it, for one of a few list sizes.
 */
#include "fuzz.h"

#include <string.h>

#include "json.h"
#include "json_writer.h"
#include "pagination.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Empty, one page, exactly full pages, and a list a million long. */
    static const long long totals[] = { 0, 1, PAGINATION_PER_PAGE, 13 * PAGINATION_PER_PAGE + 1,
                                        1000000 };
    apr_pool_t *p = fuzz_pool();
    long page = pagination_page(fuzz_text(p, data, size));
    /* One list size per input (building the paginator is what costs). */
    long long total = totals[size % (sizeof(totals) / sizeof(totals[0]))];
    json_writer *w = json_writer_create(p, 4096);
    json_object *o, *current;
    const char *text;
    apr_size_t len;

    FUZZ_ASSERT(page >= 1 && page <= 2147483647L);
    pagination_write_begin(w, page);
    pagination_write_end(w, p, "/api/accounts", page, total, 0);
    text = json_writer_finish(w, &len);
    FUZZ_ASSERT(strlen(text) == len);
    /* The writer's text is JSON, and what json-c writes for that value. */
    o = json_pool_own(p, json_tokener_parse(text));
    FUZZ_ASSERT(o && json_object_object_get_ex(o, "current_page", &current)
                && json_object_get_int64(current) == page);
    FUZZ_ASSERT(strcmp(json_pool_serialize(p, o), text) == 0);
    fuzz_done();
    return 0;
}
