#include "codes.h"
#include "fields.h"

#include <stdio.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#define CODE_DIGITS 4

void codes_check_code(apr_pool_t *p, validation *v, json_object *params, const char **code)
{
    json_object *val = NULL;
    const char *s = NULL;

    *code = NULL;
    if (fields_required_fails(params, "code")) {
        validation_fail(v, "code", RULE_REQUIRED);
        return;
    }
    json_object_object_get_ex(params, "code", &val);
    if (json_object_is_type(val, json_type_string)) {
        s = json_object_get_string(val);
    }
    else if (json_object_is_type(val, json_type_int)) {
        /* Laravel's digits reads an integer as its decimal text: 4 digits
         * means 1000 to 9999 (no sign, no leading zero). */
        int64_t n = json_object_get_int64(val);
        if (n >= 1000 && n <= 9999) {
            s = apr_psprintf(p, "%d", (int)n);
        }
    }
    if (s && strlen(s) == CODE_DIGITS) {
        int digits = 1;
        for (int i = 0; i < CODE_DIGITS; i++) {
            digits &= s[i] >= '0' && s[i] <= '9';
        }
        if (digits) {
            *code = s;
            return;
        }
    }
    validation_add(v, "code", "The code must be 4 digits.");
}

const char *codes_sms_number(apr_pool_t *p, const char *phone)
{
    size_t len = strlen(phone), n = 0;
    char *out = apr_palloc(p, len + 1);

    for (size_t i = 0; i < len; i++) {
        if (phone[i] == '+' || apr_isdigit(phone[i])) {
            out[n++] = phone[i];
        }
    }
    out[n] = '\0';
    return out;
}

const char *codes_phone_sms_text(apr_pool_t *p, const char *space_name, const char *code,
                                 long expiry_minutes)
{
    const char *text = apr_pstrcat(p, "Your ", space_name, " validation code is ", code, ".", NULL);

    if (expiry_minutes > 0) {
        text = apr_psprintf(p, "%s The code is available for %ld minutes", text, expiry_minutes);
    }
    return text;
}

const char *codes_email_body(apr_pool_t *p, const char *space_name, const char *code,
                             long expiry_minutes)
{
    return apr_pstrcat(p,
        "Welcome to ", space_name, "\n\n",
        "Thank you for registering on ", space_name, ".\n\n",
        "To complete your registration, please enter the verification code below\n"
        "in the application:\n\n",
        code, "\n\n",
        expiry_minutes > 0
            ? apr_psprintf(p, "This code is valid for %ld minutes.\n", expiry_minutes) : "",
        "If you did not ask for it, you can ignore this message.\n", NULL);
}

const char *codes_recovery_email_body(apr_pool_t *p, const char *space_name, const char *code,
                                      long expiry_minutes)
{
    return apr_pstrcat(p,
        "Account recovery request\n\n",
        "We received a request to recover your account on ", space_name, ".\n\n",
        "To proceed, please enter the verification code below:\n\n",
        code, "\n\n",
        expiry_minutes > 0
            ? apr_psprintf(p, "This code is valid for %ld minutes.\n", expiry_minutes) : "",
        "If you did not ask for it, you can ignore this message: your password is unchanged.\n",
        NULL);
}
