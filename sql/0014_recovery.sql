-- Account recovery (api-lifecycle.md 6, 11): the two functions of the
-- recovery pages. The tables are 0011's (account_recovery_tokens,
-- account_recovery_codes); the blocking service is 0011's
-- account_codes_block_if_flooding.
--
-- Lock order, as in 0013 and in a deletion: the account's row, then its
-- codes. The recovery token's row comes before both (it is claimed before
-- the account is looked up); a deletion never touches an unlinked token, and
-- the token is linked only by the transaction that holds it.

-- POST {base}/recovery (6.3 steps 2 to 6, up to the delivery): one
-- transaction.
--   * Phone branch (p_token_hash not NULL): the token is claimed first by a
--     conditional update (unused, of this Space, unexpired -> used), so a
--     token makes one lookup whatever the outcome, and a concurrent second
--     use finds it used ('token').
--   * The account (lookup of 6.3 step 2) is then locked: concurrent
--     requests for one account run one after the other, and the "recovered
--     recently" rule (one unconsumed code an hour) holds under concurrency
--     too, which is what bounds anonymous guesses to 3 an hour.
-- A blocked account counts as no account (a public route gives a blocked
-- account nothing, issue 13), and so does an account found by the phone
-- branch without a phone (6.3 step 2).
--
-- Outcomes:
--   'token'    phone branch: no usable recovery token   -> 403 page
--   'none'     no account (token used up, unlinked)     -> 200 page
--   'recent'   unconsumed code younger than 60 minutes  -> 429 page
--   'blocked'  the blocking service just blocked it     -> 403 page
--   'created'  code stored (with its handle), token linked; the caller
--              delivers it, then calls account_recovery_undo on failure.
CREATE FUNCTION account_recovery_send(p_domain text, p_token_hash text, p_token_expiry integer,
                                      p_email text, p_username text, p_phone text,
                                      p_email_unique boolean, p_events integer,
                                      p_period_minutes integer, p_code text, p_handle_hash text,
                                      p_ip text, p_user_agent text)
RETURNS TABLE (outcome text, account_id bigint, code_id bigint, token_id bigint,
               target text)
LANGUAGE plpgsql AS $$
DECLARE
    v_token bigint;
    v_account accounts%ROWTYPE;
    v_code bigint;
BEGIN
    IF p_token_hash IS NOT NULL THEN
        UPDATE account_recovery_tokens t SET used = true, updated_at = now()
         WHERE t.token_hash = p_token_hash AND t.domain = p_domain AND NOT t.used
           AND (p_token_expiry = 0 OR now() <= t.created_at + make_interval(mins => p_token_expiry))
        RETURNING t.id INTO v_token;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'token'::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::text;
            RETURN;
        END IF;
        SELECT * INTO v_account FROM accounts a
         WHERE a.domain = p_domain AND a.username = p_phone FOR UPDATE;
        IF NOT FOUND THEN
            SELECT * INTO v_account FROM accounts a
             WHERE a.domain = p_domain AND a.phone = p_phone ORDER BY a.id LIMIT 1 FOR UPDATE;
        END IF;
        IF v_account.id IS NOT NULL AND v_account.phone IS NULL THEN
            v_account.id := NULL;
        END IF;
    ELSE
        SELECT * INTO v_account FROM accounts a
         WHERE a.domain = p_domain AND lower(a.email) = lower(p_email)
           AND (p_email_unique OR a.username = p_username)
         ORDER BY a.id LIMIT 1 FOR UPDATE;
        IF NOT FOUND THEN
            SELECT * INTO v_account FROM accounts a
             WHERE a.domain = p_domain AND a.phone = p_username AND lower(a.email) = lower(p_email)
             ORDER BY a.id LIMIT 1 FOR UPDATE;
        END IF;
    END IF;
    IF v_account.id IS NULL OR v_account.blocked THEN
        RETURN QUERY SELECT 'none'::text, NULL::bigint, NULL::bigint, v_token, NULL::text;
        RETURN;
    END IF;
    IF v_token IS NOT NULL THEN
        UPDATE account_recovery_tokens t SET account_id = v_account.id WHERE t.id = v_token;
    END IF;
    IF EXISTS (SELECT 1 FROM account_recovery_codes c
                WHERE c.account_id = v_account.id AND NOT c.consumed
                  AND c.created_at > now() - interval '60 minutes') THEN
        RETURN QUERY SELECT 'recent'::text, v_account.id, NULL::bigint, v_token, NULL::text;
        RETURN;
    END IF;
    IF account_codes_block_if_flooding(v_account.id, p_events, p_period_minutes) THEN
        RETURN QUERY SELECT 'blocked'::text, v_account.id, NULL::bigint, v_token, NULL::text;
        RETURN;
    END IF;
    INSERT INTO account_recovery_codes (account_id, email, phone, code, handle_hash, ip, user_agent)
    VALUES (v_account.id,
            CASE WHEN v_token IS NULL THEN v_account.email END,
            CASE WHEN v_token IS NOT NULL THEN v_account.phone END,
            p_code, p_handle_hash, p_ip, p_user_agent)
    RETURNING id INTO v_code;
    RETURN QUERY SELECT 'created'::text, v_account.id, v_code, v_token,
                        (CASE WHEN v_token IS NULL THEN v_account.email ELSE v_account.phone END)::text;
END
$$;

-- The code could not be delivered (6.3 step 6, 503): it is not kept, and
-- the recovery token becomes usable again (unused, unlinked).
CREATE FUNCTION account_recovery_undo(p_code_id bigint, p_token_id bigint)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM account_recovery_codes WHERE id = p_code_id;
    UPDATE account_recovery_tokens SET used = false, account_id = NULL, updated_at = now()
     WHERE id = p_token_id;
$$;

-- POST {base}/recovery/confirm (6.4): the code of the handle, of an
-- account of this Space that is not blocked, under the account's row lock
-- then the code's, as 0013's confirmations:
--   * a wrong value adds one attempt, and only while attempts < 3;
--   * the right value consumes the code (and every older unconsumed one of
--     the account, which must not become pending later), once.
-- The caller makes the reset-password token in the same transaction (the
-- existing accounts_reset_token_insert statement), so a consumed code
-- always left a token.
-- Outcomes (outcome, attempts after the call, account, its current email):
--   'none'     unknown handle (or blocked account)           -> 404 page
--   'expired'  consumed, not the pending one, expired, exhausted -> 410 page
--   'wrong'    another value (one attempt added)             -> 200 page
--   'done'     consumed                                      -> 303
CREATE FUNCTION account_recovery_confirm(p_domain text, p_handle_hash text, p_code text,
                                         p_expiry_minutes integer)
RETURNS TABLE (outcome text, code_attempts integer, account_id bigint, email text)
LANGUAGE plpgsql AS $$
DECLARE
    c account_recovery_codes%ROWTYPE;
    v_account accounts%ROWTYPE;
BEGIN
    SELECT a.* INTO v_account FROM accounts a
     WHERE a.id = (SELECT r.account_id FROM account_recovery_codes r WHERE r.handle_hash = p_handle_hash)
       AND a.domain = p_domain AND NOT a.blocked
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, 0, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    SELECT * INTO c FROM account_recovery_codes r WHERE r.handle_hash = p_handle_hash FOR UPDATE;
    IF NOT FOUND OR c.account_id <> v_account.id THEN
        RETURN QUERY SELECT 'none'::text, 0, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF c.consumed OR c.attempts >= 3
       OR (p_expiry_minutes > 0 AND now() > c.created_at + make_interval(mins => p_expiry_minutes))
       OR c.id <> (SELECT max(r.id) FROM account_recovery_codes r
                    WHERE r.account_id = v_account.id AND NOT r.consumed) THEN
        RETURN QUERY SELECT 'expired'::text, c.attempts::integer, v_account.id, NULL::text;
        RETURN;
    END IF;
    IF c.code <> p_code THEN
        UPDATE account_recovery_codes r SET attempts = r.attempts + 1, updated_at = now()
         WHERE r.id = c.id AND r.attempts < 3
        RETURNING r.attempts INTO c.attempts;
        RETURN QUERY SELECT 'wrong'::text, c.attempts::integer, v_account.id, NULL::text;
        RETURN;
    END IF;
    UPDATE account_recovery_codes r SET consumed = true, updated_at = now()
     WHERE r.account_id = v_account.id AND NOT r.consumed;
    RETURN QUERY SELECT 'done'::text, c.attempts::integer, v_account.id, v_account.email::text;
END
$$;
