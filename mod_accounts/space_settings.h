/*
 * The table of every Space directive, written once.
 *
 * Each line: X(ID, "Directive", ARGS, KIND, field, "default as written in the
 * reference config" or NULL when the default is derived, "help").
 * ARGS is the Apache argument shape (TAKE1, FLAG, ITERATE, TAKE2).
 * The directive table (mod_accounts.c), the setting descriptors (space.c),
 * the reference configuration check and the docs check all expand this list,
 * so a directive cannot exist in one place and be missing from another.
 */
#ifndef ACCOUNTS_SPACE_SETTINGS_H
#define ACCOUNTS_SPACE_SETTINGS_H

#define ACCOUNTS_SPACE_SETTINGS(X) \
    X(SPACE, "AccountsSpace", TAKE1, SETTING_DOMAIN, domain, NULL, \
      "SIP domain of the Space served by this virtual host") \
    X(SPACE_NAME, "AccountsSpaceName", TAKE1, SETTING_TEXT, name, NULL, \
      "human name of the Space (default: the domain)") \
    X(SUPER_SPACE, "AccountsSuperSpace", FLAG, SETTING_FLAG, super, "Off", \
      "On: admins of this Space are super admins") \
    X(REALM, "AccountsRealm", TAKE1, SETTING_REALM, realm, NULL, \
      "digest realm and realm of stored password hashes (default: the domain)") \
    X(MAX_ACCOUNTS, "AccountsMaxAccounts", TAKE1, SETTING_COUNT, max_accounts, "0", \
      "most accounts the Space may hold, 0 for no limit") \
    X(PASSWORD_ALGORITHM, "AccountsPasswordAlgorithm", TAKE1, SETTING_ALGORITHM, password_algorithm, "SHA-256", \
      "MD5 or SHA-256: algorithm used where a request names none") \
    X(EMAIL_UNIQUE, "AccountsEmailUnique", FLAG, SETTING_FLAG, email_unique, "On", \
      "On: an email may belong to one account of the Space only") \
    X(USERNAME_REGEX, "AccountsUsernameRegex", TAKE1, SETTING_REGEX, username_regex, "^[a-z0-9+_.-]*$", \
      "PCRE a username must match") \
    X(BLACKLISTED_USERNAMES, "AccountsBlacklistedUsernames", TAKE1, SETTING_BLACKLIST, blacklisted_usernames, "", \
      "comma-separated literal usernames or regular expressions that are refused") \
    X(ALLOW_PHONE_USERNAME, "AccountsAllowPhoneUsername", FLAG, SETTING_FLAG, allow_phone_username, "Off", \
      "On: admins may create usernames that look like phone numbers") \
    X(CREATION_TOKEN_EXPIRY, "AccountsCreationTokenExpiry", TAKE1, SETTING_MINUTES, creation_token_expiry, "0", \
      "lifetime of account creation tokens in minutes, 0 for never") \
    X(AUTH_TOKEN_EXPIRY, "AccountsAuthTokenExpiry", TAKE1, SETTING_POSITIVE_MINUTES, auth_token_expiry, "5", \
      "lifetime of auth tokens in minutes (at least 1)") \
    X(API_KEY_EXPIRY, "AccountsApiKeyExpiry", TAKE1, SETTING_MINUTES, api_key_expiry, "60", \
      "minutes after which an unused user API key dies, 0 for never") \
    X(PROVISIONING_TOKEN_EXPIRY, "AccountsProvisioningTokenExpiry", TAKE1, SETTING_MINUTES, provisioning_token_expiry, "0", \
      "lifetime of provisioning tokens in minutes, 0 for never") \
    X(RESET_PASSWORD_EXPIRY, "AccountsResetPasswordExpiry", TAKE1, SETTING_MINUTES, reset_password_expiry, "1440", \
      "lifetime of reset-password email links in minutes") \
    X(TURN_SERVER, "AccountsTurnServer", TAKE1, SETTING_HOSTPORT, turn_server, NULL, \
      "HOST[:PORT] of the TURN server handed to clients (default: TURN off)") \
    X(TURN_SECRET, "AccountsTurnSecret", TAKE1, SETTING_SECRET, turn_secret, NULL, \
      "coturn static-auth-secret shared with the TURN server") \
    X(TURN_TTL, "AccountsTurnTTL", TAKE1, SETTING_MINUTES, turn_ttl, "1440", \
      "lifetime of TURN credentials in minutes") \
    X(PUBLIC_URL, "AccountsPublicURL", TAKE1, SETTING_URL, public_url, NULL, \
      "origin used to build links (default: https:// + ServerName)") \
    X(SENDMAIL, "AccountsSendmail", TAKE1, SETTING_TEXT, sendmail, "/usr/sbin/sendmail -t -i", \
      "command a complete RFC 5322 message is piped to") \
    X(MAIL_FROM, "AccountsMailFrom", TAKE1, SETTING_EMAIL, mail_from, NULL, \
      "From: address of emails (default: no-reply@ + domain)") \
    X(SECRET, "AccountsSecret", TAKE1, SETTING_SECRET, secret, NULL, \
      "server secret for digest opaque and token derivations (default: random at each start)") \
    X(ALLOWED_PHONE_COUNTRIES, "AccountsAllowedPhoneCountries", ITERATE, SETTING_COUNTRIES, allowed_phone_countries, "", \
      "country calling codes a phone number may start with (default: all)") \
    X(MAIL_FROM_NAME, "AccountsMailFromName", TAKE1, SETTING_TEXT, mail_from_name, NULL, \
      "display name in the From: of emails") \
    X(MAIL_SIGNATURE, "AccountsMailSignature", TAKE1, SETTING_TEXT, mail_signature, NULL, \
      "line that ends every email") \
    X(PROVISIONING_HEADER_REQUIRED, "AccountsProvisioningHeaderRequired", FLAG, SETTING_FLAG, provisioning_header_required, "On", \
      "On: the provisioning document needs an x-linphone-provisioning request header") \
    X(PROVISIONING_SECTIONS, "AccountsProvisioningSections", TAKE1, SETTING_FILE, provisioning_sections, NULL, \
      "INI file of extra sections put at the top of every provisioning document") \
    X(PROVISIONING_OVERWRITE, "AccountsProvisioningOverwrite", FLAG, SETTING_FLAG, provisioning_overwrite, "Off", \
      "On: mark every provisioning entry overwrite=\"true\"") \
    X(LINPHONE_UI, "AccountsLinphoneUI", TAKE2, SETTING_UI, linphone_ui, "", \
      "NAME VALUE: one Linphone ui entry of the provisioning document (repeatable)") \
    X(CONTACTS_VCARD_URL, "AccountsContactsVcardURL", TAKE1, SETTING_URL_OR_NONE, contacts_vcard_url, NULL, \
      "misc contacts-vcard-list URL of provisioning documents, or none (default: public URL + /contacts/vcard)") \
    X(NONCE_MAX_AGE, "AccountsNonceMaxAge", TAKE1, SETTING_MINUTES, nonce_max_age, "60", \
      "digest nonces older than this many minutes are unknown") \
    X(SIP_PROXY, "AccountsSipProxy", TAKE1, SETTING_SIP_URI, sip_proxy, NULL, \
      "SIP server the Space's clients register to, written as reg_proxy and reg_route of provisioning documents") \
    X(SIP_ROUTE, "AccountsSipRoute", TAKE1, SETTING_SIP_URI, sip_route, NULL, \
      "reg_route of provisioning documents, when it differs from AccountsSipProxy") \
    X(COOKIE_SECURE, "AccountsCookieSecure", FLAG, SETTING_FLAG, cookie_secure, NULL, \
      "On: the x-api-key cookie is always Secure; Off: only over HTTPS (default: also when AccountsPublicURL is https)") \
    X(SPACE_EXPIRY, "AccountsSpaceExpiry", TAKE1, SETTING_DATE, space_expiry, NULL, \
      "YYYY-MM-DD after which every route of the Space answers 403") \
    X(PUSH_COMMAND, "AccountsPushCommand", TAKE1, SETTING_COMMAND, push_command, NULL, \
      "flexisip_pusher-compatible program (and fixed arguments) that sends push-delivered tokens (default: push off)") \
    X(PUSH_FIREBASE_KEYS, "AccountsPushFirebaseKeys", TAKE1, SETTING_KEYMAP, push_firebase_keys, NULL, \
      "space-separated PN_PARAM:KEY pairs: a matching pn_param adds --key KEY to the push command") \
    X(SMS_COMMAND, "AccountsSmsCommand", TAKE1, SETTING_COMMAND, sms_command, NULL, \
      "program (and fixed arguments) that sends one SMS: the number as last argument, the text on stdin (default: SMS off)") \
    X(CREATION_TOKEN_RETRY, "AccountsCreationTokenRetry", TAKE1, SETTING_MINUTES, creation_token_retry, "60", \
      "minutes a device waits after redeeming a push-delivered creation token before it gets another, 0 for no wait") \
    X(RECOVERY_TOKEN_RETRY, "AccountsRecoveryTokenRetry", TAKE1, SETTING_MINUTES, recovery_token_retry, "60", \
      "minutes a device waits after using a push-delivered recovery token before it gets another, 0 for no wait") \
    X(RECOVERY_TOKEN_EXPIRY, "AccountsRecoveryTokenExpiry", TAKE1, SETTING_MINUTES, recovery_token_expiry, "60", \
      "lifetime of account recovery tokens in minutes, 0 for never") \
    X(EMAIL_CHANGE_CODE_EXPIRY, "AccountsEmailChangeCodeExpiry", TAKE1, SETTING_MINUTES, email_change_code_expiry, "10", \
      "lifetime of email change codes in minutes, 0 for never") \
    X(PHONE_CHANGE_CODE_EXPIRY, "AccountsPhoneChangeCodeExpiry", TAKE1, SETTING_MINUTES, phone_change_code_expiry, "10", \
      "lifetime of phone change codes in minutes, 0 for never") \
    X(RECOVERY_CODE_EXPIRY, "AccountsRecoveryCodeExpiry", TAKE1, SETTING_MINUTES, recovery_code_expiry, "10", \
      "lifetime of account recovery codes in minutes, 0 for never") \
    X(BLOCKING_EVENTS, "AccountsBlockingEvents", TAKE1, SETTING_COUNT, blocking_events, "5", \
      "codes (email, phone, recovery) an account may ask for per AccountsBlockingPeriod before it is blocked, 0 for no limit") \
    X(BLOCKING_PERIOD, "AccountsBlockingPeriod", TAKE1, SETTING_POSITIVE_MINUTES, blocking_period, "30", \
      "period in minutes over which AccountsBlockingEvents counts codes") \
    X(REGISTRAR_TABLE, "AccountsRegistrarTable", TAKE1, SETTING_SQL_TABLE, registrar_table, NULL, \
      "Kamailio usrloc table (TABLE or SCHEMA.TABLE) in the same database, read for the devices routes (default: none, devices are {})")

#endif
