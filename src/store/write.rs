//! Write transactions that, on a SQLite file, run in place on the calling thread.
//!
//! SQLite takes one writer at a time, and a write holds this process's writer lock from its
//! BEGIN to its COMMIT. On sqlx's driver each of its statements is a hand-over to the
//! connection's worker thread and back, and under load the task holding the lock then waits for
//! a turn on a busy runtime thread at every statement: `top` showed the server at one core of
//! two under 16 writing connections, the worker thread busy 40% of the time, the rest of each
//! write being those waits. [`WriteTx`] runs a transaction's statements through rusqlite on one
//! writer connection of its own instead, in the task that holds the lock, without a hand-over:
//! nothing inside such a transaction waits, so it also cannot be cut off half-way. A long one
//! (a batch of thousands, a background task's step) runs each statement with the thread handed
//! over to blocking work, as long reads do. PostgreSQL (and an in-memory SQLite database, which
//! only the pool can reach) runs the same statements through sqlx ([`Conn::Pooled`]).
//!
//! A backup's and a restore's copy of whole tables stays on the pool's writer connection
//! ([`PooledWriteTx`](super::PooledWriteTx)): it streams rows from one sqlx connection into
//! another, binding each value by the column type it finds.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::AnyConnection;
use tokio::sync::OwnedMutexGuard;

use super::checkpoint::Checkpoints;
use super::statement::{as_blocking_work, from_rusqlite, rows_on, run_on, STATEMENT_CACHE};
use super::{Args, Columns, Cost, PooledWriteTx, Store};

/// How long a write waits for another process's write lock (the CLI's import, say) before it
/// gives up with "busy" (503), as the pool's connections wait.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// The connection a write transaction's statements run on.
pub enum Conn<'c> {
    /// sqlx's: PostgreSQL, and an in-memory SQLite database (which only the pool can reach).
    Pooled(&'c mut AnyConnection),
    /// The SQLite file's writer connection, on the calling thread.
    InPlace(&'c mut rusqlite::Connection, Cost),
}

impl Conn<'_> {
    /// The same connection for a call that borrows it for a while.
    pub fn re(&mut self) -> Conn<'_> {
        match self {
            Conn::Pooled(conn) => Conn::Pooled(&mut **conn),
            Conn::InPlace(conn, cost) => Conn::InPlace(&mut **conn, *cost),
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub async fn execute(&mut self, sql: &str, args: &Args) -> Result<u64, sqlx::Error> {
        match self {
            Conn::Pooled(conn) => Ok(args.bind(sqlx::query(sql)).execute(&mut **conn).await?.rows_affected()),
            Conn::InPlace(conn, cost) => in_place(*cost, || {
                let mut statement = conn.prepare_cached(sql).map_err(from_rusqlite)?;
                args.bind_in_place(&mut statement).map_err(from_rusqlite)?;
                Ok(statement.raw_execute().map_err(from_rusqlite)? as u64)
            }),
        }
    }

    /// Runs a statement and decodes its rows.
    pub async fn rows<T>(
        &mut self,
        sql: &str,
        args: &Args,
        mut decode: impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Conn::Pooled(conn) => {
                let rows = args.bind(sqlx::query(sql)).fetch_all(&mut **conn).await?;
                rows.iter().map(|row| decode(row)).collect()
            }
            Conn::InPlace(conn, cost) => in_place(*cost, || rows_on(conn, sql, args, decode)),
        }
    }

    /// A statement that answers exactly one row (an aggregate, an INSERT ... RETURNING).
    pub async fn one<T>(
        &mut self,
        sql: &str,
        args: &Args,
        decode: impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        self.rows(sql, args, decode).await?.pop().ok_or(sqlx::Error::RowNotFound)
    }

    /// Whether statements run in place, where rows come back one by one as cheaply as one
    /// value (see [`Store::reads_in_place`]).
    pub(crate) fn in_place(&self) -> bool {
        matches!(self, Conn::InPlace(..))
    }
}

/// Runs a statement of a write in place; a long one (a batch of thousands) as blocking work, as
/// long reads run.
fn in_place<T>(cost: Cost, statement: impl FnOnce() -> T) -> T {
    match cost {
        Cost::Long => as_blocking_work(statement),
        Cost::Short => statement(),
    }
}

/// A write transaction: all of a request's changes or none of them.
pub struct WriteTx {
    kind: Kind,
}

enum Kind {
    Pooled(PooledWriteTx),
    InPlace { conn: Begun, cost: Cost, _writer: OwnedMutexGuard<()>, checkpoints: Option<Arc<Checkpoints>> },
}

impl WriteTx {
    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.kind {
            Kind::Pooled(tx) => tx.writer(),
            Kind::InPlace { conn, cost, .. } => Conn::InPlace(conn.connection(), *cost),
        }
    }

    /// Commits a write that changes nothing a reader sees (see [`PooledWriteTx::commit_unseen`]).
    pub async fn commit_unseen(self) -> Result<(), sqlx::Error> {
        match self.kind {
            Kind::Pooled(tx) => tx.commit_unseen().await,
            Kind::InPlace { .. } => self.commit().await,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.kind {
            Kind::Pooled(tx) => tx.commit().await,
            Kind::InPlace { conn, checkpoints, .. } => {
                conn.commit()?;
                if let Some(checkpoints) = &checkpoints {
                    checkpoints.after_commit();
                }
                Ok(())
            }
        }
    }
}

/// The writer connection of a SQLite file, opened at the first write and kept for the next.
pub(super) struct InPlaceWriter {
    file: PathBuf,
    /// The database URL asked for the file read-only (`mode=ro`): writes then fail as the
    /// pool's would.
    read_only: bool,
    idle: Arc<Mutex<Option<rusqlite::Connection>>>,
}

impl InPlaceWriter {
    pub(super) fn new(file: &Path, read_only: bool) -> InPlaceWriter {
        InPlaceWriter { file: file.to_path_buf(), read_only, idle: Arc::default() }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let mode = if self.read_only { OpenFlags::SQLITE_OPEN_READ_ONLY } else { OpenFlags::SQLITE_OPEN_READ_WRITE };
        let conn = rusqlite::Connection::open_with_flags(&self.file, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        // As the pool's writer connection: its commits leave checkpoints to the checkpointer.
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    fn take(&self) -> Result<rusqlite::Connection, sqlx::Error> {
        match self.idle.lock().map(|mut idle| idle.take()).unwrap_or(None) {
            Some(conn) => Ok(conn),
            None => self.open().map_err(from_rusqlite),
        }
    }

    /// Begins a transaction that takes the write lock at once (`IMMEDIATE`): another process
    /// then makes it wait here, not fail at a later statement. The lock is tried in place; only
    /// when another process holds it does the wait go to a blocking thread.
    async fn begin(&self) -> Result<Begun, sqlx::Error> {
        let conn = self.take()?;
        conn.busy_timeout(Duration::ZERO).map_err(from_rusqlite)?;
        match run_on(&conn, "BEGIN IMMEDIATE") {
            Ok(()) => {
                // Statements inside wait as the pool's would, should anything hold them up.
                conn.busy_timeout(BUSY_WAIT).map_err(from_rusqlite)?;
                Ok(Begun { conn: Some(conn), idle: self.idle.clone() })
            }
            Err(sqlx::Error::PoolTimedOut) => {
                let idle = self.idle.clone();
                // The wait finishes even if nobody awaits it any more; the transaction it began
                // is then dropped, which rolls it back.
                let waited = tokio::task::spawn_blocking(move || {
                    let begun = conn
                        .busy_timeout(BUSY_WAIT)
                        .map_err(from_rusqlite)
                        .and_then(|()| run_on(&conn, "BEGIN IMMEDIATE"));
                    let conn = Begun { conn: Some(conn), idle };
                    begun.map(|()| conn)
                });
                waited.await.map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?
            }
            Err(err) => {
                self.give_back(conn);
                Err(err)
            }
        }
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            *idle = Some(conn);
        }
    }

    /// Closes the idle connection (the store is closing).
    pub(super) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.take();
        }
    }
}

/// The writer connection inside a transaction. Dropped without a commit, it rolls back; the
/// connection then goes back for the next write, or is closed if it cannot end the transaction.
struct Begun {
    conn: Option<rusqlite::Connection>,
    idle: Arc<Mutex<Option<rusqlite::Connection>>>,
}

impl Begun {
    fn connection(&mut self) -> &mut rusqlite::Connection {
        self.conn.as_mut().expect("a begun transaction holds its connection until it ends")
    }

    fn commit(mut self) -> Result<(), sqlx::Error> {
        let conn = self.conn.take().expect("a begun transaction holds its connection until it ends");
        let committed = run_on(&conn, "COMMIT");
        self.end(conn);
        committed
    }

    /// Rolls back what is left open (a failed COMMIT, or no commit at all) and keeps the
    /// connection if that leaves it outside any transaction. SQLite rolls back by itself after
    /// some errors (a full disk, an I/O error); the connection is then already outside one.
    fn end(&self, conn: rusqlite::Connection) {
        if !conn.is_autocommit() && run_on(&conn, "ROLLBACK").is_err() {
            return;
        }
        if conn.is_autocommit() {
            if let Ok(mut idle) = self.idle.lock() {
                *idle = Some(conn);
            }
        }
    }
}

impl Drop for Begun {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.end(conn);
        }
    }
}

impl Store {
    /// Starts a write transaction of a few rows: in place on a SQLite file, through the pool
    /// elsewhere.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        self.begin_write_costing(Cost::Short).await
    }

    /// Runs one statement in a write transaction of its own; the number of rows it changed.
    /// Writes outside a request's transaction (a token, a login's bookkeeping, the mail
    /// sender's, the periodic purges) take the writer's turn like any other, rather than
    /// contending with it in SQLite's busy handler from a connection of the pool.
    pub async fn write_statement(&self, cost: Cost, sql: &str, args: &Args) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write_costing(cost).await?;
        let changed = tx.conn().execute(sql, args).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Starts a write transaction whose statements may take long (see [`Cost`]).
    pub async fn begin_write_costing(&self, cost: Cost) -> Result<WriteTx, sqlx::Error> {
        let Some(writer) = &self.in_place_writer else {
            return Ok(WriteTx { kind: Kind::Pooled(self.begin_pooled_write().await?) });
        };
        self.end_request_reads();
        let lock = self.sqlite_writer.clone().lock_owned().await;
        let conn = writer.begin().await?;
        Ok(WriteTx { kind: Kind::InPlace { conn, cost, _writer: lock, checkpoints: self.checkpoints.clone() } })
    }
}
