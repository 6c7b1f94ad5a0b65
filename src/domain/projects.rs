//! Projects: who may read, create, edit and delete them, and their teams.

use std::collections::{HashMap, HashSet};

use super::people::{self, Profile, User};
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{GroupId, PortalId, ProjectId, UserId};
use crate::store::{Store, WriteTx};

pub use crate::model::projects::{Member, NewProject, Project, ProjectChanges};

/// ProjectStatus: Open = 0, Closed = 1, Paused = 2.
pub mod status {
    pub const OPEN: i64 = 0;
    pub const CLOSED: i64 = 1;
    pub const PAUSED: i64 = 2;
}

/// ProjectTeamSecurity: the parts of a private project a member may be kept from (a set bit
/// hides it).
pub mod team_security {
    pub const MESSAGES: i64 = 1;
    pub const TASKS: i64 = 2;
    pub const FILES: i64 = 4;
    pub const MILESTONE: i64 = 8;
    pub const CONTACTS: i64 = 16;
    pub const ALL: i64 = MESSAGES | TASKS | FILES | MILESTONE | CONTACTS;
}

const MAX_TITLE: usize = 255;
const MAX_TAGS: usize = 50;
const MAX_TAG: usize = 255;

/// The caller's rights on one project: the original's ProjectSecurityInfo.
#[derive(Debug, Clone, Copy)]
pub struct Security {
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

/// A real team row (admins are not implied).
fn in_team(caller: &Caller, project: &Project) -> bool {
    project.team.contains(&caller.user.id)
}

/// The restriction flags of a member (none for anyone else).
fn restrictions_of(project: &Project, user: UserId) -> i64 {
    project.restrictions.iter().find(|(member, _)| *member == user).map_or(0, |(_, flags)| *flags)
}

/// A project manager: an admin or the responsible, if not a guest.
fn is_manager(caller: &Caller, project: &Project) -> bool {
    let user = &caller.user;
    !user.is_visitor && (user.is_admin || project.responsible == user.id)
}

/// GetTeamSecurity: managers and everyone on a public project see each part; on a private
/// one, a member whose restrictions do not hide it.
fn team_allows(caller: &Caller, project: &Project, part: i64) -> bool {
    is_manager(caller, project)
        || !project.is_private
        || (in_team(caller, project) && restrictions_of(project, caller.user.id) & part != part)
}

/// Read: public projects, and private ones for their creator, their team and admins.
pub fn can_read(caller: &Caller, project: &Project) -> bool {
    !project.is_private || caller.user.is_admin || project.created_by == caller.user.id || in_team(caller, project)
}

/// Edit (and delete, and link CRM contacts): admins and the responsible, if not guests, and the creator.
pub fn can_edit(caller: &Caller, project: &Project) -> bool {
    is_manager(caller, project) || project.created_by == caller.user.id
}

/// CanLinkContact: the edit right; team membership alone is not enough (but a private project
/// must be readable, which for others than admins and its creator takes a place in its team).
pub fn can_link_contact(caller: &Caller, project: &Project) -> bool {
    can_edit(caller, project)
}

/// CanEditTeam: managers and the creator, if not guests.
pub fn can_edit_team(caller: &Caller, project: &Project) -> bool {
    !caller.user.is_visitor && (is_manager(caller, project) || project.created_by == caller.user.id)
}

/// Create: admins (the setting "everybody can create" is off, its default), never guests.
pub fn can_create(caller: &Caller) -> bool {
    !caller.user.is_visitor && caller.user.is_admin
}

pub fn security(caller: &Caller, project: &Project) -> Security {
    let user = &caller.user;
    let can = !user.is_visitor;
    let open = can && project.status == status::OPEN;
    let manager = is_manager(caller, project);
    let member_may = |part| manager || (in_team(caller, project) && team_allows(caller, project, part));
    let edit = can_edit(caller, project);
    Security {
        can_create_milestone: open && manager,
        can_create_message: open && member_may(team_security::MESSAGES),
        can_create_task: open && member_may(team_security::TASKS),
        can_create_time_spend: open && (user.is_admin || in_team(caller, project)),
        can_edit_team: can_edit_team(caller, project),
        can_read_files: team_allows(caller, project, team_security::FILES),
        can_read_milestones: team_allows(caller, project, team_security::MILESTONE),
        can_read_messages: team_allows(caller, project, team_security::MESSAGES),
        can_read_tasks: team_allows(caller, project, team_security::TASKS),
        can_link_contact: can_link_contact(caller, project),
        can_read_contacts: can && team_allows(caller, project, team_security::CONTACTS),
        can_edit: edit,
        can_delete: (can && user.is_admin) || project.created_by == user.id,
        is_in_team: in_team(caller, project),
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
    if tags.iter().any(|t| t.chars().count() > MAX_TAG) {
        return Err(ApiError::invalid("tags", format!("a tag has at most {MAX_TAG} characters")));
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
    if !can_create(caller) {
        return Err(ApiError::forbidden("Access denied."));
    }
    check_responsible(store, caller.portal, project.responsible).await?;
    if !project.team.contains(&project.responsible) {
        project.team.push(project.responsible);
    }
    // `withSecurity`: as the original, admins' restrictions are not written.
    let members = store.users_by_ids(caller.portal, &project.team).await?;
    project.restrictions = stored_restrictions(&members, &project.restrictions, false);
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
    let members = match &changes.team {
        Some(team) => store.users_by_ids(caller.portal, team).await?,
        None => Vec::new(),
    };
    let restrictions = stored_restrictions(&members, &changes.restrictions, true);
    let mut tx = store.begin_write().await?;
    let project = locked(store, &mut tx, caller, id, can_edit).await?;
    store.update_project(tx.conn(), caller.portal, id, &changes, caller.user.id).await?;
    // The responsible joins the team if absent: the one named now, or the one the project has.
    let responsible = changes.responsible.unwrap_or(project.responsible);
    if !project.team.contains(&responsible) {
        store.add_members(tx.conn(), caller.portal, id, &[responsible]).await?;
    }
    if let Some(team) = &changes.team {
        change_team(store, &mut tx, caller.portal, &project, responsible, team).await?;
    }
    store.set_member_security(tx.conn(), caller.portal, id, &restrictions).await?;
    let updated = store.lock_project(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    updated.ok_or_else(|| ApiError::not_found("Item not found"))
}

/// The restrictions to store for `wanted` (members with the flags they are sent with): a
/// guest never reads contacts; admins are left out at creation (the original writes none for
/// them there), kept in an update.
fn stored_restrictions(members: &[User], wanted: &[(UserId, i64)], with_admins: bool) -> Vec<(UserId, i64)> {
    wanted
        .iter()
        .filter_map(|(id, flags)| {
            let user = members.iter().find(|u| u.id == *id)?;
            let flags = if user.is_visitor { flags | team_security::CONTACTS } else { *flags };
            (with_admins || !user.is_admin).then_some((*id, flags))
        })
        .collect()
}

/// Puts `team` in place inside a write, as the original's UpdateTeam: its newcomers join (and
/// stop following the project) and the members it leaves out, except the responsible, leave.
async fn change_team(
    store: &Store,
    tx: &mut WriteTx,
    portal: PortalId,
    project: &Project,
    responsible: UserId,
    team: &[UserId],
) -> ApiResult<()> {
    let mut newcomers: Vec<UserId> =
        team.iter().filter(|u| !project.team.contains(u) && **u != responsible).copied().collect();
    newcomers.sort_unstable();
    newcomers.dedup();
    let leaving: Vec<UserId> =
        project.team.iter().filter(|u| !team.contains(u) && **u != responsible).copied().collect();
    store.add_members(tx.conn(), portal, project.id, &newcomers).await?;
    store.unfollow(tx.conn(), portal, project.id, &newcomers).await?;
    store.remove_members(tx.conn(), portal, project.id, &leaving).await?;
    Ok(())
}

/// `DELETE project/{id}`: the edit right (as the original checks); returns the project as it was.
pub async fn delete(store: &Store, caller: &Caller, id: ProjectId) -> ApiResult<Project> {
    let mut tx = store.begin_write().await?;
    let project = locked(store, &mut tx, caller, id, can_edit).await?;
    store.delete_project(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    Ok(project)
}

/// `DELETE project` with `projectids`: deletes each listed project the caller may delete, in one
/// transaction; the others are skipped, as the original logs and skips them. Returns the
/// deleted projects as they were.
pub async fn delete_many(store: &Store, caller: &Caller, ids: &[ProjectId]) -> ApiResult<Vec<Project>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = store.begin_write().await?;
    let mut deleted = Vec::new();
    for id in ids {
        match locked(store, &mut tx, caller, id, can_edit).await {
            Ok(project) => {
                store.delete_project(tx.conn(), caller.portal, id).await?;
                deleted.push(project);
            }
            Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => {}
            Err(other) => return Err(other),
        }
    }
    tx.commit().await?;
    Ok(deleted)
}

/// The project as it is under its row lock, inside the transaction about to change it: 404 when
/// the caller may not read it, 403 when `right` refuses him.
async fn locked(
    store: &Store,
    tx: &mut WriteTx,
    caller: &Caller,
    id: ProjectId,
    right: fn(&Caller, &Project) -> bool,
) -> ApiResult<Project> {
    let project = store
        .lock_project(tx.conn(), caller.portal, id)
        .await?
        .filter(|p| can_read(caller, p))
        .ok_or_else(|| ApiError::not_found("Item not found"))?;
    if !right(caller, &project) {
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

/// A team member as the team routes show him (the original's Participant).
pub struct Participant {
    pub profile: Profile,
    /// ProjectTeamSecurity restrictions.
    pub security: i64,
    pub removed: bool,
}

impl Participant {
    /// May read that part of the project (a guest never reads contacts).
    pub fn can_read(&self, part: i64) -> bool {
        self.security & part != part && !(part == team_security::CONTACTS && self.profile.user.is_visitor)
    }
}

/// The members of `projects` (one entry per project and member), members who left included
/// when asked, by display name: three statements whatever the number.
async fn participants(
    store: &Store,
    caller: &Caller,
    projects: &[ProjectId],
    with_removed: bool,
) -> ApiResult<Vec<Participant>> {
    let rows = store.team_rows(caller.portal, projects, with_removed).await?;
    let mut ids: Vec<UserId> = rows.iter().map(|r| r.user).collect();
    ids.sort_unstable();
    ids.dedup();
    let users = store.users_by_ids(caller.portal, &ids).await?;
    let profiles: HashMap<UserId, Profile> =
        people::profiles(store, caller.portal, users).await?.into_iter().map(|p| (p.user.id, p)).collect();
    let mut found: Vec<Participant> = rows
        .into_iter()
        .filter_map(|row| {
            let profile = profiles.get(&row.user)?.clone();
            Some(Participant { profile, security: row.security, removed: row.removed })
        })
        .collect();
    found.sort_by_cached_key(|p| p.profile.user.display_name().to_lowercase());
    Ok(found)
}

/// `GET project/{id}/team` (and, with `with_removed`, `teamExcluded`) of a readable project.
pub async fn team(store: &Store, caller: &Caller, id: ProjectId, with_removed: bool) -> ApiResult<Vec<Participant>> {
    let project = get(store, caller, id).await?;
    participants(store, caller, &[project.id], with_removed).await
}

/// `POST project/team` with `ids`: the members of each listed project the caller may read.
pub async fn teams(store: &Store, caller: &Caller, ids: &[ProjectId]) -> ApiResult<Vec<Participant>> {
    let readable: Vec<ProjectId> = store
        .projects(caller.portal)
        .await?
        .into_iter()
        .filter(|p| ids.contains(&p.id) && can_read(caller, p))
        .map(|p| p.id)
        .collect();
    participants(store, caller, &readable, false).await
}

/// A change of one project's team.
pub enum TeamChange {
    /// `POST project/{id}/team`: adds a user (back) with no restrictions.
    Add(UserId),
    /// `DELETE project/{id}/team`: the member leaves (`teamExcluded` still lists him).
    Remove(UserId),
    /// `PUT project/{id}/team`: the team becomes these users and the responsible.
    Replace(Vec<UserId>),
    /// `PUT project/{id}/team/security`: hides (`visible` false) or shows parts of the project
    /// to a member.
    Security { user: UserId, parts: i64, visible: bool },
}

/// Changes a team (CanEditTeam: 403 without it; 404 for a project the caller may not read);
/// returns the team after it.
pub async fn change(store: &Store, caller: &Caller, id: ProjectId, change: TeamChange) -> ApiResult<Vec<Participant>> {
    if let TeamChange::Add(user) = &change {
        live_user(store, caller.portal, *user, "userId").await?;
    }
    let mut tx = store.begin_write().await?;
    let project = locked(store, &mut tx, caller, id, can_edit_team).await?;
    let portal = caller.portal;
    match change {
        TeamChange::Add(user) => store.add_members(tx.conn(), portal, id, &[user]).await?,
        TeamChange::Remove(user) => store.remove_members(tx.conn(), portal, id, &[user]).await?,
        TeamChange::Replace(team) => change_team(store, &mut tx, portal, &project, project.responsible, &team).await?,
        TeamChange::Security { user, parts, visible } => {
            if !project.team.contains(&user) {
                return Err(ApiError::invalid("userId", "not a member of the project's team"));
            }
            let current = restrictions_of(&project, user);
            let flags = if visible { current & !parts } else { current | parts };
            store.set_member_security(tx.conn(), portal, id, &[(user, flags & team_security::ALL)]).await?;
        }
    }
    tx.commit().await?;
    participants(store, caller, &[id], false).await
}

/// 400 naming `param` unless `id` is a user of the portal who is not removed.
async fn live_user(store: &Store, portal: PortalId, id: UserId, param: &str) -> ApiResult<()> {
    match store.user_by_id(portal, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::invalid(param, "no such user")),
    }
}

/// `PUT project/{id}/follow`: starts or stops following a readable project; returns it.
pub async fn toggle_follow(store: &Store, caller: &Caller, id: ProjectId) -> ApiResult<Project> {
    let mut tx = store.begin_write().await?;
    let project = locked(store, &mut tx, caller, id, |_, _| true).await?;
    store.toggle_follow(tx.conn(), caller.portal, id, caller.user.id).await?;
    tx.commit().await?;
    Ok(project)
}

/// Whether the caller follows a project.
pub async fn follows(store: &Store, caller: &Caller, id: ProjectId) -> ApiResult<bool> {
    Ok(store.followed_projects(caller.portal, caller.user.id).await?.contains(&id))
}

/// `GET project/@follow`: the open projects the caller follows and may read, oldest first.
pub async fn followed(store: &Store, caller: &Caller) -> ApiResult<Vec<Project>> {
    let ids: HashSet<ProjectId> = store.followed_projects(caller.portal, caller.user.id).await?.into_iter().collect();
    let mut found = list(store, caller, Some(status::OPEN), false).await?;
    found.retain(|p| ids.contains(&p.id));
    found.sort_by_key(|p| (p.created_at, p.id));
    Ok(found)
}

/// How `project/filter` sorts, after the status (open, paused, closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectSort {
    /// The original's order when no `sortBy` is sent (the database's: by id).
    None,
    Created,
    Title,
}

/// What `GET project/filter` selects.
#[derive(Debug, Clone)]
pub struct ProjectFilter {
    /// A tag id; -1: projects without tags.
    pub tag: Option<i64>,
    pub status: Option<i64>,
    pub participant: Option<UserId>,
    pub manager: Option<UserId>,
    pub department: Option<GroupId>,
    pub follow: bool,
    /// A text the title contains (any case).
    pub text: Option<String>,
    pub sort: ProjectSort,
    pub descending: bool,
}

/// `GET project/filter`: the readable projects the filter selects, sorted; one page of them and
/// how many there are in all.
pub async fn filter(
    store: &Store,
    caller: &Caller,
    filter: &ProjectFilter,
    start: u64,
    count: u64,
) -> ApiResult<(Vec<Project>, u64)> {
    let mut found = list(store, caller, filter.status, false).await?;
    if let Some(tag) = filter.tag.filter(|t| *t != 0) {
        let names = store.project_tag_names(caller.portal).await?;
        let title = names.into_iter().find(|(id, _)| *id == tag).map(|(_, title)| title);
        found
            .retain(|p| if tag == -1 { p.tags.is_empty() } else { title.as_ref().is_some_and(|t| p.tags.contains(t)) });
    }
    if filter.participant.is_some() || filter.department.is_some() {
        let department = match filter.department {
            Some(group) => Some(store.group_member_ids(caller.portal, group).await?),
            None => None,
        };
        found.retain(|p| {
            p.team.iter().any(|member| {
                filter.participant.is_none_or(|wanted| wanted == *member)
                    && department.as_ref().is_none_or(|users| users.contains(member))
            })
        });
    }
    if let Some(manager) = filter.manager {
        found.retain(|p| p.responsible == manager);
    }
    if filter.follow {
        let ids: HashSet<ProjectId> =
            store.followed_projects(caller.portal, caller.user.id).await?.into_iter().collect();
        found.retain(|p| ids.contains(&p.id));
    }
    if let Some(text) = filter.text.as_deref().map(str::to_lowercase).filter(|t| !t.is_empty()) {
        found.retain(|p| p.title.to_lowercase().contains(&text));
    }
    let rank = |p: &Project| match p.status {
        status::OPEN => 0,
        status::PAUSED => 1,
        _ => 2,
    };
    found.sort_by(|a, b| {
        let created = a.created_at.cmp(&b.created_at);
        let title = a.title.to_lowercase().cmp(&b.title.to_lowercase());
        let flip = |o: std::cmp::Ordering| if filter.descending { o.reverse() } else { o };
        // The column asked for in the direction asked for, then the other in its own (newest
        // first, titles A to Z).
        let columns = match filter.sort {
            ProjectSort::None => a.id.cmp(&b.id),
            ProjectSort::Created => flip(created).then(title),
            ProjectSort::Title => flip(title).then(created.reverse()),
        };
        rank(a).cmp(&rank(b)).then(columns).then(a.id.cmp(&b.id))
    });
    let total = found.len() as u64;
    let page = found.into_iter().skip(start as usize).take(count as usize).collect();
    Ok((page, total))
}

/// `GET project/@search/{query}`: the readable projects whose title or description holds every
/// word of three characters or more (any case), by title. With no such word every readable
/// project matches, as in the original.
pub async fn search(store: &Store, caller: &Caller, query: &str) -> ApiResult<Vec<Project>> {
    let words: Vec<String> =
        query.split(' ').map(|w| w.trim().to_lowercase()).filter(|w| w.chars().count() >= 3).collect();
    let mut found = list(store, caller, None, false).await?;
    found.retain(|p| {
        let title = p.title.to_lowercase();
        let description = p.description.as_deref().unwrap_or_default().to_lowercase();
        words.iter().all(|w| title.contains(w) || description.contains(w))
    });
    Ok(found)
}

/// The original's CommonSecurityInfo: whether the caller may create a project, and whether he
/// may create tasks, milestones, messages and time entries in at least one open project.
#[derive(Debug, Clone, Copy)]
pub struct CommonSecurity {
    pub can_create_project: bool,
    pub can_create_task: bool,
    pub can_create_milestone: bool,
    pub can_create_message: bool,
    pub can_create_time_spend: bool,
}

pub async fn common_security(store: &Store, caller: &Caller) -> ApiResult<CommonSecurity> {
    let open = list(store, caller, Some(status::OPEN), false).await?;
    let any = |right: fn(&Security) -> bool| open.iter().any(|p| right(&security(caller, p)));
    Ok(CommonSecurity {
        can_create_project: can_create(caller),
        can_create_task: any(|s| s.can_create_task),
        can_create_milestone: any(|s| s.can_create_milestone),
        can_create_message: any(|s| s.can_create_message),
        can_create_time_spend: any(|s| s.can_create_time_spend),
    })
}

/// `PUT project/{id}/tag`: replaces the tags (the edit right; the project's last change stays,
/// as in the original); returns the project after.
pub async fn set_tags(store: &Store, caller: &Caller, id: ProjectId, tags: Vec<String>) -> ApiResult<Project> {
    let mut tx = store.begin_write().await?;
    locked(store, &mut tx, caller, id, can_edit).await?;
    store.replace_tags(tx.conn(), caller.portal, id, &tags).await?;
    let updated = store.lock_project(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    updated.ok_or_else(|| ApiError::not_found("Item not found"))
}

/// `GET project/tag`: every project tag with its id, by title; with `prefix`
/// (`project/tag/search`), those starting with it (any case).
pub async fn tag_names(store: &Store, caller: &Caller, prefix: Option<&str>) -> ApiResult<Vec<(i64, String)>> {
    let mut names = store.project_tag_names(caller.portal).await?;
    if let Some(prefix) = prefix.map(str::to_lowercase) {
        names.retain(|(_, title)| title.to_lowercase().starts_with(&prefix));
    }
    Ok(names)
}

/// `POST project/tag` with `data`: a tag no project has yet (those who may create projects);
/// a tag that exists answers as it is.
pub async fn create_tag(store: &Store, caller: &Caller, title: &str) -> ApiResult<(i64, String)> {
    let title = super::required_text(title, "data", MAX_TAG)?;
    if !can_create(caller) {
        return Err(ApiError::forbidden("Access denied."));
    }
    let mut tx = store.begin_write().await?;
    let id = store.insert_tag_name(tx.conn(), caller.portal, &title).await?;
    tx.commit().await?;
    Ok((id, title))
}

/// `GET project/tag/{tag}`: the readable projects with that tag (any case), by title.
pub async fn tagged(store: &Store, caller: &Caller, tag: &str) -> ApiResult<Vec<Project>> {
    let tag = tag.to_lowercase();
    let mut found = list(store, caller, None, false).await?;
    found.retain(|p| p.tags.iter().any(|t| t.to_lowercase() == tag));
    Ok(found)
}

/// `PUT project/{id}/tags` with tag ids: the project's tags become those (unknown ids are
/// skipped).
pub async fn set_tags_by_id(store: &Store, caller: &Caller, id: ProjectId, ids: &[i64]) -> ApiResult<Project> {
    let names = store.project_tag_names(caller.portal).await?;
    let tags = names.into_iter().filter(|(tag, _)| ids.contains(tag)).map(|(_, title)| title).collect();
    set_tags(store, caller, id, tags).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::tests::caller;

    fn project(responsible: UserId, team: &[UserId], restrictions: &[(UserId, i64)], private: bool) -> Project {
        let now = chrono::Utc::now();
        Project {
            id: ProjectId(1),
            title: "P".into(),
            description: None,
            status: status::OPEN,
            responsible,
            is_private: private,
            created_at: now,
            created_by: UserId::NIL,
            last_modified: now,
            last_modified_by: UserId::NIL,
            team: team.to_vec(),
            restrictions: restrictions.to_vec(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn restrictions_hide_parts_of_private_projects_from_members_only() {
        let (lead, member, outsider, admin, guest) = (
            caller(false, false),
            caller(false, false),
            caller(false, false),
            caller(true, false),
            caller(false, true),
        );
        let team = [lead.user.id, member.user.id, guest.user.id];
        let private = project(lead.user.id, &team, &[(member.user.id, team_security::FILES)], true);

        let s = security(&member, &private);
        assert!(can_read(&member, &private) && s.is_in_team && s.can_create_task && s.can_read_tasks);
        assert!(!s.can_read_files && !s.can_edit && !s.can_link_contact && !s.can_edit_team && !s.can_create_milestone);
        let s = security(&lead, &private);
        assert!(s.can_read_files && s.can_edit && s.can_link_contact && s.can_edit_team && s.can_create_milestone);
        let s = security(&admin, &private);
        assert!(can_read(&admin, &private) && s.can_read_files && s.can_link_contact && !s.is_in_team);
        assert!(!can_read(&outsider, &private));
        let s = security(&guest, &private);
        assert!(s.can_read_files && !s.can_read_contacts && !s.can_create_task && !s.can_edit_team);

        let public = project(lead.user.id, &team, &[(member.user.id, team_security::ALL)], false);
        let s = security(&outsider, &public);
        assert!(s.can_read_files && s.can_read_contacts && !s.can_create_task && !s.can_create_time_spend);
        assert!(security(&member, &public).can_read_files, "restrictions apply to private projects only");

        // Out of the team, the responsible of a private project can no longer read it, nor so
        // link contacts to it, though the rule itself still lets him.
        let without_lead = project(lead.user.id, &[member.user.id], &[], true);
        assert!(!can_read(&lead, &without_lead) && can_link_contact(&lead, &without_lead));
    }
}
