//! `api/2.0/project`: projects and their teams.

use std::sync::Arc;

use axum::extract::State;

use crate::app::App;
use crate::domain::contacts::{self, UnlinkRefusal};
use crate::domain::projects::{self, status, NewProject, Project, ProjectChanges};
use crate::error::{ApiError, ApiResult};
use crate::http::binding::{ApiEnum, Enum};
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In};
use crate::http::request::Call;
use crate::http::wire::people::full_list;
use crate::http::wire::projects::{ProjectPeople, ProjectWrapper, ProjectWrapperFull};
use crate::http::wire::WireCtx;
use crate::model::{ContactId, ProjectId, UserId};

/// ProjectStatus by name or number.
#[derive(Debug, Clone, Copy)]
pub(super) struct ProjectStatus(i64);

impl ApiEnum for ProjectStatus {
    const NAMES: &'static [(&'static str, i64)] = &[("Open", 0), ("Closed", 1), ("Paused", 2)];
    fn from_number(n: i64) -> Option<Self> {
        (0..=2).contains(&n).then_some(ProjectStatus(n))
    }
}

async fn short_list(app: &App, call: &Call, list: Vec<Project>) -> ApiResult<Reply> {
    let (users, responsibles) = projects::people_of(&app.store, &call.caller, &list).await?;
    let people = ProjectPeople { users: &users, responsibles: &responsibles };
    let ctx = WireCtx::of(&call.info);
    let items: Vec<ProjectWrapper> = list.iter().map(|p| ProjectWrapper::new(p, &call.caller, &people, &ctx)).collect();
    Reply::list(&items)
}

async fn full(app: &App, call: &Call, project: Project, with_tags: bool) -> ApiResult<Reply> {
    let list = [project];
    let (users, responsibles) = projects::people_of(&app.store, &call.caller, &list).await?;
    let people = ProjectPeople { users: &users, responsibles: &responsibles };
    Reply::of(&ProjectWrapperFull::new(&list[0], &call.caller, &people, &WireCtx::of(&call.info), with_tags))
}

/// `GET project`: every project the caller may read.
pub async fn list(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let found = projects::list(&app.store, &call.caller, None, false).await?;
    short_list(&app, &call, found).await
}

/// `GET project/@self`: open projects the caller is in the team of.
pub async fn mine(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let found = projects::list(&app.store, &call.caller, Some(status::OPEN), true).await?;
    short_list(&app, &call, found).await
}

/// `GET project/{id}` (a number) or `GET project/{open|paused|closed}`.
pub async fn get(State(app): State<Arc<App>>, In(call, input): In<ProjectOrStatus>) -> ApiResult<Reply> {
    let id = input.id;
    if let Ok(id) = id.parse::<i64>() {
        let project = projects::get(&app.store, &call.caller, ProjectId(id)).await?;
        return full(&app, &call, project, true).await;
    }
    let status = match id.to_ascii_lowercase().as_str() {
        "open" => status::OPEN,
        "paused" => status::PAUSED,
        "closed" => status::CLOSED,
        _ => return Err(ApiError::invalid("id", "expected a project id or open, paused, closed")),
    };
    let found = projects::list(&app.store, &call.caller, Some(status), false).await?;
    short_list(&app, &call, found).await
}

inputs! {
    /// A project id, or (for `GET`) open, paused or closed.
    pub struct ProjectOrStatus {
        id: String = "id",
    }

    pub struct ProjectRef {
        project: ProjectId = "id",
    }

    pub struct NewProjectFields {
        title: String = "title",
        description: Option<String> = "description",
        responsible_id: UserId = "responsibleId",
        private: Option<bool> = "private",
        participants: Vec<UserId> = "participants",
        tags: Option<String> = "tags",
    }

    /// What is sent changes; `participants`, when sent, replace the team.
    pub struct ProjectEdit {
        project: ProjectId = "id",
        title: Option<String> = "title",
        description: Option<String> = "description",
        responsible_id: Option<UserId> = "responsibleId",
        status: Option<Enum<ProjectStatus>> = "status",
        private: Option<bool> = "private",
        participants: Option<Vec<UserId>> = "participants",
        tags: Option<String> = "tags",
    }

    pub struct StatusChange {
        project: ProjectId = "id",
        status: Enum<ProjectStatus> = "status",
    }

    pub struct ContactLink {
        project: ProjectId = "id",
        contact: ContactId = "contactid",
    }

    pub struct ContactRef {
        contact: ContactId = "contactid",
    }
}

/// `POST project`: `title`, `responsibleId`, `description`, `tags`, `private`, `participants`.
pub async fn create(State(app): State<Arc<App>>, In(call, input): In<NewProjectFields>) -> ApiResult<Reply> {
    let new = NewProject {
        title: input.title,
        description: input.description,
        responsible: input.responsible_id,
        is_private: input.private.unwrap_or(false),
        team: input.participants,
        tags: projects::parse_tags(&input.tags.unwrap_or_default())?,
    };
    let project = projects::create(&app.store, &call.caller, new).await?;
    full(&app, &call, project, false).await
}

/// `PUT project/{id}`: what is sent changes; `participants`, when sent, replace the team.
pub async fn update(State(app): State<Arc<App>>, In(call, input): In<ProjectEdit>) -> ApiResult<Reply> {
    let changes = ProjectChanges {
        title: input.title,
        description: input.description,
        responsible: input.responsible_id,
        status: input.status.map(|Enum(s)| s.0),
        is_private: input.private,
        team: input.participants,
        tags: input.tags.map(|t| projects::parse_tags(&t)).transpose()?,
    };
    let project = projects::update(&app.store, &call.caller, input.project, changes).await?;
    full(&app, &call, project, false).await
}

/// `PUT project/{id}/status`.
pub async fn set_status(State(app): State<Arc<App>>, In(call, input): In<StatusChange>) -> ApiResult<Reply> {
    let Enum(ProjectStatus(status)) = input.status;
    let changes = ProjectChanges { status: Some(status), ..ProjectChanges::default() };
    let project = projects::update(&app.store, &call.caller, input.project, changes).await?;
    full(&app, &call, project, false).await
}

/// `DELETE project/{id}`: returns the project as it was.
pub async fn delete(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    let project = projects::delete(&app.store, &call.caller, input.project).await?;
    full(&app, &call, project, false).await
}

/// `GET project/{id}/team`: the members' full profiles, by display name.
pub async fn team(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    let project = projects::get(&app.store, &call.caller, input.project).await?;
    let profiles = projects::team(&app.store, &call.caller, &project).await?;
    Reply::list(&full_list(&profiles, &call.caller, &WireCtx::of(&call.info)))
}

/// `POST project/{id}/contact` with `contactid`: links a CRM contact; the project's full shape.
pub async fn link_contact(State(app): State<Arc<App>>, In(call, input): In<ContactLink>) -> ApiResult<Reply> {
    let (_, project) = contacts::link_one(&app.store, &call.caller, input.contact, input.project).await?;
    full(&app, &call, project, false).await
}

/// `DELETE project/{id}/contact` with `contactid`.
pub async fn unlink_contact(State(app): State<Arc<App>>, In(call, input): In<ContactLink>) -> ApiResult<Reply> {
    let (_, project) =
        contacts::unlink(&app.store, &call.caller, input.contact, input.project, UnlinkRefusal::Forbidden).await?;
    full(&app, &call, project, false).await
}

/// `GET project/contact/{contactid}`: the readable projects linked to a contact.
pub async fn of_contact(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    let found = contacts::projects_of(&app.store, &call.caller, input.contact).await?;
    let (users, responsibles) = projects::people_of(&app.store, &call.caller, &found).await?;
    let people = ProjectPeople { users: &users, responsibles: &responsibles };
    let ctx = WireCtx::of(&call.info);
    let items: Vec<ProjectWrapperFull> =
        found.iter().map(|p| ProjectWrapperFull::new(p, &call.caller, &people, &ctx, false)).collect();
    Reply::list(&items)
}
