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
    { "GET", "/accounts/auth_token/{auth_token}/attach", ACCESS_USER, handle_auth_token_attach },
    { "POST", "/account_creation_tokens", ACCESS_ADMIN, handle_creation_token_create },
};

const int accounts_routes_count = sizeof(accounts_routes) / sizeof(accounts_routes[0]);
