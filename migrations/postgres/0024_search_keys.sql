-- SQLite's migration 0024 adds an index that answers a searched contact list's count and order
-- without reading contact rows. PostgreSQL's search finds its rows through trigram indexes of
-- its own; this migration keeps the two backends' versions in step.
SELECT 1;
