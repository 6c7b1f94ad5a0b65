//! `api/2.0/group`: departments.

use std::sync::Arc;

use crate::app::App;
use crate::domain::groups::{self, Group, GroupChanges, MembersEdit};
use crate::domain::people;
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::request::Call;
use crate::http::wire::groups::{GroupSummary, GroupWrapperFull};
use crate::http::wire::WireCtx;
use crate::model::{GroupId, UserId};
use axum::extract::State;

/// Summaries with their managers' user names, in two statements.
async fn summaries(app: &App, call: &Call, groups: Vec<Group>) -> ApiResult<Reply> {
    let named = groups::with_manager_names(&app.store, call.caller.portal, groups).await?;
    let items: Vec<GroupSummary> = named.into_iter().map(|(g, manager)| GroupSummary::new(&g, manager)).collect();
    Reply::list(&items)
}

async fn full(app: &App, call: &Call, group: Group, members: bool) -> ApiResult<Reply> {
    let details = groups::details(&app.store, call.caller.portal, group).await?;
    Reply::of(&GroupWrapperFull::new(&details, members, &WireCtx::of(&call.info)))
}

fn group_id(call: &Call) -> ApiResult<GroupId> {
    call.params.require("groupid")
}

/// `GET group`.
pub async fn list(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let all = groups::all(&app.store, call.caller.portal).await?;
    summaries(&app, &call, all).await
}

/// `GET group/search?groupName=`.
pub async fn search(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let text = call.params.get::<String>("groupName")?.unwrap_or_default();
    let found = groups::search(&app.store, call.caller.portal, &text).await?;
    summaries(&app, &call, found).await
}

/// `GET group/user/{userid}`: the user's groups.
pub async fn of_user(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let user = people::resolve(&app.store, &call.caller, &call.params.require::<String>("userid")?).await?;
    let found = groups::of_user(&app.store, call.caller.portal, user.id).await?;
    summaries(&app, &call, found).await
}

/// `GET group/{groupid}`: with members.
pub async fn get(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let group = groups::get(&app.store, call.caller.portal, group_id(&call)?).await?;
    full(&app, &call, group, true).await
}

fn changes(call: &Call) -> ApiResult<GroupChanges> {
    let params = &call.params;
    Ok(GroupChanges {
        name: params.get("groupName")?,
        manager: if params.has("groupManager") { Some(params.get("groupManager")?) } else { None },
        members: if params.has("members") { Some(params.list("members")?) } else { None },
    })
}

/// `POST group`: `groupName`, `groupManager`, `members`.
pub async fn create(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let group = groups::create(&app.store, &call.caller, changes(&call)?).await?;
    full(&app, &call, group, true).await
}

/// `PUT group/{groupid}`: what is sent changes; members, when sent, replace the list.
pub async fn update(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let group = groups::update(&app.store, &call.caller, group_id(&call)?, changes(&call)?).await?;
    full(&app, &call, group, true).await
}

/// `DELETE group/{groupid}`: the deleted group, without members.
pub async fn delete(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let id = group_id(&call)?;
    let group = groups::get(&app.store, call.caller.portal, id).await?;
    let details = groups::details(&app.store, call.caller.portal, group).await?;
    groups::delete(&app.store, &call.caller, id).await?;
    Reply::of(&GroupWrapperFull::new(&details, false, &WireCtx::of(&call.info)))
}

/// `POST group/{groupid}/members`: replaces the members.
pub async fn set_members(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let members = call.params.list::<UserId>("members")?;
    let changes = GroupChanges { members: Some(members), ..GroupChanges::default() };
    let group = groups::update(&app.store, &call.caller, group_id(&call)?, changes).await?;
    full(&app, &call, group, true).await
}

async fn edit_members(app: &App, call: &Call, edit: MembersEdit) -> ApiResult<Reply> {
    let members = call.params.list::<UserId>("members")?;
    let group = groups::edit_members(&app.store, &call.caller, group_id(call)?, edit, &members).await?;
    full(app, call, group, true).await
}

/// `PUT group/{groupid}/members`: adds members.
pub async fn add_members(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    edit_members(&app, &call, MembersEdit::Add).await
}

/// `DELETE group/{groupid}/members`: removes members.
pub async fn remove_members(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    edit_members(&app, &call, MembersEdit::Remove).await
}

/// `PUT group/{groupid}/members/{newgroupid}`: moves every member.
pub async fn move_members(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let to = call.params.require::<GroupId>("newgroupid")?;
    let group = groups::move_members(&app.store, &call.caller, group_id(&call)?, to).await?;
    full(&app, &call, group, true).await
}

/// `PUT group/{groupid}/manager`: `userid` becomes the manager.
pub async fn set_manager(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let manager = call.params.require::<UserId>("userid")?;
    let changes = GroupChanges { manager: Some(Some(manager)), ..GroupChanges::default() };
    let group = groups::update(&app.store, &call.caller, group_id(&call)?, changes).await?;
    full(&app, &call, group, true).await
}
