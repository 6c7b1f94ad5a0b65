//! ProjectWrapper (short), ProjectWrapperFull and its `security` object.

use schemars::JsonSchema;
use serde::Serialize;

use super::people::{EmployeeWraper, EmployeeWraperFull};
use super::WireCtx;
use crate::domain::people::{Profile, User};
use crate::domain::projects::{rights, Project};
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
        let r = rights(caller, project);
        ProjectSecurity {
            can_create_milestone: r.can_create_in && r.can_edit,
            can_create_message: r.can_create_in,
            can_create_task: r.can_create_in,
            can_create_time_spend: r.can_track_time,
            can_edit_team: r.can_edit_team,
            can_read_files: true,
            can_read_milestones: true,
            can_read_messages: true,
            can_read_tasks: true,
            can_link_contact: r.can_edit,
            can_read_contacts: !caller.user.is_visitor,
            can_edit: r.can_edit,
            can_delete: r.can_delete,
            is_in_team: r.in_team,
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
            can_edit: rights(caller, project).can_edit,
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
    /// `with_tags`: only the single-project read shows tags, as the original.
    pub fn new(project: &Project, caller: &Caller, people: &ProjectPeople, ctx: &WireCtx, with_tags: bool) -> Self {
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
            is_follow: false,
            tags: with_tags.then(|| project.tags.clone()),
            updated_by: (project.last_modified_by != project.created_by)
                .then(|| people.short(project.last_modified_by, ctx))
                .flatten(),
            created: ctx.date(project.created_at),
            created_by: people.short(project.created_by, ctx),
            updated: ctx.date(updated),
        }
    }
}
