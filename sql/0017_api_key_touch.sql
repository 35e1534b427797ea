-- The touch of an API key on the read path (issue 17): last_used_at and
-- requests are updated at most once a minute per key (API_KEY_TOUCH_INTERVAL
-- in mod_accounts/api_key.h). The partial index on last_used_at made every
-- such update a non-HOT one (a new index entry, and the primary key's and
-- key_hash's entries rewritten too); only accountsctl purge used it, once
-- an hour, and a scan of api_keys serves that.
DROP INDEX api_keys_user_last_used;
-- Room in each page for the new row versions of HOT updates.
ALTER TABLE api_keys SET (fillfactor = 80);
