#include "markup.h"

#include <string.h>

static const char *entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&apos;";
    default: return NULL;
    }
}

static int forbidden_control(char c)
{
    return (unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

const char *markup_escape(apr_pool_t *p, const char *s)
{
    size_t extra = 0;
    int changes = 0;
    char *out, *o;

    for (const char *c = s; *c; c++) {
        const char *e = entity(*c);
        extra += e ? strlen(e) - 1 : 0;
        changes |= e != NULL || forbidden_control(*c);
    }
    if (!changes) {
        return s;
    }
    o = out = apr_palloc(p, strlen(s) + extra + 1);
    for (const char *c = s; *c; c++) {
        const char *e = entity(*c);
        if (e) {
            memcpy(o, e, strlen(e));
            o += strlen(e);
        }
        else {
            *o++ = forbidden_control(*c) ? ' ' : *c;
        }
    }
    *o = '\0';
    return out;
}
