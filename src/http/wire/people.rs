//! EmployeeWraper (short profile) and EmployeeWraperFull, in the original's key order.

use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::photos::user_photo_url;
use super::{html_encode, WireCtx};
use crate::domain::leaving::Progress;
use crate::domain::people::{self, activation, GroupRef, Profile, User};
use crate::domain::tasks::TaskKind;
use crate::domain::Caller;
use crate::http::datetime::ApiDateTime;

/// Modules a portal admin administers (all of them), as `listAdminModules` names them.
const ALL_MODULES: [&str; 6] = ["people", "projects", "crm", "community", "documents", "mail"];

/// Builds the full profiles of a list.
pub fn full_list(profiles: &[Profile], caller: &Caller, ctx: &WireCtx) -> Vec<EmployeeWraperFull> {
    profiles.iter().map(|p| EmployeeWraperFull::new(p, caller, ctx)).collect()
}

fn profile_url(user: &User, ctx: &WireCtx) -> String {
    let name: String = form_urlencoded::byte_serialize(user.user_name.to_lowercase().as_bytes()).collect();
    format!("{}/Products/People/Profile.aspx?user={name}", ctx.base_url)
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// `{type, value}`.
#[derive(Serialize, JsonSchema)]
pub struct Contact {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// GroupWrapperSummary: a department in a profile.
#[derive(Serialize, JsonSchema)]
pub struct GroupWrapperSummary {
    pub id: Uuid,
    pub name: String,
    /// The manager's user name, or null.
    pub manager: Option<String>,
}

impl GroupWrapperSummary {
    pub fn new(group: &GroupRef) -> Self {
        GroupWrapperSummary { id: group.id.0, name: group.name.clone(), manager: group.manager.clone() }
    }
}

/// EmployeeWraper.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeWraper {
    pub id: Uuid,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub avatar_small: String,
    pub profile_url: String,
}

impl EmployeeWraper {
    pub fn new(user: &User, ctx: &WireCtx) -> Self {
        EmployeeWraper {
            id: user.id.0,
            display_name: html_encode(&user.display_name()),
            title: non_empty(&user.title),
            avatar_small: user_photo_url(user, 32),
            profile_url: profile_url(user, ctx),
        }
    }
}

/// EmployeeWraperFull.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeWraperFull {
    pub id: Uuid,
    pub user_name: String,
    pub is_visitor: bool,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<ApiDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<&'static str>,
    pub status: i64,
    pub activation_status: i64,
    pub terminated: Option<ApiDateTime>,
    pub department: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_from: Option<ApiDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<Uuid>,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone_activation_status: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub contacts: Vec<Contact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub groups: Vec<GroupWrapperSummary>,
    pub avatar_medium: String,
    pub avatar: String,
    pub is_admin: bool,
    #[serde(rename = "isLDAP")]
    pub is_ldap: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    // Omitted when empty, so not required.
    #[schemars(default)]
    pub list_admin_modules: Vec<&'static str>,
    pub is_owner: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub culture_name: Option<String>,
    #[serde(rename = "isSSO")]
    pub is_sso: bool,
    pub avatar_small: String,
    pub quota_limit: i64,
    pub used_space: i64,
    pub docs_space: i64,
    pub mail_space: i64,
    pub talk_space: i64,
    pub profile_url: String,
}

impl EmployeeWraperFull {
    /// The profile of `user` as `caller` may see it: email, mobile phone and contacts only
    /// with the right to private data.
    pub fn new(profile: &Profile, caller: &Caller, ctx: &WireCtx) -> Self {
        let user = &profile.user;
        let private = people::can_view_private_data(caller, user);
        EmployeeWraperFull {
            id: user.id.0,
            user_name: user.user_name.clone(),
            is_visitor: user.is_visitor,
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: private.then(|| user.email.clone()),
            birthday: user.birthday.map(|d| ctx.date(d)),
            sex: user.sex.map(|male| if male { "male" } else { "female" }),
            status: user.status,
            activation_status: user.activation_status & !activation::AUTO_GENERATED,
            terminated: user.terminated_at.map(|d| ctx.date(d)),
            department: profile.groups.iter().map(|g| html_encode(&g.name)).collect::<Vec<_>>().join(", "),
            work_from: user.work_from.map(|d| ctx.date(d)),
            location: non_empty(&user.location),
            notes: non_empty(&user.notes),
            lead: user.lead.map(|lead| lead.0),
            display_name: html_encode(&user.display_name()),
            mobile_phone: user.mobile_phone.clone().filter(|p| private && !p.is_empty()),
            mobile_phone_activation_status: (user.mobile_phone_activation == 1).then_some(1),
            title: non_empty(&user.title),
            contacts: if private {
                profile.contacts.iter().map(|c| Contact { kind: c.kind.clone(), value: c.value.clone() }).collect()
            } else {
                Vec::new()
            },
            groups: profile.groups.iter().map(GroupWrapperSummary::new).collect(),
            avatar_medium: user_photo_url(user, 48),
            avatar: user_photo_url(user, 82),
            is_admin: user.is_admin,
            is_ldap: user.is_ldap(),
            list_admin_modules: if user.is_admin { ALL_MODULES.to_vec() } else { Vec::new() },
            is_owner: user.is_owner,
            culture_name: user.culture_name.clone().filter(|c| !c.is_empty()),
            is_sso: user.is_sso(),
            avatar_small: user_photo_url(user, 32),
            quota_limit: 0,
            used_space: 0,
            docs_space: 0,
            mail_space: 0,
            talk_space: 0,
            profile_url: profile_url(user, ctx),
        }
    }
}

/// ReassignProgressItem and RemoveProgressItem: a leaving user's task (`toUser` only for a
/// reassignment).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressItem {
    /// `{portal}_{user}_ReassignProgressItem` or `..._RemoveProgressItem`.
    pub id: String,
    /// Queued 0, Started 1, Done 2, Failed 3.
    pub status: i64,
    pub error: Option<String>,
    pub percentage: f64,
    pub is_completed: bool,
    pub from_user: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_user: Option<Uuid>,
}

impl ProgressItem {
    pub fn new(progress: &Progress) -> Self {
        let task = &progress.task;
        // A leaving user's progress is a reassignment's or a removal's.
        let name = if progress.kind == TaskKind::Remove { "RemoveProgressItem" } else { "ReassignProgressItem" };
        ProgressItem {
            id: format!("{}_{}_{name}", task.portal.0, progress.from),
            status: task.status.number(),
            error: task.error.clone(),
            percentage: task.percentage(),
            is_completed: task.status.is_finished(),
            from_user: progress.from.0,
            to_user: progress.to.map(|to| to.0),
        }
    }
}

/// The answer of `settings/security/administrator`: whether a user administers a product.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductAdministrator {
    pub product_id: Uuid,
    pub user_id: Uuid,
    pub administrator: bool,
}
