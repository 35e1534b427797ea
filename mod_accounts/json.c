#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

static apr_status_t json_put(void *obj)
{
    json_object_put(obj);
    return APR_SUCCESS;
}

json_object *json_pool_own(apr_pool_t *p, json_object *obj)
{
    if (obj) {
        apr_pool_cleanup_register(p, obj, json_put, apr_pool_cleanup_null);
    }
    return obj;
}

json_object *json_pool_object(apr_pool_t *p)
{
    return json_pool_own(p, json_object_new_object());
}

json_object *json_pool_array(apr_pool_t *p)
{
    return json_pool_own(p, json_object_new_array());
}

const char *json_pool_serialize(apr_pool_t *p, json_object *obj)
{
    return apr_pstrdup(p, json_object_to_json_string_ext(
                              obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

json_object *json_pool_parse(apr_pool_t *p, const char *text, apr_size_t len,
                             int max_depth, const char **error)
{
    json_tokener *tok = json_tokener_new_ex(max_depth);
    json_object *obj;
    enum json_tokener_error jerr;

    if (!tok) {
        *error = "out of memory";
        return NULL;
    }
    /* Strict mode refuses what JSON forbids; the UTF-8 check refuses
     * malformed byte sequences in strings. */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_success && json_tokener_get_parse_end(tok) < len) {
        /* Only whitespace may follow the value. */
        for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
            if (!strchr(" \t\r\n", text[i])) {
                json_object_put(obj);
                json_tokener_free(tok);
                *error = "Syntax error";
                return NULL;
            }
        }
    }
    if (jerr == json_tokener_continue) {
        *error = "Syntax error";
        json_object_put(obj);
        json_tokener_free(tok);
        return NULL;
    }
    if (jerr != json_tokener_success) {
        *error = apr_pstrdup(p, json_tokener_error_desc(jerr));
        json_tokener_free(tok);
        return NULL;
    }
    json_tokener_free(tok);
    return json_pool_own(p, obj);
}

json_object *json_string_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

const char *json_timestamp_text(apr_pool_t *p, long long epoch_seconds)
{
    time_t t = (time_t)epoch_seconds;
    struct tm tm;
    char buf[40];

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
    return apr_pstrdup(p, buf);
}

json_object *json_timestamp_or_null(apr_pool_t *p, const char *epoch_text)
{
    if (!epoch_text) {
        return NULL;
    }
    return json_object_new_string(json_timestamp_text(p, strtoll(epoch_text, NULL, 10)));
}
