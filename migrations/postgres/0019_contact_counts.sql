-- How many contacts each portal has, by kind (person or company) and share type, so that the
-- total of an unfiltered contact list costs a few rows instead of a walk over every contact of
-- the portal (a count at 100,000 contacts read 100,000 index entries; at 1,000,000, ten times
-- as many).
--
-- Writers never update a shared row: one row per key would make every transaction that writes
-- a contact of the portal wait for the one before to commit, and two transactions that change
-- contacts of several kinds could deadlock on them. Instead each change appends its own row
-- (+1 or -1), which no other transaction touches; the count is the sum of a key's rows, and
-- the server folds the appended rows into one per key every second (`compact_contact_counts`).

CREATE TABLE crm_contact_counts (
    portal_id  BIGINT NOT NULL,
    is_company BIGINT NOT NULL,
    share_type BIGINT NOT NULL,
    n          BIGINT NOT NULL
);
CREATE INDEX crm_contact_counts_portal ON crm_contact_counts(portal_id, is_company, share_type) INCLUDE (n);

INSERT INTO crm_contact_counts (portal_id, is_company, share_type, n)
SELECT portal_id, is_company, share_type, COUNT(*) FROM crm_contacts GROUP BY portal_id, is_company, share_type;

-- Statement triggers: a bulk insert or delete appends one row per key it changed, not one per
-- contact.
CREATE FUNCTION crm_contact_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO crm_contact_counts (portal_id, is_company, share_type, n)
        SELECT portal_id, is_company, share_type, COUNT(*) FROM new_rows GROUP BY portal_id, is_company, share_type;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO crm_contact_counts (portal_id, is_company, share_type, n)
        SELECT portal_id, is_company, share_type, -COUNT(*) FROM old_rows GROUP BY portal_id, is_company, share_type;
    ELSE
        INSERT INTO crm_contact_counts (portal_id, is_company, share_type, n)
        SELECT portal_id, is_company, share_type, SUM(n) FROM (
            SELECT o.portal_id, o.is_company, o.share_type, -1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE (o.portal_id, o.is_company, o.share_type) IS DISTINCT FROM (w.portal_id, w.is_company, w.share_type)
            UNION ALL
            SELECT w.portal_id, w.is_company, w.share_type, 1 FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE (o.portal_id, o.is_company, o.share_type) IS DISTINCT FROM (w.portal_id, w.is_company, w.share_type)
        ) AS moved GROUP BY portal_id, is_company, share_type HAVING SUM(n) <> 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER crm_contact_counts_insert AFTER INSERT ON crm_contacts
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_counts_keep();

CREATE TRIGGER crm_contact_counts_delete AFTER DELETE ON crm_contacts
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_counts_keep();

CREATE TRIGGER crm_contact_counts_update AFTER UPDATE ON crm_contacts
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_counts_keep();
