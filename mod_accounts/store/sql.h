/*
 * SQL fragments shared by the statement files of store/: the Account
 * object's columns, in ACCOUNT_COL_* order, and its sub-objects. Private
 * to store/.
 */
#ifndef ACCOUNTS_STORE_SQL_H
#define ACCOUNTS_STORE_SQL_H

/* The Account object's columns; every account SELECT starts with them
 * (see ACCOUNT_COL_*). Sub-objects come as JSON text built by PostgreSQL,
 * so one round trip yields the whole Account. */
#define ACCOUNT_SELECT ACCOUNT_SELECT_WITH_PASSWORDS( \
    "(SELECT coalesce(json_agg(p.algorithm ORDER BY p.id), '[]') FROM passwords p" \
    "   WHERE p.account_id = a.id)")

/* The accounts row's own columns (ACCOUNT_COL_ID to ACCOUNT_COL_PHONE). */
#define ACCOUNT_ROW_COLUMNS \
    "a.id, a.username, a.domain, a.email, a.activated, a.ip_address, a.user_agent," \
    " extract(epoch FROM a.created_at)::bigint, extract(epoch FROM a.updated_at)::bigint," \
    " a.display_name, a.dtmf_protocol, a.blocked, a.admin, a.phone"

/* The sub-objects, over d (dictionary entries) and c (change codes). */
#define DICTIONARY_OBJECT "json_object_agg(d.key, d.value ORDER BY d.id)"

#define CHANGE_CODE_OBJECT(field) \
    "json_build_object('" field "', c." field ", 'code', c.code, 'ip', c.ip," \
    " 'user_agent', c.user_agent, 'created_at', extract(epoch FROM c.created_at)::bigint," \
    " 'updated_at', extract(epoch FROM c.updated_at)::bigint)"

/* An account's types and actions (api-lifecycle.md 7.2, 7.3) as JSON
 * arrays ordered by id, NULL when it has none; the object shapes of the
 * API. */
#define TYPES_ARRAY(account_id) \
    "(SELECT json_agg(json_build_object('id', t.id, 'key', t.key) ORDER BY t.id)" \
    "   FROM account_type_links l JOIN account_types t ON t.id = l.type_id" \
    "   WHERE l.account_id = " account_id ")"
#define ACTION_OBJECT "json_build_object('id', x.id, 'key', x.key, 'code', x.code)"
#define ACTIONS_ARRAY(account_id) \
    "(SELECT json_agg(" ACTION_OBJECT " ORDER BY x.id) FROM account_actions x" \
    "   WHERE x.account_id = " account_id ")"

/* ACCOUNT_SELECT with another expression for the passwords column. Types
 * and actions are read only for accounts flagged has_extras (sql/0007,
 * 0016), actions only when the account has a DTMF protocol (7.3). */
#define ACCOUNT_SELECT_WITH_PASSWORDS(passwords) \
    "SELECT " ACCOUNT_ROW_COLUMNS "," \
    " pt.token, extract(epoch FROM pt.created_at)::bigint, " passwords "," \
    " (SELECT coalesce(" DICTIONARY_OBJECT ", '{}')" \
    "   FROM account_dictionary_entries d WHERE d.account_id = a.id)," \
    " (SELECT " CHANGE_CODE_OBJECT("email") \
    "   FROM email_change_codes c WHERE c.account_id = a.id AND NOT c.consumed" \
    "   ORDER BY c.id DESC LIMIT 1)," \
    " (SELECT " CHANGE_CODE_OBJECT("phone") \
    "   FROM phone_change_codes c WHERE c.account_id = a.id AND NOT c.consumed" \
    "   ORDER BY c.id DESC LIMIT 1)," \
    " CASE WHEN a.has_extras THEN " TYPES_ARRAY("a.id") " END," \
    " CASE WHEN a.has_extras AND a.dtmf_protocol IS NOT NULL THEN " ACTIONS_ARRAY("a.id") " END"

/* The current provisioning token (newest unused) of the account "a". */
#define ACCOUNT_LATERAL \
    " LEFT JOIN LATERAL (SELECT t.token, t.created_at" \
    "   FROM provisioning_tokens t WHERE t.account_id = a.id AND NOT t.used" \
    "   ORDER BY t.id DESC LIMIT 1) pt ON true"

#define ACCOUNT_FROM " FROM accounts a" ACCOUNT_LATERAL

/* The sub-object columns after the provisioning token's
 * (ACCOUNT_COL_PASSWORDS on) left empty: no passwords, an empty
 * dictionary, no change codes, no types, no actions. */
#define ACCOUNT_NO_LISTS "'[]'::json, '{}'::json, NULL::json, NULL::json, NULL::json, NULL::json"

/* Every sub-object column (ACCOUNT_COL_PROVISIONING_TOKEN on) left empty. */
#define ACCOUNT_NO_DETAILS "NULL::text, NULL::bigint, " ACCOUNT_NO_LISTS

#endif
