//! Domain rules: who may do what, validation and cascades, written once and called by the
//! HTTP handlers and the CLI alike.

pub mod access;
pub mod auth;
pub mod contacts;
pub mod custom_fields;
pub mod groups;
pub mod list_items;
pub mod password;
pub mod people;
pub mod projects;
pub mod tags;

use people::User;

/// The authenticated user a request acts for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub portal: i64,
    pub user: User,
    /// Hash of the token the request came with, if it came with one (for logout).
    pub token_hash: Option<String>,
}
