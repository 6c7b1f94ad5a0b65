//! Who may see and change a CRM contact: the rule of [`Right`] for the caller, and guests have
//! no CRM at all.

use super::Caller;
use crate::error::{ApiError, ApiResult};
pub use crate::model::access::{share, Guarded, Right, Viewer};

/// Guests have no CRM module: every CRM call is refused.
pub fn require_crm(caller: &Caller) -> ApiResult<()> {
    if caller.user.is_visitor {
        return Err(ApiError::forbidden("Access denied: guests have no access to the CRM"));
    }
    Ok(())
}

pub fn can_read(caller: &Caller, contact: &impl Guarded) -> bool {
    !caller.user.is_visitor && Right::Read.allows(Viewer::of(caller), contact)
}

pub fn can_edit(caller: &Caller, contact: &impl Guarded) -> bool {
    !caller.user.is_visitor && Right::Edit.allows(Viewer::of(caller), contact)
}

/// Deleting needs the edit right (this server has no invoices that could hold a contact back).
pub fn can_delete(caller: &Caller, contact: &impl Guarded) -> bool {
    can_edit(caller, contact)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::people::User;
    use crate::model::{ShareType, UserId};

    struct C(ShareType, Vec<UserId>);
    impl Guarded for C {
        fn share_type(&self) -> ShareType {
            self.0
        }
        fn is_manager(&self, user: UserId) -> bool {
            self.1.contains(&user)
        }
    }

    pub(crate) fn caller(admin: bool, guest: bool) -> Caller {
        Caller { portal: crate::model::PortalId(1), user: User::for_tests(admin, guest), token_hash: None }
    }

    #[test]
    fn the_share_types_and_managers_decide() {
        let user = caller(false, false);
        let admin = caller(true, false);
        let guest = caller(false, true);
        let manager_of = |c: &Caller| vec![c.user.id];
        let cases = [
            (C(ShareType::None, vec![]), [false, false], [true, true]),
            (C(ShareType::None, manager_of(&user)), [true, true], [true, true]),
            (C(ShareType::ReadWrite, vec![]), [true, true], [true, true]),
            (C(ShareType::Read, vec![]), [true, false], [true, true]),
        ];
        for (contact, [user_reads, user_edits], [admin_reads, admin_edits]) in cases {
            assert_eq!(can_read(&user, &contact), user_reads);
            assert_eq!(can_edit(&user, &contact), user_edits);
            assert_eq!(can_read(&admin, &contact), admin_reads);
            assert_eq!(can_edit(&admin, &contact), admin_edits);
            assert!(!can_read(&guest, &contact) && !can_edit(&guest, &contact));
        }
        assert!(require_crm(&guest).is_err());
    }
}
