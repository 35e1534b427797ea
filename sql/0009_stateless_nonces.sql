-- Stateless digest nonces (issue 13). A nonce now carries its mint time and
-- a MAC under the Space's AccountsSecret (mod_accounts/digest.h): issuing
-- one writes nothing, so anonymous challenges can no longer push out the
-- nonce a client is about to answer. digest_nonces holds only the nonces
-- that authenticated a request, with the highest nc seen (replays), and
-- created_at is the nonce's mint time (purging).
--
-- The table stays UNLOGGED (no WAL per handshake), but an empty table no
-- longer means "no nonce is valid": a crash that empties it would let a
-- nonce used before it be used again with an old nc. So the table keeps one
-- more row, the epoch: nonce 'epoch', no account, and as its nc the moment
-- the table last started empty (microseconds since 1970, as in nonces). A
-- nonce minted before the epoch is unknown.
-- After a crash the epoch row is gone too; the module then writes a new one
-- (now), which refuses every nonce issued before the crash: clients take
-- the fresh challenge. accountsctl purge never deletes it.

-- Random nonces of the old scheme cannot verify: their rows go.
TRUNCATE digest_nonces;
ALTER TABLE digest_nonces ALTER COLUMN account_id DROP NOT NULL;
ALTER TABLE digest_nonces ADD CONSTRAINT digest_nonces_epoch_or_account
    CHECK ((nonce = 'epoch') = (account_id IS NULL));
-- The old per-account index served the prune of each challenge; deleting an
-- account (ON DELETE CASCADE) needs one on account_id alone.
DROP INDEX digest_nonces_account;
CREATE INDEX digest_nonces_account ON digest_nonces (account_id);
INSERT INTO digest_nonces (account_id, nonce, nc, created_at)
    VALUES (NULL, 'epoch', (extract(epoch FROM now()) * 1000000)::bigint, now());
