/*
 * accountsctl: operate a mod_accounts database from the command line.
 *
 *   accountsctl [--db CONNINFO] COMMAND [ARGS] [OPTIONS]
 *
 * The command line (commands, options, usage) is the table of cli.c; the
 * man page is docs/accountsctl.8. Links the same core as the module (store.c, account.c, crypto.c), so no
 * SQL is written twice. Exit status: 0 success, 1 bad usage or unknown
 * account, 2 database refused or unreachable. Results alone on stdout.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_dbd.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "../mod_accounts/account.h"
#include "../mod_accounts/api_key.h"
#include "../mod_accounts/crypto.h"
#include "../mod_accounts/store.h"
#include "../mod_accounts/tokens.h"
#include "cli.h"

#ifndef ACCOUNTS_SQL_DIR
#define ACCOUNTS_SQL_DIR "/usr/share/mod_accounts/sql"
#endif

#define EXIT_USAGE 1
#define EXIT_DATABASE 2

static void print_store_error(void *baton, const char *message)
{
    (void)baton;
    fprintf(stderr, "accountsctl: %s\n", message);
}

static int fail(int status, const char *fmt, const char *arg)
{
    fprintf(stderr, "accountsctl: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return status;
}

/* libpq's reason, on one line. When the connection string could not be
 * parsed, libpq quotes a piece of it, which may be part of a password:
 * that reason is replaced, not shown. */
static const char *connect_error(apr_pool_t *p, const char *error)
{
    char *text;
    size_t len;

    if (!error || !*error) {
        return "unknown error";
    }
    if (strstr(error, "connection info string") || strstr(error, "URI")
        || strstr(error, "percent-encoded")) {
        return "the connection string (--db or ACCOUNTS_DB) is malformed; "
               "not shown, as it may hold a password";
    }
    text = apr_pstrdup(p, error);
    for (char *c = text; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t') {
            *c = ' ';
        }
    }
    len = strlen(text);
    while (len > 0 && text[len - 1] == ' ') {
        text[--len] = '\0';
    }
    return text;
}

static int open_store(apr_pool_t *p, const char *conninfo, store *st)
{
    const char *error = NULL;
    int rv;

    memset(st, 0, sizeof(*st));
    st->pool = p;
    st->conn_pool = p;
    st->log = print_store_error;
    if (apr_dbd_get_driver(p, "pgsql", &st->driver) != APR_SUCCESS) {
        return fail(EXIT_DATABASE, "%s", "the apr_dbd pgsql driver is not installed "
                    "(Debian: libaprutil1-dbd-pgsql)");
    }
    rv = apr_dbd_open_ex(st->driver, p, conninfo ? conninfo : "", &st->handle, &error);
    if (rv != APR_SUCCESS) {
        return fail(EXIT_DATABASE, "cannot connect to the database: %s",
                    connect_error(p, error));
    }
    return 0;
}

static int is_minutes(const char *s)
{
    if (!s || !*s || strlen(s) > 9) {
        return 0;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

/* ---- migrate ------------------------------------------------------------ */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_migration_name(const char *name)
{
    size_t len = strlen(name);
    return len > 9 && isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1])
           && isdigit((unsigned char)name[2]) && isdigit((unsigned char)name[3])
           && name[4] == '_' && strcmp(name + len - 4, ".sql") == 0;
}

static int raw_query(store *st, const char *sql)
{
    int nrows = 0;
    int rv = apr_dbd_query(st->driver, st->handle, &nrows, sql);
    if (rv != 0) {
        fprintf(stderr, "accountsctl: %s\n", apr_dbd_error(st->driver, st->handle, rv));
        return EXIT_DATABASE;
    }
    return 0;
}

static int migration_applied(store *st, apr_pool_t *p, const char *version, int *applied)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *q = apr_pstrcat(p, "SELECT 1 FROM schema_migrations WHERE version = '",
                                apr_dbd_escape(st->driver, p, version, st->handle), "'", NULL);
    int rv = apr_dbd_select(st->driver, p, st->handle, &res, q, 1);

    if (rv != 0) {
        fprintf(stderr, "accountsctl: %s\n", apr_dbd_error(st->driver, st->handle, rv));
        return EXIT_DATABASE;
    }
    *applied = apr_dbd_get_row(st->driver, p, res, &row, 1) == 0 && row;
    return 0;
}

static int cmd_migrate(apr_pool_t *p, store *st, const cli_args *args)
{
    const char *dir = cli_value(args, "--sql-dir");
    apr_array_header_t *names = apr_array_make(p, 8, sizeof(const char *));
    apr_dir_t *d;
    apr_finfo_t fi;
    int rc;

    dir = dir ? dir : ACCOUNTS_SQL_DIR;
    if (apr_dir_open(&d, dir, p) != APR_SUCCESS) {
        return fail(EXIT_USAGE, "cannot read the migrations directory %s", dir);
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        if (fi.filetype == APR_REG && is_migration_name(fi.name)) {
            *(const char **)apr_array_push(names) = apr_pstrdup(p, fi.name);
        }
    }
    apr_dir_close(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), compare_names);

    if ((rc = raw_query(st, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                            " version varchar(255) PRIMARY KEY,"
                            " applied_at timestamptz NOT NULL DEFAULT now())"))) {
        return rc;
    }
    for (int i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *version = apr_pstrndup(p, name, strlen(name) - 4);
        char *sql;
        apr_size_t len;
        apr_file_t *f;
        apr_finfo_t info;
        int applied;

        /* One transaction per migration; the advisory lock makes two
         * concurrent migrate runs apply each file once. */
        if ((rc = raw_query(st, "BEGIN")) || (rc = raw_query(st, "SELECT pg_advisory_xact_lock(74201)"))
            || (rc = migration_applied(st, p, version, &applied))) {
            return rc;
        }
        if (applied) {
            if ((rc = raw_query(st, "COMMIT"))) {
                return rc;
            }
            continue;
        }
        if (apr_file_open(&f, apr_pstrcat(p, dir, "/", name, NULL), APR_FOPEN_READ,
                          APR_OS_DEFAULT, p) != APR_SUCCESS
            || apr_file_info_get(&info, APR_FINFO_SIZE, f) != APR_SUCCESS) {
            raw_query(st, "ROLLBACK");
            return fail(EXIT_USAGE, "cannot read migration %s", name);
        }
        len = (apr_size_t)info.size;
        sql = apr_palloc(p, len + 1);
        if (apr_file_read_full(f, sql, len, &len) != APR_SUCCESS) {
            apr_file_close(f);
            raw_query(st, "ROLLBACK");
            return fail(EXIT_USAGE, "cannot read migration %s", name);
        }
        apr_file_close(f);
        sql[len] = '\0';
        if ((rc = raw_query(st, sql))
            || (rc = raw_query(st, apr_pstrcat(p, "INSERT INTO schema_migrations (version) VALUES ('",
                                               apr_dbd_escape(st->driver, p, version, st->handle),
                                               "')", NULL)))
            || (rc = raw_query(st, "COMMIT"))) {
            raw_query(st, "ROLLBACK");
            fprintf(stderr, "accountsctl: migration %s failed\n", name);
            return rc;
        }
        printf("%s\n", version);
    }
    return 0;
}

/* ---- keys and accounts -------------------------------------------------- */

/* Mints a stable API key for the account and prints it. */
static int mint_stable_key(apr_pool_t *p, store *st, const char *account_id,
                           const char *expiry)
{
    const char *key = crypto_random_alnum(p, API_KEY_LENGTH);

    if (!key) {
        return fail(EXIT_DATABASE, "%s", "the random generator failed");
    }
    if (store_api_key_insert(st, account_id, crypto_secret_hash(p, key), 0, NULL,
                             expiry) != STORE_OK) {
        return EXIT_DATABASE;
    }
    printf("%s\n", key);
    return 0;
}

static int valid_username(const char *u)
{
    size_t len = strlen(u);
    if (len < 1 || len > 64) {
        return 0;
    }
    for (; *u; u++) {
        if (!(islower((unsigned char)*u) || isdigit((unsigned char)*u) || strchr("+_.-", *u))) {
            return 0;
        }
    }
    return 1;
}

static int valid_domain(const char *d)
{
    size_t len = strlen(d);
    if (len < 1 || len > 64) {
        return 0;
    }
    for (; *d; d++) {
        if (!(isalnum((unsigned char)*d) || *d == '.' || *d == '-')) {
            return 0;
        }
    }
    return 1;
}

/* The longest password line read: far more than any password, and a
 * bound when FILE never ends a line (/dev/zero). */
#define PASSWORD_LINE_MAX 4096

/* The first line of f, without its "\n" or "\r\n"; NULL and *problem set
 * when it cannot be read or cannot be a password. */
static const char *first_line(apr_pool_t *p, apr_file_t *f, const char **problem)
{
    char *line = apr_palloc(p, PASSWORD_LINE_MAX + 1);
    apr_size_t n = 0;
    apr_status_t rv;
    char c, why[120];

    while ((rv = apr_file_getc(&c, f)) == APR_SUCCESS && c != '\n') {
        if (c == '\0') {
            *problem = "its first line holds a NUL byte";
            return NULL;
        }
        if (n == PASSWORD_LINE_MAX) {
            *problem = apr_psprintf(p, "its first line is longer than %d bytes", PASSWORD_LINE_MAX);
            return NULL;
        }
        line[n++] = c;
    }
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        *problem = apr_pstrdup(p, apr_strerror(rv, why, sizeof(why)));
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\r') {
        n--;
    }
    line[n] = '\0';
    return line;
}

/* The password in the first line of the file named path, "-" being
 * standard input. Messages name the file, never what it holds. */
static int read_password_file(apr_pool_t *p, const char *path, const char **password)
{
    apr_file_t *f;
    apr_status_t rv;
    const char *problem = NULL;
    char why[120];

    rv = strcmp(path, "-") == 0 ? apr_file_open_stdin(&f, p)
                                : apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        problem = apr_strerror(rv, why, sizeof(why));
    }
    else {
        *password = first_line(p, f, &problem);
    }
    if (problem) {
        return fail(EXIT_USAGE, "%s", apr_psprintf(p, "cannot read the password from %s: %s",
                                                   strcmp(path, "-") == 0 ? "standard input" : path,
                                                   problem));
    }
    return 0;
}

/* The password of --password, --password-file or --password-stdin (one at
 * most; *password stays NULL without any): the latter two keep it out of
 * ps and of the shell history. */
static int password_source(apr_pool_t *p, const cli_args *args, const char **password)
{
    const char *file = cli_value(args, "--password-file");
    int from_stdin = cli_value(args, "--password-stdin") != NULL;

    /* cli_parse refused more than one of them. */
    *password = cli_value(args, "--password");
    if (from_stdin || file) {
        return read_password_file(p, from_stdin ? "-" : file, password);
    }
    return 0;
}

static int cmd_create_admin(apr_pool_t *p, store *st, const cli_args *args)
{
    const char *username = args->positional[0];
    const char *domain = args->positional[1];
    const char *password;
    const char *algorithm = cli_value(args, "--algorithm");
    const char *realm = cli_value(args, "--realm");
    const char *id;
    digest_algorithm alg;
    int rc;

    /* Messages name the argument, never its value (see cli.h). */
    if (!valid_username(username)) {
        return fail(EXIT_USAGE, "%s", "invalid USERNAME (1 to 64 of a-z 0-9 + _ . -)");
    }
    if (!valid_domain(domain)) {
        return fail(EXIT_USAGE, "%s", "invalid DOMAIN (1 to 64 of letters, digits, . and -)");
    }
    algorithm = algorithm ? algorithm : "SHA-256";
    if (!crypto_algorithm_parse(algorithm, &alg)) {
        return fail(EXIT_USAGE, "%s", "unknown --algorithm (MD5 or SHA-256)");
    }
    if ((rc = password_source(p, args, &password))) {
        return rc;
    }
    if (password && !*password) {
        return fail(EXIT_USAGE, "%s", "the password must not be empty");
    }
    domain = apr_pstrdup(p, domain);
    for (char *c = (char *)domain; *c; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    if (store_begin(st) != STORE_OK) {
        return EXIT_DATABASE;
    }
    switch (store_tombstone_exists(st, username, domain)) {
    case STORE_OK:
        store_end(st, 1);
        return fail(EXIT_USAGE, "the username %s was deleted in this domain and cannot "
                    "be used again", username);
    case STORE_ERROR:
        store_end(st, 1);
        return EXIT_DATABASE;
    case STORE_NOT_FOUND:
        break;
    }
    if (store_account_upsert_admin(st, username, domain, &id) != STORE_OK
        || (password && store_password_set(
                st, id, algorithm,
                account_password_hash(p, algorithm, username, realm ? realm : domain,
                                      password), 0, NULL) != STORE_OK)) {
        store_end(st, 1);
        return EXIT_DATABASE;
    }
    if (store_end(st, 0) != STORE_OK) {
        return EXIT_DATABASE;
    }
    return mint_stable_key(p, st, id, NULL);
}

static int cmd_api_key(apr_pool_t *p, store *st, const cli_args *args)
{
    const char *sip = args->positional[0];
    const char *expiry = cli_value(args, "--expiry");
    const char *at, *id;

    if (expiry && !is_minutes(expiry)) {
        return fail(EXIT_USAGE, "%s", "--expiry is not a number of minutes");
    }
    if (strncasecmp(sip, "sip:", 4) == 0) {
        sip += 4;
    }
    at = strchr(sip, '@');
    if (!at || at == sip || !at[1]) {
        return fail(EXIT_USAGE, "%s", "SIP_ADDRESS is not a SIP address (username@domain)");
    }
    switch (store_account_id_by_sip(st, apr_pstrndup(p, sip, (apr_size_t)(at - sip)),
                                    at + 1, &id)) {
    case STORE_NOT_FOUND:
        return fail(EXIT_USAGE, "%s", "no account has this SIP_ADDRESS");
    case STORE_ERROR:
        return EXIT_DATABASE;
    case STORE_OK:
        break;
    }
    return mint_stable_key(p, st, id, expiry);
}

static int cmd_creation_token(apr_pool_t *p, store *st, const cli_args *args)
{
    const char *domain = cli_value(args, "--space");
    const char *count_text = cli_value(args, "--count");
    long count = 1;

    /* cli_parse refused a missing --space. */
    if (!valid_domain(domain)) {
        return fail(EXIT_USAGE, "%s", "--space is not a domain");
    }
    if (count_text) {
        count = is_minutes(count_text) ? strtol(count_text, NULL, 10) : 0;
        if (count < 1 || count > 100000) {
            return fail(EXIT_USAGE, "%s", "--count must be from 1 to 100000");
        }
    }
    if (store_begin(st) != STORE_OK) {
        return EXIT_DATABASE;
    }
    /* All or nothing: tokens print only once every one is stored. */
    apr_array_header_t *tokens = apr_array_make(p, (int)count, sizeof(const char *));
    for (long i = 0; i < count; i++) {
        const char *token = crypto_random_alnum(p, CREATION_TOKEN_LENGTH);
        const char *created_at;
        if (!token || store_creation_token_mint(st, crypto_secret_hash(p, token), domain,
                                                "127.0.0.1", "accountsctl", &created_at) != STORE_OK) {
            store_end(st, 1);
            return EXIT_DATABASE;
        }
        *(const char **)apr_array_push(tokens) = token;
    }
    if (store_end(st, 0) != STORE_OK) {
        return EXIT_DATABASE;
    }
    for (int i = 0; i < tokens->nelts; i++) {
        printf("%s\n", APR_ARRAY_IDX(tokens, i, const char *));
    }
    return 0;
}

static int cmd_purge(apr_pool_t *p, store *st, const cli_args *args)
{
    static const char *const names[] = {
        "--api-key-expiry", "--auth-token-expiry", "--nonce-max-age",
        "--creation-token-expiry", "--provisioning-token-expiry",
        "--reset-password-expiry", NULL
    };
    /* Defaults are the directives' defaults (docs/configuration.md). */
    const char *values[] = { "60", "5", "60", "0", "0", "1440" };
    int counts[STORE_PURGE_COUNT] = { 0 };
    (void)p;

    for (int i = 0; names[i]; i++) {
        const char *v = cli_value(args, names[i]);
        if (v && !is_minutes(v)) {
            return fail(EXIT_USAGE, "%s is not a number of minutes", names[i]);
        }
        if (v) {
            values[i] = v;
        }
    }
    if (store_purge(st, values[2], values[0], values[1], values[3], values[4], values[5],
                    counts) != STORE_OK) {
        return EXIT_DATABASE;
    }
    for (int i = 0; i < STORE_PURGE_COUNT; i++) {
        printf("%s %d\n", store_purge_names[i], counts[i]);
    }
    return 0;
}

/* ---- main --------------------------------------------------------------- */

typedef int (*command_fn)(apr_pool_t *, store *, const cli_args *);

/* What each command of cli.c's table runs. */
static const struct {
    const char *name;
    command_fn run;
} runners[] = {
    { "migrate", cmd_migrate },
    { "create-admin", cmd_create_admin },
    { "api-key", cmd_api_key },
    { "creation-token", cmd_creation_token },
    { "purge", cmd_purge },
};

static command_fn runner_of(const cli_command *command)
{
    for (size_t i = 0; i < sizeof(runners) / sizeof(runners[0]); i++) {
        if (strcmp(runners[i].name, command->name) == 0) {
            return runners[i].run;
        }
    }
    return NULL;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *p;
    cli_args args;
    const char *why, *conninfo;
    command_fn run;
    store st;
    int rc;

    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&p, NULL);
    why = cli_parse(p, argc, argv, &args);
    if (why || args.help || !(run = runner_of(args.command))) {
        if (why) {
            fprintf(stderr, "accountsctl: %s\n", why);
            if (!args.command) {
                fputc('\n', stderr);
                cli_print_usage(stderr, NULL);
            }
        }
        else if (args.help) {
            cli_print_usage(stdout, args.command);
        }
        else {
            fprintf(stderr, "accountsctl: %s has no implementation\n", args.command->name);
        }
        apr_pool_destroy(p);
        apr_terminate();
        return why || !args.help ? EXIT_USAGE : 0;
    }
    conninfo = args.db ? args.db : getenv("ACCOUNTS_DB");
    apr_dbd_init(p);
    rc = open_store(p, conninfo, &st);
    if (rc == 0) {
        rc = run(p, &st, &args);
        apr_dbd_close(st.driver, st.handle);
    }
    apr_pool_destroy(p);
    apr_terminate();
    return rc;
}
