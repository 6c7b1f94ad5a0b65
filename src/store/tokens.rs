//! Authentication tokens, stored as hashes.

use crate::model::ids::{PortalId, UserId};
use chrono::{DateTime, Utc};

use super::{args, to_ticks, Conn, Cost, Store};

impl Store {
    pub async fn insert_token(
        &self,
        portal: PortalId,
        user: UserId,
        token_hash: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let sql =
            "INSERT INTO tokens (token_hash, portal_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        let args = args![token_hash, portal.0, user.to_string(), to_ticks(Utc::now()), to_ticks(expires)];
        self.write_statement(Cost::Short, sql, &args).await?;
        Ok(())
    }

    /// Revokes one token; false when it was unknown or already revoked.
    pub async fn revoke_token(&self, portal: PortalId, token_hash: &str) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE tokens SET revoked_at = $3 WHERE portal_id = $1 AND token_hash = $2 AND revoked_at IS NULL";
        let args = args![portal.0, token_hash, to_ticks(Utc::now())];
        Ok(self.write_statement(Cost::Short, sql, &args).await? > 0)
    }

    /// Revokes every token of a user (after a password change), inside the caller's transaction.
    pub async fn revoke_user_tokens(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
    ) -> Result<u64, sqlx::Error> {
        let sql = "UPDATE tokens SET revoked_at = $3 WHERE portal_id = $1 AND user_id = $2 AND revoked_at IS NULL";
        conn.execute(sql, &args![portal.0, user.to_string(), to_ticks(Utc::now())]).await
    }

    /// Deletes tokens that expired before `before`, so the table does not grow without end.
    pub async fn purge_expired_tokens(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        self.write_statement(Cost::Long, "DELETE FROM tokens WHERE expires_at < $1", &args![to_ticks(before)]).await
    }
}
