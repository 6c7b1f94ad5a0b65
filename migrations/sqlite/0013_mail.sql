-- Mail waits in this outbox, written in the transaction of the change that causes it, until a
-- sender has handed it to the SMTP server. A sender claims a row for a while (claimed_by,
-- claimed_until) so that two server processes never send one message at once; sent_at is set
-- right after the SMTP server accepted it. message_id is the message's Message-ID header, the
-- same in every attempt, so a copy sent twice (a crash between the server's acceptance and
-- sent_at) is recognisable. failed_at: given up after a permanent refusal.
CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    portal_id        INTEGER NOT NULL REFERENCES portals(id),
    message_id       TEXT    NOT NULL UNIQUE,
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_by       TEXT,
    claimed_until    INTEGER,
    last_error       TEXT,
    sent_at          INTEGER,
    failed_at        INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- The one-time tokens of invitation, password and email-confirmation links, stored as hashes
-- like API tokens. purpose: invite, password or email; email: the address the mail went to.
CREATE TABLE user_links (
    token_hash  TEXT    NOT NULL PRIMARY KEY,
    portal_id   INTEGER NOT NULL,
    user_id     TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    FOREIGN KEY (portal_id, user_id) REFERENCES users(portal_id, id) ON DELETE CASCADE
);
CREATE INDEX user_links_user ON user_links(portal_id, user_id);
