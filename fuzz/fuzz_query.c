/*
 * The query string of GET /accounts (api.md 3.3): the page parameter, then
 * the paginator object built for it, for one of a few list sizes.
 */
#include "fuzz.h"

#include <string.h>

#include "json.h"
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
    json_object *o, *current;

    FUZZ_ASSERT(page >= 1 && page <= 2147483647L);
    o = pagination_json(p, "/api/accounts", page, total, json_object_new_array());
    FUZZ_ASSERT(json_object_object_get_ex(o, "current_page", &current)
                && json_object_get_int64(current) == page);
    FUZZ_ASSERT(*json_pool_serialize(p, o) == '{');
    fuzz_done();
    return 0;
}
