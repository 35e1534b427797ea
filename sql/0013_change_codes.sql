-- Email and phone change by 4-digit codes (api-lifecycle.md 4, 5, 11): the
-- confirmation of a code, one function per kind. The tables are 0001's
-- (with 0011's attempts counter); requesting a code is a plain INSERT and
-- the blocking service is 0011's account_codes_block_if_flooding.
--
-- A confirmation locks the account's row, then its pending code (its newest
-- unconsumed one) FOR UPDATE, so concurrent confirmations of one account run
-- one after the other, each reading the attempts and consumed flag the
-- previous one left. The account's row comes first, as in accounts_update
-- (0008: account row, then the contact locks) and in a deletion (account
-- row, then its codes by cascade): the same order everywhere, no deadlock.
--   * a wrong value adds one attempt, and only while attempts < 3: however
--     many wrong values arrive at once, a code counts three;
--   * the right value consumes the code and changes the account in the
--     same transaction, once: a concurrent second right value finds no
--     pending code (or an exhausted one) and changes nothing.
-- Acceptance consumes every unconsumed code of that kind of the account,
-- not only the pending one: an older code must not become the pending one
-- and be accepted later (FlexiAPI's would, its pending code being the
-- newest whose code is not NULL), and the account then shows
-- email_change_code / phone_change_code null (4.2 step 6).
--
-- Outcomes (outcome, attempts after the call):
--   'none'     no pending code                       -> 404 No pending ... change
--   'expired'  pending code expired or exhausted     -> 410 Expired code
--   'wrong'    value differs (one attempt added)     -> 422 The code should be valid
--   'taken'    the value went to another account     -> 422 has already been taken
--   'done'     consumed, account changed             -> 200
-- p_expiry_minutes: the account's Space's expiry of that kind, 0 = never.

CREATE FUNCTION account_email_change_confirm(p_account_id bigint, p_code text,
                                             p_expiry_minutes integer, p_email_unique boolean)
RETURNS TABLE (outcome text, code_attempts integer)
LANGUAGE plpgsql AS $$
DECLARE
    c email_change_codes%ROWTYPE;
    v_domain text;
BEGIN
    SELECT a.domain INTO v_domain FROM accounts a WHERE a.id = p_account_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, 0;
        RETURN;
    END IF;
    SELECT * INTO c FROM email_change_codes e
     WHERE e.account_id = p_account_id AND NOT e.consumed
     ORDER BY e.id DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, 0;
        RETURN;
    END IF;
    IF c.attempts >= 3
       OR (p_expiry_minutes > 0 AND now() > c.created_at + make_interval(mins => p_expiry_minutes)) THEN
        RETURN QUERY SELECT 'expired'::text, c.attempts::integer;
        RETURN;
    END IF;
    IF c.code <> p_code THEN
        UPDATE email_change_codes e SET attempts = e.attempts + 1, updated_at = now()
         WHERE e.id = c.id AND e.attempts < 3
        RETURNING e.attempts INTO c.attempts;
        RETURN QUERY SELECT 'wrong'::text, c.attempts::integer;
        RETURN;
    END IF;
    -- Re-checked now (1.6 item 12), under the lock writers of this email
    -- take (0008), when the request Space wants unique emails.
    IF accounts_claim_contacts(v_domain, p_account_id, c.email, p_email_unique, NULL) IS NOT NULL THEN
        RETURN QUERY SELECT 'taken'::text, c.attempts::integer;
        RETURN;
    END IF;
    UPDATE email_change_codes e SET consumed = true, updated_at = now()
     WHERE e.account_id = p_account_id AND NOT e.consumed;
    UPDATE accounts a SET email = c.email, activated = true, updated_at = now()
     WHERE a.id = p_account_id;
    RETURN QUERY SELECT 'done'::text, c.attempts::integer;
END
$$;

-- The same for phones. The re-check (5.2): the number is no other
-- account's phone (under 0008's lock of phone writers) nor username in
-- the account's domain.
CREATE FUNCTION account_phone_change_confirm(p_account_id bigint, p_code text,
                                             p_expiry_minutes integer)
RETURNS TABLE (outcome text, code_attempts integer)
LANGUAGE plpgsql AS $$
DECLARE
    c phone_change_codes%ROWTYPE;
    v_domain text;
BEGIN
    SELECT a.domain INTO v_domain FROM accounts a WHERE a.id = p_account_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, 0;
        RETURN;
    END IF;
    SELECT * INTO c FROM phone_change_codes e
     WHERE e.account_id = p_account_id AND NOT e.consumed
     ORDER BY e.id DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, 0;
        RETURN;
    END IF;
    IF c.attempts >= 3
       OR (p_expiry_minutes > 0 AND now() > c.created_at + make_interval(mins => p_expiry_minutes)) THEN
        RETURN QUERY SELECT 'expired'::text, c.attempts::integer;
        RETURN;
    END IF;
    IF c.code <> p_code THEN
        UPDATE phone_change_codes e SET attempts = e.attempts + 1, updated_at = now()
         WHERE e.id = c.id AND e.attempts < 3
        RETURNING e.attempts INTO c.attempts;
        RETURN QUERY SELECT 'wrong'::text, c.attempts::integer;
        RETURN;
    END IF;
    IF accounts_claim_contacts(v_domain, p_account_id, NULL, false, c.phone) IS NOT NULL
       OR EXISTS (SELECT 1 FROM accounts a
                   WHERE a.domain = v_domain AND a.username = c.phone AND a.id <> p_account_id) THEN
        RETURN QUERY SELECT 'taken'::text, c.attempts::integer;
        RETURN;
    END IF;
    UPDATE phone_change_codes e SET consumed = true, updated_at = now()
     WHERE e.account_id = p_account_id AND NOT e.consumed;
    UPDATE accounts a SET phone = c.phone, activated = true, updated_at = now()
     WHERE a.id = p_account_id;
    RETURN QUERY SELECT 'done'::text, c.attempts::integer;
END
$$;
