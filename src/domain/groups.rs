//! Groups (departments): any user reads them, admins change them.

use super::people::{require_admin, User};
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{GroupId, PortalId, UserId};
use crate::store::Store;

pub use crate::model::groups::Group;

/// The most characters a group name may have.
const MAX_NAME: usize = 128;

/// A group with its manager and members loaded.
pub struct GroupDetails {
    pub group: Group,
    pub manager: Option<User>,
    pub members: Vec<User>,
}

pub async fn get(store: &Store, portal: PortalId, id: GroupId) -> ApiResult<Group> {
    store.group(portal, id).await?.ok_or_else(|| ApiError::not_found("Group not found"))
}

/// `GET group`: every group of the portal, by name.
pub async fn all(store: &Store, portal: PortalId) -> ApiResult<Vec<Group>> {
    Ok(store.groups(portal).await?)
}

/// The groups a user belongs to.
pub async fn of_user(store: &Store, portal: PortalId, user: UserId) -> ApiResult<Vec<Group>> {
    Ok(store.groups_of(portal, user).await?)
}

/// The groups with their managers' user names, as summaries show them, in one statement.
pub async fn with_manager_names(
    store: &Store,
    portal: PortalId,
    groups: Vec<Group>,
) -> ApiResult<Vec<(Group, Option<String>)>> {
    let managers: Vec<UserId> = groups.iter().filter_map(|g| g.manager).collect();
    let managers = store.users_by_ids(portal, &managers).await?;
    Ok(groups
        .into_iter()
        .map(|g| {
            let manager = g.manager.and_then(|m| managers.iter().find(|u| u.id == m)).map(|u| u.user_name.clone());
            (g, manager)
        })
        .collect())
}

/// `group/search`: groups whose name contains `text`, compared case-sensitively as the
/// original does; an empty text finds nothing.
pub async fn search(store: &Store, portal: PortalId, text: &str) -> ApiResult<Vec<Group>> {
    let mut found = store.groups(portal).await?;
    found.retain(|g| !text.is_empty() && g.name.contains(text));
    Ok(found)
}

/// A group with its manager and members, in three statements.
pub async fn details(store: &Store, portal: PortalId, group: Group) -> ApiResult<GroupDetails> {
    let members = store.group_member_ids(portal, group.id).await?;
    let mut ids = members.clone();
    ids.extend(group.manager);
    let mut users = store.users_by_ids(portal, &ids).await?;
    users.sort_by_cached_key(|u| u.display_name().to_lowercase());
    let manager = group.manager.and_then(|m| users.iter().find(|u| u.id == m).cloned());
    users.retain(|u| members.contains(&u.id));
    Ok(GroupDetails { group, manager, members: users })
}

fn check_name(name: &str) -> ApiResult<String> {
    super::required_text(name, "groupName", MAX_NAME)
}

async fn check_manager(store: &Store, portal: PortalId, manager: Option<UserId>) -> ApiResult<()> {
    if let Some(manager) = manager {
        match store.user_by_id(portal, manager).await? {
            Some(user) if user.is_active() => {}
            Some(_) => return Err(ApiError::invalid("groupManager", "the user is disabled")),
            None => return Err(ApiError::invalid("groupManager", "no such user")),
        }
    }
    Ok(())
}

/// What a create or update sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub manager: Option<Option<UserId>>,
    pub members: Option<Vec<UserId>>,
}

/// `POST group`.
pub async fn create(store: &Store, caller: &Caller, changes: GroupChanges) -> ApiResult<Group> {
    require_admin(caller)?;
    if changes.name.is_none() {
        return Err(ApiError::missing("groupName"));
    }
    let group = Group { id: GroupId(uuid::Uuid::new_v4()), name: String::new(), manager: None };
    save(store, caller, group, changes).await
}

/// `PUT group/{groupid}` and the manager and member endpoints.
pub async fn update(store: &Store, caller: &Caller, id: GroupId, changes: GroupChanges) -> ApiResult<Group> {
    require_admin(caller)?;
    let group = get(store, caller.portal, id).await?;
    save(store, caller, group, changes).await
}

async fn save(store: &Store, caller: &Caller, mut group: Group, changes: GroupChanges) -> ApiResult<Group> {
    if let Some(name) = &changes.name {
        group.name = check_name(name)?;
    }
    if let Some(manager) = changes.manager {
        check_manager(store, caller.portal, manager).await?;
        group.manager = manager;
    }
    let mut tx = store.begin_write().await?;
    store.save_group(tx.conn(), caller.portal, &group).await?;
    if let Some(members) = changes.members {
        store.remove_group_members(tx.conn(), caller.portal, group.id, None).await?;
        store.add_group_members(tx.conn(), caller.portal, group.id, &members).await?;
    }
    tx.commit().await?;
    Ok(group)
}

/// How a member endpoint changes the member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembersEdit {
    Add,
    Remove,
}

pub async fn edit_members(
    store: &Store,
    caller: &Caller,
    id: GroupId,
    edit: MembersEdit,
    users: &[UserId],
) -> ApiResult<Group> {
    require_admin(caller)?;
    let group = get(store, caller.portal, id).await?;
    let mut tx = store.begin_write().await?;
    match edit {
        MembersEdit::Add => store.add_group_members(tx.conn(), caller.portal, id, users).await?,
        MembersEdit::Remove => store.remove_group_members(tx.conn(), caller.portal, id, Some(users)).await?,
    }
    tx.commit().await?;
    Ok(group)
}

/// `PUT group/{groupid}/members/{newgroupid}`: moves every member to another group.
pub async fn move_members(store: &Store, caller: &Caller, from: GroupId, to: GroupId) -> ApiResult<Group> {
    require_admin(caller)?;
    get(store, caller.portal, from).await?;
    let target = get(store, caller.portal, to).await?;
    let members = store.group_member_ids(caller.portal, from).await?;
    let mut tx = store.begin_write().await?;
    store.add_group_members(tx.conn(), caller.portal, to, &members).await?;
    store.remove_group_members(tx.conn(), caller.portal, from, None).await?;
    tx.commit().await?;
    Ok(target)
}

/// `DELETE group/{groupid}`: returns the group as it was.
pub async fn delete(store: &Store, caller: &Caller, id: GroupId) -> ApiResult<Group> {
    require_admin(caller)?;
    let group = get(store, caller.portal, id).await?;
    let mut tx = store.begin_write().await?;
    store.delete_group(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    Ok(group)
}
