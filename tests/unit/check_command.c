/* External commands (api-lifecycle.md 1.1): splitting the directive value
 * into argv, and running a program without a shell. */
#include "suites.h"
#include "command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_time.h>

static apr_array_header_t *words_of(const char *text)
{
    apr_array_header_t *words = NULL;
    const char *why = command_split(test_pool, text, &words);
    ck_assert_msg(why == NULL, "'%s': %s", text, why);
    return words;
}

static const char *word(apr_array_header_t *words, int i)
{
    return APR_ARRAY_IDX(words, i, const char *);
}

START_TEST(words_split_on_whitespace_and_quotes_group)
{
    apr_array_header_t *w = words_of("  /usr/bin/flexisip_pusher\t--disable-tls-check \"two words\" \"\" ");
    ck_assert_int_eq(w->nelts, 4);
    ck_assert_str_eq(word(w, 0), "/usr/bin/flexisip_pusher");
    ck_assert_str_eq(word(w, 1), "--disable-tls-check");
    ck_assert_str_eq(word(w, 2), "two words");
    ck_assert_str_eq(word(w, 3), "");
}
END_TEST

START_TEST(bad_command_texts_are_refused)
{
    const char *bad[] = { "", "   ", "\"/bin/x", "/bin/x \"a\"b", "/bin/a\"b\"", "\"\" arg" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        apr_array_header_t *w = NULL;
        ck_assert_msg(command_split(test_pool, bad[i], &w) != NULL, "accepted '%s'", bad[i]);
    }
}
END_TEST

/* A recorder: sh -c SCRIPT sh ARGS... writes each argument on its own line,
 * then "--stdin--" and what it read, into a temporary file. */
static const char *recorder(apr_array_header_t **words, const char *exit_status)
{
    char *path = apr_pstrdup(test_pool, "/tmp/check_command_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    *words = apr_array_make(test_pool, 4, sizeof(const char *));
    APR_ARRAY_PUSH(*words, const char *) = "/bin/sh";
    APR_ARRAY_PUSH(*words, const char *) = "-c";
    APR_ARRAY_PUSH(*words, const char *) = apr_psprintf(
        test_pool, "printf '%%s\\n' \"$@\" > %s; echo --stdin-- >> %s; cat >> %s; exit %s",
        path, path, path, exit_status);
    APR_ARRAY_PUSH(*words, const char *) = "sh";
    return path;
}

static const char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    return buf;
}

START_TEST(arguments_stay_in_their_own_argv_slot_and_stdin_is_delivered)
{
    apr_array_header_t *words, *extra = apr_array_make(test_pool, 3, sizeof(const char *));
    const char *path = recorder(&words, "0");

    APR_ARRAY_PUSH(extra, const char *) = "--pn-prid";
    APR_ARRAY_PUSH(extra, const char *) = "x; rm -rf / $(id) `id`";
    APR_ARRAY_PUSH(extra, const char *) = "";
    ck_assert_ptr_null(command_run(test_pool, words, extra, "Your code is 1234.", 5));
    ck_assert_str_eq(slurp(path), "--pn-prid\nx; rm -rf / $(id) `id`\n\n--stdin--\nYour code is 1234.");
}
END_TEST

START_TEST(no_stdin_text_is_an_empty_stdin)
{
    apr_array_header_t *words;
    const char *path = recorder(&words, "0");
    ck_assert_ptr_null(command_run(test_pool, words, NULL, NULL, 5));
    /* printf with no argument prints one empty line. */
    ck_assert_str_eq(slurp(path), "\n--stdin--\n");
}
END_TEST

START_TEST(a_failing_program_is_not_sent)
{
    apr_array_header_t *words;
    const char *path = recorder(&words, "3"), *why;
    why = command_run(test_pool, words, NULL, NULL, 5);
    slurp(path);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "exit status 3"));
}
END_TEST

START_TEST(a_program_killed_by_a_signal_is_not_sent)
{
    apr_array_header_t *words = words_of("/bin/sh -c \"kill -TERM $$\"");
    const char *why = command_run(test_pool, words, NULL, NULL, 5);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "signal"));
}
END_TEST

START_TEST(a_missing_program_is_not_sent)
{
    ck_assert_ptr_nonnull(command_run(test_pool, words_of("/nonexistent/pusher --x"), NULL, NULL, 5));
    ck_assert_ptr_nonnull(command_run(test_pool, NULL, NULL, NULL, 5));
}
END_TEST

START_TEST(a_hanging_program_is_killed_at_the_deadline)
{
    /* It never reads stdin either: a large text must not block past the deadline. */
    char *big = apr_palloc(test_pool, 1 << 20);
    apr_time_t start = apr_time_now();
    const char *why;

    memset(big, 'x', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    why = command_run(test_pool, words_of("/bin/sleep 30"), NULL, big, 1);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "within 1 seconds"));
    ck_assert_int_lt(apr_time_now() - start, apr_time_from_sec(5));
}
END_TEST

Suite *command_suite(void)
{
    Suite *s = suite_create("command");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, words_split_on_whitespace_and_quotes_group);
    tcase_add_test(tc, bad_command_texts_are_refused);
    tcase_add_test(tc, arguments_stay_in_their_own_argv_slot_and_stdin_is_delivered);
    tcase_add_test(tc, no_stdin_text_is_an_empty_stdin);
    tcase_add_test(tc, a_failing_program_is_not_sent);
    tcase_add_test(tc, a_program_killed_by_a_signal_is_not_sent);
    tcase_add_test(tc, a_missing_program_is_not_sent);
    tcase_add_test(tc, a_hanging_program_is_killed_at_the_deadline);
    suite_add_tcase(s, tc);
    return s;
}
