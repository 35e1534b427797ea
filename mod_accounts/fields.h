/*
 * The field rules of the Accounts API (api.md 4.1 to 4.9) and the input
 * normalisation they run on (api.md 1.3). Each check adds its field's
 * failures to a validation collector in rule order (api.md 1.5); the caller
 * calls the checks in the endpoint's field order and does the database
 * lookups beforehand (field_lookups), so this file needs no database and
 * no httpd header: it is unit tested on its own.
 */
#ifndef ACCOUNTS_FIELDS_H
#define ACCOUNTS_FIELDS_H

#include <apr_pools.h>
#include <json-c/json.h>

#include "space.h"
#include "validation.h"

/* api.md 1.3, in place: every string value at any depth is trimmed of leading/trailing whitespace
 * (isspace on ASCII: space \t \n \r \v \f), except the values of keys named "password" and
 * "password_confirmation"; then an empty string becomes JSON null.
 * The exception holds for those top-level parameters only, as Laravel's TrimStrings does
 * (a dictionary entry named "password" is trimmed). */
void fields_normalize(json_object *params);

/* What the database knows about the candidate values (the caller fills it before validating). */
typedef struct {
    int username_taken;      /* an account of the target domain has this username */
    int username_tombstoned; /* a tombstone of the target domain has this username */
    int email_taken;         /* an account of the target domain has this email (case-insensitive) */
    int phone_taken;         /* an account of the target domain has this phone */
    int phone_is_username;   /* an account of the target domain has this phone as its username */
} field_lookups;

/* Accessors on the (normalised) parameter object; params may be NULL (no parameters). */
int fields_present(json_object *params, const char *field);         /* key exists (even with null value) */
const char *fields_string(json_object *params, const char *field);  /* string value, else NULL */
int fields_true(json_object *params, const char *field);            /* applied boolean: true, 1, "1" -> 1; else 0 */
/* Laravel's required fails: absent, null, whitespace only, an empty array or object. */
int fields_required_fails(json_object *params, const char *field);

/* Length of UTF-8 text in Unicode code points (how every min/max counts). */
size_t fields_code_points(const char *s);

/* 1 when s is an email address the email rule (4.3) accepts: what is stored
 * through the API always is; an address stored by other means may not be. */
int fields_email_valid(const char *s);

/* Rules, each adding its failures for its field to v in rule order (4.x):
 * 'required' failing stops that field's other rules; rules other than required are skipped for
 * absent fields and for null values of nullable fields. 'required' fails, as Laravel's does, on
 * an absent key, null, a string that is only whitespace, and an empty array or object.
 * The field name is kept by v: pass a string that outlives it.
 * rules may be NULL (no Space: no regex, blacklist, country list nor email uniqueness, and
 * phone-number usernames refused); db may be NULL (nothing taken).
 * Every value that passes fits the column it is stored in (sql/0001_init.sql). */
void fields_check_username(validation *v, json_object *params, const accounts_space *rules,
                           int admin_endpoint, const field_lookups *db);   /* 4.1; admin_endpoint skips rule 5 when rules->allow_phone_username == 1 */
void fields_check_password(validation *v, json_object *params, int min_length); /* 4.2: required, string, min (0 = no minimum rule) */
void fields_check_algorithm(validation *v, json_object *params);   /* 4.2: required, then exactly MD5 or SHA-256 -> "The password algorithm must be in MD5, SHA-256" */
void fields_check_email(validation *v, json_object *params, const accounts_space *rules, const field_lookups *db); /* 4.3, unique only when rules->email_unique == 1 */
void fields_check_phone(validation *v, json_object *params, const accounts_space *rules, const field_lookups *db);  /* 4.4, then max:64 (the column's length) */
void fields_check_dtmf_protocol(validation *v, json_object *params); /* 4.5 */
void fields_check_dictionary(validation *v, json_object *params);    /* 4.6 */
void fields_check_domain(validation *v, json_object *params, const space_registry *registry); /* 4.7 validity only */
void fields_check_boolean(validation *v, json_object *params, const char *field); /* 4.8 */
void fields_check_display_name(validation *v, json_object *params); /* 4.9 */
/* api-lifecycle.md 7.1: the {key} of a dictionary route (a path segment, never empty): max:255
 * ("key"); the value of POST /accounts/{id}/dictionary/{key}: required, string, max:255 ("value"). */
void fields_check_dictionary_key(validation *v, const char *key);
void fields_check_dictionary_value(validation *v, json_object *params);

/* The key of an account type or action (api-lifecycle.md 7.2, 7.3) with
 * dashes_allowed, or an action's code without: required; alpha_dash
 * (ASCII letters, digits, '-', '_') or alpha_num; no uppercase letter;
 * max:255. A number counts as its decimal text, as Laravel's is_numeric
 * test lets it through; other non-strings fail the alpha rule alone.
 * *text is the value to store (NULL when it failed). Uniqueness is the
 * caller's (the database's). */
void fields_check_label(validation *v, json_object *params, const char *field,
                        int dashes_allowed, const char **text);

/* 4.4 validity: international form after removing spaces, '-', '.', '(' and ')': '+' then 7 to 15
 * digits starting with an assigned ITU-T E.164 country calling code and a national number length
 * plausible for it. Sets *calling_code (pool string, e.g. "33") when valid; calling_code may be
 * NULL when only the verdict is wanted. */
int fields_phone_valid(apr_pool_t *p, const char *phone, const char **calling_code);

/* 1 when the Space's AccountsAllowedPhoneCountries lets numbers of that
 * calling code in (an empty list, or no Space: every code). */
int fields_phone_country_allowed(const accounts_space *rules, const char *calling_code);

#endif
