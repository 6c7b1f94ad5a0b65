-- Counts of the contacts a user may read per status and per type (the status and type lists)
-- take the share type from the index instead of each contact's row: at 100,000 contacts the
-- three status counts of a user who is no admin went from 77 ms to 18 ms. Admins' counts use
-- the same indexes.
DROP INDEX crm_contacts_status;
DROP INDEX crm_contacts_type;
CREATE INDEX crm_contacts_status ON crm_contacts(portal_id, status_id, share_type);
CREATE INDEX crm_contacts_type ON crm_contacts(portal_id, contact_type_id, share_type);
