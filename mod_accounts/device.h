/*
 * A registered device's user agent, split as FlexiAPI splits it
 * (api-lifecycle.md 8.1): the first match of
 *   (?<app>[\w-]+)/(?<version>[\d.]+)[^(]*\((?<device>[^)]*)
 * in "LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47" gives
 * app "LinphoneAndroid", version "5.2.5", device "Pixel 7". Without a
 * match, app is the whole user agent and the other two are "".
 * Written out by hand (no regex engine on the request path); the unit test
 * holds it to the pattern itself through PCRE2. No httpd header.
 */
#ifndef ACCOUNTS_DEVICE_H
#define ACCOUNTS_DEVICE_H

#include <apr_pools.h>

typedef struct {
    const char *app;
    const char *version;
    const char *device_name;
} device_user_agent;

/* user_agent may be NULL (read as ""); the parts are copied into p. */
device_user_agent device_user_agent_parse(apr_pool_t *p, const char *user_agent);

#endif
