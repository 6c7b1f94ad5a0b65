//! SQLite's write-ahead log stays bounded under steady writes: the server checkpoints it off
//! the write path, and wholly enough that the log starts again from its beginning.

mod common;

use common::TestDb;
use portald::config::DatabaseArgs;
use portald::store::{Arg, Args, Store};

/// Commits of 8 KiB each, back to back: 8,000 of them left 136 MB in a log never wholly copied
/// back (the checkpointer without its second step), and 104 MB in one whose checkpointer waited
/// 200 ms to gather commits whatever their number (written in place, they take 0.4 s).
const COMMITS: usize = 8_000;
const BODY_BYTES: usize = 8 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_stays_small_while_writes_go_on() {
    let db = TestDb::sqlite();
    let store = Store::connect(&DatabaseArgs { database_url: db.url.clone(), db_connections: 2 })
        .await
        .expect("database opens");
    let mut tx = store.begin_write().await.expect("a write transaction");
    let table = "CREATE TABLE written (id INTEGER PRIMARY KEY, body TEXT NOT NULL)";
    tx.conn().execute(table, &Args::default()).await.expect("table");
    tx.commit().await.expect("commit");

    let body = "w".repeat(BODY_BYTES);
    for _ in 0..COMMITS {
        let mut tx = store.begin_write().await.expect("a write transaction");
        let insert = "INSERT INTO written (body) VALUES ($1)";
        tx.conn().execute(insert, &Args::of(vec![Arg::Text(body.clone())])).await.expect("insert");
        tx.commit().await.expect("commit");
    }

    let log = db.sqlite_file().expect("a SQLite file").with_extension("db-wal");
    let log_bytes = std::fs::metadata(&log).expect("the log").len();
    let written_bytes = (COMMITS * BODY_BYTES) as u64;
    assert!(
        log_bytes < written_bytes / 2,
        "the log holds {log_bytes} bytes after {written_bytes} bytes were written in {COMMITS} commits"
    );
    let mut tx = store.begin_write().await.expect("a transaction");
    let rows = tx.conn().one("SELECT COUNT(*) AS n FROM written", &Args::default(), |row| row.int("n")).await;
    let rows = rows.expect("count");
    assert_eq!(rows, COMMITS as i64, "every commit is there");
    drop(tx);
    store.close().await;
}
