//! Who acts: the caller of a request, and the part of him the store's SQL filters see.

use super::ids::{PortalId, ShareType, UserId};
use super::people::User;

/// The stored [`ShareType`] numbers, for code that writes contacts as rows (the importer, the
/// seed).
pub mod share {
    use super::ShareType;

    pub const NONE: i64 = ShareType::None.number();
    pub const READ_WRITE: i64 = ShareType::ReadWrite.number();
    pub const READ: i64 = ShareType::Read.number();
}

/// The authenticated user a request acts for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub portal: PortalId,
    pub user: User,
    /// Hash of the token the request came with, if it came with one (for logout).
    pub token_hash: Option<String>,
}

/// The caller, as the SQL filters of the store see him.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub user: UserId,
    pub is_admin: bool,
}

impl Viewer {
    pub fn of(caller: &Caller) -> Self {
        Viewer { user: caller.user.id, is_admin: caller.user.is_admin }
    }
}
