/* The HTML pages the module serves below {base} (api.md 6.5,
 * api-lifecycle.md 1.3): one self-contained shell (no external asset, no
 * script) with the headers that keep it from being cached, framed or
 * given another origin's resources. */
#include "handlers.h"
#include "../markup.h"

#include <string.h>

#include <http_protocol.h>

int send_page(accounts_request *req, int status, const char *title, const char *content)
{
    request_rec *r = req->r;
    const char *html = apr_pstrcat(r->pool,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>", markup_escape(r->pool, title), "</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1d1d1f}label{display:block;margin-top:1rem;font-weight:600}"
        "input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;margin-top:.25rem}"
        "button{margin-top:1.5rem;padding:.7rem 1.2rem;font-size:1rem}"
        ".errors{color:#a40000;border:1px solid #a40000;padding:.5rem 1rem}</style>\n"
        "</head>\n<body>\n<main>\n<h1>", markup_escape(r->pool, title), "</h1>\n", content,
        "</main>\n</body>\n</html>\n", NULL);

    r->status = status;
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                   "base-uri 'none'; frame-ancestors 'none'");
    /* For browsers that predate CSP's frame-ancestors (api-lifecycle.md 1.3). */
    apr_table_setn(r->headers_out, "X-Frame-Options", "DENY");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->headers_out, "Referrer-Policy", "no-referrer");
    ap_set_content_type(r, "text/html; charset=UTF-8");
    ap_set_content_length(r, strlen(html));
    ap_rputs(html, r);
    return OK;
}
