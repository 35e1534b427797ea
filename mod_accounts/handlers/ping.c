/* GET /ping: health check for load balancers (api.md 1.2). */
#include "handlers.h"
#include "../json.h"

#include <http_protocol.h>

int handle_ping(accounts_request *req)
{
    store *db = accounts_db(req);
    json_object *body;

    if (!db || store_ping(db) != STORE_OK) {
        return accounts_send_unavailable(req);
    }
    body = json_pool_object(req->r->pool);
    json_object_object_add(body, "status", json_object_new_string("ok"));
    return accounts_send_json(req, HTTP_OK, body);
}
