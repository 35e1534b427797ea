-- The SIP side (issue 14): what a SIP server (Kamailio's auth_db, Flexisip,
-- a registrar of one's own) reads of the accounts. A stable interface:
-- these views and their columns are never renamed or changed in meaning;
-- a new shape gets a new view. docs/sip-integration.md shows them in use.

-- 1. Every served Space's digest realm, in the database. The module writes
--    one row per Space of its configuration (AccountsRealm, or the domain)
--    when each httpd child starts, so the rows follow httpd.conf with no
--    hand copy. A row of a Space no longer served stays (it may still hold
--    accounts) with the realm it had.
ALTER TABLE spaces ADD COLUMN realm varchar(64);
ALTER TABLE spaces ADD COLUMN updated_at timestamptz(0);

-- 2. The realm of each account: its Space's, or its domain when no Space
--    row says (an account of a domain no module ever served). Two branches,
--    so that a lookup by (username, domain) or by (username, realm) is an
--    index probe either way: a realm names its Space rows (spaces_realm;
--    usually one: Spaces that share a realm share the (username, realm)
--    key, see docs/sip-integration.md), whose domain then leads to
--    accounts_username_domain.
CREATE INDEX spaces_realm ON spaces (realm) WHERE realm IS NOT NULL;

CREATE VIEW sip_account_realms AS
SELECT a.id AS account_id, a.username, a.domain, s.realm
  FROM accounts a JOIN spaces s ON s.domain = a.domain
 WHERE a.activated AND NOT a.blocked AND s.realm IS NOT NULL
UNION ALL
SELECT a.id, a.username, a.domain, a.domain
  FROM accounts a
 WHERE a.activated AND NOT a.blocked
   AND NOT EXISTS (SELECT 1 FROM spaces s WHERE s.domain = a.domain AND s.realm IS NOT NULL);

-- 3. One row per stored password of every account a SIP server may
--    authenticate: activated (api.md: what the SIP server consumes) and not
--    blocked. ha1 = H(username:realm:password), hex, as the module stores
--    it. A legacy clear-text password (CLRTXT, from older tools sharing the
--    database) appears with its HA1 computed for each algorithm the account
--    has no hash of its own for.
CREATE VIEW sip_credentials (username, domain, realm, algorithm, ha1) AS
SELECT r.username, r.domain, r.realm, p.algorithm, p.password
  FROM sip_account_realms r JOIN passwords p ON p.account_id = r.account_id
 WHERE p.algorithm IN ('MD5', 'SHA-256')
UNION ALL
SELECT r.username, r.domain, r.realm, alg.algorithm,
       CASE alg.algorithm
           WHEN 'MD5' THEN md5(r.username || ':' || r.realm || ':' || p.password)
           ELSE encode(sha256(convert_to(r.username || ':' || r.realm || ':' || p.password, 'UTF8')), 'hex')
       END
  FROM sip_account_realms r
  JOIN passwords p ON p.account_id = r.account_id AND p.algorithm = 'CLRTXT'
 CROSS JOIN (VALUES ('MD5'::varchar), ('SHA-256'::varchar)) AS alg (algorithm)
 WHERE NOT EXISTS (SELECT 1 FROM passwords q WHERE q.account_id = r.account_id
                                             AND q.algorithm = alg.algorithm);

-- 4. One algorithm each: the shape Kamailio's auth_db reads with
--    calculate_ha1 0 (user_column username, domain_column domain or realm,
--    password_column ha1).
CREATE VIEW sip_credentials_md5 (username, domain, realm, ha1) AS
SELECT username, domain, realm, ha1 FROM sip_credentials WHERE algorithm = 'MD5';
CREATE VIEW sip_credentials_sha256 (username, domain, realm, ha1) AS
SELECT username, domain, realm, ha1 FROM sip_credentials WHERE algorithm = 'SHA-256';
