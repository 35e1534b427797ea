-- Security issue 13: invariants that were checks in C before the write.
--
--  1. Unique emails and phones (api.md 3, rules 4.3 and 4.4) held by the
--     writing transaction itself, in creation and update alike.
--  2. A password change revokes the account's user API keys (api.md 2.2).
--  3. A blocked account's reset-password token cannot be used.
--
-- The functions change signature (new parameters), so they are dropped and
-- created again: apply this migration before starting the module built
-- with it (as for 0006).

-- 1. Emails and phones.
--
-- Why advisory locks, not unique indexes: email uniqueness is not a
-- property of the rows but of the request. It applies only when the
-- request's Space has AccountsEmailUnique On (the vhost's setting, even
-- when a super admin writes into another domain, api.md 3), so one domain
-- may legitimately hold the same email twice, written through a Space
-- with Off; no index can say "unique, sometimes". Phones are always unique
-- in their domain, but a unique index would refuse to build on a database
-- that already holds duplicates (the races this fixes let them in), and
-- would fail this migration; the same lock serves both.
--
-- So the writer takes a transaction-scoped advisory lock on (domain, the
-- value) and only then re-checks: of concurrent writers of one value, the
-- second waits until the first commits or rolls back, and its re-check
-- (a new statement: a new snapshot under READ COMMITTED) sees the first
-- one's row. Writers of different values do not wait for each other (a
-- hash collision only makes two of them queue). The locks are taken in
-- one order (email, then phone), after the Space's row lock of a capped
-- creation or a move and before any row of accounts is written, so two
-- writers cannot deadlock on them. The key is the value as compared:
-- lower(email), the phone as stored.
--
-- Returns NULL when the values are free (the locks are then held to the
-- end of the transaction), else 'email_taken' or 'phone_taken' (the email
-- is checked first: the order of the validation rules).
CREATE FUNCTION accounts_claim_contacts(p_domain text, p_ignore_id bigint, p_email text,
                                        p_email_unique boolean, p_phone text)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    IF p_email IS NOT NULL AND p_email_unique THEN
        PERFORM pg_advisory_xact_lock(hashtext('accounts_email'),
                                      hashtext(p_domain || ' ' || lower(p_email)));
        IF EXISTS (SELECT 1 FROM accounts a
                    WHERE a.domain = p_domain AND lower(a.email) = lower(p_email)
                      AND a.id IS DISTINCT FROM p_ignore_id) THEN
            RETURN 'email_taken';
        END IF;
    END IF;
    IF p_phone IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('accounts_phone'), hashtext(p_domain || ' ' || p_phone));
        IF EXISTS (SELECT 1 FROM accounts a
                    WHERE a.domain = p_domain AND a.phone = p_phone
                      AND a.id IS DISTINCT FROM p_ignore_id) THEN
            RETURN 'phone_taken';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- 2. Passwords. Replaces every password of the account with one (api.md
-- 4.2), activates the account when asked, and revokes its user API keys
-- (those of /accounts/me/api_key*): a new password ends the sessions the
-- old one opened. Stable keys (accountsctl) stay, and so does p_keep_key,
-- the key of the request making the change, if any (NULL: none kept).
DROP FUNCTION accounts_set_password(bigint, text, text, boolean);
CREATE FUNCTION accounts_set_password(p_account_id bigint, p_algorithm text,
                                      p_hash text, p_activate boolean, p_keep_key bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM passwords WHERE account_id = p_account_id;
    INSERT INTO passwords (account_id, algorithm, password) VALUES (p_account_id, p_algorithm, p_hash);
    DELETE FROM api_keys
     WHERE account_id = p_account_id AND user_key AND id IS DISTINCT FROM p_keep_key;
    IF p_activate THEN
        UPDATE accounts SET activated = true, updated_at = now() WHERE id = p_account_id;
    END IF;
    RETURN p_account_id;
END
$$;

-- 3. The reset-password page (0005): the same, but a token of a blocked
-- account is not used (the page already answers it like an unknown one;
-- this holds when the account is blocked between the page's two steps).
-- The user keys are revoked by accounts_set_password now.
CREATE OR REPLACE FUNCTION accounts_reset_password(p_token_id bigint, p_algorithm text, p_hash text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_account bigint;
BEGIN
    UPDATE reset_password_tokens t SET used = true
     WHERE t.id = p_token_id AND NOT t.used
       AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND a.blocked)
    RETURNING t.account_id INTO v_account;
    IF v_account IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM accounts_set_password(v_account, p_algorithm, p_hash, false, NULL);
    RETURN v_account;
END
$$;

-- Creation (0006) with the contacts claimed: p_email_unique is the request
-- Space's AccountsEmailUnique. Statuses: 'ok', 'full', 'token',
-- 'username_taken', 'email_taken', 'phone_taken'; nothing is written
-- unless 'ok'.
DROP FUNCTION accounts_create(text, text, integer, text, integer, text, text, text, text,
                              boolean, boolean, text, text, text, text, json, text, text, text);
CREATE FUNCTION accounts_create(
    p_domain text, p_username text, p_max_accounts integer,
    p_token_hash text, p_token_expiry_minutes integer,
    p_email text, p_display_name text, p_phone text, p_dtmf_protocol text,
    p_activated boolean, p_admin boolean, p_ip_address text, p_user_agent text,
    p_algorithm text, p_password_hash text, p_dictionary json,
    p_provisioning_token text, p_request_ip text, p_request_user_agent text,
    p_email_unique boolean)
RETURNS TABLE (status text, account_id bigint, created_epoch bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_token_id bigint;
    v_id bigint;
    v_taken text;
BEGIN
    IF p_max_accounts > 0 THEN
        INSERT INTO spaces (domain) VALUES (p_domain) ON CONFLICT (domain) DO NOTHING;
        PERFORM 1 FROM spaces s WHERE s.domain = p_domain FOR UPDATE;
        IF accounts_space_count(p_domain) >= p_max_accounts THEN
            RETURN QUERY SELECT 'full'::text, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    v_taken := accounts_claim_contacts(p_domain, NULL, p_email, p_email_unique, p_phone);
    IF v_taken IS NOT NULL THEN
        RETURN QUERY SELECT v_taken, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF p_token_hash IS NOT NULL THEN
        UPDATE account_creation_tokens t SET used = true, updated_at = now()
         WHERE t.token_hash = p_token_hash AND t.domain = p_domain AND NOT t.used
           AND (p_token_expiry_minutes = 0
                OR t.created_at > now() - make_interval(mins => p_token_expiry_minutes))
        RETURNING t.id INTO v_token_id;
        IF v_token_id IS NULL THEN
            RETURN QUERY SELECT 'token'::text, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    IF EXISTS (SELECT 1 FROM account_tombstones b
                WHERE b.username = p_username AND b.domain = p_domain) THEN
        v_id := NULL;
    ELSE
        INSERT INTO accounts (username, domain, email, display_name, phone, dtmf_protocol,
                              activated, admin, ip_address, user_agent)
        VALUES (p_username, p_domain, p_email, p_display_name, p_phone, p_dtmf_protocol,
                p_activated, p_admin, p_ip_address, p_user_agent)
        ON CONFLICT (username, domain) DO NOTHING
        RETURNING id INTO v_id;
    END IF;
    IF v_id IS NULL THEN
        -- Give the token back: nobody saw it used (same transaction).
        UPDATE account_creation_tokens SET used = false WHERE id = v_token_id;
        RETURN QUERY SELECT 'username_taken'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF p_password_hash IS NOT NULL THEN
        INSERT INTO passwords (account_id, algorithm, password)
        VALUES (v_id, p_algorithm, p_password_hash);
    END IF;
    IF p_dictionary IS NOT NULL THEN
        INSERT INTO account_dictionary_entries (account_id, key, value)
        SELECT v_id, e.key, e.value FROM json_each_text(p_dictionary) WITH ORDINALITY AS e(key, value, n)
        ORDER BY e.n;
    END IF;
    INSERT INTO provisioning_tokens (account_id, token, ip, user_agent)
    VALUES (v_id, p_provisioning_token, p_request_ip, p_request_user_agent);
    IF v_token_id IS NOT NULL THEN
        UPDATE account_creation_tokens SET account_id = v_id WHERE id = v_token_id;
    END IF;
    RETURN QUERY SELECT 'ok'::text, v_id, extract(epoch FROM a.created_at)::bigint
                   FROM accounts a WHERE a.id = v_id;
END
$$;

-- Update (0006) with the contacts claimed (the account itself ignored) and
-- the password stored by accounts_set_password, which revokes the user
-- keys but p_keep_key (the caller's, for an admin updating itself).
-- Statuses: 'ok', 'not_found', 'full', 'username_taken', 'email_taken',
-- 'phone_taken'; nothing is written unless 'ok'.
DROP FUNCTION accounts_update(bigint, text, text, integer, text, text, text, text, text,
                              boolean, boolean, boolean, text, text, text, json);
CREATE FUNCTION accounts_update(
    p_id bigint, p_scope_domain text, p_domain text, p_max_accounts integer,
    p_username text, p_email text, p_display_name text, p_phone text, p_dtmf_protocol text,
    p_admin boolean, p_activated boolean, p_blocked boolean, p_user_agent text,
    p_algorithm text, p_password_hash text, p_dictionary json,
    p_email_unique boolean, p_keep_key bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_old_username text;
    v_old_domain text;
    v_taken text;
BEGIN
    SELECT a.username, a.domain INTO v_old_username, v_old_domain FROM accounts a
     WHERE a.id = p_id AND (p_scope_domain IS NULL OR a.domain = p_scope_domain)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;

    IF p_domain <> v_old_domain AND p_max_accounts > 0 THEN
        INSERT INTO spaces (domain) VALUES (p_domain) ON CONFLICT (domain) DO NOTHING;
        PERFORM 1 FROM spaces s WHERE s.domain = p_domain FOR UPDATE;
        IF accounts_space_count(p_domain) >= p_max_accounts THEN
            RETURN 'full';
        END IF;
    END IF;

    IF (p_username <> v_old_username OR p_domain <> v_old_domain)
       AND EXISTS (SELECT 1 FROM account_tombstones b
                    WHERE b.username = p_username AND b.domain = p_domain) THEN
        RETURN 'username_taken';
    END IF;

    v_taken := accounts_claim_contacts(p_domain, p_id, p_email, p_email_unique, p_phone);
    IF v_taken IS NOT NULL THEN
        RETURN v_taken;
    END IF;

    BEGIN
        UPDATE accounts SET username = p_username, domain = p_domain, email = p_email,
               display_name = p_display_name, phone = p_phone, dtmf_protocol = p_dtmf_protocol,
               admin = p_admin, activated = coalesce(p_activated, activated),
               blocked = coalesce(p_blocked, blocked), user_agent = p_user_agent,
               updated_at = now()
         WHERE id = p_id;
    EXCEPTION WHEN unique_violation THEN
        RETURN 'username_taken';
    END;

    PERFORM accounts_set_password(p_id, p_algorithm, p_password_hash, false, p_keep_key);

    IF p_dictionary IS NOT NULL THEN
        DELETE FROM account_dictionary_entries WHERE account_id = p_id;
        INSERT INTO account_dictionary_entries (account_id, key, value)
        SELECT p_id, e.key, e.value FROM json_each_text(p_dictionary) WITH ORDINALITY AS e(key, value, n)
        ORDER BY e.n;
    END IF;
    RETURN 'ok';
END
$$;
