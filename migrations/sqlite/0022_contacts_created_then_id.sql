-- PostgreSQL's migration 0022 adds the id to the index on (portal_id, created_at), so that a
-- page of contacts ordered by creation time and id reads only its own entries. SQLite's index
-- already ends with the row id; this migration keeps the two backends' versions in step.
SELECT 1;
