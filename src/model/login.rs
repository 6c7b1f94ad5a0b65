//! What login attempts are counted against.

use super::ids::UserId;

/// What a login attempt is counted against.
#[derive(Debug, Clone)]
pub enum LoginScope {
    /// An existing account, whichever of its names (user name or email, any case) was typed.
    User(UserId),
    /// A login name that names no account (lower-cased).
    Account(String),
    /// The client's address.
    Address(String),
    /// An email typed into a password reminder (lower-cased), whether or not it has an account.
    Reminder(String),
    /// The address of a client asking for password reminders.
    ReminderAddress(String),
}
