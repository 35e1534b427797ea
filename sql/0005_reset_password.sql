-- The reset-password page (api.md 6.5) as one function: consumes the
-- token once (a concurrent second POST finds it used), stores the new
-- password and revokes the account's user API keys (api.md 10.1), in one
-- transaction. Returns the account id, or NULL when the token was used.
CREATE FUNCTION accounts_reset_password(p_token_id bigint, p_algorithm text, p_hash text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_account bigint;
BEGIN
    UPDATE reset_password_tokens SET used = true WHERE id = p_token_id AND NOT used
    RETURNING account_id INTO v_account;
    IF v_account IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM accounts_set_password(v_account, p_algorithm, p_hash, false);
    DELETE FROM api_keys WHERE account_id = v_account AND user_key;
    RETURN v_account;
END
$$;
