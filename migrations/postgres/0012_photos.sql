-- Photos of contacts and users, kept in the database on both backends (the original keeps them
-- as files in its data store). An upload writes every size in one transaction, with one format
-- and one version (the upload's time in milliseconds), which the photo URLs carry so that a new
-- upload changes them. A contact's or user's photos go when it goes.
CREATE TABLE crm_contact_photos (
    portal_id   BIGINT NOT NULL,
    contact_id  BIGINT NOT NULL REFERENCES crm_contacts(id) ON DELETE CASCADE,
    size        BIGINT NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    format      TEXT    NOT NULL,
    version     BIGINT NOT NULL,
    data        BYTEA   NOT NULL,
    PRIMARY KEY (contact_id, size)
);

-- Size 0 is the picture itself (at most 1280 pixels a side); the others are squares.
CREATE TABLE user_photos (
    portal_id  BIGINT NOT NULL,
    user_id    TEXT    NOT NULL,
    size       BIGINT NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    format     TEXT    NOT NULL,
    version    BIGINT NOT NULL,
    data       BYTEA   NOT NULL,
    PRIMARY KEY (portal_id, user_id, size),
    FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id) ON DELETE CASCADE
);

-- Every profile shows its photo's URLs: the user row says whether there is one, so lists of
-- users need no further query.
ALTER TABLE users ADD COLUMN photo_format TEXT;
ALTER TABLE users ADD COLUMN photo_version BIGINT;
