/* The caller's own account: /accounts/me... (api.md 5.4 to 5.9). */
#include "handlers.h"

#include <http_protocol.h>

/* GET /accounts/me: the caller, Self variant (even when its Space is not
 * the vhost's, api.md 1.7 item 14). */
int handle_me_show(accounts_request *req)
{
    return accounts_send_json(req, HTTP_OK,
                              account_to_json(req->r->pool, req->caller, ACCOUNT_VIEW_SELF,
                                              0, req->caller_space));
}
