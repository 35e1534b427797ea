/* Lengths of the random values of the contract (api.md 1.6). */
#ifndef ACCOUNTS_TOKENS_H
#define ACCOUNTS_TOKENS_H

#define AUTH_TOKEN_LENGTH 32
#define CREATION_TOKEN_LENGTH 13
#define PROVISIONING_TOKEN_LENGTH 13
#define RESET_PASSWORD_TOKEN_LENGTH 16
#define TURN_USERNAME_RANDOM_LENGTH 16
#define RESET_PASSWORD_LENGTH 10
/* api-lifecycle.md 1.5 */
#define CREATION_REQUEST_TOKEN_LENGTH 13
#define RECOVERY_TOKEN_LENGTH 13
/* The handle the recovery confirm form carries instead of the account id. */
#define RECOVERY_HANDLE_LENGTH 32

#endif
