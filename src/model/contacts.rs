//! CRM contacts as domain and store both speak of them.

use std::collections::HashMap;

use super::access::Guarded;
use super::custom_fields::{FieldDefinition, FieldValue};
use super::ids::{CompanyId, ContactId, InfoId, ListItemId, ShareType, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// ContactInfoType: each type's name and number, as the original names and numbers them.
pub const INFO_TYPES: &[(&str, i64)] = &[
    ("Phone", 0),
    ("Email", 1),
    ("Website", 2),
    ("Skype", 3),
    ("Twitter", 4),
    ("LinkedIn", 5),
    ("Facebook", 6),
    ("Address", 7),
    ("LiveJournal", 8),
    ("MySpace", 9),
    ("GMail", 10),
    ("Blogger", 11),
    ("Yahoo", 12),
    ("MSN", 13),
    ("ICQ", 14),
    ("Jabber", 15),
    ("AIM", 16),
    ("VK", 17),
];
pub const INFO_PHONE: i64 = 0;
pub const INFO_EMAIL: i64 = 1;
pub const INFO_ADDRESS: i64 = 7;

/// The name of an info type number, if it names one.
pub fn info_type_name(number: i64) -> Option<&'static str> {
    INFO_TYPES.iter().find(|(_, n)| *n == number).map(|(name, _)| *name)
}

/// Every info type name, in number order.
pub fn info_type_names() -> Vec<&'static str> {
    INFO_TYPES.iter().map(|(name, _)| *name).collect()
}

/// ListType of contact statuses and contact types.
pub const LIST_CONTACT_STATUS: i64 = 1;
pub const LIST_CONTACT_TYPE: i64 = 4;

/// A contact as stored.
#[derive(Debug, Clone)]
pub struct Contact {
    pub id: ContactId,
    pub is_company: bool,
    pub first_name: String,
    pub last_name: String,
    pub company_name: String,
    pub title: Option<String>,
    pub about: Option<String>,
    pub industry: Option<String>,
    /// A person's company.
    pub company_id: Option<CompanyId>,
    pub status_id: i64,
    pub contact_type_id: i64,
    pub share_type: ShareType,
    pub currency: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub modified_by: UserId,
    pub modified_at: DateTime<Utc>,
    pub managers: Vec<UserId>,
}

impl Guarded for Contact {
    fn share_type(&self) -> ShareType {
        self.share_type
    }
    fn is_manager(&self, user: UserId) -> bool {
        self.managers.contains(&user)
    }
}

/// A person's "First Last" or a company's name, as lists show and sort it.
pub fn display_name(is_company: bool, first: &str, last: &str, company: &str) -> String {
    if is_company {
        company.to_string()
    } else {
        format!("{first} {last}")
    }
}

impl Contact {
    /// This contact as a company, if it is one.
    pub fn as_company(&self) -> Option<CompanyId> {
        self.is_company.then_some(CompanyId(self.id.0))
    }

    /// The managers, one by one.
    pub fn manager_ids(&self) -> impl Iterator<Item = UserId> + '_ {
        self.managers.iter().copied()
    }

    /// A person's "First Last" (with the original's trailing space when there is no last
    /// name), or a company's name.
    pub fn display_name(&self) -> String {
        display_name(self.is_company, &self.first_name, &self.last_name, &self.company_name)
    }
}

/// A contact to create: a person or a company with its name, the rest left empty (private,
/// no managers) unless set.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub is_company: bool,
    pub first_name: String,
    pub last_name: String,
    pub company_name: String,
    pub title: Option<String>,
    pub about: Option<String>,
    pub industry: Option<String>,
    /// A person's company.
    pub company_id: Option<CompanyId>,
    pub share_type: ShareType,
    pub managers: Vec<UserId>,
    /// Custom field values (`customFieldList`).
    pub fields: Vec<FieldValue>,
}

impl NewContact {
    pub fn person(first_name: impl Into<String>, last_name: impl Into<String>) -> Self {
        NewContact { first_name: first_name.into(), last_name: last_name.into(), ..NewContact::default() }
    }

    pub fn company(name: impl Into<String>) -> Self {
        NewContact { is_company: true, company_name: name.into(), ..NewContact::default() }
    }

    pub fn display_name(&self) -> String {
        display_name(self.is_company, &self.first_name, &self.last_name, &self.company_name)
    }
}

/// One row of contact details (phone, email, address, ...).
#[derive(Debug, Clone)]
pub struct ContactInfo {
    pub id: InfoId,
    pub info_type: i64,
    pub category: i64,
    pub data: String,
    pub is_primary: bool,
}

/// A contact status or contact type.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub id: ListItemId,
    pub title: String,
    pub description: Option<String>,
    pub color: Option<String>,
    pub sort_order: i64,
    /// How many contacts use it.
    pub used_by: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactSort {
    DisplayName,
    /// The original's default: newest first unless `sortOrder` says otherwise.
    #[default]
    Created,
    FirstName,
    LastName,
    /// ContactType sorts by status, as the original does.
    Status,
    Id,
}

/// What `contact/filter` asks for (kept as JSON by an export task).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContactFilter {
    pub search: String,
    pub is_company: Option<bool>,
    pub status: Option<i64>,
    pub contact_type: Option<i64>,
    pub manager: Option<UserId>,
    pub company: Option<CompanyId>,
    #[serde(with = "optional_millis")]
    pub created_from: Option<DateTime<Utc>>,
    #[serde(with = "optional_millis")]
    pub created_to: Option<DateTime<Utc>>,
    pub sort: ContactSort,
    pub descending: bool,
    /// The search words match the display name only (not the details too).
    pub name_only: bool,
    /// Persons must have no company (companies pass).
    pub lone_persons: bool,
    /// A detail the contact must have.
    pub info: Option<InfoMatch>,
    /// Tags the contact must all carry.
    pub tags: Vec<String>,
    /// Shared (Read or ReadWrite) or private contacts only.
    pub is_shared: Option<bool>,
    /// Only contacts without managers (`responsibleid` of the empty GUID).
    pub unmanaged: bool,
    /// Nothing matches (contacts with deals: this server keeps no deals).
    pub nothing: bool,
    /// Text found in "display name + ' ' + an email".
    pub email_term: Option<String>,
}

/// An optional instant as milliseconds since 1970, for [`ContactFilter`]'s JSON.
mod optional_millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        at.map(|at| at.timestamp_millis()).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<i64>::deserialize(deserializer)?.and_then(DateTime::from_timestamp_millis))
    }
}

/// A detail a contact must have (`bycontactinfo`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InfoMatch {
    pub info_type: i64,
    pub data: String,
    pub category: Option<i64>,
    pub is_primary: Option<bool>,
}

/// What one edit writes to a contact's row; `None` leaves a column as it is, so that two
/// clients editing different fields of one contact at once both keep their change.
#[derive(Debug, Default)]
pub struct ContactPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    /// The name lists show, derived from the names after the edit; set whenever a name is.
    pub display_name: Option<String>,
    pub title: Option<String>,
    pub about: Option<String>,
    pub industry: Option<String>,
    /// `Some(None)` takes a person out of his company.
    pub company_id: Option<Option<CompanyId>>,
    pub status_id: Option<i64>,
    pub contact_type_id: Option<i64>,
    pub share_type: Option<ShareType>,
}

/// What list wrappers show besides the contact rows.
#[derive(Default)]
pub struct ContactDetails {
    pub infos: HashMap<ContactId, Vec<ContactInfo>>,
    pub tags: HashMap<ContactId, Vec<String>>,
    /// How many persons of each listed company the viewer may read.
    pub persons: HashMap<ContactId, i64>,
    /// Custom field values by contact.
    pub values: HashMap<ContactId, Vec<FieldValue>>,
    /// The portal's contact statuses, in order.
    pub statuses: Vec<ListItem>,
    /// The portal's custom field definitions of contacts, companies and persons, in order.
    pub fields: Vec<FieldDefinition>,
}
