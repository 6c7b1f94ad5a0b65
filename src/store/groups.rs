//! Groups (departments) and their members.

use crate::model::ids::{GroupId, PortalId, UserId};
use sqlx::Row;

use super::{args, json_array, parse_uuid, to_ticks, Conn, Store};
use crate::model::groups::Group;

fn group_from_row(row: &sqlx::any::AnyRow) -> Result<Group, sqlx::Error> {
    let id: String = row.try_get("id")?;
    let manager: Option<String> = row.try_get("manager_id")?;
    Ok(Group {
        id: GroupId(parse_uuid(&id)?),
        name: row.try_get("name")?,
        manager: manager.and_then(|m| uuid::Uuid::parse_str(&m).ok()).map(UserId),
    })
}

impl Store {
    /// Every group of the portal, by name.
    pub async fn groups(&self, portal: PortalId) -> Result<Vec<Group>, sqlx::Error> {
        let rows = sqlx::query("SELECT id, name, manager_id FROM groups WHERE portal_id = $1 ORDER BY name, id")
            .bind(portal.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(group_from_row).collect()
    }

    pub async fn group(&self, portal: PortalId, id: GroupId) -> Result<Option<Group>, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, manager_id FROM groups WHERE portal_id = $1 AND id = $2")
            .bind(portal.0)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(group_from_row).transpose()
    }

    /// The groups `user` is a member of.
    pub async fn groups_of(&self, portal: PortalId, user: UserId) -> Result<Vec<Group>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, g.manager_id FROM groups g JOIN group_members m ON m.portal_id = g.portal_id AND m.group_id = g.id \
             WHERE g.portal_id = $1 AND m.user_id = $2 ORDER BY g.name, g.id",
        )
        .bind(portal.0)
        .bind(user.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(group_from_row).collect()
    }

    /// The ids of a group's members.
    pub async fn group_member_ids(&self, portal: PortalId, group: GroupId) -> Result<Vec<UserId>, sqlx::Error> {
        let rows = sqlx::query("SELECT user_id FROM group_members WHERE portal_id = $1 AND group_id = $2")
            .bind(portal.0)
            .bind(group.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(UserId(parse_uuid(&row.try_get::<String, _>("user_id")?)?))).collect()
    }

    /// Creates or renames a group and sets its manager.
    pub async fn save_group(&self, mut conn: Conn<'_>, portal: PortalId, group: &Group) -> Result<(), sqlx::Error> {
        let sql = "INSERT INTO groups (portal_id, id, name, manager_id, created_at) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (portal_id, id) DO UPDATE SET name = excluded.name, manager_id = excluded.manager_id";
        let args = args![
            portal.0,
            group.id.to_string(),
            group.name.clone(),
            group.manager.map(|m| m.to_string()),
            to_ticks(chrono::Utc::now())
        ];
        conn.execute(sql, &args).await?;
        Ok(())
    }

    pub async fn delete_group(&self, mut conn: Conn<'_>, portal: PortalId, group: GroupId) -> Result<(), sqlx::Error> {
        for sql in [
            "DELETE FROM group_members WHERE portal_id = $1 AND group_id = $2",
            "DELETE FROM groups WHERE portal_id = $1 AND id = $2",
        ] {
            conn.execute(sql, &args![portal.0, group.to_string()]).await?;
        }
        Ok(())
    }

    /// Adds live users to a group (those already in it stay once), in one statement.
    pub async fn add_group_members(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        group: GroupId,
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        let ids = json_array(&users.iter().map(UserId::to_string).collect::<Vec<_>>());
        let sql = format!(
            "INSERT INTO group_members (portal_id, group_id, user_id) \
             SELECT $1, $2, u.id FROM users u WHERE u.portal_id = $1 AND u.removed = 0 AND u.id IN {} \
             ON CONFLICT DO NOTHING",
            self.json_texts(3)
        );
        conn.execute(&sql, &args![portal.0, group.to_string(), ids]).await?;
        Ok(())
    }

    /// Removes users from a group; `None` removes everyone.
    pub async fn remove_group_members(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        group: GroupId,
        users: Option<&[UserId]>,
    ) -> Result<(), sqlx::Error> {
        match users {
            None => {
                let sql = "DELETE FROM group_members WHERE portal_id = $1 AND group_id = $2";
                conn.execute(sql, &args![portal.0, group.to_string()]).await?;
            }
            Some(users) => {
                let ids = json_array(&users.iter().map(UserId::to_string).collect::<Vec<_>>());
                let sql = format!(
                    "DELETE FROM group_members WHERE portal_id = $1 AND group_id = $2 AND user_id IN {}",
                    self.json_texts(3)
                );
                conn.execute(&sql, &args![portal.0, group.to_string(), ids]).await?;
            }
        }
        Ok(())
    }

    /// Replaces a user's groups.
    pub async fn set_user_groups(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
        groups: &[GroupId],
    ) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM group_members WHERE portal_id = $1 AND user_id = $2";
        conn.execute(sql, &args![portal.0, user.to_string()]).await?;
        let ids = json_array(&groups.iter().map(GroupId::to_string).collect::<Vec<_>>());
        let sql = format!(
            "INSERT INTO group_members (portal_id, group_id, user_id) \
             SELECT $1, g.id, $2 FROM groups g WHERE g.portal_id = $1 AND g.id IN {}",
            self.json_texts(3)
        );
        conn.execute(&sql, &args![portal.0, user.to_string(), ids]).await?;
        Ok(())
    }
}
