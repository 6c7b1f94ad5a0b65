-- Files of the contact import and export routes: an upload waiting to be imported, or an
-- export being written, in chunks (one per export step, so an export resumes after a crash at
-- its first chunk not written; an upload is one chunk). Kept in the database because server
-- processes keep nothing of their own. `report` is an import's outcome (JSON).
CREATE TABLE crm_transfer_files (
    id          BIGSERIAL PRIMARY KEY,
    portal_id   BIGINT  NOT NULL REFERENCES portals(id),
    name        TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    report      TEXT
);
CREATE UNIQUE INDEX crm_transfer_files_name ON crm_transfer_files(portal_id, name);
CREATE TABLE crm_transfer_chunks (
    file_id     BIGINT  NOT NULL REFERENCES crm_transfer_files(id) ON DELETE CASCADE,
    seq         BIGINT  NOT NULL,
    -- An export chunk's last contact id: the next step pages on from it.
    last_id     BIGINT  NOT NULL DEFAULT 0,
    data        BYTEA   NOT NULL,
    PRIMARY KEY (file_id, seq)
);
