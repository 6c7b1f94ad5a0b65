//! CRM contact shapes: ContactBaseWrapper, PersonWrapper and CompanyWrapper (one struct whose
//! person-only and company-only members are left out for the other kind), Address,
//! ContactInfoWrapper and the list items. Key order as the original writes it: the derived
//! class's members first, then the base's, `id` last.

use schemars::JsonSchema;
use serde::Serialize;

use super::people::EmployeeWraper;
use super::WireCtx;
use crate::domain::access;
use crate::domain::contacts::{self, Contact, ContactInfo, ContactView, ListItem};
use crate::domain::currencies::{self, CurrencyInfo};
use crate::domain::custom_fields::{self, FieldDefinition};
use crate::domain::Caller;
use crate::http::datetime::ApiDateTime;

/// An Address keeps its parts as JSON in `data`.
const ADDRESS: i64 = contacts::INFO_ADDRESS;

/// The English name of a category, as the original shows it (Postal reads "Delivery").
fn category_name(info_type: i64, category: i64) -> &'static str {
    match contacts::categories(info_type).get(category as usize).copied() {
        Some("Postal") => "Delivery",
        Some(name) => name,
        None => "Other",
    }
}

fn photo_url(contact: &Contact, ps: u8) -> String {
    super::photos::contact_photo_handler_url(contact.id, contact.is_company, ps)
}

/// Single mode (one contact), list mode (filters, project lists), or the quick variant of the
/// simple look-ups (no addresses, status, custom fields or tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Single,
    List,
    Quick,
}

/// The id the original gives a user it cannot find (Constants.LostUser).
pub const LOST_USER: uuid::Uuid = uuid::Uuid::from_u128(0x4a515a15_d4d6_4b8e_828e_e0586f18f3a3);

/// The original's EmployeeWraper of a missing user: LostUser, named by the "ProfileRemoved"
/// resource, with the default photo and a profile link without a user.
fn lost_user(ctx: &WireCtx) -> EmployeeWraper {
    EmployeeWraper {
        id: LOST_USER,
        display_name: "Profile has been removed".into(),
        title: None,
        avatar_small: super::photos::default_user_photo_url(32),
        profile_url: format!("{}/Products/People/Profile.aspx?", ctx.base_url),
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactBaseWrapper {
    pub small_foto_url: String,
    pub medium_foto_url: String,
    pub display_name: String,
    pub is_company: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_list: Option<Vec<EmployeeWraper>>,
    pub is_private: bool,
    pub is_shared: bool,
    pub share_type: i64,
    pub currency: Option<CurrencyInfoWrapper>,
    pub can_edit: bool,
    pub can_delete: bool,
    pub id: i64,
}

impl ContactBaseWrapper {
    pub fn new(contact: &Contact, caller: &Caller, view: &ContactView, ctx: &WireCtx) -> Self {
        let is_shared = contact.share_type.is_shared();
        ContactBaseWrapper {
            small_foto_url: photo_url(contact, 1),
            medium_foto_url: photo_url(contact, 2),
            display_name: contact.display_name(),
            is_company: contact.is_company,
            // A manager who is no user (any more) shows as the original's removed profile.
            access_list: (!is_shared).then(|| {
                contact
                    .manager_ids()
                    .map(|id| view.users.get(&id).map_or_else(|| lost_user(ctx), |u| EmployeeWraper::new(u, ctx)))
                    .collect()
            }),
            is_private: !is_shared,
            is_shared,
            share_type: contact.share_type.number(),
            currency: contact.currency.as_deref().and_then(CurrencyInfoWrapper::of),
            can_edit: access::can_edit(caller, contact),
            can_delete: access::can_delete(caller, contact),
            id: contact.id.0,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactWrapper {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<ContactBaseWrapper>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persons_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_by: Option<EmployeeWraper>,
    pub created: ApiDateTime,
    /// Always sent, `""` when empty, as the original reads a missing text.
    pub about: String,
    pub industry: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_status: Option<ListItemWrapper>,
    pub common_data: Vec<ContactInfoWrapper>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldBaseWrapper>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    pub have_late_tasks: bool,
    #[serde(flatten)]
    pub base: ContactBaseWrapper,
}

impl ContactWrapper {
    pub fn new(contact: &Contact, caller: &Caller, view: &ContactView, ctx: &WireCtx, mode: Mode) -> Self {
        let infos: &[ContactInfo] = view.details.infos.get(&contact.id).map(Vec::as_slice).unwrap_or_default();
        let addresses: Vec<Address> = infos.iter().filter(|i| i.info_type == ADDRESS).map(Address::new).collect();
        let company = (!contact.is_company)
            .then(|| contact.company_id.and_then(|company| view.companies.get(&company.contact())))
            .flatten()
            .map(|company| ContactBaseWrapper::new(company, caller, view, ctx));
        let person = !contact.is_company;
        let tags = view.details.tags.get(&contact.id).cloned().unwrap_or_default();
        ContactWrapper {
            first_name: person.then(|| contact.first_name.clone()),
            last_name: person.then(|| contact.last_name.clone()),
            company,
            // Sent even when empty, as the original reads a missing text as "".
            title: person.then(|| contact.title.clone().unwrap_or_default()),
            company_name: contact.is_company.then(|| contact.company_name.clone()),
            persons_count: view.details.persons.get(&contact.id).copied().filter(|n| *n > 0 && contact.is_company),
            addresses: (mode == Mode::Single || (mode == Mode::List && !addresses.is_empty())).then_some(addresses),
            create_by: view.users.get(&contact.created_by).map(|u| EmployeeWraper::new(u, ctx)),
            created: ctx.date(contact.created_at),
            about: contact.about.clone().unwrap_or_default(),
            industry: contact.industry.clone().unwrap_or_default(),
            contact_status: view
                .details
                .statuses
                .iter()
                .find(|s| s.id.0 == contact.status_id && mode != Mode::Quick)
                .map(ListItemWrapper::base),
            common_data: infos.iter().filter(|i| i.info_type != ADDRESS).map(ContactInfoWrapper::new).collect(),
            custom_fields: (mode != Mode::Quick).then(|| {
                let values = view.details.values.get(&contact.id).map(Vec::as_slice).unwrap_or_default();
                custom_fields::shown(&view.details.fields, values, custom_fields::entity_of(contact))
                    .into_iter()
                    .map(|(field, value)| CustomFieldBaseWrapper::new(field, contact.id.0, value))
                    .collect()
            }),
            tags: (mode == Mode::List && !tags.is_empty()).then_some(tags),
            have_late_tasks: false,
            base: ContactBaseWrapper::new(contact, caller, view, ctx),
        }
    }
}

/// Address: its parts parsed from the info row's JSON; every member omitted when empty.
#[derive(Serialize, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub category: i64,
    pub category_name: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub is_primary: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl Address {
    fn new(info: &ContactInfo) -> Self {
        let parts: serde_json::Value = serde_json::from_str(&info.data).unwrap_or_default();
        let part = |name: &str| parts.get(name).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_string);
        Address {
            street: part("street"),
            city: part("city"),
            state: part("state"),
            zip: part("zip"),
            country: part("country"),
            category: info.category,
            category_name: category_name(info.info_type, info.category),
            is_primary: info.is_primary,
        }
    }
}

/// ContactInfoWrapper (`commonDataItem`).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfoWrapper {
    pub id: i64,
    pub info_type: i64,
    pub category: i64,
    pub data: String,
    pub category_name: &'static str,
    pub is_primary: bool,
}

impl ContactInfoWrapper {
    pub fn new(info: &ContactInfo) -> Self {
        ContactInfoWrapper {
            id: info.id.0,
            info_type: info.info_type,
            category: info.category,
            data: info.data.clone(),
            category_name: category_name(info.info_type, info.category),
            is_primary: info.is_primary,
        }
    }
}

/// ContactStatusWrapper / ContactTypeWrapper (and their Base forms, without the count).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListItemWrapper {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_items_count: Option<i64>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub sort_order: i64,
    pub id: i64,
}

impl ListItemWrapper {
    /// The Base form, inside a contact.
    pub fn base(item: &ListItem) -> Self {
        ListItemWrapper {
            relative_items_count: None,
            title: item.title.clone(),
            description: item.description.clone().filter(|d| !d.is_empty()),
            color: item.color.clone().filter(|c| !c.is_empty()),
            sort_order: item.sort_order,
            id: item.id.0,
        }
    }

    /// The full form, in `crm/contact/status` and `crm/contact/type`.
    pub fn full(item: &ListItem) -> Self {
        ListItemWrapper { relative_items_count: Some(item.used_by).filter(|n| *n > 0), ..ListItemWrapper::base(item) }
    }
}

/// CurrencyInfoWrapper.
#[derive(Serialize, Clone, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyInfoWrapper {
    pub title: &'static str,
    pub symbol: &'static str,
    pub abbreviation: &'static str,
    pub culture_name: &'static str,
    pub is_convertable: bool,
    pub is_basic: bool,
}

impl CurrencyInfoWrapper {
    /// Every currency, by abbreviation.
    pub fn all() -> Vec<Self> {
        currencies::all_currencies().into_iter().map(Self::new).collect()
    }

    pub fn of(code: &str) -> Option<Self> {
        currencies::currency_of(code).map(Self::new)
    }

    pub fn new(currency: &'static CurrencyInfo) -> Self {
        CurrencyInfoWrapper {
            title: currency.title,
            symbol: currency.symbol,
            abbreviation: currency.abbreviation,
            culture_name: currency.culture_name,
            is_convertable: true,
            is_basic: currency.is_basic,
        }
    }
}

/// TagWrapper.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagWrapper {
    pub title: String,
    #[serde(skip_serializing_if = "is_zero")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub relative_items_count: i64,
}

/// CustomFieldBaseWrapper: a field with the value one contact has.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldBaseWrapper {
    pub entity_id: i64,
    pub label: String,
    pub field_value: String,
    pub field_type: i64,
    pub position: i64,
    pub mask: String,
    pub id: i64,
}

impl CustomFieldBaseWrapper {
    pub fn new(field: &FieldDefinition, entity_id: i64, value: &str) -> Self {
        CustomFieldBaseWrapper {
            entity_id,
            label: field.label.clone(),
            field_value: value.to_string(),
            field_type: field.field_type,
            position: field.position,
            mask: field.mask.clone(),
            id: field.id.0,
        }
    }
}

/// CustomFieldWrapper: a definition, with how many contacts have a value for it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldWrapper {
    pub relative_items_count: i64,
    #[serde(flatten)]
    pub base: CustomFieldBaseWrapper,
}

impl CustomFieldWrapper {
    /// Definitions show entity -1 and a single-space value, as the original's do.
    pub fn new(field: &FieldDefinition) -> Self {
        CustomFieldWrapper { relative_items_count: field.used_by, base: CustomFieldBaseWrapper::new(field, -1, " ") }
    }
}

/// ContactWithTaskWrapper: a contact (quick variant) and its nearest task (this server keeps
/// no tasks, so none).
#[derive(Serialize, JsonSchema)]
pub struct ContactWithTaskWrapper {
    pub contact: ContactWrapper,
}

/// ContactBaseWithPhoneWrapper: the base shape and the first primary phone.
#[derive(Serialize, JsonSchema)]
pub struct ContactBaseWithPhoneWrapper {
    #[serde(flatten)]
    pub base: ContactBaseWrapper,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<ContactInfoWrapper>,
}

impl ContactBaseWithPhoneWrapper {
    pub fn new(contact: &Contact, caller: &Caller, view: &ContactView, ctx: &WireCtx) -> Self {
        let phone = view
            .details
            .infos
            .get(&contact.id)
            .and_then(|infos| infos.iter().find(|i| i.info_type == contacts::INFO_PHONE && i.is_primary))
            .map(ContactInfoWrapper::new);
        ContactBaseWithPhoneWrapper { base: ContactBaseWrapper::new(contact, caller, view, ctx), phone }
    }
}
