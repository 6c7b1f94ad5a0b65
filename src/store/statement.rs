//! Statements whose arguments are built at run time, and the short reads that, on SQLite, run
//! on the calling thread.
//!
//! sqlx's SQLite driver runs every statement on its connection's own worker thread. For a
//! statement of a few microseconds the hand-over both ways (a channel, a wake-up, two context
//! switches) costs more than the SQL: `perf` put about half of a contact read's CPU time in
//! the kernel switching threads and under 2% in SQLite. So the reads every request makes (its
//! token, a contact and what it shows, users by id) go through [`Store::read_rows`], which on a
//! SQLite file runs them in place through rusqlite, on query-only connections of their own to
//! the same file. WAL gives those the last committed state, as it gives the pool's readers.
//! Long reads (a search, a batch of many ids) run the same way on connections of their own, one
//! per core, with a larger page cache, on the calling thread handed over to blocking work
//! (`block_in_place`) so that they hold none of the runtime's threads from other requests.
//! Write transactions run in place too, on a writer connection of their own (see [`super::write`]);
//! PostgreSQL answers every statement through sqlx.
//!
//! Within a request ([`Store::request_reads`]) the short reads share one connection and one read
//! transaction until the request waits for anything: SQLite otherwise opens and closes a read
//! transaction per statement (taking the WAL's read lock, a mutex and `fcntl` calls each time),
//! and takes the connection from the shared list and gives it back per statement. Those reads
//! see one snapshot. The transaction also ends before a statement through the pool (a write
//! among them), so that what the request reads afterwards includes its own writes.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sqlx::any::AnyRow;
use sqlx::Row;

use super::Store;
use crate::model::ids::{PortalId, Snapshot};

/// Positional arguments (`$1`, `$2`, ...) of a statement built piece by piece.
#[derive(Default, Clone)]
pub struct Args {
    values: Vec<Arg>,
}

#[derive(Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    /// NULL for an integer column (PostgreSQL types a parameter by what is bound).
    NoInt,
    /// NULL for a text column.
    NoText,
    Real(f64),
    Blob(Vec<u8>),
}

impl From<i64> for Arg {
    fn from(value: i64) -> Arg {
        Arg::Int(value)
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Arg {
        Arg::Text(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Arg {
        Arg::Text(value.to_string())
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Arg {
        value.map_or(Arg::NoInt, Arg::Int)
    }
}

impl From<f64> for Arg {
    fn from(value: f64) -> Arg {
        Arg::Real(value)
    }
}

impl From<Vec<u8>> for Arg {
    fn from(value: Vec<u8>) -> Arg {
        Arg::Blob(value)
    }
}

impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Arg {
        value.map_or(Arg::NoText, Arg::Text)
    }
}

/// The arguments `$1`, `$2`, ... of a statement, in order: `args![portal.0, json_array(ids)]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        $crate::store::Args::of(vec![$($crate::store::Arg::from($value)),*])
    };
}
pub(crate) use args;

impl Args {
    pub fn of(values: Vec<Arg>) -> Args {
        Args { values }
    }

    /// Adds a value and returns its placeholder.
    pub fn push(&mut self, value: Arg) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    pub(crate) fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for value in &self.values {
            query = match value {
                Arg::Int(n) => query.bind(*n),
                Arg::Text(s) => query.bind(s.as_str()),
                Arg::NoInt => query.bind(None::<i64>),
                Arg::NoText => query.bind(None::<&str>),
                Arg::Real(x) => query.bind(*x),
                Arg::Blob(bytes) => query.bind(bytes.as_slice()),
            };
        }
        query
    }

    /// Binds by name: SQLite numbers `$N` marks in the order they first appear, not by `N`.
    pub(super) fn bind_in_place(&self, statement: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
        for (n, value) in self.values.iter().enumerate() {
            let Some(index) = statement.parameter_index(&format!("${}", n + 1))? else {
                continue;
            };
            match value {
                Arg::Int(number) => statement.raw_bind_parameter(index, number)?,
                Arg::Text(text) => statement.raw_bind_parameter(index, text)?,
                Arg::NoInt | Arg::NoText => statement.raw_bind_parameter(index, rusqlite::types::Null)?,
                Arg::Real(x) => statement.raw_bind_parameter(index, x)?,
                Arg::Blob(bytes) => statement.raw_bind_parameter(index, bytes)?,
            }
        }
        Ok(())
    }
}

/// A result row's columns by name, whichever driver read it.
pub trait Columns {
    fn int(&self, name: &str) -> Result<i64, sqlx::Error>;
    fn opt_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text(&self, name: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, name: &str) -> Result<Option<String>, sqlx::Error>;
    /// `EXISTS` and comparisons: an integer in SQLite, a boolean in PostgreSQL.
    fn flag(&self, name: &str) -> Result<bool, sqlx::Error>;
    fn real(&self, name: &str) -> Result<f64, sqlx::Error>;
    fn blob(&self, name: &str) -> Result<Vec<u8>, sqlx::Error>;
}

impl Columns for AnyRow {
    fn int(&self, name: &str) -> Result<i64, sqlx::Error> {
        self.try_get(name)
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(name)
    }
    fn text(&self, name: &str) -> Result<String, sqlx::Error> {
        self.try_get(name)
    }
    fn opt_text(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(name)
    }
    fn flag(&self, name: &str) -> Result<bool, sqlx::Error> {
        match self.try_get::<bool, _>(name) {
            Ok(value) => Ok(value),
            Err(_) => Ok(self.try_get::<i64, _>(name)? != 0),
        }
    }
    fn real(&self, name: &str) -> Result<f64, sqlx::Error> {
        self.try_get(name)
    }
    fn blob(&self, name: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.try_get(name)
    }
}

/// A rusqlite row with its statement's column names, read once per statement: rusqlite finds
/// a column by name by asking SQLite for every column's name and comparing it without regard to
/// case, on each value (a user row of 27 columns spent more time there than in the SQL).
struct NamedRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r [String],
    /// The column after the one read last: decoders read columns in the statement's order, so
    /// this is nearly always the one asked for next, found without a search.
    next: Cell<usize>,
}

impl<'r, 's> NamedRow<'r, 's> {
    fn new(row: &'r rusqlite::Row<'s>, names: &'r [String]) -> Self {
        NamedRow { row, names, next: Cell::new(0) }
    }

    fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> Result<T, sqlx::Error> {
        let next = self.next.get();
        let index = match self.names.get(next) {
            Some(n) if n == name => next,
            _ => self
                .names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| sqlx::Error::ColumnNotFound(name.to_string()))?,
        };
        self.next.set(index + 1);
        self.row.get(index).map_err(from_rusqlite)
    }
}

impl Columns for NamedRow<'_, '_> {
    fn int(&self, name: &str) -> Result<i64, sqlx::Error> {
        self.get(name)
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error> {
        self.get(name)
    }
    fn text(&self, name: &str) -> Result<String, sqlx::Error> {
        self.get(name)
    }
    fn opt_text(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
        self.get(name)
    }
    fn flag(&self, name: &str) -> Result<bool, sqlx::Error> {
        Ok(self.int(name)? != 0)
    }
    fn real(&self, name: &str) -> Result<f64, sqlx::Error> {
        self.get(name)
    }
    fn blob(&self, name: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.get(name)
    }
}

/// The in-place readers of one SQLite file: connections are opened on demand and kept for the
/// next read. A read holds its connection only while its statement runs on the calling thread,
/// so there are never more of them than threads that read.
struct InPlaceReaders {
    file: PathBuf,
    /// The page cache of each connection, in KiB; SQLite's default (2 MiB) when none.
    cache_kib: Option<u32>,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

/// Prepared statements each connection keeps: the hot reads and writes are a few dozen texts.
pub(super) const STATEMENT_CACHE: usize = 64;

/// The page cache of each connection that runs long reads, in KiB. A search looks up the row of
/// each match, 4 KiB each (1,000 rows for a word in 0.1% of 1,000,000 contacts); in the default
/// cache of 2 MiB nearly every look-up read its page from the file again (`perf`: 40% of a
/// search's time in `pread`).
const LONG_READ_CACHE_KIB: u32 = 16 * 1024;

/// The connections that read a SQLite file on the calling thread: short reads on any thread,
/// long ones on at most one thread per core.
pub(super) struct InPlace {
    short: InPlaceReaders,
    long: InPlaceReaders,
    long_permits: tokio::sync::Semaphore,
}

impl InPlace {
    pub(super) fn new(file: &Path) -> InPlace {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        InPlace {
            short: InPlaceReaders::new(file, None),
            long: InPlaceReaders::new(file, Some(LONG_READ_CACHE_KIB)),
            long_permits: tokio::sync::Semaphore::new(cores),
        }
    }

    /// Runs a long read on one of the long-read connections, as many at once as cores. On a
    /// runtime with worker threads the thread becomes a blocking one for the read, and the
    /// runtime moves its other tasks to another.
    async fn long_rows<T>(
        &self,
        sql: &str,
        args: &Args,
        decode: impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let _permit = self.long_permits.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
        as_blocking_work(|| self.long.rows(sql, args, decode))
    }

    /// Closes the idle connections (the pool is closing).
    pub(super) fn close(&self) {
        self.short.close();
        self.long.close();
    }
}

impl InPlaceReaders {
    fn new(file: &Path, cache_kib: Option<u32>) -> InPlaceReaders {
        InPlaceReaders { file: file.to_path_buf(), cache_kib, idle: Mutex::new(Vec::new()) }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        // Opened for writing but made query-only: a read-only connection cannot recover WAL
        // state on its own if it is the first to open the file after a crash.
        let conn = rusqlite::Connection::open_with_flags(
            &self.file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;")?;
        if let Some(kib) = self.cache_kib {
            conn.execute_batch(&format!("PRAGMA cache_size = -{kib}"))?;
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// An idle connection, or a new one.
    fn take(&self) -> Result<rusqlite::Connection, sqlx::Error> {
        match self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None) {
            Some(conn) => Ok(conn),
            None => self.open().map_err(from_rusqlite),
        }
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    /// A connection in a read transaction begun for a request; one that could not begin it
    /// goes back to the idle ones.
    fn begin(&self) -> Result<rusqlite::Connection, sqlx::Error> {
        let conn = self.take()?;
        match run_on(&conn, "BEGIN") {
            Ok(()) => Ok(conn),
            Err(err) => {
                self.give_back(conn);
                Err(err)
            }
        }
    }

    fn rows<T>(
        &self,
        sql: &str,
        args: &Args,
        decode: impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let conn = self.take()?;
        let read = rows_on(&conn, sql, args, decode);
        self.give_back(conn);
        read
    }

    fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

/// Runs one statement on a connection and decodes its rows.
pub(super) fn rows_on<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &Args,
    mut decode: impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>, sqlx::Error> {
    let mut statement = conn.prepare_cached(sql).map_err(from_rusqlite)?;
    args.bind_in_place(&mut statement).map_err(from_rusqlite)?;
    let names: Vec<String> = statement.column_names().into_iter().map(String::from).collect();
    let mut rows = statement.raw_query();
    let mut decoded = Vec::new();
    while let Some(row) = rows.next().map_err(from_rusqlite)? {
        decoded.push(decode(&NamedRow::new(row, &names))?);
    }
    Ok(decoded)
}

/// Runs long work in place with the calling thread made a blocking one for its time, on a
/// runtime with worker threads, so that the runtime moves its other tasks to another thread
/// (elsewhere, as a test's single-threaded runtime, it simply runs).
pub(super) fn as_blocking_work<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|runtime| runtime.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// Runs a statement without rows (`BEGIN`, `COMMIT`), prepared once per connection.
pub(super) fn run_on(conn: &rusqlite::Connection, sql: &str) -> Result<(), sqlx::Error> {
    conn.prepare_cached(sql).and_then(|mut statement| statement.raw_execute()).map(drop).map_err(from_rusqlite)
}

tokio::task_local! {
    /// The read transaction of the request this task answers, once its first short read began it.
    static REQUEST_READS: RefCell<Option<RequestReads>>;
}

/// A short-read connection in a read transaction, held by one request.
struct RequestReads {
    readers: Arc<InPlace>,
    conn: Option<rusqlite::Connection>,
    /// Portal stamps (`kept`) read in this transaction: its snapshot cannot see them change, so
    /// each is read once per request rather than once per kept thing the request looks up.
    stamps: Vec<(PortalId, i64)>,
}

impl Drop for RequestReads {
    /// Ends the transaction and gives the connection back; one whose `COMMIT` failed is closed.
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if run_on(&conn, "COMMIT").is_ok() {
                self.readers.short.give_back(conn);
            }
        }
    }
}

impl InPlace {
    /// A short read in the request's read transaction, begun by its first short read. `None`
    /// when the task answers no request, or holds the connection of another store's file.
    fn request_rows<T>(
        self: &Arc<InPlace>,
        sql: &str,
        args: &Args,
        decode: &mut impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Option<Result<Vec<T>, sqlx::Error>> {
        REQUEST_READS
            .try_with(|held| {
                let mut held = held.try_borrow_mut().ok()?;
                if held.as_ref().is_some_and(|reads| !Arc::ptr_eq(&reads.readers, self)) {
                    return None;
                }
                if held.is_none() {
                    match self.short.begin() {
                        Ok(conn) => {
                            *held = Some(RequestReads { readers: self.clone(), conn: Some(conn), stamps: Vec::new() })
                        }
                        Err(err) => return Some(Err(err)),
                    }
                }
                let conn = held.as_ref().and_then(|reads| reads.conn.as_ref())?;
                Some(rows_on(conn, sql, args, decode))
            })
            .ok()
            .flatten()
    }
}

impl InPlace {
    /// What `look` finds in the request's read transaction, if the task holds one of these
    /// readers'.
    fn in_request_reads<T>(self: &Arc<InPlace>, look: impl FnOnce(&RequestReads) -> Option<T>) -> Option<T> {
        REQUEST_READS
            .try_with(|held| {
                let held = held.try_borrow().ok()?;
                held.as_ref().filter(|reads| Arc::ptr_eq(&reads.readers, self)).and_then(look)
            })
            .ok()
            .flatten()
    }

    /// The portal's stamp as read earlier in the request's read transaction, if it was.
    fn request_stamp(self: &Arc<InPlace>, portal: PortalId) -> Option<i64> {
        self.in_request_reads(|reads| reads.stamps.iter().find(|(p, _)| *p == portal).map(|(_, stamp)| *stamp))
    }

    /// The snapshot the request's read transaction reads, once a read began it.
    fn request_snapshot(self: &Arc<InPlace>) -> Option<Snapshot> {
        self.in_request_reads(|reads| snapshot_of(reads.conn.as_ref()?))
    }

    /// Notes a stamp just read in the request's read transaction (nothing outside one).
    fn note_request_stamp(self: &Arc<InPlace>, portal: PortalId, stamp: i64) {
        let _ = REQUEST_READS.try_with(|held| {
            if let Ok(mut held) = held.try_borrow_mut() {
                if let Some(reads) = held.as_mut().filter(|reads| Arc::ptr_eq(&reads.readers, self)) {
                    reads.stamps.push((portal, stamp));
                }
            }
        });
    }
}

/// The snapshot of the connection's open read transaction; `None` outside one.
fn snapshot_of(conn: &rusqlite::Connection) -> Option<Snapshot> {
    use rusqlite::ffi;
    let mut taken: *mut ffi::sqlite3_snapshot = std::ptr::null_mut();
    // SAFETY: the handle is this connection's, used on the thread that borrows it, and nothing
    // else runs on the connection meanwhile. `sqlite3_snapshot_get` either fails or hands over
    // a snapshot object, which is copied out and freed here, once.
    unsafe {
        if ffi::sqlite3_snapshot_get(conn.handle(), c"main".as_ptr(), &mut taken) != ffi::SQLITE_OK || taken.is_null() {
            return None;
        }
        let header = (*taken).hidden;
        ffi::sqlite3_snapshot_free(taken);
        Some(Snapshot::Log(header))
    }
}

/// Ends the task's read transaction if it is one of these readers'.
fn end_request_reads_of(readers: &Arc<InPlace>) {
    let _ = REQUEST_READS.try_with(|held| {
        if let Ok(mut held) = held.try_borrow_mut() {
            if held.as_ref().is_some_and(|reads| Arc::ptr_eq(&reads.readers, readers)) {
                held.take();
            }
        }
    });
}

/// rusqlite's errors as sqlx's, so that callers see one error type: a busy or locked database
/// is what a pool that cannot hand out a connection in time means too (503 to the client).
pub(super) fn from_rusqlite(err: rusqlite::Error) -> sqlx::Error {
    match err {
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(failure.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
        {
            sqlx::Error::PoolTimedOut
        }
        other => sqlx::Error::Protocol(format!("SQLite: {other}")),
    }
}

/// How long a read or a write may take, which decides where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// An index look-up or a short page: microseconds, run in place on SQLite.
    Short,
    /// Work that grows with the data (a text search, a count over many rows): on SQLite, on a
    /// long-read connection, handed over so that it does not hold one of the runtime's threads
    /// from other requests.
    Long,
}

impl Cost {
    /// A read of this many listed ids: a page is short, a batch of thousands (a link answers
    /// with up to 1,000 contacts) is not.
    pub(crate) fn of_ids(count: usize) -> Cost {
        if count <= 100 {
            Cost::Short
        } else {
            Cost::Long
        }
    }
}

impl Store {
    /// Runs a request's work so that its short reads share one read transaction (see the
    /// module's comment). It ends when the work ends, is dropped, or waits for anything (its
    /// body, the pool, a slot for a long read): a request never holds a connection or a
    /// snapshot while it waits, so slow clients cannot make the server open one per request.
    pub async fn request_reads<F: std::future::Future>(&self, work: F) -> F::Output {
        let Some(readers) = &self.in_place else { return work.await };
        let mut work = std::pin::pin!(work);
        let until_it_waits = std::future::poll_fn(|cx| {
            let polled = work.as_mut().poll(cx);
            if polled.is_pending() {
                end_request_reads_of(readers);
            }
            polled
        });
        REQUEST_READS.scope(RefCell::new(None), until_it_waits).await
    }

    /// The portal's stamp if this request's read transaction read it already (SQLite file).
    pub(super) fn request_stamp(&self, portal: PortalId) -> Option<i64> {
        self.in_place.as_ref().and_then(|readers| readers.request_stamp(portal))
    }

    /// The snapshot this request's reads see: on a SQLite file once one of them began its read
    /// transaction; on PostgreSQL, where change notices are heard, the generation before the
    /// reads that follow; `None` elsewhere. Equal snapshots mean no commit in between.
    pub fn request_snapshot(&self) -> Option<Snapshot> {
        if let Some(changes) = &self.changes {
            return Some(Snapshot::Notified(changes.stamp()));
        }
        self.in_place.as_ref().and_then(|readers| readers.request_snapshot())
    }

    /// Notes the portal's stamp as just read by this request's read transaction, if it has one.
    pub(super) fn note_request_stamp(&self, portal: PortalId, stamp: i64) {
        if let Some(readers) = &self.in_place {
            readers.note_request_stamp(portal, stamp);
        }
    }

    /// Ends the request's read transaction, if it has one: the statement about to run goes
    /// through the pool, and what the request reads after it must include what it wrote.
    pub(super) fn end_request_reads(&self) {
        if let Some(readers) = &self.in_place {
            end_request_reads_of(readers);
        }
    }

    /// Runs a short read outside any write transaction and decodes its rows: on a SQLite file on
    /// the calling thread (in the request's read transaction, within one), otherwise through the
    /// pool.
    pub(super) async fn read_rows<T>(
        &self,
        sql: &str,
        args: &Args,
        decode: impl Fn(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        self.read_rows_costing(Cost::Short, sql, args, decode).await
    }

    /// As [`Store::read_rows`], for a read of either cost.
    pub(super) async fn read_rows_costing<T>(
        &self,
        cost: Cost,
        sql: &str,
        args: &Args,
        mut decode: impl FnMut(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        match (&self.in_place, cost) {
            (Some(readers), Cost::Short) => match readers.request_rows(sql, args, &mut decode) {
                Some(read) => read,
                None => readers.short.rows(sql, args, decode),
            },
            (Some(readers), Cost::Long) => readers.long_rows(sql, args, decode).await,
            (None, _) => {
                let rows = args.bind(sqlx::query(sql)).fetch_all(self.pool()).await?;
                rows.iter().map(|row| decode(row)).collect()
            }
        }
    }

    /// Whether reads outside transactions run in place, where rows come back one by one as
    /// cheaply as one value: such reads select rows, not the one JSON value
    /// ([`Store::json_rows`]) that spares a pool's driver handing each row across threads.
    pub(super) fn reads_in_place(&self) -> bool {
        self.in_place.is_some()
    }

    /// A read that answers exactly one row (an aggregate).
    pub(super) async fn read_one<T>(
        &self,
        cost: Cost,
        sql: &str,
        args: &Args,
        decode: impl Fn(&dyn Columns) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        self.read_rows_costing(cost, sql, args, decode).await?.pop().ok_or(sqlx::Error::RowNotFound)
    }

    /// A read whose one row holds one text column named `rows` (a [`Store::json_rows`] value).
    pub(super) async fn read_json_rows(&self, cost: Cost, sql: &str, args: &Args) -> Result<String, sqlx::Error> {
        self.read_one(cost, sql, args, |row| row.text("rows")).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_bind_by_their_number_not_by_where_they_first_appear() {
        let conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
        let mut statement = conn.prepare("SELECT $2 || ':' || $1 AS v").expect("the statement");
        let mut args = Args::default();
        args.push(Arg::Int(1));
        args.push(Arg::Text("two".into()));
        args.bind_in_place(&mut statement).expect("bound");
        let mut rows = statement.raw_query();
        let row = rows.next().expect("a step").expect("a row");
        assert_eq!(row.get::<_, String>(0).expect("v"), "two:1");
    }

    #[test]
    fn in_place_rows_are_read_by_column_name() {
        let conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
        let mut statement = conn.prepare("SELECT 7 AS n, NULL AS gone, 'x' AS t").expect("the statement");
        let names: Vec<String> = statement.column_names().into_iter().map(String::from).collect();
        let mut rows = statement.raw_query();
        let row = NamedRow::new(rows.next().expect("a step").expect("a row"), &names);
        assert_eq!(row.text("t").expect("t"), "x", "out of order");
        assert_eq!(row.int("n").expect("n"), 7);
        assert!(row.flag("n").expect("n"));
        assert_eq!(row.opt_text("gone").expect("gone"), None);
        assert!(matches!(row.int("missing"), Err(sqlx::Error::ColumnNotFound(_))));
    }
}
