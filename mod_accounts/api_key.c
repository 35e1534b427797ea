#include "api_key.h"

#include <stdlib.h>
#include <string.h>

long api_key_expiry_minutes(int user_key, long space_expiry_minutes, const char *expiry_minutes)
{
    return user_key ? space_expiry_minutes : (expiry_minutes ? strtol(expiry_minutes, NULL, 10) : 0);
}

int api_key_accepts(const char *bound_ip, const char *client_ip, int user_key,
                    long space_expiry_minutes, const char *expiry_minutes,
                    long long idle_seconds)
{
    long minutes = api_key_expiry_minutes(user_key, space_expiry_minutes, expiry_minutes);

    if (bound_ip && *bound_ip && (!client_ip || strcmp(bound_ip, client_ip) != 0)) {
        return 0;
    }
    if (minutes > 0 && idle_seconds > 60LL * minutes) {
        return 0;
    }
    return 1;
}

long api_key_touch_interval(long expiry_minutes)
{
    long seconds;

    if (expiry_minutes <= 0) {
        return API_KEY_TOUCH_MAX;
    }
    seconds = expiry_minutes >= 2 ? (expiry_minutes * 60) / 10 : 30;
    if (seconds < 60 && expiry_minutes >= 2) {
        seconds = 60;
    }
    return seconds > API_KEY_TOUCH_MAX ? API_KEY_TOUCH_MAX : seconds;
}

int api_key_should_touch(long long idle_seconds, long expiry_minutes)
{
    return idle_seconds >= api_key_touch_interval(expiry_minutes);
}
