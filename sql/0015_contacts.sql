-- Contacts of an account (spec/api-lifecycle.md 7.4, 10.2): one-way
-- relations between two accounts (FlexiAPI's table contacts (account_id,
-- contact_id)). The primary key is the uniqueness rule of section 11: a
-- concurrent second add of the same pair is an INSERT ... ON CONFLICT DO
-- NOTHING that finds it, never an error. Both references cascade: deleting
-- an account removes its contact relations in both directions (10.3), and
-- the second index lets the cascade from contact_id find them without a
-- scan.
CREATE TABLE account_contacts (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz(0) NOT NULL DEFAULT now(),
    CONSTRAINT account_contacts_pair PRIMARY KEY (account_id, contact_id)
);
CREATE INDEX account_contacts_contact ON account_contacts (contact_id);
