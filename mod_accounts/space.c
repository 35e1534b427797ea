/*
 * Space settings: parsing and validating each directive, merging a virtual
 * host over the global defaults, deriving values once at startup, and the
 * registry of every Space keyed by SIP domain.
 */
#include "space.h"
#include "command.h"
#include "crypto.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

const space_setting space_settings[SPACE_SETTING_COUNT] = {
#define X(id, directive, args, kind, field, def, help) \
    { SPACE_SETTING_##id, directive, kind, offsetof(accounts_space, field), def, help },
    ACCOUNTS_SPACE_SETTINGS(X)
#undef X
};

const char *const space_ui_names[SPACE_UI_COUNT] = {
    "super", "disable_chat_feature", "disable_meetings_feature",
    "disable_broadcast_feature", "hide_settings", "hide_account_settings",
    "disable_call_recordings_feature", "only_display_sip_uri_username",
    "assistant_hide_create_account", "assistant_disable_qr_code",
    "assistant_hide_third_party_account", "max_account"
};

/* Linphone's defaults: everything 0 but the broadcast feature, which is off. */
static const int space_ui_defaults[SPACE_UI_COUNT] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };

#define MAX_SETTING_NUMBER 2147483647L

static int is_text_kind(setting_kind kind)
{
    return kind != SETTING_FLAG && kind != SETTING_COUNT && kind != SETTING_MINUTES
           && kind != SETTING_POSITIVE_MINUTES;
}

static const char **text_slot(accounts_space *sp, const space_setting *def)
{
    return (const char **)((char *)sp + def->offset);
}

static long *number_slot(accounts_space *sp, const space_setting *def)
{
    return (long *)((char *)sp + def->offset);
}

static int *flag_slot(accounts_space *sp, const space_setting *def)
{
    return (int *)((char *)sp + def->offset);
}

const space_setting *space_setting_find(const char *directive)
{
    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        if (strcasecmp(space_settings[i].directive, directive) == 0) {
            return &space_settings[i];
        }
    }
    return NULL;
}

accounts_space *space_create(apr_pool_t *p)
{
    accounts_space *sp = apr_pcalloc(p, sizeof(*sp));

    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        const space_setting *def = &space_settings[i];
        if (def->kind == SETTING_FLAG) {
            *flag_slot(sp, def) = -1;
        }
        else if (!is_text_kind(def->kind)) {
            *number_slot(sp, def) = -1;
        }
    }
    return sp;
}

/* ---- validators: each returns NULL or the reason, without the name ---- */

/* A program path (absolute: no PATH search happens) and its fixed words. */
static const char *check_command(apr_pool_t *p, const char *arg)
{
    apr_array_header_t *words;
    const char *why = command_split(p, arg, &words);

    if (why) {
        return why;
    }
    if (APR_ARRAY_IDX(words, 0, const char *)[0] != '/') {
        return "must start with the absolute path of the program";
    }
    for (const char *c = arg; *c; c++) {
        if ((unsigned char)*c < 0x20 && *c != '\t') {
            return "must be one line without control characters";
        }
    }
    return NULL;
}

/* TABLE or SCHEMA.TABLE, each part [A-Za-z_][A-Za-z0-9_]*: the table name is
 * handed to SQL (as a regclass), so nothing else may reach it. */
static const char *check_sql_table(const char *arg)
{
    int parts = 1, at_start = 1;

    for (const char *c = arg; *c; c++) {
        if (*c == '.' && !at_start && parts == 1) {
            parts++;
            at_start = 1;
            continue;
        }
        if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
              || (!at_start && *c >= '0' && *c <= '9'))) {
            return "must be a table name: TABLE or SCHEMA.TABLE, each [A-Za-z_][A-Za-z0-9_]*";
        }
        at_start = 0;
    }
    return at_start ? "must be a table name: TABLE or SCHEMA.TABLE, each [A-Za-z_][A-Za-z0-9_]*"
                    : NULL;
}

/* NAME:VALUE words, both parts non-empty (split at the first colon). */
static const char *check_keymap(const char *arg)
{
    const char *s = arg;

    if (!*arg) {
        return "must not be empty";
    }
    while (*s) {
        const char *start, *colon = NULL;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!*s) {
            break;
        }
        start = s;
        while (*s && *s != ' ' && *s != '\t') {
            if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f) {
                return "must be one line without control characters";
            }
            if (*s == ':' && !colon) {
                colon = s;
            }
            s++;
        }
        if (!colon || colon == start || colon + 1 == s) {
            return "must be space-separated PARAM:KEY pairs";
        }
    }
    return NULL;
}

static int has_control_chars(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 1;
        }
    }
    return 0;
}

static const char *check_hostname(const char *s)
{
    size_t len = strlen(s);
    const char *label = s;

    if (len == 0 || len > 64) {
        return "must be a host name of 1 to 64 characters";
    }
    for (const char *c = s;; c++) {
        if (*c == '.' || *c == '\0') {
            if (c == label || label[0] == '-' || c[-1] == '-') {
                return "must be a host name (letters, digits, '-' and '.', no empty label)";
            }
            if (*c == '\0') {
                break;
            }
            label = c + 1;
        }
        else if (!isalnum((unsigned char)*c) && *c != '-') {
            return "must be a host name (letters, digits, '-' and '.')";
        }
    }
    return NULL;
}

static const char *parse_number(const char *arg, long *out)
{
    long v = 0;

    if (!*arg) {
        return "must be a non-negative integer";
    }
    for (const char *c = arg; *c; c++) {
        if (!isdigit((unsigned char)*c)) {
            return "must be a non-negative integer";
        }
        v = v * 10 + (*c - '0');
        if (v > MAX_SETTING_NUMBER) {
            return "is too large";
        }
    }
    *out = v;
    return NULL;
}

static pcre2_code *compile_pattern(const char *pattern, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF, &code, &offset, NULL);
    if (!re && err) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, errlen, "%s at offset %lu", (const char *)msg,
                 (unsigned long)offset);
    }
    return re;
}

static apr_status_t free_pattern(void *re)
{
    pcre2_code_free(re);
    return APR_SUCCESS;
}

/* A compiled pattern that lives as long as the pool. */
static pcre2_code *pool_pattern(apr_pool_t *p, const char *pattern)
{
    pcre2_code *re = compile_pattern(pattern, NULL, 0);
    if (re) {
        apr_pool_cleanup_register(p, re, free_pattern, apr_pool_cleanup_null);
    }
    return re;
}

static const char *check_url(const char *arg)
{
    const char *host;

    if (strncmp(arg, "https://", 8) == 0) {
        host = arg + 8;
    }
    else if (strncmp(arg, "http://", 7) == 0) {
        host = arg + 7;
    }
    else {
        return "must start with http:// or https://";
    }
    if (!*host || *host == '/') {
        return "must name a host after the scheme";
    }
    for (const char *c = arg; *c; c++) {
        if (isspace((unsigned char)*c) || (unsigned char)*c < 0x20 || *c == '"'
            || *c == '<' || *c == '>') {
            return "must not contain spaces, quotes or control characters";
        }
    }
    return NULL;
}

static const char *check_hostport(const char *arg)
{
    const char *colon;

    if (!*arg || has_control_chars(arg) || strpbrk(arg, " \t/\"")) {
        return "must be HOST or HOST:PORT";
    }
    colon = arg[0] == '[' ? strstr(arg, "]:") : strrchr(arg, ':');
    if (colon) {
        long port;
        const char *digits = colon + (arg[0] == '[' ? 2 : 1);
        if (parse_number(digits, &port) || port < 1 || port > 65535) {
            return "has an invalid port (1 to 65535)";
        }
    }
    return NULL;
}

static const char *check_email(const char *arg)
{
    const char *at = strchr(arg, '@');

    if (!at || at == arg || !at[1] || strchr(at + 1, '@')) {
        return "must be an email address (local@domain)";
    }
    for (const char *c = arg; *c; c++) {
        if ((unsigned char)*c <= 0x20 || *c == 0x7f || strchr("<>\"(),;:\\[]", *c)) {
            return "must be a plain email address (no spaces, quotes or brackets)";
        }
    }
    return NULL;
}

static const char *check_date(const char *arg, apr_time_t *out)
{
    static const int days_in_month[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d;
    char tail;

    if (strlen(arg) != 10 || arg[4] != '-' || arg[7] != '-'
        || sscanf(arg, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3
        || m < 1 || m > 12 || d < 1 || d > days_in_month[m - 1]
        || (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        || y < 1970) {
        return "must be a date YYYY-MM-DD";
    }
    if (out) {
        /* The Space works through its expiry day (UTC) and stops at the
         * next midnight. Days since 1970-01-01 by the civil-from-days
         * inverse (Howard Hinnant's algorithm). */
        int yy = y - (m <= 2);
        int era = yy / 400;
        int yoe = yy - era * 400;
        int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        long days = (long)era * 146097 + doe - 719468;
        *out = apr_time_from_sec((apr_time_t)(days + 1) * 86400);
    }
    return NULL;
}

static const char *check_countries_word(const char *arg)
{
    size_t len = strlen(arg);

    if (len < 1 || len > 3 || arg[0] == '0') {
        return "must be country calling codes of 1 to 3 digits (e.g. 33 31 1)";
    }
    for (const char *c = arg; *c; c++) {
        if (!isdigit((unsigned char)*c)) {
            return "must be country calling codes of 1 to 3 digits (e.g. 33 31 1)";
        }
    }
    return NULL;
}

static int ui_index(const char *name)
{
    for (int i = 0; i < SPACE_UI_COUNT; i++) {
        if (strcmp(space_ui_names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *check_ui(apr_pool_t *p, const char *name, const char *value)
{
    long v;
    int idx = ui_index(name);

    if (idx < 0) {
        return apr_psprintf(p, "unknown Linphone ui entry '%s'", name);
    }
    if (idx == 0) {
        return "the ui entry 'super' comes from AccountsSuperSpace";
    }
    if (parse_number(value, &v)) {
        return apr_psprintf(p, "value of '%s' must be a non-negative integer", name);
    }
    return NULL;
}

/* A SIP URI as Linphone's reg_proxy/reg_route take it: sip: or sips:, a
 * host, then anything URI parameters hold, optionally inside <>; nothing
 * that would need escaping in the provisioning document or end its value. */
static const char *check_sip_uri(const char *arg)
{
    static const char *const usage = "must be a SIP URI such as <sip:proxy.example.org;transport=tls>";
    size_t len = strlen(arg);
    int bracketed = len > 2 && arg[0] == '<' && arg[len - 1] == '>';
    const char *uri = arg + bracketed, *host;
    size_t uri_len = len - 2 * bracketed;

    for (size_t i = 0; i < uri_len; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= 0x20 || c == 0x7f || strchr("\"'&<>", c)) {
            return usage;
        }
    }
    if (strncasecmp(uri, "sip:", 4) == 0) {
        host = uri + 4;
    }
    else if (strncasecmp(uri, "sips:", 5) == 0) {
        host = uri + 5;
    }
    else {
        return usage;
    }
    if (host >= uri + uri_len || *host == ';' || *host == ':' || *host == '>') {
        return usage;
    }
    return NULL;
}

const char *space_setting_set(apr_pool_t *p, accounts_space *sp,
                              const space_setting *def,
                              const char *arg, const char *arg2)
{
    const char *why = NULL;
    const char **text = text_slot(sp, def);
    char err[160];

    if (!arg) {
        arg = "";
    }
    switch (def->kind) {
    case SETTING_FLAG:
        if (strcasecmp(arg, "On") == 0) {
            *flag_slot(sp, def) = 1;
        }
        else if (strcasecmp(arg, "Off") == 0) {
            *flag_slot(sp, def) = 0;
        }
        else {
            why = "must be On or Off";
        }
        break;
    case SETTING_COUNT:
    case SETTING_MINUTES:
        why = parse_number(arg, number_slot(sp, def));
        break;
    case SETTING_POSITIVE_MINUTES: {
        long v = 0;
        why = parse_number(arg, &v);
        if (!why && v < 1) {
            why = "must be at least 1 minute";
        }
        if (!why) {
            *number_slot(sp, def) = v;
        }
        break;
    }
    case SETTING_DOMAIN:
        if (!(why = check_hostname(arg))) {
            char *lower = apr_pstrdup(p, arg);
            for (char *c = lower; *c; c++) {
                *c = (char)tolower((unsigned char)*c);
            }
            *text = lower;
        }
        break;
    case SETTING_TEXT:
        if (!*arg) {
            why = "must not be empty";
        }
        else if (has_control_chars(arg)) {
            why = "must be one line without control characters";
        }
        else {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_REALM:
        if (!*arg || has_control_chars(arg) || strpbrk(arg, "\"\\")) {
            why = "must be non-empty, without quotes, backslashes or control characters";
        }
        else {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_SECRET:
        if (!*arg) {
            why = "must not be empty";
        }
        else {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_ALGORITHM:
        if (strcasecmp(arg, "MD5") == 0) {
            *text = "MD5";
        }
        else if (strcasecmp(arg, "SHA-256") == 0) {
            *text = "SHA-256";
        }
        else {
            why = apr_psprintf(p, "unknown algorithm '%s' (use MD5 or SHA-256)", arg);
        }
        break;
    case SETTING_REGEX: {
        pcre2_code *re = compile_pattern(arg, err, sizeof(err));
        if (!re) {
            why = apr_psprintf(p, "invalid regular expression: %s", err);
        }
        else {
            pcre2_code_free(re);
            *text = apr_pstrdup(p, arg);
        }
        break;
    }
    case SETTING_BLACKLIST:
        /* Any item is acceptable: one that is not a valid pattern is a literal. */
        *text = apr_pstrdup(p, arg);
        break;
    case SETTING_HOSTPORT:
        if (!(why = check_hostport(arg))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_URL_OR_NONE:
        if (strcasecmp(arg, "none") == 0) {
            *text = "none";
            break;
        }
        /* fall through */
    case SETTING_URL:
        if (!(why = check_url(arg))) {
            char *url = apr_pstrdup(p, arg);
            size_t len = strlen(url);
            while (len > 0 && url[len - 1] == '/') {
                url[--len] = '\0';
            }
            *text = url;
        }
        break;
    case SETTING_SIP_URI:
        if (!(why = check_sip_uri(arg))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_EMAIL:
        if (!(why = check_email(arg))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_COUNTRIES:
        /* ITERATE: one call per word; words accumulate within one context. */
        if (!(why = check_countries_word(arg))) {
            *text = *text ? apr_pstrcat(p, *text, " ", arg, NULL) : apr_pstrdup(p, arg);
        }
        break;
    case SETTING_FILE: {
        apr_file_t *f;
        apr_status_t rv = apr_file_open(&f, arg, APR_FOPEN_READ, APR_OS_DEFAULT, p);
        if (rv != APR_SUCCESS) {
            char buf[120];
            why = apr_psprintf(p, "cannot read '%s': %s", arg,
                               apr_strerror(rv, buf, sizeof(buf)));
        }
        else {
            apr_file_close(f);
            *text = apr_pstrdup(p, arg);
        }
        break;
    }
    case SETTING_UI:
        if (!(why = check_ui(p, arg, arg2 ? arg2 : ""))) {
            const char *item = apr_pstrcat(p, arg, "=", arg2, NULL);
            *text = *text ? apr_pstrcat(p, *text, " ", item, NULL) : item;
        }
        break;
    case SETTING_DATE:
        if (!(why = check_date(arg, NULL))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_COMMAND:
        if (!(why = check_command(p, arg))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_KEYMAP:
        if (!(why = check_keymap(arg))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    case SETTING_SQL_TABLE:
        if (!(why = check_sql_table(arg))) {
            *text = apr_pstrdup(p, arg);
        }
        break;
    }
    if (why) {
        return apr_psprintf(p, "%s: '%s' %s", def->directive, arg, why);
    }
    return NULL;
}

accounts_space *space_merge(apr_pool_t *p, const accounts_space *base,
                            const accounts_space *add)
{
    accounts_space *sp = space_create(p);

    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        const space_setting *def = &space_settings[i];
        accounts_space *b = (accounts_space *)base, *a = (accounts_space *)add;

        if (def->kind == SETTING_FLAG) {
            int v = *flag_slot(a, def);
            *flag_slot(sp, def) = v != -1 ? v : *flag_slot(b, def);
        }
        else if (!is_text_kind(def->kind)) {
            long v = *number_slot(a, def);
            *number_slot(sp, def) = v != -1 ? v : *number_slot(b, def);
        }
        else if (def->kind == SETTING_UI && *text_slot(a, def) && *text_slot(b, def)) {
            /* Repeatable NAME VALUE pairs: the virtual host's pairs override
             * the global ones name by name (later pairs win when parsed). */
            *text_slot(sp, def) = apr_pstrcat(p, *text_slot(b, def), " ",
                                              *text_slot(a, def), NULL);
        }
        else {
            const char *v = *text_slot(a, def);
            *text_slot(sp, def) = v ? v : *text_slot(b, def);
        }
    }
    return sp;
}

static void resolve_blacklist(apr_pool_t *p, accounts_space *sp)
{
    char *list = apr_pstrdup(p, sp->blacklisted_usernames ? sp->blacklisted_usernames : "");
    char *state;

    sp->blacklist = apr_array_make(p, 4, sizeof(space_blacklist_item));
    for (char *item = apr_strtok(list, ",", &state); item;
         item = apr_strtok(NULL, ",", &state)) {
        space_blacklist_item *entry;
        char *end;

        while (isspace((unsigned char)*item)) {
            item++;
        }
        end = item + strlen(item);
        while (end > item && isspace((unsigned char)end[-1])) {
            *--end = '\0';
        }
        if (!*item) {
            continue;
        }
        entry = apr_array_push(sp->blacklist);
        entry->literal = item;
        entry->pattern = pool_pattern(p, item);
    }
}

static void resolve_words(apr_pool_t *p, const char *text, apr_array_header_t *out)
{
    char *copy = apr_pstrdup(p, text ? text : "");
    char *state;

    for (char *w = apr_strtok(copy, " ", &state); w; w = apr_strtok(NULL, " ", &state)) {
        *(const char **)apr_array_push(out) = w;
    }
}

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        *--end = '\0';
    }
    return s;
}

apr_array_header_t *space_parse_sections(apr_pool_t *p, const char *text, const char **error)
{
    apr_array_header_t *sections = apr_array_make(p, 4, sizeof(space_section));
    space_section *current = NULL;
    char *rest = apr_pstrdup(p, text);
    int n = 0;

    /* Line by line, blank ones included, so errors name the real line. */
    while (rest) {
        char *line = rest, *nl = strchr(rest, '\n');
        char *l;

        if (nl) {
            *nl = '\0';
            rest = nl + 1;
        }
        else {
            rest = NULL;
        }
        n++;
        l = trim(line);
        if (!*l || *l == ';' || *l == '#') {
            continue;
        }
        if (*l == '[') {
            char *close = strchr(l, ']');
            if (!close || close == l + 1 || *trim(close + 1)) {
                *error = apr_psprintf(p, "line %d: a section header is [name]", n);
                return NULL;
            }
            *close = '\0';
            current = apr_array_push(sections);
            current->name = trim(l + 1);
            current->entries = apr_array_make(p, 4, sizeof(space_entry));
        }
        else {
            char *eq = strchr(l, '=');
            space_entry *e;
            if (!eq || !current || eq == l) {
                *error = apr_psprintf(p, "line %d: expected key = value inside a [section]", n);
                return NULL;
            }
            *eq = '\0';
            e = apr_array_push(current->entries);
            e->key = trim(l);
            e->value = trim(eq + 1);
        }
    }
    return sections;
}

/* The custom provisioning sections of the configured INI file. */
static const char *read_sections(apr_pool_t *p, accounts_space *sp)
{
    apr_file_t *f;
    apr_finfo_t info;
    apr_size_t len;
    char *text;
    const char *error = NULL;

    sp->provisioning_custom = apr_array_make(p, 1, sizeof(space_section));
    if (!sp->provisioning_sections) {
        return NULL;
    }
    if (apr_file_open(&f, sp->provisioning_sections, APR_FOPEN_READ, APR_OS_DEFAULT, p) != APR_SUCCESS
        || apr_file_info_get(&info, APR_FINFO_SIZE, f) != APR_SUCCESS) {
        return apr_psprintf(p, "AccountsProvisioningSections: cannot read '%s'",
                            sp->provisioning_sections);
    }
    len = (apr_size_t)info.size;
    text = apr_palloc(p, len + 1);
    if (apr_file_read_full(f, text, len, &len) != APR_SUCCESS) {
        apr_file_close(f);
        return apr_psprintf(p, "AccountsProvisioningSections: cannot read '%s'",
                            sp->provisioning_sections);
    }
    apr_file_close(f);
    text[len] = '\0';
    sp->provisioning_custom = space_parse_sections(p, text, &error);
    if (!sp->provisioning_custom) {
        return apr_psprintf(p, "AccountsProvisioningSections: '%s' %s",
                            sp->provisioning_sections, error);
    }
    return NULL;
}

const char *space_resolve(apr_pool_t *p, accounts_space *sp,
                          const char *server_name, const char *secret)
{
    apr_array_header_t *ui_items;

    if (sp->resolved) {
        return NULL;
    }
    if (!sp->domain) {
        return "AccountsSpace is not set";
    }
    /* Static defaults go through the same parser as configured values. */
    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        const space_setting *def = &space_settings[i];
        int unset = def->kind == SETTING_FLAG ? *flag_slot(sp, def) == -1
                  : !is_text_kind(def->kind) ? *number_slot(sp, def) == -1
                  : *text_slot(sp, def) == NULL;
        if (unset && def->default_text && *def->default_text) {
            const char *err = space_setting_set(p, sp, def, def->default_text, NULL);
            if (err) {
                return err;
            }
        }
    }
    /* Defaults derived from other settings. */
    if (!sp->name) {
        sp->name = sp->domain;
    }
    /* Behind a TLS-terminating proxy the request arrives over HTTP: a
     * configured https public URL says the browser talks HTTPS. */
    sp->cookie_always_secure = sp->cookie_secure != -1
        ? sp->cookie_secure == 1
        : sp->public_url != NULL && strncasecmp(sp->public_url, "https://", 8) == 0;
    if (!sp->public_url) {
        sp->public_url = apr_pstrcat(p, "https://",
                                     server_name ? server_name : sp->domain, NULL);
    }
    if (!sp->mail_from) {
        sp->mail_from = apr_pstrcat(p, "no-reply@", sp->domain, NULL);
    }
    if (!sp->contacts_vcard_url) {
        sp->contacts_vcard_url = apr_pstrcat(p, sp->public_url, "/contacts/vcard", NULL);
    }
    if (!sp->secret) {
        sp->secret = secret;
    }

    sp->username_pattern = pool_pattern(p, sp->username_regex);
    if (!sp->username_pattern) {
        return "AccountsUsernameRegex: the pattern does not compile";
    }
    resolve_blacklist(p, sp);
    sp->phone_countries = apr_array_make(p, 4, sizeof(const char *));
    resolve_words(p, sp->allowed_phone_countries, sp->phone_countries);

    memcpy(sp->ui, space_ui_defaults, sizeof(sp->ui));
    sp->ui[0] = sp->super == 1;
    ui_items = apr_array_make(p, 4, sizeof(const char *));
    resolve_words(p, sp->linphone_ui, ui_items);
    for (int i = 0; i < ui_items->nelts; i++) {
        char *item = apr_pstrdup(p, APR_ARRAY_IDX(ui_items, i, const char *));
        char *eq = strchr(item, '=');
        if (eq) {
            *eq = '\0';
            if (ui_index(item) > 0) {
                sp->ui[ui_index(item)] = atoi(eq + 1);
            }
        }
    }

    sp->expires_at = 0;
    if (sp->space_expiry) {
        check_date(sp->space_expiry, &sp->expires_at);
    }
    sp->opaque = sp->secret ? crypto_hmac_sha256_base64(p, sp->secret, sp->domain) : NULL;
    {
        const char *err = read_sections(p, sp);
        if (err) {
            return err;
        }
    }
    sp->resolved = 1;
    return NULL;
}

const char *space_first_difference(const accounts_space *a, const accounts_space *b)
{
    for (int i = 0; i < SPACE_SETTING_COUNT; i++) {
        const space_setting *def = &space_settings[i];
        accounts_space *x = (accounts_space *)a, *y = (accounts_space *)b;
        int same;

        if (def->kind == SETTING_FLAG) {
            same = *flag_slot(x, def) == *flag_slot(y, def);
        }
        else if (!is_text_kind(def->kind)) {
            same = *number_slot(x, def) == *number_slot(y, def);
        }
        else {
            const char *u = *text_slot(x, def), *v = *text_slot(y, def);
            same = (!u && !v) || (u && v && strcmp(u, v) == 0);
        }
        if (!same) {
            return def->directive;
        }
    }
    return NULL;
}

const char *space_digest_realm(const accounts_space *sp)
{
    return sp->realm ? sp->realm : sp->domain;
}

struct space_registry {
    apr_pool_t *pool;
    apr_hash_t *by_domain;
    long max_auth_token_expiry;
};

space_registry *space_registry_create(apr_pool_t *p)
{
    space_registry *reg = apr_pcalloc(p, sizeof(*reg));
    reg->pool = p;
    reg->by_domain = apr_hash_make(p);
    return reg;
}

const char *space_registry_add(space_registry *reg, const accounts_space *sp)
{
    const accounts_space *known = apr_hash_get(reg->by_domain, sp->domain,
                                               APR_HASH_KEY_STRING);
    if (known) {
        const char *diff = space_first_difference(known, sp);
        if (diff) {
            return apr_psprintf(reg->pool,
                                "AccountsSpace %s is defined twice with different "
                                "settings (%s differs%s%s%s%s): virtual hosts serving one "
                                "SIP domain must carry identical Space settings",
                                sp->domain, diff,
                                known->origin ? ", in the virtual host at " : "",
                                known->origin ? known->origin : "",
                                sp->origin ? " and in the one at " : "",
                                sp->origin ? sp->origin : "");
        }
        return NULL;
    }
    apr_hash_set(reg->by_domain, sp->domain, APR_HASH_KEY_STRING, sp);
    if (sp->auth_token_expiry > reg->max_auth_token_expiry) {
        reg->max_auth_token_expiry = sp->auth_token_expiry;
    }
    return NULL;
}

long space_registry_max_auth_token_expiry(const space_registry *reg)
{
    return reg->max_auth_token_expiry;
}

const accounts_space *space_registry_find(const space_registry *reg, const char *domain)
{
    char buf[80];
    size_t len;

    if (!reg || !domain || (len = strlen(domain)) >= sizeof(buf)) {
        return NULL;
    }
    for (size_t i = 0; i <= len; i++) {
        buf[i] = (char)tolower((unsigned char)domain[i]);
    }
    return apr_hash_get(reg->by_domain, buf, APR_HASH_KEY_STRING);
}

unsigned int space_registry_count(const space_registry *reg)
{
    return apr_hash_count(reg->by_domain);
}
