/*
 * Every endpoint handler, and the route table that maps paths to them.
 * A handler answers through request.h and returns OK; authentication,
 * access levels and body parsing already happened in the dispatcher.
 */
#ifndef ACCOUNTS_HANDLERS_H
#define ACCOUNTS_HANDLERS_H

#include "../request.h"

extern const route accounts_routes[];
extern const int accounts_routes_count;

/* ping.c */
int handle_ping(accounts_request *req);

/* me.c */
int handle_me_show(accounts_request *req);

/* api_keys.c */
int handle_me_api_key(accounts_request *req);
int handle_api_key_from_auth_token(accounts_request *req);

/* tokens.c */
int handle_auth_token_create(accounts_request *req);
int handle_auth_token_attach(accounts_request *req);
int handle_creation_token_create(accounts_request *req);

#endif
