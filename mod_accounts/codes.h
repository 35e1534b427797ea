/*
 * Email and phone change codes (api-lifecycle.md 1.2, 4, 5): the rule of
 * the submitted code, and the texts that carry a code to its owner. No
 * database, no httpd header: unit tested on its own.
 */
#ifndef ACCOUNTS_CODES_H
#define ACCOUNTS_CODES_H

#include <apr_pools.h>
#include <json-c/json.h>

#include "validation.h"

/* Wrong values a code takes before it is exhausted (1.2); the functions of
 * sql/0013 enforce the same number (for the log lines here). */
#define CODES_MAX_ATTEMPTS 3

/* The code parameter of 4.2 and 5.2: 'required', then Laravel's digits:4
 * (a string of exactly 4 ASCII digits, or an integer of 4 digits) ->
 * "The code must be 4 digits.". On success *code is the 4 characters as
 * they are compared with the stored code; NULL when the rule failed. */
void codes_check_code(apr_pool_t *p, validation *v, json_object *params, const char **code);

/* What the SMS command gets as the number (5.1): the '+' and the digits of
 * the number as submitted ("+33 6 12-34-56-78" -> "+33612345678"). */
const char *codes_sms_number(apr_pool_t *p, const char *phone);

/* The SMS text of 5.1 (no final period; ends after "<code>." when the
 * code never expires). */
const char *codes_phone_sms_text(apr_pool_t *p, const char *space_name, const char *code,
                                 long expiry_minutes);

/* The body of the email of 4.1, up to the sign-off (the caller appends
 * it): the code alone on its own line, its lifetime unless 0. */
const char *codes_email_body(apr_pool_t *p, const char *space_name, const char *code,
                             long expiry_minutes);

/* The body of the recovery email of 6.3, up to the sign-off: the recovery
 * asked on the Space, the code alone on its own line, its lifetime unless 0. */
const char *codes_recovery_email_body(apr_pool_t *p, const char *space_name, const char *code,
                                      long expiry_minutes);

#endif
