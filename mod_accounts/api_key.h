/*
 * API key rules (api.md 2.2), apart from how keys are stored or carried.
 * No httpd header.
 */
#ifndef ACCOUNTS_API_KEY_H
#define ACCOUNTS_API_KEY_H

#include <apr_pools.h>

/* Length of a user API key. */
#define API_KEY_LENGTH 40

/* The longest x-api-key header or cookie value looked up; longer values
 * are refused unread (a 401 like any unknown key). */
#define API_KEY_MAX_PRESENTED 255

/* 1 when a stored key may be used by this request:
 * - bound_ip: the IP the key is bound to, NULL for any;
 * - user_key: made by /accounts/me/api_key* (expiry from the Space) or
 *   stable (its own expiry_minutes; NULL or 0 = never);
 * - space_expiry_minutes: the account Space's AccountsApiKeyExpiry (0 = never);
 * - idle_seconds: time since the key was last used. */
int api_key_accepts(const char *bound_ip, const char *client_ip, int user_key,
                    long space_expiry_minutes, const char *expiry_minutes,
                    long long idle_seconds);

/* The idle lifetime of a key in minutes, 0 = never: the Space's for a user
 * key, its own expiry_minutes (NULL or 0 = never) for a stable one. */
long api_key_expiry_minutes(int user_key, long space_expiry_minutes, const char *expiry_minutes);

/* Seconds between two refreshes of a key's last_used_at (issue 17): the
 * touch is the only write of a keyed read, so it is coarse. A tenth of the
 * key's lifetime, at least a minute (half the lifetime for keys living
 * under two minutes), at most API_KEY_TOUCH_MAX; API_KEY_TOUCH_MAX for
 * keys that never expire. last_used_at then lags the last use by less than
 * this interval: a key may be refused that much early, never late. */
#define API_KEY_TOUCH_MAX 900
long api_key_touch_interval(long expiry_minutes);
int api_key_should_touch(long long idle_seconds, long expiry_minutes);

#endif
