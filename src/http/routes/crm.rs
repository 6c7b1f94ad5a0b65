//! `api/2.0/crm/contact...` and the contact side of project links.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use chrono::{DateTime, Utc};

use crate::app::App;
use crate::domain::contacts::{
    self, Contact, ContactChanges, ContactDate, ContactFilter, ContactInfo, ContactSort, InfoEdit, InfoMatch, LinkSide,
    NewContact, LIST_CONTACT_STATUS, LIST_CONTACT_TYPE,
};
use crate::domain::custom_fields::{self, FieldDraft, FieldValue, ENTITY_COMPANY, ENTITY_CONTACT, ENTITY_PERSON};
use crate::domain::list_items::{self, ItemDraft};
use crate::domain::{access, tags};
use crate::error::{ApiError, ApiResult};
use crate::http::answers::kept_or;
use crate::http::binding::{ApiEnum, Enum, Params};
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In, Inputs, NonEmpty, Objects, One};
use crate::http::openapi::{Input, Ty};
use crate::http::request::Call;
use crate::http::wire::crm::{
    ContactBaseWithPhoneWrapper, ContactBaseWrapper, ContactInfoWrapper, ContactWithTaskWrapper, ContactWrapper,
    CurrencyInfoWrapper, CustomFieldBaseWrapper, CustomFieldWrapper, ListItemWrapper, Mode, TagWrapper,
};
use crate::http::wire::WireCtx;
use crate::model::{CompanyId, ContactId, FieldId, InfoId, ListItemId, ProjectId, ShareType, UserId};

async fn full(app: &App, call: &Call, list: &[Contact], mode: Mode) -> ApiResult<Vec<ContactWrapper>> {
    let view = contacts::view(&app.store, &call.caller, list).await?;
    let ctx = WireCtx::of(&call.info);
    Ok(list.iter().map(|c| ContactWrapper::new(c, &call.caller, &view, &ctx, mode)).collect())
}

async fn one(app: &App, call: &Call, contact: Contact) -> ApiResult<Reply> {
    let mut wrappers = full(app, call, &[contact], Mode::Single).await?;
    Reply::of(wrappers.pop())
}

/// The part of `list` a list answer shows, and the whole list's length when that is only a part:
/// when the list options leave the page to the position alone, only the page is built (linking
/// 10,000 contacts answers with the first 1,000).
fn shown<'a>(call: &Call, list: &'a [Contact]) -> (&'a [Contact], Option<usize>) {
    match call.info.list.window(list.len()) {
        Some(window) => (&list[window], Some(list.len())),
        None => (list, None),
    }
}

fn list_reply<T: serde::Serialize>(items: &[T], whole: Option<usize>) -> ApiResult<Reply> {
    match whole {
        Some(len) => Reply::window(items, len),
        None => Reply::list(items),
    }
}

/// A list of contacts in full.
async fn full_list(app: &App, call: &Call, list: &[Contact]) -> ApiResult<Reply> {
    full_list_as(app, call, list, Mode::List).await
}

/// A list of contacts, each in the given shape.
async fn full_list_as(app: &App, call: &Call, list: &[Contact], mode: Mode) -> ApiResult<Reply> {
    let (shown, whole) = shown(call, list);
    list_reply(&full(app, call, shown, mode).await?, whole)
}

/// A list of contacts as ContactBaseWrapper.
async fn base_list(app: &App, call: &Call, list: &[Contact]) -> ApiResult<Reply> {
    let (shown, whole) = shown(call, list);
    let view = contacts::view(&app.store, &call.caller, shown).await?;
    let ctx = WireCtx::of(&call.info);
    let items: Vec<ContactBaseWrapper> =
        shown.iter().map(|c| ContactBaseWrapper::new(c, &call.caller, &view, &ctx)).collect();
    list_reply(&items, whole)
}

inputs! {
    pub struct ContactRef {
        contact: ContactId = "contactid",
    }

    pub struct CompanyRef {
        company: ContactId = "companyid",
    }

    pub struct ProjectRef {
        project: ProjectId = "projectid",
    }

    pub struct ContactProject {
        contact: ContactId = "contactid",
        project: ProjectId = "projectid",
    }

    /// `shareType` as a name or number; `isShared` (older clients) when it is absent.
    pub struct Access {
        share_type: Option<Enum<ShareType>> = "shareType",
        is_shared: Option<bool> = "isShared",
        manager_list: Option<Vec<UserId>> = "managerList",
    }

    pub struct PersonFields {
        first_name: Option<String> = "firstName",
        last_name: Option<String> = "lastName",
        job_title: Option<String> = "jobTitle",
        about: Option<String> = "about",
        company_id: Option<ContactId> = "companyId",
    }

    pub struct NewPerson {
        first_name: String = "firstName",
        last_name: String = "lastName",
        job_title: Option<String> = "jobTitle",
        about: Option<String> = "about",
        company_id: Option<ContactId> = "companyId",
        access: Access,
        custom_fields: Objects<FieldValueItem> = "customFieldList",
    }

    pub struct PersonEdit {
        id: ContactId = "personid",
        person: PersonFields,
        access: Access,
        custom_fields: Objects<FieldValueItem> = "customFieldList",
    }

    pub struct NewCompany {
        company_name: String = "companyName",
        about: Option<String> = "about",
        person_list: Vec<ContactId> = "personList",
        access: Access,
        custom_fields: Objects<FieldValueItem> = "customFieldList",
    }

    pub struct CompanyEdit {
        id: ContactId = "companyid",
        company_name: Option<String> = "companyName",
        about: Option<String> = "about",
        access: Access,
        custom_fields: Objects<FieldValueItem> = "customFieldList",
    }

    pub struct DeleteBatch {
        contactids: NonEmpty<ContactId> = "contactids",
    }

    pub struct AccessChange {
        contact: ContactId = "contactid",
        is_shared: Option<bool> = "isShared",
        manager_list: Vec<UserId> = "managerList",
    }

    pub struct AccessBatch {
        contactid: NonEmpty<ContactId> = "contactid",
        is_shared: Option<bool> = "isShared",
        manager_list: Vec<UserId> = "managerList",
    }

    pub struct FilterFields {
        contact_list_view: Option<Enum<ListView>> = "contactListView",
        responsibleid: Option<UserId> = "responsibleid",
        contact_stage: Option<i64> = "contactStage",
        contact_type: Option<i64> = "contactType",
        is_shared: Option<bool> = "isShared",
        tags: Vec<String> = "tags",
        from_date: Option<DateTime<Utc>> = "fromDate",
        to_date: Option<DateTime<Utc>> = "toDate",
    }

    /// The filter of the bulk actions; `filterValue` may also come in the body.
    pub struct BulkFilter {
        filter: FilterFields,
        filter_value: Option<String> = "filterValue",
    }

    pub struct TagByFilter {
        filter: BulkFilter,
        tag_name: String = "tagName",
    }

    pub struct AccessByFilter {
        filter: BulkFilter,
        is_private: Option<bool> = "isPrivate",
        is_shared: Option<bool> = "isShared",
        manager_list: Vec<UserId> = "managerList",
    }

    pub struct ProjectLinks {
        project: ProjectId = "projectid",
        contactid: NonEmpty<ContactId> = "contactid",
    }

    pub struct InfoFields {
        info_type: Enum<InfoType> = "infoType",
        category: Option<String> = "category",
        data: String = "data",
        is_primary: Option<bool> = "isPrimary",
    }

    pub struct InfoQuery {
        info_type: Enum<InfoType> = "infoType",
        category: Option<String> = "category",
        data: Option<String> = "data",
        is_primary: Option<bool> = "isPrimary",
    }

    pub struct InfoRef {
        contact: ContactId = "contactid",
        id: InfoId = "id",
    }

    /// A detail by its id, or (a type's name) every detail of that type.
    pub struct InfoOrType {
        contact: ContactId = "contactid",
        id: String = "id",
    }

    pub struct NewInfo {
        contact: ContactId = "contactid",
        info: InfoFields,
    }

    pub struct InfoEditFields {
        contact: ContactId = "contactid",
        id: InfoId = "id",
        info: InfoFields,
    }

    pub struct InfoBatch {
        contact: ContactId = "contactid",
        items: Objects<InfoFields> = "items",
    }

    pub struct InfoTypeRef {
        info_type: Enum<InfoType> = "infoType",
    }

    pub struct AddressFields {
        street: Option<String> = "street",
        city: Option<String> = "city",
        state: Option<String> = "state",
        zip: Option<String> = "zip",
        country: Option<String> = "country",
        category: Option<i64> = "category",
        is_primary: Option<bool> = "isPrimary",
    }

    pub struct NewAddress {
        contact: ContactId = "contactid",
        address: One<AddressFields> = "address",
    }

    pub struct AddressEdit {
        contact: ContactId = "contactid",
        id: InfoId = "id",
        address: One<AddressFields> = "address",
    }

    pub struct TagName {
        tag_name: String = "tagName",
    }

    pub struct ContactTag {
        contact: ContactId = "contactid",
        tag_name: String = "tagName",
    }

    pub struct TagMany {
        entityid: NonEmpty<ContactId> = "entityid",
        tag_name: String = "tagName",
    }

    pub struct QuickCompanies {
        company_name: Vec<String> = "companyName",
    }

    pub struct NamePair {
        key: Option<String> = "key",
        value: Option<String> = "value",
    }

    pub struct QuickPersons {
        data: Objects<NamePair> = "data",
    }

    pub struct StatusChange {
        contact: ContactId = "contactid",
        contact_statusid: Option<i64> = "contactStatusid",
    }

    pub struct CompanyStatusChange {
        company: ContactId = "companyid",
        contact_statusid: Option<i64> = "contactStatusid",
    }

    pub struct PersonStatusChange {
        person: ContactId = "personid",
        contact_statusid: Option<i64> = "contactStatusid",
    }

    pub struct CreationDate {
        contact: ContactId = "contactid",
        creation_date: DateTime<Utc> = "creationDate",
    }

    /// The original's spelling, `lastModifedDate`.
    pub struct LastModifiedDate {
        contact: ContactId = "contactid",
        last_modifed_date: DateTime<Utc> = "lastModifedDate",
    }

    pub struct Merge {
        from: ContactId = "fromcontactid",
        to: ContactId = "tocontactid",
    }

    pub struct Membership {
        company: CompanyId = "companyid",
        person: ContactId = "personid",
    }

    pub struct ItemRef {
        id: ListItemId = "id",
    }

    pub struct NewStatus {
        title: String = "title",
        description: Option<String> = "description",
        color: String = "color",
        sort_order: Option<i64> = "sortOrder",
    }

    pub struct NewType {
        title: String = "title",
        description: Option<String> = "description",
        color: Option<String> = "color",
        sort_order: Option<i64> = "sortOrder",
    }

    pub struct ItemFields {
        title: Option<String> = "title",
        description: Option<String> = "description",
        color: Option<String> = "color",
        sort_order: Option<i64> = "sortOrder",
    }

    pub struct ItemEdit {
        id: ListItemId = "id",
        fields: ItemFields,
    }

    pub struct NewField {
        label: String = "label",
        field_type: Option<i64> = "fieldType",
        mask: Option<String> = "mask",
    }

    pub struct FieldFields {
        label: Option<String> = "label",
        field_type: Option<i64> = "fieldType",
        mask: Option<String> = "mask",
    }

    pub struct FieldRef {
        id: FieldId = "id",
    }

    pub struct FieldEdit {
        id: FieldId = "id",
        fields: FieldFields,
    }

    pub struct FieldValueChange {
        contact: ContactId = "contactid",
        field: FieldId = "fieldid",
        field_value: Option<String> = "fieldValue",
    }

    pub struct ByEmail {
        term: Option<String> = "term",
        max_count: Option<i64> = "maxCount",
    }

    pub struct ByPrefix {
        prefix: String = "prefix",
        search_type: Option<i64> = "searchType",
        entity_id: Option<i64> = "entityID",
    }
}

/// One `{key: fieldId, value}` of `customFieldList`.
#[derive(Debug)]
pub struct FieldValueItem(FieldValue);

impl Inputs for FieldValueItem {
    fn inputs() -> Vec<Input> {
        vec![Input { name: "key", ty: Ty::Int, required: true }, Input { name: "value", ty: Ty::Text, required: false }]
    }

    fn bind(item: &Params) -> ApiResult<Self> {
        let field_id = item
            .require::<FieldId>("key")
            .map_err(|_| ApiError::invalid("customFieldList", "each item needs a numeric key"))?;
        Ok(FieldValueItem(FieldValue { field_id, value: item.get::<String>("value")?.unwrap_or_default() }))
    }
}

fn field_values(items: Objects<FieldValueItem>) -> Vec<FieldValue> {
    items.0.into_iter().map(|FieldValueItem(value)| value).collect()
}

/// The managers sent, each once; the empty GUID (no user, the filters' "no manager") is left
/// out.
fn managers(mut list: Vec<UserId>) -> Vec<UserId> {
    list.retain(|id| !id.is_nil());
    list.sort_unstable();
    list.dedup();
    list
}

impl Access {
    fn share_type(&self) -> Option<ShareType> {
        self.share_type.map(|Enum(share)| share).or(self.is_shared.map(ShareType::from_is_shared))
    }
}

impl ApiEnum for ShareType {
    const NAMES: &'static [(&'static str, i64)] = &[("None", 0), ("ReadWrite", 1), ("Read", 2)];
    fn from_number(n: i64) -> Option<Self> {
        ShareType::from_number(n)
    }
}

/// ContactSortedByType by name or number (History and ContactType sort by name here).
impl ApiEnum for ContactSort {
    const NAMES: &'static [(&'static str, i64)] = &[
        ("DisplayName", 0),
        ("ContactType", 1),
        ("Created", 2),
        ("FirstName", 3),
        ("LastName", 4),
        ("History", 5),
        ("Id", 6),
    ];
    fn from_number(n: i64) -> Option<Self> {
        match n {
            0 => Some(ContactSort::DisplayName),
            1 => Some(ContactSort::Status),
            // This server keeps no history events: History sorts by creation.
            5 => Some(ContactSort::Created),
            2 => Some(ContactSort::Created),
            3 => Some(ContactSort::FirstName),
            4 => Some(ContactSort::LastName),
            6 => Some(ContactSort::Id),
            _ => None,
        }
    }
}

/// `POST crm/contact/person`.
pub async fn create_person(State(app): State<Arc<App>>, In(call, input): In<NewPerson>) -> ApiResult<Reply> {
    let new = NewContact {
        title: input.job_title,
        about: input.about,
        company_id: input.company_id.and_then(|c| CompanyId::from_number(c.0)),
        ..input.access.new_contact(input.custom_fields, NewContact::person(input.first_name, input.last_name))
    };
    let contact = contacts::create(&app.store, &call.caller, new, &[]).await?;
    one(&app, &call, contact).await
}

/// `POST crm/contact/company`.
pub async fn create_company(State(app): State<Arc<App>>, In(call, input): In<NewCompany>) -> ApiResult<Reply> {
    let new = NewContact {
        about: input.about,
        ..input.access.new_contact(input.custom_fields, NewContact::company(input.company_name))
    };
    let contact = contacts::create(&app.store, &call.caller, new, &input.person_list).await?;
    one(&app, &call, contact).await
}

impl Access {
    /// `contact` with the access and custom fields sent (private, with no managers, unless
    /// sent).
    fn new_contact(self, custom_fields: Objects<FieldValueItem>, contact: NewContact) -> NewContact {
        NewContact {
            share_type: self.share_type().unwrap_or_default(),
            managers: managers(self.manager_list.unwrap_or_default()),
            fields: field_values(custom_fields),
            ..contact
        }
    }

    fn changes(self, custom_fields: Objects<FieldValueItem>) -> ContactChanges {
        ContactChanges {
            share_type: self.share_type(),
            managers: self.manager_list.map(managers),
            fields: field_values(custom_fields),
            ..ContactChanges::default()
        }
    }
}

/// `PUT crm/contact/person/{personid}`.
pub async fn update_person(State(app): State<Arc<App>>, In(call, input): In<PersonEdit>) -> ApiResult<Reply> {
    let PersonEdit { id, person, access, custom_fields } = input;
    let changes = ContactChanges {
        first_name: person.first_name,
        last_name: person.last_name,
        title: person.job_title,
        about: person.about,
        company_id: person.company_id.map(|c| CompanyId::from_number(c.0)),
        ..access.changes(custom_fields)
    };
    let contact = contacts::update(&app.store, &call.caller, id, false, changes).await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact/company/{companyid}`.
pub async fn update_company(State(app): State<Arc<App>>, In(call, input): In<CompanyEdit>) -> ApiResult<Reply> {
    let CompanyEdit { id, company_name, about, access, custom_fields } = input;
    let changes = ContactChanges { company_name, about, ..access.changes(custom_fields) };
    let contact = contacts::update(&app.store, &call.caller, id, true, changes).await?;
    one(&app, &call, contact).await
}

/// `GET crm/contact/{contactid}`.
pub async fn get(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    kept_or(&app, &call, async {
        let contact = contacts::get(&app.store, &call.caller, input.contact).await?;
        one(&app, &call, contact).await
    })
    .await
}

/// `DELETE crm/contact/{contactid}`: the contact as it was.
pub async fn delete(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    let contact = contacts::delete(&app.store, &call.caller, input.contact).await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact` with `contactids`: batch delete.
pub async fn delete_batch(State(app): State<Arc<App>>, In(call, input): In<DeleteBatch>) -> ApiResult<Reply> {
    let deleted = contacts::delete_batch(&app.store, &call.caller, &input.contactids.0).await?;
    deleted_list(&app, &call, &deleted).await
}

/// The answer of the batch deletes: the original builds each base wrapper only after the delete
/// removed the contacts' access entries, so none shows managers or reads as private (its
/// `isPrivate` is "has access entries").
async fn deleted_list(app: &App, call: &Call, list: &[Contact]) -> ApiResult<Reply> {
    let (shown, whole) = shown(call, list);
    let view = contacts::view(&app.store, &call.caller, shown).await?;
    let ctx = WireCtx::of(&call.info);
    let items: Vec<ContactBaseWrapper> = shown
        .iter()
        .map(|c| ContactBaseWrapper {
            access_list: None,
            is_private: false,
            ..ContactBaseWrapper::new(c, &call.caller, &view, &ctx)
        })
        .collect();
    list_reply(&items, whole)
}

/// `PUT crm/contact/{contactid}/access`: `isShared` and `managerList`.
pub async fn set_access(State(app): State<Arc<App>>, In(call, input): In<AccessChange>) -> ApiResult<Reply> {
    let is_shared = input.is_shared.unwrap_or(false);
    let managers = managers(input.manager_list);
    let contact = contacts::set_access(&app.store, &call.caller, input.contact, is_shared, &managers).await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact/access`: `contactid` list, `isShared`, `managerList`.
pub async fn set_access_batch(State(app): State<Arc<App>>, In(call, input): In<AccessBatch>) -> ApiResult<Reply> {
    let is_shared = input.is_shared.unwrap_or(false);
    let managers = managers(input.manager_list);
    let changed =
        contacts::set_access_batch(&app.store, &call.caller, &input.contactid.0, is_shared, &managers).await?;
    full_list(&app, &call, &changed).await
}

/// `GET crm/contact/filter`: paged in the database, with `total`.
pub async fn filter(State(app): State<Arc<App>>, In(call, input): In<FilterFields>) -> ApiResult<Reply> {
    kept_or(&app, &call, async {
        let list = &call.info.list;
        let query = contact_filter(&call, input, None, (ContactSort::Created, true))?;
        let (page, total) = contacts::filter(&app.store, &call.caller, &query, list.start_index, list.count).await?;
        Reply::page(full(&app, &call, &page, Mode::List).await?, total)
    })
    .await
}

/// The filter of the contact lists and bulk actions, from the list options (the order, and the
/// search text, which bulk actions may also take from `filterValue`) and the filter's fields;
/// `default_order` is used when no `sortBy` is given (`contact/filter` lists the newest first,
/// `contact/simple/filter` by name).
fn contact_filter(
    call: &Call,
    fields: FilterFields,
    filter_value: Option<String>,
    default_order: (ContactSort, bool),
) -> ApiResult<ContactFilter> {
    let list = &call.info.list;
    let (sort, descending) = match list.sort_by.first() {
        Some(name) => (Enum::<ContactSort>::from_param_named(name, "sortBy")?, list.descending),
        None => default_order,
    };
    let view = fields.contact_list_view.map(|Enum(ListView(v))| v).unwrap_or(0);
    let responsible = fields.responsibleid;
    Ok(ContactFilter {
        search: list.filter_value.clone().or(filter_value).unwrap_or_default(),
        is_company: match view {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        },
        nothing: view == 3,
        status: fields.contact_stage.filter(|s| *s > 0),
        contact_type: fields.contact_type.filter(|t| *t > 0),
        manager: responsible.filter(|id| !id.is_nil()),
        unmanaged: responsible.is_some_and(|id| id.is_nil()),
        is_shared: fields.is_shared,
        tags: fields.tags.into_iter().filter(|t| !t.trim().is_empty()).collect(),
        created_from: fields.from_date,
        // toDate covers its whole day, as the original's end-of-day bound.
        created_to: fields.to_date.map(|to| to + chrono::Duration::days(1) - chrono::Duration::minutes(1)),
        sort,
        descending,
        ..ContactFilter::default()
    })
}

/// The filter of a bulk action: newest first, as `contact/filter` lists them.
pub(super) fn bulk_filter(call: &Call, input: BulkFilter) -> ApiResult<ContactFilter> {
    contact_filter(call, input.filter, input.filter_value, (ContactSort::Created, true))
}

/// `DELETE crm/contact/filter`: deletes every contact the filter selects that the caller may delete.
pub async fn delete_by_filter(State(app): State<Arc<App>>, In(call, input): In<BulkFilter>) -> ApiResult<Reply> {
    let deleted = contacts::delete_by_filter(&app.store, &call.caller, &bulk_filter(&call, input)?).await?;
    deleted_list(&app, &call, &deleted).await
}

/// `POST crm/contact/filter/taglist`: tags every contact the filter selects that the caller may edit.
pub async fn tag_by_filter(State(app): State<Arc<App>>, In(call, input): In<TagByFilter>) -> ApiResult<Reply> {
    let ids = contacts::filtered_ids(&app.store, &call.caller, &bulk_filter(&call, input.filter)?).await?;
    if ids.is_empty() {
        return Reply::of(input.tag_name);
    }
    Reply::of(tags::add(&app.store, &call.caller, &ids, &input.tag_name, false).await?)
}

/// `PUT crm/contact/filter/access`: `isPrivate` (or `isShared`) and `managerList` for every
/// contact the filter selects that the caller may edit.
pub async fn set_access_by_filter(
    State(app): State<Arc<App>>,
    In(call, input): In<AccessByFilter>,
) -> ApiResult<Reply> {
    let is_shared = match input.is_private {
        Some(private) => !private,
        None => input.is_shared.unwrap_or(false),
    };
    let (query, managers) = (bulk_filter(&call, input.filter)?, managers(input.manager_list));
    let changed = contacts::set_access_by_filter(&app.store, &call.caller, &query, is_shared, &managers).await?;
    full_list(&app, &call, &changed).await
}

/// ContactListViewType: All, Company, Person, WithOpportunity.
#[derive(Debug, Clone, Copy)]
pub(super) struct ListView(i64);

impl ApiEnum for ListView {
    const NAMES: &'static [(&'static str, i64)] = &[("All", 0), ("Company", 1), ("Person", 2), ("WithOpportunity", 3)];
    fn from_number(n: i64) -> Option<Self> {
        (0..=3).contains(&n).then_some(ListView(n))
    }
}

/// `GET crm/contact/company/{companyid}/person`: the members the caller may read.
pub async fn company_persons(State(app): State<Arc<App>>, In(call, input): In<CompanyRef>) -> ApiResult<Reply> {
    let company = contacts::get(&app.store, &call.caller, input.company).await?;
    if !company.is_company {
        return Err(ApiError::not_found("Not found"));
    }
    let query = ContactFilter { company: company.as_company(), is_company: Some(false), ..ContactFilter::default() };
    let (members, _) = contacts::filter(&app.store, &call.caller, &query, 0, contacts::MAX_BATCH as u64).await?;
    full_list(&app, &call, &members).await
}

/// `GET crm/contact/status` and `GET crm/contact/type`.
async fn list_items(app: &App, call: &Call, list_type: i64) -> ApiResult<Reply> {
    let items = list_items::all(&app.store, &call.caller, list_type).await?;
    Reply::list(&items.iter().map(ListItemWrapper::full).collect::<Vec<_>>())
}

pub async fn statuses(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    list_items(&app, &call, LIST_CONTACT_STATUS).await
}

pub async fn types(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    list_items(&app, &call, LIST_CONTACT_TYPE).await
}

/// `GET crm/settings/currency`.
pub async fn currencies(call: Call) -> ApiResult<Reply> {
    access::require_crm(&call.caller)?;
    Reply::list(&CurrencyInfoWrapper::all())
}

/// `POST crm/contact/project/{projectid}` with a `contactid` list.
pub async fn link_many(State(app): State<Arc<App>>, In(call, input): In<ProjectLinks>) -> ApiResult<Reply> {
    let linked = contacts::link_to_project(&app.store, &call.caller, input.project, &input.contactid.0).await?;
    // The original builds each with its single-contact wrapper: addresses always, no tags.
    full_list_as(&app, &call, &linked, Mode::Single).await
}

/// `POST crm/contact/{contactid}/project/{projectid}`.
pub async fn link_one(State(app): State<Arc<App>>, In(call, input): In<ContactProject>) -> ApiResult<Reply> {
    let (contact, _) =
        contacts::link_one(&app.store, &call.caller, input.contact, input.project, LinkSide::Crm).await?;
    one(&app, &call, contact).await
}

/// `DELETE crm/contact/{contactid}/project/{projectid}`: the contact's base wrapper.
pub async fn unlink_one(State(app): State<Arc<App>>, In(call, input): In<ContactProject>) -> ApiResult<Reply> {
    let (contact, _) = contacts::unlink(&app.store, &call.caller, input.contact, input.project, LinkSide::Crm).await?;
    let view = contacts::view(&app.store, &call.caller, std::slice::from_ref(&contact)).await?;
    Reply::of(ContactBaseWrapper::new(&contact, &call.caller, &view, &WireCtx::of(&call.info)))
}

/// `GET crm/contact/project/{projectid}`.
pub async fn of_project(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    let linked = contacts::of_project(&app.store, &call.caller, input.project).await?;
    full_list(&app, &call, &linked).await
}

/// ContactInfoType by name or number.
#[derive(Debug, Clone, Copy)]
pub(super) struct InfoType(i64);

impl ApiEnum for InfoType {
    const NAMES: &'static [(&'static str, i64)] = contacts::INFO_TYPES;
    fn from_number(n: i64) -> Option<Self> {
        contacts::info_type_name(n).map(|_| InfoType(n))
    }
}

/// One detail from `infoType`, `category`, `data`, `isPrimary` (top level or inside `items`).
fn info_from(fields: InfoFields, id: InfoId) -> ApiResult<ContactInfo> {
    let Enum(InfoType(info_type)) = fields.info_type;
    Ok(ContactInfo {
        id,
        info_type,
        category: contacts::parse_category(info_type, fields.category.as_deref())?,
        data: fields.data,
        is_primary: fields.is_primary.unwrap_or(false),
    })
}

fn info_reply(info: &ContactInfo) -> ApiResult<Reply> {
    Reply::of(ContactInfoWrapper::new(info))
}

/// `GET crm/contact/{contactid}/data`: every detail, addresses included, newest first.
pub async fn infos(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    let infos = contacts::infos(&app.store, &call.caller, input.contact).await?;
    Reply::list(&infos.iter().map(ContactInfoWrapper::new).collect::<Vec<_>>())
}

/// `GET crm/contact/{contactid}/data/{id}`, and `.../data/{infoType}`: the data of every
/// detail of a type, which the original tells apart by the segment not being a number.
pub async fn info(State(app): State<Arc<App>>, In(call, input): In<InfoOrType>) -> ApiResult<Reply> {
    let Ok(id) = input.id.trim().parse::<i64>() else {
        let InfoType(info_type) = Enum::<InfoType>::from_param_named(&input.id, "infoType")?;
        return Reply::list(&contacts::info_data_of_type(&app.store, &call.caller, input.contact, info_type).await?);
    };
    let infos = contacts::infos(&app.store, &call.caller, input.contact).await?;
    let info = infos
        .iter()
        .find(|i| i.id == InfoId(id))
        .ok_or_else(|| ApiError::not_found("Contact information not found"))?;
    info_reply(info)
}

/// `POST crm/contact/{contactid}/data`.
pub async fn add_info(State(app): State<Arc<App>>, In(call, input): In<NewInfo>) -> ApiResult<Reply> {
    let item = info_from(input.info, InfoId::UNSAVED)?;
    let added = contacts::add_infos(&app.store, &call.caller, input.contact, vec![item], InfoEdit::Add).await?;
    info_reply(&added[0])
}

/// `PUT crm/contact/{contactid}/data/{id}`.
pub async fn update_info(State(app): State<Arc<App>>, In(call, input): In<InfoEditFields>) -> ApiResult<Reply> {
    let item = info_from(input.info, input.id)?;
    let updated = contacts::update_info(&app.store, &call.caller, input.contact, item).await?;
    info_reply(&updated)
}

/// `DELETE crm/contact/{contactid}/data/{id}`.
pub async fn delete_info(State(app): State<Arc<App>>, In(call, input): In<InfoRef>) -> ApiResult<Reply> {
    let deleted = contacts::delete_info(&app.store, &call.caller, input.contact, input.id).await?;
    info_reply(&deleted)
}

async fn batch_infos(app: &App, call: &Call, input: InfoBatch, edit: InfoEdit) -> ApiResult<Reply> {
    let items =
        input.items.0.into_iter().map(|item| info_from(item, InfoId::UNSAVED)).collect::<ApiResult<Vec<_>>>()?;
    let saved = contacts::add_infos(&app.store, &call.caller, input.contact, items, edit).await?;
    Reply::list(&saved.iter().map(ContactInfoWrapper::new).collect::<Vec<_>>())
}

/// `POST crm/contact/{contactid}/batch`: adds the `items`.
pub async fn add_infos(State(app): State<Arc<App>>, In(call, input): In<InfoBatch>) -> ApiResult<Reply> {
    batch_infos(&app, &call, input, InfoEdit::Add).await
}

/// `PUT crm/contact/{contactid}/batch`: the `items` replace every detail.
pub async fn replace_infos(State(app): State<Arc<App>>, In(call, input): In<InfoBatch>) -> ApiResult<Reply> {
    batch_infos(&app, &call, input, InfoEdit::Replace).await
}

/// `GET crm/contact/data/infoType`: the names of the detail types.
pub async fn info_types(call: Call) -> ApiResult<Reply> {
    access::require_crm(&call.caller)?;
    Reply::list(&contacts::info_type_names())
}

/// `GET crm/contact/data/{infoType}/category`: the category names of a type.
pub async fn info_categories(In(call, input): In<InfoTypeRef>) -> ApiResult<Reply> {
    access::require_crm(&call.caller)?;
    let Enum(InfoType(info_type)) = input.info_type;
    Reply::list(contacts::categories(info_type))
}

/// `GET crm/contact/{contactid}/tag` (also `crm/contact/tag/{contactid}`).
pub async fn contact_tags(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    Reply::list(&tags::of_contact(&app.store, &call.caller, input.contact).await?)
}

/// `GET crm/contact/tag`.
pub async fn all_tags(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let all = tags::all(&app.store, &call.caller).await?;
    let items: Vec<TagWrapper> =
        all.into_iter().map(|(title, used)| TagWrapper { title, relative_items_count: used }).collect();
    Reply::list(&items)
}

/// `POST crm/contact/tag`: a new, unused tag.
pub async fn create_tag(State(app): State<Arc<App>>, In(call, input): In<TagName>) -> ApiResult<Reply> {
    Reply::of(tags::create(&app.store, &call.caller, &input.tag_name).await?)
}

/// `POST crm/contact/{contactid}/tag`.
pub async fn add_tag(State(app): State<Arc<App>>, In(call, input): In<ContactTag>) -> ApiResult<Reply> {
    Reply::of(tags::add(&app.store, &call.caller, &[input.contact], &input.tag_name, true).await?)
}

/// `POST crm/contact/taglist`: `entityid` list and `tagName`.
pub async fn add_tag_to_many(State(app): State<Arc<App>>, In(call, input): In<TagMany>) -> ApiResult<Reply> {
    Reply::of(tags::add(&app.store, &call.caller, &input.entityid.0, &input.tag_name, false).await?)
}

/// `DELETE crm/contact/{contactid}/tag`.
pub async fn remove_tag(State(app): State<Arc<App>>, In(call, input): In<ContactTag>) -> ApiResult<Reply> {
    Reply::of(tags::remove(&app.store, &call.caller, input.contact, &input.tag_name).await?)
}

/// `DELETE crm/contact/tag`.
pub async fn delete_tag(State(app): State<Arc<App>>, In(call, input): In<TagName>) -> ApiResult<Reply> {
    Reply::of(tags::delete(&app.store, &call.caller, &input.tag_name).await?)
}

/// `DELETE crm/contact/tag/unused`.
pub async fn delete_unused_tags(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::list(&tags::delete_unused(&app.store, &call.caller).await?)
}

/// `POST crm/contact/company/{companyid}/person` with `personid`.
pub async fn join_company(State(app): State<Arc<App>>, In(call, input): In<Membership>) -> ApiResult<Reply> {
    let person = contacts::set_company(&app.store, &call.caller, input.company, input.person, true).await?;
    one(&app, &call, person).await
}

/// `DELETE crm/contact/company/{companyid}/person` with `personid`.
pub async fn leave_company(State(app): State<Arc<App>>, In(call, input): In<Membership>) -> ApiResult<Reply> {
    let person = contacts::set_company(&app.store, &call.caller, input.company, input.person, false).await?;
    one(&app, &call, person).await
}

/// `PUT crm/contact/{contactid}/status` with `contactStatusid`.
pub async fn set_status(State(app): State<Arc<App>>, In(call, input): In<StatusChange>) -> ApiResult<Reply> {
    let status = input.contact_statusid.unwrap_or(0);
    let contact = contacts::set_status(&app.store, &call.caller, input.contact, status).await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact/company/{companyid}/status` with `contactStatusid`: the company and its
/// persons.
pub async fn set_company_status(
    State(app): State<Arc<App>>,
    In(call, input): In<CompanyStatusChange>,
) -> ApiResult<Reply> {
    let status = input.contact_statusid.unwrap_or(0);
    let company = contacts::set_company_status(&app.store, &call.caller, input.company, status).await?;
    one(&app, &call, company).await
}

/// `PUT crm/contact/person/{personid}/status` with `contactStatusid`: the person, and his
/// company with its persons.
pub async fn set_person_status(
    State(app): State<Arc<App>>,
    In(call, input): In<PersonStatusChange>,
) -> ApiResult<Reply> {
    let status = input.contact_statusid.unwrap_or(0);
    let person = contacts::set_person_status(&app.store, &call.caller, input.person, status).await?;
    one(&app, &call, person).await
}

/// `PUT crm/contact/{contactid}/creationdate` with `creationDate`: an empty answer.
pub async fn set_creation_date(State(app): State<Arc<App>>, In(call, input): In<CreationDate>) -> ApiResult<Reply> {
    contacts::set_date(&app.store, &call.caller, input.contact, ContactDate::Created, input.creation_date).await?;
    Ok(Reply::void())
}

/// `PUT crm/contact/{contactid}/lastmodifeddate` with `lastModifedDate`: an empty answer.
pub async fn set_modified_date(State(app): State<Arc<App>>, In(call, input): In<LastModifiedDate>) -> ApiResult<Reply> {
    contacts::set_date(&app.store, &call.caller, input.contact, ContactDate::Modified, input.last_modifed_date).await?;
    Ok(Reply::void())
}

/// `PUT crm/contact/merge` with `fromcontactid` and `tocontactid`: the target after the merge.
pub async fn merge(State(app): State<Arc<App>>, In(call, input): In<Merge>) -> ApiResult<Reply> {
    let contact = contacts::merge(&app.store, &call.caller, input.from, input.to).await?;
    one(&app, &call, contact).await
}

async fn quick_reply(app: &App, call: &Call, drafts: Vec<NewContact>) -> ApiResult<Reply> {
    if drafts.is_empty() {
        return Ok(Reply::void());
    }
    let created = contacts::quick_create(&app.store, &call.caller, drafts).await?;
    base_list(app, call, &created).await
}

/// `POST crm/contact/company/quick`: `companyName` list; blank names are skipped.
pub async fn quick_companies(State(app): State<Arc<App>>, In(call, input): In<QuickCompanies>) -> ApiResult<Reply> {
    let drafts = input
        .company_name
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .map(NewContact::company)
        .collect();
    quick_reply(&app, &call, drafts).await
}

/// `POST crm/contact/person/quick`: `data` as `{key: firstName, value: lastName}` pairs;
/// incomplete pairs are skipped.
pub async fn quick_persons(State(app): State<Arc<App>>, In(call, input): In<QuickPersons>) -> ApiResult<Reply> {
    let mut drafts = Vec::new();
    for pair in input.data.0 {
        let (first, last) = (pair.key.unwrap_or_default(), pair.value.unwrap_or_default());
        let (first, last) = (first.trim(), last.trim());
        if !first.is_empty() && !last.is_empty() {
            drafts.push(NewContact::person(first, last));
        }
    }
    quick_reply(&app, &call, drafts).await
}

impl From<ItemFields> for ItemDraft {
    fn from(fields: ItemFields) -> Self {
        ItemDraft {
            title: fields.title,
            description: fields.description,
            color: fields.color,
            sort_order: fields.sort_order,
        }
    }
}

fn item_reply(item: &contacts::ListItem) -> ApiResult<Reply> {
    Reply::of(ListItemWrapper::full(item))
}

/// `GET crm/contact/status/{id}` and `GET crm/contact/type/{id}`.
async fn get_item(app: &App, call: &Call, list_type: i64, input: ItemRef) -> ApiResult<Reply> {
    item_reply(&list_items::get(&app.store, &call.caller, list_type, input.id).await?)
}

pub async fn get_status(State(app): State<Arc<App>>, In(call, input): In<ItemRef>) -> ApiResult<Reply> {
    get_item(&app, &call, LIST_CONTACT_STATUS, input).await
}

pub async fn get_type(State(app): State<Arc<App>>, In(call, input): In<ItemRef>) -> ApiResult<Reply> {
    get_item(&app, &call, LIST_CONTACT_TYPE, input).await
}

/// `POST crm/contact/status` (title, description, color, sortOrder).
pub async fn create_status(State(app): State<Arc<App>>, In(call, input): In<NewStatus>) -> ApiResult<Reply> {
    let NewStatus { title, description, color, sort_order } = input;
    let draft = ItemDraft { title: Some(title), description, color: Some(color), sort_order };
    item_reply(&list_items::create(&app.store, &call.caller, LIST_CONTACT_STATUS, draft, true).await?)
}

/// `POST crm/contact/type` (title, sortOrder).
pub async fn create_type(State(app): State<Arc<App>>, In(call, input): In<NewType>) -> ApiResult<Reply> {
    let NewType { title, description, color, sort_order } = input;
    let draft = ItemDraft { title: Some(title), description, color, sort_order };
    item_reply(&list_items::create(&app.store, &call.caller, LIST_CONTACT_TYPE, draft, false).await?)
}

async fn update_item(app: &App, call: &Call, list_type: i64, input: ItemEdit) -> ApiResult<Reply> {
    item_reply(&list_items::update(&app.store, &call.caller, list_type, input.id, input.fields.into()).await?)
}

pub async fn update_status(State(app): State<Arc<App>>, In(call, input): In<ItemEdit>) -> ApiResult<Reply> {
    update_item(&app, &call, LIST_CONTACT_STATUS, input).await
}

pub async fn update_type(State(app): State<Arc<App>>, In(call, input): In<ItemEdit>) -> ApiResult<Reply> {
    update_item(&app, &call, LIST_CONTACT_TYPE, input).await
}

async fn delete_item(app: &App, call: &Call, list_type: i64, input: ItemRef) -> ApiResult<Reply> {
    item_reply(&list_items::delete(&app.store, &call.caller, list_type, input.id).await?)
}

pub async fn delete_status(State(app): State<Arc<App>>, In(call, input): In<ItemRef>) -> ApiResult<Reply> {
    delete_item(&app, &call, LIST_CONTACT_STATUS, input).await
}

pub async fn delete_type(State(app): State<Arc<App>>, In(call, input): In<ItemRef>) -> ApiResult<Reply> {
    delete_item(&app, &call, LIST_CONTACT_TYPE, input).await
}

/// The entity type of a `crm/{entityType}/...` route (its fixed words are lower case by then).
pub(super) fn entity_type(path: &str) -> i64 {
    if path.contains("/crm/company/") {
        ENTITY_COMPANY
    } else if path.contains("/crm/person/") {
        ENTITY_PERSON
    } else {
        ENTITY_CONTACT
    }
}

impl From<FieldFields> for FieldDraft {
    fn from(fields: FieldFields) -> Self {
        FieldDraft { label: fields.label, field_type: fields.field_type, mask: fields.mask }
    }
}

/// `GET crm/{contact|company|person}/customfield/definitions`.
pub async fn field_definitions(State(app): State<Arc<App>>, uri: Uri, call: Call) -> ApiResult<Reply> {
    let fields = custom_fields::definitions(&app.store, &call.caller, entity_type(uri.path())).await?;
    Reply::list(&fields.iter().map(CustomFieldWrapper::new).collect::<Vec<_>>())
}

/// `POST crm/{entityType}/customfield`: `label`, `fieldType`, `mask`.
pub async fn create_field(State(app): State<Arc<App>>, uri: Uri, In(call, input): In<NewField>) -> ApiResult<Reply> {
    let draft = FieldDraft { label: Some(input.label), field_type: input.field_type, mask: input.mask };
    let field = custom_fields::create(&app.store, &call.caller, entity_type(uri.path()), draft).await?;
    Reply::of(CustomFieldWrapper::new(&field))
}

/// `PUT crm/{entityType}/customfield/{id}`.
pub async fn update_field(State(app): State<Arc<App>>, uri: Uri, In(call, input): In<FieldEdit>) -> ApiResult<Reply> {
    let entity = entity_type(uri.path());
    let field = custom_fields::update(&app.store, &call.caller, entity, input.id, input.fields.into()).await?;
    Reply::of(CustomFieldWrapper::new(&field))
}

/// `DELETE crm/{entityType}/customfield/{id}`.
pub async fn delete_field(State(app): State<Arc<App>>, uri: Uri, In(call, input): In<FieldRef>) -> ApiResult<Reply> {
    let field = custom_fields::delete(&app.store, &call.caller, entity_type(uri.path()), input.id).await?;
    Reply::of(CustomFieldWrapper::new(&field))
}

/// `GET crm/{entityType}/{contactid}/customfield`: the fields with a value, and the headings.
pub async fn contact_fields(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    let contact = contacts::get(&app.store, &call.caller, input.contact).await?;
    let view = contacts::view(&app.store, &call.caller, std::slice::from_ref(&contact)).await?;
    let values = view.details.values.get(&contact.id).map(Vec::as_slice).unwrap_or_default();
    let shown = custom_fields::shown(&view.details.fields, values, custom_fields::entity_of(&contact));
    Reply::list(&shown.into_iter().map(|(f, v)| CustomFieldBaseWrapper::new(f, contact.id.0, v)).collect::<Vec<_>>())
}

/// `POST crm/{entityType}/{contactid}/customfield/{fieldid}` with `fieldValue`.
pub async fn set_field(State(app): State<Arc<App>>, In(call, input): In<FieldValueChange>) -> ApiResult<Reply> {
    let value = input.field_value.unwrap_or_default();
    let (contact, field) = (input.contact, input.field);
    let (field, value) = custom_fields::set_value(&app.store, &call.caller, contact, field, &value).await?;
    Reply::of(CustomFieldBaseWrapper::new(&field, contact.0, &value))
}

fn with_tasks(list: Vec<ContactWrapper>) -> Vec<ContactWithTaskWrapper> {
    list.into_iter().map(|contact| ContactWithTaskWrapper { contact }).collect()
}

/// `GET crm/contact/simple/filter`: the filter's page as contacts with their tasks.
pub async fn simple_filter(State(app): State<Arc<App>>, In(call, input): In<FilterFields>) -> ApiResult<Reply> {
    let list = &call.info.list;
    let query = contact_filter(&call, input, None, (ContactSort::DisplayName, false))?;
    let (page, total) = contacts::filter(&app.store, &call.caller, &query, list.start_index, list.count).await?;
    Reply::page(with_tasks(full(&app, &call, &page, Mode::Quick).await?), total)
}

/// `GET crm/contact/simple/byEmail?term=&maxCount=`: contacts whose name and an email contain
/// the term; an empty term or a count under 1 finds nothing.
pub async fn by_email(State(app): State<Arc<App>>, In(call, input): In<ByEmail>) -> ApiResult<Reply> {
    let term = input.term.unwrap_or_default();
    let max = input.max_count.unwrap_or(0);
    if term.trim().is_empty() || max <= 0 {
        return Reply::list::<ContactWithTaskWrapper>(&[]);
    }
    let query = ContactFilter { email_term: Some(term.trim().to_string()), ..ContactFilter::default() };
    let (found, _) =
        contacts::filter(&app.store, &call.caller, &query, 0, (max as u64).min(contacts::MAX_BATCH as u64)).await?;
    Reply::list(&with_tasks(full(&app, &call, &found, Mode::Quick).await?))
}

/// `GET crm/contact/byprefix?prefix=&searchType=`: at most 30 contacts whose display name has
/// every word, by name; searchType -1 any, 0 companies, 1 persons, 2 persons without a company,
/// 3 companies and persons without one.
pub async fn by_prefix(State(app): State<Arc<App>>, In(call, input): In<ByPrefix>) -> ApiResult<Reply> {
    let prefix = input.prefix;
    let (is_company, lone_persons) = match input.search_type.unwrap_or(-1) {
        -1 => (None, false),
        0 => (Some(true), false),
        1 => (Some(false), false),
        2 => (Some(false), true),
        3 => (None, true),
        _ => return Err(ApiError::invalid("searchType", "use -1, 0, 1, 2 or 3")),
    };
    if input.entity_id.unwrap_or(0) > 0 {
        return Err(ApiError::invalid("entityID", "this server has no opportunities or cases to search in"));
    }
    let query = ContactFilter { search: prefix, name_only: true, is_company, lone_persons, ..ContactFilter::default() };
    let (found, _) = contacts::filter(&app.store, &call.caller, &query, 0, 30).await?;
    let view = contacts::view(&app.store, &call.caller, &found).await?;
    let ctx = WireCtx::of(&call.info);
    Reply::list(
        &found.iter().map(|c| ContactBaseWithPhoneWrapper::new(c, &call.caller, &view, &ctx)).collect::<Vec<_>>(),
    )
}

/// `GET crm/contact/bycontactinfo?infoType=&data=&category=&isPrimary=`.
pub async fn by_contact_info(State(app): State<Arc<App>>, In(call, input): In<InfoQuery>) -> ApiResult<Reply> {
    let Enum(InfoType(info_type)) = input.info_type;
    let category = match input.category.filter(|c| !c.trim().is_empty()) {
        Some(text) => Some(contacts::parse_category(info_type, Some(&text))?),
        None => None,
    };
    let info = InfoMatch { info_type, data: input.data.unwrap_or_default(), category, is_primary: input.is_primary };
    let query = ContactFilter { info: Some(info), ..ContactFilter::default() };
    let (found, _) = contacts::filter(&app.store, &call.caller, &query, 0, contacts::MAX_BATCH as u64).await?;
    Reply::list(&full(&app, &call, &found, Mode::Single).await?)
}

/// An Address detail from `address: {street, city, state, zip, country, category, isPrimary}`.
fn address_from(One(address): One<AddressFields>, id: InfoId) -> ApiResult<ContactInfo> {
    let category = address.category.unwrap_or(0);
    if !(0..contacts::categories(contacts::INFO_ADDRESS).len() as i64).contains(&category) {
        return Err(ApiError::invalid("address", "category must be an AddressCategory (0 to 5)"));
    }
    let parts = [
        ("street", address.street),
        ("city", address.city),
        ("state", address.state),
        ("zip", address.zip),
        ("country", address.country),
    ];
    let parts: serde_json::Map<String, serde_json::Value> =
        parts.into_iter().map(|(name, part)| (name.to_string(), part.unwrap_or_default().into())).collect();
    Ok(ContactInfo {
        id,
        info_type: contacts::INFO_ADDRESS,
        category,
        data: serde_json::Value::Object(parts).to_string(),
        is_primary: address.is_primary.unwrap_or(false),
    })
}

/// `POST crm/contact/{contactid}/addressdata`.
pub async fn add_address(State(app): State<Arc<App>>, In(call, input): In<NewAddress>) -> ApiResult<Reply> {
    let item = address_from(input.address, InfoId::UNSAVED)?;
    let added = contacts::add_infos(&app.store, &call.caller, input.contact, vec![item], InfoEdit::Add).await?;
    info_reply(&added[0])
}

/// `PUT crm/contact/{contactid}/addressdata/{id}`: only an address of that contact.
pub async fn update_address(State(app): State<Arc<App>>, In(call, input): In<AddressEdit>) -> ApiResult<Reply> {
    let (contact, info_id) = (input.contact, input.id);
    let existing = contacts::infos(&app.store, &call.caller, contact).await?;
    if !existing.iter().any(|i| i.id == info_id && i.info_type == contacts::INFO_ADDRESS) {
        return Err(ApiError::not_found("Address not found"));
    }
    let updated =
        contacts::update_info(&app.store, &call.caller, contact, address_from(input.address, info_id)?).await?;
    info_reply(&updated)
}

/// `GET crm/contact/{contactid}/access`: the managers of a private contact (none for a shared
/// one); a contact the caller may not read is a 404, as a missing one.
pub async fn get_access(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    let contact = contacts::get(&app.store, &call.caller, input.contact).await?;
    let view = contacts::view(&app.store, &call.caller, std::slice::from_ref(&contact)).await?;
    let base = ContactBaseWrapper::new(&contact, &call.caller, &view, &WireCtx::of(&call.info));
    Reply::list(&base.access_list.unwrap_or_default())
}
