/*
 * Emails (api.md 6.6): a complete RFC 5322 message, piped to the
 * sendmail-compatible command of the Space. No httpd header.
 */
#ifndef ACCOUNTS_MAIL_H
#define ACCOUNTS_MAIL_H

#include <apr_pools.h>

/* How long the mail command may take before it is killed (a failure). */
#define MAIL_TIMEOUT_SECONDS 10

typedef struct {
    const char *from_address;
    const char *from_name;     /* or NULL */
    const char *to;            /* a validated address */
    const char *subject;       /* UTF-8 */
    const char *body;          /* UTF-8, lines separated by \n */
    const char *message_id_domain;
} mail_message;

/* The whole message: headers (CR/LF in values never emitted, non-ASCII
 * encoded per RFC 2047), blank line, body. */
const char *mail_render(apr_pool_t *p, const mail_message *m);

/* Runs command (through /bin/sh) with the message on its standard input.
 * NULL on success (exit status 0 within the timeout), else why it failed. */
const char *mail_send(apr_pool_t *p, const char *command, const char *message);

/* The same with a timeout of its own, in seconds. */
const char *mail_send_within(apr_pool_t *p, const char *command, const char *message,
                             int timeout_seconds);

#endif
