//! Backups and restores: the rows of every table copied between a database of either backend and
//! a SQLite file with portald's schema (the backup format), the id sequences with them, and the
//! engine's own consistent copy of a live SQLite database.

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::TryStreamExt;
use sqlx::any::{AnyArguments, AnyConnectOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, ConnectOptions, Connection, Executor, Row};

use super::{Backend, Store};

/// Rows one INSERT carries at most; also bounded by bound values and bytes below.
const BATCH_ROWS: usize = 1000;
/// Bound values one statement carries at most (SQLite allows 32,766, PostgreSQL 65,535).
const BATCH_VALUES: usize = 30_000;
/// Bytes of values one statement carries at most, so photos do not pile up in memory.
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// How a column's values are read and bound: SQLite's declared type, which PostgreSQL's
/// BIGINT, TEXT, BYTEA and DOUBLE PRECISION columns match one for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Affinity {
    Int,
    Real,
    Text,
    Blob,
}

impl Affinity {
    fn of(declared: &str) -> Affinity {
        let declared = declared.to_ascii_uppercase();
        if declared.contains("INT") {
            Affinity::Int
        } else if declared.contains("TEXT") || declared.contains("CHAR") || declared.contains("CLOB") {
            Affinity::Text
        } else if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") {
            Affinity::Real
        } else {
            Affinity::Blob
        }
    }
}

/// One column's value, typed so that a NULL binds as its column's type (PostgreSQL insists).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

impl Value {
    fn read(row: &AnyRow, index: usize, affinity: Affinity) -> Result<Value, sqlx::Error> {
        Ok(match affinity {
            Affinity::Int => Value::Int(row.try_get(index)?),
            Affinity::Real => Value::Real(row.try_get(index)?),
            Affinity::Text => Value::Text(row.try_get(index)?),
            Affinity::Blob => Value::Blob(row.try_get(index)?),
        })
    }

    fn bytes(&self) -> usize {
        match self {
            Value::Text(Some(text)) => text.len(),
            Value::Blob(Some(blob)) => blob.len(),
            _ => 8,
        }
    }

    fn bind<'q>(self, query: Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
        match self {
            Value::Int(v) => query.bind(v),
            Value::Real(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Blob(v) => query.bind(v),
        }
    }
}

/// A table that holds data, as a portald SQLite database declares it.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    columns: Vec<(String, Affinity)>,
    /// Its id is `INTEGER PRIMARY KEY AUTOINCREMENT`: SQLite keeps the highest id given in
    /// `sqlite_sequence`.
    autoincrement: bool,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
    }

    /// An INSERT of `rows` rows. SQLite gets anonymous `?` marks: for numbered ones sqlx looks
    /// each name up in a list as long as the statement's marks, quadratic in a batch's values
    /// (2 s for 1,000 contacts).
    fn insert_sql(&self, rows: usize, backend: Backend) -> String {
        let width = self.columns.len();
        let tuples: Vec<String> = (0..rows)
            .map(|row| {
                let marks: Vec<String> = (1..=width)
                    .map(|col| match backend {
                        Backend::Sqlite => "?".to_string(),
                        Backend::Postgres => format!("${}", row * width + col),
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        format!("INSERT INTO \"{}\" ({}) VALUES {}", self.name, self.column_list(), tuples.join(", "))
    }

    /// Copies every row of this table from `from` into `to` (either backend each; `to` on
    /// `to_backend`), many rows a statement; `progress` hears the rows copied so far. Returns
    /// how many.
    pub async fn copy(
        &self,
        from: &mut AnyConnection,
        to: &mut AnyConnection,
        to_backend: Backend,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<u64, sqlx::Error> {
        let rows_per_batch = (BATCH_VALUES / self.columns.len().max(1)).clamp(1, BATCH_ROWS);
        let full_batch = self.insert_sql(rows_per_batch, to_backend);
        let select = format!("SELECT {} FROM \"{}\"", self.column_list(), self.name);
        let mut rows = sqlx::query(&select).fetch(&mut *from);
        let mut batch: Vec<Value> = Vec::new();
        let (mut batch_rows, mut batch_bytes, mut copied) = (0usize, 0usize, 0u64);
        while let Some(row) = rows.try_next().await? {
            for (index, (_, affinity)) in self.columns.iter().enumerate() {
                let value = Value::read(&row, index, *affinity)?;
                batch_bytes += value.bytes();
                batch.push(value);
            }
            batch_rows += 1;
            if batch_rows == rows_per_batch || batch_bytes >= BATCH_BYTES {
                let sql = if batch_rows == rows_per_batch {
                    full_batch.clone()
                } else {
                    self.insert_sql(batch_rows, to_backend)
                };
                insert(&mut *to, &sql, std::mem::take(&mut batch)).await?;
                copied += batch_rows as u64;
                progress(copied);
                (batch_rows, batch_bytes) = (0, 0);
            }
        }
        if batch_rows > 0 {
            insert(&mut *to, &self.insert_sql(batch_rows, to_backend), batch).await?;
            copied += batch_rows as u64;
            progress(copied);
        }
        Ok(copied)
    }
}

async fn insert(to: &mut AnyConnection, sql: &str, values: Vec<Value>) -> Result<(), sqlx::Error> {
    let mut query = sqlx::query(sql);
    for value in values {
        query = value.bind(query);
    }
    query.execute(to).await?;
    Ok(())
}

/// Opens a SQLite file on its own connection: read-only, or read-write without creating it.
pub async fn open_sqlite_file(path: &Path, read_only: bool) -> Result<AnyConnection, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mode = if read_only { "ro" } else { "rw" };
    let options: AnyConnectOptions = format!("sqlite://{}?mode={mode}", path.display()).parse()?;
    let mut conn = AnyConnection::connect_with(&quiet(options)).await?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    Ok(conn)
}

/// Options that log no slow statements: reading a whole table is one long statement by design.
fn quiet(options: AnyConnectOptions) -> AnyConnectOptions {
    options.log_slow_statements(log::LevelFilter::Off, std::time::Duration::ZERO)
}

/// Makes a finished SQLite file self-contained: its journal in the file (no `-wal` beside it).
///
/// Leaving WAL needs the file to itself, and SQLite does not wait for that lock (no busy
/// handler): a connection that wrote the file and is still closing on its worker thread made
/// this fail at once with "database is locked" (once, in CI, in a backup taken from PostgreSQL
/// while clients wrote). So it tries again for as long as the busy timeout would have waited.
pub async fn seal_sqlite_file(path: &Path) -> Result<(), sqlx::Error> {
    let mut conn = open_sqlite_file(path, false).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match conn.execute("PRAGMA journal_mode = DELETE").await {
            Err(sqlx::Error::Database(err))
                if super::sqlite_busy(err.code().as_deref()) && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            done => {
                done?;
                break;
            }
        }
    }
    conn.close().await
}

/// The tables holding data in a portald SQLite database, parents before the tables whose
/// foreign keys point at them (so rows can be inserted in this order with the keys checked).
/// Left out: sqlx's migration records and what triggers derive from other tables (the contact
/// search index, the contact totals, the portal stamps), which the target's own triggers write
/// as rows come in (the stamps only ever rise: one copied in could take a portal's back).
pub async fn sqlite_tables(conn: &mut AnyConnection) -> Result<Vec<Table>, sqlx::Error> {
    let listed = sqlx::query(
        "SELECT t.name AS name, m.sql AS sql FROM pragma_table_list t JOIN sqlite_master m ON m.name = t.name \
         WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite_%' \
         AND t.name NOT IN ('_sqlx_migrations', 'crm_contact_counts', 'portal_stamps') ORDER BY t.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::new();
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in listed {
        let name: String = row.try_get("name")?;
        let sql: String = row.try_get("sql")?;
        let columns = sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|c| Ok((c.try_get::<String, _>("name")?, Affinity::of(&c.try_get::<String, _>("type")?))))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let referenced = sqlx::query("SELECT DISTINCT \"table\" AS parent FROM pragma_foreign_key_list($1)")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|p| p.try_get::<String, _>("parent"))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        parents.insert(name.clone(), referenced.into_iter().filter(|p| *p != name).collect());
        tables.push(Table { autoincrement: sql.to_ascii_uppercase().contains("AUTOINCREMENT"), name, columns });
    }
    // Parents first: each round places the tables whose parents are all placed.
    let mut ordered: Vec<Table> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let placed = |name: &String| ordered.iter().any(|t: &Table| &t.name == name);
        let ready = tables.iter().position(|t| parents[&t.name].iter().all(|p| placed(p) || !parents.contains_key(p)));
        // A cycle of foreign keys (none in portald's schema) falls back to name order.
        ordered.push(tables.remove(ready.unwrap_or(0)));
    }
    Ok(ordered)
}

/// The last migration applied to the database on `conn` (0 when none).
pub async fn schema_version(conn: &mut AnyConnection, backend: Backend) -> Result<i64, sqlx::Error> {
    let exists = match backend {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = '_sqlx_migrations'",
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'"
        }
    };
    if sqlx::query(exists).fetch_one(&mut *conn).await?.try_get::<i64, _>("n")? == 0 {
        return Ok(0);
    }
    sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM _sqlx_migrations WHERE success")
        .fetch_one(conn)
        .await?
        .try_get("v")
}

/// Rows in `table`.
pub async fn count_rows(conn: &mut AnyConnection, table: &str) -> Result<i64, sqlx::Error> {
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM \"{table}\"")).fetch_one(conn).await?.try_get("n")
}

/// SQLite's `sqlite_sequence`: the highest id each AUTOINCREMENT table has given (none before
/// the first such table, migration 0009).
pub async fn sqlite_sequences(conn: &mut AnyConnection) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let exists: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    if exists == 0 {
        return Ok(BTreeMap::new());
    }
    sqlx::query("SELECT name, seq FROM sqlite_sequence")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("name")?, row.try_get("seq")?)))
        .collect()
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `path` (which must not exist) while
    /// others go on reading and writing: SQLite's `VACUUM INTO` reads one snapshot.
    pub async fn vacuum_into(&self, path: &Path) -> Result<(), sqlx::Error> {
        sqlx::query("VACUUM INTO $1").bind(path.display().to_string()).execute(self.pool()).await?;
        Ok(())
    }

    /// A connection of its own in a read-only transaction that sees one snapshot of the whole
    /// database however long it runs, while writers go on (PostgreSQL's REPEATABLE READ).
    /// Closing the connection ends it.
    pub async fn snapshot(&self) -> Result<AnyConnection, sqlx::Error> {
        let mut conn = AnyConnection::connect_with(&quiet((*self.pool().connect_options()).clone())).await?;
        conn.execute(match self.backend {
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            Backend::Sqlite => "BEGIN",
        })
        .await?;
        Ok(conn)
    }

    /// Every table's id sequence: the highest id it has given (PostgreSQL's identity
    /// sequences, SQLite's `sqlite_sequence`).
    pub async fn sequences(&self, conn: &mut AnyConnection) -> Result<BTreeMap<String, i64>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => sqlite_sequences(conn).await,
            Backend::Postgres => {
                let mut sequences = BTreeMap::new();
                for table in identity_tables(&mut *conn).await? {
                    let last: Option<i64> =
                        sqlx::query("SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')) AS n")
                            .bind(&table)
                            .fetch_one(&mut *conn)
                            .await?
                            .try_get("n")?;
                    if let Some(last) = last {
                        sequences.insert(table, last);
                    }
                }
                Ok(sequences)
            }
        }
    }

    /// Moves each table's id sequence to at least `given[table]` and past every id it holds,
    /// so no id given before is handed out again.
    pub async fn advance_sequences(
        &self,
        conn: &mut AnyConnection,
        tables: &[Table],
        given: &BTreeMap<String, i64>,
    ) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                // Inserting ids already moved each AUTOINCREMENT sequence past them.
                for table in tables.iter().filter(|t| t.autoincrement) {
                    let Some(&seq) = given.get(&table.name) else { continue };
                    let updated = sqlx::query("UPDATE sqlite_sequence SET seq = MAX(seq, $2) WHERE name = $1")
                        .bind(&table.name)
                        .bind(seq)
                        .execute(&mut *conn)
                        .await?;
                    if updated.rows_affected() == 0 {
                        sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)")
                            .bind(&table.name)
                            .bind(seq)
                            .execute(&mut *conn)
                            .await?;
                    }
                }
            }
            Backend::Postgres => {
                let current = self.sequences(conn).await?;
                for table in identity_tables(&mut *conn).await? {
                    let highest: i64 = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS n FROM \"{table}\""))
                        .fetch_one(&mut *conn)
                        .await?
                        .try_get("n")?;
                    let next =
                        [highest, given.get(&table).copied().unwrap_or(0), current.get(&table).copied().unwrap_or(0)]
                            .into_iter()
                            .max()
                            .unwrap_or(0);
                    if next > 0 {
                        sqlx::query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2)")
                            .bind(&table)
                            .bind(next)
                            .execute(&mut *conn)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The first of `tables` that holds a row, if any.
    pub async fn first_nonempty(
        &self,
        conn: &mut AnyConnection,
        tables: &[Table],
    ) -> Result<Option<String>, sqlx::Error> {
        for table in tables {
            let any: i64 =
                sqlx::query(&format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM \"{}\" LIMIT 1) t", table.name))
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("n")?;
            if any > 0 {
                return Ok(Some(table.name.clone()));
            }
        }
        Ok(None)
    }

    /// Deletes every row of `tables` (children first), keeping the id sequences where they are.
    pub async fn delete_all(&self, conn: &mut AnyConnection, tables: &[Table]) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Postgres => {
                let names: Vec<String> = tables.iter().map(|t| format!("\"{}\"", t.name)).collect();
                conn.execute(format!("TRUNCATE {}", names.join(", ")).as_str()).await?;
            }
            Backend::Sqlite => {
                for table in tables.iter().rev() {
                    conn.execute(format!("DELETE FROM \"{}\"", table.name).as_str()).await?;
                }
                conn.execute("DELETE FROM crm_contact_search").await?;
            }
        }
        Ok(())
    }

    /// Rebuilds what is derived from the rows copied in: SQLite's contact search index holds
    /// each contact's name (written by a trigger as it came in) and now its details too.
    /// PostgreSQL's statement triggers kept its search column current as the details came in.
    /// The contact totals are counted afresh: PostgreSQL's TRUNCATE of a forced restore runs no
    /// delete trigger, so the target's totals from before would remain. The manager rows'
    /// copies of their contacts' share type and kind are set again, as a manager row copied in
    /// before its contact kept the file's values.
    pub async fn rebuild_derived(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        conn.execute(
            "UPDATE crm_contact_managers \
             SET share_type = (SELECT c.share_type FROM crm_contacts c WHERE c.id = crm_contact_managers.contact_id), \
                 is_company = (SELECT c.is_company FROM crm_contacts c WHERE c.id = crm_contact_managers.contact_id) \
             WHERE EXISTS (SELECT 1 FROM crm_contacts c WHERE c.id = crm_contact_managers.contact_id)",
        )
        .await?;
        conn.execute("DELETE FROM crm_contact_counts").await?;
        conn.execute(
            "INSERT INTO crm_contact_counts (portal_id, is_company, share_type, n) \
             SELECT portal_id, is_company, share_type, COUNT(*) FROM crm_contacts GROUP BY portal_id, is_company, share_type",
        )
        .await?;
        if self.backend == Backend::Sqlite {
            conn.execute(
                "UPDATE crm_contact_search SET details = (SELECT group_concat(lower(i.data), ' ') \
                 FROM crm_contact_info i WHERE i.contact_id = crm_contact_search.rowid) \
                 WHERE rowid IN (SELECT contact_id FROM crm_contact_info)",
            )
            .await?;
        }
        Ok(())
    }
}

/// The tables whose `id` is an identity column (PostgreSQL).
async fn identity_tables(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query(
        "SELECT table_name::text AS name FROM information_schema.columns WHERE table_schema = current_schema() \
         AND column_name = 'id' AND is_identity = 'YES' ORDER BY table_name",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(|row| row.try_get("name"))
    .collect()
}
