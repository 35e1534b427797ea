#include "mail.h"
#include "command.h"
#include "crypto.h"

#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>
#include <openssl/evp.h>

static int is_ascii_printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* A header value that cannot break out of its header: CR and LF become
 * spaces, and anything not plain printable ASCII is RFC 2047 encoded. */
static const char *header_text(apr_pool_t *p, const char *value)
{
    char *flat = apr_pstrdup(p, value);
    char *b64;
    size_t len;

    for (char *c = flat; *c; c++) {
        if (*c == '\r' || *c == '\n') {
            *c = ' ';
        }
    }
    if (is_ascii_printable(flat)) {
        return flat;
    }
    len = strlen(flat);
    b64 = apr_palloc(p, 4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)flat, (int)len);
    return apr_pstrcat(p, "=?UTF-8?B?", b64, "?=", NULL);
}

/* A display name: encoded when needed, else quoted. */
static const char *display_name(apr_pool_t *p, const char *name)
{
    const char *text = header_text(p, name);

    if (strncmp(text, "=?UTF-8?", 8) == 0) {
        return text;
    }
    {
        char *quoted = apr_palloc(p, 2 * strlen(text) + 3), *o = quoted;
        *o++ = '"';
        for (const char *c = text; *c; c++) {
            if (*c == '"' || *c == '\\') {
                *o++ = '\\';
            }
            *o++ = *c;
        }
        *o++ = '"';
        *o = '\0';
        return quoted;
    }
}

const char *mail_render(apr_pool_t *p, const mail_message *m)
{
    char date[APR_RFC822_DATE_LEN];
    const char *from = m->from_name
        ? apr_pstrcat(p, display_name(p, m->from_name), " <", header_text(p, m->from_address), ">", NULL)
        : header_text(p, m->from_address);
    const char *id = crypto_random_hex(p, 16);

    apr_rfc822_date(date, apr_time_now());
    return apr_pstrcat(p,
        "From: ", from, "\n",
        "To: ", header_text(p, m->to), "\n",
        "Subject: ", header_text(p, m->subject), "\n",
        "Date: ", date, "\n",
        "Message-ID: <", id ? id : "0", "@", header_text(p, m->message_id_domain), ">\n",
        "MIME-Version: 1.0\n",
        "Content-Type: text/plain; charset=UTF-8\n",
        "Content-Transfer-Encoding: 8bit\n",
        "\n", m->body, NULL);
}

const char *mail_send(apr_pool_t *p, const char *command, const char *message)
{
    return mail_send_within(p, command, message, MAIL_TIMEOUT_SECONDS);
}

const char *mail_send_within(apr_pool_t *p, const char *command, const char *message,
                             int timeout_seconds)
{
    /* The Sendmail directive is a shell command line (its documented form);
     * "exec": the shell becomes the command, so a kill at the timeout
     * reaches the command itself, not only the shell around it. No request
     * value is ever part of it: the recipient travels in the message. */
    apr_array_header_t *words = apr_array_make(p, 3, sizeof(const char *));
    const char *why;

    APR_ARRAY_PUSH(words, const char *) = "/bin/sh";
    APR_ARRAY_PUSH(words, const char *) = "-c";
    APR_ARRAY_PUSH(words, const char *) = apr_pstrcat(p, "exec ", command, NULL);
    why = command_run(p, words, NULL, message, timeout_seconds);
    return why ? apr_pstrcat(p, "the mail command: ", why, NULL) : NULL;
}
