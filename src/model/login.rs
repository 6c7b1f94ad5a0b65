//! What login attempts are counted against.

use uuid::Uuid;

/// What a login attempt is counted against.
#[derive(Debug, Clone)]
pub enum LoginScope {
    /// An existing account, whichever of its names (user name or email, any case) was typed.
    User(Uuid),
    /// A login name that names no account (lower-cased).
    Account(String),
    /// The client's address.
    Address(String),
}
