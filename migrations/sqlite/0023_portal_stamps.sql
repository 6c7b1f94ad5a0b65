-- The stamp of each portal: a number raised, by the triggers below, in every transaction that
-- changes what a server keeps between requests: what a token resolves to (a token, a user, who
-- administers the portal, who owns it) and what every contact shows besides itself (the list
-- items, among them the contact statuses, and the custom field definitions). The triggers fire
-- in whatever process the transaction runs. A server keeps what it read with the stamp read in
-- the same statement, and uses it only while the stamp is unchanged: one row to read instead of
-- the token, the users and their roles, the statuses and the fields. The stamps are derived
-- state: a backup leaves them out, and a restore's deletes raise them, so a stamp never goes
-- back to a value a server may have kept.
CREATE TABLE portal_stamps (
    portal_id INTEGER NOT NULL PRIMARY KEY,
    version   INTEGER NOT NULL
);

CREATE TRIGGER portal_stamps_token_update AFTER UPDATE ON tokens BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_token_delete AFTER DELETE ON tokens BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_user_update AFTER UPDATE ON users BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_user_delete AFTER DELETE ON users BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_admin_insert AFTER INSERT ON admins BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_admin_update AFTER UPDATE ON admins BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_admin_delete AFTER DELETE ON admins BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_portal_update AFTER UPDATE ON portals BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_list_item_insert AFTER INSERT ON crm_list_items BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_list_item_update AFTER UPDATE ON crm_list_items BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_list_item_delete AFTER DELETE ON crm_list_items BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_custom_field_insert AFTER INSERT ON crm_custom_fields BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_custom_field_update AFTER UPDATE ON crm_custom_fields BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO portal_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER portal_stamps_custom_field_delete AFTER DELETE ON crm_custom_fields BEGIN
    INSERT INTO portal_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;
