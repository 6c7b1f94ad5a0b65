-- Ids the API shows are never handed out twice. Without AUTOINCREMENT SQLite gives a new row the
-- highest id + 1, so deleting the newest contact and creating one reused its id: a client
-- retrying a delete or an access change hit another record. AUTOINCREMENT keeps the highest id
-- ever used in sqlite_sequence (the copy below starts it at the current maximum, the highest
-- id known), as the original's MySQL AUTO_INCREMENT does.
--
-- SQLite cannot add AUTOINCREMENT to a table, so each table is rebuilt, following sqlite.org's
-- "making other kinds of table schema changes": with foreign keys off (Store::migrate runs
-- SQLite migrations so; with them on, DROP TABLE would cascade into the child tables), in this
-- migration's one transaction, the same rows and ids copied, indexes and triggers recreated,
-- then a foreign key check that fails the migration if any link broke.
--
-- The contact search triggers on inserted and deleted details are not recreated: a per-row
-- trigger rebuilt a contact's whole details text once per inserted detail (quadratic for a
-- batch); the store refreshes each changed contact's entry once per statement instead.

-- Dropped first: renaming a rebuilt table checks every trigger, and these name the tables.
DROP TRIGGER crm_contact_search_insert;
DROP TRIGGER crm_contact_search_rename;
DROP TRIGGER crm_contact_search_delete;
DROP TRIGGER crm_contact_search_info_insert;
DROP TRIGGER crm_contact_search_info_update;
DROP TRIGGER crm_contact_search_info_delete;

-- projects
CREATE TABLE projects_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id         INTEGER NOT NULL REFERENCES portals(id),
    title             TEXT    NOT NULL,
    description       TEXT,
    status            INTEGER NOT NULL DEFAULT 0,
    status_changed    INTEGER NOT NULL,
    responsible_id    TEXT    NOT NULL,
    is_private        INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    created_by        TEXT    NOT NULL,
    last_modified     INTEGER NOT NULL,
    last_modified_by  TEXT    NOT NULL
);
INSERT INTO projects_new SELECT * FROM projects;
DROP TABLE projects;
ALTER TABLE projects_new RENAME TO projects;
CREATE INDEX projects_portal_title ON projects(portal_id, title);

-- crm_list_items
CREATE TABLE crm_list_items_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id   INTEGER NOT NULL REFERENCES portals(id),
    list_type   INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT,
    color       TEXT,
    sort_order  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO crm_list_items_new SELECT * FROM crm_list_items;
DROP TABLE crm_list_items;
ALTER TABLE crm_list_items_new RENAME TO crm_list_items;
CREATE INDEX crm_list_items_portal ON crm_list_items(portal_id, list_type, sort_order);

-- crm_contacts
CREATE TABLE crm_contacts_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO crm_contacts_new SELECT * FROM crm_contacts;
DROP TABLE crm_contacts;
ALTER TABLE crm_contacts_new RENAME TO crm_contacts;
CREATE INDEX crm_contacts_company ON crm_contacts(portal_id, company_id);
CREATE INDEX crm_contacts_portal_created ON crm_contacts(portal_id, created_at);
CREATE INDEX crm_contacts_portal_name ON crm_contacts(portal_id, search_name);
CREATE INDEX crm_contacts_status ON crm_contacts(portal_id, status_id);
CREATE INDEX crm_contacts_type ON crm_contacts(portal_id, contact_type_id);

-- crm_contact_info
CREATE TABLE crm_contact_info_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id   INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    info_type   INTEGER NOT NULL,
    category    INTEGER NOT NULL,
    data        TEXT    NOT NULL,
    is_primary  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO crm_contact_info_new SELECT * FROM crm_contact_info;
DROP TABLE crm_contact_info;
ALTER TABLE crm_contact_info_new RENAME TO crm_contact_info;
CREATE INDEX crm_contact_info_contact ON crm_contact_info(portal_id, contact_id);
CREATE INDEX crm_contact_info_contact_only ON crm_contact_info(contact_id);

-- crm_tags
CREATE TABLE crm_tags_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id  INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    title_key  TEXT    NOT NULL
);
INSERT INTO crm_tags_new SELECT * FROM crm_tags;
DROP TABLE crm_tags;
ALTER TABLE crm_tags_new RENAME TO crm_tags;
CREATE UNIQUE INDEX crm_tags_title ON crm_tags(portal_id, title_key);

-- crm_custom_fields
CREATE TABLE crm_custom_fields_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id    INTEGER NOT NULL REFERENCES portals(id),
    entity_type  INTEGER NOT NULL,
    label        TEXT    NOT NULL,
    field_type   INTEGER NOT NULL,
    sort_order   INTEGER NOT NULL,
    mask         TEXT    NOT NULL DEFAULT ''
);
INSERT INTO crm_custom_fields_new SELECT * FROM crm_custom_fields;
DROP TABLE crm_custom_fields;
ALTER TABLE crm_custom_fields_new RENAME TO crm_custom_fields;
CREATE INDEX crm_custom_fields_portal ON crm_custom_fields(portal_id, entity_type, sort_order);

CREATE TRIGGER crm_contact_search_insert AFTER INSERT ON crm_contacts BEGIN
    INSERT INTO crm_contact_search (rowid, name, details) VALUES (new.id, new.search_name, '');
END;

CREATE TRIGGER crm_contact_search_rename AFTER UPDATE OF search_name ON crm_contacts BEGIN
    UPDATE crm_contact_search SET name = new.search_name WHERE rowid = new.id;
END;

CREATE TRIGGER crm_contact_search_delete AFTER DELETE ON crm_contacts BEGIN
    DELETE FROM crm_contact_search WHERE rowid = old.id;
END;

CREATE TRIGGER crm_contact_search_info_update AFTER UPDATE OF data, contact_id ON crm_contact_info BEGIN
    UPDATE crm_contact_search
    SET details = COALESCE((SELECT group_concat(lower(data), ' ') FROM crm_contact_info WHERE contact_id = old.contact_id), '')
    WHERE rowid = old.contact_id;
    UPDATE crm_contact_search
    SET details = (SELECT group_concat(lower(data), ' ') FROM crm_contact_info WHERE contact_id = new.contact_id)
    WHERE rowid = new.contact_id AND new.contact_id <> old.contact_id;
END;

-- A row here means a broken link; the CHECK then fails the migration before the commit.
CREATE TEMP TABLE migration_0009_check (broken_links INTEGER NOT NULL CHECK (broken_links = 0));
INSERT INTO migration_0009_check SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE migration_0009_check;

