-- Account types and actions (spec/api-lifecycle.md 7.2, 7.3; issue 16).
--
-- A type is a label of a Space (FlexiAPI has one global table; here each
-- Space has its own, so an admin never sees another Space's): its key is
-- unique in the Space, enforced here so that concurrent creations cannot
-- both win. Accounts carry types through links, one per (account, type).
-- Actions are DTMF shortcuts of one account; their keys need not be unique.
-- Everything goes with its account (and links with their type).

CREATE TABLE account_types (
    id         bigserial PRIMARY KEY,
    domain     varchar(64) NOT NULL,
    key        varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_types_domain_key UNIQUE (domain, key)
);

CREATE TABLE account_type_links (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type_id    bigint NOT NULL REFERENCES account_types (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, type_id)
);
CREATE INDEX account_type_links_type ON account_type_links (type_id);

CREATE TABLE account_actions (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        varchar(255) NOT NULL,
    code       varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_actions_account ON account_actions (account_id, id);

-- The listing reads sub-objects only for accounts flagged has_extras
-- (0007): a type link or an action flags its account too.
CREATE TRIGGER account_type_links_extras AFTER INSERT ON account_type_links
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_extras_added();
CREATE TRIGGER account_actions_extras AFTER INSERT ON account_actions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_extras_added();

-- An account moved to another Space (PUT /accounts/{id} by a super admin)
-- leaves its old Space's types: links only ever join an account and a type
-- of one Space.
CREATE FUNCTION account_types_follow_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM account_type_links l USING account_types t
     WHERE l.account_id = NEW.id AND t.id = l.type_id AND t.domain <> NEW.domain;
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_types_follow_domain AFTER UPDATE OF domain ON accounts
    FOR EACH ROW WHEN (OLD.domain IS DISTINCT FROM NEW.domain)
    EXECUTE FUNCTION account_types_follow_domain();

-- Renames a type of a Space: 'taken' when another type of the Space has the
-- key (also when a concurrent rename or creation got it first: the unique
-- constraint decides, never an error), 'not_found' when the Space has no
-- such type, else 'renamed'. Taken comes first: uniqueness is part of the
-- validation, which precedes the lookup (api-lifecycle.md 7.2).
CREATE FUNCTION account_type_rename(type_id bigint, type_domain text, new_key text)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM account_types
                WHERE domain = type_domain AND key = new_key AND id <> type_id) THEN
        RETURN 'taken';
    END IF;
    UPDATE account_types SET key = new_key, updated_at = now()
     WHERE id = type_id AND domain = type_domain;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    RETURN 'renamed';
EXCEPTION WHEN unique_violation THEN
    RETURN 'taken';
END
$$;
