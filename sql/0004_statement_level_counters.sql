-- The per-Space account counters of 0001, maintained once per statement
-- instead of once per row: a bulk INSERT of a million accounts now updates
-- each Space's counter row once (with the row triggers it rewrote the same
-- row a million times). Same counts, same lock on the counter row for the
-- rest of the transaction, so max_accounts enforcement is unchanged.
DROP TRIGGER accounts_count_insert_delete ON accounts;
DROP TRIGGER accounts_count_move ON accounts;
DROP FUNCTION accounts_count_change();

-- Adds p_delta to a Space's counter. Accounts leaving a Space were counted,
-- so its row exists: a plain UPDATE (an INSERT of a negative count would
-- trip the CHECK before ON CONFLICT is considered).
CREATE FUNCTION accounts_count_apply(p_domain text, p_delta bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_delta >= 0 THEN
        INSERT INTO spaces (domain, account_count) VALUES (p_domain, p_delta)
        ON CONFLICT (domain) DO UPDATE SET account_count = spaces.account_count + p_delta;
    ELSE
        UPDATE spaces SET account_count = account_count + p_delta WHERE domain = p_domain;
    END IF;
END
$$;

CREATE FUNCTION accounts_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM accounts_count_apply(domain, count(*)) FROM new_rows GROUP BY domain;
    RETURN NULL;
END
$$;

CREATE FUNCTION accounts_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM accounts_count_apply(domain, -count(*)) FROM old_rows GROUP BY domain;
    RETURN NULL;
END
$$;

-- A moved account leaves one Space and joins another.
CREATE FUNCTION accounts_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM accounts_count_apply(d.domain, sum(d.delta)::bigint)
       FROM (SELECT o.domain, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.domain <> o.domain
             UNION ALL
             SELECT n.domain, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.domain <> o.domain) d
      GROUP BY d.domain;
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_count_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION accounts_count_inserted();
CREATE TRIGGER accounts_count_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION accounts_count_deleted();
CREATE TRIGGER accounts_count_move AFTER UPDATE ON accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION accounts_count_moved();
