//! `api/2.0/authentication`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{AppendHeaders, IntoResponse, Response};

use crate::app::App;
use crate::domain::auth;
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In};
use crate::http::request::{Anon, Call, RequestInfo};
use crate::http::wire::auth::AuthenticationTokenData;
use crate::http::wire::WireCtx;

inputs! {
    pub struct Credentials {
        user_name: String = "userName",
        password: String = "password",
    }
}

/// `POST authentication`: `userName` (user name or email) and `password` give a token, also
/// set as the `asc_auth_key` cookie, with the session's CSRF token in the `portald_csrf` cookie
/// for the page to read.
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
    let attributes = format!("Path=/; Expires={expires}; SameSite=Lax{}", secure(&call.info));
    let cookies = AppendHeaders([
        (header::SET_COOKIE, format!("asc_auth_key={}; {attributes}; HttpOnly", issued.token)),
        (header::SET_COOKIE, format!("{CSRF_COOKIE}={}; {attributes}", auth::csrf_token(&issued.token))),
    ]);
    let body = AuthenticationTokenData::new(&issued, &WireCtx::of(&call.info));
    Ok((cookies, Reply::of(body)?).into_response())
}

/// `POST authentication/logout`: revokes the token the request came with and clears the cookies.
pub async fn logout(State(app): State<Arc<App>>, call: Call) -> ApiResult<Response> {
    auth::logout(&app.store, &call.caller).await?;
    let attributes = format!("Path=/; Max-Age=0; SameSite=Lax{}", secure(&call.info));
    let cookies = AppendHeaders([
        (header::SET_COOKIE, format!("asc_auth_key=; {attributes}; HttpOnly")),
        (header::SET_COOKIE, format!("{CSRF_COOKIE}=; {attributes}")),
    ]);
    Ok((cookies, Reply::void()).into_response())
}

/// The cookie holding the session's CSRF token, which the page sends back in `X-CSRF-Token`.
const CSRF_COOKIE: &str = "portald_csrf";

/// Cookies of a request made over https are sent back only over https.
fn secure(info: &RequestInfo) -> &'static str {
    if info.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}
