-- Substring search over contacts' names and details ("anna" finds "Joanna" and
-- "anna@example.com") without scanning every contact: trigram indexes over the lower-cased
-- name and over name and details together. `search_details` holds a contact's details, kept
-- current by a statement-level trigger so bulk inserts cost one update per statement.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE crm_contacts ADD COLUMN search_details TEXT NOT NULL DEFAULT '';

UPDATE crm_contacts c
SET search_details = d.details
FROM (SELECT contact_id, string_agg(lower(data), ' ' ORDER BY id) AS details FROM crm_contact_info GROUP BY contact_id) d
WHERE d.contact_id = c.id;

CREATE FUNCTION crm_contact_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE crm_contacts c
    SET search_details = COALESCE(
        (SELECT string_agg(lower(i.data), ' ' ORDER BY i.id) FROM crm_contact_info i WHERE i.contact_id = c.id), '')
    WHERE c.id IN (SELECT contact_id FROM changed);
    RETURN NULL;
END;
$$;

CREATE TRIGGER crm_contact_search_insert AFTER INSERT ON crm_contact_info
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_search_refresh();
CREATE TRIGGER crm_contact_search_update_new AFTER UPDATE ON crm_contact_info
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_search_refresh();
CREATE TRIGGER crm_contact_search_update_old AFTER UPDATE ON crm_contact_info
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_search_refresh();
CREATE TRIGGER crm_contact_search_delete AFTER DELETE ON crm_contact_info
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION crm_contact_search_refresh();

CREATE INDEX crm_contacts_search_name ON crm_contacts USING gin (search_name gin_trgm_ops);
CREATE INDEX crm_contacts_search_all ON crm_contacts USING gin ((search_name || ' ' || search_details) gin_trgm_ops);
