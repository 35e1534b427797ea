-- The Linphone app's lifecycle (spec/api-lifecycle.md sections 2 to 6):
-- the tables. The statements and functions that use them come with the
-- endpoints (sql/0012, sql/0013). Tokens are stored as the SHA-256 of their
-- value, as every other token of the schema; codes in clear (they appear in
-- the admin Account JSON, api-lifecycle.md 10.1).

-- 1. Creation request tokens (2.1 to 2.3): confirmed in a browser, then
--    exchanged once for a creation token.
CREATE TABLE account_creation_request_tokens (
    id                bigserial PRIMARY KEY,
    token_hash        char(64) NOT NULL UNIQUE,
    domain            varchar(64) NOT NULL,          -- the Space that minted it
    used              boolean NOT NULL DEFAULT false,
    validated_at      timestamptz(0),
    creation_token_id bigint REFERENCES account_creation_tokens (id) ON DELETE SET NULL,
    ip                varchar(45),
    user_agent        varchar(255),
    created_at        timestamptz(0) NOT NULL DEFAULT now(),
    updated_at        timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX account_creation_request_tokens_created ON account_creation_request_tokens (created_at);

-- 2. Push-delivered creation tokens (3.1) reuse account_creation_tokens and
--    its pn_* columns. Throttling (3.3) looks for a used token of the same
--    device created within the window: one probe.
CREATE INDEX account_creation_tokens_device ON account_creation_tokens
    (domain, pn_provider, pn_param, pn_prid, created_at) WHERE used AND pn_provider IS NOT NULL;

-- 3. Account recovery tokens (3.2, 6.1, 6.3): sent by push, used once by a
--    recovery lookup. The account is kept when one matched; deleting the
--    account unlinks it (10.3).
CREATE TABLE account_recovery_tokens (
    id          bigserial PRIMARY KEY,
    token_hash  char(64) NOT NULL UNIQUE,
    domain      varchar(64) NOT NULL,
    used        boolean NOT NULL DEFAULT false,
    account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    pn_provider varchar(255),
    pn_param    varchar(255),
    pn_prid     varchar(255),
    ip          varchar(45),
    user_agent  varchar(255),
    created_at  timestamptz(0) NOT NULL DEFAULT now(),
    updated_at  timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX account_recovery_tokens_device ON account_recovery_tokens
    (domain, pn_provider, pn_param, pn_prid, created_at) WHERE used;
CREATE INDEX account_recovery_tokens_account ON account_recovery_tokens (account_id)
    WHERE account_id IS NOT NULL;

-- 4. Codes (1.2): every kind gets an attempts counter (three wrong values
--    exhaust a code). Email and phone change codes exist since 0001.
ALTER TABLE email_change_codes ADD COLUMN attempts smallint NOT NULL DEFAULT 0;
ALTER TABLE phone_change_codes ADD COLUMN attempts smallint NOT NULL DEFAULT 0;

-- Recovery codes (6.3, 6.4): target email or phone, and the random handle
-- the confirm form carries instead of the account id.
CREATE TABLE account_recovery_codes (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email       varchar(255),
    phone       varchar(64),
    code        varchar(16) NOT NULL,
    attempts    smallint NOT NULL DEFAULT 0,
    consumed    boolean NOT NULL DEFAULT false,
    handle_hash char(64) NOT NULL UNIQUE,
    ip          varchar(45),
    user_agent  varchar(255),
    created_at  timestamptz(0) NOT NULL DEFAULT now(),
    updated_at  timestamptz(0) NOT NULL DEFAULT now(),
    CONSTRAINT account_recovery_codes_one_target CHECK ((email IS NULL) <> (phone IS NULL))
);
CREATE INDEX account_recovery_codes_account ON account_recovery_codes (account_id, id DESC);

-- The blocking service (4.3) counts an account's codes of the last period
-- over the three tables: (account_id, id DESC) serves it, created_at
-- following id.

-- The blocking service (4.3), shared by the three kinds of code: called
-- just before a code is created. When the account already created
-- p_events codes (all kinds) in the last p_period_minutes, it blocks the
-- account and answers true (the caller then answers 403 Account blocked
-- and creates nothing). p_events = 0 disables it. A rate limit, so the
-- count may be approximate under concurrency (11).
CREATE FUNCTION account_codes_block_if_flooding(p_account_id bigint, p_events integer,
                                                p_period_minutes integer)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_since timestamptz := now() - make_interval(mins => p_period_minutes);
    v_count bigint;
BEGIN
    IF p_events <= 0 THEN
        RETURN false;
    END IF;
    SELECT (SELECT count(*) FROM email_change_codes WHERE account_id = p_account_id AND created_at > v_since)
         + (SELECT count(*) FROM phone_change_codes WHERE account_id = p_account_id AND created_at > v_since)
         + (SELECT count(*) FROM account_recovery_codes WHERE account_id = p_account_id AND created_at > v_since)
      INTO v_count;
    IF v_count < p_events THEN
        RETURN false;
    END IF;
    UPDATE accounts SET blocked = true, updated_at = now() WHERE id = p_account_id AND NOT blocked;
    RETURN true;
END $$;
