-- Team rows keep their member's restrictions (ProjectTeamSecurity flags: a set bit hides that
-- part of a private project) and stay, marked removed, when he leaves (`teamExcluded`); who
-- follows which project; project tags get ids (the `tag` of `project/filter`).

ALTER TABLE project_members ADD COLUMN security INTEGER NOT NULL DEFAULT 0;
ALTER TABLE project_members ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;

CREATE TABLE project_follows (
    portal_id   INTEGER NOT NULL,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    PRIMARY KEY (portal_id, project_id, user_id)
);
CREATE INDEX project_follows_user ON project_follows(portal_id, user_id);
CREATE INDEX project_follows_project ON project_follows(project_id);

CREATE TABLE project_tag_names (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id   INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    UNIQUE (portal_id, title)
);
INSERT INTO project_tag_names (portal_id, title) SELECT DISTINCT portal_id, tag FROM project_tags ORDER BY portal_id, tag;
