//! Portal users and their profiles.

use super::ids::{GroupId, UserId};
use super::photos::PhotoStamp;
use chrono::{DateTime, Utc};

/// EmployeeStatus (flags).
pub mod status {
    pub const ACTIVE: i64 = 1;
    pub const TERMINATED: i64 = 2;
    pub const LEAVE_OF_ABSENCE: i64 = 4;
    pub const ALL: i64 = 7;
    /// Active or on leave: what non-admins may list.
    pub const DEFAULT: i64 = 5;
}

/// One `{type, value}` entry of a user's contact list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserContact {
    pub kind: String,
    pub value: String,
}

/// A department the user belongs to, as profiles show it.
#[derive(Debug, Clone)]
pub struct GroupRef {
    pub id: GroupId,
    pub name: String,
    /// The user name of the group's manager.
    pub manager: Option<String>,
}

/// A portal user as stored, with the roles derived from portal and admin membership.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// true = male, false = female.
    pub sex: Option<bool>,
    pub birthday: Option<DateTime<Utc>>,
    pub work_from: Option<DateTime<Utc>>,
    pub terminated_at: Option<DateTime<Utc>>,
    pub title: String,
    pub location: String,
    pub notes: String,
    pub status: i64,
    pub activation_status: i64,
    pub culture_name: Option<String>,
    pub mobile_phone: Option<String>,
    pub mobile_phone_activation: i64,
    pub lead: Option<UserId>,
    pub sid: Option<String>,
    pub sso_name_id: Option<String>,
    pub is_visitor: bool,
    pub is_admin: bool,
    pub is_owner: bool,
    pub created_at: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    /// His photo, if he uploaded one (the default images otherwise).
    pub photo: Option<PhotoStamp>,
}

/// A user with what a full profile shows besides the user row.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user: User,
    pub contacts: Vec<UserContact>,
    pub groups: Vec<GroupRef>,
}

impl User {
    /// An active user of the given roles, for unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests(admin: bool, guest: bool) -> User {
        let now = Utc::now();
        User {
            id: UserId(uuid::Uuid::new_v4()),
            user_name: "u".into(),
            email: "u@x".into(),
            first_name: String::new(),
            last_name: String::new(),
            sex: None,
            birthday: None,
            work_from: None,
            terminated_at: None,
            title: String::new(),
            location: String::new(),
            notes: String::new(),
            status: 1,
            activation_status: 1,
            culture_name: None,
            mobile_phone: None,
            mobile_phone_activation: 0,
            lead: None,
            sid: None,
            sso_name_id: None,
            is_visitor: guest,
            is_admin: admin,
            is_owner: false,
            created_at: now,
            last_modified: now,
            photo: None,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status & status::TERMINATED == 0
    }

    /// "First Last", the display format of every culture the server speaks but Russian.
    pub fn display_name(&self) -> String {
        match (self.first_name.trim(), self.last_name.trim()) {
            ("", "") => self.user_name.clone(),
            (first, "") => first.to_string(),
            ("", last) => last.to_string(),
            (first, last) => format!("{first} {last}"),
        }
    }

    pub fn is_ldap(&self) -> bool {
        self.sid.as_deref().is_some_and(|s| !s.is_empty())
    }

    pub fn is_sso(&self) -> bool {
        self.sso_name_id.as_deref().is_some_and(|s| !s.is_empty())
    }
}

/// A user to insert.
pub struct NewUser {
    pub id: UserId,
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_visitor: bool,
    pub activation_status: i64,
    pub password_hash: String,
}
