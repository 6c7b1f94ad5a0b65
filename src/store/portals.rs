//! Portals (tenants).

use super::{args, to_ticks, Conn, Store};
use crate::model::ids::{PortalId, UserId};

impl Store {
    /// Creates the portal row if missing; true when it was created.
    pub async fn ensure_portal(&self, mut conn: Conn<'_>, portal: PortalId) -> Result<bool, sqlx::Error> {
        let sql = "INSERT INTO portals (id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        Ok(conn.execute(sql, &args![portal.0, to_ticks(chrono::Utc::now())]).await? > 0)
    }

    /// As [`Store::portal_owner`], outside a transaction.
    pub async fn owner_of(&self, portal: PortalId) -> Result<Option<UserId>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.portal_owner(Conn::Pooled(&mut conn), portal).await
    }

    pub async fn portal_owner(&self, mut conn: Conn<'_>, portal: PortalId) -> Result<Option<UserId>, sqlx::Error> {
        let sql = "SELECT owner_id FROM portals WHERE id = $1";
        let owner = conn.rows(sql, &args![portal.0], |row| row.opt_text("owner_id")).await?.pop().flatten();
        Ok(owner.and_then(|id| uuid::Uuid::parse_str(&id).ok().map(UserId)))
    }

    pub async fn set_portal_owner(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        owner: UserId,
    ) -> Result<(), sqlx::Error> {
        conn.execute("UPDATE portals SET owner_id = $2 WHERE id = $1", &args![portal.0, owner.to_string()]).await?;
        Ok(())
    }
}
