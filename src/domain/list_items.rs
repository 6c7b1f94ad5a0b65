//! Contact statuses and contact types: any CRM user reads them, admins change them.

use super::access::{self, Viewer};
use super::contacts::ListItem;
use super::people::require_admin;
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::ListItemId;
use crate::store::{RowLock, Store};

const MAX_TITLE: usize = 255;

/// The items, each with how many of the contacts the caller may read use it.
pub async fn all(store: &Store, caller: &Caller, list_type: i64) -> ApiResult<Vec<ListItem>> {
    access::require_crm(caller)?;
    Ok(store.list_items(caller.portal, list_type, Some(Viewer::of(caller))).await?)
}

pub async fn get(store: &Store, caller: &Caller, list_type: i64, id: ListItemId) -> ApiResult<ListItem> {
    all(store, caller, list_type)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ApiError::not_found("Not found"))
}

/// What a create or update sets.
pub struct ItemDraft {
    pub title: Option<String>,
    pub description: Option<String>,
    pub color: Option<String>,
    pub sort_order: Option<i64>,
}

fn check_title(title: &str) -> ApiResult<String> {
    super::required_text(title, "title", MAX_TITLE)
}

/// Creates a status (`color` required) or type; sort order 0 or none puts it last.
pub async fn create(
    store: &Store,
    caller: &Caller,
    list_type: i64,
    draft: ItemDraft,
    color_required: bool,
) -> ApiResult<ListItem> {
    require_admin(caller)?;
    let title = check_title(draft.title.as_deref().unwrap_or_default())?;
    if color_required && draft.color.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(ApiError::missing("color"));
    }
    let existing = store.list_items(caller.portal, list_type, None).await?;
    let last = existing.iter().map(|i| i.sort_order).max().unwrap_or(-1);
    let mut item = ListItem {
        id: ListItemId::UNSAVED,
        title,
        description: draft.description,
        color: draft.color,
        sort_order: draft.sort_order.filter(|o| *o > 0).unwrap_or(last + 1),
        used_by: 0,
    };
    let mut tx = store.begin_write().await?;
    item.id = store.insert_list_item(tx.conn(), caller.portal, list_type, &item).await?;
    tx.commit().await?;
    Ok(item)
}

pub async fn update(
    store: &Store,
    caller: &Caller,
    list_type: i64,
    id: ListItemId,
    draft: ItemDraft,
) -> ApiResult<ListItem> {
    require_admin(caller)?;
    let mut item = get(store, caller, list_type, id).await?;
    if let Some(title) = &draft.title {
        item.title = check_title(title)?;
    }
    if let Some(description) = draft.description {
        item.description = Some(description);
    }
    if let Some(color) = draft.color {
        item.color = Some(color);
    }
    if let Some(order) = draft.sort_order {
        item.sort_order = order;
    }
    let mut tx = store.begin_write().await?;
    store.update_list_item(tx.conn(), caller.portal, list_type, &item).await?;
    tx.commit().await?;
    Ok(item)
}

/// Deletes an item no contact uses, unless it is the last of its list. Its use is counted under
/// its row lock inside the deleting transaction: a contact given the item meanwhile either
/// commits first (and the delete is refused) or finds the item gone.
pub async fn delete(store: &Store, caller: &Caller, list_type: i64, id: ListItemId) -> ApiResult<ListItem> {
    require_admin(caller)?;
    let mut tx = store.begin_write().await?;
    if !store.lock_list_item(tx.conn(), caller.portal, list_type, id, RowLock::Update).await? {
        return Err(ApiError::not_found("Not found"));
    }
    let items = store.list_items_in(tx.conn(), caller.portal, list_type, Some(Viewer::of(caller))).await?;
    let item = items.iter().find(|i| i.id == id).cloned().ok_or_else(|| ApiError::not_found("Not found"))?;
    if item.used_by > 0 {
        return Err(ApiError::invalid("id", "contacts use it; change them first"));
    }
    if items.len() == 1 {
        return Err(ApiError::invalid("id", "the last one cannot be deleted"));
    }
    store.delete_list_item(tx.conn(), caller.portal, list_type, id).await?;
    tx.commit().await?;
    Ok(item)
}

/// `PUT crm/contact/status/{id}/color`: only the color changes.
pub async fn set_color(
    store: &Store,
    caller: &Caller,
    list_type: i64,
    id: ListItemId,
    color: &str,
) -> ApiResult<ListItem> {
    require_admin(caller)?;
    let color = super::required_text(color, "color", MAX_TITLE)?;
    let mut tx = store.begin_write().await?;
    if !store.lock_list_item(tx.conn(), caller.portal, list_type, id, RowLock::Update).await? {
        return Err(ApiError::not_found("Not found"));
    }
    let items = store.list_items_in(tx.conn(), caller.portal, list_type, Some(Viewer::of(caller))).await?;
    let mut item = items.into_iter().find(|i| i.id == id).ok_or_else(|| ApiError::not_found("Not found"))?;
    item.color = Some(color);
    store.update_list_item(tx.conn(), caller.portal, list_type, &item).await?;
    tx.commit().await?;
    Ok(item)
}

/// `PUT crm/contact/{status|type}/reorder`: the items named in `titles` (any case) take their
/// position in it as sort order; the others keep theirs. A title the list does not have is a
/// 400 naming `titles` (the original fails with a 500), and nothing changes. Returns the named
/// items in the new order.
pub async fn reorder(store: &Store, caller: &Caller, list_type: i64, titles: &[String]) -> ApiResult<Vec<ListItem>> {
    require_admin(caller)?;
    let mut tx = store.begin_write().await?;
    let items = store.list_items_in(tx.conn(), caller.portal, list_type, Some(Viewer::of(caller))).await?;
    let mut ordered: Vec<ListItem> = Vec::with_capacity(titles.len());
    for title in titles {
        let wanted = title.trim().to_lowercase();
        let item = items
            .iter()
            .find(|i| i.title.to_lowercase() == wanted)
            .ok_or_else(|| ApiError::invalid("titles", format!("no item is titled '{}'", title.trim())))?;
        if !ordered.iter().any(|o| o.id == item.id) {
            ordered.push(item.clone());
        }
    }
    let ids: Vec<ListItemId> = ordered.iter().map(|i| i.id).collect();
    store.reorder_list_items(tx.conn(), caller.portal, list_type, &ids).await?;
    tx.commit().await?;
    for (position, item) in ordered.iter_mut().enumerate() {
        item.sort_order = position as i64;
    }
    Ok(ordered)
}
