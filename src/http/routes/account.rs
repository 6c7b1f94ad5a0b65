//! `api/2.0/people`: mail-sending and account routes (invitations, password reminders, the
//! one-time links they carry, email and activation status).

use std::sync::Arc;

use axum::extract::State;

use super::people::{ActivationStatus, UserRef};
use crate::app::App;
use crate::domain::{account, mail, people};
use crate::error::ApiResult;
use crate::http::binding::Enum;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In};
use crate::http::request::Anon;
use crate::http::wire::people::{full_list, EmployeeWraper, EmployeeWraperFull};
use crate::http::wire::WireCtx;
use crate::model::UserId;

inputs! {
    pub struct Invites {
        user_ids: Vec<UserId> = "userIds",
    }

    pub struct Reminder {
        email: String = "email",
    }

    pub struct Confirmation {
        token: String = "token",
        password: Option<String> = "password",
    }

    pub struct EmailChange {
        user: UserRef,
        email: String = "email",
        password: Option<String> = "password",
    }

    pub struct ActivationChange {
        user: UserRef,
        status: Enum<ActivationStatus> = "activationstatus",
    }

    pub struct ActivationOfMany {
        status: Enum<ActivationStatus> = "activationstatus",
        user_ids: Vec<UserId> = "userIds",
    }
}

/// `PUT people/invite`: resends invitations (or email confirmations) to users not activated.
pub async fn resend_invites(State(app): State<Arc<App>>, In(call, input): In<Invites>) -> ApiResult<Reply> {
    let profiles = mail::resend_invites(&app.store, &call.caller, &input.user_ids, &app.settings.public_url).await?;
    Reply::list(&full_list(&profiles, &call.caller, &WireCtx::of(&call.info)))
}

/// `POST people/password` (anonymous): a password link to the address, if it has an account.
pub async fn remind_password(State(app): State<Arc<App>>, In(call, input): In<Reminder, Anon>) -> ApiResult<Reply> {
    let info = &call.info;
    let answer =
        mail::remind_password(&app.store, info.portal, &input.email, &info.peer, &app.settings.public_url).await?;
    Reply::of(answer)
}

/// `POST people/confirm` (anonymous, a portald addition): consumes a link's token.
pub async fn confirm(State(app): State<Arc<App>>, In(call, input): In<Confirmation, Anon>) -> ApiResult<Reply> {
    let user = mail::confirm(&app.store, call.info.portal, &input.token, input.password.as_deref()).await?;
    Reply::of(EmployeeWraper::new(&user, &WireCtx::of(&call.info)))
}

/// `PUT people/{userid}/email`.
pub async fn change_email(State(app): State<Arc<App>>, In(call, input): In<EmailChange>) -> ApiResult<Reply> {
    let target = people::resolve(&app.store, &call.caller, &input.user.userid).await?;
    let profile = account::change_email(
        &app.store,
        &call.caller,
        target,
        &input.email,
        input.password.as_deref(),
        &call.info.peer,
        &app.settings.public_url,
    )
    .await?;
    Reply::of(EmployeeWraperFull::new(&profile, &call.caller, &WireCtx::of(&call.info)))
}

/// `PUT people/{userid}/activationstatus`.
pub async fn set_activation(State(app): State<Arc<App>>, In(call, input): In<ActivationChange>) -> ApiResult<Reply> {
    let target = people::resolve(&app.store, &call.caller, &input.user.userid).await?;
    let Enum(ActivationStatus(status)) = input.status;
    let profile = account::set_activation(&app.store, &call.caller, target, status).await?;
    Reply::of(EmployeeWraperFull::new(&profile, &call.caller, &WireCtx::of(&call.info)))
}

/// `PUT people/activationstatus/{activationstatus}` with `userIds`.
pub async fn set_activation_of_many(
    State(app): State<Arc<App>>,
    In(call, input): In<ActivationOfMany>,
) -> ApiResult<Reply> {
    let Enum(ActivationStatus(status)) = input.status;
    let profiles = account::set_activation_of_many(&app.store, &call.caller, &input.user_ids, status).await?;
    Reply::list(&full_list(&profiles, &call.caller, &WireCtx::of(&call.info)))
}
