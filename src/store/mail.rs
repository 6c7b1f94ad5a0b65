//! The mail outbox and the one-time tokens of the links mail carries.
//!
//! Mail is queued inside the transaction of the change that causes it, so the change and its
//! mail are kept or lost together. Senders claim due rows for a lease (`claimed_by`,
//! `claimed_until`); on PostgreSQL the claim skips rows another process is claiming at that
//! moment (`FOR UPDATE SKIP LOCKED`), and SQLite's writers run one at a time, so no two
//! senders hold one row.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{args, from_ticks, to_ticks, Backend, Conn, Cost, Store};
use crate::model::ids::{PortalId, UserId};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// A queued message a sender has claimed.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: i64,
    pub message_id: String,
    pub mail: OutgoingMail,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// A one-time link token as stored.
#[derive(Debug, Clone)]
pub struct UserLink {
    pub user: UserId,
    pub purpose: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

const CLAIMED: &str = "id, message_id, recipient, subject, body, attempts";
/// A message that a sender may claim at the time bound as `$1`.
const DUE: &str = "sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                   AND (claimed_until IS NULL OR claimed_until < $1)";

impl Store {
    /// Queues a message in the caller's transaction; `message_id` is its Message-ID header.
    pub async fn queue_mail(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        message_id: &str,
        mail: &OutgoingMail,
    ) -> Result<(), sqlx::Error> {
        let now = to_ticks(Utc::now());
        let sql = "INSERT INTO mail_outbox (portal_id, message_id, recipient, subject, body, created_at, \
                   next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
        let args = args![portal.0, message_id, mail.recipient.clone(), mail.subject.clone(), mail.body.clone(), now];
        conn.execute(sql, &args).await?;
        Ok(())
    }

    /// Tells this process's sender that mail was queued (call after the commit).
    pub fn mail_queued(&self) {
        self.outbox.notify_one();
    }

    /// Waits until [`Store::mail_queued`] is called (or was, since the last wait).
    pub async fn mail_wait(&self) {
        self.outbox.notified().await;
    }

    /// Whether a message is due (a read, so an idle sender takes no write lock).
    pub async fn mail_due(&self, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let sql = format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM mail_outbox WHERE {DUE} LIMIT 1) AS d");
        let row = sqlx::query(&sql).bind(to_ticks(now)).fetch_one(self.pool()).await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Claims up to `limit` due messages for `sender` until `lease_until`: unsent, not given up,
    /// due, and not claimed by a sender whose lease still runs.
    pub async fn claim_mail(
        &self,
        sender: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, sqlx::Error> {
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let due = DUE.replace("$1", "$3");
        let sql = format!(
            "UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN (\
             SELECT id FROM mail_outbox WHERE {due} ORDER BY id LIMIT $4{skip_locked}) \
             RETURNING {CLAIMED}"
        );
        let mut tx = self.begin_write().await?;
        let args = args![sender, to_ticks(lease_until), to_ticks(now), limit];
        let mut conn = tx.conn();
        let claimed = conn.rows(&sql, &args, |row| {
            Ok(OutboxMessage {
                id: row.int("id")?,
                message_id: row.text("message_id")?,
                mail: OutgoingMail {
                    recipient: row.text("recipient")?,
                    subject: row.text("subject")?,
                    body: row.text("body")?,
                },
                attempts: row.int("attempts")?,
            })
        });
        let mut messages = claimed.await?;
        drop(conn);
        tx.commit().await?;
        messages.sort_by_key(|m| m.id);
        Ok(messages)
    }

    /// Records that the SMTP server accepted a claimed message.
    pub async fn mail_sent(&self, id: i64, sender: &str, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
        let sql = "UPDATE mail_outbox SET sent_at = $3, attempts = attempts + 1, claimed_by = NULL, \
                   claimed_until = NULL, last_error = NULL WHERE id = $1 AND claimed_by = $2";
        self.write_statement(Cost::Short, sql, &args![id, sender, to_ticks(at)]).await?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when `None`.
    pub async fn mail_failed(
        &self,
        id: i64,
        sender: &str,
        error: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), sqlx::Error> {
        let sql = "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, claimed_by = NULL, \
                   claimed_until = NULL, next_attempt_at = COALESCE($4, next_attempt_at), \
                   failed_at = CASE WHEN $4 IS NULL THEN $5 END WHERE id = $1 AND claimed_by = $2";
        let args = args![id, sender, error, retry_at.map(to_ticks), to_ticks(now)];
        self.write_statement(Cost::Short, sql, &args).await?;
        Ok(())
    }

    /// How many messages wait to be sent.
    pub async fn mail_waiting(&self) -> Result<i64, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            .fetch_one(self.pool())
            .await?;
        row.try_get("n")
    }

    /// Stores the hash of a one-time link token in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_user_link(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        token_hash: &str,
        user: UserId,
        purpose: &str,
        email: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let sql = "INSERT INTO user_links (token_hash, portal_id, user_id, purpose, email, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let args =
            args![token_hash, portal.0, user.to_string(), purpose, email, to_ticks(Utc::now()), to_ticks(expires)];
        conn.execute(sql, &args).await?;
        Ok(())
    }

    /// A link token by its hash, locked until the transaction ends (PostgreSQL; SQLite's
    /// writers already run one at a time), so two uses of one token run one after the other.
    pub async fn user_link(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        token_hash: &str,
    ) -> Result<Option<UserLink>, sqlx::Error> {
        let sql = format!(
            "SELECT user_id, purpose, email, expires_at, used_at FROM user_links \
             WHERE portal_id = $1 AND token_hash = $2{}",
            self.lock_clause(Some(super::RowLock::Update))
        );
        let args = args![portal.0, token_hash];
        let links = conn.rows(&sql, &args, |row| {
            Ok(UserLink {
                user: UserId(super::parse_uuid(&row.text("user_id")?)?),
                purpose: row.text("purpose")?,
                email: row.text("email")?,
                expires_at: from_ticks(row.int("expires_at")?),
                used_at: row.opt_int("used_at")?.map(from_ticks),
            })
        });
        Ok(links.await?.pop())
    }

    /// Marks used every unused link token of a user with one of `purposes`.
    pub async fn use_user_links(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
        purposes: &[&str],
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "UPDATE user_links SET used_at = $3 WHERE portal_id = $1 AND user_id = $2 AND used_at IS NULL \
             AND purpose IN {}",
            self.json_texts(4)
        );
        let args = args![portal.0, user.to_string(), to_ticks(Utc::now()), super::json_array(purposes)];
        conn.execute(&sql, &args).await?;
        Ok(())
    }

    /// Deletes link tokens that expired before `before`.
    pub async fn purge_user_links(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        self.write_statement(Cost::Long, "DELETE FROM user_links WHERE expires_at < $1", &args![to_ticks(before)]).await
    }

    /// Sets a user's activation status (EmployeeActivationStatus flags).
    pub async fn set_activation_status(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
        activation_status: i64,
    ) -> Result<(), sqlx::Error> {
        let sql = "UPDATE users SET activation_status = $3, last_modified = $4 WHERE portal_id = $1 AND id = $2 \
                   AND removed = 0";
        conn.execute(sql, &args![portal.0, user.to_string(), activation_status, to_ticks(Utc::now())]).await?;
        Ok(())
    }
}
