-- Background tasks (a leaving user's data handed over or removed; later contact import and
-- export): one row a task, so a task outlives the process that runs it. A task runs as numbered
-- steps; each step's changes and the step counter commit in one transaction, so after a crash
-- the task resumes at the first step not committed, and no step is applied twice. A runner
-- claims a task with a lease (claimed_by, lease_until); a step commits only while its runner
-- still holds the claim, so two server processes never apply the same step.
-- status: 0 queued, 1 started, 2 done, 3 failed (the original's ProgressStatus).
CREATE TABLE background_tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id    INTEGER NOT NULL REFERENCES portals(id),
    kind         TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    params       TEXT    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    step         INTEGER NOT NULL DEFAULT 0,
    steps        INTEGER NOT NULL,
    error        TEXT,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    claimed_by   TEXT,
    lease_until  INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0
);
-- At most one unfinished task of a kind for one subject (a user's data is handed over once).
CREATE UNIQUE INDEX background_tasks_unfinished ON background_tasks(portal_id, kind, subject) WHERE status < 2;
CREATE INDEX background_tasks_subject ON background_tasks(portal_id, kind, subject, id);
CREATE INDEX background_tasks_due ON background_tasks(status, lease_until);
