//! Background tasks: queueing, claiming with a lease, and the fenced step counter (see
//! `migrations/*/0014_background_tasks.sql`).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{from_ticks, to_ticks, Backend, Store};
use crate::model::ids::{PortalId, UserId};
use crate::model::tasks::{Task, TaskStatus};

const TASK_COLUMNS: &str = "id, portal_id, kind, subject, params, status, step, steps, error, created_by, \
    created_at, updated_at, claimed_by, attempts";

fn task_from_row(row: &AnyRow) -> Result<Task, sqlx::Error> {
    Ok(Task {
        id: row.try_get("id")?,
        portal: PortalId(row.try_get("portal_id")?),
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        params: row.try_get("params")?,
        status: TaskStatus::from_number(row.try_get("status")?),
        step: row.try_get("step")?,
        steps: row.try_get("steps")?,
        error: row.try_get("error")?,
        created_by: UserId(super::parse_uuid(&row.try_get::<String, _>("created_by")?)?),
        created_at: from_ticks(row.try_get("created_at")?),
        updated_at: from_ticks(row.try_get("updated_at")?),
        claimed_by: row.try_get("claimed_by")?,
        attempts: row.try_get("attempts")?,
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
        self.latest_task(self.pool(), portal, kind, subject).await
    }

    /// As [`Store::task_of`], inside a transaction.
    pub async fn latest_task<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
        &self,
        conn: E,
        portal: PortalId,
        kind: &str,
        subject: &str,
    ) -> Result<Option<Task>, sqlx::Error> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM background_tasks WHERE portal_id = $1 AND kind = $2 AND subject = $3 \
             ORDER BY id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(portal.0).bind(kind).bind(subject).fetch_optional(conn).await?;
        row.as_ref().map(task_from_row).transpose()
    }

    /// The unfinished tasks of a kind among `subjects`.
    pub async fn unfinished_tasks(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        kind: &str,
        subjects: &[String],
    ) -> Result<Vec<Task>, sqlx::Error> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM background_tasks WHERE portal_id = $1 AND kind = $2 AND status < 2 \
             AND subject IN {}",
            self.json_texts(3)
        );
        let rows =
            sqlx::query(&sql).bind(portal.0).bind(kind).bind(super::json_array(subjects)).fetch_all(conn).await?;
        rows.iter().map(task_from_row).collect()
    }

    /// Queues a task; returns it, or `None` when an unfinished one of its kind and subject
    /// exists (queued meanwhile by another server).
    pub async fn insert_task(&self, conn: &mut AnyConnection, task: &NewTask<'_>) -> Result<Option<Task>, sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        let sql = format!(
            "INSERT INTO background_tasks (portal_id, kind, subject, params, status, step, steps, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7, $7) \
             ON CONFLICT (portal_id, kind, subject) WHERE status < 2 DO NOTHING RETURNING {TASK_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(task.portal.0)
            .bind(task.kind)
            .bind(task.subject)
            .bind(task.params)
            .bind(task.steps)
            .bind(task.created_by.to_string())
            .bind(now)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(task_from_row).transpose()
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
        let mut tx = self.begin_pooled_write().await?;
        let row = sqlx::query(&sql)
            .bind(runner)
            .bind(to_ticks(now))
            .bind(to_ticks(lease_until))
            .fetch_optional(tx.conn())
            .await?;
        tx.commit().await?;
        row.as_ref().map(task_from_row).transpose()
    }

    /// The fence of a step: moves the task held by `runner` from step `step` to `step + 1`
    /// (done when that is the last), renewing the lease. False when the task is no longer
    /// this runner's at that step (terminated, or taken over after the lease ran out): the
    /// caller then rolls back. Called first in the step's transaction, it also locks the row,
    /// so a runner taking the task over waits for the step to commit or roll back.
    pub async fn advance_task(
        &self,
        conn: &mut AnyConnection,
        task: i64,
        runner: &str,
        step: i64,
        lease_until: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE background_tasks SET step = step + 1, status = CASE WHEN step + 1 >= steps THEN 2 ELSE 1 END, \
             lease_until = CASE WHEN step + 1 >= steps THEN NULL ELSE $4 END, updated_at = $5 \
             WHERE id = $1 AND claimed_by = $2 AND step = $3 AND status = 1",
        )
        .bind(task)
        .bind(runner)
        .bind(step)
        .bind(to_ticks(lease_until))
        .bind(to_ticks(chrono::Utc::now()))
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends an unfinished task as failed with `error`; when `runner` is given, only while that
    /// runner holds it. False when it was already finished (or not this runner's).
    pub async fn fail_task(
        &self,
        conn: &mut AnyConnection,
        task: i64,
        runner: Option<&str>,
        error: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE background_tasks SET status = 3, error = $3, lease_until = NULL, updated_at = $4 \
             WHERE id = $1 AND status < 2 AND ($2 = '' OR claimed_by = $2)",
        )
        .bind(task)
        .bind(runner.unwrap_or_default())
        .bind(error)
        .bind(to_ticks(chrono::Utc::now()))
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the finished tasks of a kind for a subject (a new one replaces them).
    pub async fn delete_finished_tasks(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        kind: &str,
        subject: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM background_tasks WHERE portal_id = $1 AND kind = $2 AND subject = $3 AND status >= 2")
            .bind(portal.0)
            .bind(kind)
            .bind(subject)
            .execute(conn)
            .await?;
        Ok(())
    }
}
