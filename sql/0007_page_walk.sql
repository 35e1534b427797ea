-- Pages and totals in a few index probes (issue 8). Every listing request
-- needs its Space's total, and a deep page its first id, from the id
-- buckets of 0006; reading one row per 4096 ids of the Space for each (a
-- sorted running total over 246 rows for a million accounts, plus a sum)
-- cost more than the page itself.

-- 1. Bucket counts as integer: sum() over bigint is numeric, which cost
--    more than the rows it summed; sum() over integer is bigint. A slot's
--    count stays far inside the range (a bucket holds 4096 ids).
ALTER TABLE account_id_buckets ALTER COLUMN n TYPE integer;

-- 2. Folded buckets with their running total. Concurrent writers add to up
--    to 16 slot rows per bucket (one per backend pid modulo 16). Once the
--    id sequence has moved past a bucket, only deletions and moves still
--    write to it: its slot rows are then merged into one row, slot -1, that
--    writers never use. A folded row also carries `through`: the count of
--    the Space's folded rows up to and including its bucket. So a Space's
--    total is its last `through` plus its unfolded rows (slot >= 0: the
--    newest buckets and recent deletions), and the bucket holding the
--    p-th account is, when no unfolded row comes before it, the first
--    folded row whose `through` exceeds p: one index probe.
ALTER TABLE account_id_buckets ADD COLUMN through bigint;
CREATE INDEX account_id_buckets_unfolded ON account_id_buckets (domain, bucket) WHERE slot >= 0;
CREATE INDEX account_id_buckets_folded ON account_id_buckets (domain, bucket) WHERE slot = -1;
CREATE INDEX account_id_buckets_through ON account_id_buckets (domain, through, bucket) WHERE slot = -1;

-- Folds the Space's slot rows of buckets below p_below. Rows another
-- transaction holds are skipped (folded next time), so a fold never waits
-- on a writer. Folds of one Space run one at a time (an advisory lock to
-- the end of the transaction): each rewrites the running totals from the
-- first bucket it changed, on what the previous fold committed. Counts do
-- not change: rows go and their sum comes, in one transaction.
CREATE FUNCTION accounts_buckets_fold(p_domain text, p_below bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_from bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('account_id_buckets'), hashtext(p_domain));
    WITH gone AS (
        DELETE FROM account_id_buckets b
         WHERE (b.domain, b.bucket, b.slot) IN (
               SELECT f.domain, f.bucket, f.slot FROM account_id_buckets f
                WHERE f.domain = p_domain AND f.bucket < p_below AND f.slot >= 0
                FOR UPDATE SKIP LOCKED)
        RETURNING b.bucket, b.n),
    folded AS (
        INSERT INTO account_id_buckets AS b (domain, bucket, slot, n)
        SELECT p_domain, bucket, -1, sum(n) FROM gone GROUP BY bucket ORDER BY bucket
        ON CONFLICT (domain, bucket, slot) DO UPDATE SET n = b.n + excluded.n
        RETURNING b.bucket)
    SELECT min(bucket) INTO v_from FROM folded;
    IF v_from IS NULL THEN
        RETURN;
    END IF;
    UPDATE account_id_buckets b SET through = r.through
      FROM (SELECT f.bucket,
                   coalesce((SELECT p.through FROM account_id_buckets p
                              WHERE p.domain = p_domain AND p.slot = -1 AND p.bucket < v_from
                              ORDER BY p.bucket DESC LIMIT 1), 0)
                   + sum(f.n) OVER (ORDER BY f.bucket) AS through
              FROM account_id_buckets f
             WHERE f.domain = p_domain AND f.slot = -1 AND f.bucket >= v_from) r
     WHERE b.domain = p_domain AND b.slot = -1 AND b.bucket = r.bucket
       AND b.through IS DISTINCT FROM r.through;
END
$$;

-- As in 0006, plus the fold: every statement inserting a multiple of 256
-- ids (one creation in 256) folds its Space's buckets older than the
-- previous one.
CREATE OR REPLACE FUNCTION accounts_buckets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO account_id_buckets AS b (domain, bucket, slot, n)
        SELECT domain, id >> 12, pg_backend_pid() % 16, count(*) FROM new_rows
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (domain, bucket, slot) DO UPDATE SET n = b.n + excluded.n;
        PERFORM accounts_buckets_fold(f.domain, f.bucket - 1)
           FROM (SELECT domain, max(id >> 12) AS bucket FROM new_rows
                  WHERE id % 256 = 0 GROUP BY domain ORDER BY domain) f;
    ELSE
        INSERT INTO account_id_buckets AS b (domain, bucket, slot, n)
        SELECT domain, id >> 12, pg_backend_pid() % 16, -count(*) FROM old_rows
         GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (domain, bucket, slot) DO UPDATE SET n = b.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

-- Buckets already cold when this migration runs are folded now.
DO $$
BEGIN
    PERFORM accounts_buckets_fold(d.domain, d.bucket - 1)
       FROM (SELECT domain, max(bucket) AS bucket FROM account_id_buckets
              GROUP BY domain ORDER BY domain) d;
END
$$;

-- 3. A Space's count: its last running total plus its unfolded rows.
--    PL/pgSQL, whose plans are cached per session (an SQL function with
--    subqueries is not inlined: it was parsed and planned on every call).
CREATE OR REPLACE FUNCTION accounts_space_count(p_domain text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT f.through FROM account_id_buckets f
                      WHERE f.domain = p_domain AND f.slot = -1
                      ORDER BY f.bucket DESC LIMIT 1), 0)
         + coalesce((SELECT sum(u.n) FROM account_id_buckets u
                      WHERE u.domain = p_domain AND u.slot >= 0), 0);
END
$$;

-- 4. A page's ids, given the Space's total (the caller's, from the same
--    snapshot). The first and the last 4096 accounts are read from the
--    (domain, id) index directly, backwards from the newest for the last.
--    Any other page starts at the bucket holding its first account:
--    * usually the first folded row, before the first unfolded one, whose
--      running total exceeds p_offset: one probe of
--      account_id_buckets_through. Before the first unfolded row, every
--      bucket is folded whole, so the running totals there are exact
--      counts and never decrease;
--    * otherwise (the page lies past the first unfolded row: among the
--      newest buckets, or after a deletion not folded yet), a running total
--      over the rows after the last folded row before the first unfolded
--      one.
--    Only the entries before the page inside that bucket are skipped.
--    ORDER BY domain, id: the (domain, id) index's own order, so even a
--    generic plan walks it rather than the primary key (which, for a small
--    Space among big ones, would filter the whole table). Same results as
--    0006's version (t/api/pages_deep.t compares pages with OFFSET).
DROP FUNCTION accounts_page_ids(text, bigint, integer);
CREATE FUNCTION accounts_page_ids(p_domain text, p_offset bigint, p_limit integer,
                                  p_total bigint)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE ROWS 20 AS $$
DECLARE
    v_from_end bigint;
    v_bucket bigint;
    v_before bigint;
    v_unfolded bigint;
BEGIN
    IF p_offset < 4096 THEN
        RETURN QUERY SELECT a.id FROM accounts a WHERE a.domain = p_domain
                      ORDER BY a.domain, a.id LIMIT p_limit OFFSET p_offset;
        RETURN;
    END IF;
    IF p_offset >= p_total THEN
        RETURN;
    END IF;
    IF p_total - p_offset <= 4096 THEN
        v_from_end := greatest(p_total - p_offset - p_limit, 0);
        RETURN QUERY SELECT a.id FROM accounts a WHERE a.domain = p_domain
                      ORDER BY a.domain DESC, a.id DESC
                      LIMIT p_total - p_offset - v_from_end OFFSET v_from_end;
        RETURN;
    END IF;
    SELECT u.first, c.bucket, c.through - c.n INTO v_unfolded, v_bucket, v_before
      FROM (SELECT min(b.bucket) AS first FROM account_id_buckets b
             WHERE b.domain = p_domain AND b.slot >= 0) u
      LEFT JOIN LATERAL (SELECT f.bucket, f.through, f.n FROM account_id_buckets f
                          WHERE f.domain = p_domain AND f.slot = -1 AND f.through > p_offset
                            AND (u.first IS NULL OR f.bucket < u.first)
                          ORDER BY f.through, f.bucket LIMIT 1) c ON true;
    IF v_bucket IS NULL THEN
        IF v_unfolded IS NULL THEN
            RETURN;
        END IF;
        SELECT c.bucket, c.through - c.n INTO v_bucket, v_before
          FROM (SELECT b.bucket, s.through + sum(b.n) OVER (ORDER BY b.bucket) AS through,
                       sum(b.n) OVER (PARTITION BY b.bucket) AS n
                  FROM (SELECT coalesce(max(f.bucket), -1) AS bucket,
                               coalesce((array_agg(f.through ORDER BY f.bucket DESC))[1], 0) AS through
                          FROM account_id_buckets f
                         WHERE f.domain = p_domain AND f.slot = -1 AND f.bucket < v_unfolded) s
                  JOIN account_id_buckets b ON b.domain = p_domain AND b.bucket > s.bucket) c
         WHERE c.through > p_offset
         ORDER BY c.bucket LIMIT 1;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT a.id FROM accounts a WHERE a.domain = p_domain AND a.id >= v_bucket << 12
                  ORDER BY a.domain, a.id LIMIT p_limit OFFSET p_offset - v_before;
END
$$;

-- 5. Accounts that may have dictionary entries or change codes. Few have
--    any, yet reading those three tables for every page cost a third of the
--    page statement (PostgreSQL sets up every plan node on every
--    execution, even for tables with no row). The listing now reads them in
--    a second statement, only for the accounts flagged here. The flag is set
--    by any insert into the three tables and never cleared: it may say
--    "maybe" of an account that has none left, never "no" of one that has.
ALTER TABLE accounts ADD COLUMN has_extras boolean NOT NULL DEFAULT false;
UPDATE accounts SET has_extras = true
 WHERE id IN (SELECT account_id FROM account_dictionary_entries
              UNION SELECT account_id FROM email_change_codes
              UNION SELECT account_id FROM phone_change_codes);

CREATE FUNCTION accounts_extras_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET has_extras = true
     WHERE id IN (SELECT account_id FROM new_rows) AND NOT has_extras;
    RETURN NULL;
END
$$;
CREATE TRIGGER account_dictionary_entries_extras AFTER INSERT ON account_dictionary_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_extras_added();
CREATE TRIGGER email_change_codes_extras AFTER INSERT ON email_change_codes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_extras_added();
CREATE TRIGGER phone_change_codes_extras AFTER INSERT ON phone_change_codes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_extras_added();
