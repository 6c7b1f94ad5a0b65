-- Every transaction that writes a table an answer, a caller or a user is read from notifies the
-- channel portald_changes once, delivered when it commits, whichever process wrote: the server
-- processes listening on it keep callers, users, contact settings and answers between requests
-- only until they hear of a change (src/store/changes.rs). Statement triggers, so that a batch
-- of thousands of rows notifies once; NOTIFY folds a transaction's equal notices into one.
-- Left out: the migrations' own table, the contact totals' appended rows (folded every second
-- without changing a sum; the writes they count notify through crm_contacts) and the failed-login
-- records, which no answer shows.
CREATE FUNCTION portald_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portald_changes', '');
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema()
          AND tablename NOT IN ('_sqlx_migrations', 'crm_contact_counts', 'login_failures')
    LOOP
        EXECUTE format(
            'CREATE TRIGGER portald_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION portald_notify_change()', t);
    END LOOP;
END
$$;
