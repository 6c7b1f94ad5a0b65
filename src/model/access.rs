//! Who acts: the caller of a request, and the part of him the store's SQL filters see.

use uuid::Uuid;

use super::people::User;

/// The authenticated user a request acts for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub portal: i64,
    pub user: User,
    /// Hash of the token the request came with, if it came with one (for logout).
    pub token_hash: Option<String>,
}

/// The caller, as the SQL filters of the store see him.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user: Uuid,
    pub is_admin: bool,
}

impl Viewer {
    pub fn of(caller: &Caller) -> Self {
        Viewer { user: caller.user.id, is_admin: caller.user.is_admin }
    }
}
