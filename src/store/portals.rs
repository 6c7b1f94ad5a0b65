//! Portals (tenants).

use crate::model::ids::{PortalId, UserId};
use sqlx::{AnyConnection, Row};

use super::{to_ticks, Store};

impl Store {
    /// Creates the portal row if missing; true when it was created.
    pub async fn ensure_portal(&self, conn: &mut AnyConnection, portal: PortalId) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("INSERT INTO portals (id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(portal.0)
            .bind(to_ticks(chrono::Utc::now()))
            .execute(conn)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// As [`Store::portal_owner`], outside a transaction.
    pub async fn owner_of(&self, portal: PortalId) -> Result<Option<UserId>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.portal_owner(&mut conn, portal).await
    }

    pub async fn portal_owner(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
    ) -> Result<Option<UserId>, sqlx::Error> {
        let row = sqlx::query("SELECT owner_id FROM portals WHERE id = $1").bind(portal.0).fetch_optional(conn).await?;
        Ok(row
            .map(|row| row.try_get::<Option<String>, _>("owner_id"))
            .transpose()?
            .flatten()
            .and_then(|id| uuid::Uuid::parse_str(&id).ok().map(UserId)))
    }

    pub async fn set_portal_owner(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        owner: UserId,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE portals SET owner_id = $2 WHERE id = $1")
            .bind(portal.0)
            .bind(owner.to_string())
            .execute(conn)
            .await?;
        Ok(())
    }
}
