//! Domain rules: who may do what, validation and cascades, written once and called by the
//! HTTP handlers and the CLI alike.

pub mod access;
pub mod account;
pub mod administrators;
pub mod auth;
pub mod contact_mail;
pub mod contacts;
pub mod crm_settings;
pub mod currencies;
pub mod custom_fields;
pub mod groups;
pub mod health;
pub mod integrity;
pub mod leaving;
pub mod list_items;
pub mod mail;
pub mod original_password;
pub mod password;
pub mod people;
pub mod photos;
pub mod projects;
mod remote_image;
pub mod tags;
pub mod tasks;
pub mod transfer;

pub use crate::model::access::Caller;
use crate::model::ids::Snapshot;
use crate::store::Store;

/// The state of the database the request reads, where the database can name it (a SQLite file;
/// `None` on PostgreSQL): what was read in one snapshot holds while the snapshot is current.
pub fn read_snapshot(store: &Store) -> Option<Snapshot> {
    store.request_snapshot()
}

/// A required text parameter: trimmed, not empty (400 naming it), at most `max` characters.
pub fn required_text(value: &str, name: &str, max: usize) -> crate::error::ApiResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(crate::error::ApiError::missing(name));
    }
    if value.chars().count() > max {
        return Err(crate::error::ApiError::invalid(name, format!("at most {max} characters")));
    }
    Ok(value.to_string())
}
