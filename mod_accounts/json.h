/*
 * json-c tied to APR pools: a root object registered with json_pool_own()
 * is released with its pool, so no caller puts objects by hand.
 */
#ifndef ACCOUNTS_JSON_H
#define ACCOUNTS_JSON_H

#include <apr_pools.h>
#include <json-c/json.h>

/* Ties obj (a root: not added to another object) to the pool's lifetime. */
json_object *json_pool_own(apr_pool_t *p, json_object *obj);

/* A new object / array owned by the pool. */
json_object *json_pool_object(apr_pool_t *p);
json_object *json_pool_array(apr_pool_t *p);

/* Compact serialisation, copied into the pool. */
const char *json_pool_serialize(apr_pool_t *p, json_object *obj);

/* Parses text (len bytes) into a pool-owned value; NULL and *error set
 * (PHP's json_decode reasons where they exist, e.g. "Syntax error") unless
 * it is RFC 8259 JSON in well-formed UTF-8 nested at most max_depth deep.
 * Any value may stand at the top (RFC 8259 2), e.g. 42 or true; a top-level
 * null, which json-c represents as NULL, comes back as an empty array. */
json_object *json_pool_parse(apr_pool_t *p, const char *text, apr_size_t len,
                             int max_depth, const char **error);

/* A string value, or JSON null when s is NULL. */
json_object *json_string_or_null(const char *s);

/* "2025-03-01T10:00:00.000000Z" for seconds since the epoch. */
const char *json_timestamp_text(apr_pool_t *p, long long epoch_seconds);

/* The timestamp as a JSON string, or null when text is NULL (SQL NULL). */
json_object *json_timestamp_or_null(apr_pool_t *p, const char *epoch_text);

#endif
