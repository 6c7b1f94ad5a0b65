//! GroupWrapperSummary (in `people`) and GroupWrapperFull.

use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::people::EmployeeWraper;
use super::WireCtx;
use crate::domain::groups::{Group, GroupDetails};

/// The id the original gives a missing user ("LostUser").
const LOST_USER: Uuid = Uuid::from_u128(0x4a515a15_d4d6_4b8e_828e_e0586f18f3a3);

#[derive(Serialize, JsonSchema)]
pub struct GroupSummary {
    pub id: Uuid,
    pub name: String,
    pub manager: Option<String>,
}

impl GroupSummary {
    /// `manager_name` is the manager's user name, when there is one.
    pub fn new(group: &Group, manager_name: Option<String>) -> Self {
        GroupSummary { id: group.id.0, name: group.name.clone(), manager: manager_name }
    }
}

#[derive(Serialize, JsonSchema)]
pub struct GroupWrapperFull {
    pub id: Uuid,
    pub name: String,
    pub category: Uuid,
    pub parent: Uuid,
    pub description: Option<String>,
    pub manager: EmployeeWraper,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<EmployeeWraper>>,
}

impl GroupWrapperFull {
    /// With `members` false the member list is left out (a deleted group, say).
    pub fn new(details: &GroupDetails, members: bool, ctx: &WireCtx) -> Self {
        let manager = match &details.manager {
            Some(user) => EmployeeWraper::new(user, ctx),
            None => EmployeeWraper {
                id: LOST_USER,
                display_name: "Profile Removed".into(),
                title: None,
                avatar_small: super::photos::default_user_photo_url(32),
                profile_url: String::new(),
            },
        };
        GroupWrapperFull {
            id: details.group.id.0,
            name: details.group.name.clone(),
            category: Uuid::nil(),
            parent: Uuid::nil(),
            description: None,
            manager,
            members: members.then(|| details.members.iter().map(|u| EmployeeWraper::new(u, ctx)).collect()),
        }
    }
}
