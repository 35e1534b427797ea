/*
 * An append-only JSON writer into one buffer of an APR pool: the hot
 * responses (Accounts, the paginator) are written as text, with no json-c
 * tree, no malloc and no copy. Output is byte-identical to json-c's
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE. No httpd header.
 *
 * The writer puts the commas: each value or key follows the previous one of
 * its container. Nothing checks that keys and values alternate; the callers
 * are the module's own serialisers.
 */
#ifndef ACCOUNTS_JSON_WRITER_H
#define ACCOUNTS_JSON_WRITER_H

#include <stdint.h>

#include <apr_pools.h>
#include <json-c/json.h>

/* Containers open at once. The module nests four deep at most; past this,
 * commas are no longer right (memory stays safe). */
#define JSON_WRITER_MAX_DEPTH 32

typedef struct json_writer json_writer;

/* A writer whose buffer (size_hint bytes to start with, doubled as needed)
 * lives in p. */
json_writer *json_writer_create(apr_pool_t *p, apr_size_t size_hint);

void json_writer_object_begin(json_writer *w);
void json_writer_object_end(json_writer *w);
void json_writer_array_begin(json_writer *w);
void json_writer_array_end(json_writer *w);

/* A member's key (escaped); its value is the next thing written. */
void json_writer_key(json_writer *w, const char *key);

/* Strings, escaped as json-c escapes them; the _len form may hold NUL. */
void json_writer_string(json_writer *w, const char *s);
void json_writer_string_len(json_writer *w, const char *s, apr_size_t len);
/* A string, or null when s is NULL. */
void json_writer_string_or_null(json_writer *w, const char *s);

void json_writer_int64(json_writer *w, int64_t v);
void json_writer_bool(json_writer *w, int v);
void json_writer_null(json_writer *w);

/* A value already serialised (trusted JSON text, copied as is). */
void json_writer_raw(json_writer *w, const char *json, apr_size_t len);

/* A json-c value as json-c serialises it; NULL is null. */
void json_writer_json_c(json_writer *w, json_object *v);

/* "2025-03-01T10:00:00.000000Z" for seconds since the epoch: the string
 * json_timestamp_text() gives, without gmtime_r/strftime for 1970-9999. */
void json_writer_timestamp(json_writer *w, long long epoch_seconds);

/* The text so far (NUL-terminated, in the pool) and its length (len may be
 * NULL). The writer may go on writing afterwards. */
const char *json_writer_finish(json_writer *w, apr_size_t *len);

#endif
