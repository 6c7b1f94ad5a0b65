//! Failed login attempts, kept in the database so every server process sees the same counts.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{from_ticks, to_ticks, Store};

/// What a failed login is counted against.
#[derive(Debug, Clone)]
pub enum LoginScope {
    /// The login name as typed (lower-cased), whether or not such an account exists.
    Account(String),
    /// The client's address.
    Address(String),
}

impl LoginScope {
    fn key(&self) -> String {
        match self {
            LoginScope::Account(name) => format!("account:{}", name.to_lowercase()),
            LoginScope::Address(addr) => format!("address:{addr}"),
        }
    }
}

impl Store {
    pub async fn record_login_failure(
        &self,
        portal: i64,
        scopes: &[LoginScope],
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for scope in scopes {
            sqlx::query("INSERT INTO login_failures (portal_id, scope, at) VALUES ($1, $2, $3)")
                .bind(portal)
                .bind(scope.key())
                .bind(to_ticks(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// How many failures a scope has since `since`, and the oldest of them.
    pub async fn login_failures_since(
        &self,
        portal: i64,
        scope: &LoginScope,
        since: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE portal_id = $1 AND scope = $2 AND at >= $3",
        )
        .bind(portal)
        .bind(scope.key())
        .bind(to_ticks(since))
        .fetch_one(&self.pool)
        .await?;
        let oldest: Option<i64> = row.try_get("oldest")?;
        Ok((row.try_get("n")?, oldest.map(from_ticks)))
    }

    /// Forgets an account's failures after a successful login.
    pub async fn clear_login_failures(&self, portal: i64, scope: &LoginScope) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM login_failures WHERE portal_id = $1 AND scope = $2")
            .bind(portal)
            .bind(scope.key())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops failures older than any throttling window.
    pub async fn purge_login_failures(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(to_ticks(before)).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}
