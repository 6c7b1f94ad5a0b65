//! Changes to a PostgreSQL database, as its notices tell a server process: what lets that
//! process keep callers, users, contact settings and answers between requests ([`kept`](super::kept),
//! `http::answers`) without a round trip to ask whether they still hold.
//!
//! Migration 0025 has every table that an answer or a caller is read from notify the channel
//! [`CHANNEL`] in each transaction that writes it, whichever process writes (another server, the
//! CLI, `psql`); PostgreSQL delivers the notice once the transaction commits. Each process
//! listens on a connection of its own and counts what it hears into a *generation*: something
//! read while the generation was `g` is answered again only while it is still `g`. A process
//! also moves its generation on after each of its own commits, so that a client's next request
//! to the same process sees what it wrote even before the notice arrives. Through another
//! process a write shows once its notice arrives there (it is sent at commit, to every
//! listener at once).
//!
//! Without a listening connection nothing can be kept: while the listener is down each stamp
//! asked for is a new one, so nothing kept before or meanwhile matches, and a reconnected
//! listener moves the generation on for what might have been missed. A connection can also die
//! without a word (a firewall forgetting an idle connection delivers nothing and reports
//! nothing), so a listener that has heard nothing for [`QUIET_BEFORE_PROBE`] sends a
//! [`HEARTBEAT`] notice through the pool and counts its connection lost unless some notice
//! arrives within [`PROBE_WAIT`].

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::AnyPool;
use tokio::task::JoinHandle;

/// The channel migration 0025's triggers notify.
const CHANNEL: &str = "portald_changes";

/// The payload of a notice that tells of no change, only that notices arrive.
const HEARTBEAT: &str = "heartbeat";

/// How long a listener hears nothing before it checks that notices still reach it.
const QUIET_BEFORE_PROBE: Duration = Duration::from_secs(10);

/// How long a heartbeat may take to come back.
const PROBE_WAIT: Duration = Duration::from_secs(5);

/// How long the listener waits before connecting again after its connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What a process has heard of the database's changes.
#[derive(Default)]
pub(super) struct Changes {
    generation: AtomicI64,
    listening: AtomicBool,
    /// Notices received, for the server's metrics.
    notices: AtomicU64,
    listener: Mutex<Option<JoinHandle<()>>>,
}

impl Changes {
    /// Connects a listener to the database at `url` and keeps it listening until
    /// [`Changes::close`]; `pool` (the same database's) sends its heartbeats.
    pub(super) async fn listen(url: &str, pool: AnyPool) -> Result<Arc<Changes>, sqlx::Error> {
        let listener = connect(url).await?;
        let changes = Arc::new(Changes::default());
        changes.listening.store(true, Ordering::SeqCst);
        let task = tokio::spawn(listen_on(listener, url.to_string(), pool, Arc::downgrade(&changes)));
        *changes.listener.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
        Ok(changes)
    }

    /// The stamp to keep what is about to be read with: read before the reads it guards, so a
    /// change committed after it, or during them, moves the generation past it.
    pub(super) fn stamp(&self) -> i64 {
        if self.listening.load(Ordering::SeqCst) {
            self.generation.load(Ordering::SeqCst)
        } else {
            self.changed()
        }
    }

    /// Moves the generation on: whatever was kept until now no longer matches. Returns the new one.
    pub(super) fn changed(&self) -> i64 {
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether a notice arrives within `wait`.
    pub(super) async fn heard_within(&self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while self.notices.load(Ordering::Relaxed) == 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// Notices received so far, and whether the listener is connected.
    pub(super) fn state(&self) -> (u64, bool) {
        (self.notices.load(Ordering::Relaxed), self.listening.load(Ordering::SeqCst))
    }

    /// Stops listening (the store is closing).
    pub(super) fn close(&self) {
        self.listening.store(false, Ordering::SeqCst);
        if let Some(task) = self.listener.lock().unwrap_or_else(PoisonError::into_inner).take() {
            task.abort();
        }
        self.changed();
    }

    fn heard(&self, payload: &str) {
        if payload != HEARTBEAT {
            self.changed();
        }
        self.notices.fetch_add(1, Ordering::Relaxed);
    }

    /// The listener's connection failed: nothing is kept until it listens again.
    fn lost(&self) {
        self.listening.store(false, Ordering::SeqCst);
        self.changed();
    }

    /// The listener listens again: whatever was read before may have missed a notice.
    fn listening_again(&self) {
        self.changed();
        self.listening.store(true, Ordering::SeqCst);
        self.changed();
    }
}

impl Drop for Changes {
    fn drop(&mut self) {
        if let Some(task) = self.listener.get_mut().unwrap_or_else(PoisonError::into_inner).take() {
            task.abort();
        }
    }
}

/// Sends a notice of no change through `pool`: it comes back to every listener.
pub(super) async fn send_heartbeat(pool: &AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(HEARTBEAT).execute(pool).await.map(drop)
}

async fn connect(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Counts notices until the store closes (its `Changes` are dropped or closed).
async fn listen_on(mut listener: PgListener, url: String, pool: AnyPool, weak: std::sync::Weak<Changes>) {
    let mut probing = false;
    loop {
        let wait = if probing { PROBE_WAIT } else { QUIET_BEFORE_PROBE };
        // A wait cut short leaves nothing half read that matters: the connection is either
        // probed, its notices arriving as before, or given up.
        let received = match tokio::time::timeout(wait, listener.try_recv()).await {
            Ok(received) => received,
            Err(_) if !probing => match send_heartbeat(&pool).await {
                Ok(()) => {
                    probing = true;
                    continue;
                }
                Err(err) => Err(err),
            },
            Err(_) => Err(sqlx::Error::Protocol("no change notice came back".into())),
        };
        probing = false;
        let Some(changes) = weak.upgrade() else { return };
        match received {
            Ok(Some(notice)) => changes.heard(notice.payload()),
            // The connection dropped and sqlx connected and listened again at once: notices
            // sent in between are lost.
            Ok(None) => changes.listening_again(),
            Err(err) => {
                tracing::warn!(error = %err, "lost the database's change notices; nothing is kept until they come again");
                changes.lost();
                drop(changes);
                listener = loop {
                    tokio::time::sleep(RECONNECT_AFTER).await;
                    if weak.strong_count() == 0 {
                        return;
                    }
                    match connect(&url).await {
                        Ok(listener) => break listener,
                        Err(err) => tracing::warn!(error = %err, "listening for database changes"),
                    }
                };
                let Some(changes) = weak.upgrade() else { return };
                changes.listening_again();
            }
        }
    }
}
