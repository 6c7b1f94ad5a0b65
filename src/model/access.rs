//! Who acts, and the rule of who may read and change a CRM contact (the original's
//! CRMSecurity), written once: the domain checks a loaded contact with [`Right::allows`], the
//! store filters rows with [`Right::sql`], both from the same share types.
//!
//! Share types: None (private: admins and the contact's managers), ReadWrite (everyone reads
//! and edits), Read (everyone reads; admins and managers edit). Admins pass every check; the
//! creator has no right of his own.

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

    /// Admins have every right on every contact.
    pub fn has_every_right(self) -> bool {
        self.is_admin
    }
}

/// What the rule needs to know of a contact.
pub trait Guarded {
    fn share_type(&self) -> ShareType;
    fn is_manager(&self, user: UserId) -> bool;
}

/// A right on a contact. Admins and the contact's managers have each; everyone else has it
/// when the contact's share type opens it to all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read (and link to projects).
    Read,
    /// Edit and delete.
    Edit,
}

impl Right {
    /// The share types that give this right to every CRM user.
    pub fn open_to_all(self) -> &'static [ShareType] {
        match self {
            Right::Read => &[ShareType::ReadWrite, ShareType::Read],
            Right::Edit => &[ShareType::ReadWrite],
        }
    }

    /// The rule, for a contact in hand.
    pub fn allows(self, viewer: Viewer, contact: &impl Guarded) -> bool {
        viewer.has_every_right()
            || self.open_to_all().contains(&contact.share_type())
            || contact.is_manager(viewer.user)
    }

    /// The same rule as an SQL condition, given the contact's share type column and the
    /// condition "this user manages the contact"; `None` when it is no condition at all (an
    /// admin), so that queries can leave it out.
    pub fn sql(self, viewer: Viewer, share_type: &str, managed_by: impl FnOnce(UserId) -> String) -> Option<String> {
        (!viewer.has_every_right()).then(|| format!("({} OR {})", self.sql_open(share_type), managed_by(viewer.user)))
    }

    /// "The share type in `column` opens this right to all".
    pub fn sql_open(self, column: &str) -> String {
        share_types_sql(column, self.open_to_all().iter())
    }

    /// "The share type in `column` leaves this right to admins and managers".
    pub fn sql_closed(self, column: &str) -> String {
        share_types_sql(column, ShareType::ALL.iter().filter(|share| !self.open_to_all().contains(share)))
    }
}

/// `column IN (n, ...)`: the share types by their stored numbers (constants, not user input).
fn share_types_sql<'a>(column: &str, shares: impl Iterator<Item = &'a ShareType>) -> String {
    let numbers: Vec<String> = shares.map(|share| share.number().to_string()).collect();
    format!("{column} IN ({})", numbers.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_opens_what_the_check_opens() {
        assert_eq!(Right::Read.sql_open("s"), "s IN (1, 2)");
        assert_eq!(Right::Read.sql_closed("s"), "s IN (0)");
        assert_eq!(Right::Edit.sql_open("s"), "s IN (1)");
        assert_eq!(Right::Edit.sql_closed("s"), "s IN (0, 2)");
        let viewer = Viewer { user: UserId::NIL, is_admin: true };
        assert_eq!(Right::Edit.sql(viewer, "s", |_| unreachable!("admins pass without a look-up")), None);
    }
}
