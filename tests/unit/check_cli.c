/* accountsctl's command line (tools/cli.c): parsing, messages that never
 * quote a value, and the man page docs/accountsctl.8 against the table. */
#include "suites.h"
#include "../../tools/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

/* Parses the words of line (split on spaces) as accountsctl's argv. */
static const char *parse(const char *line, cli_args *args)
{
    const char *argv[32];
    int argc = 0;
    char *copy = apr_pstrdup(test_pool, line), *state = NULL;

    argv[argc++] = "accountsctl";
    for (char *w = apr_strtok(copy, " ", &state); w && argc < 31; w = apr_strtok(NULL, " ", &state)) {
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    return cli_parse(test_pool, argc, argv, args);
}

static void parses(const char *line, cli_args *args)
{
    const char *why = parse(line, args);
    ck_assert_msg(why == NULL, "'%s': %s", line, why);
}

static void refused(const char *line, const char *reason)
{
    cli_args args;
    const char *why = parse(line, &args);
    ck_assert_msg(why != NULL, "'%s' accepted", line);
    ck_assert_str_eq(why, reason);
}

START_TEST(both_value_forms_and_options_anywhere)
{
    cli_args a;
    parses("create-admin root sip.test --realm my.realm --algorithm=MD5", &a);
    ck_assert_str_eq(a.command->name, "create-admin");
    ck_assert_str_eq(a.positional[0], "root");
    ck_assert_str_eq(a.positional[1], "sip.test");
    ck_assert_str_eq(cli_value(&a, "--realm"), "my.realm");
    ck_assert_str_eq(cli_value(&a, "--algorithm"), "MD5");
    ck_assert_ptr_null(cli_value(&a, "--password"));
    ck_assert_ptr_null(a.db);
    ck_assert_int_eq(a.help, 0);

    /* Before the command, between its arguments, after them. */
    parses("--realm=r --db host=/x create-admin --password-stdin root sip.test", &a);
    ck_assert_str_eq(a.db, "host=/x");
    ck_assert_str_eq(cli_value(&a, "--realm"), "r");
    ck_assert_str_eq(cli_value(&a, "--password-stdin"), "");
    ck_assert_str_eq(a.positional[0], "root");

    /* "=" only splits at the first one: a connection string keeps its own. */
    parses("migrate --db=host=/run/postgresql", &a);
    ck_assert_str_eq(a.db, "host=/run/postgresql");
    refused("migrate --db=host=/x password=s3cret", "migrate takes no argument");
    /* A value may start with "--" (a password). */
    parses("create-admin u d.test --password --not-an-option", &a);
    ck_assert_str_eq(cli_value(&a, "--password"), "--not-an-option");
    /* An empty value is a value. */
    parses("create-admin u d.test --realm=", &a);
    ck_assert_str_eq(cli_value(&a, "--realm"), "");
    /* "--" ends the options. */
    parses("purge -- ", &a);
    ck_assert_str_eq(a.command->name, "purge");
    parses("-- api-key u@d.test", &a);
    ck_assert_str_eq(a.positional[0], "u@d.test");
}
END_TEST

START_TEST(help_wins_over_missing_arguments)
{
    cli_args a;
    parses("--help", &a);
    ck_assert_int_eq(a.help, 1);
    ck_assert_ptr_null(a.command);
    parses("create-admin --help", &a);
    ck_assert_int_eq(a.help, 1);
    ck_assert_str_eq(a.command->name, "create-admin");
    parses("-h purge", &a);
    ck_assert_str_eq(a.command->name, "purge");
    parses("api-key --expiry=5 --help", &a);
    ck_assert_int_eq(a.help, 1);
}
END_TEST

START_TEST(usage_errors_name_options_never_values)
{
    refused("", "no command given (see accountsctl --help)");
    /* A connection string given without --db is a command to the parser. */
    refused("host=/run/postgresql password=s3cret migrate", "unknown command (see accountsctl --help)");
    refused("frobnicate", "unknown command (see accountsctl --help)");
    refused("migrate --dbb=password=s3cret", "unknown option --dbb");
    refused("migrate --password=s3cret", "--password is not an option of migrate");
    refused("migrate --password s3cret", "--password is not an option of migrate");
    refused("migrate --pass\tword=s3cret", "an unknown option");
    refused("migrate --S3CRET", "an unknown option");
    refused("create-admin u d.test --realm", "--realm needs a value (REALM)");
    refused("create-admin u d.test --password-stdin=yes", "--password-stdin takes no value");
    refused("create-admin u d.test --realm a --realm=b", "--realm is given twice");
    refused("--db=a migrate --db b", "--db is given twice");
    refused("create-admin u d.test --password s3cret --password-stdin",
            "--password-file, --password-stdin and --password are mutually exclusive");
    refused("create-admin u d.test --password-file f --password s3cret",
            "--password-file, --password-stdin and --password are mutually exclusive");
    refused("create-admin u", "create-admin takes the arguments USERNAME DOMAIN");
    refused("create-admin u d s3cret", "create-admin takes the arguments USERNAME DOMAIN");
    refused("migrate s3cret", "migrate takes no argument");
    refused("api-key", "api-key takes the arguments SIP_ADDRESS");
    refused("creation-token --count 2", "--space DOMAIN is required");
}
END_TEST

/* Every option has one shape (flag or valued) in every table that has it:
 * the parser relies on it before it knows the command. */
START_TEST(an_option_has_one_shape)
{
    for (const cli_command *c = cli_commands; c->name; c++) {
        for (const cli_option *o = c->options; o->name; o++) {
            for (const cli_command *d = cli_commands; d->name; d++) {
                for (const cli_option *q = d->options; q->name; q++) {
                    if (strcmp(o->name, q->name) == 0) {
                        ck_assert_msg((o->value == NULL) == (q->value == NULL), "%s", o->name);
                    }
                }
            }
            for (const cli_option *g = cli_global_options; g->name; g++) {
                ck_assert_msg(strcmp(o->name, g->name) != 0, "%s is global", o->name);
            }
        }
    }
}
END_TEST

/* ---- the man page against the table --------------------------------------- */

typedef struct {
    char where[32];   /* "" for the global options, else the command */
    char name[48];
    char value[32];
} man_entry;

/* "\-\-sql\-dir" -> "--sql-dir"; stops at a space, a quote or "\f". */
static void unescape_word(const char *in, char *out, size_t size)
{
    size_t n = 0;
    while (*in == ' ' || *in == '"') {
        in++;
    }
    while (*in && *in != ' ' && *in != '"' && n + 1 < size) {
        if (in[0] == '\\' && in[1] == '-') {
            out[n++] = '-';
            in += 2;
        }
        else if (in[0] == '\\' && in[1] == 'f') {
            break;
        }
        else {
            out[n++] = *in++;
        }
    }
    out[n] = '\0';
}

/* The options of docs/accountsctl.8: the first word of the line after
 * each ".TP" (".B --flag" or ".BI --name " VALUE""), filed under the ".SS"
 * command (COMMANDS) or the global options (GLOBAL OPTIONS). Commands: the
 * ".SS" lines, with their arguments. */
static int read_man_page(man_entry *entries, int max, char commands[][64], int *ncommands)
{
    char path[1024], line[1024];
    FILE *f;
    int n = 0, after_tp = 0;
    enum { OTHER, GLOBAL, COMMANDS } section = OTHER;
    char current[32] = "";

    snprintf(path, sizeof(path), "%s/docs/accountsctl.8", TOP_SRCDIR);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    *ncommands = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, ".SH ", 4) == 0) {
            section = strstr(line, "GLOBAL OPTIONS") ? GLOBAL : strstr(line, "COMMANDS") ? COMMANDS : OTHER;
            current[0] = '\0';
            after_tp = 0;
            continue;
        }
        if (section == COMMANDS && strncmp(line, ".SS ", 4) == 0) {
            const char *text = line + 4 + (line[4] == '"');
            ck_assert_int_lt(*ncommands, 16);
            snprintf(commands[*ncommands], 64, "%.*s", (int)strcspn(text, "\""), text);
            unescape_word(text, current, sizeof(current));
            (*ncommands)++;
            continue;
        }
        if (strcmp(line, ".TP") == 0) {
            after_tp = 1;
            continue;
        }
        if (after_tp && section != OTHER && (section == GLOBAL || current[0])
            && (strncmp(line, ".B ", 3) == 0 || strncmp(line, ".BI ", 4) == 0
                || strncmp(line, ".BR ", 4) == 0)) {
            const char *rest = strchr(line, ' ') + 1;
            man_entry *e = &entries[n++];
            ck_assert_int_le(n, max);
            snprintf(e->where, sizeof(e->where), "%s", section == GLOBAL ? "" : current);
            unescape_word(rest, e->name, sizeof(e->name));
            e->value[0] = '\0';
            if (strncmp(line, ".BI ", 4) == 0) {
                const char *quote = strchr(rest, '"');
                ck_assert_msg(quote != NULL, "%s: no value", e->name);
                unescape_word(quote + 1, e->value, sizeof(e->value));
            }
        }
        after_tp = 0;
    }
    fclose(f);
    return n;
}

static const man_entry *man_find(const man_entry *entries, int n, const char *where, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(entries[i].where, where) == 0 && strcmp(entries[i].name, name) == 0) {
            return &entries[i];
        }
    }
    return NULL;
}

static void check_documented(const man_entry *entries, int n, const char *where, const cli_option *o)
{
    const man_entry *e = man_find(entries, n, where, o->name);
    ck_assert_msg(e != NULL, "accountsctl.8 does not document %s%s%s", o->name, *where ? " of " : "", where);
    ck_assert_msg(strcmp(e->value, o->value ? o->value : "") == 0,
                  "accountsctl.8: %s %s takes '%s', the table says '%s'", where, o->name, e->value,
                  o->value ? o->value : "");
}

START_TEST(man_page_documents_the_table_and_nothing_else)
{
    man_entry entries[128];
    char commands[16][64];
    int ncommands, n = read_man_page(entries, 128, commands, &ncommands);
    int options = 0, ntable = 0;

    ck_assert_int_gt(n, 0);
    for (const cli_option *o = cli_global_options; o->name; o++, options++) {
        check_documented(entries, n, "", o);
    }
    for (const cli_command *c = cli_commands; c->name; c++, ntable++) {
        char heading[64] = "";
        for (const cli_option *o = c->options; o->name; o++, options++) {
            check_documented(entries, n, c->name, o);
        }
        snprintf(heading, sizeof(heading), "%s", c->name);
        for (int i = 0; c->positionals[i]; i++) {
            apr_cpystrn(heading + strlen(heading), " ", sizeof(heading) - strlen(heading));
            apr_cpystrn(heading + strlen(heading), c->positionals[i], sizeof(heading) - strlen(heading));
        }
        int found = 0;
        for (int i = 0; i < ncommands; i++) {
            found |= strcmp(commands[i], heading) == 0;
        }
        ck_assert_msg(found, "accountsctl.8 has no section \".SS \\\"%s\\\"\"", heading);
    }
    /* Nothing extra: as many entries as the table has options, as many
     * command sections as commands (each matched above). */
    for (int i = 0; i < n; i++) {
        const cli_option *o = NULL;
        if (!entries[i].where[0]) {
            for (const cli_option *g = cli_global_options; g->name; g++) {
                o = strcmp(g->name, entries[i].name) == 0 ? g : o;
            }
        }
        for (const cli_command *c = cli_commands; c->name; c++) {
            for (const cli_option *q = c->options; strcmp(c->name, entries[i].where) == 0 && q->name; q++) {
                o = strcmp(q->name, entries[i].name) == 0 ? q : o;
            }
        }
        ck_assert_msg(o != NULL, "accountsctl.8 documents %s%s%s, which the table does not have",
                      entries[i].name, entries[i].where[0] ? " of " : "", entries[i].where);
    }
    ck_assert_int_eq(n, options);
    ck_assert_int_eq(ncommands, ntable);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, both_value_forms_and_options_anywhere);
    tcase_add_test(tc, help_wins_over_missing_arguments);
    tcase_add_test(tc, usage_errors_name_options_never_values);
    tcase_add_test(tc, an_option_has_one_shape);
    tcase_add_test(tc, man_page_documents_the_table_and_nothing_else);
    suite_add_tcase(s, tc);
    return s;
}
