/*
 * External programs the module runs: the push command, the SMS command
 * (api-lifecycle.md 1.1) and the sendmail command (api.md 6.6).
 * A command is exec'd directly with an argv; no shell ever sees a request
 * value. No httpd header.
 */
#ifndef ACCOUNTS_COMMAND_H
#define ACCOUNTS_COMMAND_H

#include <apr_pools.h>
#include <apr_tables.h>

/* How long a command may run before it is killed (and counts as failed). */
#define COMMAND_TIMEOUT_SECONDS 10

/* Splits a directive value into words: ASCII whitespace separates them, a
 * double-quoted word may hold spaces (the quotes are dropped; no other
 * escapes). NULL on success with *words (at least one word, the program);
 * else why it is refused (empty, unbalanced quote, a quote inside a word). */
const char *command_split(apr_pool_t *p, const char *text, apr_array_header_t **words);

/* Runs the program words[0] with words then extra (both arrays of
 * const char *, extra may be NULL) as argv, stdin_text (or nothing: an
 * empty stdin) on its standard input, its output discarded, and waits at
 * most timeout_seconds (then SIGKILL and reap). NULL when it exited with
 * status 0 in time; else why not, without any argument in the text. */
const char *command_run(apr_pool_t *p, const apr_array_header_t *words,
                        const apr_array_header_t *extra, const char *stdin_text,
                        int timeout_seconds);

#endif
