-- SQLite's migration 0024 adds an index that answers a searched contact list's count and order
-- without reading contact rows, and drops its index of every contact's company, which the
-- partial index of members makes unneeded there. PostgreSQL's search finds its rows through
-- trigram indexes of its own, and its planner is left the indexes it has; this migration keeps
-- the two backends' versions in step.
SELECT 1;
