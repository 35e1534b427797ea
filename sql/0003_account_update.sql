-- PUT /accounts/{id} as one function (api.md 5.11, section 8): one
-- transaction, one round trip.
--  * p_scope_domain: only accounts of that domain are found (plain admins);
--    NULL finds any Space's account (super admins).
--  * p_domain: the domain after the update. Moving into another domain
--    locks that Space's counter row, so its max_accounts holds under
--    concurrent creations and moves.
--  * activated / blocked / dictionary: NULL leaves them as they are.
-- Returns 'ok', 'not_found', 'full' or 'username_taken' (a concurrent
-- rename or creation won, or the new name is tombstoned).
CREATE FUNCTION accounts_update(
    p_id bigint, p_scope_domain text, p_domain text, p_max_accounts integer,
    p_username text, p_email text, p_display_name text, p_phone text, p_dtmf_protocol text,
    p_admin boolean, p_activated boolean, p_blocked boolean, p_user_agent text,
    p_algorithm text, p_password_hash text, p_dictionary json)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_old_username text;
    v_old_domain text;
    v_count bigint;
BEGIN
    SELECT a.username, a.domain INTO v_old_username, v_old_domain FROM accounts a
     WHERE a.id = p_id AND (p_scope_domain IS NULL OR a.domain = p_scope_domain)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;

    IF p_domain <> v_old_domain THEN
        INSERT INTO spaces (domain) VALUES (p_domain) ON CONFLICT (domain) DO NOTHING;
        SELECT s.account_count INTO v_count FROM spaces s WHERE s.domain = p_domain FOR UPDATE;
        IF p_max_accounts > 0 AND v_count >= p_max_accounts THEN
            RETURN 'full';
        END IF;
    END IF;

    IF (p_username <> v_old_username OR p_domain <> v_old_domain)
       AND EXISTS (SELECT 1 FROM account_tombstones b
                    WHERE b.username = p_username AND b.domain = p_domain) THEN
        RETURN 'username_taken';
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

    DELETE FROM passwords WHERE account_id = p_id;
    INSERT INTO passwords (account_id, algorithm, password) VALUES (p_id, p_algorithm, p_password_hash);

    IF p_dictionary IS NOT NULL THEN
        DELETE FROM account_dictionary_entries WHERE account_id = p_id;
        INSERT INTO account_dictionary_entries (account_id, key, value)
        SELECT p_id, e.key, e.value FROM json_each_text(p_dictionary) WITH ORDINALITY AS e(key, value, n)
        ORDER BY e.n;
    END IF;
    RETURN 'ok';
END
$$;
