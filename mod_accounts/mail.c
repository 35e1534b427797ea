#include "mail.h"
#include "crypto.h"

#include <signal.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_thread_proc.h>
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
    /* "exec": the shell becomes the command, so a kill at the timeout
     * reaches the command itself, not only the shell around it. */
    const char *argv[] = { "/bin/sh", "-c", apr_pstrcat(p, "exec ", command, NULL), NULL };
    apr_procattr_t *attr;
    apr_file_t *devnull = NULL;
    apr_proc_t proc;
    apr_size_t len = strlen(message);
    apr_exit_why_e why;
    apr_time_t deadline;
    apr_status_t rv;
    int code = 0;

    if (apr_procattr_create(&attr, p) != APR_SUCCESS
        || apr_procattr_io_set(attr, APR_FULL_BLOCK, APR_NO_PIPE, APR_NO_PIPE) != APR_SUCCESS
        || apr_procattr_cmdtype_set(attr, APR_PROGRAM) != APR_SUCCESS) {
        return "cannot prepare the mail command";
    }
    /* The command's own output is not ours to show. */
    if (apr_file_open(&devnull, "/dev/null", APR_FOPEN_WRITE, APR_OS_DEFAULT, p) == APR_SUCCESS) {
        apr_procattr_child_out_set(attr, devnull, NULL);
        apr_procattr_child_err_set(attr, devnull, NULL);
    }
    rv = apr_proc_create(&proc, argv[0], argv, NULL, attr, p);
    if (rv != APR_SUCCESS) {
        return "cannot start the mail command";
    }
    rv = apr_file_write_full(proc.in, message, len, NULL);
    apr_file_close(proc.in);

    deadline = apr_time_now() + apr_time_from_sec(timeout_seconds);
    while ((rv = apr_proc_wait(&proc, &code, &why, APR_NOWAIT)) == APR_CHILD_NOTDONE) {
        if (apr_time_now() > deadline) {
            apr_proc_kill(&proc, SIGKILL);
            apr_proc_wait(&proc, &code, &why, APR_WAIT);
            return apr_psprintf(p, "the mail command did not finish within %d seconds",
                                timeout_seconds);
        }
        apr_sleep(apr_time_from_msec(20));
    }
    if (rv != APR_CHILD_DONE) {
        return "cannot wait for the mail command";
    }
    if (why != APR_PROC_EXIT || code != 0) {
        return apr_psprintf(p, "the mail command failed (%s %d)",
                            why == APR_PROC_EXIT ? "exit status" : "signal", code);
    }
    return NULL;
}
