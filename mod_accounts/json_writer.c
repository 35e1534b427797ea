#include "json_writer.h"
#include "json.h"

#include <string.h>

struct json_writer {
    apr_pool_t *pool;
    char *buf;
    apr_size_t len;
    apr_size_t cap;             /* always > len: room for the final NUL */
    int depth;                  /* containers open */
    int after_key;              /* the next value is a member's: no comma */
    /* Per depth: whether the open container holds something yet. */
    unsigned char has_items[JSON_WRITER_MAX_DEPTH + 1];
};

/* The flags every JSON body of the module is serialised with. */
#define JSON_C_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

json_writer *json_writer_create(apr_pool_t *p, apr_size_t size_hint)
{
    json_writer *w = apr_pcalloc(p, sizeof(*w));

    w->pool = p;
    w->cap = size_hint < 64 ? 64 : size_hint;
    w->buf = apr_palloc(p, w->cap);
    return w;
}

/* ---- the buffer ----------------------------------------------------------- */

/* A bigger buffer from the pool; the old one stays there until the pool
 * goes, which at most doubles what the text costs. */
static void grow(json_writer *w, apr_size_t n)
{
    apr_size_t need = w->len + n + 1;
    apr_size_t cap = w->cap * 2;
    char *buf;

    if (cap < need) {
        cap = need;
    }
    buf = apr_palloc(w->pool, cap);
    memcpy(buf, w->buf, w->len);
    w->buf = buf;
    w->cap = cap;
}

static void append(json_writer *w, const char *s, apr_size_t n)
{
    if (w->cap - w->len <= n) {
        grow(w, n);
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put(json_writer *w, char c)
{
    if (w->cap - w->len <= 1) {
        grow(w, 1);
    }
    w->buf[w->len++] = c;
}

/* ---- commas ------------------------------------------------------------- */

static unsigned char *level_items(json_writer *w)
{
    return &w->has_items[w->depth < JSON_WRITER_MAX_DEPTH ? w->depth : JSON_WRITER_MAX_DEPTH];
}

/* The comma before a key, or before a value that is not a member's. */
static void separate(json_writer *w)
{
    unsigned char *items = level_items(w);

    if (*items && w->depth > 0) {
        put(w, ',');
    }
    *items = 1;
}

static void before_value(json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    separate(w);
}

static void open_container(json_writer *w, char c)
{
    before_value(w);
    put(w, c);
    w->depth++;
    *level_items(w) = 0;
}

static void close_container(json_writer *w, char c)
{
    put(w, c);
    if (w->depth > 0) {
        w->depth--;
    }
    w->after_key = 0;
}

void json_writer_object_begin(json_writer *w)
{
    open_container(w, '{');
}

void json_writer_object_end(json_writer *w)
{
    close_container(w, '}');
}

void json_writer_array_begin(json_writer *w)
{
    open_container(w, '[');
}

void json_writer_array_end(json_writer *w)
{
    close_container(w, ']');
}

/* ---- strings ------------------------------------------------------------ */

/* json-c's escapes (json_escape_str): for each byte, the letter after the
 * backslash, 'u' for \u00XX, 0 when the byte goes out as it is. Only
 * control characters, '"' and '\\' are escaped: '/' is not (NOSLASHESCAPE),
 * nor DEL, nor any byte of 0x80 and up (UTF-8 or not, copied). */
static const char escapes[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    ['"'] = '"', ['\\'] = '\\',
};

static void append_escape(json_writer *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";   /* json-c's lower case */
    char e = escapes[c];

    if (e == 'u') {
        char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
        append(w, u, sizeof(u));
    }
    else {
        char two[2] = { '\\', e };
        append(w, two, sizeof(two));
    }
}

/* s between quotes; runs that need no escape are copied in one go. */
static void append_quoted(json_writer *w, const char *s, apr_size_t len)
{
    apr_size_t start = 0;

    put(w, '"');
    for (apr_size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (escapes[c]) {
            append(w, s + start, i - start);
            append_escape(w, c);
            start = i + 1;
        }
    }
    append(w, s + start, len - start);
    put(w, '"');
}

void json_writer_key(json_writer *w, const char *key)
{
    separate(w);
    append_quoted(w, key, strlen(key));
    put(w, ':');
    w->after_key = 1;
}

void json_writer_string_len(json_writer *w, const char *s, apr_size_t len)
{
    before_value(w);
    append_quoted(w, s, len);
}

void json_writer_string(json_writer *w, const char *s)
{
    json_writer_string_len(w, s, strlen(s));
}

void json_writer_string_or_null(json_writer *w, const char *s)
{
    if (s) {
        json_writer_string(w, s);
    }
    else {
        json_writer_null(w);
    }
}

/* ---- other values --------------------------------------------------------- */

void json_writer_int64(json_writer *w, int64_t v)
{
    char digits[20];            /* 2^63 has 19 digits, plus the sign */
    apr_size_t at = sizeof(digits);
    /* The magnitude in unsigned arithmetic: -INT64_MIN does not fit. */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        digits[--at] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        digits[--at] = '-';
    }
    json_writer_raw(w, digits + at, sizeof(digits) - at);
}

void json_writer_bool(json_writer *w, int v)
{
    if (v) {
        json_writer_raw(w, "true", 4);
    }
    else {
        json_writer_raw(w, "false", 5);
    }
}

void json_writer_null(json_writer *w)
{
    json_writer_raw(w, "null", 4);
}

void json_writer_raw(json_writer *w, const char *json, apr_size_t len)
{
    before_value(w);
    append(w, json, len);
}

void json_writer_json_c(json_writer *w, json_object *v)
{
    size_t len;
    /* json-c writes "null" for NULL; the text lives in v until it is put. */
    const char *text = json_object_to_json_string_length(v, JSON_C_FLAGS, &len);

    json_writer_raw(w, text, len);
}

/* ---- timestamps ------------------------------------------------------------ */

/* The proleptic Gregorian date of a day count since 1970-01-01 (>= 0),
 * after Howard Hinnant's civil_from_days. */
static void civil_from_days(long long days, long long *y, int *m, int *d)
{
    long long z = days + 719468;            /* from 0000-03-01 */
    long long era = z / 146097;             /* 400-year eras */
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;     /* months from March */

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static char *two_digits(char *out, int v)
{
    out[0] = (char)('0' + v / 10);
    out[1] = (char)('0' + v % 10);
    return out + 2;
}

/* The last second of 9999-12-31: four-digit years up to there. */
#define LAST_FOUR_DIGIT_SECOND 253402300799LL

void json_writer_timestamp(json_writer *w, long long epoch_seconds)
{
    char text[sizeof("2025-03-01T10:00:00.000000Z") - 1];
    char *o = text;
    long long y, secs = epoch_seconds % 86400;
    int m, d;

    /* Outside 1970-9999, the libc formatting decides: no copy of its rules
     * for negative and five-digit years. */
    if (epoch_seconds < 0 || epoch_seconds > LAST_FOUR_DIGIT_SECOND) {
        json_writer_string(w, json_timestamp_text(w->pool, epoch_seconds));
        return;
    }
    civil_from_days(epoch_seconds / 86400, &y, &m, &d);
    o = two_digits(o, (int)(y / 100));
    o = two_digits(o, (int)(y % 100));
    *o++ = '-';
    o = two_digits(o, m);
    *o++ = '-';
    o = two_digits(o, d);
    *o++ = 'T';
    o = two_digits(o, (int)(secs / 3600));
    *o++ = ':';
    o = two_digits(o, (int)(secs / 60 % 60));
    *o++ = ':';
    o = two_digits(o, (int)(secs % 60));
    memcpy(o, ".000000Z", 8);
    json_writer_string_len(w, text, sizeof(text));
}

const char *json_writer_finish(json_writer *w, apr_size_t *len)
{
    w->buf[w->len] = '\0';
    if (len) {
        *len = w->len;
    }
    return w->buf;
}
