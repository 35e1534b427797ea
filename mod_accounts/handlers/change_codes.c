/* Email and phone change by 4-digit codes (api-lifecycle.md 4, 5) and the
 * phone countries the phone rules accept (5.3). */
#include "handlers.h"
#include "../fields.h"
#include "../json_writer.h"
#include "../phone_countries.h"

#include <http_protocol.h>


/* ---- GET /phone_countries (5.3) ---------------------------------------------- */

/* Countries are configuration (1.6 item 7): every region of the table, the
 * request Space's AccountsAllowedPhoneCountries telling which are
 * activated (regions of one calling code go together). */
int handle_phone_countries(accounts_request *req)
{
    json_writer *w = json_writer_create(req->r->pool, 64 * phone_countries_count);
    const char *text;
    apr_size_t len;

    json_writer_array_begin(w);
    for (int i = 0; i < phone_countries_count; i++) {
        json_writer_object_begin(w);
        json_writer_key(w, "code");
        json_writer_string(w, phone_countries[i].code);
        json_writer_key(w, "country_code");
        json_writer_string(w, phone_countries[i].calling_code);
        json_writer_key(w, "activated");
        json_writer_bool(w, fields_phone_country_allowed(req->space,
                                                         phone_countries[i].calling_code));
        json_writer_object_end(w);
    }
    json_writer_array_end(w);
    text = json_writer_finish(w, &len);
    return accounts_send_json_text(req, HTTP_OK, text, len);
}
