-- Custom field definitions of CRM contacts (entity type 0 contact, 4 company, 5 person) and
-- their values; a contact's values go with it.

CREATE TABLE crm_custom_fields (
    id           INTEGER PRIMARY KEY,
    portal_id    INTEGER NOT NULL REFERENCES portals(id),
    entity_type  INTEGER NOT NULL,
    label        TEXT    NOT NULL,
    field_type   INTEGER NOT NULL,
    sort_order   INTEGER NOT NULL,
    mask         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX crm_custom_fields_portal ON crm_custom_fields(portal_id, entity_type, sort_order);

CREATE TABLE crm_custom_field_values (
    portal_id   INTEGER NOT NULL,
    field_id    INTEGER NOT NULL REFERENCES crm_custom_fields(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    value       TEXT    NOT NULL,
    PRIMARY KEY (portal_id, field_id, contact_id)
);
CREATE INDEX crm_custom_field_values_contact ON crm_custom_field_values(portal_id, contact_id);
