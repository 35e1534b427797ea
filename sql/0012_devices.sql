-- Devices from Kamailio's registrar (spec/api-lifecycle.md section 8.2).
-- The table is Kamailio's (its usrloc schema, "location" by default) and is
-- named per Space by AccountsRegistrarTable, so the statements cannot be
-- prepared against it: these two functions take its name, resolve it with
-- to_regclass (a missing table is an error, which the module answers 503)
-- and quote it through regclass's own output. They run with the caller's
-- rights: the module's role needs SELECT and DELETE on the table.
--
-- Kamailio writes timestamps without a time zone in its local time; they
-- are read as UTC (run Kamailio with TZ=UTC, as the docs say).

-- An account's devices: one per instance uuid (the +sip.instance value
-- without its surrounding quotes and angle brackets), from its newest
-- unexpired registration, newest first.
CREATE FUNCTION account_devices(registrar_table text, account_username text, account_domain text)
RETURNS TABLE (uuid text, updated_at timestamp, user_agent text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    registrar regclass := to_regclass(registrar_table);
BEGIN
    IF registrar IS NULL THEN
        RAISE EXCEPTION 'registrar table % does not exist', registrar_table
            USING ERRCODE = 'undefined_table';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT d.uuid, d.last_modified, d.user_agent FROM ('
        '  SELECT DISTINCT ON (r.uuid) r.uuid, r.last_modified, r.user_agent FROM ('
        '    SELECT btrim(l.instance, ''"<>'')::text AS uuid, l.last_modified::timestamp AS last_modified,'
        '           coalesce(l.user_agent, '''')::text AS user_agent'
        '      FROM %s l'
        '     WHERE l.username = $1 AND lower(l.domain) = lower($2)'
        '       AND l.expires > (now() AT TIME ZONE ''UTC'')'
        '       AND l.instance IS NOT NULL AND l.instance <> '''') r'
        '   WHERE r.uuid <> '''''
        '   ORDER BY r.uuid, r.last_modified DESC) d'
        ' ORDER BY d.last_modified DESC, d.uuid', registrar)
        USING account_username, account_domain;
END
$$;

-- Deletes every registration of an account's device (expired ones too);
-- answers how many rows went.
CREATE FUNCTION account_device_delete(registrar_table text, account_username text,
                                      account_domain text, device_uuid text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    registrar regclass := to_regclass(registrar_table);
    deleted bigint;
BEGIN
    IF registrar IS NULL THEN
        RAISE EXCEPTION 'registrar table % does not exist', registrar_table
            USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format(
        'WITH gone AS (DELETE FROM %s l'
        '  WHERE l.username = $1 AND lower(l.domain) = lower($2)'
        '    AND btrim(l.instance, ''"<>'') = $3 RETURNING 1)'
        ' SELECT count(*) FROM gone', registrar)
        INTO deleted USING account_username, account_domain, device_uuid;
    RETURN deleted;
END
$$;
