#include "push.h"
#include "command.h"
#include "fields.h"

#include <string.h>

#include <apr_strings.h>

static const char *const providers[] = { "apns.dev", "apns", "fcm" };

/* 1 when s is non-empty and made of [A-Za-z0-9] and the extra characters. */
static int made_of(const char *s, const char *extra)
{
    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || strchr(extra, c))) {
            return 0;
        }
    }
    return 1;
}

/* A nullable pn value: absent and null pass; anything else must be a
 * string of the allowed characters (a number, boolean, array or object
 * fails the rule), then fit its column (only ASCII passes the first rule,
 * so bytes are characters). */
static void check_value(validation *v, json_object *params, const char *field,
                        const char *extra, const char *message, const char *too_long)
{
    json_object *val = NULL;
    const char *s;

    if (!json_object_object_get_ex(params, field, &val) || !val) {
        return;
    }
    s = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
    if (!s || !made_of(s, extra)) {
        validation_add(v, field, message);
    }
    if (s && fields_code_points(s) > PUSH_VALUE_MAX) {
        validation_add(v, field, too_long);
    }
}

void push_check_params(validation *v, json_object *params)
{
    const char *provider = fields_string(params, "pn_provider");
    int known = 0;

    if (fields_required_fails(params, "pn_provider")) {
        validation_fail(v, "pn_provider", RULE_REQUIRED);
    }
    else {
        for (size_t i = 0; provider && i < sizeof(providers) / sizeof(providers[0]); i++) {
            known |= strcmp(provider, providers[i]) == 0;
        }
        if (!known) {
            validation_add(v, "pn_provider", "The pn provider should be in apns.dev, apns, fcm");
        }
    }
    check_value(v, params, "pn_param", "_.",
                "The pn param should be null or contain only alphanumeric, dots and underscore characters",
                "The pn param may not be greater than 255 characters.");
    check_value(v, params, "pn_prid", "_:-",
                "The pn prid should be null or contain only alphanumeric, dashes, underscore and colon characters",
                "The pn prid may not be greater than 255 characters.");
}

const char *push_firebase_key(apr_pool_t *p, const char *keymap, const char *pn_param)
{
    const char *s = keymap, *found = NULL;
    size_t plen;

    if (!keymap || !pn_param) {
        return NULL;
    }
    plen = strlen(pn_param);
    while (*s) {
        const char *start, *colon;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        start = s;
        while (*s && *s != ' ' && *s != '\t') {
            s++;
        }
        colon = memchr(start, ':', (size_t)(s - start));
        /* FlexiAPI fills a PHP array from the pairs: the last pair of a
         * repeated param wins. */
        if (colon && (size_t)(colon - start) == plen && memcmp(start, pn_param, plen) == 0) {
            found = apr_pstrmemdup(p, colon + 1, (size_t)(s - colon - 1));
        }
    }
    return found;
}

apr_array_header_t *push_arguments(apr_pool_t *p, const char *provider, const char *param,
                                   const char *prid, const char *token, const char *keymap)
{
    apr_array_header_t *args = apr_array_make(p, 12, sizeof(const char *));
    const char *key = push_firebase_key(p, keymap, param);

    APR_ARRAY_PUSH(args, const char *) = "--pn-provider";
    APR_ARRAY_PUSH(args, const char *) = provider;
    APR_ARRAY_PUSH(args, const char *) = "--pn-param";
    APR_ARRAY_PUSH(args, const char *) = param ? param : "";
    APR_ARRAY_PUSH(args, const char *) = "--pn-prid";
    APR_ARRAY_PUSH(args, const char *) = prid ? prid : "";
    APR_ARRAY_PUSH(args, const char *) = "--customPayload";
    APR_ARRAY_PUSH(args, const char *) = apr_pstrcat(p, "{\"token\":\"", token, "\"}", NULL);
    if (strcmp(provider, "apns") == 0 || strcmp(provider, "apns.dev") == 0) {
        APR_ARRAY_PUSH(args, const char *) = "--apple-push-type";
        APR_ARRAY_PUSH(args, const char *) = "Background";
    }
    if (key) {
        APR_ARRAY_PUSH(args, const char *) = "--key";
        APR_ARRAY_PUSH(args, const char *) = key;
    }
    return args;
}

const char *push_send(apr_pool_t *p, const char *command, const apr_array_header_t *args)
{
    apr_array_header_t *words;
    const char *why;

    if (!command || !*command) {
        return "no push command is configured";
    }
    /* The directive was checked at startup; a failure here cannot happen,
     * but counts as not sent. */
    if ((why = command_split(p, command, &words))) {
        return apr_pstrcat(p, "the push command ", why, NULL);
    }
    why = command_run(p, words, args, NULL, COMMAND_TIMEOUT_SECONDS);
    return why ? apr_pstrcat(p, "the push command: ", why, NULL) : NULL;
}
