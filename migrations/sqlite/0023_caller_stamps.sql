-- The caller stamp of each portal: a number raised, by the triggers below, in every transaction
-- that changes what a token resolves to (a token, a user, who administers the portal, who owns
-- it), in whatever process the transaction runs. A server keeps the user it read for a token
-- with the stamp read in the same statement, and uses it only while the stamp is unchanged: one
-- row to read instead of the token, its user and his roles. The stamps are derived state: a
-- backup leaves them out, and a restore's deletes raise them, so a stamp never goes back to a
-- value a server may have kept.
CREATE TABLE caller_stamps (
    portal_id INTEGER NOT NULL PRIMARY KEY,
    version   INTEGER NOT NULL
);

CREATE TRIGGER caller_stamps_token_update AFTER UPDATE ON tokens BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO caller_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_token_delete AFTER DELETE ON tokens BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_user_update AFTER UPDATE ON users BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO caller_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_user_delete AFTER DELETE ON users BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_admin_insert AFTER INSERT ON admins BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_admin_update AFTER UPDATE ON admins BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO caller_stamps (portal_id, version) VALUES (new.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_admin_delete AFTER DELETE ON admins BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.portal_id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER caller_stamps_portal_update AFTER UPDATE ON portals BEGIN
    INSERT INTO caller_stamps (portal_id, version) VALUES (old.id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
    INSERT INTO caller_stamps (portal_id, version) VALUES (new.id, 1)
    ON CONFLICT (portal_id) DO UPDATE SET version = version + 1;
END;
