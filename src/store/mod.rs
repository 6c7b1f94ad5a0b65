//! Storage: the only place that holds SQL. One `Store` serves SQLite and PostgreSQL through
//! sqlx's `Any` driver; SQL is written once with `$N` placeholders (both drivers accept them),
//! and where the dialects must differ the statement is chosen by [`Backend`]. Each backend has
//! its own migrations, embedded in the binary.

pub mod backup;
mod changes;
mod checkpoint;
mod contacts;
mod crm_settings;
mod custom_fields;
mod groups;
mod integrity;
mod kept;
mod leaving;
mod login;
mod mail;
mod migrated;
mod photos;
mod portals;
mod projects;
mod statement;
mod tasks;
mod tokens;
mod transfer;
mod users;
mod write;

pub use integrity::SequenceLag;
pub use statement::Cost;
pub use statement::{Arg, Args, Columns};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, Migrator};
use sqlx::AnyConnection;
use sqlx::{AnyPool, Connection, Executor, Row, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::config::DatabaseArgs;

pub use mail::{OutboxMessage, OutgoingMail, UserLink};
pub use migrated::{Loaded, PortalContents};
pub(crate) use statement::args;
pub use tasks::NewTask;
pub use transfer::TransferFile;
pub use users::StoredCredentials;
pub use write::{Conn, WriteTx};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database product behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How long a PostgreSQL connection may sit idle in the pool before it is pinged when handed
/// out again: one in steady use has just answered.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// A handle on the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Reached through [`Store::pool`], which first ends the request's read transaction.
    connections: AnyPool,
    /// Where write transactions run. On a SQLite file, one connection of its own: writers run
    /// one at a time anyway, and a connection keeps its page cache only while no other
    /// connection writes, so the writes of a shared pool made each transaction read its pages
    /// again. Elsewhere the same pool as reads.
    writes: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; writers of this process queue here rather than
    /// spinning in SQLite's busy handler.
    sqlite_writer: Arc<Mutex<()>>,
    /// Wakes this process's mail sender after a transaction that queued mail commits.
    outbox: Arc<tokio::sync::Notify>,
    /// The SQLite database's file (none on PostgreSQL or in memory).
    sqlite_file: Option<PathBuf>,
    /// Connections that run reads on the calling thread (a SQLite file only).
    in_place: Option<Arc<statement::InPlace>>,
    /// The connection that runs write transactions on the calling thread (a SQLite file only).
    in_place_writer: Option<Arc<write::InPlaceWriter>>,
    /// The checkpointer of the write-ahead log (a SQLite file only).
    checkpoints: Option<Arc<checkpoint::Checkpoints>>,
    /// Callers by token, users by id, contact statuses and field definitions, kept while their
    /// portal's stamp holds (a SQLite file; PostgreSQL once [`Store::keep_between_requests`]).
    kept: Option<Arc<kept::Kept>>,
    /// The database's change notices, which stamp what is kept on PostgreSQL ([`changes`]).
    changes: Option<Arc<changes::Changes>>,
    /// The PostgreSQL database's URL, for the connection that listens for those notices.
    postgres_url: Option<Arc<str>>,
}

/// Whether a pooled SQLite connection checkpoints the write-ahead log in its commits.
#[derive(Clone, Copy)]
enum Checkpointing {
    /// As SQLite does by default.
    InCommits,
    /// Never: the connection of a file's write transactions leaves it to the checkpointer
    /// ([`checkpoint`]).
    Elsewhere,
}

/// Sets up a pooled SQLite connection.
async fn sqlite_session(conn: &mut AnyConnection, checkpointing: Checkpointing) -> Result<(), sqlx::Error> {
    // The busy timeout first, so nothing after it fails at once on a lock held for a moment by
    // another connection (a checkpoint, say).
    conn.execute("PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").await?;
    if let Checkpointing::Elsewhere = checkpointing {
        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
    }
    Ok(())
}

/// The row lock a write takes on what it reads.
#[derive(Debug, Clone, Copy)]
pub enum RowLock {
    /// Others may read and share it, not change or delete it.
    Share,
    /// Only this transaction may change or delete it.
    Update,
}

/// A write transaction on the pool's writer connection: a [`WriteTx`] where statements cannot
/// run in place, and a backup's or a restore's copy of whole tables (see [`write`]).
pub struct PooledWriteTx {
    tx: Transaction<'static, sqlx::Any>,
    _writer: Option<OwnedMutexGuard<()>>,
    checkpoints: Option<Arc<checkpoint::Checkpoints>>,
    changes: Option<Arc<changes::Changes>>,
}

impl PooledWriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The connection as the writes moved to [`Conn`] take it.
    pub fn writer(&mut self) -> Conn<'_> {
        Conn::Pooled(&mut self.tx)
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let changes = self.changes.clone();
        self.commit_unseen().await?;
        // This process's next request sees the write, even before its notice comes back.
        if let Some(changes) = changes {
            changes.changed();
        }
        Ok(())
    }

    /// Commits a write that changes nothing a reader sees (the contact totals' rows folded),
    /// leaving what this process keeps as it is.
    pub async fn commit_unseen(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.after_commit();
        }
        Ok(())
    }
}

impl Store {
    /// Opens the database named by the URL, creating a SQLite file and its folder if missing.
    pub async fn connect(args: &DatabaseArgs) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let url = args.database_url.trim();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://...");
        };
        let (url, sqlite_file) = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => (url.to_string(), None),
        };
        let postgres_url = (backend == Backend::Postgres).then(|| Arc::from(url.as_str()));
        // sqlx pings every connection it hands out, by default: a round trip before each
        // statement or transaction, to the server or to a SQLite connection's worker thread (one
        // hop in five of a contact create). A SQLite file cannot hang up, so its connections are
        // never pinged; a PostgreSQL connection is, once it has been idle long enough that the
        // server may have closed it.
        let mut options = AnyPoolOptions::new()
            .max_connections(args.db_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false);
        if backend == Backend::Postgres {
            options = options.before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            });
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // JIT compiling pays off for long analytic queries only; a misestimated
                    // request query paid 200 ms of compiling for a few milliseconds of work.
                    conn.execute("SET jit = off").await?;
                    Ok(())
                })
            });
        }
        let writes_options = options.clone().max_connections(1);
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| Box::pin(sqlite_session(conn, Checkpointing::InCommits)));
        }
        let pool = options.connect(&url).await.with_context(|| format!("cannot open database {}", redact(&url)))?;
        if backend == Backend::Sqlite {
            // WAL lets readers work while one connection writes; the mode is kept in the file,
            // so it is set once here rather than by every new connection.
            pool.execute("PRAGMA journal_mode = WAL").await.context("switching SQLite to WAL")?;
        }
        // Each pool of an in-memory database would open a database of its own: one pool serves.
        let writes = match sqlite_file {
            Some(_) => writes_options
                .after_connect(|conn, _meta| Box::pin(sqlite_session(conn, Checkpointing::Elsewhere)))
                .connect_lazy(&url)
                .with_context(|| format!("cannot open database {}", redact(&url)))?,
            None => pool.clone(),
        };
        let in_place = sqlite_file.as_deref().map(|file| Arc::new(statement::InPlace::new(file)));
        let read_only = url.split_once('?').is_some_and(|(_, query)| query.split('&').any(|pair| pair == "mode=ro"));
        let in_place_writer = sqlite_file.as_deref().map(|file| Arc::new(write::InPlaceWriter::new(file, read_only)));
        let kept = sqlite_file.is_some().then(Arc::default);
        let sqlite_writer = Arc::new(Mutex::new(()));
        let checkpoints =
            sqlite_file.as_deref().map(|file| Arc::new(checkpoint::Checkpoints::start(file, sqlite_writer.clone())));
        Ok(Store {
            connections: pool,
            writes,
            backend,
            sqlite_writer,
            outbox: Arc::default(),
            sqlite_file,
            in_place,
            in_place_writer,
            checkpoints,
            kept,
            changes: None,
            postgres_url,
        })
    }

    /// Keeps callers, users, contact settings and answers between requests on PostgreSQL as
    /// well, stamped by the database's change notices ([`changes`]); a SQLite file keeps them
    /// already. A server calls it once; the CLI's commands, which answer no requests, do not.
    pub async fn keep_between_requests(mut self) -> anyhow::Result<Store> {
        if let (Some(url), None) = (&self.postgres_url, &self.changes) {
            let changes = changes::Changes::listen(url, self.connections.clone())
                .await
                .with_context(|| format!("listening for changes to {}", redact(url)))?;
            // A pooler in transaction mode accepts LISTEN and delivers nothing: keep things only
            // once a notice sent through the pool comes back to the listener.
            changes::send_heartbeat(self.pool()).await.context("sending a change notice")?;
            if !changes.heard_within(Duration::from_secs(5)).await {
                tracing::warn!("no change notice came back in 5 s; nothing is kept between requests");
                changes.close();
                return Ok(self);
            }
            self.changes = Some(changes);
            self.kept = Some(Arc::default());
        }
        Ok(self)
    }

    /// Change notices received and whether the listener is connected (PostgreSQL, once it keeps
    /// things between requests).
    pub fn change_notices(&self) -> Option<(u64, bool)> {
        self.changes.as_ref().map(|changes| changes.state())
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.run_migrations(self.migrator()).await
    }

    /// The migrations this binary carries for this backend.
    pub fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies the migrations of `migrator` not applied yet, each in its own transaction (sqlx
    /// commits a migration with its record, or neither): one that fails leaves the database as
    /// the migrations before it left it.
    ///
    /// SQLite migrations run with foreign keys off, as sqlite.org's procedure for rebuilding a
    /// table asks: with them on, dropping the old table deletes every row that references it.
    /// sqlx runs each SQLite migration in a transaction (it ignores `-- no-transaction` there),
    /// where the pragma cannot change, so it is set on the connection around the run; a
    /// migration that rebuilds tables checks the links itself before its transaction commits.
    pub async fn run_migrations(&self, migrator: &Migrator) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = self.pool().acquire().await.context("connecting to run migrations")?;
                conn.execute("PRAGMA foreign_keys = OFF").await?;
                // `run_direct`: `run` cannot be proven `Send` for a server task (sqlx's own note).
                let migrated = migrator.run_direct(&mut *conn).await;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                migrated.context("running database migrations")?;
            }
            Backend::Postgres => {
                // On its own connection, closed after a failure: sqlx keeps its migration lock
                // when a migration fails.
                let mut conn = self.pool().acquire().await.context("connecting to run migrations")?;
                let migrated = migrator.run_direct(&mut *conn).await;
                if migrated.is_err() {
                    conn.detach().close().await.ok();
                }
                migrated.context("running database migrations")?;
            }
        }
        Ok(())
    }

    /// The migrations of `migrator` this database has not applied yet, in order, and whether
    /// it had applied any (an existing database, not a new one).
    pub async fn pending_migrations<'m>(
        &self,
        migrator: &'m Migrator,
    ) -> Result<(Vec<&'m Migration>, bool), sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        let version = backup::schema_version(&mut conn, self.backend).await?;
        let applied: Vec<i64> = if version == 0 {
            Vec::new()
        } else {
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| row.try_get("version"))
                .collect::<Result<_, _>>()?
        };
        let pending =
            migrator.iter().filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version)).collect();
        Ok((pending, !applied.is_empty()))
    }

    /// The SQLite database's file (none on PostgreSQL).
    /// The pool, for a statement that does not run in place: the request's read transaction
    /// ends first, so that the request's reads after this statement see what it wrote.
    fn pool(&self) -> &AnyPool {
        self.end_request_reads();
        &self.connections
    }

    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The clause that ends a SELECT taking `lock` on its rows until the transaction ends: on
    /// PostgreSQL; SQLite's writers already run one at a time, so it needs none.
    pub(crate) fn lock_clause(&self, lock: Option<RowLock>) -> &'static str {
        match (self.backend, lock) {
            (Backend::Sqlite, _) | (Backend::Postgres, None) => "",
            (Backend::Postgres, Some(RowLock::Share)) => " FOR SHARE",
            (Backend::Postgres, Some(RowLock::Update)) => " FOR UPDATE",
        }
    }

    /// Starts a write transaction.
    ///
    /// sqlx's `begin` is not cancel-safe: a request dropped while its BEGIN is under way (the
    /// client went away, the time limit struck) left the connection in a transaction nobody
    /// rolled back, holding SQLite's write lock until every other writer failed with "database
    /// is locked". The BEGIN therefore runs in its own task, which always finishes; if nobody
    /// waits for it any more, dropping its transaction rolls it back.
    pub async fn begin_pooled_write(&self) -> Result<PooledWriteTx, sqlx::Error> {
        self.end_request_reads();
        let writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let pool = self.writes.clone();
        let backend = self.backend;
        let begun = tokio::spawn(async move {
            match backend {
                // IMMEDIATE takes the write lock at once, so another process (the CLI, say)
                // makes this wait in the busy handler instead of failing a later upgrade.
                Backend::Sqlite => match pool.begin_with("BEGIN IMMEDIATE").await {
                    // SQLite rolls a transaction back itself after some errors (a full disk,
                    // an I/O error, a corrupt page); sqlx's ROLLBACK then fails, and its
                    // connection counts the transaction as open for good and refuses every
                    // later one. That connection is closed; the transaction begins on a new one.
                    Err(sqlx::Error::InvalidSavePointStatement) => {
                        pool.acquire().await?.close_on_drop();
                        pool.begin_with("BEGIN IMMEDIATE").await
                    }
                    begun => begun,
                },
                Backend::Postgres => pool.begin().await,
            }
        });
        let tx = begun.await.map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))??;
        Ok(PooledWriteTx { tx, _writer: writer, checkpoints: self.checkpoints.clone(), changes: self.changes.clone() })
    }

    /// A subquery yielding the text values of a JSON array bound at `$n`: one statement and one
    /// bound value for any number of ids (no per-id placeholders, no per-id statements).
    ///
    /// On PostgreSQL the values pass through an array: the planner guesses 100 rows from a JSON
    /// set function, but 10 from an array's `unnest`. With 100 it scanned a whole table of a small
    /// portal for one contact's tags (1.85 ms at 20,000 contacts) instead of one index look-up
    /// (0.18 ms, `EXPLAIN ANALYZE`).
    pub(crate) fn json_texts(&self, n: usize) -> String {
        match self.backend {
            Backend::Sqlite => format!("(SELECT value AS id FROM json_each(${n}))"),
            Backend::Postgres => format!("(SELECT unnest(ARRAY(SELECT jsonb_array_elements_text(${n}::jsonb))) AS id)"),
        }
    }

    /// `SELECT $1, <fields> FROM` the objects of the JSON array bound at `$2`, in their order:
    /// the source of a bulk INSERT (one statement, two bound values, any number of rows). The
    /// first bound value is the portal, which every row takes; `fields` name the objects' keys.
    pub(crate) fn json_objects(&self, fields: &[JsonField]) -> String {
        let columns: Vec<String> = fields
            .iter()
            .map(|field| match (self.backend, field) {
                (Backend::Sqlite, JsonField::Int(key) | JsonField::Text(key)) => {
                    format!("json_extract(value, '$.{key}')")
                }
                (Backend::Postgres, JsonField::Int(key)) => format!("(e.v->>'{key}')::bigint"),
                (Backend::Postgres, JsonField::Text(key)) => format!("e.v->>'{key}'"),
            })
            .collect();
        // `WHERE true` lets SQLite parse an `ON CONFLICT` after the SELECT.
        match self.backend {
            Backend::Sqlite => format!("SELECT $1, {} FROM json_each($2) WHERE true ORDER BY key", columns.join(", ")),
            Backend::Postgres => format!(
                "SELECT $1, {} FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(v, n) WHERE true ORDER BY e.n",
                columns.join(", ")
            ),
        }
    }

    /// `FROM <table> WHERE <key> IN <list>` (a [`Store::json_ints`] or [`Store::json_texts`]), for
    /// the hot reads, in the form each backend runs best; more conditions follow with `AND`.
    /// SQLite walks the list and looks each id up (`FROM <list> AS j CROSS JOIN <table>`): `IN`
    /// first built a temporary index of the list, a b-tree opened and closed per statement (13%
    /// of a contact read's CPU in `perf`), and `CROSS JOIN` keeps the list first, which its
    /// planner otherwise did not choose. The list must then be distinct ([`distinct_json_array`]).
    /// PostgreSQL orders a join itself, and ran the walked form 25% slower than `IN`.
    pub(crate) fn from_listed(&self, table: &str, key: &str, list: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("FROM {list} AS j CROSS JOIN {table} WHERE {key} = j.id"),
            Backend::Postgres => format!("FROM {table} WHERE {key} IN {list}"),
        }
    }

    /// The ids of the JSON array bound as `$n` with their positions in it (0 first), as a
    /// subquery of rows `(id, pos)`: one statement reorders a whole list.
    pub(crate) fn json_positions(&self, n: usize) -> String {
        match self.backend {
            Backend::Sqlite => {
                format!("(SELECT CAST(value AS INTEGER) AS id, CAST(key AS INTEGER) AS pos FROM json_each(${n}))")
            }
            Backend::Postgres => format!(
                "(SELECT e.value::bigint AS id, e.ord - 1 AS pos FROM jsonb_array_elements_text(${n}::jsonb) \
                 WITH ORDINALITY AS e(value, ord))"
            ),
        }
    }

    /// Like [`Store::json_texts`], for integer ids. Both are also a table of one column, `id`.
    pub(crate) fn json_ints(&self, n: usize) -> String {
        match self.backend {
            Backend::Sqlite => format!("(SELECT value AS id FROM json_each(${n}))"),
            Backend::Postgres => {
                format!("(SELECT unnest(ARRAY(SELECT jsonb_array_elements_text(${n}::jsonb)::bigint)) AS id)")
            }
        }
    }

    /// An aggregate of the selected rows into one JSON array of arrays (`items` in each), in no
    /// set order, as text. Handing many rows one by one from SQLite's worker thread costs about
    /// 8 µs a row; one aggregated value costs a few milliseconds for 20,000. The reader sorts
    /// the rows: an ORDER BY in the aggregate cost SQLite a temporary b-tree per statement.
    pub(crate) fn json_rows(&self, items: &str) -> String {
        let (aggregate, array) = match self.backend {
            Backend::Sqlite => ("json_group_array", "json_array"),
            Backend::Postgres => ("json_agg", "json_build_array"),
        };
        format!("CAST(COALESCE({aggregate}({array}({items})), '[]') AS TEXT)")
    }

    /// A JSON array of `expression` over the rows of `from_where`, in no set order, as a value to
    /// nest inside [`Store::json_rows`] (SQLite needs `json()` to keep it an array, not a
    /// string). The reader sorts it: an ORDER BY here cost SQLite a temporary b-tree per row.
    pub(crate) fn json_list(&self, expression: &str, from_where: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("json((SELECT json_group_array({expression}) {from_where}))"),
            Backend::Postgres => format!("(SELECT COALESCE(json_agg({expression}), '[]'::json) {from_where})"),
        }
    }

    /// Brings what queries rest on up to date after a bulk load (a seed, an import, a restore).
    ///
    /// PostgreSQL: the planner's statistics. It otherwise plans with the row counts of before
    /// the load until autovacuum catches up: after seeding 100,000 contacts a contact's details
    /// were read through a portal-wide bitmap scan (35 ms instead of 0.1 ms). SQLite's plans
    /// here rest on its index heuristics (and the unary-plus hints), which statistics would only
    /// unsettle.
    ///
    /// SQLite: the text index merged into one segment. A load leaves a segment per chunk it
    /// commits (14 after seeding 1,000,000 contacts), which SQLite merges only gradually, and a
    /// search reads each of its trigrams from every segment: a word in 0.1% of 1,000,000
    /// contacts took 0.54 ms to find in 14 segments and 0.35 ms in one.
    pub async fn after_bulk_load(&self) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Postgres => {
                sqlx::query("ANALYZE").execute(self.pool()).await?;
            }
            Backend::Sqlite => {
                let mut tx = self.begin_pooled_write().await?;
                sqlx::query("INSERT INTO crm_contact_search (crm_contact_search) VALUES ('optimize')")
                    .execute(tx.conn())
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        conn.ping().await
    }

    pub async fn close(&self) {
        if let Some(readers) = &self.in_place {
            readers.close();
        }
        if let Some(writer) = &self.in_place_writer {
            writer.close();
        }
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.close();
        }
        if let Some(changes) = &self.changes {
            changes.close();
        }
        self.writes.close().await;
        self.connections.close().await;
    }
}

/// Whether a SQLite result code (as sqlx reports it) is SQLITE_BUSY (5) or one of its extended
/// codes (the low byte is the primary code): a lock another connection holds, so trying again
/// shortly can succeed.
pub(crate) fn sqlite_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i64>().ok()).is_some_and(|n| n & 0xff == 5)
}

/// Makes sure the SQLite file's folder exists and asks for the file to be created; also the
/// file's path (none in memory).
fn prepare_sqlite_url(url: &str) -> anyhow::Result<(String, Option<PathBuf>)> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create folder {}", parent.display()))?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    // Validate early so a bad URL is reported as such.
    let url = format!("sqlite://{path}?{query}");
    sqlx::sqlite::SqliteConnectOptions::from_str(&url).context("invalid SQLite URL")?;
    let file = (path != ":memory:" && !path.is_empty()).then(|| PathBuf::from(path));
    Ok((url, file))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A JSON array of ids, to bind for [`Store::json_texts`] or [`Store::json_ints`].
/// The rows of a [`Store::json_rows`] value, each a JSON array read in field order.
pub(crate) fn from_json_rows<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(e.into()))
}

pub(crate) fn parse_uuid(text: &str) -> Result<uuid::Uuid, sqlx::Error> {
    uuid::Uuid::parse_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub(crate) fn json_array<T: serde::Serialize>(ids: &[T]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// The ids once each, in order, as a JSON array: a join with a list answers once per mention.
pub(crate) fn distinct_json_array<T: serde::Serialize + Ord + Clone>(ids: &[T]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    json_array(&ids)
}

/// Times are stored as 100-nanosecond ticks since the Unix epoch, the precision the API prints.
pub fn to_ticks(at: DateTime<Utc>) -> i64 {
    at.timestamp() * 10_000_000 + i64::from(at.timestamp_subsec_nanos() / 100)
}

pub fn from_ticks(ticks: i64) -> DateTime<Utc> {
    let seconds = ticks.div_euclid(10_000_000);
    let nanos = (ticks.rem_euclid(10_000_000) * 100) as u32;
    Utc.timestamp_opt(seconds, nanos).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_trip_at_100ns() {
        let at = Utc.with_ymd_and_hms(2020, 12, 8, 17, 37, 4).unwrap() + chrono::Duration::nanoseconds(591_640_600);
        assert_eq!(from_ticks(to_ticks(at)), at);
        let before_epoch = Utc.with_ymd_and_hms(1950, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(from_ticks(to_ticks(before_epoch)), before_epoch);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn sqlite_url_asks_for_creation() {
        let dir = std::env::temp_dir().join(format!("portald-url-{}", std::process::id()));
        let (url, file) = prepare_sqlite_url(&format!("sqlite://{}/x/db.sqlite", dir.display())).unwrap();
        assert_eq!(file, Some(dir.join("x/db.sqlite")));
        assert!(url.ends_with("?mode=rwc"));
        assert!(dir.join("x").is_dir());
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// A key of the objects [`Store::json_objects`] reads, and how its value is typed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JsonField {
    Int(&'static str),
    Text(&'static str),
}
