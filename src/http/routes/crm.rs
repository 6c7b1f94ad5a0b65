//! `api/2.0/crm/contact...` and the contact side of project links.

use std::sync::Arc;

use axum::extract::State;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::app::App;
use crate::domain::contacts::{
    self, Contact, ContactChanges, ContactFilter, ContactInfo, ContactSort, InfoEdit, InfoMatch, NewContact,
    LIST_CONTACT_STATUS, LIST_CONTACT_TYPE,
};
use crate::domain::custom_fields::{self, FieldDraft, FieldValue, ENTITY_COMPANY, ENTITY_CONTACT, ENTITY_PERSON};
use crate::domain::list_items::{self, ItemDraft};
use crate::domain::{access, tags};
use crate::error::{ApiError, ApiResult};
use crate::http::binding::{ApiEnum, Enum, FromParam, Params};
use crate::http::envelope::Reply;
use crate::http::request::Call;
use crate::http::wire::crm::{
    ContactBaseWithPhoneWrapper, ContactBaseWrapper, ContactInfoWrapper, ContactWithTaskWrapper, ContactWrapper,
    CurrencyInfoWrapper, CustomFieldBaseWrapper, CustomFieldWrapper, ListItemWrapper, Mode, TagWrapper,
};
use crate::http::wire::WireCtx;
pub(super) use crate::model::ShareType;
use crate::model::{CompanyId, ContactId, FieldId, InfoId, UserId};

async fn full(app: &App, call: &Call, list: &[Contact], mode: Mode) -> ApiResult<Vec<ContactWrapper>> {
    let view = contacts::view(&app.store, &call.caller, list).await?;
    let ctx = WireCtx::of(&call.info);
    Ok(list.iter().map(|c| ContactWrapper::new(c, &call.caller, &view, &ctx, mode)).collect())
}

async fn one(app: &App, call: &Call, contact: Contact) -> ApiResult<Reply> {
    let mut wrappers = full(app, call, &[contact], Mode::Single).await?;
    Reply::of(&wrappers.pop())
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
    let (shown, whole) = shown(call, list);
    list_reply(&full(app, call, shown, Mode::List).await?, whole)
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

/// A required id parameter, as the typed id the domain call takes.
fn id<Id: FromParam>(params: &Params, name: &str) -> ApiResult<Id> {
    params.require::<Id>(name)
}

/// `customFieldList`: `{key: fieldId, value}` pairs.
fn field_values(p: &Params) -> ApiResult<Vec<FieldValue>> {
    p.objects("customFieldList")?
        .iter()
        .map(|item| {
            let field_id = item
                .require::<FieldId>("key")
                .map_err(|_| ApiError::invalid("customFieldList", "each item needs a numeric key"))?;
            Ok(FieldValue { field_id, value: item.get::<String>("value")?.unwrap_or_default() })
        })
        .collect()
}

fn managers(params: &Params) -> ApiResult<Vec<UserId>> {
    let mut list: Vec<UserId> = params.list("managerList")?;
    list.sort_unstable();
    list.dedup();
    Ok(list)
}

/// `shareType` as a name or number; else `isShared` (older clients).
fn share_type(params: &Params) -> ApiResult<Option<ShareType>> {
    if let Some(Enum(share)) = params.get::<Enum<ShareType>>("shareType")? {
        return Ok(Some(share));
    }
    Ok(params.get::<bool>("isShared")?.map(ShareType::from_is_shared))
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
pub async fn create_person(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let new = NewContact {
        is_company: false,
        first_name: p.get("firstName")?.unwrap_or_default(),
        last_name: p.get("lastName")?.unwrap_or_default(),
        company_name: String::new(),
        title: p.get("jobTitle")?,
        about: p.get("about")?,
        industry: None,
        company_id: p.get("companyId")?.unwrap_or(0),
        share_type: share_type(p)?.unwrap_or_default().number(),
        managers: managers(p)?.into_iter().map(|id| id.0).collect(),
        fields: field_values(p)?,
    };
    let contact = contacts::create(&app.store, &call.caller, new).await?;
    one(&app, &call, contact).await
}

/// `POST crm/contact/company`.
pub async fn create_company(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let new = NewContact {
        is_company: true,
        first_name: String::new(),
        last_name: String::new(),
        company_name: p.get("companyName")?.unwrap_or_default(),
        title: None,
        about: p.get("about")?,
        industry: None,
        company_id: 0,
        share_type: share_type(p)?.unwrap_or_default().number(),
        managers: managers(p)?.into_iter().map(|id| id.0).collect(),
        fields: field_values(p)?,
    };
    let contact = contacts::create(&app.store, &call.caller, new).await?;
    one(&app, &call, contact).await
}

fn changes(p: &Params) -> ApiResult<ContactChanges> {
    Ok(ContactChanges {
        first_name: p.get("firstName")?,
        last_name: p.get("lastName")?,
        company_name: p.get("companyName")?,
        title: p.get("jobTitle")?,
        about: p.get("about")?,
        company_id: p.get::<i64>("companyId")?.map(CompanyId::from_number),
        share_type: share_type(p)?,
        managers: if p.has("managerList") { Some(managers(p)?) } else { None },
        fields: field_values(p)?,
    })
}

/// `PUT crm/contact/person/{personid}`.
pub async fn update_person(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact =
        contacts::update(&app.store, &call.caller, id(&call.params, "personid")?, false, changes(&call.params)?)
            .await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact/company/{companyid}`.
pub async fn update_company(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact =
        contacts::update(&app.store, &call.caller, id(&call.params, "companyid")?, true, changes(&call.params)?)
            .await?;
    one(&app, &call, contact).await
}

/// `GET crm/contact/{contactid}`.
pub async fn get(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact = contacts::get(&app.store, &call.caller, id(&call.params, "contactid")?).await?;
    one(&app, &call, contact).await
}

/// `DELETE crm/contact/{contactid}`: the contact as it was.
pub async fn delete(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact = contacts::delete(&app.store, &call.caller, id(&call.params, "contactid")?).await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact` with `contactids`: batch delete.
pub async fn delete_batch(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let ids: Vec<ContactId> = call.params.list("contactids")?;
    let deleted = contacts::delete_batch(&app.store, &call.caller, &ids).await?;
    base_list(&app, &call, &deleted).await
}

/// `PUT crm/contact/{contactid}/access`: `isShared` and `managerList`.
pub async fn set_access(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let is_shared = p.get::<bool>("isShared")?.unwrap_or(false);
    let contact = contacts::set_access(&app.store, &call.caller, id(p, "contactid")?, is_shared, &managers(p)?).await?;
    one(&app, &call, contact).await
}

/// `PUT crm/contact/access`: `contactid` list, `isShared`, `managerList`.
pub async fn set_access_batch(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let ids: Vec<ContactId> = p.list("contactid")?;
    let is_shared = p.get::<bool>("isShared")?.unwrap_or(false);
    let changed = contacts::set_access_batch(&app.store, &call.caller, &ids, is_shared, &managers(p)?).await?;
    full_list(&app, &call, &changed).await
}

/// `GET crm/contact/filter`: paged in the database, with `total`.
pub async fn filter(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let list = &call.info.list;
    let query = contact_filter(&call)?;
    let (page, total) = contacts::filter(&app.store, &call.caller, &query, list.start_index, list.count).await?;
    Reply::page(&full(&app, &call, &page, Mode::List).await?, total)
}

/// The filter of `contact/filter` and `contact/filter/access`, from the list options and the
/// parameters (`filterValue` may also come in the body).
fn contact_filter(call: &Call) -> ApiResult<ContactFilter> {
    contact_filter_sorted(call, (ContactSort::Created, true))
}

/// The same with the order used when no `sortBy` is given (`contact/filter` lists the newest
/// first, `contact/simple/filter` by name).
fn contact_filter_sorted(call: &Call, default_order: (ContactSort, bool)) -> ApiResult<ContactFilter> {
    let p = &call.params;
    let list = &call.info.list;
    let (sort, descending) = match list.sort_by.first() {
        Some(name) => (Enum::<ContactSort>::from_param_named(name, "sortBy")?, list.descending),
        None => default_order,
    };
    let view = p.get::<Enum<ListView>>("contactListView")?.map(|Enum(ListView(v))| v).unwrap_or(0);
    let search = match &list.filter_value {
        Some(value) => value.clone(),
        None => p.get::<String>("filterValue")?.unwrap_or_default(),
    };
    let responsible = p.get::<Uuid>("responsibleid")?;
    Ok(ContactFilter {
        search,
        is_company: match view {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        },
        nothing: view == 3,
        status: p.get::<i64>("contactStage")?.filter(|s| *s > 0),
        contact_type: p.get::<i64>("contactType")?.filter(|t| *t > 0),
        manager: responsible.filter(|id| !id.is_nil()).map(UserId),
        unmanaged: responsible.is_some_and(|id| id.is_nil()),
        is_shared: p.get::<bool>("isShared")?,
        tags: p.list::<String>("tags")?.into_iter().filter(|t| !t.trim().is_empty()).collect(),
        created_from: p.get::<DateTime<Utc>>("fromDate")?,
        // toDate covers its whole day, as the original's end-of-day bound.
        created_to: p
            .get::<DateTime<Utc>>("toDate")?
            .map(|to| to + chrono::Duration::days(1) - chrono::Duration::minutes(1)),
        sort,
        descending,
        ..ContactFilter::default()
    })
}

/// `DELETE crm/contact/filter`: deletes every contact the filter selects that the caller may delete.
pub async fn delete_by_filter(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let deleted = contacts::delete_by_filter(&app.store, &call.caller, &contact_filter(&call)?).await?;
    base_list(&app, &call, &deleted).await
}

/// `POST crm/contact/filter/taglist`: tags every contact the filter selects that the caller may edit.
pub async fn tag_by_filter(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let ids = contacts::filtered_ids(&app.store, &call.caller, &contact_filter(&call)?).await?;
    let name = tag_name(&call)?;
    if ids.is_empty() {
        return Reply::of(&name);
    }
    Reply::of(&tags::add(&app.store, &call.caller, &ids, &name, false).await?)
}

/// `PUT crm/contact/filter/access`: `isPrivate` (or `isShared`) and `managerList` for every
/// contact the filter selects that the caller may edit.
pub async fn set_access_by_filter(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let is_shared = match p.get::<bool>("isPrivate")? {
        Some(private) => !private,
        None => p.get::<bool>("isShared")?.unwrap_or(false),
    };
    let changed =
        contacts::set_access_by_filter(&app.store, &call.caller, &contact_filter(&call)?, is_shared, &managers(p)?)
            .await?;
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
pub async fn company_persons(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let company = contacts::get(&app.store, &call.caller, id(&call.params, "companyid")?).await?;
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
pub async fn link_many(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let ids: Vec<ContactId> = call.params.list("contactid")?;
    let linked = contacts::link_to_project(&app.store, &call.caller, id(&call.params, "projectid")?, &ids).await?;
    full_list(&app, &call, &linked).await
}

/// `POST crm/contact/{contactid}/project/{projectid}`.
pub async fn link_one(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let (contact, _) =
        contacts::link_one(&app.store, &call.caller, id(&call.params, "contactid")?, id(&call.params, "projectid")?)
            .await?;
    one(&app, &call, contact).await
}

/// `DELETE crm/contact/{contactid}/project/{projectid}`: the contact's base wrapper.
pub async fn unlink_one(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let (contact, _) =
        contacts::unlink_one(&app.store, &call.caller, id(&call.params, "contactid")?, id(&call.params, "projectid")?)
            .await?;
    let view = contacts::view(&app.store, &call.caller, std::slice::from_ref(&contact)).await?;
    Reply::of(&ContactBaseWrapper::new(&contact, &call.caller, &view, &WireCtx::of(&call.info)))
}

/// `GET crm/contact/project/{projectid}`.
pub async fn of_project(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let linked = contacts::of_project(&app.store, &call.caller, id(&call.params, "projectid")?).await?;
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
fn info_from(p: &Params, id: InfoId) -> ApiResult<ContactInfo> {
    let Enum(InfoType(info_type)) = p.require("infoType")?;
    Ok(ContactInfo {
        id,
        info_type,
        category: contacts::parse_category(info_type, p.raw("category"))?,
        data: p.get::<String>("data")?.unwrap_or_default(),
        is_primary: p.get::<bool>("isPrimary")?.unwrap_or(false),
    })
}

fn info_reply(info: &ContactInfo) -> ApiResult<Reply> {
    Reply::of(&ContactInfoWrapper::new(info))
}

/// `GET crm/contact/{contactid}/data`: every detail, addresses included, newest first.
pub async fn infos(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let infos = contacts::infos(&app.store, &call.caller, id(&call.params, "contactid")?).await?;
    Reply::list(&infos.iter().map(ContactInfoWrapper::new).collect::<Vec<_>>())
}

/// `GET crm/contact/{contactid}/data/{id}`.
pub async fn info(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let wanted: InfoId = id(&call.params, "id")?;
    let infos = contacts::infos(&app.store, &call.caller, id(&call.params, "contactid")?).await?;
    let info =
        infos.iter().find(|i| i.id == wanted).ok_or_else(|| ApiError::not_found("Contact information not found"))?;
    info_reply(info)
}

/// `POST crm/contact/{contactid}/data`.
pub async fn add_info(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let item = info_from(&call.params, InfoId::UNSAVED)?;
    let added =
        contacts::add_infos(&app.store, &call.caller, id(&call.params, "contactid")?, vec![item], InfoEdit::Add)
            .await?;
    info_reply(&added[0])
}

/// `PUT crm/contact/{contactid}/data/{id}`.
pub async fn update_info(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let item = info_from(&call.params, id(&call.params, "id")?)?;
    let updated = contacts::update_info(&app.store, &call.caller, id(&call.params, "contactid")?, item).await?;
    info_reply(&updated)
}

/// `DELETE crm/contact/{contactid}/data/{id}`.
pub async fn delete_info(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let deleted =
        contacts::delete_info(&app.store, &call.caller, id(&call.params, "contactid")?, id(&call.params, "id")?)
            .await?;
    info_reply(&deleted)
}

async fn batch_infos(app: &App, call: &Call, edit: InfoEdit) -> ApiResult<Reply> {
    let items = call
        .params
        .objects("items")?
        .iter()
        .map(|item| info_from(item, InfoId::UNSAVED))
        .collect::<ApiResult<Vec<_>>>()?;
    let saved = contacts::add_infos(&app.store, &call.caller, id(&call.params, "contactid")?, items, edit).await?;
    Reply::list(&saved.iter().map(ContactInfoWrapper::new).collect::<Vec<_>>())
}

/// `POST crm/contact/{contactid}/batch`: adds the `items`.
pub async fn add_infos(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    batch_infos(&app, &call, InfoEdit::Add).await
}

/// `PUT crm/contact/{contactid}/batch`: the `items` replace every detail.
pub async fn replace_infos(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    batch_infos(&app, &call, InfoEdit::Replace).await
}

/// `GET crm/contact/data/infoType`: the names of the detail types.
pub async fn info_types(call: Call) -> ApiResult<Reply> {
    access::require_crm(&call.caller)?;
    Reply::list(&contacts::info_type_names())
}

/// `GET crm/contact/data/{infoType}/category`: the category names of a type.
pub async fn info_categories(call: Call) -> ApiResult<Reply> {
    access::require_crm(&call.caller)?;
    let Enum(InfoType(info_type)) = call.params.require("infoType")?;
    Reply::list(contacts::categories(info_type))
}

fn tag_name(call: &Call) -> ApiResult<String> {
    Ok(call.params.get::<String>("tagName")?.unwrap_or_default())
}

/// `GET crm/contact/{contactid}/tag` (also `crm/contact/tag/{contactid}`).
pub async fn contact_tags(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::list(&tags::of_contact(&app.store, &call.caller, id(&call.params, "contactid")?).await?)
}

/// `GET crm/contact/tag`.
pub async fn all_tags(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let all = tags::all(&app.store, &call.caller).await?;
    let items: Vec<TagWrapper> =
        all.into_iter().map(|(title, used)| TagWrapper { title, relative_items_count: used }).collect();
    Reply::list(&items)
}

/// `POST crm/contact/tag`: a new, unused tag.
pub async fn create_tag(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::of(&tags::create(&app.store, &call.caller, &tag_name(&call)?).await?)
}

/// `POST crm/contact/{contactid}/tag`.
pub async fn add_tag(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact = id(&call.params, "contactid")?;
    Reply::of(&tags::add(&app.store, &call.caller, &[contact], &tag_name(&call)?, true).await?)
}

/// `POST crm/contact/taglist`: `entityid` list and `tagName`.
pub async fn add_tag_to_many(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let ids: Vec<ContactId> = call.params.list("entityid")?;
    Reply::of(&tags::add(&app.store, &call.caller, &ids, &tag_name(&call)?, false).await?)
}

/// `DELETE crm/contact/{contactid}/tag`.
pub async fn remove_tag(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::of(&tags::remove(&app.store, &call.caller, id(&call.params, "contactid")?, &tag_name(&call)?).await?)
}

/// `DELETE crm/contact/tag`.
pub async fn delete_tag(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::of(&tags::delete(&app.store, &call.caller, &tag_name(&call)?).await?)
}

/// `DELETE crm/contact/tag/unused`.
pub async fn delete_unused_tags(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::list(&tags::delete_unused(&app.store, &call.caller).await?)
}

/// `POST crm/contact/company/{companyid}/person` with `personid`.
pub async fn join_company(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let person = contacts::set_company(&app.store, &call.caller, id(p, "companyid")?, id(p, "personid")?, true).await?;
    one(&app, &call, person).await
}

/// `DELETE crm/contact/company/{companyid}/person` with `personid`.
pub async fn leave_company(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let person =
        contacts::set_company(&app.store, &call.caller, id(p, "companyid")?, id(p, "personid")?, false).await?;
    one(&app, &call, person).await
}

/// `PUT crm/contact/{contactid}/status` with `contactStatusid`.
pub async fn set_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let status = p.get::<i64>("contactStatusid")?.unwrap_or(0);
    let contact = contacts::set_status(&app.store, &call.caller, id(p, "contactid")?, status).await?;
    one(&app, &call, contact).await
}

/// A quick-created contact: nothing but its name.
fn quick(is_company: bool, first_name: String, last_name: String, company_name: String) -> NewContact {
    NewContact {
        is_company,
        first_name,
        last_name,
        company_name,
        title: None,
        about: None,
        industry: None,
        company_id: 0,
        share_type: ShareType::None.number(),
        managers: Vec::new(),
        fields: Vec::new(),
    }
}

async fn quick_reply(app: &App, call: &Call, drafts: Vec<NewContact>) -> ApiResult<Reply> {
    if drafts.is_empty() {
        return Ok(Reply::void());
    }
    let created = contacts::quick_create(&app.store, &call.caller, drafts).await?;
    base_list(app, call, &created).await
}

/// `POST crm/contact/company/quick`: `companyName` list; blank names are skipped.
pub async fn quick_companies(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let names: Vec<String> = call.params.list("companyName")?;
    let drafts = names
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .map(|n| quick(true, String::new(), String::new(), n))
        .collect();
    quick_reply(&app, &call, drafts).await
}

/// `POST crm/contact/person/quick`: `data` as `{key: firstName, value: lastName}` pairs;
/// incomplete pairs are skipped.
pub async fn quick_persons(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let mut drafts = Vec::new();
    for pair in call.params.objects("data")? {
        let (first, last) =
            (pair.get::<String>("key")?.unwrap_or_default(), pair.get::<String>("value")?.unwrap_or_default());
        let (first, last) = (first.trim(), last.trim());
        if !first.is_empty() && !last.is_empty() {
            drafts.push(quick(false, first.to_string(), last.to_string(), String::new()));
        }
    }
    quick_reply(&app, &call, drafts).await
}

fn item_draft(p: &Params) -> ApiResult<ItemDraft> {
    Ok(ItemDraft {
        title: p.get("title")?,
        description: p.get("description")?,
        color: p.get("color")?,
        sort_order: p.get("sortOrder")?,
    })
}

fn item_reply(item: &contacts::ListItem) -> ApiResult<Reply> {
    Reply::of(&ListItemWrapper::full(item))
}

/// `GET crm/contact/status/{id}` and `GET crm/contact/type/{id}`.
async fn get_item(app: &App, call: &Call, list_type: i64) -> ApiResult<Reply> {
    item_reply(&list_items::get(&app.store, &call.caller, list_type, id(&call.params, "id")?).await?)
}

pub async fn get_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    get_item(&app, &call, LIST_CONTACT_STATUS).await
}

pub async fn get_type(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    get_item(&app, &call, LIST_CONTACT_TYPE).await
}

/// `POST crm/contact/status` (title, description, color, sortOrder).
pub async fn create_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    item_reply(
        &list_items::create(&app.store, &call.caller, LIST_CONTACT_STATUS, item_draft(&call.params)?, true).await?,
    )
}

/// `POST crm/contact/type` (title, sortOrder).
pub async fn create_type(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    item_reply(
        &list_items::create(&app.store, &call.caller, LIST_CONTACT_TYPE, item_draft(&call.params)?, false).await?,
    )
}

async fn update_item(app: &App, call: &Call, list_type: i64) -> ApiResult<Reply> {
    let draft = item_draft(&call.params)?;
    item_reply(&list_items::update(&app.store, &call.caller, list_type, id(&call.params, "id")?, draft).await?)
}

pub async fn update_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    update_item(&app, &call, LIST_CONTACT_STATUS).await
}

pub async fn update_type(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    update_item(&app, &call, LIST_CONTACT_TYPE).await
}

async fn delete_item(app: &App, call: &Call, list_type: i64) -> ApiResult<Reply> {
    item_reply(&list_items::delete(&app.store, &call.caller, list_type, id(&call.params, "id")?).await?)
}

pub async fn delete_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    delete_item(&app, &call, LIST_CONTACT_STATUS).await
}

pub async fn delete_type(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    delete_item(&app, &call, LIST_CONTACT_TYPE).await
}

/// The entity type of a `crm/{entityType}/...` route.
fn entity_type(path: &str) -> i64 {
    if path.contains("/crm/company/") {
        ENTITY_COMPANY
    } else if path.contains("/crm/person/") {
        ENTITY_PERSON
    } else {
        ENTITY_CONTACT
    }
}

fn field_draft(p: &Params) -> ApiResult<FieldDraft> {
    Ok(FieldDraft { label: p.get("label")?, field_type: p.get("fieldType")?, mask: p.get("mask")? })
}

/// `GET crm/{contact|company|person}/customfield/definitions`.
pub async fn field_definitions(State(app): State<Arc<App>>, uri: axum::http::Uri, call: Call) -> ApiResult<Reply> {
    let fields = custom_fields::definitions(&app.store, &call.caller, entity_type(uri.path())).await?;
    Reply::list(&fields.iter().map(CustomFieldWrapper::new).collect::<Vec<_>>())
}

/// `POST crm/{entityType}/customfield`: `label`, `fieldType`, `mask`.
pub async fn create_field(State(app): State<Arc<App>>, uri: axum::http::Uri, call: Call) -> ApiResult<Reply> {
    let field =
        custom_fields::create(&app.store, &call.caller, entity_type(uri.path()), field_draft(&call.params)?).await?;
    Reply::of(&CustomFieldWrapper::new(&field))
}

/// `PUT crm/{entityType}/customfield/{id}`.
pub async fn update_field(State(app): State<Arc<App>>, uri: axum::http::Uri, call: Call) -> ApiResult<Reply> {
    let draft = field_draft(&call.params)?;
    let field =
        custom_fields::update(&app.store, &call.caller, entity_type(uri.path()), id(&call.params, "id")?, draft)
            .await?;
    Reply::of(&CustomFieldWrapper::new(&field))
}

/// `DELETE crm/{entityType}/customfield/{id}`.
pub async fn delete_field(State(app): State<Arc<App>>, uri: axum::http::Uri, call: Call) -> ApiResult<Reply> {
    let field =
        custom_fields::delete(&app.store, &call.caller, entity_type(uri.path()), id(&call.params, "id")?).await?;
    Reply::of(&CustomFieldWrapper::new(&field))
}

/// `GET crm/{entityType}/{contactid}/customfield`: the fields with a value, and the headings.
pub async fn contact_fields(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact = contacts::get(&app.store, &call.caller, id(&call.params, "contactid")?).await?;
    let view = contacts::view(&app.store, &call.caller, std::slice::from_ref(&contact)).await?;
    let values = view.details.values.get(&contact.id).map(Vec::as_slice).unwrap_or_default();
    let shown = custom_fields::shown(&view.details.fields, values, custom_fields::entity_of(&contact));
    Reply::list(&shown.into_iter().map(|(f, v)| CustomFieldBaseWrapper::new(f, contact.id.0, v)).collect::<Vec<_>>())
}

/// `POST crm/{entityType}/{contactid}/customfield/{fieldid}` with `fieldValue`.
pub async fn set_field(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let value = p.get::<String>("fieldValue")?.unwrap_or_default();
    let (field, value) =
        custom_fields::set_value(&app.store, &call.caller, id(p, "contactid")?, id(p, "fieldid")?, &value).await?;
    Reply::of(&CustomFieldBaseWrapper::new(&field, id(p, "contactid")?, &value))
}

fn with_tasks(list: Vec<ContactWrapper>) -> Vec<ContactWithTaskWrapper> {
    list.into_iter().map(|contact| ContactWithTaskWrapper { contact }).collect()
}

/// `GET crm/contact/simple/filter`: the filter's page as contacts with their tasks.
pub async fn simple_filter(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let list = &call.info.list;
    let query = contact_filter_sorted(&call, (ContactSort::DisplayName, false))?;
    let (page, total) = contacts::filter(&app.store, &call.caller, &query, list.start_index, list.count).await?;
    Reply::page(&with_tasks(full(&app, &call, &page, Mode::Quick).await?), total)
}

/// `GET crm/contact/simple/byEmail?term=&maxCount=`: contacts whose name and an email contain
/// the term; an empty term or a count under 1 finds nothing.
pub async fn by_email(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let term = call.params.get::<String>("term")?.unwrap_or_default();
    let max = call.params.get::<i64>("maxCount")?.unwrap_or(0);
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
pub async fn by_prefix(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let prefix = p.require::<String>("prefix")?;
    let (is_company, lone_persons) = match p.get::<i64>("searchType")?.unwrap_or(-1) {
        -1 => (None, false),
        0 => (Some(true), false),
        1 => (Some(false), false),
        2 => (Some(false), true),
        3 => (None, true),
        _ => return Err(ApiError::invalid("searchType", "use -1, 0, 1, 2 or 3")),
    };
    if p.get::<i64>("entityID")?.unwrap_or(0) > 0 {
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
pub async fn by_contact_info(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let p = &call.params;
    let Enum(InfoType(info_type)) = p.require("infoType")?;
    let category = match p.raw("category").filter(|c| !c.trim().is_empty()) {
        Some(text) => Some(contacts::parse_category(info_type, Some(text))?),
        None => None,
    };
    let info = InfoMatch {
        info_type,
        data: p.get::<String>("data")?.unwrap_or_default(),
        category,
        is_primary: p.get("isPrimary")?,
    };
    let query = ContactFilter { info: Some(info), ..ContactFilter::default() };
    let (found, _) = contacts::filter(&app.store, &call.caller, &query, 0, contacts::MAX_BATCH as u64).await?;
    Reply::list(&full(&app, &call, &found, Mode::Single).await?)
}

/// An Address detail from `address: {street, city, state, zip, country, category, isPrimary}`.
fn address_from(p: &Params, id: InfoId) -> ApiResult<ContactInfo> {
    let address = p.objects("address")?.into_iter().next().ok_or_else(|| ApiError::missing("address"))?;
    let category = address.get::<i64>("category")?.unwrap_or(0);
    if !(0..contacts::categories(contacts::INFO_ADDRESS).len() as i64).contains(&category) {
        return Err(ApiError::invalid("address", "category must be an AddressCategory (0 to 5)"));
    }
    let mut parts = serde_json::Map::new();
    for part in ["street", "city", "state", "zip", "country"] {
        parts.insert(part.into(), address.get::<String>(part)?.unwrap_or_default().into());
    }
    Ok(ContactInfo {
        id,
        info_type: contacts::INFO_ADDRESS,
        category,
        data: serde_json::Value::Object(parts).to_string(),
        is_primary: address.get::<bool>("isPrimary")?.unwrap_or(false),
    })
}

/// `POST crm/contact/{contactid}/addressdata`.
pub async fn add_address(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let item = address_from(&call.params, InfoId::UNSAVED)?;
    let added =
        contacts::add_infos(&app.store, &call.caller, id(&call.params, "contactid")?, vec![item], InfoEdit::Add)
            .await?;
    info_reply(&added[0])
}

/// `PUT crm/contact/{contactid}/addressdata/{id}`: only an address of that contact.
pub async fn update_address(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let (contact, info_id) = (id(&call.params, "contactid")?, id(&call.params, "id")?);
    let existing = contacts::infos(&app.store, &call.caller, contact).await?;
    if !existing.iter().any(|i| i.id == info_id && i.info_type == contacts::INFO_ADDRESS) {
        return Err(ApiError::not_found("Address not found"));
    }
    let updated =
        contacts::update_info(&app.store, &call.caller, contact, address_from(&call.params, info_id)?).await?;
    info_reply(&updated)
}

/// `GET crm/contact/{contactid}/access`: the managers of a private contact (none for a shared
/// one); a contact the caller may not read is a 404, as a missing one.
pub async fn get_access(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let contact = contacts::get(&app.store, &call.caller, id(&call.params, "contactid")?).await?;
    let view = contacts::view(&app.store, &call.caller, std::slice::from_ref(&contact)).await?;
    let base = ContactBaseWrapper::new(&contact, &call.caller, &view, &WireCtx::of(&call.info));
    Reply::list(&base.access_list.unwrap_or_default())
}
