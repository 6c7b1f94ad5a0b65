//! `api/2.0/authentication`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::domain::auth;
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In};
use crate::http::request::{Anon, Call};
use crate::http::wire::auth::AuthenticationTokenData;
use crate::http::wire::WireCtx;

inputs! {
    pub struct Credentials {
        user_name: String = "userName",
        password: String = "password",
    }
}

/// `POST authentication`: `userName` (user name or email) and `password` give a token, also
/// set as the `asc_auth_key` cookie.
pub async fn login(State(app): State<Arc<App>>, In(call, input): In<Credentials, Anon>) -> ApiResult<Response> {
    let issued = auth::login(
        &app.store,
        call.info.portal,
        Some(&input.user_name),
        Some(&input.password),
        &call.info.peer,
        app.settings.token_lifetime,
    )
    .await?;
    let expires = issued.expires.format("%a, %d %b %Y %H:%M:%S GMT");
    let cookie = format!("asc_auth_key={}; Path=/; Expires={expires}; HttpOnly; SameSite=Lax", issued.token);
    let body = AuthenticationTokenData::new(&issued, &WireCtx::of(&call.info));
    Ok(([(header::SET_COOKIE, cookie)], Reply::of(&body)?).into_response())
}

/// `POST authentication/logout`: revokes the token the request came with and clears the cookie.
pub async fn logout(State(app): State<Arc<App>>, call: Call) -> ApiResult<Response> {
    auth::logout(&app.store, &call.caller).await?;
    let cookie = "asc_auth_key=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
    Ok(([(header::SET_COOKIE, cookie)], Reply::void()).into_response())
}
