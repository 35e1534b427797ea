-- Multi-step writes as functions: each runs in the caller's statement, so it
-- is one transaction and one round trip, and the invariants that concurrent
-- requests could break are held by row locks here, not by checks in C.

-- Creates an account (api.md 5.1 and 5.10, section 8).
--  * The Space's counter row is locked first: concurrent creations in one
--    Space run one after the other, so max_accounts is never exceeded and
--    no creation is refused while there is room.
--  * With a creation token (p_token_hash not NULL), the token is redeemed by
--    a conditional UPDATE in the same transaction: a token creates at most
--    one account.
--  * A username taken meanwhile (unique index) or tombstoned is reported,
--    never raised: the caller answers 422, not 500.
-- Returns one row: status ('ok', 'full', 'token', 'username_taken') and the
-- new account's id when 'ok'.
CREATE FUNCTION accounts_create(
    p_domain text, p_username text, p_max_accounts integer,
    p_token_hash text, p_token_expiry_minutes integer,
    p_email text, p_display_name text, p_phone text, p_dtmf_protocol text,
    p_activated boolean, p_admin boolean, p_ip_address text, p_user_agent text,
    p_algorithm text, p_password_hash text, p_dictionary json,
    p_provisioning_token text, p_request_ip text, p_request_user_agent text)
RETURNS TABLE (status text, account_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_count bigint;
    v_token_id bigint;
    v_id bigint;
BEGIN
    INSERT INTO spaces (domain) VALUES (p_domain) ON CONFLICT (domain) DO NOTHING;
    SELECT s.account_count INTO v_count FROM spaces s WHERE s.domain = p_domain FOR UPDATE;
    IF p_max_accounts > 0 AND v_count >= p_max_accounts THEN
        RETURN QUERY SELECT 'full'::text, NULL::bigint;
        RETURN;
    END IF;

    IF p_token_hash IS NOT NULL THEN
        UPDATE account_creation_tokens t SET used = true, updated_at = now()
         WHERE t.token_hash = p_token_hash AND t.domain = p_domain AND NOT t.used
           AND (p_token_expiry_minutes = 0
                OR t.created_at > now() - make_interval(mins => p_token_expiry_minutes))
        RETURNING t.id INTO v_token_id;
        IF v_token_id IS NULL THEN
            RETURN QUERY SELECT 'token'::text, NULL::bigint;
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
        RETURN QUERY SELECT 'username_taken'::text, NULL::bigint;
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
    RETURN QUERY SELECT 'ok'::text, v_id;
END
$$;

-- Replaces every password of an account with one (api.md 4.2), and
-- activates the account when asked (5.9).
CREATE FUNCTION accounts_set_password(p_account_id bigint, p_algorithm text,
                                      p_hash text, p_activate boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM passwords WHERE account_id = p_account_id;
    INSERT INTO passwords (account_id, algorithm, password) VALUES (p_account_id, p_algorithm, p_hash);
    IF p_activate THEN
        UPDATE accounts SET activated = true, updated_at = now() WHERE id = p_account_id;
    END IF;
    RETURN p_account_id;
END
$$;
