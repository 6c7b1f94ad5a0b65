-- PostgreSQL's migration 0025 has every table notify the server processes of a change, which
-- stamps what they keep between requests there. A SQLite file's stamps and snapshots need no
-- notices; this migration keeps the two backends' versions in step.
SELECT 1;
