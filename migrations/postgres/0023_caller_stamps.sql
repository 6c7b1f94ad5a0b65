-- SQLite's migration 0023 adds the caller stamps, by which a server on a SQLite file keeps the
-- user a token resolves to between requests. On PostgreSQL reading a stamp would be a round trip
-- as long as reading the token itself, so callers are read each time and nothing is kept; this
-- migration keeps the two backends' versions in step.
SELECT 1;
