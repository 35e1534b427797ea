#include "json.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_lib.h>
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

/* JSON's whitespace (RFC 8259: no \f, no \v, no NUL). */
static int json_whitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What may stand outside strings in JSON, numbers aside: whitespace,
 * punctuation and the letters of true, false and null. */
static int json_outside_string(unsigned char c)
{
    return json_whitespace((char)c) || (c && strchr("{}[],:truefalsn", c));
}

static apr_size_t json_digits(const char *s, apr_size_t len)
{
    apr_size_t n = 0;

    while (n < len && s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return n;
}

/* The length of the JSON number at s (RFC 8259: -? int frac? exp?), 0 when
 * what starts there is not one. json-c also takes "1.", "-01" and "1.e5". */
static apr_size_t json_number(const char *s, apr_size_t len)
{
    apr_size_t i = s[0] == '-' ? 1 : 0, n;

    if (i < len && s[i] == '0') {
        i++;
    }
    else if ((n = json_digits(s + i, len - i)) > 0) {
        i += n;
    }
    else {
        return 0;
    }
    if (i < len && s[i] == '.') {
        if ((n = json_digits(s + i + 1, len - i - 1)) == 0) {
            return 0;
        }
        i += 1 + n;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if ((n = json_digits(s + i, len - i)) == 0) {
            return 0;
        }
        i += n;
    }
    /* A digit, point or sign right after the number: "01", "1.2.3", "1-2". */
    if (i < len && strchr("0123456789.+-eE", s[i])) {
        return 0;
    }
    return i;
}

/* The UTF-16 unit of the \uXXXX escape at s, -1 when s holds none. */
static long json_u_escape(const char *s, apr_size_t len)
{
    char hex[5];

    if (len < 6 || s[0] != '\\' || s[1] != 'u') {
        return -1;
    }
    for (int k = 0; k < 4; k++) {
        if (!apr_isxdigit(s[2 + k])) {
            return -1;
        }
        hex[k] = s[2 + k];
    }
    hex[4] = '\0';
    return strtol(hex, NULL, 16);
}

/* The length of the escape at s (at its backslash): 12 for a surrogate
 * pair, 0 for a lone surrogate, which json-c would silently turn into
 * U+FFFD; otherwise 2 (the escaped character), json-c checking the rest. */
static apr_size_t json_escape(const char *s, apr_size_t len)
{
    long unit = json_u_escape(s, len), low;

    if (unit < 0xD800 || unit > 0xDFFF) {
        return 2;
    }
    low = unit <= 0xDBFF ? json_u_escape(s + 6, len - 6) : -1;
    return low >= 0xDC00 && low <= 0xDFFF ? 12 : 0;
}

/* json-c's strict mode still takes what RFC 8259 forbids: raw control
 * characters in strings, single-quoted keys, NaN and Infinity, sloppy
 * numbers, lone UTF-16 surrogates (stored as U+FFFD); and its UTF-8 check
 * passes overlong forms, surrogates and code points past U+10FFFF, which
 * PostgreSQL then refuses (a 503 instead of a 400). One pass over the text
 * refuses them first, with PHP's reasons; json-c checks the grammar. */
static const char *json_text_error(const char *text, apr_size_t len)
{
    int in_string = 0;

    if (!utf8_valid(text, len)) {
        return "Malformed UTF-8 characters, possibly incorrectly encoded";
    }
    for (apr_size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (in_string) {
            if (c == '\\') {
                apr_size_t n = json_escape(text + i, len - i);
                if (n == 0) {
                    return "Single unpaired UTF-16 surrogate in unicode escape";
                }
                i += n - 1;
            }
            else if (c == '"') {
                in_string = 0;
            }
            else if (c < 0x20) {
                return "Control character error, possibly incorrectly encoded";
            }
        }
        else if (c == '"') {
            in_string = 1;
        }
        else if (c == '-' || (c >= '0' && c <= '9')) {
            apr_size_t n = json_number(text + i, len - i);
            if (n == 0) {
                return "Syntax error";
            }
            i += n - 1;
        }
        else if (!json_outside_string(c)) {
            return "Syntax error";
        }
    }
    return NULL;
}

static int only_json_whitespace(const char *s, apr_size_t len)
{
    for (apr_size_t i = 0; i < len; i++) {
        if (!json_whitespace(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* json-c's verdict on the whole text: NULL and the value in *out (NULL for
 * a top-level null), or the reason it is not JSON. */
static const char *json_c_parse(json_tokener *tok, const char *text, apr_size_t len,
                                json_object **out)
{
    enum json_tokener_error jerr;
    apr_size_t end;

    *out = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_success) {
        end = json_tokener_get_parse_end(tok);
        if (!only_json_whitespace(text + end, len - end)) {
            json_object_put(*out);
            *out = NULL;
            return "Syntax error";
        }
        return NULL;
    }
    if (jerr != json_tokener_continue) {
        return json_tokener_error_desc(jerr);
    }
    /* json-c cannot tell that a top-level number, true, false or null is
     * complete ("42" may go on as "421") before the end of the text, which
     * it takes a NUL to mark (json_tokener_parse appends one too); the scan
     * has refused every NUL of the text itself. Anything else still open
     * then is cut short: PHP calls that a syntax error. */
    *out = json_tokener_parse_ex(tok, "", 1);
    return json_tokener_get_error(tok) == json_tokener_success ? NULL : "Syntax error";
}

json_object *json_pool_parse(apr_pool_t *p, const char *text, apr_size_t len,
                             int max_depth, const char **error)
{
    json_tokener *tok;
    json_object *obj;
    const char *reason;

    if ((*error = json_text_error(text, len)) != NULL) {
        return NULL;
    }
    tok = json_tokener_new_ex(max_depth);
    if (!tok) {
        *error = "out of memory";
        return NULL;
    }
    /* Strict mode refuses the rest of what JSON forbids (trailing commas,
     * leading zeros...); the UTF-8 check is redundant after the scan. */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    reason = json_c_parse(tok, text, len, &obj);
    json_tokener_free(tok);
    if (reason) {
        *error = apr_pstrdup(p, reason);
        return NULL;
    }
    /* json-c's null is no object at all, and NULL here means refused: a
     * top-level null comes back as another value that is not an object,
     * which carries no parameters just the same. */
    if (!obj && !(obj = json_object_new_array())) {
        *error = "out of memory";
        return NULL;
    }
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
