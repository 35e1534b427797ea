/* Email rendering and the sendmail pipe (api.md 6.6). */
#include "suites.h"
#include "mail.h"

#include <string.h>

static mail_message sample(void)
{
    mail_message m;
    memset(&m, 0, sizeof(m));
    m.from_address = "no-reply@sip.example.org";
    m.from_name = "Example \"Accounts\"";
    m.to = "bob@example.org";
    m.subject = "Welcome to Example: Start using your account today";
    m.body = "Hello bob@sip.example.org,\n";
    m.message_id_domain = "sip.example.org";
    return m;
}

START_TEST(message_has_every_header_and_the_body)
{
    mail_message m = sample();
    const char *text = mail_render(test_pool, &m);

    ck_assert_ptr_nonnull(strstr(text, "From: \"Example \\\"Accounts\\\"\" <no-reply@sip.example.org>\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nTo: bob@example.org\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nSubject: Welcome to Example: Start using your account today\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nDate: "));
    ck_assert_ptr_nonnull(strstr(text, "\nMessage-ID: <"));
    ck_assert_ptr_nonnull(strstr(text, "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                                       "Content-Transfer-Encoding: 8bit\n\nHello bob@sip.example.org,\n"));
}
END_TEST

START_TEST(header_values_cannot_inject_headers)
{
    mail_message m = sample();
    const char *text;

    m.subject = "Hi\r\nBcc: victim@example.org";
    m.from_name = "Evil\nBcc: x@example.org";
    text = mail_render(test_pool, &m);
    ck_assert_ptr_null(strstr(text, "\nBcc:"));
    ck_assert_ptr_nonnull(strstr(text, "Subject: Hi  Bcc: victim@example.org\n"));
}
END_TEST

START_TEST(non_ascii_headers_are_rfc2047_encoded)
{
    mail_message m = sample();
    const char *text;

    m.subject = "Bienvenue \xc3\xa0 l'Espace";
    m.from_name = "\xc3\x89quipe";
    text = mail_render(test_pool, &m);
    ck_assert_ptr_nonnull(strstr(text, "Subject: =?UTF-8?B?QmllbnZlbnVlIMOgIGwnRXNwYWNl?=\n"));
    ck_assert_ptr_nonnull(strstr(text, "From: =?UTF-8?B?w4lxdWlwZQ==?= <no-reply@sip.example.org>\n"));
}
END_TEST

START_TEST(sendmail_outcomes)
{
    ck_assert_ptr_null(mail_send_within(test_pool, "cat > /dev/null", "message\n", 5));
    ck_assert_ptr_nonnull(mail_send_within(test_pool, "exit 3", "message\n", 5));
    ck_assert_ptr_nonnull(mail_send_within(test_pool, "/nonexistent/sendmail -t", "message\n", 5));
}
END_TEST

START_TEST(a_hanging_mail_command_is_killed_at_the_timeout)
{
    apr_time_t start = apr_time_now();
    const char *err = mail_send_within(test_pool, "sleep 30", "message\n", 1);

    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "did not finish"));
    ck_assert(apr_time_now() - start < apr_time_from_sec(5));
}
END_TEST

Suite *mail_suite(void)
{
    Suite *s = suite_create("mail");
    TCase *tc = tcase_create("mail");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, message_has_every_header_and_the_body);
    tcase_add_test(tc, header_values_cannot_inject_headers);
    tcase_add_test(tc, non_ascii_headers_are_rfc2047_encoded);
    tcase_add_test(tc, sendmail_outcomes);
    tcase_add_test(tc, a_hanging_mail_command_is_killed_at_the_timeout);
    suite_add_tcase(s, tc);
    return s;
}
