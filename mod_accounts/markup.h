/* Escaping for the XML and HTML the module writes. No httpd header. */
#ifndef ACCOUNTS_MARKUP_H
#define ACCOUNTS_MARKUP_H

#include <apr_pools.h>

/* Text safe in XML/HTML content and quoted attributes: & < > " ' become
 * entities, and control characters other than tab, CR and LF (which XML 1.0
 * cannot carry at all, even escaped) become spaces. Returns s itself when
 * nothing needs changing. */
const char *markup_escape(apr_pool_t *p, const char *s);

#endif
