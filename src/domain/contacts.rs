//! CRM contacts: creating, changing, reading and deleting persons and companies, their access
//! rights, and their links to projects. Every rule goes through `access`.

use std::collections::HashMap;

use super::access::{self, Right, Viewer};
use super::custom_fields::{self, FieldValue};
use super::people::User;
use super::{projects, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::contacts::{display_name, ContactDetails};
use crate::model::ids::{CompanyId, ContactId, InfoId, ListItemId, PortalId, ProjectId, ShareType, UserId};
use crate::store::{Conn, Cost, RowLock, Store, WriteTx};

pub use crate::model::contacts::{
    info_type_name, info_type_names, Contact, ContactFilter, ContactInfo, ContactPatch, ContactSort, InfoMatch,
    ListItem, NewContact, INFO_ADDRESS, INFO_PHONE, INFO_TYPES, LIST_CONTACT_STATUS, LIST_CONTACT_TYPE,
};

/// The most ids one batch request may name.
pub const MAX_BATCH: usize = 100_000;
const MAX_NAME: usize = 255;

/// The default contact statuses ("temperature") and types of a new portal, as the original's.
const DEFAULT_STATUSES: [(&str, &str); 3] = [("Cold", "#8a98d8"), ("Warm", "#ffd267"), ("Hot", "#df7895")];
const DEFAULT_TYPES: [&str; 4] = ["Client", "Supplier", "Partner", "Competitor"];

/// Creates the default statuses and types of a portal that has none.
pub async fn ensure_defaults(store: &Store, portal: PortalId) -> ApiResult<()> {
    let mut tx = store.begin_write().await?;
    if !store.has_list_items(tx.conn(), portal).await? {
        for (order, (title, color)) in DEFAULT_STATUSES.iter().enumerate() {
            let item = ListItem {
                id: ListItemId::UNSAVED,
                title: (*title).into(),
                description: None,
                color: Some((*color).into()),
                sort_order: order as i64,
                used_by: 0,
            };
            store.insert_list_item(tx.conn(), portal, LIST_CONTACT_STATUS, &item).await?;
        }
        for (order, title) in DEFAULT_TYPES.iter().enumerate() {
            let item = ListItem {
                id: ListItemId::UNSAVED,
                title: (*title).into(),
                description: None,
                color: None,
                sort_order: order as i64,
                used_by: 0,
            };
            store.insert_list_item(tx.conn(), portal, LIST_CONTACT_TYPE, &item).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A contact the caller may read; otherwise 404, as if it did not exist.
pub async fn get(store: &Store, caller: &Caller, id: ContactId) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    positive(id.0, "contactid")?;
    store
        .contact(caller.portal, id)
        .await?
        .filter(|c| access::can_read(caller, c))
        .ok_or_else(|| ApiError::not_found("Not found"))
}

/// A contact the caller may edit: 404 if he may not read it, 403 if only that.
pub async fn get_editable(store: &Store, caller: &Caller, id: ContactId) -> ApiResult<Contact> {
    let contact = get(store, caller, id).await?;
    editable(&contact, caller)?;
    Ok(contact)
}

/// The same, locked for the caller's transaction, which then changes it.
pub async fn lock_editable(store: &Store, mut conn: Conn<'_>, caller: &Caller, id: ContactId) -> ApiResult<Contact> {
    positive(id.0, "contactid")?;
    let locked = lock_readable(store, conn.re(), caller, &[id]).await?;
    editable(find(&locked, id)?, caller).cloned()
}

/// Ids the API takes are positive; anything else is a 400 naming the parameter.
pub fn positive(id: i64, name: &str) -> ApiResult<i64> {
    if id <= 0 {
        return Err(ApiError::invalid(name, "must be a positive number"));
    }
    Ok(id)
}

fn check_name(value: &str, name: &str) -> ApiResult<String> {
    super::required_text(value, name, MAX_NAME)
}

/// An optional free text, kept as given (an empty one too, as the original shows it), at most
/// `max` characters.
fn optional_text(value: Option<String>, name: &str, max: usize) -> ApiResult<Option<String>> {
    if value.as_ref().is_some_and(|text| text.chars().count() > max) {
        return Err(ApiError::invalid(name, format!("at most {max} characters")));
    }
    Ok(value)
}

/// The checks a new contact passes, from the API and from the importer alike: a person has a
/// first name (the last name may be empty: the original's "lastname is not required field
/// now"), a company a name; texts are trimmed and bounded.
pub fn check_new(contact: &mut NewContact) -> ApiResult<()> {
    if contact.is_company {
        contact.company_name = check_name(&contact.company_name, "companyName")?;
    } else {
        contact.first_name = check_name(&contact.first_name, "firstName")?;
        let last_name = contact.last_name.trim();
        if last_name.chars().count() > MAX_NAME {
            return Err(ApiError::invalid("lastName", format!("at most {MAX_NAME} characters")));
        }
        contact.last_name = last_name.to_string();
    }
    contact.title = optional_text(contact.title.take(), "jobTitle", MAX_NAME)?;
    contact.industry = optional_text(contact.industry.take(), "industry", MAX_NAME)?;
    contact.about = optional_text(contact.about.take(), "about", MAX_INFO_DATA)?;
    Ok(())
}

/// `POST crm/contact/person` and `POST crm/contact/company`; a new company's `persons`
/// (`personList`) join it in the same transaction, each one the caller may edit (others,
/// companies and ids of nothing are skipped, as the original skips what it may not read).
pub async fn create(
    store: &Store,
    caller: &Caller,
    mut contact: NewContact,
    persons: &[ContactId],
) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    check_new(&mut contact)?;
    if let Some(company) = contact.company_id {
        positive(company.0, "companyId")?;
        let company = get(store, caller, company.contact()).await?;
        if !company.is_company {
            return Err(ApiError::invalid("companyId", "not a company"));
        }
    }
    check_fields(store, caller, contact.is_company, &contact.fields).await?;
    let mut tx = store.begin_write().await?;
    let id = ContactId(store.insert_contact(tx.conn(), caller.portal, &contact, caller.user.id).await?);
    set_fields(store, tx.conn(), caller, id, &contact.fields).await?;
    if contact.is_company && !persons.is_empty() {
        if persons.len() > MAX_BATCH {
            return Err(ApiError::invalid("personList", format!("at most {MAX_BATCH} ids")));
        }
        let mut ids: Vec<ContactId> = persons.iter().copied().filter(|p| p.0 > 0).collect();
        ids.sort_unstable();
        ids.dedup();
        let members: Vec<ContactId> = lock_readable(store, tx.conn(), caller, &ids)
            .await?
            .into_iter()
            .filter(|p| !p.is_company && access::can_edit(caller, p))
            .map(|p| p.id)
            .collect();
        store.set_persons_company(tx.conn(), caller.portal, &members, Some(CompanyId(id.0)), caller.user.id).await?;
    }
    tx.commit().await?;
    store
        .contact(caller.portal, id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("created contact {id} is missing")))
}

/// What `PUT crm/contact/person/{id}` and `.../company/{id}` change; `None` leaves a field.
#[derive(Debug, Default)]
pub struct ContactChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub about: Option<String>,
    /// `Some(None)` takes a person out of his company.
    pub company_id: Option<Option<CompanyId>>,
    pub share_type: Option<ShareType>,
    pub managers: Option<Vec<UserId>>,
    pub fields: Vec<FieldValue>,
}

/// Updates a person (`is_company` false) or a company; 403 without the edit right.
pub async fn update(
    store: &Store,
    caller: &Caller,
    id: ContactId,
    is_company: bool,
    changes: ContactChanges,
) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    positive(id.0, "contactid")?;
    let checked = |value: &Option<String>, name: &str| value.as_deref().map(|v| check_name(v, name)).transpose();
    let mut patch = ContactPatch {
        first_name: checked(&changes.first_name, "firstName")?,
        last_name: checked(&changes.last_name, "lastName")?,
        company_name: checked(&changes.company_name, "companyName")?,
        title: optional_text(changes.title, "jobTitle", MAX_NAME)?,
        about: optional_text(changes.about, "about", MAX_INFO_DATA)?,
        share_type: changes.share_type,
        company_id: changes.company_id,
        ..ContactPatch::default()
    };
    if let Some(Some(company)) = patch.company_id {
        positive(company.0, "companyId")?;
    }
    check_fields(store, caller, is_company, &changes.fields).await?;
    let new_company = patch.company_id.flatten().map(CompanyId::contact);
    let mut tx = store.begin_write().await?;
    let locked =
        lock_readable(store, tx.conn(), caller, &[Some(id), new_company].into_iter().flatten().collect::<Vec<_>>())
            .await?;
    let contact = editable(find(&locked, id)?, caller)?;
    if contact.is_company != is_company {
        return Err(ApiError::not_found("Not found"));
    }
    if let Some(company) = new_company {
        if !find(&locked, company)?.is_company {
            return Err(ApiError::invalid("companyId", "not a company"));
        }
    }
    if patch.first_name.is_some() || patch.last_name.is_some() || patch.company_name.is_some() {
        let name = |new: &Option<String>, old: &String| new.clone().unwrap_or_else(|| old.clone());
        patch.display_name = Some(display_name(
            is_company,
            &name(&patch.first_name, &contact.first_name),
            &name(&patch.last_name, &contact.last_name),
            &name(&patch.company_name, &contact.company_name),
        ));
    }
    store.update_contact(tx.conn(), caller.portal, id, &patch, caller.user.id).await?;
    set_fields(store, tx.conn(), caller, id, &changes.fields).await?;
    if let Some(managers) = &changes.managers {
        store.set_managers(tx.conn(), caller.portal, &[id], managers).await?;
    }
    finish_edit(store, tx, caller, id).await
}

/// Takes the row locks of `ids` for the rest of the transaction (in id order, as every writer
/// does) and reads those contacts as they are now, leaving out the ones the caller may not read.
/// Reading after the lock, inside the transaction, is what keeps an edit from deciding on, or
/// writing back, a copy another client has changed meanwhile.
async fn lock_readable(
    store: &Store,
    mut conn: Conn<'_>,
    caller: &Caller,
    ids: &[ContactId],
) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    store.lock_contacts(conn.re(), caller.portal, ids).await?;
    readable_in(store, conn.re(), caller, ids).await
}

/// The contacts among `ids` the caller may read, as the caller's transaction sees them.
async fn readable_in(store: &Store, mut conn: Conn<'_>, caller: &Caller, ids: &[ContactId]) -> ApiResult<Vec<Contact>> {
    let mut contacts = store.contacts_by_ids_in(conn.re(), caller.portal, ids).await?;
    contacts.retain(|c| access::can_read(caller, c));
    Ok(contacts)
}

/// The contact `id` among those read: 404 when it is missing or hidden.
fn find(contacts: &[Contact], id: ContactId) -> ApiResult<&Contact> {
    contacts.iter().find(|c| c.id == id).ok_or_else(|| ApiError::not_found("Not found"))
}

/// The contact, when the caller may edit it; 403 otherwise.
fn editable<'a>(contact: &'a Contact, caller: &Caller) -> ApiResult<&'a Contact> {
    if !access::can_edit(caller, contact) {
        return Err(ApiError::forbidden("Access denied"));
    }
    Ok(contact)
}

/// Reads the edited contact as this transaction leaves it, then commits: the answer shows this
/// edit's result, not a later client's.
async fn finish_edit(store: &Store, mut tx: WriteTx, caller: &Caller, id: ContactId) -> ApiResult<Contact> {
    let contact = store.contacts_by_ids_in(tx.conn(), caller.portal, &[id]).await?.pop();
    tx.commit().await?;
    contact.ok_or_else(|| ApiError::not_found("Not found"))
}

/// `DELETE crm/contact/{id}`: 404 if missing or hidden from the caller (alike, so a hidden id
/// cannot be told from a free one), 403 when he may read but not delete it; returns the contact
/// as it was.
pub async fn delete(store: &Store, caller: &Caller, id: ContactId) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    positive(id.0, "contactid")?;
    let mut tx = store.begin_write().await?;
    // A company's delete unlinks its persons: their rows are locked with it, in id order.
    store.lock_contacts_and_members(tx.conn(), caller.portal, &[id]).await?;
    let contact =
        readable_in(store, tx.conn(), caller, &[id]).await?.pop().ok_or_else(|| ApiError::not_found("Not found"))?;
    if !access::can_delete(caller, &contact) {
        return Err(ApiError::forbidden("Access denied"));
    }
    store.delete_contacts(tx.conn(), caller.portal, &[id]).await?;
    tx.commit().await?;
    Ok(contact)
}

/// `PUT crm/contact`: deletes, in one transaction, every listed contact the caller may delete;
/// the others (missing, hidden, read-only) are skipped. Returns the deleted contacts.
pub async fn delete_batch(store: &Store, caller: &Caller, ids: &[ContactId]) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let ids = batch_ids(ids, "contactids")?;
    let mut tx = store.begin_write_costing(Cost::of_ids(ids.len())).await?;
    store.lock_contacts_and_members(tx.conn(), caller.portal, &ids).await?;
    let doomed = store.permitted_contact_ids(tx.conn(), caller.portal, Viewer::of(caller), &ids, Right::Edit).await?;
    let contacts = store.contacts_by_ids_in(tx.conn(), caller.portal, &doomed).await?;
    store.delete_contacts(tx.conn(), caller.portal, &doomed).await?;
    tx.commit().await?;
    Ok(contacts)
}

/// De-duplicates a batch of ids, skipping zero and negative ones as the original does (no
/// contact has them); an empty batch, or one of too many ids, is a 400.
fn batch_ids(ids: &[ContactId], name: &str) -> ApiResult<Vec<ContactId>> {
    if ids.is_empty() {
        return Err(ApiError::missing(name));
    }
    if ids.len() > MAX_BATCH {
        return Err(ApiError::invalid(name, format!("at most {MAX_BATCH} ids")));
    }
    let mut ids: Vec<ContactId> = ids.iter().copied().filter(|id| id.0 > 0).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// `PUT crm/contact/{id}/access`: `isShared` makes the contact ReadWrite (else private), and
/// `managerList` becomes its exact manager list. 403 without the edit right. Returns the
/// contact after the change.
pub async fn set_access(
    store: &Store,
    caller: &Caller,
    id: ContactId,
    is_shared: bool,
    managers: &[UserId],
) -> ApiResult<Contact> {
    positive(id.0, "contactid")?;
    let mut tx = store.begin_write().await?;
    let locked = lock_readable(store, tx.conn(), caller, &[id]).await?;
    editable(find(&locked, id)?, caller)?;
    apply_access(store, tx.conn(), caller, &[id], is_shared, managers).await?;
    finish_edit(store, tx, caller, id).await
}

/// `PUT crm/contact/access`: the same for every listed contact the caller may edit (others are
/// skipped). Returns the changed contacts.
pub async fn set_access_batch(
    store: &Store,
    caller: &Caller,
    ids: &[ContactId],
    is_shared: bool,
    managers: &[UserId],
) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let ids = batch_ids(ids, "contactid")?;
    let mut tx = store.begin_write_costing(Cost::of_ids(ids.len())).await?;
    store.lock_contacts(tx.conn(), caller.portal, &ids).await?;
    let editable = store.permitted_contact_ids(tx.conn(), caller.portal, Viewer::of(caller), &ids, Right::Edit).await?;
    apply_access(store, tx.conn(), caller, &editable, is_shared, managers).await?;
    tx.commit().await?;
    Ok(store.contacts_by_ids(caller.portal, &editable).await?)
}

/// Writes share type and managers of `ids` inside the caller's transaction, which holds their
/// row locks.
async fn apply_access(
    store: &Store,
    mut conn: Conn<'_>,
    caller: &Caller,
    ids: &[ContactId],
    is_shared: bool,
    managers: &[UserId],
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    store.set_share_type(conn.re(), caller.portal, ids, ShareType::from_is_shared(is_shared), caller.user.id).await?;
    store.set_managers(conn.re(), caller.portal, ids, managers).await?;
    Ok(())
}

/// `PUT crm/contact/filter/access`: the batch access change for every contact a filter selects.
pub async fn set_access_by_filter(
    store: &Store,
    caller: &Caller,
    filter: &ContactFilter,
    is_shared: bool,
    managers: &[UserId],
) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let (ids, _) = store.filter_contacts(caller.portal, Viewer::of(caller), filter, 0, MAX_BATCH as u64).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    set_access_batch(store, caller, &ids, is_shared, managers).await
}

/// A page of the contacts a filter selects among those the caller may read, and the total.
pub async fn filter(
    store: &Store,
    caller: &Caller,
    filter: &ContactFilter,
    start: u64,
    count: u64,
) -> ApiResult<(Vec<Contact>, u64)> {
    access::require_crm(caller)?;
    let (ids, total) = store.filter_contacts(caller.portal, Viewer::of(caller), filter, start, count).await?;
    Ok((in_order(store.contacts_by_ids(caller.portal, &ids).await?, &ids), total))
}

/// The contacts a filter selects that the caller may read, above `after` in id order, at most
/// `count`: an export pages through a whole selection so, in two statements a page.
pub async fn filter_after(
    store: &Store,
    caller: &Caller,
    filter: &ContactFilter,
    after: ContactId,
    count: u64,
) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let ids = store.filter_contacts_after(caller.portal, Viewer::of(caller), filter, after, count).await?;
    Ok(in_order(store.contacts_by_ids(caller.portal, &ids).await?, &ids))
}

/// Contacts back in the order of `ids`, in one pass over each.
fn in_order(contacts: Vec<Contact>, ids: &[ContactId]) -> Vec<Contact> {
    let mut by_id: HashMap<ContactId, Contact> = contacts.into_iter().map(|c| (c.id, c)).collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

/// The project, if the caller may link contacts to it: 404 when missing or unreadable, 403
/// without CanLinkContact.
async fn linkable_project(store: &Store, caller: &Caller, project: ProjectId) -> ApiResult<projects::Project> {
    positive(project.0, "projectid")?;
    let project = projects::get(store, caller, project).await?;
    if !projects::can_link_contact(caller, &project) {
        return Err(ApiError::forbidden("Access denied."));
    }
    Ok(project)
}

/// Unlinking answers 404, not 403, when the caller may not link to the project, as the
/// original does.
async fn unlinkable_project(store: &Store, caller: &Caller, project: ProjectId) -> ApiResult<projects::Project> {
    match linkable_project(store, caller, project).await {
        Err(ApiError::Forbidden(_)) => Err(ApiError::not_found("Not found")),
        other => other,
    }
}

/// `POST crm/contact/project/{projectid}`: links every listed contact the caller may read
/// (others are skipped); linking twice does nothing. Returns the linked contacts.
pub async fn link_to_project(
    store: &Store,
    caller: &Caller,
    project: ProjectId,
    ids: &[ContactId],
) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let ids = batch_ids(ids, "contactid")?;
    let project = linkable_project(store, caller, project).await?;
    let mut tx = store.begin_write_costing(Cost::of_ids(ids.len())).await?;
    // Lock in id order, as batch deletes do: a concurrent delete finishes first or waits.
    store.lock_contacts(tx.conn(), caller.portal, &ids).await?;
    let readable = store.permitted_contact_ids(tx.conn(), caller.portal, Viewer::of(caller), &ids, Right::Read).await?;
    store.link_contacts(tx.conn(), caller.portal, project.id, &readable).await?;
    tx.commit().await?;
    Ok(store.contacts_by_ids(caller.portal, &readable).await?)
}

/// Which module's route links or unlinks one contact: it decides how a missing (or hidden)
/// contact and an unlink without the right answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSide {
    /// `crm/contact/{contactid}/project/{projectid}`: an unknown contact is 404, an unlink
    /// without the right 404, as the original.
    Crm,
    /// `project/{projectid}/contact`: an unknown contact is 400 naming `contactid` (the
    /// original's AddProjectContact and DeleteProjectContact throw ArgumentException), an unlink
    /// without the right 403.
    Project,
}

/// The contact a link names, refused as its side refuses a missing one.
async fn linked_contact(store: &Store, caller: &Caller, contact: ContactId, side: LinkSide) -> ApiResult<Contact> {
    match (get(store, caller, contact).await, side) {
        (Err(ApiError::NotFound(_)), LinkSide::Project) => Err(ApiError::invalid("contactid", "no such contact")),
        (found, _) => found,
    }
}

/// `POST crm/contact/{contactid}/project/{projectid}` and `POST project/{projectid}/contact`.
pub async fn link_one(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    project: ProjectId,
    side: LinkSide,
) -> ApiResult<(Contact, projects::Project)> {
    let contact = linked_contact(store, caller, contact, side).await?;
    let project = linkable_project(store, caller, project).await?;
    let mut tx = store.begin_write().await?;
    store.lock_contacts(tx.conn(), caller.portal, &[contact.id]).await?;
    store.link_contacts(tx.conn(), caller.portal, project.id, &[contact.id]).await?;
    tx.commit().await?;
    Ok((contact, project))
}

/// Unlinks a contact from a project; unlinking a pair that was not linked is fine.
pub async fn unlink(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    project: ProjectId,
    side: LinkSide,
) -> ApiResult<(Contact, projects::Project)> {
    let contact = linked_contact(store, caller, contact, side).await?;
    let project = match side {
        LinkSide::Crm => unlinkable_project(store, caller, project).await?,
        LinkSide::Project => linkable_project(store, caller, project).await?,
    };
    let mut tx = store.begin_write().await?;
    store.unlink_contact(tx.conn(), caller.portal, project.id, contact.id).await?;
    tx.commit().await?;
    Ok((contact, project))
}

/// `GET crm/contact/project/{projectid}`: the linked contacts the caller may read, of a
/// project he may read (404 otherwise, as for a missing one).
pub async fn of_project(store: &Store, caller: &Caller, project: ProjectId) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    positive(project.0, "projectid")?;
    let project = projects::get(store, caller, project).await?;
    let ids = store.project_contact_ids(caller.portal, project.id).await?;
    let mut contacts = store.contacts_by_ids(caller.portal, &ids).await?;
    contacts.retain(|c| access::can_read(caller, c));
    Ok(contacts)
}

/// `GET project/contact/{contactid}`: the readable projects of a contact the caller may read
/// (404 otherwise, as for a missing one; guests have no CRM).
pub async fn projects_of(store: &Store, caller: &Caller, contact: ContactId) -> ApiResult<Vec<projects::Project>> {
    let contact = get(store, caller, contact).await?;
    let ids = store.contact_project_ids(caller.portal, contact.id).await?;
    let mut found = store.projects(caller.portal).await?;
    found.retain(|p| ids.contains(&p.id) && projects::can_read(caller, p));
    Ok(found)
}

/// Everything the wrappers of a set of contacts show besides the contact rows.
pub struct ContactView {
    /// Details, tags, custom field values, statuses and field definitions.
    pub details: ContactDetails,
    pub users: HashMap<UserId, User>,
    /// The companies of the listed persons that the caller may read.
    pub companies: HashMap<ContactId, Contact>,
}

/// Loads what the wrappers of `list` show, in a fixed number of statements whatever its size.
pub async fn view(store: &Store, caller: &Caller, list: &[Contact]) -> ApiResult<ContactView> {
    let ids: Vec<ContactId> = list.iter().map(|c| c.id).collect();
    let details = store.contact_details(caller.portal, Viewer::of(caller), &ids).await?;
    let companies = readable_companies(store, caller, list).await?;
    let mut user_ids: Vec<UserId> =
        list.iter().chain(&companies).flat_map(|c| c.manager_ids().chain([c.created_by])).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let users = store.users_by_ids(caller.portal, &user_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    Ok(ContactView { details, users, companies: companies.into_iter().map(|c| (c.id, c)).collect() })
}

/// The companies of the persons in `list` that the caller may read: a person whose company
/// he may not read shows none, as if he had no company.
async fn readable_companies(store: &Store, caller: &Caller, list: &[Contact]) -> ApiResult<Vec<Contact>> {
    let mut ids: Vec<ContactId> =
        list.iter().filter(|c| !c.is_company).filter_map(|c| c.company_id).map(CompanyId::contact).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut companies = store.contacts_by_ids(caller.portal, &ids).await?;
    companies.retain(|c| access::can_read(caller, c));
    Ok(companies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_checked_and_deduplicated() {
        let ids = |numbers: &[i64]| numbers.iter().copied().map(ContactId).collect::<Vec<_>>();
        assert_eq!(batch_ids(&ids(&[3, 1, 3]), "ids").unwrap(), ids(&[1, 3]));
        assert!(batch_ids(&[], "ids").unwrap_err().to_string().contains("'ids'"));
        assert_eq!(batch_ids(&ids(&[1, 0, -4]), "ids").unwrap(), ids(&[1]), "non-positive ids are skipped");
        assert_eq!(batch_ids(&ids(&[0]), "ids").unwrap(), ids(&[]));
    }
}

const MAX_INFO_DATA: usize = 4000;

/// The category names of an info type (PhoneCategory, AddressCategory or ContactInfoBaseCategory).
pub fn categories(info_type: i64) -> &'static [&'static str] {
    match info_type {
        INFO_PHONE => &["Home", "Work", "Mobile", "Fax", "Direct", "Other"],
        INFO_ADDRESS => &["Home", "Postal", "Office", "Billing", "Other", "Work"],
        _ => &["Home", "Work", "Other"],
    }
}

/// The category of a detail: a name of the type's category enum (case-insensitive) or its
/// number; none given means Work, the original's default.
pub fn parse_category(info_type: i64, category: Option<&str>) -> ApiResult<i64> {
    let names = categories(info_type);
    let Some(text) = category.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(names.iter().position(|n| *n == "Work").unwrap_or(1) as i64);
    };
    if let Ok(n) = text.parse::<usize>() {
        if n < names.len() {
            return Ok(n as i64);
        }
    }
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(text) || (*n == "Postal" && text.eq_ignore_ascii_case("Delivery")))
        .map(|n| n as i64)
        .ok_or_else(|| ApiError::invalid("category", format!("use one of {}", names.join(", "))))
}

/// Checks a detail's data: not empty, not huge, and for an address a JSON object.
pub fn check_info(info: &ContactInfo) -> ApiResult<()> {
    if info_type_name(info.info_type).is_none() {
        return Err(ApiError::invalid("infoType", "unknown contact information type"));
    }
    if info.data.trim().is_empty() {
        return Err(ApiError::missing("data"));
    }
    if info.data.chars().count() > MAX_INFO_DATA {
        return Err(ApiError::invalid("data", format!("at most {MAX_INFO_DATA} characters")));
    }
    if info.info_type == INFO_ADDRESS
        && !serde_json::from_str::<serde_json::Value>(&info.data).is_ok_and(|v| v.is_object())
    {
        return Err(ApiError::invalid("data", "an address is a JSON object with street, city, state, zip and country"));
    }
    Ok(())
}

/// Locks a contact whose details the caller may change, inside the transaction that changes
/// them: 404 otherwise, as the original answers.
async fn lock_for_details(store: &Store, tx: &mut WriteTx, caller: &Caller, contact: ContactId) -> ApiResult<Contact> {
    positive(contact.0, "contactid")?;
    lock_readable(store, tx.conn(), caller, &[contact])
        .await?
        .pop()
        .filter(|c| access::can_edit(caller, c))
        .ok_or_else(|| ApiError::not_found("Not found"))
}

/// `GET crm/contact/{contactid}/data`.
pub async fn infos(store: &Store, caller: &Caller, contact: ContactId) -> ApiResult<Vec<ContactInfo>> {
    let contact = get(store, caller, contact).await?;
    Ok(store.contact_infos(caller.portal, contact.id).await?)
}

/// `GET crm/contact/{contactid}/data/{infoType}`: the data of the contact's details of one
/// type, oldest first.
pub async fn info_data_of_type(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    info_type: i64,
) -> ApiResult<Vec<String>> {
    let mut of_type: Vec<ContactInfo> =
        infos(store, caller, contact).await?.into_iter().filter(|info| info.info_type == info_type).collect();
    of_type.sort_by_key(|info| info.id);
    Ok(of_type.into_iter().map(|info| info.data).collect())
}

/// How a details request changes a contact's details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoEdit {
    Add,
    Replace,
}

/// `POST crm/contact/{id}/data` and the batch forms: adds details (or replaces them all);
/// returns them with their ids.
pub async fn add_infos(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    mut items: Vec<ContactInfo>,
    edit: InfoEdit,
) -> ApiResult<Vec<ContactInfo>> {
    for item in &items {
        check_info(item)?;
    }
    let mut tx = store.begin_write_costing(Cost::of_ids(items.len())).await?;
    let contact = lock_for_details(store, &mut tx, caller, contact).await?;
    if edit == InfoEdit::Replace {
        store.delete_contact_infos(tx.conn(), caller.portal, contact.id, None).await?;
    }
    let ids = store.insert_contact_infos(tx.conn(), caller.portal, contact.id, &items).await?;
    tx.commit().await?;
    for (item, id) in items.iter_mut().zip(ids) {
        item.id = id;
    }
    Ok(items)
}

/// `PUT crm/contact/{contactid}/data/{id}`.
pub async fn update_info(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    info: ContactInfo,
) -> ApiResult<ContactInfo> {
    check_info(&info)?;
    let mut tx = store.begin_write().await?;
    let contact = lock_for_details(store, &mut tx, caller, contact).await?;
    if !store.update_contact_info(tx.conn(), caller.portal, contact.id, &info).await? {
        return Err(ApiError::not_found("Contact information not found"));
    }
    tx.commit().await?;
    Ok(info)
}

/// `DELETE crm/contact/{contactid}/data/{id}`: the deleted detail.
pub async fn delete_info(store: &Store, caller: &Caller, contact: ContactId, id: InfoId) -> ApiResult<ContactInfo> {
    let mut tx = store.begin_write().await?;
    let contact = lock_for_details(store, &mut tx, caller, contact).await?;
    let info = store
        .contact_infos_in(tx.conn(), caller.portal, contact.id)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ApiError::not_found("Contact information not found"))?;
    store.delete_contact_infos(tx.conn(), caller.portal, contact.id, Some(id)).await?;
    tx.commit().await?;
    Ok(info)
}

/// `POST` (join) and `DELETE` (leave) `crm/contact/company/{companyid}/person`: changes which
/// company a person belongs to; needs the edit right on the person. Returns the person.
pub async fn set_company(
    store: &Store,
    caller: &Caller,
    company: CompanyId,
    person: ContactId,
    join: bool,
) -> ApiResult<Contact> {
    positive(company.0, "companyid")?;
    positive(person.0, "personid")?;
    let mut tx = store.begin_write().await?;
    let locked = lock_readable(store, tx.conn(), caller, &[company.contact(), person]).await?;
    let (company, person) = (find(&locked, company.contact())?, find(&locked, person)?);
    if !company.is_company || person.is_company {
        return Err(ApiError::not_found("Not found"));
    }
    let person = editable(person, caller)?;
    let company_id = match (join, person.company_id == company.as_company()) {
        (true, _) => company.as_company(),
        (false, true) => None,
        (false, false) => person.company_id,
    };
    let patch = ContactPatch { company_id: Some(company_id), ..ContactPatch::default() };
    store.update_contact(tx.conn(), caller.portal, person.id, &patch, caller.user.id).await?;
    finish_edit(store, tx, caller, person.id).await
}

/// `PUT crm/contact/{contactid}/status`: `contactStatusid` (0 clears it).
pub async fn set_status(store: &Store, caller: &Caller, contact: ContactId, status: i64) -> ApiResult<Contact> {
    positive(contact.0, "contactid")?;
    if status < 0 {
        return Err(ApiError::invalid("contactStatusid", "must not be negative"));
    }
    let mut tx = store.begin_write().await?;
    let locked = lock_readable(store, tx.conn(), caller, &[contact]).await?;
    editable(find(&locked, contact)?, caller)?;
    if status > 0
        && !store
            .lock_list_item(tx.conn(), caller.portal, LIST_CONTACT_STATUS, ListItemId(status), RowLock::Share)
            .await?
    {
        return Err(ApiError::not_found("Contact status not found"));
    }
    let patch = ContactPatch { status_id: Some(status), ..ContactPatch::default() };
    store.update_contact(tx.conn(), caller.portal, contact, &patch, caller.user.id).await?;
    finish_edit(store, tx, caller, contact).await
}

/// The checks of every status change: ids positive, a status not negative.
fn check_status_change(contact: ContactId, name: &str, status: i64) -> ApiResult<()> {
    positive(contact.0, name)?;
    if status < 0 {
        return Err(ApiError::invalid("contactStatusid", "must not be negative"));
    }
    Ok(())
}

/// A status other than 0 (none) must be a contact status: 404 otherwise. It is share-locked
/// so that it cannot be deleted before the change commits.
async fn lock_status(store: &Store, mut conn: Conn<'_>, caller: &Caller, status: i64) -> ApiResult<()> {
    if status > 0
        && !store
            .lock_list_item(conn.re(), caller.portal, LIST_CONTACT_STATUS, ListItemId(status), RowLock::Share)
            .await?
    {
        return Err(ApiError::not_found("Contact status not found"));
    }
    Ok(())
}

/// Sets the status of a company and of those of its persons the caller may edit, inside the
/// caller's transaction, which holds their locks.
async fn cascade_status(
    store: &Store,
    mut conn: Conn<'_>,
    caller: &Caller,
    company: ContactId,
    status: i64,
) -> ApiResult<()> {
    let members = store.company_member_ids(conn.re(), caller.portal, CompanyId(company.0)).await?;
    let mut ids =
        store.permitted_contact_ids(conn.re(), caller.portal, Viewer::of(caller), &members, Right::Edit).await?;
    ids.push(company);
    store.set_contacts_status(conn.re(), caller.portal, &ids, status, caller.user.id).await?;
    Ok(())
}

/// `PUT crm/contact/company/{companyid}/status`: the company's status, and its persons' (those
/// the caller may edit), in one transaction. 404 for a person or a company hidden from the
/// caller, 403 without the edit right on the company. Returns the company after the change.
pub async fn set_company_status(store: &Store, caller: &Caller, company: ContactId, status: i64) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    check_status_change(company, "companyid", status)?;
    let mut tx = store.begin_write().await?;
    store.lock_contacts_and_members(tx.conn(), caller.portal, &[company]).await?;
    let found = readable_in(store, tx.conn(), caller, &[company]).await?;
    let found = find(&found, company)?;
    if !found.is_company {
        return Err(ApiError::not_found("Not found"));
    }
    editable(found, caller)?;
    lock_status(store, tx.conn(), caller, status).await?;
    cascade_status(store, tx.conn(), caller, company, status).await?;
    finish_edit(store, tx, caller, company).await
}

/// `PUT crm/contact/person/{personid}/status`: when the caller may edit the person's company,
/// the company and its persons he may edit take the status (the person among them); otherwise
/// the person alone. 404 for a company or a person hidden from the caller, 403 without the edit
/// right on the person. Returns the person after the change.
pub async fn set_person_status(store: &Store, caller: &Caller, person: ContactId, status: i64) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    check_status_change(person, "personid", status)?;
    let before = get(store, caller, person).await?;
    let mut tx = store.begin_write().await?;
    // The person, his company and its persons, locked in one id order.
    let company = before.company_id.map(CompanyId::contact);
    let locked: Vec<ContactId> = [Some(person), company].into_iter().flatten().collect();
    store.lock_contacts_and_members(tx.conn(), caller.portal, &locked).await?;
    let found = readable_in(store, tx.conn(), caller, &locked).await?;
    let now = find(&found, person)?;
    if now.is_company {
        return Err(ApiError::not_found("Not found"));
    }
    editable(now, caller)?;
    lock_status(store, tx.conn(), caller, status).await?;
    let company = now.company_id.map(CompanyId::contact).filter(|c| Some(*c) == company);
    match company.and_then(|c| found.iter().find(|f| f.id == c)).filter(|c| access::can_edit(caller, *c)) {
        Some(company) => cascade_status(store, tx.conn(), caller, company.id, status).await?,
        None => store.set_contacts_status(tx.conn(), caller.portal, &[person], status, caller.user.id).await?,
    }
    finish_edit(store, tx, caller, person).await
}

/// `PUT crm/contact/merge`: merges the contact `from` into `to`, as the original's
/// MergeDublicate, in one transaction: project links, tags, custom field values and details
/// move to the target (what it has already stays its own); its empty job title, industry,
/// about, status, type and (a person's) company take the source's; a source company's persons
/// join the target; then the source is deleted, its managers with it (the target keeps its own
/// access). Both need the edit right (403; 404 when hidden) and must be the same kind (400).
/// Merging a contact into itself changes nothing. Returns the target.
pub async fn merge(store: &Store, caller: &Caller, from: ContactId, to: ContactId) -> ApiResult<Contact> {
    access::require_crm(caller)?;
    positive(from.0, "fromcontactid")?;
    positive(to.0, "tocontactid")?;
    let mut tx = store.begin_write().await?;
    // Both rows and the persons of both (a company's move to the target), in one id order.
    store.lock_contacts_and_members(tx.conn(), caller.portal, &[from, to]).await?;
    let found = readable_in(store, tx.conn(), caller, &[from, to]).await?;
    let (source, target) = (editable(find(&found, from)?, caller)?, editable(find(&found, to)?, caller)?);
    if from == to {
        return finish_edit(store, tx, caller, to).await;
    }
    if source.is_company != target.is_company {
        return Err(ApiError::invalid("tocontactid", "a person merges into a person, a company into a company"));
    }
    if !access::can_delete(caller, source) {
        return Err(ApiError::forbidden("Access denied"));
    }
    let empty = |text: &Option<String>| text.as_deref().unwrap_or_default().is_empty();
    let patch = ContactPatch {
        title: (!target.is_company && empty(&target.title)).then(|| source.title.clone()).flatten(),
        industry: empty(&target.industry).then(|| source.industry.clone()).flatten(),
        about: empty(&target.about).then(|| source.about.clone()).flatten(),
        status_id: (target.status_id == 0).then_some(source.status_id),
        contact_type_id: (target.contact_type_id == 0).then_some(source.contact_type_id),
        company_id: (!target.is_company && target.company_id.is_none() && source.company_id.is_some())
            .then_some(source.company_id),
        ..ContactPatch::default()
    };
    store.merge_contact_data(tx.conn(), caller.portal, from, to).await?;
    if source.is_company {
        let members = store.company_member_ids(tx.conn(), caller.portal, CompanyId(from.0)).await?;
        store.set_persons_company(tx.conn(), caller.portal, &members, Some(CompanyId(to.0)), caller.user.id).await?;
    }
    store.update_contact(tx.conn(), caller.portal, to, &patch, caller.user.id).await?;
    store.delete_contacts(tx.conn(), caller.portal, &[from]).await?;
    finish_edit(store, tx, caller, to).await
}

/// Which date of a contact `PUT crm/contact/{contactid}/creationdate` or `.../lastmodifeddate`
/// sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactDate {
    Created,
    Modified,
}

/// `PUT crm/contact/{contactid}/creationdate` and `.../lastmodifeddate` (the original's test
/// methods, which data migrations call): sets the date as given. 404 when the caller may not
/// read the contact, 403 when he may not edit it.
pub async fn set_date(
    store: &Store,
    caller: &Caller,
    contact: ContactId,
    which: ContactDate,
    date: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    positive(contact.0, "contactid")?;
    let mut tx = store.begin_write().await?;
    let locked = lock_readable(store, tx.conn(), caller, &[contact]).await?;
    editable(find(&locked, contact)?, caller)?;
    store.set_contact_date(tx.conn(), caller.portal, contact, which == ContactDate::Created, date).await?;
    tx.commit().await?;
    Ok(())
}

/// `POST crm/contact/company/quick` and `crm/contact/person/quick`: private contacts whose
/// manager is their creator, all in one transaction.
pub async fn quick_create(store: &Store, caller: &Caller, drafts: Vec<NewContact>) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    if drafts.len() > MAX_BATCH {
        return Err(ApiError::invalid("data", format!("at most {MAX_BATCH} contacts")));
    }
    // Private, managed by their creator; two statements for any number.
    let drafts = drafts
        .into_iter()
        .map(|draft| {
            let mut draft = NewContact { share_type: ShareType::None, ..draft };
            check_new(&mut draft).map(|()| draft)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let mut tx = store.begin_write_costing(Cost::of_ids(drafts.len())).await?;
    let ids = store.insert_contacts_bulk(tx.conn(), caller.portal, &drafts, caller.user.id).await?;
    let managed: Vec<(ContactId, UserId)> = ids.iter().map(|id| (*id, caller.user.id)).collect();
    store.insert_managers_bulk(tx.conn(), caller.portal, &managed).await?;
    tx.commit().await?;
    Ok(in_order(store.contacts_by_ids(caller.portal, &ids).await?, &ids))
}

/// Custom field values must name fields that apply to this kind of contact.
async fn check_fields(store: &Store, caller: &Caller, is_company: bool, values: &[FieldValue]) -> ApiResult<()> {
    if values.is_empty() {
        return Ok(());
    }
    let entity = if is_company { custom_fields::ENTITY_COMPANY } else { custom_fields::ENTITY_PERSON };
    let fields = store.field_definitions(caller.portal, &custom_fields::applicable(entity), None).await?;
    custom_fields::check_values(&fields, entity, values, "customFieldList")
}

async fn set_fields(
    store: &Store,
    mut conn: Conn<'_>,
    caller: &Caller,
    contact: ContactId,
    values: &[FieldValue],
) -> ApiResult<()> {
    for value in values {
        store.set_field_value(conn.re(), caller.portal, contact, value.field_id, &value.value).await?;
    }
    Ok(())
}

/// `DELETE crm/contact/filter`: the batch delete of every contact a filter selects.
pub async fn delete_by_filter(store: &Store, caller: &Caller, filter: &ContactFilter) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let (ids, _) = store.filter_contacts(caller.portal, Viewer::of(caller), filter, 0, MAX_BATCH as u64).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    delete_batch(store, caller, &ids).await
}

/// The ids of every contact a filter selects, for the tag-by-filter call.
pub async fn filtered_ids(store: &Store, caller: &Caller, filter: &ContactFilter) -> ApiResult<Vec<ContactId>> {
    access::require_crm(caller)?;
    Ok(store.filter_contacts(caller.portal, Viewer::of(caller), filter, 0, MAX_BATCH as u64).await?.0)
}
