/*
 * The route table the dispatcher matches: the patterns of route_table.h
 * with their handlers (the fuzzer expands the same list without them).
 */
#include "handlers.h"
#include "../route_table.h"

#define ROUTE_WITH_HANDLER(method, pattern, access, handler) \
    { method, pattern, access, handler },

const route accounts_routes[] = {
    ACCOUNTS_ROUTES(ROUTE_WITH_HANDLER)
};

const int accounts_routes_count = sizeof(accounts_routes) / sizeof(accounts_routes[0]);
