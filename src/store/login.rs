//! Login attempts counted for throttling, kept in the database so every server process sees
//! the same counts. An attempt is counted before its password is checked and forgotten if it
//! succeeds, so the rows of a scope are its failed (and in-flight) attempts.

use chrono::{DateTime, Utc};

use crate::model::ids::PortalId;
use crate::model::login::LoginScope;

use super::{args, from_ticks, json_array, to_ticks, Backend, Conn, Cost, Store};

/// The key a scope's attempts are stored and locked under.
fn scope_key(scope: &LoginScope) -> String {
    match scope {
        LoginScope::User(id) => format!("user:{id}"),
        LoginScope::Account(name) => format!("account:{}", name.to_lowercase()),
        LoginScope::Address(addr) => format!("address:{addr}"),
        LoginScope::Reminder(email) => format!("reminder:{}", email.to_lowercase()),
        LoginScope::ReminderAddress(addr) => format!("reminder-address:{addr}"),
    }
}

impl Store {
    /// Makes other attempts on these scopes wait until this write transaction ends, so counting
    /// and recording an attempt is one step. SQLite's single writer already serialises them;
    /// callers lock scopes in the same order (account, then address), so two never deadlock.
    pub async fn lock_login_scopes(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        scopes: &[LoginScope],
    ) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            for scope in scopes {
                let sql = "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, $2))) AS l";
                conn.rows(sql, &args![scope_key(scope), portal.0], |_| Ok(())).await?;
            }
        }
        Ok(())
    }

    /// How many attempts a scope has since `since`, and the oldest of them.
    pub async fn login_attempts_since(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        scope: &LoginScope,
        since: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
        let sql = "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures \
                   WHERE portal_id = $1 AND scope = $2 AND at >= $3";
        let args = args![portal.0, scope_key(scope), to_ticks(since)];
        conn.one(sql, &args, |row| Ok((row.int("n")?, row.opt_int("oldest")?.map(from_ticks)))).await
    }

    /// Counts an attempt against each scope; returns the ids of the rows, to forget them if the
    /// attempt succeeds.
    pub async fn record_login_attempt(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        scopes: &[LoginScope],
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let mut ids = Vec::with_capacity(scopes.len());
        for scope in scopes {
            let sql = "INSERT INTO login_failures (portal_id, scope, at) VALUES ($1, $2, $3) RETURNING id";
            ids.push(conn.one(sql, &args![portal.0, scope_key(scope), to_ticks(at)], |row| row.int("id")).await?);
        }
        Ok(ids)
    }

    /// Forgets the attempts with these ids.
    pub async fn forget_login_attempts(&self, portal: PortalId, ids: &[i64]) -> Result<(), sqlx::Error> {
        let sql = format!("DELETE FROM login_failures WHERE portal_id = $1 AND id IN {}", self.json_ints(2));
        self.write_statement(Cost::Short, &sql, &args![portal.0, json_array(ids)]).await?;
        Ok(())
    }

    /// Forgets every attempt counted against a scope, after a successful login.
    pub async fn clear_login_failures(&self, portal: PortalId, scope: &LoginScope) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM login_failures WHERE portal_id = $1 AND scope = $2";
        self.write_statement(Cost::Short, sql, &args![portal.0, scope_key(scope)]).await?;
        Ok(())
    }

    /// Drops attempts older than any throttling window.
    pub async fn purge_login_failures(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        self.write_statement(Cost::Long, "DELETE FROM login_failures WHERE at < $1", &args![to_ticks(before)]).await
    }
}
