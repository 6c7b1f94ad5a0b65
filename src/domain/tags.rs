//! Tags on CRM contacts.

use super::access::{self, Right, Viewer};
use super::contacts::{self, Contact, MAX_BATCH};
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::ContactId;
use crate::store::{Conn, Cost, Store};

const MAX_TAG: usize = 255;

/// A tag name: trimmed, not empty, bounded.
pub fn check_name(name: &str) -> ApiResult<String> {
    super::required_text(name, "tagName", MAX_TAG)
}

/// `GET crm/contact/{id}/tag`: the tags of a contact the caller may read.
pub async fn of_contact(store: &Store, caller: &Caller, contact: ContactId) -> ApiResult<Vec<String>> {
    let contact = contacts::get(store, caller, contact).await?;
    Ok(store.contact_tags(caller.portal, contact.id).await?)
}

/// `GET crm/contact/tag`: every tag, with how many of the contacts the caller may read carry it.
pub async fn all(store: &Store, caller: &Caller) -> ApiResult<Vec<(String, i64)>> {
    access::require_crm(caller)?;
    Ok(store.tags(caller.portal, Viewer::of(caller)).await?)
}

/// `POST crm/contact/tag`: a new tag, on no contact yet; a name in use is a 400.
pub async fn create(store: &Store, caller: &Caller, name: &str) -> ApiResult<String> {
    access::require_crm(caller)?;
    let name = check_name(name)?;
    let mut tx = store.begin_write().await?;
    let (_, created) = store.ensure_tag(tx.conn(), caller.portal, &name).await?;
    if !created {
        return Err(ApiError::invalid("tagName", "a tag with this name already exists"));
    }
    tx.commit().await?;
    Ok(name)
}

/// `POST crm/contact/{id}/tag` and `POST crm/contact/taglist`: tags every listed contact the
/// caller may edit (a single contact he may not edit is a 403), creating the tag if needed.
pub async fn add(store: &Store, caller: &Caller, ids: &[ContactId], name: &str, single: bool) -> ApiResult<String> {
    access::require_crm(caller)?;
    let name = check_name(name)?;
    if ids.is_empty() {
        return Err(ApiError::missing("entityid"));
    }
    if ids.len() > MAX_BATCH {
        return Err(ApiError::invalid("entityid", format!("at most {MAX_BATCH} ids")));
    }
    if single {
        let contact = contacts::get(store, caller, ids[0]).await?;
        if !access::can_edit(caller, &contact) {
            return Err(ApiError::forbidden("Access denied"));
        }
    }
    let mut tx = store.begin_write_costing(Cost::of_ids(ids.len())).await?;
    let editable = store.permitted_contact_ids(tx.conn(), caller.portal, Viewer::of(caller), ids, Right::Edit).await?;
    let (tag, _) = store.ensure_tag(tx.conn(), caller.portal, &name).await?;
    store.tag_contacts(tx.conn(), caller.portal, tag, &editable).await?;
    tx.commit().await?;
    Ok(name)
}

/// `DELETE crm/contact/{id}/tag`: 404 for a tag the portal does not have.
pub async fn remove(store: &Store, caller: &Caller, contact: ContactId, name: &str) -> ApiResult<String> {
    let name = check_name(name)?;
    let contact = contacts::get(store, caller, contact).await?;
    if !access::can_edit(caller, &contact) {
        return Err(ApiError::forbidden("Access denied"));
    }
    let mut tx = store.begin_write().await?;
    let tag =
        store.tag_id(tx.conn(), caller.portal, &name).await?.ok_or_else(|| ApiError::not_found("Tag not found"))?;
    store.untag_contact(tx.conn(), caller.portal, tag, contact.id).await?;
    tx.commit().await?;
    Ok(name)
}

/// `DELETE crm/contact/tag`: deletes a tag from every contact (admins only).
pub async fn delete(store: &Store, caller: &Caller, name: &str) -> ApiResult<String> {
    super::people::require_admin(caller)?;
    let name = check_name(name)?;
    let mut tx = store.begin_write().await?;
    let tag =
        store.tag_id(tx.conn(), caller.portal, &name).await?.ok_or_else(|| ApiError::not_found("Tag not found"))?;
    store.delete_tags(tx.conn(), caller.portal, Some(tag)).await?;
    tx.commit().await?;
    Ok(name)
}

/// `DELETE crm/contact/tag/unused`: deletes the tags no contact carries (admins only).
pub async fn delete_unused(store: &Store, caller: &Caller) -> ApiResult<Vec<String>> {
    super::people::require_admin(caller)?;
    let mut tx = store.begin_write().await?;
    let mut deleted = store.delete_tags(tx.conn(), caller.portal, None).await?;
    tx.commit().await?;
    deleted.sort_by_key(|name| name.to_lowercase());
    Ok(deleted)
}

/// The contact a `crm/{company|person}/{id}/tag/group` route names: one the caller may read and
/// of the route's kind (a person under `company`, or the reverse, is not found).
async fn group_head(store: &Store, caller: &Caller, contact: ContactId, is_company: bool) -> ApiResult<Contact> {
    let found = contacts::get(store, caller, contact).await?;
    if found.is_company != is_company {
        return Err(ApiError::not_found(if is_company { "Not a company" } else { "Not a person" }));
    }
    Ok(found)
}

/// The contacts a group tag change reaches: a company and its persons; for a person, his
/// company and its persons, or himself alone when he has none (or one the caller cannot
/// read). Of those, the ones the caller may edit, read inside the transaction.
async fn group_of(store: &Store, mut conn: Conn<'_>, caller: &Caller, head: &Contact) -> ApiResult<Vec<ContactId>> {
    let company = match head.as_company() {
        Some(company) => Some(company),
        None => match head.company_id {
            Some(company) => store
                .contacts_by_ids_in(conn.re(), caller.portal, &[company.contact()])
                .await?
                .into_iter()
                .find(|c| c.is_company && access::can_read(caller, c))
                .and_then(|c| c.as_company()),
            None => None,
        },
    };
    let mut ids = match company {
        Some(company) => {
            let mut ids = vec![company.contact()];
            ids.extend(store.company_member_ids(conn.re(), caller.portal, company).await?);
            ids
        }
        None => vec![head.id],
    };
    ids.sort();
    ids.dedup();
    Ok(store.permitted_contact_ids(conn.re(), caller.portal, Viewer::of(caller), &ids, Right::Edit).await?)
}

/// The checked tag name and the contact a group tag is asked for, which the caller must be
/// allowed to edit.
async fn editable_group_head(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    is_company: bool,
    name: &str,
) -> ApiResult<(String, Contact)> {
    let name = check_name(name)?;
    let head = group_head(store, caller, contact, is_company).await?;
    if !access::can_edit(caller, &head) {
        return Err(ApiError::forbidden("Access denied"));
    }
    Ok((name, head))
}

/// `POST crm/{company|person}/{id}/tag/group`: tags the contact's group (see `group_of`),
/// creating the tag if needed. The named contact must be one the caller may edit.
pub async fn add_to_group(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    is_company: bool,
    name: &str,
) -> ApiResult<String> {
    let (name, head) = editable_group_head(store, caller, contact, is_company, name).await?;
    let mut tx = store.begin_write().await?;
    let group = group_of(store, tx.conn(), caller, &head).await?;
    let (tag, _) = store.ensure_tag(tx.conn(), caller.portal, &name).await?;
    store.tag_contacts(tx.conn(), caller.portal, tag, &group).await?;
    tx.commit().await?;
    Ok(name)
}

/// `DELETE crm/{company|person}/{id}/tag/group`: removes the tag from the same group; a tag the
/// portal does not have is a 400 naming `tagName`, as in the original.
pub async fn remove_from_group(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    is_company: bool,
    name: &str,
) -> ApiResult<String> {
    let (name, head) = editable_group_head(store, caller, contact, is_company, name).await?;
    let mut tx = store.begin_write().await?;
    let tag = store
        .tag_id(tx.conn(), caller.portal, &name)
        .await?
        .ok_or_else(|| ApiError::invalid("tagName", "the portal has no such tag"))?;
    let group = group_of(store, tx.conn(), caller, &head).await?;
    store.untag_contacts(tx.conn(), caller.portal, tag, &group).await?;
    tx.commit().await?;
    Ok(name)
}
