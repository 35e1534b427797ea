/*
 * The phone regions of GET /phone_countries (api-lifecycle.md 5.3): ISO
 * 3166-1 alpha-2 code and country calling code, ordered by code. Which are
 * activated is the Space's AccountsAllowedPhoneCountries
 * (fields_phone_country_allowed). No httpd header.
 */
#ifndef ACCOUNTS_PHONE_COUNTRIES_H
#define ACCOUNTS_PHONE_COUNTRIES_H

typedef struct {
    const char *code;           /* "FR" */
    const char *calling_code;   /* "33" */
} phone_country;

extern const phone_country phone_countries[];
extern const int phone_countries_count;

#endif
