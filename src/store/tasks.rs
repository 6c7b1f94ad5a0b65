//! Background tasks: queueing, claiming with a lease, and the fenced step counter (see
//! `migrations/*/0014_background_tasks.sql`).

use sqlx::Row;

use super::{args, from_ticks, to_ticks, Backend, Columns, Conn, Store};
use crate::model::ids::{PortalId, UserId};
use crate::model::tasks::{Task, TaskStatus};

const TASK_COLUMNS: &str = "id, portal_id, kind, subject, params, status, step, steps, error, created_by, \
    created_at, updated_at, claimed_by, attempts";

fn task_from_row(row: &dyn Columns) -> Result<Task, sqlx::Error> {
    Ok(Task {
        id: row.int("id")?,
        portal: PortalId(row.int("portal_id")?),
        kind: row.text("kind")?,
        subject: row.text("subject")?,
        params: row.text("params")?,
        status: TaskStatus::from_number(row.int("status")?),
        step: row.int("step")?,
        steps: row.int("steps")?,
        error: row.opt_text("error")?,
        created_by: UserId(super::parse_uuid(&row.text("created_by")?)?),
        created_at: from_ticks(row.int("created_at")?),
        updated_at: from_ticks(row.int("updated_at")?),
        claimed_by: row.opt_text("claimed_by")?,
        attempts: row.int("attempts")?,
    })
}

/// A task to queue.
pub struct NewTask<'a> {
    pub portal: PortalId,
    pub kind: &'a str,
    pub subject: &'a str,
    pub params: &'a str,
    pub steps: i64,
    pub created_by: UserId,
}

impl Store {
    /// The newest task of a kind for a subject, finished or not.
    pub async fn task_of(&self, portal: PortalId, kind: &str, subject: &str) -> Result<Option<Task>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.latest_task(Conn::Pooled(&mut conn), portal, kind, subject).await
    }

    /// As [`Store::task_of`], inside a transaction.
    pub async fn latest_task(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        kind: &str,
        subject: &str,
    ) -> Result<Option<Task>, sqlx::Error> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM background_tasks WHERE portal_id = $1 AND kind = $2 AND subject = $3 \
             ORDER BY id DESC LIMIT 1"
        );
        Ok(conn.rows(&sql, &args![portal.0, kind, subject], task_from_row).await?.pop())
    }

    /// The unfinished tasks of a kind among `subjects`.
    pub async fn unfinished_tasks(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        kind: &str,
        subjects: &[String],
    ) -> Result<Vec<Task>, sqlx::Error> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM background_tasks WHERE portal_id = $1 AND kind = $2 AND status < 2 \
             AND subject IN {}",
            self.json_texts(3)
        );
        conn.rows(&sql, &args![portal.0, kind, super::json_array(subjects)], task_from_row).await
    }

    /// Queues a task; returns it, or `None` when an unfinished one of its kind and subject
    /// exists (queued meanwhile by another server).
    pub async fn insert_task(&self, mut conn: Conn<'_>, task: &NewTask<'_>) -> Result<Option<Task>, sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        let sql = format!(
            "INSERT INTO background_tasks (portal_id, kind, subject, params, status, step, steps, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7, $7) \
             ON CONFLICT (portal_id, kind, subject) WHERE status < 2 DO NOTHING RETURNING {TASK_COLUMNS}"
        );
        let args =
            args![task.portal.0, task.kind, task.subject, task.params, task.steps, task.created_by.to_string(), now];
        Ok(conn.rows(&sql, &args, task_from_row).await?.pop())
    }

    /// Whether some unfinished task is free to claim (a read, before taking the write lock).
    pub async fn task_due(&self, now: chrono::DateTime<chrono::Utc>) -> Result<bool, sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM background_tasks WHERE status < 2 \
             AND (lease_until IS NULL OR lease_until < $1) LIMIT 1) AS due",
        )
        .bind(to_ticks(now))
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Claims the oldest unfinished task nobody holds (never claimed, or its lease ran out) for
    /// `runner` until `lease_until`, counting the attempt. On PostgreSQL, runners of other
    /// processes skip a task being claimed; SQLite's writers run one at a time.
    pub async fn claim_task(
        &self,
        runner: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Task>, sqlx::Error> {
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE background_tasks SET status = 1, claimed_by = $1, lease_until = $3, attempts = attempts + 1, \
             updated_at = $2 WHERE id = (SELECT id FROM background_tasks WHERE status < 2 \
             AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT 1{skip_locked}) \
             RETURNING {TASK_COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let claimed = tx.conn().rows(&sql, &args![runner, to_ticks(now), to_ticks(lease_until)], task_from_row).await?;
        tx.commit().await?;
        Ok(claimed.into_iter().next())
    }

    /// The fence of a step: moves the task held by `runner` from step `step` to `step + 1`
    /// (done when that is the last), renewing the lease. False when the task is no longer
    /// this runner's at that step (terminated, or taken over after the lease ran out): the
    /// caller then rolls back. Called first in the step's transaction, it also locks the row,
    /// so a runner taking the task over waits for the step to commit or roll back.
    pub async fn advance_task(
        &self,
        mut conn: Conn<'_>,
        task: i64,
        runner: &str,
        step: i64,
        lease_until: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE background_tasks SET step = step + 1, \
                   status = CASE WHEN step + 1 >= steps THEN 2 ELSE 1 END, \
                   lease_until = CASE WHEN step + 1 >= steps THEN NULL ELSE $4 END, updated_at = $5 \
                   WHERE id = $1 AND claimed_by = $2 AND step = $3 AND status = 1";
        let args = args![task, runner, step, to_ticks(lease_until), to_ticks(chrono::Utc::now())];
        Ok(conn.execute(sql, &args).await? == 1)
    }

    /// Ends an unfinished task as failed with `error`; when `runner` is given, only while that
    /// runner holds it. False when it was already finished (or not this runner's).
    pub async fn fail_task(
        &self,
        mut conn: Conn<'_>,
        task: i64,
        runner: Option<&str>,
        error: &str,
    ) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE background_tasks SET status = 3, error = $3, lease_until = NULL, updated_at = $4 \
                   WHERE id = $1 AND status < 2 AND ($2 = '' OR claimed_by = $2)";
        let args = args![task, runner.unwrap_or_default(), error, to_ticks(chrono::Utc::now())];
        Ok(conn.execute(sql, &args).await? == 1)
    }

    /// Deletes the finished tasks of a kind for a subject (a new one replaces them).
    pub async fn delete_finished_tasks(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        kind: &str,
        subject: &str,
    ) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM background_tasks WHERE portal_id = $1 AND kind = $2 AND subject = $3 AND status >= 2";
        conn.execute(sql, &args![portal.0, kind, subject]).await?;
        Ok(())
    }
}
