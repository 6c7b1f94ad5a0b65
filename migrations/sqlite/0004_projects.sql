-- Projects, their teams and tags.

CREATE TABLE projects (
    id                INTEGER PRIMARY KEY,
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
CREATE INDEX projects_portal_title ON projects(portal_id, title);

CREATE TABLE project_members (
    portal_id   INTEGER NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    PRIMARY KEY (portal_id, project_id, user_id)
);

CREATE TABLE project_tags (
    portal_id   INTEGER NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    tag         TEXT    NOT NULL,
    PRIMARY KEY (portal_id, project_id, tag)
);
