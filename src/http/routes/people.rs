//! `api/2.0/people`.

use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::request::Call;
use crate::http::wire::people::EmployeeWraperFull;
use crate::http::wire::WireCtx;

/// `GET people/@self`: the caller's full profile.
pub async fn get_self(call: Call) -> ApiResult<Reply> {
    let ctx = WireCtx::of(&call.info);
    Reply::of(&EmployeeWraperFull::new(
        &call.caller.user,
        &call.caller,
        &ctx,
    ))
}
