//! Authentication tokens, stored as hashes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::model::ids::{PortalId, UserId};
use crate::model::people::User;
use chrono::{DateTime, Utc};

use super::{to_ticks, Store};

impl Store {
    pub async fn insert_token(
        &self,
        portal: PortalId,
        user: UserId,
        token_hash: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO tokens (token_hash, portal_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(portal.0)
        .bind(user.to_string())
        .bind(to_ticks(Utc::now()))
        .bind(to_ticks(expires))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Revokes one token; false when it was unknown or already revoked.
    pub async fn revoke_token(&self, portal: PortalId, token_hash: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $3 WHERE portal_id = $1 AND token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(portal.0)
        .bind(token_hash)
        .bind(to_ticks(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every token of a user (after a password change), inside the caller's transaction.
    pub async fn revoke_user_tokens(
        &self,
        conn: &mut sqlx::AnyConnection,
        portal: PortalId,
        user: UserId,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $3 WHERE portal_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(portal.0)
        .bind(user.to_string())
        .bind(to_ticks(Utc::now()))
        .execute(conn)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deletes tokens that expired before `before`, so the table does not grow without end.
    pub async fn purge_expired_tokens(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("DELETE FROM tokens WHERE expires_at < $1").bind(to_ticks(before)).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }
}

/// How many callers a server keeps; past it, it starts again from none (valid tokens only are
/// kept, so only that many signed-in users in a row can empty it).
const MAX_KEPT_CALLERS: usize = 10_000;

/// The users last read for tokens, each with its portal's caller stamp (migration 0023) as read in
/// the same statement. Kept on a SQLite file, where reading the stamp costs a look-up of one row
/// on the calling thread; a kept user is answered only while that stamp is still the portal's.
#[derive(Default)]
pub(super) struct KeptCallers {
    by_token_hash: Mutex<HashMap<String, KeptCaller>>,
}

struct KeptCaller {
    portal: PortalId,
    stamp: i64,
    expires_at: i64,
    user: User,
}

impl KeptCallers {
    /// The user kept for the token, if read at `stamp` and not expired at `now` (ticks).
    pub(super) fn get(&self, portal: PortalId, token_hash: &str, stamp: i64, now: i64) -> Option<User> {
        let kept = self.by_token_hash.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(token_hash)
            .filter(|caller| caller.portal == portal && caller.stamp == stamp && caller.expires_at > now)
            .map(|caller| caller.user.clone())
    }

    pub(super) fn keep(&self, portal: PortalId, token_hash: &str, stamp: i64, expires_at: i64, user: &User) {
        let mut kept = self.by_token_hash.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MAX_KEPT_CALLERS && !kept.contains_key(token_hash) {
            kept.clear();
        }
        kept.insert(token_hash.to_string(), KeptCaller { portal, stamp, expires_at, user: user.clone() });
    }
}
