-- Ids the API shows are never handed out twice. PostgreSQL already guarantees it: every id
-- column is an identity column, whose sequence never goes back. The SQLite migration of the
-- same number adds AUTOINCREMENT; this one keeps the numbering of both backends the same.
SELECT 1;
