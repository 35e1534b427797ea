#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

apr_pool_t *fuzz_pool(void)
{
    /* No apr_terminate: libFuzzer exits without returning to us. */
    if (!pool && (apr_initialize() != APR_SUCCESS
                  || apr_pool_create(&pool, NULL) != APR_SUCCESS)) {
        fputs("fuzz: cannot initialise APR\n", stderr);
        abort();
    }
    return pool;
}

void fuzz_done(void)
{
    /* Runs the cleanups too: json-c objects owned by the pool are put. */
    apr_pool_clear(pool);
}

const char *fuzz_text(apr_pool_t *p, const uint8_t *data, size_t size)
{
    return apr_pstrmemdup(p, (const char *)data, size);
}

const char *fuzz_split_line(apr_pool_t *p, const char *text, const char **line)
{
    const char *nl = strchr(text, '\n');

    if (!nl) {
        *line = text;
        return "";
    }
    *line = apr_pstrmemdup(p, text, (apr_size_t)(nl - text));
    return nl + 1;
}

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
    abort();
}
