/*
 * accountsctl: operate a mod_accounts database from the command line.
 *
 *   accountsctl [--db CONNINFO] COMMAND [ARGS]
 *
 * Links the same core as the module (store.c, account.c, crypto.c), so no
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

#ifndef ACCOUNTS_SQL_DIR
#define ACCOUNTS_SQL_DIR "/usr/share/mod_accounts/sql"
#endif

#define EXIT_USAGE 1
#define EXIT_DATABASE 2

static const char usage[] =
    "usage: accountsctl [--db CONNINFO] COMMAND [ARGS]\n"
    "\n"
    "  migrate [--sql-dir DIR]          apply pending migrations\n"
    "  create-admin USERNAME DOMAIN [--password-file FILE | --password-stdin | --password PW]\n"
    "               [--algorithm MD5|SHA-256] [--realm REALM]\n"
    "                                   create or promote an activated admin; prints a stable API key.\n"
    "                                   The password is the first line of FILE ('-': standard input)\n"
    "                                   or of standard input; --password PW shows it in ps and in\n"
    "                                   the shell history\n"
    "  api-key SIP_ADDRESS [--expiry MINUTES]\n"
    "                                   mint a stable API key for an existing account\n"
    "  creation-token --space DOMAIN [--count N]\n"
    "                                   mint account creation tokens bound to a Space\n"
    "  purge [--api-key-expiry MIN] [--auth-token-expiry MIN] [--nonce-max-age MIN]\n"
    "        [--creation-token-expiry MIN] [--provisioning-token-expiry MIN]\n"
    "        [--reset-password-expiry MIN]\n"
    "                                   delete expired nonces, keys and tokens\n"
    "\n"
    "CONNINFO is a libpq connection string; default: $ACCOUNTS_DB, else libpq's defaults.\n";

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
                    error ? error : "unknown error");
    }
    return 0;
}

/* The options that stand alone; every other "--x" takes the next argument
 * as its value, even one that starts with "--". */
static const char *const flags[] = { "--password-stdin", NULL };

static int is_option(const char *arg)
{
    return strncmp(arg, "--", 2) == 0;
}

static int is_flag(const char *arg)
{
    for (const char *const *f = flags; *f; f++) {
        if (strcmp(arg, *f) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The value of a "--name value" option after the positional arguments. */
static const char *option(int argc, const char *const *argv, const char *name)
{
    for (int i = 0; i < argc; i++) {
        if (!is_option(argv[i]) || is_flag(argv[i])) {
            continue;
        }
        if (strcmp(argv[i], name) == 0 && i + 1 < argc) {
            return argv[i + 1];
        }
        i++;
    }
    return NULL;
}

/* 1 when the flag is given (not as the value of another option). */
static int flag(int argc, const char *const *argv, const char *name)
{
    for (int i = 0; i < argc; i++) {
        if (!is_option(argv[i])) {
            continue;
        }
        if (strcmp(argv[i], name) == 0) {
            return 1;
        }
        i += !is_flag(argv[i]);
    }
    return 0;
}

/* Every "--x" must be one of the known names and, unless it is a flag,
 * carry a value. */
static int check_options(int argc, const char *const *argv, const char *const *known,
                         int npositional)
{
    int positional = 0;

    for (int i = 0; i < argc; i++) {
        if (is_option(argv[i])) {
            int ok = 0;
            for (const char *const *k = known; *k; k++) {
                ok |= strcmp(argv[i], *k) == 0;
            }
            if (!ok || (!is_flag(argv[i]) && i + 1 >= argc)) {
                return fail(EXIT_USAGE, "bad option %s (see accountsctl --help)", argv[i]);
            }
            i += !is_flag(argv[i]);
        }
        else {
            positional++;
        }
    }
    if (positional != npositional) {
        return fail(EXIT_USAGE, "%s", "wrong number of arguments (see accountsctl --help)");
    }
    return 0;
}

static const char *positional(int argc, const char *const *argv, int n)
{
    for (int i = 0; i < argc; i++) {
        if (is_option(argv[i])) {
            i += !is_flag(argv[i]);
        }
        else if (n-- == 0) {
            return argv[i];
        }
    }
    return NULL;
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

static int cmd_migrate(apr_pool_t *p, store *st, int argc, const char *const *argv)
{
    static const char *const known[] = { "--sql-dir", NULL };
    const char *dir = option(argc, argv, "--sql-dir");
    apr_array_header_t *names = apr_array_make(p, 8, sizeof(const char *));
    apr_dir_t *d;
    apr_finfo_t fi;
    int rc;

    if ((rc = check_options(argc, argv, known, 0))) {
        return rc;
    }
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
static int password_source(apr_pool_t *p, int argc, const char *const *argv,
                           const char **password)
{
    const char *file = option(argc, argv, "--password-file");
    int from_stdin = flag(argc, argv, "--password-stdin");

    *password = option(argc, argv, "--password");
    if ((*password != NULL) + (file != NULL) + from_stdin > 1) {
        return fail(EXIT_USAGE, "%s", "--password, --password-file and --password-stdin "
                    "are mutually exclusive");
    }
    if (from_stdin || file) {
        return read_password_file(p, from_stdin ? "-" : file, password);
    }
    return 0;
}

static int cmd_create_admin(apr_pool_t *p, store *st, int argc, const char *const *argv)
{
    static const char *const known[] = {
        "--password", "--password-file", "--password-stdin", "--algorithm", "--realm", NULL
    };
    const char *username = positional(argc, argv, 0);
    const char *domain = positional(argc, argv, 1);
    const char *password;
    const char *algorithm = option(argc, argv, "--algorithm");
    const char *realm = option(argc, argv, "--realm");
    const char *id;
    digest_algorithm alg;
    int rc;

    if ((rc = check_options(argc, argv, known, 2))) {
        return rc;
    }
    if (!valid_username(username)) {
        return fail(EXIT_USAGE, "invalid username '%s' (1 to 64 of a-z 0-9 + _ . -)", username);
    }
    if (!valid_domain(domain)) {
        return fail(EXIT_USAGE, "invalid domain '%s'", domain);
    }
    algorithm = algorithm ? algorithm : "SHA-256";
    if (!crypto_algorithm_parse(algorithm, &alg)) {
        return fail(EXIT_USAGE, "unknown algorithm '%s' (MD5 or SHA-256)", algorithm);
    }
    if ((rc = password_source(p, argc, argv, &password))) {
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

static int cmd_api_key(apr_pool_t *p, store *st, int argc, const char *const *argv)
{
    static const char *const known[] = { "--expiry", NULL };
    const char *sip = positional(argc, argv, 0);
    const char *expiry = option(argc, argv, "--expiry");
    const char *at, *id;
    int rc;

    if ((rc = check_options(argc, argv, known, 1))) {
        return rc;
    }
    if (expiry && !is_minutes(expiry)) {
        return fail(EXIT_USAGE, "--expiry '%s' is not a number of minutes", expiry);
    }
    if (strncasecmp(sip, "sip:", 4) == 0) {
        sip += 4;
    }
    at = strchr(sip, '@');
    if (!at || at == sip || !at[1]) {
        return fail(EXIT_USAGE, "'%s' is not a SIP address (username@domain)", sip);
    }
    switch (store_account_id_by_sip(st, apr_pstrndup(p, sip, (apr_size_t)(at - sip)),
                                    at + 1, &id)) {
    case STORE_NOT_FOUND:
        return fail(EXIT_USAGE, "no account %s", sip);
    case STORE_ERROR:
        return EXIT_DATABASE;
    case STORE_OK:
        break;
    }
    return mint_stable_key(p, st, id, expiry);
}

static int cmd_creation_token(apr_pool_t *p, store *st, int argc, const char *const *argv)
{
    static const char *const known[] = { "--space", "--count", NULL };
    const char *domain = option(argc, argv, "--space");
    const char *count_text = option(argc, argv, "--count");
    long count = 1;
    int rc;

    if ((rc = check_options(argc, argv, known, 0))) {
        return rc;
    }
    if (!domain || !valid_domain(domain)) {
        return fail(EXIT_USAGE, "%s", "--space DOMAIN is required");
    }
    if (count_text) {
        count = is_minutes(count_text) ? strtol(count_text, NULL, 10) : 0;
        if (count < 1 || count > 100000) {
            return fail(EXIT_USAGE, "--count '%s' must be from 1 to 100000", count_text);
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

static int cmd_purge(apr_pool_t *p, store *st, int argc, const char *const *argv)
{
    static const char *const known[] = {
        "--api-key-expiry", "--auth-token-expiry", "--nonce-max-age",
        "--creation-token-expiry", "--provisioning-token-expiry",
        "--reset-password-expiry", NULL
    };
    /* Defaults are the directives' defaults (docs/configuration.md). */
    const char *values[] = { "60", "5", "60", "0", "0", "1440" };
    int counts[STORE_PURGE_COUNT] = { 0 };
    int rc;
    (void)p;

    if ((rc = check_options(argc, argv, known, 0))) {
        return rc;
    }
    for (int i = 0; known[i]; i++) {
        const char *v = option(argc, argv, known[i]);
        if (v && !is_minutes(v)) {
            return fail(EXIT_USAGE, "'%s' is not a number of minutes", v);
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

typedef int (*command_fn)(apr_pool_t *, store *, int, const char *const *);

static const struct {
    const char *name;
    command_fn run;
} commands[] = {
    { "migrate", cmd_migrate },
    { "create-admin", cmd_create_admin },
    { "api-key", cmd_api_key },
    { "creation-token", cmd_creation_token },
    { "purge", cmd_purge },
};

int main(int argc, const char *const *argv)
{
    const char *conninfo = getenv("ACCOUNTS_DB");
    apr_pool_t *p;
    store st;
    int i = 1, rc;

    if (argc > 2 && strcmp(argv[1], "--db") == 0) {
        conninfo = argv[2];
        i = 3;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
        fputs(usage, i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : 0;
    }
    for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
        if (strcmp(argv[i], commands[c].name) != 0) {
            continue;
        }
        apr_app_initialize(&argc, &argv, NULL);
        apr_pool_create(&p, NULL);
        apr_dbd_init(p);
        rc = open_store(p, conninfo, &st);
        if (rc == 0) {
            rc = commands[c].run(p, &st, argc - i - 1, argv + i + 1);
            apr_dbd_close(st.driver, st.handle);
        }
        apr_pool_destroy(p);
        apr_terminate();
        return rc;
    }
    fprintf(stderr, "accountsctl: unknown command '%s'\n\n%s", argv[i], usage);
    return EXIT_USAGE;
}
