/*
 * Field rules (api.md 4.1 to 4.9) and input normalisation (api.md 1.3).
 * Messages are wire facts: they are written out exactly as the contract
 * gives them, including the ones without a final period.
 */
#include "fields.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

/* The lengths of the columns the fields are stored in (sql/0001_init.sql),
 * in characters as PostgreSQL's varchar(n) counts them: a longer value
 * must be a 422 here, never a refused INSERT (a 503). */
#define USERNAME_MAX_LENGTH 64   /* accounts.username */
#define PHONE_MAX_LENGTH 64      /* accounts.phone */
#define TEXT_MAX_LENGTH 255      /* accounts.email, display_name; dictionary key and value */

/* ---- normalisation -------------------------------------------------------- */

static int is_trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The trimmed copy, NULL when the value is already trimmed and not empty,
 * or JSON null (a NULL json_object *) through *to_null. */
static json_object *trimmed(json_object *str, int trim, int *to_null)
{
    const char *s = json_object_get_string(str);
    size_t len = (size_t)json_object_get_string_len(str);
    size_t start = 0, end = len;

    *to_null = 0;
    if (trim) {
        while (start < end && is_trim_space(s[start])) {
            start++;
        }
        while (end > start && is_trim_space(s[end - 1])) {
            end--;
        }
    }
    if (start == end) {
        *to_null = 1;
        return NULL;
    }
    if (start == 0 && end == len) {
        return NULL;
    }
    /* A fresh object: json-c copies with memcpy, so setting a string from
     * its own buffer would overlap. */
    return json_object_new_string_len(s + start, (int)(end - start));
}

static void normalize_value(json_object *o, int top_level);

static void normalize_object(json_object *o, int top_level)
{
    json_object_object_foreach(o, key, val) {
        if (json_object_is_type(val, json_type_string)) {
            /* Laravel's TrimStrings matches its exceptions against the dotted
             * key, so only the top-level parameters keep their spaces; empty
             * strings still become null (ConvertEmptyStringsToNull has no
             * exception). */
            int keep = top_level && (strcmp(key, "password") == 0
                                     || strcmp(key, "password_confirmation") == 0);
            int to_null;
            json_object *repl = trimmed(val, !keep, &to_null);
            if (repl || to_null) {
                /* Replacing the value of an existing key does not touch the
                 * table links, so the iteration goes on safely. */
                json_object_object_add(o, key, repl);
            }
        }
        else {
            normalize_value(val, 0);
        }
    }
}

static void normalize_array(json_object *a)
{
    size_t n = json_object_array_length(a);

    for (size_t i = 0; i < n; i++) {
        json_object *val = json_object_array_get_idx(a, i);
        if (json_object_is_type(val, json_type_string)) {
            int to_null;
            json_object *repl = trimmed(val, 1, &to_null);
            if (repl || to_null) {
                json_object_array_put_idx(a, i, repl);
            }
        }
        else {
            normalize_value(val, 0);
        }
    }
}

static void normalize_value(json_object *o, int top_level)
{
    if (json_object_is_type(o, json_type_object)) {
        normalize_object(o, top_level);
    }
    else if (json_object_is_type(o, json_type_array)) {
        normalize_array(o);
    }
}

void fields_normalize(json_object *params)
{
    normalize_value(params, 1);
}

/* ---- accessors ------------------------------------------------------------ */

/* 1 when the key exists; *val is then its value, NULL for JSON null. */
static int field_get(json_object *params, const char *field, json_object **val)
{
    *val = NULL;
    if (!params || !json_object_is_type(params, json_type_object)) {
        return 0;
    }
    return json_object_object_get_ex(params, field, val) ? 1 : 0;
}

int fields_present(json_object *params, const char *field)
{
    json_object *val;
    return field_get(params, field, &val);
}

const char *fields_string(json_object *params, const char *field)
{
    json_object *val;

    if (field_get(params, field, &val) && json_object_is_type(val, json_type_string)) {
        return json_object_get_string(val);
    }
    return NULL;
}

int fields_true(json_object *params, const char *field)
{
    json_object *val;

    if (!field_get(params, field, &val) || !val) {
        return 0;
    }
    switch (json_object_get_type(val)) {
    case json_type_boolean:
        return json_object_get_boolean(val) ? 1 : 0;
    case json_type_int:
        return json_object_get_int64(val) == 1;
    case json_type_string:
        return strcmp(json_object_get_string(val), "1") == 0;
    default:
        return 0;
    }
}

/* ---- shared rule helpers -------------------------------------------------- */

/* Laravel's validateRequired: PHP's trim() decides whether a string is
 * empty, which matters for the untrimmed password. */
static int required_fails(json_object *params, const char *field)
{
    json_object *val;

    if (!field_get(params, field, &val) || !val) {
        return 1;
    }
    switch (json_object_get_type(val)) {
    case json_type_string: {
        const char *s = json_object_get_string(val);
        size_t len = (size_t)json_object_get_string_len(val);
        for (size_t i = 0; i < len; i++) {
            /* PHP's trim() set: no \f, and NUL (matched by strchr) is in it. */
            if (!strchr(" \t\n\r\v", s[i])) {
                return 0;
            }
        }
        return 1;
    }
    case json_type_array:
        return json_object_array_length(val) == 0;
    case json_type_object:
        return json_object_object_length(val) == 0;
    default:
        return 0;
    }
}

int fields_required_fails(json_object *params, const char *field)
{
    return required_fails(params, field);
}

/* Laravel's mb_strlen: input is valid UTF-8 (the parser checks), so code
 * points are the bytes that are not continuation bytes. */
static size_t code_points(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

size_t fields_code_points(const char *s)
{
    return code_points(s, strlen(s));
}

static size_t string_code_points(json_object *str)
{
    return code_points(json_object_get_string(str), (size_t)json_object_get_string_len(str));
}

static void fail_min(validation *v, const char *field, int n)
{
    char text[80];
    /* validation_fail copies the filled template into its pool. */
    snprintf(text, sizeof(text), "The <attr> must be at least %d characters.", n);
    validation_fail(v, field, text);
}

static void fail_max(validation *v, const char *field, int n)
{
    char text[80];
    snprintf(text, sizeof(text), "The <attr> may not be greater than %d characters.", n);
    validation_fail(v, field, text);
}

/* pcre2 errors (match limits) count as "no match": a Space's pattern that
 * cannot decide must not crash a request. */
static int pattern_matches(const pcre2_code *re, const char *subject)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc;

    if (!md) {
        return 0;
    }
    rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ---- phone numbers (4.4) ---------------------------------------------------- */

typedef struct {
    const char *code;
    unsigned char min, max;   /* national significant number length */
} calling_code;

/* Assigned ITU-T E.164 country calling codes (geographic and the global
 * services libphonenumber knows), with plausible national number lengths.
 * Spare, reserved and discontinued codes are absent (e.g. 259, 379, 388,
 * 671, 684, 969, 991, 997). The set is prefix-free, so at most one entry
 * matches the start of a number. */
static const calling_code calling_codes[] = {
    { "1", 10, 10 },   { "7", 10, 10 },
    { "20", 7, 10 },   { "211", 9, 9 },   { "212", 9, 9 },   { "213", 8, 9 },
    { "216", 8, 8 },   { "218", 8, 9 },   { "220", 7, 7 },   { "221", 9, 9 },
    { "222", 8, 8 },   { "223", 8, 8 },   { "224", 8, 9 },   { "225", 8, 10 },
    { "226", 8, 8 },   { "227", 8, 8 },   { "228", 8, 8 },   { "229", 8, 10 },
    { "230", 7, 8 },   { "231", 7, 9 },   { "232", 8, 8 },   { "233", 9, 9 },
    { "234", 7, 10 },  { "235", 8, 8 },   { "236", 8, 8 },   { "237", 8, 9 },
    { "238", 7, 7 },   { "239", 7, 7 },   { "240", 9, 9 },   { "241", 7, 8 },
    { "242", 9, 9 },   { "243", 7, 9 },   { "244", 9, 9 },   { "245", 7, 9 },
    { "246", 7, 7 },   { "247", 4, 5 },   { "248", 7, 7 },   { "249", 9, 9 },
    { "250", 9, 9 },   { "251", 9, 9 },   { "252", 6, 9 },   { "253", 8, 8 },
    { "254", 6, 10 },  { "255", 9, 9 },   { "256", 9, 9 },   { "257", 8, 8 },
    { "258", 8, 9 },   { "260", 9, 9 },   { "261", 9, 9 },   { "262", 9, 9 },
    { "263", 5, 10 },  { "264", 6, 10 },  { "265", 7, 9 },   { "266", 8, 8 },
    { "267", 7, 8 },   { "268", 8, 8 },   { "269", 7, 7 },   { "27", 9, 9 },
    { "290", 4, 5 },   { "291", 7, 7 },   { "297", 7, 7 },   { "298", 6, 6 },
    { "299", 6, 6 },
    { "30", 10, 10 },  { "31", 9, 9 },    { "32", 8, 9 },    { "33", 9, 9 },
    { "34", 9, 9 },    { "350", 8, 8 },   { "351", 9, 9 },   { "352", 4, 11 },
    { "353", 7, 10 },  { "354", 7, 9 },   { "355", 6, 9 },   { "356", 8, 8 },
    { "357", 8, 8 },   { "358", 5, 12 },  { "359", 6, 9 },   { "36", 8, 9 },
    { "370", 8, 8 },   { "371", 8, 8 },   { "372", 7, 10 },  { "373", 8, 8 },
    { "374", 8, 8 },   { "375", 9, 10 },  { "376", 6, 9 },   { "377", 8, 9 },
    { "378", 6, 10 },  { "380", 9, 9 },   { "381", 8, 12 },  { "382", 8, 8 },
    { "383", 8, 8 },   { "385", 8, 9 },   { "386", 8, 8 },   { "387", 8, 9 },
    { "389", 8, 8 },   { "39", 6, 11 },
    { "40", 9, 9 },    { "41", 9, 9 },    { "420", 9, 9 },   { "421", 9, 9 },
    { "423", 7, 9 },   { "43", 4, 13 },   { "44", 7, 10 },   { "45", 8, 8 },
    { "46", 6, 10 },   { "47", 5, 8 },    { "48", 9, 9 },    { "49", 6, 13 },
    { "500", 5, 5 },   { "501", 7, 7 },   { "502", 8, 8 },   { "503", 8, 8 },
    { "504", 8, 8 },   { "505", 8, 8 },   { "506", 8, 8 },   { "507", 7, 8 },
    { "508", 6, 6 },   { "509", 8, 8 },   { "51", 8, 9 },    { "52", 10, 10 },
    { "53", 6, 8 },    { "54", 10, 11 },  { "55", 10, 11 },  { "56", 9, 9 },
    { "57", 8, 10 },   { "58", 10, 10 },  { "590", 9, 9 },   { "591", 8, 8 },
    { "592", 7, 7 },   { "593", 8, 9 },   { "594", 9, 9 },   { "595", 6, 9 },
    { "596", 9, 9 },   { "597", 6, 7 },   { "598", 7, 8 },   { "599", 7, 8 },
    { "60", 8, 10 },   { "61", 9, 9 },    { "62", 7, 12 },   { "63", 8, 10 },
    { "64", 8, 10 },   { "65", 8, 8 },    { "66", 8, 9 },    { "670", 7, 8 },
    { "672", 6, 6 },   { "673", 7, 7 },   { "674", 7, 7 },   { "675", 7, 8 },
    { "676", 5, 7 },   { "677", 5, 7 },   { "678", 5, 7 },   { "679", 7, 7 },
    { "680", 7, 7 },   { "681", 6, 6 },   { "682", 5, 5 },   { "683", 4, 7 },
    { "685", 5, 10 },  { "686", 5, 8 },   { "687", 6, 6 },   { "688", 5, 6 },
    { "689", 6, 8 },   { "690", 4, 7 },   { "691", 7, 7 },   { "692", 7, 7 },
    { "800", 8, 8 },   { "808", 8, 8 },   { "81", 9, 10 },   { "82", 8, 10 },
    { "84", 9, 10 },   { "850", 8, 10 },  { "852", 8, 8 },   { "853", 8, 8 },
    { "855", 8, 9 },   { "856", 8, 10 },  { "86", 5, 12 },   { "870", 9, 9 },
    { "878", 12, 12 }, { "880", 8, 10 },  { "881", 9, 10 },  { "882", 7, 12 },
    { "883", 9, 12 },  { "886", 8, 9 },   { "888", 11, 11 },
    { "90", 10, 10 },  { "91", 10, 10 },  { "92", 8, 11 },   { "93", 9, 9 },
    { "94", 9, 9 },    { "95", 7, 10 },   { "960", 7, 7 },   { "961", 7, 8 },
    { "962", 8, 9 },   { "963", 8, 9 },   { "964", 8, 10 },  { "965", 7, 8 },
    { "966", 8, 9 },   { "967", 7, 9 },   { "968", 8, 8 },   { "970", 8, 9 },
    { "971", 8, 9 },   { "972", 8, 9 },   { "973", 8, 8 },   { "974", 7, 8 },
    { "975", 7, 8 },   { "976", 8, 9 },   { "977", 8, 10 },  { "979", 9, 9 },
    { "98", 10, 10 },  { "992", 9, 9 },   { "993", 8, 8 },   { "994", 9, 9 },
    { "995", 9, 9 },   { "996", 9, 9 },   { "998", 9, 9 },
};

#define PHONE_MIN_DIGITS 7
#define PHONE_MAX_DIGITS 15

/* The table entry of a valid number, NULL when it is not one. */
static const calling_code *phone_lookup(const char *phone)
{
    char digits[PHONE_MAX_DIGITS + 1];
    size_t n = 0;
    const char *c = phone;

    if (!phone) {
        return NULL;
    }
    while (*c && strchr(" -.()", *c)) {
        c++;
    }
    if (*c != '+') {
        return NULL;
    }
    for (c++; *c; c++) {
        if (strchr(" -.()", *c)) {
            continue;
        }
        if (!isdigit((unsigned char)*c) || n == PHONE_MAX_DIGITS) {
            return NULL;
        }
        digits[n++] = *c;
    }
    digits[n] = '\0';
    if (n < PHONE_MIN_DIGITS) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(calling_codes) / sizeof(calling_codes[0]); i++) {
        const calling_code *cc = &calling_codes[i];
        size_t code_len = strlen(cc->code);
        if (strncmp(digits, cc->code, code_len) == 0) {
            size_t national = n - code_len;
            return national >= cc->min && national <= cc->max ? cc : NULL;
        }
    }
    return NULL;
}

int fields_phone_valid(apr_pool_t *p, const char *phone, const char **calling_code_out)
{
    const calling_code *cc = phone_lookup(phone);

    if (cc && calling_code_out) {
        *calling_code_out = p ? apr_pstrdup(p, cc->code) : cc->code;
    }
    return cc != NULL;
}

int fields_phone_country_allowed(const accounts_space *rules, const char *calling_code)
{
    if (!rules || !rules->phone_countries || rules->phone_countries->nelts == 0) {
        return 1;
    }
    for (int i = 0; i < rules->phone_countries->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(rules->phone_countries, i, const char *), calling_code) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- email (4.3) ------------------------------------------------------------ */

static int is_atext(char c)
{
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* ASCII only: RFC 5322 text, no SMTPUTF8. Returns the local part length
 * (octets, quotes included), 0 when it is malformed. */
static size_t email_local_part(const char *s)
{
    size_t i = 0;

    if (s[0] == '"') {
        for (i = 1;; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                c = (unsigned char)s[++i];
            }
            /* Printable ASCII and the space: no tab, no control character. */
            if (c < 0x20 || c > 0x7e) {
                return 0;
            }
        }
    }
    for (; s[i] && s[i] != '@'; i++) {
        if (s[i] == '.') {
            if (i == 0 || s[i - 1] == '.' || s[i + 1] == '@' || s[i + 1] == '\0') {
                return 0;
            }
        }
        else if (!is_atext(s[i])) {
            return 0;
        }
    }
    return i;
}

static int email_domain_valid(const char *d)
{
    size_t len = strlen(d);

    if (len == 0) {
        return 0;
    }
    if (d[0] == '[') {
        if (len < 3 || d[len - 1] != ']') {
            return 0;
        }
        for (size_t i = 1; i < len - 1; i++) {
            unsigned char c = (unsigned char)d[i];
            /* dtext: printable ASCII but the brackets and the backslash. */
            if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') {
                return 0;
            }
        }
        return 1;
    }
    for (size_t i = 0, label = 0; i <= len; i++) {
        if (d[i] == '.' || d[i] == '\0') {
            if (i == label || d[label] == '-' || d[i - 1] == '-') {
                return 0;
            }
            label = i + 1;
        }
        else if (!isalnum((unsigned char)d[i]) && d[i] != '-') {
            return 0;
        }
    }
    return 1;
}

static int email_valid(const char *s)
{
    size_t local = email_local_part(s);

    if (local == 0 || local > 64 || s[local] != '@') {
        return 0;
    }
    return email_domain_valid(s + local + 1);
}

int fields_email_valid(const char *s)
{
    return s && email_valid(s);
}

/* ---- the rules -------------------------------------------------------------- */

void fields_check_username(validation *v, json_object *params, const accounts_space *rules,
                           int admin_endpoint, const field_lookups *db)
{
    static const char *const field = "username";
    json_object *val;
    const char *name;
    size_t len;

    if (required_fails(params, field)) {
        validation_fail(v, field, RULE_REQUIRED);
        return;
    }
    field_get(params, field, &val);
    if (!json_object_is_type(val, json_type_string)) {
        validation_fail(v, field, RULE_STRING);
        return;
    }
    name = json_object_get_string(val);
    len = string_code_points(val);
    if (len < 6) {
        fail_min(v, field, 6);
    }
    if (len > USERNAME_MAX_LENGTH) {
        fail_max(v, field, USERNAME_MAX_LENGTH);
    }
    for (const char *c = name; *c; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            validation_add(v, field, "No uppercase letters are allowed.");
            break;
        }
    }
    if (!(admin_endpoint && rules && rules->allow_phone_username == 1)
        && fields_phone_valid(NULL, name, NULL)) {
        validation_add(v, field, "The username should not be a phone number");
    }
    if (rules && rules->blacklist) {
        for (int i = 0; i < rules->blacklist->nelts; i++) {
            const space_blacklist_item *item =
                &APR_ARRAY_IDX(rules->blacklist, i, space_blacklist_item);
            if (strcmp(name, item->literal) == 0
                || (item->pattern && pattern_matches(item->pattern, name))) {
                validation_add(v, field, "Username already used.");
                break;
            }
        }
    }
    if (rules && rules->username_pattern && !pattern_matches(rules->username_pattern, name)) {
        validation_add(v, field, "The username should be a valid SIP username");
    }
    if (db && db->username_taken) {
        validation_add(v, field, "The username has already been taken.");
    }
    if (db && db->username_tombstoned) {
        validation_add(v, field, "The username has already been taken.");
    }
}

void fields_check_password(validation *v, json_object *params, int min_length)
{
    static const char *const field = "password";
    json_object *val;

    if (required_fails(params, field)) {
        validation_fail(v, field, RULE_REQUIRED);
        return;
    }
    field_get(params, field, &val);
    if (!json_object_is_type(val, json_type_string)) {
        validation_fail(v, field, RULE_STRING);
        return;
    }
    if (min_length > 0 && string_code_points(val) < (size_t)min_length) {
        fail_min(v, field, min_length);
    }
}

void fields_check_algorithm(validation *v, json_object *params)
{
    static const char *const field = "algorithm";
    const char *s;

    if (required_fails(params, field)) {
        validation_fail(v, field, RULE_REQUIRED);
        return;
    }
    s = fields_string(params, field);
    if (!s || (strcmp(s, "MD5") != 0 && strcmp(s, "SHA-256") != 0)) {
        validation_add(v, field, "The password algorithm must be in MD5, SHA-256");
    }
}

void fields_check_email(validation *v, json_object *params, const accounts_space *rules,
                        const field_lookups *db)
{
    static const char *const field = "email";
    json_object *val;

    if (!field_get(params, field, &val) || !val) {
        return;
    }
    if (!json_object_is_type(val, json_type_string)) {
        validation_fail(v, field, "The <attr> must be a valid email address.");
        return;
    }
    if (!email_valid(json_object_get_string(val))) {
        validation_fail(v, field, "The <attr> must be a valid email address.");
    }
    if (string_code_points(val) > TEXT_MAX_LENGTH) {
        fail_max(v, field, TEXT_MAX_LENGTH);
    }
    if (rules && rules->email_unique == 1 && db && db->email_taken) {
        validation_add(v, field, "The email has already been taken.");
    }
}

void fields_check_phone(validation *v, json_object *params, const accounts_space *rules,
                        const field_lookups *db)
{
    static const char *const field = "phone";
    json_object *val;
    const char *code = NULL;
    int allowed;

    if (!field_get(params, field, &val) || !val) {
        return;
    }
    if (!json_object_is_type(val, json_type_string)) {
        validation_add(v, field, "The phone field contains an invalid number.");
        validation_add(v, field, "The phone number must belong to an authorized country.");
        return;
    }
    if (!fields_phone_valid(NULL, json_object_get_string(val), &code)) {
        validation_add(v, field, "The phone field contains an invalid number.");
    }
    /* A number without a country belongs to no authorized one. */
    allowed = code != NULL && fields_phone_country_allowed(rules, code);
    if (!allowed) {
        validation_add(v, field, "The phone number must belong to an authorized country.");
    }
    if (db && db->phone_taken) {
        validation_add(v, field, "The phone has already been taken.");
    }
    if (db && db->phone_is_username) {
        validation_add(v, field, "The phone has already been taken.");
    }
    /* Not in the contract's list (4.4), so last: separators are not
     * counted among the 15 digits, and the column holds 64 characters. */
    if (string_code_points(val) > PHONE_MAX_LENGTH) {
        fail_max(v, field, PHONE_MAX_LENGTH);
    }
}

void fields_check_dtmf_protocol(validation *v, json_object *params)
{
    static const char *const field = "dtmf_protocol";
    json_object *val;
    const char *s;

    if (!field_get(params, field, &val) || !val) {
        return;
    }
    s = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
    if (!s || (strcmp(s, "sipinfo") != 0 && strcmp(s, "rfc2833") != 0
               && strcmp(s, "sipmessage") != 0)) {
        validation_fail(v, field, RULE_IN);
    }
}

/* PHP turns such array keys into integers: ^(0|-?[1-9][0-9]*)$. */
static int looks_like_integer_key(const char *key)
{
    const char *c = key;

    if (strcmp(key, "0") == 0) {
        return 1;
    }
    if (*c == '-') {
        c++;
    }
    if (*c < '1' || *c > '9') {
        return 0;
    }
    for (c++; *c; c++) {
        if (!isdigit((unsigned char)*c)) {
            return 0;
        }
    }
    return 1;
}

static int dictionary_valid(json_object *val)
{
    if (json_object_is_type(val, json_type_array)) {
        return json_object_array_length(val) == 0;
    }
    if (!json_object_is_type(val, json_type_object)) {
        return 0;
    }
    json_object_object_foreach(val, key, item) {
        size_t key_len = code_points(key, strlen(key));
        size_t item_len;
        if (key_len == 0 || key_len > TEXT_MAX_LENGTH || looks_like_integer_key(key)) {
            return 0;
        }
        if (!json_object_is_type(item, json_type_string)) {
            return 0;
        }
        item_len = string_code_points(item);
        if (item_len == 0 || item_len > TEXT_MAX_LENGTH) {
            return 0;
        }
    }
    return 1;
}

void fields_check_dictionary(validation *v, json_object *params)
{
    static const char *const field = "dictionary";
    json_object *val;

    if (!field_get(params, field, &val)) {
        return;
    }
    if (!dictionary_valid(val)) {
        validation_add(v, field, "The dictionary must be an associative dictionary of strings");
    }
}

void fields_check_domain(validation *v, json_object *params, const space_registry *registry)
{
    static const char *const field = "domain";
    json_object *val;

    if (!field_get(params, field, &val)) {
        return;
    }
    if (!json_object_is_type(val, json_type_string)
        || !space_registry_find(registry, json_object_get_string(val))) {
        validation_fail(v, field, RULE_IN);
    }
}

void fields_check_boolean(validation *v, json_object *params, const char *field)
{
    json_object *val;
    int ok;

    if (!field_get(params, field, &val) || !val) {
        return;
    }
    switch (json_object_get_type(val)) {
    case json_type_boolean:
        ok = 1;
        break;
    case json_type_int: {
        int64_t n = json_object_get_int64(val);
        ok = n == 0 || n == 1;
        break;
    }
    case json_type_string: {
        const char *s = json_object_get_string(val);
        ok = strcmp(s, "0") == 0 || strcmp(s, "1") == 0;
        break;
    }
    default:
        ok = 0;
        break;
    }
    if (!ok) {
        validation_fail(v, field, RULE_BOOLEAN);
    }
}

void fields_check_display_name(validation *v, json_object *params)
{
    static const char *const field = "display_name";
    json_object *val;

    if (!field_get(params, field, &val) || !val) {
        return;
    }
    if (!json_object_is_type(val, json_type_string)) {
        validation_fail(v, field, RULE_STRING);
        return;
    }
    if (string_code_points(val) > TEXT_MAX_LENGTH) {
        fail_max(v, field, TEXT_MAX_LENGTH);
    }
}

/* ---- dictionary entries (api-lifecycle.md 7.1) ------------------------------ */

void fields_check_dictionary_key(validation *v, const char *key)
{
    if (fields_code_points(key) > TEXT_MAX_LENGTH) {
        fail_max(v, "key", TEXT_MAX_LENGTH);
    }
}

/* Stricter than FlexiAPI's "required" alone (api-lifecycle.md 1.6 item 5):
 * a number would be stored as its text there, an array fail with a 500. */
void fields_check_dictionary_value(validation *v, json_object *params)
{
    static const char *const field = "value";
    json_object *val;

    if (required_fails(params, field)) {
        validation_fail(v, field, RULE_REQUIRED);
        return;
    }
    field_get(params, field, &val);
    if (!json_object_is_type(val, json_type_string)) {
        validation_fail(v, field, RULE_STRING);
        return;
    }
    if (string_code_points(val) > TEXT_MAX_LENGTH) {
        fail_max(v, field, TEXT_MAX_LENGTH);
    }
}

/* ---- account types and actions (api-lifecycle.md 7.2, 7.3) ---------------- */

#define LABEL_MAX_LENGTH 255

void fields_check_label(validation *v, json_object *params, const char *field,
                        int dashes_allowed, const char **text)
{
    json_object *val;
    const char *s;
    int alpha_ok = 1, has_upper = 0;

    *text = NULL;
    if (required_fails(params, field)) {
        validation_fail(v, field, RULE_REQUIRED);
        return;
    }
    field_get(params, field, &val);
    if (!json_object_is_type(val, json_type_string) && !json_object_is_type(val, json_type_int)) {
        validation_fail(v, field, dashes_allowed ? RULE_ALPHA_DASH : RULE_ALPHA_NUM);
        return;
    }
    s = json_object_get_string(val);
    for (const char *c = s; *c; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            has_upper = 1;
        }
        else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
                   || (dashes_allowed && (*c == '-' || *c == '_')))) {
            alpha_ok = 0;
        }
    }
    if (!alpha_ok) {
        validation_fail(v, field, dashes_allowed ? RULE_ALPHA_DASH : RULE_ALPHA_NUM);
    }
    if (has_upper) {
        validation_add(v, field, "No uppercase letters are allowed.");
    }
    if (fields_code_points(s) > LABEL_MAX_LENGTH) {
        fail_max(v, field, LABEL_MAX_LENGTH);
    }
    if (alpha_ok && !has_upper && fields_code_points(s) <= LABEL_MAX_LENGTH) {
        *text = s;
    }
}
