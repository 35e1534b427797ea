/*
 * Every endpoint handler, and the route table that maps paths to them.
 * A handler answers through request.h and returns OK; authentication,
 * access levels and body parsing already happened in the dispatcher.
 */
#ifndef ACCOUNTS_HANDLERS_H
#define ACCOUNTS_HANDLERS_H

#include <apr_strings.h>

#include "../request.h"

extern const route accounts_routes[];
extern const int accounts_routes_count;

/* replies.c: status with the Account a as JSON (space: its own Space). */
int send_account(accounts_request *req, int status, const account *a, account_view view,
                 int with_codes, const accounts_space *space);
/* The account with that id (re-read after a change), or 404. */
int reply_account(accounts_request *req, int status, const char *id, account_view view,
                  int with_codes);

/* 200 with the account just created (Self variant), built from what was
 * stored: no read back (store_account_create's id and created_at). */
int reply_new_account(accounts_request *req, const store_new_account *n, const char *id,
                      const char *created_at);
/* The request's parameters, normalised (api.md 1.3); an empty object when
 * the request had none. */
json_object *handler_params(accounts_request *req);
/* 422 for a username lost to a concurrent creation or rename, or a tombstone. */
int reply_username_taken(accounts_request *req);
/* 422 for an email or phone ("email", "phone") lost to a concurrent
 * creation or update (the store found it taken after validation passed):
 * that field's "has already been taken" error alone, from the rule code of
 * fields.c. Uses req->params and the request Space's rules. */
int reply_contact_taken(accounts_request *req, const char *field);
/* 404 {"message":"Account not found"}: the admin routes' answer for an {id}
 * that is no account of the request Space. */
int reply_account_not_found(accounts_request *req);
/* The {id} of the path if it fits a bigint (leading zeros dropped); NULL
 * for a larger number, an id no account has (api.md 1.2). */
const char *admin_path_id(accounts_request *req);
/* The same for another decimal path parameter ({contact_id}...). */
const char *path_bigint_param(accounts_request *req, const char *name);
/* The request's User-Agent as stored: at most 255 characters, or NULL
 * when absent or empty. */
const char *request_user_agent(request_rec *r);

/* pages.c: status with an HTML page (title, then content: HTML, already
 * escaped), self-contained, not cacheable, not frameable. */
int send_page(accounts_request *req, int status, const char *title, const char *content);

/* ping.c */
int handle_ping(accounts_request *req);

/* me.c */
int handle_me_show(accounts_request *req);
int handle_me_delete(accounts_request *req);
int handle_me_provision(accounts_request *req);
int handle_me_password(accounts_request *req);
int handle_me_turn(accounts_request *req);

/* admin_accounts.c */
int handle_admin_create(accounts_request *req);
int handle_admin_update(accounts_request *req);
int handle_admin_list(accounts_request *req);
int handle_admin_show(accounts_request *req);
int handle_admin_search(accounts_request *req);
int handle_admin_search_email(accounts_request *req);
int handle_admin_delete(accounts_request *req);
int handle_admin_activate(accounts_request *req);
int handle_admin_deactivate(accounts_request *req);
int handle_admin_block(accounts_request *req);
int handle_admin_unblock(accounts_request *req);
int handle_admin_provision(accounts_request *req);

/* provisioning.c */
int handle_provisioning_token(accounts_request *req);
int handle_provisioning_auth_token(accounts_request *req);
int handle_provisioning_me(accounts_request *req);
int handle_provisioning_space(accounts_request *req);

/* emails.c */
int handle_send_provisioning_email(accounts_request *req);
int handle_send_reset_password_email(accounts_request *req);
/* The end of every email: sign-off and the Space's signature. */
const char *email_sign_off(apr_pool_t *p, const accounts_space *own);

/* reset_page.c */
int handle_reset_page_show(accounts_request *req);
int handle_reset_page_submit(accounts_request *req);

/* public.c */
int handle_create_with_token(accounts_request *req);
int handle_account_info(accounts_request *req);

/* api_keys.c */
int handle_me_api_key(accounts_request *req);
int handle_api_key_from_auth_token(accounts_request *req);

/* tokens.c */
int handle_auth_token_create(accounts_request *req);
int handle_auth_token_attach(accounts_request *req);
int handle_creation_token_create(accounts_request *req);

/* devices.c */
int handle_me_devices_list(accounts_request *req);
int handle_me_device_delete(accounts_request *req);
int handle_admin_devices_list(accounts_request *req);
int handle_admin_device_delete(accounts_request *req);

/* creation_requests.c */
int handle_creation_request_create(accounts_request *req);
int handle_creation_request_check_page(accounts_request *req);
int handle_creation_request_validate_page(accounts_request *req);
int handle_creation_token_from_request(accounts_request *req);

/* push_tokens.c */
int handle_creation_token_send_by_push(accounts_request *req);
int handle_recovery_token_send_by_push(accounts_request *req);
int handle_creation_token_consume(accounts_request *req);

/* account_types.c */
int handle_types_list(accounts_request *req);
int handle_type_show(accounts_request *req);
int handle_type_create(accounts_request *req);
int handle_type_update(accounts_request *req);
int handle_type_delete(accounts_request *req);
int handle_account_type_attach(accounts_request *req);
int handle_account_type_detach(accounts_request *req);

/* actions.c */
int handle_actions_list(accounts_request *req);
int handle_action_show(accounts_request *req);
int handle_action_create(accounts_request *req);
int handle_action_update(accounts_request *req);
int handle_action_delete(accounts_request *req);
/* dictionary.c */
int handle_dictionary_list(accounts_request *req);
int handle_dictionary_clear(accounts_request *req);
int handle_dictionary_show(accounts_request *req);
int handle_dictionary_set(accounts_request *req);
int handle_dictionary_delete(accounts_request *req);

/* contacts.c */
int handle_admin_contacts_list(accounts_request *req);
int handle_admin_contact_show(accounts_request *req);
int handle_admin_contact_add(accounts_request *req);
int handle_admin_contact_remove(accounts_request *req);
int handle_me_contacts_list(accounts_request *req);
int handle_me_contact_show(accounts_request *req);
/* change_codes.c */
int handle_phone_countries(accounts_request *req);
/* Runs own's SMS command (AccountsSmsCommand) with phone reduced to its '+'
 * and digits as last argument, text on stdin: NULL when sent, else why not. */
const char *send_sms(accounts_request *req, const accounts_space *own, const char *phone,
                     const char *text);
int handle_me_email_request(accounts_request *req);
int handle_me_email_confirm(accounts_request *req);
int handle_me_phone_request(accounts_request *req);
int handle_me_phone_confirm(accounts_request *req);

/* recovery.c (api-lifecycle.md 6) */
int handle_recovery_phone_page(accounts_request *req);
int handle_recovery_email_page(accounts_request *req);
int handle_recovery_send(accounts_request *req);
int handle_recovery_confirm(accounts_request *req);

#endif
