//! Leaving users (`people/reassign/*`, `people/remove/*`): a disabled user's data handed over
//! to another user, or removed, as background tasks (see `domain::tasks`).
//!
//! A reassignment's steps: his project team places, the leadership of his open and paused
//! projects, his places on CRM contacts' manager lists, the contacts he created; then, when
//! asked, his profile is deleted and a removal of his data queued. A removal's steps: his places
//! on contacts' manager lists, his project team places (but in projects he still leads), and a
//! deleted profile's contact list, tokens and photo.

use serde_json::json;

use super::people::{self, require_admin, User};
use super::tasks::{self, Task, TaskKind};
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{parse_guid, PortalId, UserId};
use crate::store::{Conn, Store};

const REASSIGN_STEPS: i64 = 4;
const REMOVE_STEPS: i64 = 3;

fn user_param(task: &Task, name: &str) -> ApiResult<UserId> {
    tasks::param(task, name)?
        .as_str()
        .and_then(parse_guid)
        .map(UserId)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("task {} has no user id as its {name}", task.id)))
}

/// A leaving user's task as its progress shows it.
#[derive(Debug, Clone)]
pub struct Progress {
    pub kind: TaskKind,
    pub task: Task,
    /// The leaving user.
    pub from: UserId,
    /// Who receives his data (reassignments).
    pub to: Option<UserId>,
}

impl Progress {
    fn of(kind: TaskKind, task: Task) -> ApiResult<Progress> {
        let (from, to) = match kind {
            TaskKind::Reassign => (user_param(&task, "fromUserId")?, Some(user_param(&task, "toUserId")?)),
            TaskKind::Remove => (user_param(&task, "userId")?, None),
            TaskKind::ImportContacts | TaskKind::ExportContacts => {
                return Err(ApiError::Internal(anyhow::anyhow!("task {} is no leaving user's", task.id)))
            }
        };
        Ok(Progress { kind, task, from, to })
    }
}

/// A leaving user: disabled, neither the owner nor the caller.
async fn leaving_user(store: &Store, caller: &Caller, id: UserId, param: &str) -> ApiResult<User> {
    let user = store
        .user_by_id(caller.portal, id)
        .await?
        .ok_or_else(|| ApiError::invalid(param, format!("no user with id {id}")))?;
    if user.is_owner || user.id == caller.user.id || user.is_active() {
        return Err(ApiError::invalid(
            param,
            format!("the data of user {id} cannot be handed over or removed: he must be disabled, and be neither the owner nor the caller"),
        ));
    }
    Ok(user)
}

/// `POST people/reassign/start`: an admin hands a disabled user's data over to an active
/// non-guest; with `delete_profile` the profile is deleted afterwards. A reassignment already
/// running for the user is answered instead of a new one.
pub async fn start_reassign(
    store: &Store,
    caller: &Caller,
    from: UserId,
    to: UserId,
    delete_profile: bool,
) -> ApiResult<Progress> {
    require_admin(caller)?;
    leaving_user(store, caller, from, "fromUserId").await?;
    let heir = store
        .user_by_id(caller.portal, to)
        .await?
        .ok_or_else(|| ApiError::invalid("toUserId", format!("no user with id {to}")))?;
    if heir.is_visitor || !heir.is_active() {
        return Err(ApiError::invalid(
            "toUserId",
            format!("data cannot be handed over to user {to}: a guest or disabled"),
        ));
    }
    let steps = REASSIGN_STEPS + i64::from(delete_profile);
    let params = json!({"fromUserId": from.to_string(), "toUserId": to.to_string(), "deleteProfile": delete_profile});
    let mut tx = store.begin_write().await?;
    let task = tasks::enqueue(
        store,
        tx.conn(),
        caller.portal,
        TaskKind::Reassign,
        &from.to_string(),
        &params,
        steps,
        caller.user.id,
    )
    .await?;
    tx.commit().await?;
    Progress::of(TaskKind::Reassign, task)
}

/// `POST people/remove/start`: an admin removes a disabled user's data.
pub async fn start_remove(store: &Store, caller: &Caller, user: UserId) -> ApiResult<Progress> {
    require_admin(caller)?;
    leaving_user(store, caller, user, "userId").await?;
    let mut tx = store.begin_write().await?;
    let task = queue_remove(store, tx.conn(), caller.portal, user, caller.user.id).await?;
    tx.commit().await?;
    Progress::of(TaskKind::Remove, task)
}

/// Queues the removal of a user's data inside `conn`'s transaction (deleting a profile does).
pub async fn queue_remove(
    store: &Store,
    mut conn: Conn<'_>,
    portal: PortalId,
    user: UserId,
    by: UserId,
) -> ApiResult<Task> {
    let params = json!({"userId": user.to_string()});
    tasks::enqueue(store, conn.re(), portal, TaskKind::Remove, &user.to_string(), &params, REMOVE_STEPS, by).await
}

/// `GET people/{reassign|remove}/progress`: the newest task of the kind for the user.
pub async fn progress(store: &Store, caller: &Caller, kind: TaskKind, user: UserId) -> ApiResult<Option<Progress>> {
    require_admin(caller)?;
    let task = tasks::latest(store, caller.portal, kind, &user.to_string()).await?;
    task.map(|task| Progress::of(kind, task)).transpose()
}

/// `PUT people/{reassign|remove}/terminate`.
pub async fn terminate(store: &Store, caller: &Caller, kind: TaskKind, user: UserId) -> ApiResult<()> {
    require_admin(caller)?;
    tasks::terminate(store, caller.portal, kind, &user.to_string()).await.map(drop)
}

/// Refuses to delete users whose data is being handed over (the original's
/// CheckReassignProccess), inside the deleting transaction.
pub async fn check_not_reassigning(
    store: &Store,
    mut conn: Conn<'_>,
    portal: PortalId,
    users: &[UserId],
    param: &str,
) -> ApiResult<()> {
    let subjects: Vec<String> = users.iter().map(UserId::to_string).collect();
    let running = store.unfinished_tasks(conn.re(), portal, TaskKind::Reassign.name(), &subjects).await?;
    match running.first() {
        Some(task) => Err(ApiError::invalid(
            param,
            format!("the data of user {} is being handed over; wait until it is done or terminate it", task.subject),
        )),
        None => Ok(()),
    }
}

/// One step of a reassignment.
pub(super) async fn reassign_step(store: &Store, mut conn: Conn<'_>, task: &Task, step: i64) -> ApiResult<()> {
    let (portal, from, to) = (task.portal, user_param(task, "fromUserId")?, user_param(task, "toUserId")?);
    match step {
        0 => store.hand_over_team_places(conn.re(), portal, from, to).await?,
        1 => store.hand_over_project_leadership(conn.re(), portal, from, to).await?,
        2 => store.hand_over_contact_managers(conn.re(), portal, from, to).await?,
        3 => store.hand_over_created_contacts(conn.re(), portal, from, to).await?,
        _ => delete_profile(store, conn.re(), task, from).await?,
    }
    Ok(())
}

/// The last step of a reassignment with `deleteProfile`: the profile goes, and a removal of
/// what is left of his data is queued, as `DELETE people/{userid}` does.
async fn delete_profile(store: &Store, mut conn: Conn<'_>, task: &Task, user: UserId) -> ApiResult<()> {
    let Some(found) = store.user_by_id_in(conn.re(), task.portal, user).await? else {
        return Ok(()); // deleted meanwhile
    };
    if found.is_active() {
        return Err(ApiError::bad_request("the user was enabled again, so his profile was kept"));
    }
    people::remove_profile(store, conn.re(), task.portal, user, task.created_by).await
}

/// One step of a removal.
pub(super) async fn remove_step(store: &Store, mut conn: Conn<'_>, task: &Task, step: i64) -> ApiResult<()> {
    let (portal, user) = (task.portal, user_param(task, "userId")?);
    match step {
        0 => store.remove_contact_manager_places(conn.re(), portal, user).await?,
        1 => store.remove_team_places(conn.re(), portal, user).await?,
        _ => store.remove_deleted_profile_data(conn.re(), portal, user).await?,
    }
    Ok(())
}
