//! Background tasks that outlive the server process running them.
//!
//! A task is a row (see the store) with a kind, a subject (what it is about: at most one
//! unfinished task of a kind per subject), JSON parameters and a number of steps. Each step runs
//! in one transaction that first moves the task's step counter, fenced on the runner holding it
//! ([`Store::advance_task`]), then makes the step's changes: a step is applied wholly or not at
//! all, and never twice. Runners claim tasks with a lease ([`LEASE`]); a task whose runner died
//! (the server was killed) is claimed again when its lease runs out, by the restarted server or
//! any other process on the database, and resumes at its first step not done. A task that keeps
//! ending its runner is marked failed after [`MAX_ATTEMPTS`], so nothing stays "started"
//! forever; a step that fails marks its task failed with the error, its earlier steps done (the
//! progress says how many).
//!
//! A kind is a [`TaskKind`] variant whose steps live in its own module (leaving users in
//! `domain::leaving`, contact import and export in `domain::transfer`).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{watch, Notify};

use crate::error::{ApiError, ApiResult};
use crate::model::ids::{PortalId, UserId};
use crate::store::{Conn, Cost, NewTask, Store};

pub use crate::model::tasks::{Task, TaskStatus};

/// How long a claim holds without its runner committing a step.
pub const LEASE: Duration = Duration::from_secs(10);
/// How often a claim may be taken (a server ending during the task each time) before the task
/// is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;
/// How often an idle runner looks for tasks queued by other processes or left by dead ones.
const POLL: Duration = Duration::from_secs(1);

/// The kinds of task and their steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// A leaving user's data handed over to another user (`people/reassign/*`).
    Reassign,
    /// A leaving user's data removed (`people/remove/*`).
    Remove,
    /// An uploaded file of contacts imported, in one step (`crm/contact/import/*`).
    ImportContacts,
    /// Contacts written to a file, a page a step (`crm/export/partial/*`).
    ExportContacts,
}

impl TaskKind {
    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Reassign => "reassign",
            TaskKind::Remove => "remove",
            TaskKind::ImportContacts => "import-contacts",
            TaskKind::ExportContacts => "export-contacts",
        }
    }

    fn parse(name: &str) -> Option<TaskKind> {
        [TaskKind::Reassign, TaskKind::Remove, TaskKind::ImportContacts, TaskKind::ExportContacts]
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    async fn run_step(self, store: &Store, mut conn: Conn<'_>, task: &Task, step: i64) -> ApiResult<()> {
        match self {
            TaskKind::Reassign => super::leaving::reassign_step(store, conn.re(), task, step).await,
            TaskKind::Remove => super::leaving::remove_step(store, conn.re(), task, step).await,
            TaskKind::ImportContacts => super::transfer::import_step(store, conn.re(), task).await,
            TaskKind::ExportContacts => super::transfer::export_step(store, conn.re(), task, step).await,
        }
    }
}

/// A task's parameter `name`, as its kind stored it.
pub fn param(task: &Task, name: &str) -> ApiResult<serde_json::Value> {
    let params: serde_json::Value =
        serde_json::from_str(&task.params).map_err(|e| ApiError::Internal(anyhow::anyhow!("task parameters: {e}")))?;
    match params.get(name) {
        Some(value) if !value.is_null() => Ok(value.clone()),
        _ => Err(ApiError::Internal(anyhow::anyhow!("task {} lacks its {name}", task.id))),
    }
}

/// Queues a task of `kind` about `subject` inside `conn`'s transaction, unless an unfinished
/// one runs for it: that one is returned instead. Finished ones are replaced.
pub async fn enqueue(
    store: &Store,
    mut conn: Conn<'_>,
    portal: PortalId,
    kind: TaskKind,
    subject: &str,
    params: &serde_json::Value,
    steps: i64,
    created_by: UserId,
) -> ApiResult<Task> {
    if let Some(task) = store.latest_task(conn.re(), portal, kind.name(), subject).await? {
        if !task.status.is_finished() {
            return Ok(task);
        }
    }
    store.delete_finished_tasks(conn.re(), portal, kind.name(), subject).await?;
    let params = params.to_string();
    let new = NewTask { portal, kind: kind.name(), subject, params: &params, steps, created_by };
    match store.insert_task(conn.re(), &new).await? {
        Some(task) => Ok(task),
        // Another server queued one meanwhile.
        None => store
            .latest_task(conn.re(), portal, kind.name(), subject)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a queued task vanished"))),
    }
}

/// The newest task of `kind` about `subject`.
pub async fn latest(store: &Store, portal: PortalId, kind: TaskKind, subject: &str) -> ApiResult<Option<Task>> {
    Ok(store.task_of(portal, kind.name(), subject).await?)
}

/// Stops the unfinished task of `kind` about `subject`: it ends as failed, saying how many of
/// its steps were done (the step running meanwhile rolls back). Returns whether one was.
pub async fn terminate(store: &Store, portal: PortalId, kind: TaskKind, subject: &str) -> ApiResult<bool> {
    let mut tx = store.begin_write().await?;
    let Some(task) = store.latest_task(tx.conn(), portal, kind.name(), subject).await? else {
        return Ok(false);
    };
    let message = format!("Terminated: {} of {} steps were done", task.step, task.steps);
    let stopped = store.fail_task(tx.conn(), task.id, None, &message).await?;
    tx.commit().await?;
    Ok(stopped)
}

/// Wakes the runner of this process (a task was queued).
#[derive(Default, Clone)]
pub struct TaskWaker(Arc<Notify>);

impl TaskWaker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Runs queued tasks in the background until `stop` turns true.
pub fn spawn_runner(store: Store, waker: TaskWaker, mut stop: watch::Receiver<bool>) {
    let runner = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        loop {
            let ran = match run_next(&store, &runner).await {
                Ok(ran) => ran,
                Err(err) => {
                    tracing::warn!(error = %err, "running a background task");
                    false
                }
            };
            if ran {
                continue;
            }
            tokio::select! {
                _ = waker.0.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    });
}

fn lease_end() -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default()
}

/// Claims one task and runs its remaining steps; false when none was due.
async fn run_next(store: &Store, runner: &str) -> ApiResult<bool> {
    if !store.task_due(Utc::now()).await? {
        return Ok(false);
    }
    let Some(task) = store.claim_task(runner, Utc::now(), lease_end()).await? else {
        return Ok(false);
    };
    let kind = match TaskKind::parse(&task.kind) {
        Some(kind) if task.attempts <= MAX_ATTEMPTS => kind,
        Some(_) => {
            let message = format!(
                "Failed: the server ended {} times while running step {} of {}; {} steps were done",
                task.attempts - 1,
                task.step + 1,
                task.steps,
                task.step
            );
            fail(store, &task, runner, &message).await?;
            return Ok(true);
        }
        None => {
            fail(store, &task, runner, &format!("Failed: unknown task kind {:?}", task.kind)).await?;
            return Ok(true);
        }
    };
    tracing::info!(task = task.id, kind = %task.kind, step = task.step, steps = task.steps, "running a background task");
    for step in task.step..task.steps {
        let mut busy = 0;
        loop {
            match run_step(store, runner, kind, &task, step).await {
                Ok(true) => break,
                // Terminated, or taken over by another runner after our lease ran out.
                Ok(false) => return Ok(true),
                // Another writer held the database: the step rolled back; it runs again.
                Err(ApiError::Busy) if busy < BUSY_RETRIES => {
                    busy += 1;
                    tokio::time::sleep(BUSY_PAUSE).await;
                }
                Err(err) => {
                    tracing::warn!(task = task.id, step, error = %err, "a background task failed");
                    let message = format!("Failed at step {} of {} ({step} done): {err}", step + 1, task.steps);
                    fail(store, &task, runner, &message).await?;
                    return Ok(true);
                }
            }
        }
    }
    Ok(true)
}

/// How often a step that found the database busy runs again, and after what pause.
const BUSY_RETRIES: u32 = 10;
const BUSY_PAUSE: Duration = Duration::from_millis(500);

/// One step in one transaction, fenced on the runner; false when the fence says the task is
/// no longer this runner's at this step.
async fn run_step(store: &Store, runner: &str, kind: TaskKind, task: &Task, step: i64) -> ApiResult<bool> {
    // A step is a page of an export or a whole import: long work for a runtime thread.
    let mut tx = store.begin_write_costing(Cost::Long).await?;
    if !store.advance_task(tx.conn(), task.id, runner, step, lease_end()).await? {
        return Ok(false);
    }
    kind.run_step(store, tx.conn(), task, step).await?;
    tx.commit().await?;
    Ok(true)
}

async fn fail(store: &Store, task: &Task, runner: &str, message: &str) -> ApiResult<()> {
    let mut tx = store.begin_write().await?;
    store.fail_task(tx.conn(), task.id, Some(runner), message).await?;
    tx.commit().await?;
    Ok(())
}
