-- Portals (tenants), users, admin membership, tokens and failed logins.
-- Every table carries portal_id; times are 100-nanosecond ticks since the Unix epoch (UTC).

CREATE TABLE portals (
    id          INTEGER PRIMARY KEY,
    owner_id    TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    portal_id                 INTEGER NOT NULL REFERENCES portals(id),
    id                        TEXT    NOT NULL,
    user_name                 TEXT    NOT NULL,
    user_name_key             TEXT    NOT NULL,
    email                     TEXT    NOT NULL,
    email_key                 TEXT    NOT NULL,
    first_name                TEXT    NOT NULL DEFAULT '',
    last_name                 TEXT    NOT NULL DEFAULT '',
    sex                       INTEGER,
    birthday                  INTEGER,
    work_from                 INTEGER,
    terminated_at             INTEGER,
    title                     TEXT    NOT NULL DEFAULT '',
    location                  TEXT    NOT NULL DEFAULT '',
    notes                     TEXT    NOT NULL DEFAULT '',
    status                    INTEGER NOT NULL DEFAULT 1,
    activation_status         INTEGER NOT NULL DEFAULT 0,
    culture_name              TEXT,
    mobile_phone              TEXT,
    mobile_phone_activation   INTEGER NOT NULL DEFAULT 0,
    lead_id                   TEXT,
    sid                       TEXT,
    sso_name_id               TEXT,
    is_visitor                INTEGER NOT NULL DEFAULT 0,
    removed                   INTEGER NOT NULL DEFAULT 0,
    password_hash             TEXT    NOT NULL,
    created_at                INTEGER NOT NULL,
    last_modified             INTEGER NOT NULL,
    PRIMARY KEY (portal_id, id)
);
CREATE UNIQUE INDEX users_user_name ON users(portal_id, user_name_key) WHERE removed = 0;
CREATE UNIQUE INDEX users_email ON users(portal_id, email_key) WHERE removed = 0;

CREATE TABLE user_contacts (
    portal_id  INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    PRIMARY KEY (portal_id, user_id, position),
    FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id) ON DELETE CASCADE
);

CREATE TABLE admins (
    portal_id  INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    PRIMARY KEY (portal_id, user_id),
    FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id) ON DELETE CASCADE
);

CREATE TABLE tokens (
    token_hash  TEXT    NOT NULL PRIMARY KEY,
    portal_id   INTEGER NOT NULL,
    user_id     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id) ON DELETE CASCADE
);
CREATE INDEX tokens_user ON tokens(portal_id, user_id);

CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    portal_id  INTEGER NOT NULL,
    scope      TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX login_failures_scope ON login_failures(portal_id, scope, at);
