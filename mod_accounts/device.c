/* The user-agent split of device.h. */
#include "device.h"

#include <string.h>

#include <apr_strings.h>

/* PCRE2's \w without Unicode properties: ASCII letters, digits, '_'. */
static int is_app_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '_' || c == '-';
}

static int is_version_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

device_user_agent device_user_agent_parse(apr_pool_t *p, const char *user_agent)
{
    const char *ua = user_agent ? user_agent : "";
    device_user_agent out = { apr_pstrdup(p, ua), "", "" };
    apr_size_t n = strlen(ua);

    /* Leftmost match: an attempt starting inside a run of app characters
     * ends where the run ends, like the attempt at the run's start, so
     * only run starts need trying; and a run not followed by "/" and a
     * version cannot match from any of its positions. */
    for (apr_size_t start = 0; start < n;) {
        apr_size_t app_end = start, version_end, paren;

        if (!is_app_char((unsigned char)ua[start])) {
            start++;
            continue;
        }
        while (app_end < n && is_app_char((unsigned char)ua[app_end])) {
            app_end++;
        }
        version_end = app_end + 1;
        if (app_end < n && ua[app_end] == '/' && version_end < n
            && is_version_char((unsigned char)ua[version_end])) {
            while (version_end < n && is_version_char((unsigned char)ua[version_end])) {
                version_end++;
            }
            /* [^(]* then "(": the first "(" after the version, if any. */
            const char *open = strchr(ua + version_end, '(');
            if (open) {
                const char *close;

                paren = (apr_size_t)(open - ua);
                close = strchr(ua + paren + 1, ')');
                out.app = apr_pstrmemdup(p, ua + start, app_end - start);
                out.version = apr_pstrmemdup(p, ua + app_end + 1, version_end - app_end - 1);
                out.device_name = close
                    ? apr_pstrmemdup(p, ua + paren + 1, (apr_size_t)(close - ua) - paren - 1)
                    : apr_pstrdup(p, ua + paren + 1);
                return out;
            }
            /* No "(" anywhere after: no later start can find one either. */
            return out;
        }
        start = app_end;
    }
    return out;
}
