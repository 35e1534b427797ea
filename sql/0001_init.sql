-- mod_accounts schema, version 1: everything the Accounts API contract stores.
--
-- Invariants that concurrent requests could break live here, not in C:
-- unique (username, domain), unique tombstones, one password per algorithm,
-- unique key/token hashes, and per-Space account counters (spaces.account_count)
-- kept exact by triggers, whose row is what creations lock to respect
-- AccountsMaxAccounts.
--
-- Timestamps have second precision (the API prints them with .000000).
-- Domains are stored lowercase (the module lowercases AccountsSpace).

CREATE TABLE spaces (
    domain        varchar(64) PRIMARY KEY,
    account_count bigint NOT NULL DEFAULT 0 CHECK (account_count >= 0)
);

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    username      varchar(64) NOT NULL,
    domain        varchar(64) NOT NULL,
    email         varchar(255),
    display_name  varchar(255),
    phone         varchar(64),
    dtmf_protocol varchar(16) CHECK (dtmf_protocol IN ('sipinfo', 'rfc2833', 'sipmessage')),
    activated     boolean NOT NULL DEFAULT false,
    blocked       boolean NOT NULL DEFAULT false,
    admin         boolean NOT NULL DEFAULT false,
    ip_address    varchar(45) NOT NULL,
    user_agent    varchar(255),
    created_at    timestamptz(0) NOT NULL DEFAULT now(),
    updated_at    timestamptz(0) DEFAULT now(),
    CONSTRAINT accounts_domain_lowercase CHECK (domain = lower(domain))
);
CREATE UNIQUE INDEX accounts_username_domain ON accounts (username, domain);
CREATE INDEX accounts_domain_id ON accounts (domain, id);
CREATE INDEX accounts_domain_email ON accounts (domain, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX accounts_domain_phone ON accounts (domain, phone) WHERE phone IS NOT NULL;

-- Exact per-Space account counts: pagination totals without count(*), and
-- the row that creations lock to enforce AccountsMaxAccounts.
CREATE FUNCTION accounts_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO spaces (domain, account_count) VALUES (NEW.domain, 1)
        ON CONFLICT (domain) DO UPDATE SET account_count = spaces.account_count + 1;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE spaces SET account_count = account_count - 1 WHERE domain = OLD.domain;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_count_insert_delete AFTER INSERT OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_count_change();
CREATE TRIGGER accounts_count_move AFTER UPDATE OF domain ON accounts
    FOR EACH ROW WHEN (OLD.domain IS DISTINCT FROM NEW.domain)
    EXECUTE FUNCTION accounts_count_change();

-- Flexisip reads this table too: one HA1 (hex) per algorithm, or a legacy
-- clear-text password under CLRTXT.
CREATE TABLE passwords (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    password   varchar(255) NOT NULL,
    algorithm  varchar(10) NOT NULL CHECK (algorithm IN ('MD5', 'SHA-256', 'CLRTXT')),
    CONSTRAINT passwords_account_algorithm UNIQUE (account_id, algorithm)
);

CREATE TABLE digest_nonces (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    nonce      char(64) NOT NULL UNIQUE,
    nc         bigint NOT NULL DEFAULT 0,
    created_at timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX digest_nonces_account ON digest_nonces (account_id, id);
CREATE INDEX digest_nonces_created ON digest_nonces (created_at);

-- Keys are stored as the SHA-256 hex of the key: a database dump reveals no
-- usable key, and a lookup stays one index probe.
CREATE TABLE api_keys (
    id             bigserial PRIMARY KEY,
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_hash       char(64) NOT NULL UNIQUE,
    user_key       boolean NOT NULL,          -- true: made by /accounts/me/api_key*, false: stable
    ip             varchar(45),               -- bound client IP, NULL = any
    expiry_minutes integer CHECK (expiry_minutes >= 0),  -- stable keys only; NULL/0 = never
    name           varchar(255),
    requests       bigint NOT NULL DEFAULT 0,
    last_used_at   timestamptz(0) NOT NULL DEFAULT now(),
    created_at     timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_account ON api_keys (account_id);
CREATE INDEX api_keys_user_last_used ON api_keys (last_used_at) WHERE user_key;

CREATE TABLE auth_tokens (
    id         bigserial PRIMARY KEY,
    token_hash char(64) NOT NULL UNIQUE,
    account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
    ip         varchar(45),
    user_agent varchar(255),
    created_at timestamptz(0) NOT NULL DEFAULT now(),
    updated_at timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX auth_tokens_created ON auth_tokens (created_at);
CREATE INDEX auth_tokens_account ON auth_tokens (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE account_creation_tokens (
    id          bigserial PRIMARY KEY,
    token_hash  char(64) NOT NULL UNIQUE,
    domain      varchar(64) NOT NULL,         -- the Space that minted it
    used        boolean NOT NULL DEFAULT false,
    account_id  bigint REFERENCES accounts (id) ON DELETE CASCADE,
    ip          varchar(45),
    user_agent  varchar(255),
    pn_provider varchar(255),
    pn_param    varchar(255),
    pn_prid     varchar(255),
    created_at  timestamptz(0) NOT NULL DEFAULT now(),
    updated_at  timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX account_creation_tokens_account ON account_creation_tokens (account_id)
    WHERE account_id IS NOT NULL;

-- Provisioning tokens appear in the Account JSON, so they are kept in clear.
CREATE TABLE provisioning_tokens (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token      varchar(32) NOT NULL UNIQUE,
    used       boolean NOT NULL DEFAULT false,
    ip         varchar(45),
    user_agent varchar(255),
    created_at timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX provisioning_tokens_current ON provisioning_tokens (account_id, id DESC) WHERE NOT used;

CREATE TABLE reset_password_tokens (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash char(64) NOT NULL UNIQUE,
    used       boolean NOT NULL DEFAULT false,
    email      varchar(255) NOT NULL,
    ip         varchar(45),
    user_agent varchar(255),
    created_at timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX reset_password_tokens_account ON reset_password_tokens (account_id);

-- A deleted account's username can never be registered again in its domain.
CREATE TABLE account_tombstones (
    id         bigserial PRIMARY KEY,
    username   varchar(64) NOT NULL,
    domain     varchar(64) NOT NULL,
    created_at timestamptz(0) NOT NULL DEFAULT now(),
    CONSTRAINT account_tombstones_username_domain UNIQUE (username, domain)
);

CREATE TABLE account_dictionary_entries (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        varchar(255) NOT NULL,
    value      varchar(255) NOT NULL,
    created_at timestamptz(0) NOT NULL DEFAULT now(),
    updated_at timestamptz(0) NOT NULL DEFAULT now(),
    CONSTRAINT account_dictionary_entries_account_key UNIQUE (account_id, key)
);

-- Pending email / phone changes (the flows are outside the contract; the
-- Account JSON shows the newest unconsumed one).
CREATE TABLE email_change_codes (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email      varchar(255) NOT NULL,
    code       varchar(16) NOT NULL,
    consumed   boolean NOT NULL DEFAULT false,
    ip         varchar(45),
    user_agent varchar(255),
    created_at timestamptz(0) NOT NULL DEFAULT now(),
    updated_at timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX email_change_codes_account ON email_change_codes (account_id, id DESC);

CREATE TABLE phone_change_codes (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    phone      varchar(64) NOT NULL,
    code       varchar(16) NOT NULL,
    consumed   boolean NOT NULL DEFAULT false,
    ip         varchar(45),
    user_agent varchar(255),
    created_at timestamptz(0) NOT NULL DEFAULT now(),
    updated_at timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX phone_change_codes_account ON phone_change_codes (account_id, id DESC);
