//! Contact statuses and contact types (list items), with how many readable contacts use each.

use sqlx::{AnyConnection, Row};

use super::access::{readable_count, CountFrom};
use super::{Arg, Args};
use crate::model::access::Viewer;
use crate::model::contacts::{ListItem, LIST_CONTACT_TYPE};
use crate::model::ids::{ListItemId, PortalId};
use crate::store::{RowLock, Store};

impl Store {
    /// The contact statuses (list type 1) or contact types (4) of the portal, in order; with a
    /// viewer, with how many of the contacts he may read use each (the lists show it; contacts
    /// do not).
    pub async fn list_items(
        &self,
        portal: PortalId,
        list_type: i64,
        usage_for: Option<Viewer>,
    ) -> Result<Vec<ListItem>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.list_items_in(&mut conn, portal, list_type, usage_for).await
    }

    /// The same inside a transaction, to decide a change on the items as they are.
    pub async fn list_items_in(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        list_type: i64,
        usage_for: Option<Viewer>,
    ) -> Result<Vec<ListItem>, sqlx::Error> {
        let column = if list_type == LIST_CONTACT_TYPE { "contact_type_id" } else { "status_id" };
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        args.push(Arg::Int(list_type));
        let used = match usage_for {
            Some(viewer) => {
                readable_count(&mut args, viewer, "l.portal_id", &format!("c.{column} = l.id"), CountFrom::Contacts)
            }
            None => "0".to_string(),
        };
        let sql = format!(
            "SELECT l.id, l.title, l.description, l.color, l.sort_order, {used} AS used \
             FROM crm_list_items l WHERE l.portal_id = $1 AND l.list_type = $2 ORDER BY l.sort_order, l.id"
        );
        let rows = args.bind(sqlx::query(&sql)).fetch_all(conn).await?;
        rows.iter()
            .map(|row| {
                Ok(ListItem {
                    id: ListItemId(row.try_get("id")?),
                    title: row.try_get("title")?,
                    description: row.try_get("description")?,
                    color: row.try_get("color")?,
                    sort_order: row.try_get("sort_order")?,
                    used_by: row.try_get("used")?,
                })
            })
            .collect()
    }

    pub async fn insert_list_item(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        list_type: i64,
        item: &ListItem,
    ) -> Result<ListItemId, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO crm_list_items (portal_id, list_type, title, description, color, sort_order) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(portal.0)
        .bind(list_type)
        .bind(&item.title)
        .bind(item.description.clone())
        .bind(item.color.clone())
        .bind(item.sort_order)
        .fetch_one(conn)
        .await?;
        Ok(ListItemId(row.try_get("id")?))
    }

    /// Whether the portal has any list item yet (the defaults are created once).
    pub async fn has_list_items(&self, conn: &mut AnyConnection, portal: PortalId) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM crm_list_items WHERE portal_id = $1")
            .bind(portal.0)
            .fetch_one(conn)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Changes a list item's fields.
    pub async fn update_list_item(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        list_type: i64,
        item: &ListItem,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE crm_list_items SET title = $4, description = $5, color = $6, sort_order = $7 \
             WHERE portal_id = $1 AND list_type = $2 AND id = $3",
        )
        .bind(portal.0)
        .bind(list_type)
        .bind(item.id.0)
        .bind(&item.title)
        .bind(item.description.clone())
        .bind(item.color.clone())
        .bind(item.sort_order)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_list_item(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        list_type: i64,
        id: ListItemId,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM crm_list_items WHERE portal_id = $1 AND list_type = $2 AND id = $3")
            .bind(portal.0)
            .bind(list_type)
            .bind(id.0)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Whether a contact status (or type) exists, read inside the caller's transaction with a
    /// row lock on PostgreSQL (SQLite writers already run one at a time): `Share` for a write
    /// that assigns the item, `Update` for one that deletes it, so an item is never deleted
    /// while a contact is being given it.
    pub async fn lock_list_item(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        list_type: i64,
        id: ListItemId,
        lock: RowLock,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "SELECT 1 AS found FROM crm_list_items WHERE portal_id = $1 AND list_type = $2 AND id = $3{}",
            self.lock_clause(Some(lock))
        );
        let found = sqlx::query(&sql).bind(portal.0).bind(list_type).bind(id.0).fetch_optional(conn).await?;
        Ok(found.is_some())
    }
}

impl Store {
    /// Gives the listed items their position in the list as sort order, in one statement;
    /// items not listed keep theirs.
    pub async fn reorder_list_items(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        list_type: i64,
        ids: &[ListItemId],
    ) -> Result<(), sqlx::Error> {
        let positions = self.json_positions(3);
        let sql = format!(
            "UPDATE crm_list_items SET sort_order = (SELECT p.pos FROM {positions} p WHERE p.id = crm_list_items.id) \
             WHERE portal_id = $1 AND list_type = $2 AND id IN (SELECT p.id FROM {positions} p)"
        );
        sqlx::query(&sql).bind(portal.0).bind(list_type).bind(super::json_array(ids)).execute(conn).await?;
        Ok(())
    }
}
