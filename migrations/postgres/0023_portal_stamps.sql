-- SQLite's migration 0023 adds the portal stamps, by which a server on a SQLite file keeps what
-- a token resolves to, users, contact statuses and custom field definitions between requests.
-- On PostgreSQL reading a stamp would be a round trip as long as the reads it saves, so nothing
-- is kept; this migration keeps the two backends' versions in step.
SELECT 1;
