-- Groups (departments) and their members; a group's manager is one user.

CREATE TABLE groups (
    portal_id   INTEGER NOT NULL REFERENCES portals(id),
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    manager_id  TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, id)
);

CREATE TABLE group_members (
    portal_id  INTEGER NOT NULL,
    group_id   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    PRIMARY KEY (portal_id, group_id, user_id),
    FOREIGN KEY (portal_id, group_id) REFERENCES groups(portal_id, id) ON DELETE CASCADE,
    FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_user ON group_members(portal_id, user_id);
