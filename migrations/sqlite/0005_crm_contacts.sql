-- CRM contacts (persons and companies), their managers, details, tags, custom field values,
-- the portal's contact statuses and types, and links to projects. Deleting a contact or a
-- project deletes what hangs on it (ON DELETE CASCADE), in the same transaction.

CREATE TABLE crm_list_items (
    id          INTEGER PRIMARY KEY,
    portal_id   INTEGER NOT NULL REFERENCES portals(id),
    list_type   INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT,
    color       TEXT,
    sort_order  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX crm_list_items_portal ON crm_list_items(portal_id, list_type, sort_order);

CREATE TABLE crm_contacts (
    id               INTEGER PRIMARY KEY,
    portal_id        INTEGER NOT NULL REFERENCES portals(id),
    is_company       INTEGER NOT NULL,
    first_name       TEXT    NOT NULL DEFAULT '',
    last_name        TEXT    NOT NULL DEFAULT '',
    company_name     TEXT    NOT NULL DEFAULT '',
    display_name     TEXT    NOT NULL,
    search_name      TEXT    NOT NULL,
    title            TEXT,
    about            TEXT,
    industry         TEXT,
    company_id       INTEGER NOT NULL DEFAULT 0,
    status_id        INTEGER NOT NULL DEFAULT 0,
    contact_type_id  INTEGER NOT NULL DEFAULT 0,
    share_type       INTEGER NOT NULL DEFAULT 0,
    currency         TEXT,
    created_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    modified_by      TEXT    NOT NULL,
    modified_at      INTEGER NOT NULL
);
CREATE INDEX crm_contacts_portal_name ON crm_contacts(portal_id, search_name);
CREATE INDEX crm_contacts_portal_created ON crm_contacts(portal_id, created_at);
CREATE INDEX crm_contacts_company ON crm_contacts(portal_id, company_id);

CREATE TABLE crm_contact_managers (
    portal_id   INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    PRIMARY KEY (portal_id, contact_id, user_id)
);
CREATE INDEX crm_contact_managers_user ON crm_contact_managers(portal_id, user_id, contact_id);

CREATE TABLE crm_contact_info (
    id          INTEGER PRIMARY KEY,
    portal_id   INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    info_type   INTEGER NOT NULL,
    category    INTEGER NOT NULL,
    data        TEXT    NOT NULL,
    is_primary  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX crm_contact_info_contact ON crm_contact_info(portal_id, contact_id);

CREATE TABLE crm_tags (
    id         INTEGER PRIMARY KEY,
    portal_id  INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    title_key  TEXT    NOT NULL
);
CREATE UNIQUE INDEX crm_tags_title ON crm_tags(portal_id, title_key);

CREATE TABLE crm_contact_tags (
    portal_id   INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES crm_tags(id) ON DELETE CASCADE,
    PRIMARY KEY (portal_id, contact_id, tag_id)
);

CREATE TABLE crm_project_links (
    portal_id   INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    PRIMARY KEY (portal_id, contact_id, project_id)
);
CREATE INDEX crm_project_links_project ON crm_project_links(portal_id, project_id);
