//! `api/2.0/project`: projects, their teams, followers and tags.

use std::sync::Arc;

use axum::extract::State;

use crate::app::App;
use crate::domain::contacts::{self, LinkSide};
use crate::domain::projects::{
    self, status, team_security, NewProject, Participant, Project, ProjectChanges, ProjectFilter, ProjectSort,
    TeamChange,
};
use crate::error::{ApiError, ApiResult};
use crate::http::binding::{ApiEnum, Enum};
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In, Objects};
use crate::http::request::Call;
use crate::http::wire::projects::{
    CommonSecurityInfo, ParticipantWrapper, ProjectPeople, ProjectTagWrapper, ProjectWrapper, ProjectWrapperFull,
    SearchWrapper,
};
use crate::http::wire::WireCtx;
use crate::model::{ContactId, GroupId, ProjectId, UserId};

/// ProjectStatus by name or number.
#[derive(Debug, Clone, Copy)]
pub(super) struct ProjectStatus(i64);

impl ApiEnum for ProjectStatus {
    const NAMES: &'static [(&'static str, i64)] = &[("Open", 0), ("Closed", 1), ("Paused", 2)];
    fn from_number(n: i64) -> Option<Self> {
        (0..=2).contains(&n).then_some(ProjectStatus(n))
    }
}

/// ProjectTeamSecurity: flags, by names (`Messages, Tasks`) or number.
#[derive(Debug, Clone, Copy)]
pub(super) struct TeamSecurity(i64);

impl ApiEnum for TeamSecurity {
    const NAMES: &'static [(&'static str, i64)] = &[
        ("None", 0),
        ("Messages", team_security::MESSAGES),
        ("Tasks", team_security::TASKS),
        ("Files", team_security::FILES),
        ("Milestone", team_security::MILESTONE),
        ("Contacts", team_security::CONTACTS),
    ];
    const FLAGS: bool = true;
    fn from_number(n: i64) -> Option<Self> {
        (0..=team_security::ALL).contains(&n).then_some(TeamSecurity(n))
    }
}

/// ProjectWrapper of each project, in three statements.
async fn shorts(app: &App, call: &Call, list: &[Project]) -> ApiResult<Vec<ProjectWrapper>> {
    let (users, responsibles) = projects::people_of(&app.store, &call.caller, list).await?;
    let people = ProjectPeople { users: &users, responsibles: &responsibles };
    let ctx = WireCtx::of(&call.info);
    Ok(list.iter().map(|p| ProjectWrapper::new(p, &call.caller, &people, &ctx)).collect())
}

async fn short_list(app: &App, call: &Call, list: Vec<Project>) -> ApiResult<Reply> {
    Reply::list(&shorts(app, call, &list).await?)
}

/// ProjectWrapperFull of each project (`isFollow` false, no `tags`), in three statements.
async fn full_list(app: &App, call: &Call, list: &[Project]) -> ApiResult<Vec<ProjectWrapperFull>> {
    let (users, responsibles) = projects::people_of(&app.store, &call.caller, list).await?;
    let people = ProjectPeople { users: &users, responsibles: &responsibles };
    let ctx = WireCtx::of(&call.info);
    Ok(list.iter().map(|p| ProjectWrapperFull::new(p, &call.caller, &people, &ctx, None)).collect())
}

/// One ProjectWrapperFull; `follow` (whether the caller follows it) also shows its tags.
async fn full(app: &App, call: &Call, project: Project, follow: Option<bool>) -> ApiResult<Reply> {
    let list = [project];
    let (users, responsibles) = projects::people_of(&app.store, &call.caller, &list).await?;
    let people = ProjectPeople { users: &users, responsibles: &responsibles };
    Reply::of(ProjectWrapperFull::new(&list[0], &call.caller, &people, &WireCtx::of(&call.info), follow))
}

fn participants(call: &Call, team: &[Participant]) -> ApiResult<Reply> {
    Reply::list(&ParticipantWrapper::list(team, &call.caller, &WireCtx::of(&call.info)))
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
        let follows = projects::follows(&app.store, &call.caller, project.id).await?;
        return full(&app, &call, project, Some(follows)).await;
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

    /// What creating a project takes besides its team.
    pub struct ProjectFields {
        title: String = "title",
        description: Option<String> = "description",
        responsible_id: UserId = "responsibleId",
        private: Option<bool> = "private",
        tags: Option<String> = "tags",
    }

    pub struct NewProjectFields {
        fields: ProjectFields,
        participants: Vec<UserId> = "participants",
    }

    /// `participants` as objects: a user's `ID` and what he may read (each part readable when
    /// its flag is left out).
    pub struct NewProjectWithSecurity {
        fields: ProjectFields,
        participants: Objects<ParticipantRights> = "participants",
    }

    pub struct ParticipantRights {
        id: UserId = "ID",
        can_read_files: Option<bool> = "CanReadFiles",
        can_read_milestones: Option<bool> = "CanReadMilestones",
        can_read_messages: Option<bool> = "CanReadMessages",
        can_read_tasks: Option<bool> = "CanReadTasks",
        can_read_contacts: Option<bool> = "CanReadContacts",
    }

    /// What an edit sends changes.
    pub struct ProjectEditFields {
        project: ProjectId = "id",
        title: Option<String> = "title",
        description: Option<String> = "description",
        responsible_id: Option<UserId> = "responsibleId",
        status: Option<Enum<ProjectStatus>> = "status",
        private: Option<bool> = "private",
        tags: Option<String> = "tags",
    }

    /// `participants`, when sent, replace the team.
    pub struct ProjectEdit {
        edit: ProjectEditFields,
        participants: Option<Vec<UserId>> = "participants",
    }

    pub struct ProjectEditWithSecurity {
        edit: ProjectEditFields,
        participants: Option<Objects<ParticipantRights>> = "participants",
    }

    pub struct ProjectFilterInputs {
        tag: Option<i64> = "tag",
        status: Option<Enum<ProjectStatus>> = "status",
        participant: Option<UserId> = "participant",
        manager: Option<UserId> = "manager",
        departament: Option<GroupId> = "departament",
        follow: Option<bool> = "follow",
    }

    pub struct SearchQuery {
        query: String = "query",
    }

    pub struct ProjectIds {
        ids: Vec<ProjectId> = "ids",
    }

    pub struct ProjectBatch {
        projectids: Vec<ProjectId> = "projectids",
    }

    pub struct TeamMember {
        project: ProjectId = "id",
        user: UserId = "userId",
    }

    pub struct TeamList {
        project: ProjectId = "id",
        participants: Vec<UserId> = "participants",
    }

    pub struct TeamMemberSecurity {
        project: ProjectId = "id",
        user: UserId = "userId",
        security: Enum<TeamSecurity> = "security",
        visible: Option<bool> = "visible",
    }

    pub struct ProjectTags {
        project: ProjectId = "id",
        tags: Option<String> = "tags",
    }

    pub struct ProjectTagIds {
        project: ProjectId = "id",
        tags: Vec<i64> = "tags",
    }

    pub struct TagRef {
        tag: String = "tag",
    }

    pub struct TagSearch {
        tag_name: Option<String> = "tagName",
    }

    pub struct NewTag {
        data: String = "data",
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

impl ParticipantRights {
    /// The ProjectTeamSecurity restrictions: a flag sent false hides that part.
    fn restrictions(&self) -> (UserId, i64) {
        let parts = [
            (self.can_read_files, team_security::FILES),
            (self.can_read_milestones, team_security::MILESTONE),
            (self.can_read_messages, team_security::MESSAGES),
            (self.can_read_tasks, team_security::TASKS),
            (self.can_read_contacts, team_security::CONTACTS),
        ];
        (self.id, parts.iter().filter(|(can, _)| *can == Some(false)).map(|(_, part)| part).sum())
    }
}

fn split_rights(participants: &[ParticipantRights]) -> (Vec<UserId>, Vec<(UserId, i64)>) {
    (participants.iter().map(|p| p.id).collect(), participants.iter().map(ParticipantRights::restrictions).collect())
}

async fn create_project(
    app: &App,
    call: &Call,
    fields: ProjectFields,
    team: Vec<UserId>,
    restrictions: Vec<(UserId, i64)>,
) -> ApiResult<Reply> {
    let new = NewProject {
        title: fields.title,
        description: fields.description,
        responsible: fields.responsible_id,
        is_private: fields.private.unwrap_or(false),
        team,
        restrictions,
        tags: projects::parse_tags(&fields.tags.unwrap_or_default())?,
    };
    let project = projects::create(&app.store, &call.caller, new).await?;
    full(app, call, project, None).await
}

/// `POST project`: `title`, `responsibleId`, `description`, `tags`, `private`, `participants`.
pub async fn create(State(app): State<Arc<App>>, In(call, input): In<NewProjectFields>) -> ApiResult<Reply> {
    create_project(&app, &call, input.fields, input.participants, Vec::new()).await
}

/// `POST project/withSecurity`: the same, each participant with what he may read.
pub async fn create_with_security(
    State(app): State<Arc<App>>,
    In(call, input): In<NewProjectWithSecurity>,
) -> ApiResult<Reply> {
    let (team, restrictions) = split_rights(&input.participants.0);
    create_project(&app, &call, input.fields, team, restrictions).await
}

async fn update_project(
    app: &App,
    call: &Call,
    edit: ProjectEditFields,
    team: Option<Vec<UserId>>,
    restrictions: Vec<(UserId, i64)>,
) -> ApiResult<Reply> {
    let changes = ProjectChanges {
        title: edit.title,
        description: edit.description,
        responsible: edit.responsible_id,
        status: edit.status.map(|Enum(s)| s.0),
        is_private: edit.private,
        team,
        restrictions,
        tags: edit.tags.map(|t| projects::parse_tags(&t)).transpose()?,
    };
    let project = projects::update(&app.store, &call.caller, edit.project, changes).await?;
    full(app, call, project, None).await
}

/// `PUT project/{id}`: what is sent changes; `participants`, when sent, replace the team.
pub async fn update(State(app): State<Arc<App>>, In(call, input): In<ProjectEdit>) -> ApiResult<Reply> {
    update_project(&app, &call, input.edit, input.participants, Vec::new()).await
}

/// `PUT project/{id}/withSecurityInfo`: the same, each participant with what he may read.
pub async fn update_with_security(
    State(app): State<Arc<App>>,
    In(call, input): In<ProjectEditWithSecurity>,
) -> ApiResult<Reply> {
    let (team, restrictions) = match input.participants {
        Some(participants) => {
            let (team, restrictions) = split_rights(&participants.0);
            (Some(team), restrictions)
        }
        None => (None, Vec::new()),
    };
    update_project(&app, &call, input.edit, team, restrictions).await
}

/// `PUT project/{id}/status`.
pub async fn set_status(State(app): State<Arc<App>>, In(call, input): In<StatusChange>) -> ApiResult<Reply> {
    let Enum(ProjectStatus(status)) = input.status;
    let changes = ProjectChanges { status: Some(status), ..ProjectChanges::default() };
    let project = projects::update(&app.store, &call.caller, input.project, changes).await?;
    full(&app, &call, project, None).await
}

/// `DELETE project/{id}`: returns the project as it was.
pub async fn delete(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    let project = projects::delete(&app.store, &call.caller, input.project).await?;
    full(&app, &call, project, None).await
}

/// `DELETE project` with `projectids`: the projects deleted, as they were (the others skipped).
pub async fn delete_many(State(app): State<Arc<App>>, In(call, input): In<ProjectBatch>) -> ApiResult<Reply> {
    let deleted = projects::delete_many(&app.store, &call.caller, &input.projectids).await?;
    Reply::list(&full_list(&app, &call, &deleted).await?)
}

/// `GET project/{id}/team`: the members, by display name.
pub async fn team(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    participants(&call, &projects::team(&app.store, &call.caller, input.project, false).await?)
}

/// `GET project/{id}/teamExcluded`: the members and those who left, by display name.
pub async fn team_excluded(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    participants(&call, &projects::team(&app.store, &call.caller, input.project, true).await?)
}

/// `POST project/team` with `ids`: the members of each readable project listed.
pub async fn teams(State(app): State<Arc<App>>, In(call, input): In<ProjectIds>) -> ApiResult<Reply> {
    participants(&call, &projects::teams(&app.store, &call.caller, &input.ids).await?)
}

async fn change_team(app: &App, call: &Call, project: ProjectId, change: TeamChange) -> ApiResult<Reply> {
    participants(call, &projects::change(&app.store, &call.caller, project, change).await?)
}

/// `POST project/{id}/team` with `userId`: adds a member; the team after.
pub async fn add_member(State(app): State<Arc<App>>, In(call, input): In<TeamMember>) -> ApiResult<Reply> {
    change_team(&app, &call, input.project, TeamChange::Add(input.user)).await
}

/// `DELETE project/{id}/team` with `userId`: the member leaves; the team after.
pub async fn remove_member(State(app): State<Arc<App>>, In(call, input): In<TeamMember>) -> ApiResult<Reply> {
    change_team(&app, &call, input.project, TeamChange::Remove(input.user)).await
}

/// `PUT project/{id}/team` with `participants`: the team becomes them and the responsible.
pub async fn replace_team(State(app): State<Arc<App>>, In(call, input): In<TeamList>) -> ApiResult<Reply> {
    change_team(&app, &call, input.project, TeamChange::Replace(input.participants)).await
}

/// `PUT project/{id}/team/security` with `userId`, `security` and `visible`.
pub async fn set_member_security(
    State(app): State<Arc<App>>,
    In(call, input): In<TeamMemberSecurity>,
) -> ApiResult<Reply> {
    let Enum(TeamSecurity(parts)) = input.security;
    let change = TeamChange::Security { user: input.user, parts, visible: input.visible.unwrap_or(false) };
    change_team(&app, &call, input.project, change).await
}

/// `GET project/filter`: readable projects by `status`, `participant`, `manager`,
/// `departament`, `tag`, `follow` and `filterValue`, sorted by status then `sortBy`
/// (`create_on` or `title`); one page with `total`.
pub async fn filter(State(app): State<Arc<App>>, In(call, input): In<ProjectFilterInputs>) -> ApiResult<Reply> {
    let list = &call.info.list;
    let sort = match list.sort_by.first().map(String::as_str) {
        None => ProjectSort::None,
        Some(column) if column.eq_ignore_ascii_case("title") => ProjectSort::Title,
        // The original falls back to its first column for any other name.
        Some(_) => ProjectSort::Created,
    };
    let filter = ProjectFilter {
        tag: input.tag,
        status: input.status.map(|Enum(s)| s.0),
        participant: input.participant.filter(|u| *u != UserId::NIL),
        manager: input.manager.filter(|u| *u != UserId::NIL),
        department: input.departament.filter(|g| !g.0.is_nil()),
        follow: input.follow.unwrap_or(false),
        text: list.filter_value.clone(),
        sort,
        descending: list.descending,
    };
    let (page, total) = projects::filter(&app.store, &call.caller, &filter, list.start_index, list.count).await?;
    Reply::page(full_list(&app, &call, &page).await?, total)
}

/// `GET project/@search/{query}`: readable projects holding every word.
pub async fn search(State(app): State<Arc<App>>, In(call, input): In<SearchQuery>) -> ApiResult<Reply> {
    let found = projects::search(&app.store, &call.caller, &input.query).await?;
    let ctx = WireCtx::of(&call.info);
    Reply::list(&found.iter().map(|p| SearchWrapper::new(p, &ctx)).collect::<Vec<_>>())
}

/// `GET project/securityinfo`.
pub async fn security_info(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    Reply::of(CommonSecurityInfo::new(&projects::common_security(&app.store, &call.caller).await?))
}

/// `GET project/@follow`: the open projects the caller follows.
pub async fn followed(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let found = projects::followed(&app.store, &call.caller).await?;
    short_list(&app, &call, found).await
}

/// `PUT project/{id}/follow`: starts or stops following; the project's short wrapper.
pub async fn follow(State(app): State<Arc<App>>, In(call, input): In<ProjectRef>) -> ApiResult<Reply> {
    let project = projects::toggle_follow(&app.store, &call.caller, input.project).await?;
    Reply::of(shorts(&app, &call, std::slice::from_ref(&project)).await?.into_iter().next())
}

/// `PUT project/{id}/tag` with `tags` (separated by `,` or `;`): replaces the tags.
pub async fn set_tags(State(app): State<Arc<App>>, In(call, input): In<ProjectTags>) -> ApiResult<Reply> {
    let tags = projects::parse_tags(&input.tags.unwrap_or_default())?;
    let project = projects::set_tags(&app.store, &call.caller, input.project, tags).await?;
    full(&app, &call, project, None).await
}

fn tag_list(names: &[(i64, String)]) -> ApiResult<Reply> {
    Reply::list(&names.iter().map(ProjectTagWrapper::new).collect::<Vec<_>>())
}

/// `GET project/tag`: every project tag with its id (the `tag` of `project/filter`).
pub async fn tags(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    tag_list(&projects::tag_names(&app.store, &call.caller, None).await?)
}

/// `GET project/tag/search` with `tagName`: the tags starting with it (none for an empty name).
pub async fn search_tags(State(app): State<Arc<App>>, In(call, input): In<TagSearch>) -> ApiResult<Reply> {
    match input.tag_name.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
        Some(prefix) => tag_list(&projects::tag_names(&app.store, &call.caller, Some(prefix)).await?),
        None => tag_list(&[]),
    }
}

/// `POST project/tag` with `data`: adds a tag.
pub async fn create_tag(State(app): State<Arc<App>>, In(call, input): In<NewTag>) -> ApiResult<Reply> {
    Reply::of(ProjectTagWrapper::new(&projects::create_tag(&app.store, &call.caller, &input.data).await?))
}

/// `GET project/tag/{tag}`: the readable projects with a tag.
pub async fn tagged(State(app): State<Arc<App>>, In(call, input): In<TagRef>) -> ApiResult<Reply> {
    let found = projects::tagged(&app.store, &call.caller, &input.tag).await?;
    short_list(&app, &call, found).await
}

/// `PUT project/{id}/tags` with tag ids: replaces the tags.
pub async fn set_tag_ids(State(app): State<Arc<App>>, In(call, input): In<ProjectTagIds>) -> ApiResult<Reply> {
    let project = projects::set_tags_by_id(&app.store, &call.caller, input.project, &input.tags).await?;
    full(&app, &call, project, None).await
}

/// `POST project/{id}/contact` with `contactid`: links a CRM contact; the project's full shape.
pub async fn link_contact(State(app): State<Arc<App>>, In(call, input): In<ContactLink>) -> ApiResult<Reply> {
    let (_, project) =
        contacts::link_one(&app.store, &call.caller, input.contact, input.project, LinkSide::Project).await?;
    full(&app, &call, project, None).await
}

/// `DELETE project/{id}/contact` with `contactid`.
pub async fn unlink_contact(State(app): State<Arc<App>>, In(call, input): In<ContactLink>) -> ApiResult<Reply> {
    let (_, project) =
        contacts::unlink(&app.store, &call.caller, input.contact, input.project, LinkSide::Project).await?;
    full(&app, &call, project, None).await
}

/// `GET project/contact/{contactid}`: the readable projects linked to a contact.
pub async fn of_contact(State(app): State<Arc<App>>, In(call, input): In<ContactRef>) -> ApiResult<Reply> {
    let found = contacts::projects_of(&app.store, &call.caller, input.contact).await?;
    Reply::list(&full_list(&app, &call, &found).await?)
}
