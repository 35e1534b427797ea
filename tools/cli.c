/*
 * accountsctl's command line: the table of commands and options, the
 * parser and the usage text, all driven by that one table (cli.h).
 */
#include "cli.h"

#include <string.h>

#include <apr_strings.h>

const cli_option cli_global_options[] = {
    { "--db", "CONNINFO", 0, "libpq connection string (as in DBDParams); default: $ACCOUNTS_DB, "
                             "else libpq's defaults (PGHOST, PGDATABASE, ...)", 0 },
    { "--help", NULL, 0, "print the usage of accountsctl, or of COMMAND, and exit", 0 },
    { NULL }
};

/* Minutes options of purge: their defaults are the directives' defaults. */
const cli_command cli_commands[] = {
    { "migrate", { NULL }, "apply the pending migrations, each in a transaction; prints their names",
      { { "--sql-dir", "DIR", 0, "the migrations directory (default: the installed one)", 0 },
        { NULL } } },
    { "create-admin", { "USERNAME", "DOMAIN", NULL },
      "create an activated admin, or make an existing account one; prints a stable API key",
      { { "--password-file", "FILE", 1, "the password is the first line of FILE ('-': standard input)", 0 },
        { "--password-stdin", NULL, 1, "the password is the first line of standard input", 0 },
        { "--password", "PW", 1, "the password itself (visible in ps and in the shell history)", 0 },
        { "--algorithm", "MD5|SHA-256", 0, "algorithm of the stored password hash (default SHA-256)", 0 },
        { "--realm", "REALM", 0, "realm of the stored password hash (default DOMAIN; "
                                 "give the Space's AccountsRealm if it has one)", 0 },
        { NULL } } },
    { "api-key", { "SIP_ADDRESS", NULL },
      "mint a stable API key for an existing account (username@domain); prints it",
      { { "--expiry", "MINUTES", 0, "the key dies after MINUTES unused (default: never)", 0 },
        { NULL } } },
    { "creation-token", { NULL }, "mint account creation tokens bound to a Space; prints them, one a line",
      { { "--space", "DOMAIN", 0, "the Space", 1 },
        { "--count", "N", 0, "how many tokens, 1 to 100000 (default 1)", 0 },
        { NULL } } },
    { "purge", { NULL }, "delete expired nonces, API keys and tokens; prints the counts deleted",
      { { "--api-key-expiry", "MIN", 0, "idle lifetime of user API keys (default 60; 0: keep)", 0 },
        { "--auth-token-expiry", "MIN", 0, "lifetime of auth tokens (default 5)", 0 },
        { "--nonce-max-age", "MIN", 0, "age of the oldest digest nonce kept (default 60)", 0 },
        { "--creation-token-expiry", "MIN", 0, "lifetime of creation tokens (default 0: never)", 0 },
        { "--provisioning-token-expiry", "MIN", 0, "lifetime of provisioning tokens (default 0: never)", 0 },
        { "--reset-password-expiry", "MIN", 0, "lifetime of reset-password links (default 1440)", 0 },
        { NULL } } },
    { NULL }
};

static const cli_option *find_option(const cli_option *options, const char *name, size_t len)
{
    for (const cli_option *o = options; o && o->name; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
            return o;
        }
    }
    return NULL;
}

/* The option of that name in the global table or in any command's: used
 * before the command is known, to tell whether the next argument is a
 * value (an option has the same shape in every command that has it). */
static const cli_option *find_any_option(const char *name, size_t len)
{
    const cli_option *o = find_option(cli_global_options, name, len);
    for (const cli_command *c = cli_commands; !o && c->name; c++) {
        o = find_option(c->options, name, len);
    }
    return o;
}

static const cli_command *find_command(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

/* An option name is quoted back only when it looks like one: a typo, not
 * a secret pasted in the wrong place. */
static const char *quotable_name(apr_pool_t *p, const char *name, size_t len)
{
    if (len < 3 || len > 40 || strspn(name + 2, "abcdefghijklmnopqrstuvwxyz0123456789-") != len - 2) {
        return "an unknown option";
    }
    return apr_pstrcat(p, "unknown option ", apr_pstrndup(p, name, len), NULL);
}

static const char *exclusive_message(apr_pool_t *p, const cli_command *c, int group)
{
    const char *names[CLI_MAX_OPTIONS];
    int n = 0;
    const char *text = "";

    for (const cli_option *o = c->options; o->name; o++) {
        if (o->exclusive_group == group) {
            names[n++] = o->name;
        }
    }
    for (int i = 0; i < n; i++) {
        text = apr_pstrcat(p, text, i == 0 ? "" : i == n - 1 ? " and " : ", ", names[i], NULL);
    }
    return apr_pstrcat(p, text, " are mutually exclusive", NULL);
}

/* The option named by argv[*i] ("--name" or "--name=value") in options
 * (NULL: in any table) and its value; *i moves past a separate value. */
static const char *split_option(apr_pool_t *p, int argc, const char *const *argv, int *i,
                                const cli_command *command, const cli_option **option,
                                const char **value)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

    *option = find_option(cli_global_options, arg, len);
    if (!*option) {
        *option = command ? find_option(command->options, arg, len) : find_any_option(arg, len);
    }
    if (!*option) {
        const cli_option *elsewhere = find_any_option(arg, len);
        if (elsewhere) {
            /* Skip its value too, so that the message is about the option. */
            *i += elsewhere->value && !eq && *i + 1 < argc;
            return apr_pstrcat(p, elsewhere->name, " is not an option of ", command->name, NULL);
        }
        return quotable_name(p, arg, len);
    }
    if (!(*option)->value) {
        if (eq) {
            return apr_pstrcat(p, (*option)->name, " takes no value", NULL);
        }
        *value = "";
        return NULL;
    }
    if (eq) {
        *value = eq + 1;
    }
    else if (*i + 1 < argc) {
        /* The next argument, whatever it looks like: a password may start
         * with "--". */
        *value = argv[++*i];
    }
    else {
        return apr_pstrcat(p, (*option)->name, " needs a value (", (*option)->value, ")", NULL);
    }
    return NULL;
}

static int is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static int is_option(const char *arg)
{
    return strncmp(arg, "--", 2) == 0 && arg[2] != '\0';
}

const char *cli_parse(apr_pool_t *p, int argc, const char *const *argv, cli_args *out)
{
    const char *first_error = NULL;
    int command_at = 0, npositional = 0, help = 0;

    memset(out, 0, sizeof(*out));

    /* Pass 1: the command is the first argument that is neither an option
     * nor an option's value. */
    for (int i = 1; i < argc && !command_at; i++) {
        const cli_option *o;
        const char *v, *why;
        if (strcmp(argv[i], "--") == 0) {
            command_at = i + 1 < argc ? i + 1 : 0;
            break;
        }
        if (is_help(argv[i])) {
            help = 1;
        }
        else if (is_option(argv[i])) {
            why = split_option(p, argc, argv, &i, NULL, &o, &v);
            first_error = first_error ? first_error : why;
        }
        else {
            command_at = i;
        }
    }
    if (command_at) {
        out->command = find_command(argv[command_at]);
        if (!out->command) {
            /* Not quoted: a connection string given without --db lands here. */
            return "unknown command (see accountsctl --help)";
        }
    }
    if (first_error && !help) {
        return first_error;
    }
    if (!out->command) {
        out->help = help;
        return help ? NULL : "no command given (see accountsctl --help)";
    }

    /* Pass 2: every argument against the global options and the command's. */
    for (int i = 1, only_positional = 0; i < argc; i++) {
        const cli_option *o;
        const char *v = NULL, *why;
        if (i == command_at) {
            continue;
        }
        if (!only_positional && strcmp(argv[i], "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (!only_positional && is_help(argv[i])) {
            help = 1;
            continue;
        }
        if (only_positional || !is_option(argv[i])) {
            if (npositional < CLI_MAX_POSITIONALS) {
                out->positional[npositional] = argv[i];
            }
            npositional++;
            continue;
        }
        why = split_option(p, argc, argv, &i, out->command, &o, &v);
        if (why) {
            first_error = first_error ? first_error : why;
            continue;
        }
        if (o == &cli_global_options[0]) {
            if (out->db) {
                first_error = first_error ? first_error : "--db is given twice";
            }
            out->db = v;
            continue;
        }
        int k = (int)(o - out->command->options);
        if (out->value[k]) {
            first_error = first_error ? first_error : apr_pstrcat(p, o->name, " is given twice", NULL);
        }
        out->value[k] = v;
    }
    out->help = help;
    if (help) {
        return NULL;
    }
    if (first_error) {
        return first_error;
    }
    for (const cli_option *o = out->command->options; o->name; o++) {
        for (const cli_option *q = o + 1; o->exclusive_group && q->name; q++) {
            if (q->exclusive_group == o->exclusive_group && out->value[o - out->command->options]
                && out->value[q - out->command->options]) {
                return exclusive_message(p, out->command, o->exclusive_group);
            }
        }
    }
    for (const cli_option *o = out->command->options; o->name; o++) {
        if (o->required && !out->value[o - out->command->options]) {
            return apr_pstrcat(p, o->name, " ", o->value, " is required", NULL);
        }
    }
    int expected = 0;
    while (out->command->positionals[expected]) {
        expected++;
    }
    if (npositional != expected) {
        return apr_psprintf(p, "%s takes %s%s%s", out->command->name,
                            expected ? "the arguments " : "no argument",
                            expected ? out->command->positionals[0] : "",
                            expected > 1 ? apr_pstrcat(p, " ", out->command->positionals[1], NULL) : "");
    }
    return NULL;
}

const char *cli_value(const cli_args *args, const char *name)
{
    const cli_option *o = args->command ? find_option(args->command->options, name, strlen(name)) : NULL;
    return o ? args->value[o - args->command->options] : NULL;
}

/* "COMMAND ARGS [--a A] [--b | --c C]": the options of one exclusive group
 * in one pair of brackets. */
static void print_synopsis(FILE *f, const cli_command *c, const char *indent)
{
    int column = fprintf(f, "%s%s", indent, c->name);
    for (int i = 0; c->positionals[i]; i++) {
        column += fprintf(f, " %s", c->positionals[i]);
    }
    for (const cli_option *o = c->options; o->name; o++) {
        int first = o == c->options || !o->exclusive_group || o[-1].exclusive_group != o->exclusive_group;
        int last = !o->exclusive_group || o[1].exclusive_group != o->exclusive_group;
        int width = (int)strlen(o->name) + (o->value ? (int)strlen(o->value) + 1 : 0) + 3;
        if (first && column + width > 78) {
            column = fprintf(f, "\n%s    ", indent) - 1;
        }
        column += fprintf(f, "%s%s%s%s%s", first ? (o->required ? " " : " [") : " | ", o->name,
                          o->value ? " " : "", o->value ? o->value : "",
                          last && !o->required ? "]" : "");
    }
    fputc('\n', f);
}

/* "  --name VALUE   help", the help wrapped at 78 columns. */
static void print_options(FILE *f, const cli_option *options)
{
    enum { HELP_COLUMN = 31, WIDTH = 78 };
    for (const cli_option *o = options; o->name; o++) {
        char left[48];
        const char *word = o->help;
        int column;
        snprintf(left, sizeof(left), "%s%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "",
                 o->required ? " (required)" : "");
        column = fprintf(f, "  %-28s", left);
        while (*word) {
            int len = (int)strcspn(word, " ");
            if (column + 1 + len > WIDTH && column > HELP_COLUMN) {
                column = fprintf(f, "\n%*s", HELP_COLUMN - 1, "") - 1;
            }
            column += fprintf(f, " %.*s", len, word);
            word += len;
            word += *word == ' ';
        }
        fputc('\n', f);
    }
}

void cli_print_usage(FILE *f, const cli_command *command)
{
    if (command) {
        fprintf(f, "usage: accountsctl [--db CONNINFO] ");
        print_synopsis(f, command, "");
        fprintf(f, "\n%s\n", command->summary);
        if (command->options[0].name) {
            fputs("\noptions:\n", f);
            print_options(f, command->options);
        }
        fputs("\nglobal options:\n", f);
        print_options(f, cli_global_options);
        return;
    }
    fputs("usage: accountsctl [--db CONNINFO] COMMAND [ARGS] [OPTIONS]\n"
          "       accountsctl [COMMAND] --help\n\ncommands:\n", f);
    for (const cli_command *c = cli_commands; c->name; c++) {
        print_synopsis(f, c, "  ");
        fprintf(f, "      %s\n", c->summary);
    }
    fputs("\nglobal options:\n", f);
    print_options(f, cli_global_options);
    fputs("\nOptions go anywhere, as --name value or --name=value; -- ends them.\n"
          "Exit status: 0 success, 1 bad usage, 2 database refused or unreachable.\n"
          "See accountsctl(8).\n", f);
}
