//! `api/2.0/group`: departments.

use std::sync::Arc;

use axum::extract::State;

use crate::app::App;
use crate::domain::groups::{self, Group, GroupChanges, MembersEdit};
use crate::domain::people;
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In};
use crate::http::request::Call;
use crate::http::wire::groups::{GroupSummary, GroupWrapperFull};
use crate::http::wire::WireCtx;
use crate::model::{GroupId, UserId};

/// Summaries with their managers' user names, in two statements.
async fn summaries(app: &App, call: &Call, groups: Vec<Group>) -> ApiResult<Reply> {
    let named = groups::with_manager_names(&app.store, call.caller.portal, groups).await?;
    let items: Vec<GroupSummary> = named.into_iter().map(|(g, manager)| GroupSummary::new(&g, manager)).collect();
    Reply::list(&items)
}

async fn full(app: &App, call: &Call, group: Group, members: bool) -> ApiResult<Reply> {
    let details = groups::details(&app.store, call.caller.portal, group).await?;
    Reply::of(GroupWrapperFull::new(&details, members, &WireCtx::of(&call.info)))
}

inputs! {
    pub struct GroupRef {
        group: GroupId = "groupid",
    }

    pub struct UserRef {
        userid: String = "userid",
    }

    pub struct GroupSearch {
        group_name: Option<String> = "groupName",
    }

    pub struct NewGroup {
        group_name: String = "groupName",
        group_manager: Option<Option<UserId>> = "groupManager",
        members: Option<Vec<UserId>> = "members",
    }

    /// What is sent changes; members, when sent, replace the list.
    pub struct GroupEdit {
        group: GroupId = "groupid",
        group_name: Option<String> = "groupName",
        group_manager: Option<Option<UserId>> = "groupManager",
        members: Option<Vec<UserId>> = "members",
    }

    pub struct MembersChange {
        group: GroupId = "groupid",
        members: Vec<UserId> = "members",
    }

    pub struct MoveMembers {
        group: GroupId = "groupid",
        to: GroupId = "newgroupid",
    }

    pub struct ManagerChange {
        group: GroupId = "groupid",
        manager: UserId = "userid",
    }
}

fn changes(name: Option<String>, manager: Option<Option<UserId>>, members: Option<Vec<UserId>>) -> GroupChanges {
    GroupChanges { name, manager, members }
}

/// `GET group`.
pub async fn list(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let all = groups::all(&app.store, call.caller.portal).await?;
    summaries(&app, &call, all).await
}

/// `GET group/search?groupName=`.
pub async fn search(State(app): State<Arc<App>>, In(call, input): In<GroupSearch>) -> ApiResult<Reply> {
    let text = input.group_name.unwrap_or_default();
    let found = groups::search(&app.store, call.caller.portal, &text).await?;
    summaries(&app, &call, found).await
}

/// `GET group/user/{userid}`: the user's groups.
pub async fn of_user(State(app): State<Arc<App>>, In(call, input): In<UserRef>) -> ApiResult<Reply> {
    let user = people::resolve(&app.store, &call.caller, &input.userid).await?;
    let found = groups::of_user(&app.store, call.caller.portal, user.id).await?;
    summaries(&app, &call, found).await
}

/// `GET group/{groupid}`: with members.
pub async fn get(State(app): State<Arc<App>>, In(call, input): In<GroupRef>) -> ApiResult<Reply> {
    let group = groups::get(&app.store, call.caller.portal, input.group).await?;
    full(&app, &call, group, true).await
}

/// `POST group`: `groupName`, `groupManager`, `members`.
pub async fn create(State(app): State<Arc<App>>, In(call, input): In<NewGroup>) -> ApiResult<Reply> {
    let changes = changes(Some(input.group_name), input.group_manager, input.members);
    let group = groups::create(&app.store, &call.caller, changes).await?;
    full(&app, &call, group, true).await
}

/// `PUT group/{groupid}`: what is sent changes; members, when sent, replace the list.
pub async fn update(State(app): State<Arc<App>>, In(call, input): In<GroupEdit>) -> ApiResult<Reply> {
    let changes = changes(input.group_name, input.group_manager, input.members);
    let group = groups::update(&app.store, &call.caller, input.group, changes).await?;
    full(&app, &call, group, true).await
}

/// `DELETE group/{groupid}`: the deleted group, without members.
pub async fn delete(State(app): State<Arc<App>>, In(call, input): In<GroupRef>) -> ApiResult<Reply> {
    let id = input.group;
    let group = groups::get(&app.store, call.caller.portal, id).await?;
    let details = groups::details(&app.store, call.caller.portal, group).await?;
    groups::delete(&app.store, &call.caller, id).await?;
    Reply::of(GroupWrapperFull::new(&details, false, &WireCtx::of(&call.info)))
}

/// `POST group/{groupid}/members`: replaces the members.
pub async fn set_members(State(app): State<Arc<App>>, In(call, input): In<MembersChange>) -> ApiResult<Reply> {
    let changes = GroupChanges { members: Some(input.members), ..GroupChanges::default() };
    let group = groups::update(&app.store, &call.caller, input.group, changes).await?;
    full(&app, &call, group, true).await
}

async fn edit_members(app: &App, call: &Call, input: MembersChange, edit: MembersEdit) -> ApiResult<Reply> {
    let members = input.members;
    let group = groups::edit_members(&app.store, &call.caller, input.group, edit, &members).await?;
    full(app, call, group, true).await
}

/// `PUT group/{groupid}/members`: adds members.
pub async fn add_members(State(app): State<Arc<App>>, In(call, input): In<MembersChange>) -> ApiResult<Reply> {
    edit_members(&app, &call, input, MembersEdit::Add).await
}

/// `DELETE group/{groupid}/members`: removes members.
pub async fn remove_members(State(app): State<Arc<App>>, In(call, input): In<MembersChange>) -> ApiResult<Reply> {
    edit_members(&app, &call, input, MembersEdit::Remove).await
}

/// `PUT group/{groupid}/members/{newgroupid}`: moves every member.
pub async fn move_members(State(app): State<Arc<App>>, In(call, input): In<MoveMembers>) -> ApiResult<Reply> {
    let group = groups::move_members(&app.store, &call.caller, input.group, input.to).await?;
    full(&app, &call, group, true).await
}

/// `PUT group/{groupid}/manager`: `userid` becomes the manager.
pub async fn set_manager(State(app): State<Arc<App>>, In(call, input): In<ManagerChange>) -> ApiResult<Reply> {
    let changes = GroupChanges { manager: Some(Some(input.manager)), ..GroupChanges::default() };
    let group = groups::update(&app.store, &call.caller, input.group, changes).await?;
    full(&app, &call, group, true).await
}
