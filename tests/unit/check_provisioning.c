/* The provisioning document's reg_identity (api.md 6.4): an RFC 3261
 * name-addr whatever the display name holds. */
#include "suites.h"
#include "provisioning.h"

#include <string.h>

/* Undoes the quoted-string of a name-addr: the display name, or NULL when
 * s is not exactly  "qdtext/quoted-pair*" SP <uri>  with uri the expected
 * one. A strict reading of RFC 3261 25.1: an unescaped '"' ends the
 * string, '\' escapes the next character, CR and LF never appear. */
static const char *parse_name_addr(const char *s, const char *uri)
{
    char *out = apr_palloc(test_pool, strlen(s) + 1), *o = out;
    const char *c = s;

    if (*c++ != '"') {
        return NULL;
    }
    for (; *c && *c != '"'; c++) {
        if (*c == '\r' || *c == '\n') {
            return NULL;
        }
        if (*c == '\\') {
            if (!c[1] || c[1] == '\r' || c[1] == '\n') {
                return NULL;
            }
            c++;
        }
        *o++ = *c;
    }
    if (*c++ != '"' || *c++ != ' ' || strcmp(c, uri) != 0) {
        return NULL;
    }
    *o = '\0';
    return out;
}

static const char *identity(const char *display_name)
{
    return provisioning_reg_identity(test_pool, display_name, "bob", "sip.example.org");
}

START_TEST(a_quote_cannot_close_the_display_name)
{
    const char *id = identity("Bob\" <sip:x@evil>");

    ck_assert_str_eq(id, "\"Bob\\\" <sip:x@evil>\" <sip:bob@sip.example.org>");
    ck_assert_str_eq(parse_name_addr(id, "<sip:bob@sip.example.org>"), "Bob\" <sip:x@evil>");
}
END_TEST

START_TEST(backslashes_are_quoted_pairs)
{
    const char *names[] = { "Back\\slash", "Ends with \\", "\\", "\\\"", "\"\\\"; tag=\"\\\\" };

    ck_assert_str_eq(identity("Ends with \\"), "\"Ends with \\\\\" <sip:bob@sip.example.org>");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *parsed = parse_name_addr(identity(names[i]), "<sip:bob@sip.example.org>");
        ck_assert_msg(parsed && strcmp(parsed, names[i]) == 0, "round trip of [%s]: [%s]", names[i],
                      parsed ? parsed : "(no parse)");
    }
}
END_TEST

START_TEST(plain_and_utf8_names_are_unchanged)
{
    ck_assert_str_eq(identity("John & <Doe>"), "\"John & <Doe>\" <sip:bob@sip.example.org>");
    ck_assert_str_eq(identity("Z\xc3\xb6" "e \xf0\x9f\x98\x80"),
                     "\"Z\xc3\xb6" "e \xf0\x9f\x98\x80\" <sip:bob@sip.example.org>");
}
END_TEST

START_TEST(control_characters_become_spaces)
{
    ck_assert_str_eq(identity("Line\nBreak\r\x07" "Bell\tTab\x7f"),
                     "\"Line Break  Bell\tTab \" <sip:bob@sip.example.org>");
    /* Nothing to show, or no name: the bare address. */
    ck_assert_str_eq(identity("\r\n\x01 \t"), "<sip:bob@sip.example.org>");
    ck_assert_str_eq(identity(NULL), "<sip:bob@sip.example.org>");
}
END_TEST

START_TEST(the_document_carries_the_escaped_identity)
{
    accounts_space *space = space_create(test_pool);
    provisioning_account a;
    const char *xml;

    ck_assert_ptr_null(space_setting_set(test_pool, space, space_setting_find("AccountsSpace"),
                                         "sip.example.org", NULL));
    ck_assert_ptr_null(space_resolve(test_pool, space, "sip.example.org", "secret"));
    memset(&a, 0, sizeof(a));
    a.username = "bob";
    a.domain = "sip.example.org";
    a.display_name = "Bob\" <sip:x@evil>";
    xml = provisioning_document(test_pool, space, &a);
    /* The XML escaping of the quoted-string above. */
    ck_assert_msg(strstr(xml, "<entry name=\"reg_identity\">&quot;Bob\\&quot; &lt;sip:x@evil&gt;&quot; "
                              "&lt;sip:bob@sip.example.org&gt;</entry>") != NULL, "%s", xml);
}
END_TEST

Suite *provisioning_suite(void)
{
    Suite *s = suite_create("provisioning");
    TCase *tc = tcase_create("reg_identity");

    tcase_add_checked_fixture(tc, test_pool_setup, test_pool_teardown);
    tcase_add_test(tc, a_quote_cannot_close_the_display_name);
    tcase_add_test(tc, backslashes_are_quoted_pairs);
    tcase_add_test(tc, plain_and_utf8_names_are_unchanged);
    tcase_add_test(tc, control_characters_become_spaces);
    tcase_add_test(tc, the_document_carries_the_escaped_identity);
    suite_add_tcase(s, tc);
    return s;
}
