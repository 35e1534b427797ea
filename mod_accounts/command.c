#include "command.h"

#include <signal.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

const char *command_split(apr_pool_t *p, const char *text, apr_array_header_t **words)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    const char *s = text ? text : "";

    for (;;) {
        const char *start;
        while (*s && apr_isspace(*s)) {
            s++;
        }
        if (!*s) {
            break;
        }
        if (*s == '"') {
            start = ++s;
            while (*s && *s != '"') {
                s++;
            }
            if (!*s) {
                return "has an unbalanced double quote";
            }
            APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, start, s - start);
            s++;
            if (*s && !apr_isspace(*s)) {
                return "has a quoted word followed by other characters";
            }
            continue;
        }
        start = s;
        while (*s && !apr_isspace(*s)) {
            if (*s == '"') {
                return "has a double quote inside a word";
            }
            s++;
        }
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, start, s - start);
    }
    if (out->nelts == 0 || !*APR_ARRAY_IDX(out, 0, const char *)) {
        return "names no program";
    }
    *words = out;
    return NULL;
}

const char *command_run(apr_pool_t *p, const apr_array_header_t *words,
                        const apr_array_header_t *extra, const char *stdin_text,
                        int timeout_seconds)
{
    int nwords = words ? words->nelts : 0, nextra = extra ? extra->nelts : 0;
    const char **argv;
    apr_procattr_t *attr;
    apr_file_t *devnull = NULL;
    apr_proc_t proc;
    apr_exit_why_e why;
    apr_time_t deadline, pause = apr_time_from_msec(1);
    apr_status_t rv;
    int code = 0;

    if (nwords == 0) {
        return "no command is configured";
    }
    argv = apr_pcalloc(p, sizeof(*argv) * (nwords + nextra + 1));
    memcpy(argv, words->elts, sizeof(*argv) * nwords);
    if (nextra) {
        memcpy(argv + nwords, extra->elts, sizeof(*argv) * nextra);
    }
    /* APR_PROGRAM_ENV: execv of the path itself (no PATH search, no shell),
     * with the server's environment. The parent's end of stdin does not
     * block, so a program that never reads cannot hold the request past
     * its deadline. */
    if (apr_procattr_create(&attr, p) != APR_SUCCESS
        || apr_procattr_io_set(attr, APR_CHILD_BLOCK, APR_NO_PIPE, APR_NO_PIPE) != APR_SUCCESS
        || apr_procattr_cmdtype_set(attr, APR_PROGRAM_ENV) != APR_SUCCESS) {
        return "cannot prepare the command";
    }
    /* The program's own output is not ours to show. */
    if (apr_file_open(&devnull, "/dev/null", APR_FOPEN_WRITE, APR_OS_DEFAULT, p) == APR_SUCCESS) {
        apr_procattr_child_out_set(attr, devnull, NULL);
        apr_procattr_child_err_set(attr, devnull, NULL);
    }
    rv = apr_proc_create(&proc, argv[0], argv, NULL, attr, p);
    if (rv != APR_SUCCESS) {
        return "cannot start the command";
    }
    deadline = apr_time_now() + apr_time_from_sec(timeout_seconds);
    if (stdin_text && *stdin_text) {
        apr_file_pipe_timeout_set(proc.in, apr_time_from_sec(timeout_seconds));
        apr_file_write_full(proc.in, stdin_text, strlen(stdin_text), NULL);
    }
    apr_file_close(proc.in);

    while ((rv = apr_proc_wait(&proc, &code, &why, APR_NOWAIT)) == APR_CHILD_NOTDONE) {
        if (apr_time_now() > deadline) {
            apr_proc_kill(&proc, SIGKILL);
            apr_proc_wait(&proc, &code, &why, APR_WAIT);
            return apr_psprintf(p, "the command did not finish within %d seconds",
                                timeout_seconds);
        }
        apr_sleep(pause);
        if (pause < apr_time_from_msec(20)) {
            pause *= 2;
        }
    }
    if (rv != APR_CHILD_DONE) {
        return "cannot wait for the command";
    }
    if (why != APR_PROC_EXIT) {
        return apr_psprintf(p, "the command was killed by signal %d", code);
    }
    if (code != 0) {
        /* apr's child exits with -1 (255) when the exec itself failed. */
        return apr_psprintf(p, "the command failed (exit status %d)", code);
    }
    return NULL;
}
