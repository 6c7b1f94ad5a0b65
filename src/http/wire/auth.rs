//! AuthenticationTokenData.

use schemars::JsonSchema;
use serde::Serialize;

use super::WireCtx;
use crate::domain::auth::IssuedToken;
use crate::http::datetime::ApiDateTime;

#[derive(Serialize, JsonSchema)]
pub struct AuthenticationTokenData {
    pub token: String,
    pub expires: ApiDateTime,
}

impl AuthenticationTokenData {
    pub fn new(issued: &IssuedToken, ctx: &WireCtx) -> Self {
        AuthenticationTokenData { token: issued.token.clone(), expires: ctx.date(issued.expires) }
    }
}
