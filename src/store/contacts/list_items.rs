//! Contact statuses and contact types (list items), with how many readable contacts use each.

use super::access::{readable_count, CountFrom};
use super::{args, Arg, Args, Conn};
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
        self.list_items_in(Conn::Pooled(&mut conn), portal, list_type, usage_for).await
    }

    /// The same inside a transaction, to decide a change on the items as they are.
    pub async fn list_items_in(
        &self,
        mut conn: Conn<'_>,
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
        conn.rows(&sql, &args, |row| {
            Ok(ListItem {
                id: ListItemId(row.int("id")?),
                title: row.text("title")?,
                description: row.opt_text("description")?,
                color: row.opt_text("color")?,
                sort_order: row.int("sort_order")?,
                used_by: row.int("used")?,
            })
        })
        .await
    }

    pub async fn insert_list_item(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        list_type: i64,
        item: &ListItem,
    ) -> Result<ListItemId, sqlx::Error> {
        let sql = "INSERT INTO crm_list_items (portal_id, list_type, title, description, color, sort_order) \
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        let args = args![
            portal.0,
            list_type,
            item.title.clone(),
            item.description.clone(),
            item.color.clone(),
            item.sort_order
        ];
        Ok(ListItemId(conn.one(sql, &args, |row| row.int("id")).await?))
    }

    /// Whether the portal has any list item yet (the defaults are created once).
    pub async fn has_list_items(&self, mut conn: Conn<'_>, portal: PortalId) -> Result<bool, sqlx::Error> {
        let sql = "SELECT COUNT(*) AS n FROM crm_list_items WHERE portal_id = $1";
        Ok(conn.one(sql, &args![portal.0], |row| row.int("n")).await? > 0)
    }

    /// Changes a list item's fields.
    pub async fn update_list_item(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        list_type: i64,
        item: &ListItem,
    ) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE crm_list_items SET title = $4, description = $5, color = $6, sort_order = $7 \
                   WHERE portal_id = $1 AND list_type = $2 AND id = $3";
        let args = args![
            portal.0,
            list_type,
            item.id.0,
            item.title.clone(),
            item.description.clone(),
            item.color.clone(),
            item.sort_order
        ];
        Ok(conn.execute(sql, &args).await? > 0)
    }

    pub async fn delete_list_item(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        list_type: i64,
        id: ListItemId,
    ) -> Result<(), sqlx::Error> {
        let sql = "DELETE FROM crm_list_items WHERE portal_id = $1 AND list_type = $2 AND id = $3";
        conn.execute(sql, &args![portal.0, list_type, id.0]).await?;
        Ok(())
    }

    /// Whether a contact status (or type) exists, read inside the caller's transaction with a
    /// row lock on PostgreSQL (SQLite writers already run one at a time): `Share` for a write
    /// that assigns the item, `Update` for one that deletes it, so an item is never deleted
    /// while a contact is being given it.
    pub async fn lock_list_item(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        list_type: i64,
        id: ListItemId,
        lock: RowLock,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "SELECT 1 AS found FROM crm_list_items WHERE portal_id = $1 AND list_type = $2 AND id = $3{}",
            self.lock_clause(Some(lock))
        );
        let found = conn.rows(&sql, &args![portal.0, list_type, id.0], |_| Ok(())).await?;
        Ok(!found.is_empty())
    }
}

impl Store {
    /// Gives the listed items their position in the list as sort order, in one statement;
    /// items not listed keep theirs.
    pub async fn reorder_list_items(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        list_type: i64,
        ids: &[ListItemId],
    ) -> Result<(), sqlx::Error> {
        let positions = self.json_positions(3);
        let sql = format!(
            "UPDATE crm_list_items SET sort_order = (SELECT p.pos FROM {positions} p WHERE p.id = crm_list_items.id) \
             WHERE portal_id = $1 AND list_type = $2 AND id IN (SELECT p.id FROM {positions} p)"
        );
        conn.execute(&sql, &args![portal.0, list_type, super::json_array(ids)]).await?;
        Ok(())
    }
}
