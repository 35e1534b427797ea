/*
 * The route table (api.md section 5). Order matters where patterns overlap:
 * the first route matching method and path wins, so literal "me" routes
 * come before "{sip}" routes ("{id}" only matches decimal ids anyway).
 */
#include "handlers.h"

const route accounts_routes[] = {
    { "GET", "/ping", ACCESS_PUBLIC, handle_ping },
    { "GET", "/accounts/me/api_key/{auth_token}", ACCESS_PUBLIC, handle_api_key_from_auth_token },
    { "GET", "/accounts/me/api_key", ACCESS_USER, handle_me_api_key },
    { "GET", "/accounts/me/services/turn", ACCESS_USER, handle_me_turn },
    { "GET", "/accounts/me/provision", ACCESS_USER, handle_me_provision },
    { "POST", "/accounts/me/password", ACCESS_USER, handle_me_password },
    { "GET", "/accounts/me", ACCESS_USER, handle_me_show },
    { "DELETE", "/accounts/me", ACCESS_USER, handle_me_delete },
    { "POST", "/accounts/with-account-creation-token", ACCESS_PUBLIC, handle_create_with_token },
    { "GET", "/accounts/{sip}/info", ACCESS_PUBLIC, handle_account_info },
    { "POST", "/accounts/auth_token", ACCESS_PUBLIC, handle_auth_token_create },
    { "POST", "/accounts", ACCESS_ADMIN, handle_admin_create },
    { "GET", "/accounts", ACCESS_ADMIN, handle_admin_list },
    { "GET", "/accounts/{id}", ACCESS_ADMIN, handle_admin_show },
    { "PUT", "/accounts/{id}", ACCESS_ADMIN, handle_admin_update },
    { "DELETE", "/accounts/{id}", ACCESS_ADMIN, handle_admin_delete },
    { "GET", "/accounts/{sip}/search", ACCESS_ADMIN, handle_admin_search },
    { "GET", "/accounts/{email}/search-by-email", ACCESS_ADMIN, handle_admin_search_email },
    { "POST", "/accounts/{id}/activate", ACCESS_ADMIN, handle_admin_activate },
    { "POST", "/accounts/{id}/deactivate", ACCESS_ADMIN, handle_admin_deactivate },
    { "POST", "/accounts/{id}/block", ACCESS_ADMIN, handle_admin_block },
    { "POST", "/accounts/{id}/unblock", ACCESS_ADMIN, handle_admin_unblock },
    { "GET", "/accounts/{id}/provision", ACCESS_ADMIN, handle_admin_provision },
    { "POST", "/accounts/{id}/send_provisioning_email", ACCESS_ADMIN, handle_send_provisioning_email },
    { "POST", "/accounts/{id}/send_reset_password_email", ACCESS_ADMIN, handle_send_reset_password_email },
    { "GET", "/accounts/auth_token/{auth_token}/attach", ACCESS_USER, handle_auth_token_attach },
    { "POST", "/account_creation_tokens", ACCESS_ADMIN, handle_creation_token_create },
    { "GET", "/provisioning/auth_token/{auth_token}", ACCESS_PUBLIC, handle_provisioning_auth_token },
    { "GET", "/provisioning/me", ACCESS_USER, handle_provisioning_me },
    { "GET", "/provisioning/{provisioning_token}", ACCESS_PUBLIC, handle_provisioning_token },
    { "GET", "/provisioning", ACCESS_PUBLIC, handle_provisioning_space },
    { "GET", "/password/reset/{token}", ACCESS_PUBLIC, handle_reset_page_show },
    { "POST", "/password/reset/{token}", ACCESS_PUBLIC, handle_reset_page_submit },
};

const int accounts_routes_count = sizeof(accounts_routes) / sizeof(accounts_routes[0]);
