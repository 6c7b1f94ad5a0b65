//! The JSON shapes the API answers with, each written once: the keys of a wrapper in the order
//! the original server writes them.

use serde_json::Value;

/// The keys of an object, in the order the server wrote them.
pub fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().map(String::as_str).collect()
}

/// The CRM ContactBaseWrapper: what every contact answer ends with, and all of a contact in the
/// short answers (deleted, unlinked, batch).
pub const CONTACT_BASE_KEYS: [&str; 11] = [
    "smallFotoUrl",
    "mediumFotoUrl",
    "displayName",
    "isCompany",
    "isPrivate",
    "isShared",
    "shareType",
    "currency",
    "canEdit",
    "canDelete",
    "id",
];

/// The keys a CompanyWrapper writes before the ContactBaseWrapper's.
pub const COMPANY_OWN_KEYS: [&str; 9] = [
    "companyName",
    "addresses",
    "createBy",
    "created",
    "about",
    "industry",
    "commonData",
    "customFields",
    "haveLateTasks",
];

/// A whole CompanyWrapper (with no private access list).
pub fn company_keys() -> Vec<&'static str> {
    [&COMPANY_OWN_KEYS[..], &CONTACT_BASE_KEYS[..]].concat()
}
