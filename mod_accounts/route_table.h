/*
 * The route table (api.md section 5) as an X-macro: each line is
 * X(method, pattern, access level, handler name). handlers/routes.c expands
 * it into the module's table; fuzz/fuzz_router.c expands it without the
 * handlers, so the fuzzer matches the very patterns the module serves.
 * No httpd header: a handler name is only a token until routes.c expands it.
 *
 * Order matters where patterns overlap: the first route matching method and
 * path wins, so literal "me" routes come before "{sip}" routes ("{id}" only
 * matches decimal ids anyway).
 */
#ifndef ACCOUNTS_ROUTE_TABLE_H
#define ACCOUNTS_ROUTE_TABLE_H

#define ACCOUNTS_ROUTES(X) \
    X("GET", "/ping", ACCESS_PUBLIC, handle_ping) \
    X("GET", "/accounts/me/api_key/{auth_token}", ACCESS_PUBLIC, handle_api_key_from_auth_token) \
    X("GET", "/accounts/me/api_key", ACCESS_USER, handle_me_api_key) \
    X("GET", "/accounts/me/services/turn", ACCESS_USER, handle_me_turn) \
    X("GET", "/accounts/me/provision", ACCESS_USER, handle_me_provision) \
    X("POST", "/accounts/me/password", ACCESS_USER, handle_me_password) \
    X("GET", "/accounts/me/devices", ACCESS_USER, handle_me_devices_list) \
    X("DELETE", "/accounts/me/devices/{uuid}", ACCESS_USER, handle_me_device_delete) \
    X("GET", "/accounts/me/contacts", ACCESS_USER, handle_me_contacts_list) \
    X("GET", "/accounts/me/contacts/{sip}", ACCESS_USER, handle_me_contact_show) \
    X("POST", "/accounts/me/email/request", ACCESS_USER, handle_me_email_request) \
    X("POST", "/accounts/me/email", ACCESS_USER, handle_me_email_confirm) \
    X("POST", "/accounts/me/phone/request", ACCESS_USER, handle_me_phone_request) \
    X("POST", "/accounts/me/phone", ACCESS_USER, handle_me_phone_confirm) \
    X("GET", "/phone_countries", ACCESS_PUBLIC, handle_phone_countries) \
    X("GET", "/accounts/me", ACCESS_USER, handle_me_show) \
    X("DELETE", "/accounts/me", ACCESS_USER, handle_me_delete) \
    X("POST", "/accounts/with-account-creation-token", ACCESS_PUBLIC, handle_create_with_token) \
    X("GET", "/accounts/{sip}/info", ACCESS_PUBLIC, handle_account_info) \
    X("POST", "/accounts/auth_token", ACCESS_PUBLIC, handle_auth_token_create) \
    X("POST", "/accounts", ACCESS_ADMIN, handle_admin_create) \
    X("GET", "/accounts", ACCESS_ADMIN, handle_admin_list) \
    X("GET", "/accounts/{id}", ACCESS_ADMIN, handle_admin_show) \
    X("PUT", "/accounts/{id}", ACCESS_ADMIN, handle_admin_update) \
    X("DELETE", "/accounts/{id}", ACCESS_ADMIN, handle_admin_delete) \
    X("GET", "/accounts/{sip}/search", ACCESS_ADMIN, handle_admin_search) \
    X("GET", "/accounts/{email}/search-by-email", ACCESS_ADMIN, handle_admin_search_email) \
    X("POST", "/accounts/{id}/activate", ACCESS_ADMIN, handle_admin_activate) \
    X("POST", "/accounts/{id}/deactivate", ACCESS_ADMIN, handle_admin_deactivate) \
    X("POST", "/accounts/{id}/block", ACCESS_ADMIN, handle_admin_block) \
    X("POST", "/accounts/{id}/unblock", ACCESS_ADMIN, handle_admin_unblock) \
    X("GET", "/accounts/{id}/provision", ACCESS_ADMIN, handle_admin_provision) \
    X("GET", "/accounts/{id}/devices", ACCESS_ADMIN, handle_admin_devices_list) \
    X("DELETE", "/accounts/{id}/devices/{uuid}", ACCESS_ADMIN, handle_admin_device_delete) \
    X("POST", "/accounts/{id}/types/{type_id}", ACCESS_ADMIN, handle_account_type_attach) \
    X("DELETE", "/accounts/{id}/types/{type_id}", ACCESS_ADMIN, handle_account_type_detach) \
    X("GET", "/accounts/{id}/actions", ACCESS_ADMIN, handle_actions_list) \
    X("POST", "/accounts/{id}/actions", ACCESS_ADMIN, handle_action_create) \
    X("GET", "/accounts/{id}/actions/{action_id}", ACCESS_ADMIN, handle_action_show) \
    X("PUT", "/accounts/{id}/actions/{action_id}", ACCESS_ADMIN, handle_action_update) \
    X("PATCH", "/accounts/{id}/actions/{action_id}", ACCESS_ADMIN, handle_action_update) \
    X("DELETE", "/accounts/{id}/actions/{action_id}", ACCESS_ADMIN, handle_action_delete) \
    X("GET", "/account_types", ACCESS_ADMIN, handle_types_list) \
    X("POST", "/account_types", ACCESS_ADMIN, handle_type_create) \
    X("GET", "/account_types/{type_id}", ACCESS_ADMIN, handle_type_show) \
    X("PUT", "/account_types/{type_id}", ACCESS_ADMIN, handle_type_update) \
    X("PATCH", "/account_types/{type_id}", ACCESS_ADMIN, handle_type_update) \
    X("DELETE", "/account_types/{type_id}", ACCESS_ADMIN, handle_type_delete) \
    X("GET", "/accounts/{id}/dictionary", ACCESS_ADMIN, handle_dictionary_list) \
    X("DELETE", "/accounts/{id}/dictionary", ACCESS_ADMIN, handle_dictionary_clear) \
    X("GET", "/accounts/{id}/dictionary/{key}", ACCESS_ADMIN, handle_dictionary_show) \
    X("POST", "/accounts/{id}/dictionary/{key}", ACCESS_ADMIN, handle_dictionary_set) \
    X("DELETE", "/accounts/{id}/dictionary/{key}", ACCESS_ADMIN, handle_dictionary_delete) \
    X("GET", "/accounts/{id}/contacts", ACCESS_ADMIN, handle_admin_contacts_list) \
    X("GET", "/accounts/{id}/contacts/{contact_id}", ACCESS_ADMIN, handle_admin_contact_show) \
    X("POST", "/accounts/{id}/contacts/{contact_id}", ACCESS_ADMIN, handle_admin_contact_add) \
    X("DELETE", "/accounts/{id}/contacts/{contact_id}", ACCESS_ADMIN, handle_admin_contact_remove) \
    X("POST", "/accounts/{id}/send_provisioning_email", ACCESS_ADMIN, handle_send_provisioning_email) \
    X("POST", "/accounts/{id}/send_reset_password_email", ACCESS_ADMIN, handle_send_reset_password_email) \
    X("GET", "/accounts/auth_token/{auth_token}/attach", ACCESS_USER, handle_auth_token_attach) \
    X("POST", "/account_creation_tokens", ACCESS_ADMIN, handle_creation_token_create) \
    X("GET", "/provisioning/auth_token/{auth_token}", ACCESS_PUBLIC, handle_provisioning_auth_token) \
    X("GET", "/provisioning/me", ACCESS_USER, handle_provisioning_me) \
    X("GET", "/provisioning/{provisioning_token}", ACCESS_PUBLIC, handle_provisioning_token) \
    X("GET", "/provisioning", ACCESS_PUBLIC, handle_provisioning_space) \
    X("GET", "/password/reset/{token}", ACCESS_PUBLIC, handle_reset_page_show) \
    X("POST", "/password/reset/{token}", ACCESS_PUBLIC, handle_reset_page_submit) \
    X("POST", "/account_creation_request_tokens", ACCESS_PUBLIC, handle_creation_request_create) \
    X("GET", "/creation_token/check/{token}", ACCESS_PUBLIC, handle_creation_request_check_page) \
    X("POST", "/creation_token/validate", ACCESS_PUBLIC, handle_creation_request_validate_page) \
    X("POST", "/account_creation_tokens/using-account-creation-request-token", ACCESS_PUBLIC, handle_creation_token_from_request) \
    X("POST", "/account_creation_tokens/send-by-push", ACCESS_PUBLIC, handle_creation_token_send_by_push) \
    X("POST", "/account_recovery_tokens/send-by-push", ACCESS_PUBLIC, handle_recovery_token_send_by_push) \
    X("POST", "/account_creation_tokens/consume", ACCESS_USER, handle_creation_token_consume) \
    X("GET", "/recovery/phone/{account_recovery_token}", ACCESS_PUBLIC, handle_recovery_phone_page) \
    X("GET", "/recovery/email", ACCESS_PUBLIC, handle_recovery_email_page) \
    X("POST", "/recovery", ACCESS_PUBLIC, handle_recovery_send) \
    X("POST", "/recovery/confirm", ACCESS_PUBLIC, handle_recovery_confirm)

#endif
