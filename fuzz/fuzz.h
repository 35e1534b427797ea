/*
 * What every fuzz target shares: APR initialised once per process and one
 * pool per input, cleared when the input is done, so each input starts
 * clean and whatever it leaks (json-c objects not owned by the pool, say)
 * is unreachable when libFuzzer's leak check runs.
 */
#ifndef ACCOUNTS_FUZZ_H
#define ACCOUNTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

/* The pool for this input; fuzz_done() clears it when the input is done. */
apr_pool_t *fuzz_pool(void);
void fuzz_done(void);

/* The input copied into the pool with a NUL after it: a header reaches the
 * module as a C string (what follows an embedded NUL is never seen), a body
 * as its bytes and length, NUL-terminated too (request.c). */
const char *fuzz_text(apr_pool_t *p, const uint8_t *data, size_t size);

/* Splits text at the first '\n': *line gets the part before it (a pool
 * copy), the return value the rest ("" when there is no '\n'). */
const char *fuzz_split_line(apr_pool_t *p, const char *text, const char **line);

/* Aborts (a crash libFuzzer reports) when an invariant of the code under
 * test does not hold. */
#define FUZZ_ASSERT(cond) \
    do { \
        if (!(cond)) { \
            fuzz_fail(__FILE__, __LINE__, #cond); \
        } \
    } while (0)

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
