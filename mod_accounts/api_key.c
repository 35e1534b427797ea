#include "api_key.h"

#include <stdlib.h>
#include <string.h>

int api_key_accepts(const char *bound_ip, const char *client_ip, int user_key,
                    long space_expiry_minutes, const char *expiry_minutes,
                    long long idle_seconds)
{
    long minutes;

    if (bound_ip && *bound_ip && (!client_ip || strcmp(bound_ip, client_ip) != 0)) {
        return 0;
    }
    minutes = user_key ? space_expiry_minutes
                       : (expiry_minutes ? strtol(expiry_minutes, NULL, 10) : 0);
    if (minutes > 0 && idle_seconds > 60LL * minutes) {
        return 0;
    }
    return 1;
}

int api_key_should_touch(long long idle_seconds)
{
    return idle_seconds >= API_KEY_TOUCH_INTERVAL;
}
