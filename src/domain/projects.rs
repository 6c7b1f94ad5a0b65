//! Projects: who may read, create, edit and delete them, and their teams.

use super::people::{self, Profile, User};
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{PortalId, ProjectId, UserId};
use crate::store::{Store, WriteTx};

pub use crate::model::projects::{NewProject, Project, ProjectChanges};

/// ProjectStatus: Open = 0, Closed = 1, Paused = 2.
pub mod status {
    pub const OPEN: i64 = 0;
    pub const CLOSED: i64 = 1;
    pub const PAUSED: i64 = 2;
}

const MAX_TITLE: usize = 255;
const MAX_TAGS: usize = 50;

/// The caller's rights on one project (the `security` object of the wire shape).
#[derive(Debug, Clone, Copy)]
pub struct Rights {
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_edit_team: bool,
    pub can_create_in: bool,
    pub can_track_time: bool,
    pub in_team: bool,
}

fn in_team(caller: &Caller, project: &Project) -> bool {
    project.team.contains(&caller.user.id)
}

/// Read: public projects, and private ones for their creator, their team and admins.
pub fn can_read(caller: &Caller, project: &Project) -> bool {
    !project.is_private || caller.user.is_admin || project.created_by == caller.user.id || in_team(caller, project)
}

/// Edit (and delete, and link CRM contacts): admins and the responsible, if not guests, and the creator.
pub fn can_edit(caller: &Caller, project: &Project) -> bool {
    let user = &caller.user;
    (!user.is_visitor && (user.is_admin || project.responsible == user.id)) || project.created_by == user.id
}

/// CanLinkContact: the edit right; team membership alone is not enough.
pub fn can_link_contact(caller: &Caller, project: &Project) -> bool {
    can_edit(caller, project)
}

pub fn rights(caller: &Caller, project: &Project) -> Rights {
    let user = &caller.user;
    let edit = can_edit(caller, project);
    let open = project.status == status::OPEN;
    Rights {
        can_edit: edit,
        can_delete: (!user.is_visitor && user.is_admin) || project.created_by == user.id,
        can_edit_team: edit,
        can_create_in: open && !user.is_visitor && (edit || in_team(caller, project)),
        can_track_time: open && !user.is_visitor && (user.is_admin || in_team(caller, project)),
        in_team: in_team(caller, project),
    }
}

/// A project the caller may read, else 404 as if it did not exist.
pub async fn get(store: &Store, caller: &Caller, id: ProjectId) -> ApiResult<Project> {
    store
        .project(caller.portal, id)
        .await?
        .filter(|p| can_read(caller, p))
        .ok_or_else(|| ApiError::not_found("Item not found"))
}

/// The projects the caller may read, by title; `status` and `mine` narrow the list.
pub async fn list(store: &Store, caller: &Caller, status: Option<i64>, mine: bool) -> ApiResult<Vec<Project>> {
    let mut projects = store.projects(caller.portal).await?;
    projects.retain(|p| can_read(caller, p) && status.is_none_or(|s| p.status == s) && (!mine || in_team(caller, p)));
    Ok(projects)
}

fn check_title(title: &str) -> ApiResult<String> {
    super::required_text(title, "title", MAX_TITLE)
}

/// Tags are free text split on `,` or `;`, trimmed, empties dropped.
pub fn parse_tags(text: &str) -> ApiResult<Vec<String>> {
    let mut tags: Vec<String> =
        text.split([',', ';']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    tags.sort();
    tags.dedup();
    if tags.len() > MAX_TAGS {
        return Err(ApiError::invalid("tags", format!("at most {MAX_TAGS} tags")));
    }
    Ok(tags)
}

/// The responsible must be an active user who is not a guest.
async fn check_responsible(store: &Store, portal: PortalId, id: UserId) -> ApiResult<()> {
    match store.user_by_id(portal, id).await? {
        None => Err(ApiError::invalid("responsibleId", "no such user")),
        Some(user) if user.is_visitor => Err(ApiError::forbidden("A guest cannot be appointed as responsible.")),
        Some(user) if !user.is_active() => Err(ApiError::invalid("responsibleId", "the user is disabled")),
        Some(_) => Ok(()),
    }
}

/// `POST project`: admins create projects (guests never).
pub async fn create(store: &Store, caller: &Caller, mut project: NewProject) -> ApiResult<Project> {
    project.title = check_title(&project.title)?;
    if caller.user.is_visitor || !caller.user.is_admin {
        return Err(ApiError::forbidden("Access denied."));
    }
    check_responsible(store, caller.portal, project.responsible).await?;
    if !project.team.contains(&project.responsible) {
        project.team.push(project.responsible);
    }
    let mut tx = store.begin_write().await?;
    let id = store.insert_project(tx.conn(), caller.portal, &project, caller.user.id).await?;
    tx.commit().await?;
    get(store, caller, id).await
}

/// `PUT project/{id}` and `PUT project/{id}/status`. The project is read, under its row lock,
/// inside the transaction that writes it, and only what the request sends is written: a rename
/// racing a change of privacy or team leaves both changes in place.
pub async fn update(store: &Store, caller: &Caller, id: ProjectId, mut changes: ProjectChanges) -> ApiResult<Project> {
    if let Some(title) = &changes.title {
        changes.title = Some(check_title(title)?);
    }
    if let Some(responsible) = changes.responsible {
        check_responsible(store, caller.portal, responsible).await?;
    }
    let mut tx = store.begin_write().await?;
    let project = editable_locked(store, &mut tx, caller, id).await?;
    // The responsible is always in the team: the one named now, or the one the project has.
    let responsible = changes.responsible.unwrap_or(project.responsible);
    if let Some(team) = changes.team.as_mut().filter(|team| !team.contains(&responsible)) {
        team.push(responsible);
    }
    store.update_project(tx.conn(), caller.portal, id, &changes, caller.user.id).await?;
    let updated = store.lock_project(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    updated.ok_or_else(|| ApiError::not_found("Item not found"))
}

/// `DELETE project/{id}`: the edit right (as the original checks); returns the project as it was.
pub async fn delete(store: &Store, caller: &Caller, id: ProjectId) -> ApiResult<Project> {
    let mut tx = store.begin_write().await?;
    let project = editable_locked(store, &mut tx, caller, id).await?;
    store.delete_project(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    Ok(project)
}

/// The project as it is under its row lock, inside the transaction about to change it: 404 when
/// the caller may not read it, 403 when he may not edit it.
async fn editable_locked(store: &Store, tx: &mut WriteTx, caller: &Caller, id: ProjectId) -> ApiResult<Project> {
    let project = store
        .lock_project(tx.conn(), caller.portal, id)
        .await?
        .filter(|p| can_read(caller, p))
        .ok_or_else(|| ApiError::not_found("Item not found"))?;
    if !can_edit(caller, &project) {
        return Err(ApiError::forbidden("Access denied."));
    }
    Ok(project)
}

/// The users the wrappers of `list` show: everyone they name in one statement, and the
/// responsibles' full profiles in two more.
pub async fn people_of(store: &Store, caller: &Caller, list: &[Project]) -> ApiResult<(Vec<User>, Vec<Profile>)> {
    let mut ids: Vec<UserId> = list.iter().flat_map(|p| [p.responsible, p.created_by, p.last_modified_by]).collect();
    ids.sort_unstable();
    ids.dedup();
    let users = store.users_by_ids(caller.portal, &ids).await?;
    let responsibles: Vec<User> =
        users.iter().filter(|u| list.iter().any(|p| p.responsible == u.id)).cloned().collect();
    let profiles = people::profiles(store, caller.portal, responsibles).await?;
    Ok((users, profiles))
}

/// `GET project/{id}/team`: the members' full profiles, by display name.
pub async fn team(store: &Store, caller: &Caller, project: &Project) -> ApiResult<Vec<Profile>> {
    let mut users = store.users_by_ids(caller.portal, &project.team).await?;
    users.sort_by_cached_key(|u| u.display_name().to_lowercase());
    people::profiles(store, caller.portal, users).await
}
