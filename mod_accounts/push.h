/*
 * Push-delivered tokens (api-lifecycle.md 3.1, 3.2): the rules of the
 * pn_provider / pn_param / pn_prid parameters and the push command's
 * arguments. The command is a flexisip_pusher-compatible program run
 * through command.h: exec'd with an argv, never through a shell, so a
 * request value stays in its own argv slot. No httpd header.
 */
#ifndef ACCOUNTS_PUSH_H
#define ACCOUNTS_PUSH_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <json-c/json.h>

#include "validation.h"

/* Longest pn_param / pn_prid accepted: the columns' length (sql/0001,
 * sql/0011); the spec is silent, a longer value would fail in the
 * database after the push was sent. */
#define PUSH_VALUE_MAX 255

/* Adds the failures of pn_provider, pn_param and pn_prid, in that order
 * (api-lifecycle.md 3.1); params normalised (api.md 1.3). */
void push_check_params(validation *v, json_object *params);

/* The key that AccountsPushFirebaseKeys ("PARAM:KEY ...", each pair split
 * at its first ':') maps pn_param to; NULL when keymap or pn_param is NULL
 * or no pair names it. */
const char *push_firebase_key(apr_pool_t *p, const char *keymap, const char *pn_param);

/* The arguments appended to the push command to send token (the table of
 * api-lifecycle.md 3.1, in its order): --pn-provider, --pn-param and
 * --pn-prid (a NULL value is an empty argument), --customPayload
 * {"token":"..."}, --apple-push-type Background for apns and apns.dev, and
 * --key when keymap maps pn_param. token must be alphanumeric. */
apr_array_header_t *push_arguments(apr_pool_t *p, const char *provider, const char *param,
                                   const char *prid, const char *token, const char *keymap);

/* Runs the push command (the AccountsPushCommand text, or NULL when it is
 * not configured) with args appended, an empty stdin and the 10 s limit.
 * NULL when sent; else why not (no argument in it: the payload carries
 * the token). */
const char *push_send(apr_pool_t *p, const char *command, const apr_array_header_t *args);

#endif
