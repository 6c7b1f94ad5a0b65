-- Substring search over contacts' names and details ("anna" finds "Joanna" and
-- "anna@example.com") without scanning every contact: a trigram full-text index, one row per
-- contact (rowid = contact id), kept current by triggers so every write path, bulk inserts and
-- cascading deletes included, updates it in the same transaction.

CREATE VIRTUAL TABLE crm_contact_search USING fts5(name, details, tokenize = 'trigram');

INSERT INTO crm_contact_search (rowid, name, details)
SELECT c.id, c.search_name,
       COALESCE((SELECT group_concat(lower(i.data), ' ') FROM crm_contact_info i WHERE i.contact_id = c.id), '')
FROM crm_contacts c;

CREATE TRIGGER crm_contact_search_insert AFTER INSERT ON crm_contacts BEGIN
    INSERT INTO crm_contact_search (rowid, name, details) VALUES (new.id, new.search_name, '');
END;

CREATE TRIGGER crm_contact_search_rename AFTER UPDATE OF search_name ON crm_contacts BEGIN
    UPDATE crm_contact_search SET name = new.search_name WHERE rowid = new.id;
END;

CREATE TRIGGER crm_contact_search_delete AFTER DELETE ON crm_contacts BEGIN
    DELETE FROM crm_contact_search WHERE rowid = old.id;
END;

CREATE TRIGGER crm_contact_search_info_insert AFTER INSERT ON crm_contact_info BEGIN
    UPDATE crm_contact_search
    SET details = (SELECT group_concat(lower(data), ' ') FROM crm_contact_info WHERE contact_id = new.contact_id)
    WHERE rowid = new.contact_id;
END;

CREATE TRIGGER crm_contact_search_info_update AFTER UPDATE OF data, contact_id ON crm_contact_info BEGIN
    UPDATE crm_contact_search
    SET details = COALESCE((SELECT group_concat(lower(data), ' ') FROM crm_contact_info WHERE contact_id = old.contact_id), '')
    WHERE rowid = old.contact_id;
    UPDATE crm_contact_search
    SET details = (SELECT group_concat(lower(data), ' ') FROM crm_contact_info WHERE contact_id = new.contact_id)
    WHERE rowid = new.contact_id AND new.contact_id <> old.contact_id;
END;

-- A contact's details deleted with it need no rewrite of its row, which goes too.
CREATE TRIGGER crm_contact_search_info_delete AFTER DELETE ON crm_contact_info
WHEN EXISTS (SELECT 1 FROM crm_contacts WHERE id = old.contact_id) BEGIN
    UPDATE crm_contact_search
    SET details = COALESCE((SELECT group_concat(lower(data), ' ') FROM crm_contact_info WHERE contact_id = old.contact_id), '')
    WHERE rowid = old.contact_id;
END;
