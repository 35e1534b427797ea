/*
 * The command line of accountsctl: one table of commands and options that
 * drives parsing, --help and the man page check (tests/unit/check_cli.c
 * compares docs/accountsctl.8 with it).
 *
 *   accountsctl [--db CONNINFO] COMMAND [ARGS] [OPTIONS]
 *
 * Options may come anywhere (before or after the command and its
 * arguments), as "--name value" or "--name=value"; "--" ends them. Error
 * messages name options and argument positions, never a value given on the
 * command line: a value may be a password or a connection string holding
 * one.
 */
#ifndef ACCOUNTS_CLI_H
#define ACCOUNTS_CLI_H

#include <stdio.h>
#include <apr_pools.h>

#define CLI_MAX_OPTIONS 8
#define CLI_MAX_POSITIONALS 2

typedef struct {
    const char *name;      /* "--realm" */
    const char *value;     /* "REALM"; NULL: a flag, which takes no value */
    int exclusive_group;   /* options sharing a non-zero group exclude each other */
    const char *help;      /* one sentence */
    int required;          /* the command refuses to run without it */
} cli_option;

typedef struct {
    const char *name;                     /* "create-admin" */
    const char *positionals[CLI_MAX_POSITIONALS + 1]; /* {"USERNAME", "DOMAIN", NULL} */
    const char *summary;                  /* one line */
    const cli_option options[CLI_MAX_OPTIONS + 1]; /* ends with { NULL } */
} cli_command;

/* The global options (--db, --help) and the commands, each ending with an
 * entry whose name is NULL. */
extern const cli_option cli_global_options[];
extern const cli_command cli_commands[];

typedef struct {
    const cli_command *command;   /* NULL with help and no command */
    int help;                     /* --help or -h given */
    const char *db;               /* --db, NULL when not given */
    const char *positional[CLI_MAX_POSITIONALS];
    const char *value[CLI_MAX_OPTIONS];   /* per option of command; "" for a given flag */
} cli_args;

/* Parses argv[1..argc-1]. Returns NULL on success, else the reason (which
 * never quotes an argument's value). */
const char *cli_parse(apr_pool_t *p, int argc, const char *const *argv, cli_args *out);

/* The value of the command's option called name (e.g. "--realm"), NULL when
 * not given; "" for a given flag. */
const char *cli_value(const cli_args *args, const char *name);

/* The usage of every command (command NULL) or of one. */
void cli_print_usage(FILE *f, const cli_command *command);

#endif
