//! Checkpoints of a SQLite file's write-ahead log, off the write path.
//!
//! By default SQLite copies the log back into the database file (and syncs both) in the commit
//! that finds the log past 1,000 pages. That commit runs behind the process's writer lock, so
//! every writer waited for it. A loop of contact creates on the 100,000-contact file took 470–550
//! µs each with those checkpoints and 300 µs without; checkpointing less often (every 10,000
//! pages) still took 440 µs, because each commit writes pages of its own (a new text-index
//! segment, say) that a checkpoint copies however rarely it runs.
//!
//! So the connection of write transactions never checkpoints; a task of its own does, on a
//! connection of its own, a moment after commits (or at once after a burst of them). It copies
//! the log while writers go on appending to it, then copies the little they appended meanwhile
//! holding the writer lock. The log is then wholly in the file, and the next transaction starts
//! it again from its beginning: without that second step a log under steady writes was never
//! wholly copied and grew without end (150 MB in four seconds of access changes).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// How long a checkpoint waits after the commit that called for it, so that the commits of a
/// busy moment share one (each costs file syncs).
const GATHER_COMMITS: Duration = Duration::from_millis(200);

/// Commits after which a checkpoint starts without waiting out [`GATHER_COMMITS`]: written in
/// place, 8,000 commits of 8 KiB took 0.4 s and the log held them all (104 MB) until the
/// checkpointer's first round.
const COMMITS_BEFORE_CHECKPOINT: u64 = 1_000;

/// The checkpointer of one SQLite file.
pub(super) struct Checkpoints {
    wake: Arc<Notify>,
    /// Commits since the last checkpoint began.
    commits: Arc<AtomicU64>,
    /// Wakes a gathering checkpointer once those are [`COMMITS_BEFORE_CHECKPOINT`].
    many_commits: Arc<Notify>,
    checkpointer: Arc<Mutex<Checkpointer>>,
}

struct Checkpointer {
    file: PathBuf,
    /// Its own connection, opened at the first checkpoint.
    conn: Option<rusqlite::Connection>,
    closed: bool,
}

impl Checkpoints {
    /// Starts the checkpointer of `file` on the current runtime; `writer` is the lock this
    /// process's write transactions take.
    pub(super) fn start(file: &Path, writer: Arc<tokio::sync::Mutex<()>>) -> Checkpoints {
        let checkpointer = Checkpointer { file: file.to_path_buf(), conn: None, closed: false };
        let checkpoints = Checkpoints {
            wake: Arc::default(),
            commits: Arc::default(),
            many_commits: Arc::default(),
            checkpointer: Arc::new(Mutex::new(checkpointer)),
        };
        let (wake, checkpointer) = (checkpoints.wake.clone(), checkpoints.checkpointer.clone());
        let (commits, many_commits) = (checkpoints.commits.clone(), checkpoints.many_commits.clone());
        tokio::spawn(async move {
            loop {
                wake.notified().await;
                let _ = tokio::time::timeout(GATHER_COMMITS, many_commits.notified()).await;
                commits.store(0, Ordering::Relaxed);
                if !checkpoint(&checkpointer).await {
                    return;
                }
                let _writer = writer.lock().await;
                if !checkpoint(&checkpointer).await {
                    return;
                }
            }
        });
        checkpoints
    }

    /// A write transaction committed: the log has grown.
    pub(super) fn after_commit(&self) {
        if self.commits.fetch_add(1, Ordering::Relaxed) + 1 == COMMITS_BEFORE_CHECKPOINT {
            self.many_commits.notify_one();
        }
        self.wake.notify_one();
    }

    /// Stops checkpointing and closes its connection (the store is closing). The last
    /// connection to the file that closes checkpoints the whole log, as SQLite does.
    pub(super) fn close(&self) {
        if let Ok(mut checkpointer) = self.checkpointer.lock() {
            checkpointer.closed = true;
            checkpointer.conn = None;
        }
        self.wake.notify_one();
    }
}

/// One passive checkpoint on a blocking thread (it syncs files); false once closed.
async fn checkpoint(checkpointer: &Arc<Mutex<Checkpointer>>) -> bool {
    let checkpointer = checkpointer.clone();
    let run = tokio::task::spawn_blocking(move || {
        checkpointer.lock().map(|mut checkpointer| checkpointer.checkpoint()).unwrap_or(false)
    });
    matches!(run.await, Ok(true))
}

impl Checkpointer {
    /// Copies what it can of the log into the database file; false once closed. A failure is
    /// logged, and the next commit tries again (meanwhile the log only grows).
    fn checkpoint(&mut self) -> bool {
        if self.closed {
            return false;
        }
        if self.conn.is_none() {
            match rusqlite::Connection::open(&self.file) {
                Ok(conn) => self.conn = Some(conn),
                Err(err) => {
                    tracing::warn!(%err, "cannot open the database for a checkpoint");
                    return true;
                }
            }
        }
        if let Some(conn) = &self.conn {
            let checkpointed = conn
                .busy_timeout(Duration::from_secs(10))
                .and_then(|()| conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())));
            if let Err(err) = checkpointed {
                tracing::warn!(%err, "checkpoint failed");
            }
        }
        true
    }
}
