//! ProjectWrapper (short), ProjectWrapperFull and its `security` object, ParticipantWrapper,
//! CommonSecurityInfo, SearchWrapper and the tags' ObjectWrapperBase.

use schemars::JsonSchema;
use serde::Serialize;

use super::people::{EmployeeWraper, EmployeeWraperFull};
use super::WireCtx;
use crate::domain::people::{Profile, User};
use crate::domain::projects::{self, security, team_security, CommonSecurity, Participant, Project};
use crate::domain::Caller;
use crate::http::datetime::ApiDateTime;
use crate::model::UserId;

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSecurity {
    pub can_create_milestone: bool,
    pub can_create_message: bool,
    pub can_create_task: bool,
    pub can_create_time_spend: bool,
    pub can_edit_team: bool,
    pub can_read_files: bool,
    pub can_read_milestones: bool,
    pub can_read_messages: bool,
    pub can_read_tasks: bool,
    pub can_link_contact: bool,
    pub can_read_contacts: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    pub is_in_team: bool,
}

impl ProjectSecurity {
    pub fn new(caller: &Caller, project: &Project) -> Self {
        let s = security(caller, project);
        ProjectSecurity {
            can_create_milestone: s.can_create_milestone,
            can_create_message: s.can_create_message,
            can_create_task: s.can_create_task,
            can_create_time_spend: s.can_create_time_spend,
            can_edit_team: s.can_edit_team,
            can_read_files: s.can_read_files,
            can_read_milestones: s.can_read_milestones,
            can_read_messages: s.can_read_messages,
            can_read_tasks: s.can_read_tasks,
            can_link_contact: s.can_link_contact,
            can_read_contacts: s.can_read_contacts,
            can_edit: s.can_edit,
            can_delete: s.can_delete,
            is_in_team: s.is_in_team,
        }
    }
}

/// The users a project wrapper shows, loaded once for a list.
pub struct ProjectPeople<'a> {
    pub users: &'a [User],
    pub responsibles: &'a [Profile],
}

impl ProjectPeople<'_> {
    fn short(&self, id: UserId, ctx: &WireCtx) -> Option<EmployeeWraper> {
        self.users.iter().find(|u| u.id == id).map(|u| EmployeeWraper::new(u, ctx))
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectWrapper {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub status: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible: Option<EmployeeWraper>,
    pub can_edit: bool,
    pub is_private: bool,
}

impl ProjectWrapper {
    pub fn new(project: &Project, caller: &Caller, people: &ProjectPeople, ctx: &WireCtx) -> Self {
        ProjectWrapper {
            id: project.id.0,
            title: project.title.clone(),
            description: project.description.clone(),
            status: project.status,
            responsible: people.short(project.responsible, ctx),
            can_edit: projects::can_edit(caller, project),
            is_private: project.is_private,
        }
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectWrapperFull {
    pub can_edit: bool,
    pub can_delete: bool,
    pub security: ProjectSecurity,
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub status: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible: Option<EmployeeWraperFull>,
    pub is_private: bool,
    pub task_count: i64,
    pub task_count_total: i64,
    pub milestone_count: i64,
    pub discussion_count: i64,
    pub participant_count: i64,
    pub time_tracking_total: String,
    pub documents_count: i64,
    pub is_follow: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<EmployeeWraper>,
    pub created: ApiDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<EmployeeWraper>,
    pub updated: ApiDateTime,
}

impl ProjectWrapperFull {
    /// `follow`: whether the caller follows it, with its tags: only the single-project read shows
    /// them, as the original (elsewhere `isFollow` is false and `tags` absent).
    pub fn new(
        project: &Project,
        caller: &Caller,
        people: &ProjectPeople,
        ctx: &WireCtx,
        follow: Option<bool>,
    ) -> Self {
        let security = ProjectSecurity::new(caller, project);
        let updated =
            if project.last_modified > project.created_at { project.last_modified } else { project.created_at };
        ProjectWrapperFull {
            can_edit: security.can_edit,
            can_delete: security.can_delete,
            security,
            id: project.id.0,
            title: project.title.clone(),
            description: project.description.clone(),
            status: project.status,
            responsible: people
                .responsibles
                .iter()
                .find(|p| p.user.id == project.responsible)
                .map(|p| EmployeeWraperFull::new(p, caller, ctx)),
            is_private: project.is_private,
            task_count: 0,
            task_count_total: 0,
            milestone_count: 0,
            discussion_count: 0,
            participant_count: project.team.len() as i64,
            time_tracking_total: String::new(),
            documents_count: 0,
            is_follow: follow.unwrap_or(false),
            tags: follow.map(|_| project.tags.clone()),
            updated_by: (project.last_modified_by != project.created_by)
                .then(|| people.short(project.last_modified_by, ctx))
                .flatten(),
            created: ctx.date(project.created_at),
            created_by: people.short(project.created_by, ctx),
            updated: ctx.date(updated),
        }
    }
}

/// ParticipantWrapper: a team member's full profile after what he may read of the project. Its
/// own members have no DataMember Order, so they come first (conventions.md §1.1).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantWrapper {
    pub can_read_files: bool,
    pub can_read_milestones: bool,
    pub can_read_messages: bool,
    pub can_read_tasks: bool,
    pub can_read_contacts: bool,
    pub is_administrator: bool,
    pub is_removed_from_team: bool,
    #[serde(flatten)]
    pub profile: EmployeeWraperFull,
}

impl ParticipantWrapper {
    pub fn new(participant: &Participant, caller: &Caller, ctx: &WireCtx) -> Self {
        ParticipantWrapper {
            can_read_files: participant.can_read(team_security::FILES),
            can_read_milestones: participant.can_read(team_security::MILESTONE),
            can_read_messages: participant.can_read(team_security::MESSAGES),
            can_read_tasks: participant.can_read(team_security::TASKS),
            can_read_contacts: participant.can_read(team_security::CONTACTS),
            is_administrator: participant.profile.user.is_admin,
            is_removed_from_team: participant.removed,
            profile: EmployeeWraperFull::new(&participant.profile, caller, ctx),
        }
    }

    pub fn list(participants: &[Participant], caller: &Caller, ctx: &WireCtx) -> Vec<Self> {
        participants.iter().map(|p| ParticipantWrapper::new(p, caller, ctx)).collect()
    }
}

/// CommonSecurityInfo (`GET project/securityinfo`).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommonSecurityInfo {
    pub can_create_project: bool,
    pub can_create_task: bool,
    pub can_create_milestone: bool,
    pub can_create_message: bool,
    pub can_create_time_spend: bool,
}

impl CommonSecurityInfo {
    pub fn new(s: &CommonSecurity) -> Self {
        CommonSecurityInfo {
            can_create_project: s.can_create_project,
            can_create_task: s.can_create_task,
            can_create_milestone: s.can_create_milestone,
            can_create_message: s.can_create_message,
            can_create_time_spend: s.can_create_time_spend,
        }
    }
}

/// SearchItemWrapper: a found item (here always a project: `entityType` 0).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchItemWrapper {
    /// The item's id, as text.
    pub id: String,
    pub entity_type: i64,
    pub title: String,
    pub description: Option<String>,
    pub created: ApiDateTime,
}

/// SearchWrapper: `item`, and `owner` for items inside a project (never, for projects).
#[derive(Serialize, JsonSchema)]
pub struct SearchWrapper {
    pub item: SearchItemWrapper,
}

impl SearchWrapper {
    pub fn new(project: &Project, ctx: &WireCtx) -> Self {
        SearchWrapper {
            item: SearchItemWrapper {
                id: project.id.0.to_string(),
                entity_type: 0,
                title: project.title.clone(),
                description: project.description.clone(),
                created: ctx.date(project.created_at),
            },
        }
    }
}

/// ObjectWrapperBase, as `GET project/tag` fills it: a tag's id and title.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectTagWrapper {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub status: i64,
}

impl ProjectTagWrapper {
    pub fn new((id, title): &(i64, String)) -> Self {
        ProjectTagWrapper { id: *id, title: title.clone(), description: None, status: 0 }
    }
}
