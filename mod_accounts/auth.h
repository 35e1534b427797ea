/*
 * Who is calling, and may they call this route (api.md 2): API keys (header
 * or cookie), then the access level the route declares. The dispatcher is
 * the only caller, so every route gets the same checks in the same order.
 */
#ifndef ACCOUNTS_AUTH_H
#define ACCOUNTS_AUTH_H

#include "request.h"

/* ACCOUNTS_CONTINUE with req->caller set (or NULL for public routes), or OK
 * once it answered 401/403/404/503. */
int accounts_authorize(accounts_request *req, access_level level);

/* 1 when the account is an admin of a super Space. */
int accounts_is_super_admin(const account *a, const accounts_space *own_space);

#endif
