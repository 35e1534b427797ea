-- Hot paths (issue 8): index-friendly hash columns, nonces without WAL,
-- no Space-wide hot row on creation, and a page of any depth found without
-- an OFFSET over the whole Space.

-- 1. Hashes as varchar. A char(64) column compared with a text value (a
--    PL/pgSQL text parameter, as in accounts_create's token redemption) is
--    cast to text, which cannot use its index: every redemption scanned the
--    whole token table while holding the creation's locks.
ALTER TABLE digest_nonces ALTER COLUMN nonce TYPE varchar(64);
ALTER TABLE api_keys ALTER COLUMN key_hash TYPE varchar(64);
ALTER TABLE auth_tokens ALTER COLUMN token_hash TYPE varchar(64);
ALTER TABLE account_creation_tokens ALTER COLUMN token_hash TYPE varchar(64);
ALTER TABLE reset_password_tokens ALTER COLUMN token_hash TYPE varchar(64);

-- 2. Digest nonces are unlogged: writing one costs no WAL and no fsync.
--    Replay protection does not depend on them surviving a crash: after
--    one, PostgreSQL empties the table, so every earlier nonce is unknown
--    ("Nonce invalid") and can never be replayed; clients just take the
--    fresh challenge. A clean restart keeps them.
ALTER TABLE digest_nonces SET UNLOGGED;

-- 3. Accounts per Space, counted in id buckets of 4096 ids. Each writer adds
--    to its own slot (its backend, modulo 16), so concurrent creations in
--    one Space do not queue on one counter row until they commit; readers
--    sum the slots. A Space's total is the sum of its buckets; a page's
--    first id is found by walking the buckets' running total.
CREATE TABLE account_id_buckets (
    domain varchar(64) NOT NULL,
    bucket bigint NOT NULL,      -- id >> 12
    slot   smallint NOT NULL,    -- pg_backend_pid() % 16 of the writer
    n      bigint NOT NULL,      -- may be negative in one slot; a bucket's sum is not
    PRIMARY KEY (domain, bucket, slot)
);

INSERT INTO account_id_buckets (domain, bucket, slot, n)
SELECT domain, id >> 12, 0, count(*) FROM accounts GROUP BY 1, 2;

DROP TRIGGER accounts_count_insert ON accounts;
DROP TRIGGER accounts_count_delete ON accounts;
DROP TRIGGER accounts_count_move ON accounts;
DROP FUNCTION accounts_count_inserted();
DROP FUNCTION accounts_count_deleted();
DROP FUNCTION accounts_count_moved();
DROP FUNCTION accounts_count_apply(text, bigint);
-- The spaces row stays, as what capped creations lock (below).
ALTER TABLE spaces DROP COLUMN account_count;

-- Inserted rows count +1 in their bucket, deleted ones -1. Rows in a
-- stable order, so two statements touching the same buckets lock them in
-- the same order and cannot deadlock.
CREATE FUNCTION accounts_buckets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO account_id_buckets AS b (domain, bucket, slot, n)
        SELECT domain, id >> 12, pg_backend_pid() % 16, count(*) FROM new_rows
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (domain, bucket, slot) DO UPDATE SET n = b.n + excluded.n;
    ELSE
        INSERT INTO account_id_buckets AS b (domain, bucket, slot, n)
        SELECT domain, id >> 12, pg_backend_pid() % 16, -count(*) FROM old_rows
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (domain, bucket, slot) DO UPDATE SET n = b.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

-- A moved account leaves its old Space's bucket and joins the new one's.
CREATE FUNCTION accounts_buckets_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_id_buckets AS b (domain, bucket, slot, n)
    SELECT d.domain, d.id >> 12, pg_backend_pid() % 16, sum(d.delta)
      FROM (SELECT o.domain, o.id, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE n.domain <> o.domain
            UNION ALL
            SELECT n.domain, n.id, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE n.domain <> o.domain) d
     GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (domain, bucket, slot) DO UPDATE SET n = b.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_buckets_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION accounts_buckets_changed();
CREATE TRIGGER accounts_buckets_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION accounts_buckets_changed();
CREATE TRIGGER accounts_buckets_move AFTER UPDATE ON accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION accounts_buckets_moved();

CREATE FUNCTION accounts_space_count(p_domain text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(n), 0)::bigint FROM account_id_buckets WHERE domain = p_domain
$$;

-- The ids of one page: the accounts of a Space in id order, p_limit of
-- them after the first p_offset. Offsets within the first bucket's worth
-- read the index directly; deeper ones start at the bucket holding the
-- p_offset-th account, so at most one bucket's ids are skipped whatever
-- the page.
CREATE FUNCTION accounts_page_ids(p_domain text, p_offset bigint, p_limit integer)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE ROWS 20 AS $$
DECLARE
    v_from_id bigint := 0;
    v_skip bigint := p_offset;
BEGIN
    IF p_offset >= 4096 THEN
        SELECT b.bucket << 12, p_offset - (b.through - b.n) INTO v_from_id, v_skip
          FROM (SELECT bucket, sum(n) AS n, sum(sum(n)) OVER (ORDER BY bucket) AS through
                  FROM account_id_buckets WHERE domain = p_domain GROUP BY bucket) b
         WHERE b.through > p_offset
         ORDER BY b.bucket LIMIT 1;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    -- ORDER BY domain, id: the (domain, id) index's own order, so even a
    -- generic plan walks it rather than the primary key (which, for a
    -- small Space among big ones, would filter the whole table).
    RETURN QUERY SELECT a.id FROM accounts a WHERE a.domain = p_domain AND a.id >= v_from_id
                  ORDER BY a.domain, a.id LIMIT p_limit OFFSET v_skip;
END
$$;

-- 4. Creations and moves lock the Space's row only when it is capped
--    (max_accounts > 0): then they run one after the other and the count
--    they read is exact; an uncapped Space has nothing to hold and its
--    creations run side by side. accounts_create also returns the stored
--    creation time (epoch seconds), the one value of the new Account the
--    caller does not already hold: the module answers without reading the
--    account back. Otherwise as in 0002 and 0003.
DROP FUNCTION accounts_create(text, text, integer, text, integer, text, text, text, text,
                              boolean, boolean, text, text, text, text, json, text, text, text);
CREATE FUNCTION accounts_create(
    p_domain text, p_username text, p_max_accounts integer,
    p_token_hash text, p_token_expiry_minutes integer,
    p_email text, p_display_name text, p_phone text, p_dtmf_protocol text,
    p_activated boolean, p_admin boolean, p_ip_address text, p_user_agent text,
    p_algorithm text, p_password_hash text, p_dictionary json,
    p_provisioning_token text, p_request_ip text, p_request_user_agent text)
RETURNS TABLE (status text, account_id bigint, created_epoch bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_token_id bigint;
    v_id bigint;
BEGIN
    IF p_max_accounts > 0 THEN
        INSERT INTO spaces (domain) VALUES (p_domain) ON CONFLICT (domain) DO NOTHING;
        PERFORM 1 FROM spaces s WHERE s.domain = p_domain FOR UPDATE;
        IF accounts_space_count(p_domain) >= p_max_accounts THEN
            RETURN QUERY SELECT 'full'::text, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    IF p_token_hash IS NOT NULL THEN
        UPDATE account_creation_tokens t SET used = true, updated_at = now()
         WHERE t.token_hash = p_token_hash AND t.domain = p_domain AND NOT t.used
           AND (p_token_expiry_minutes = 0
                OR t.created_at > now() - make_interval(mins => p_token_expiry_minutes))
        RETURNING t.id INTO v_token_id;
        IF v_token_id IS NULL THEN
            RETURN QUERY SELECT 'token'::text, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;

    IF EXISTS (SELECT 1 FROM account_tombstones b
                WHERE b.username = p_username AND b.domain = p_domain) THEN
        v_id := NULL;
    ELSE
        INSERT INTO accounts (username, domain, email, display_name, phone, dtmf_protocol,
                              activated, admin, ip_address, user_agent)
        VALUES (p_username, p_domain, p_email, p_display_name, p_phone, p_dtmf_protocol,
                p_activated, p_admin, p_ip_address, p_user_agent)
        ON CONFLICT (username, domain) DO NOTHING
        RETURNING id INTO v_id;
    END IF;
    IF v_id IS NULL THEN
        -- Give the token back: nobody saw it used (same transaction).
        UPDATE account_creation_tokens SET used = false WHERE id = v_token_id;
        RETURN QUERY SELECT 'username_taken'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF p_password_hash IS NOT NULL THEN
        INSERT INTO passwords (account_id, algorithm, password)
        VALUES (v_id, p_algorithm, p_password_hash);
    END IF;
    IF p_dictionary IS NOT NULL THEN
        INSERT INTO account_dictionary_entries (account_id, key, value)
        SELECT v_id, e.key, e.value FROM json_each_text(p_dictionary) WITH ORDINALITY AS e(key, value, n)
        ORDER BY e.n;
    END IF;
    INSERT INTO provisioning_tokens (account_id, token, ip, user_agent)
    VALUES (v_id, p_provisioning_token, p_request_ip, p_request_user_agent);
    IF v_token_id IS NOT NULL THEN
        UPDATE account_creation_tokens SET account_id = v_id WHERE id = v_token_id;
    END IF;
    RETURN QUERY SELECT 'ok'::text, v_id, extract(epoch FROM a.created_at)::bigint
                   FROM accounts a WHERE a.id = v_id;
END
$$;

CREATE OR REPLACE FUNCTION accounts_update(
    p_id bigint, p_scope_domain text, p_domain text, p_max_accounts integer,
    p_username text, p_email text, p_display_name text, p_phone text, p_dtmf_protocol text,
    p_admin boolean, p_activated boolean, p_blocked boolean, p_user_agent text,
    p_algorithm text, p_password_hash text, p_dictionary json)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_old_username text;
    v_old_domain text;
BEGIN
    SELECT a.username, a.domain INTO v_old_username, v_old_domain FROM accounts a
     WHERE a.id = p_id AND (p_scope_domain IS NULL OR a.domain = p_scope_domain)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;

    IF p_domain <> v_old_domain AND p_max_accounts > 0 THEN
        INSERT INTO spaces (domain) VALUES (p_domain) ON CONFLICT (domain) DO NOTHING;
        PERFORM 1 FROM spaces s WHERE s.domain = p_domain FOR UPDATE;
        IF accounts_space_count(p_domain) >= p_max_accounts THEN
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
