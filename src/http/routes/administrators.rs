//! `api/2.0/settings/security/administrator`: who administers the portal.

use std::sync::Arc;

use axum::extract::State;
use uuid::Uuid;

use crate::app::App;
use crate::domain::administrators;
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In};
use crate::http::wire::people::{EmployeeWraper, ProductAdministrator};
use crate::http::wire::WireCtx;
use crate::model::UserId;

inputs! {
    pub struct Product {
        product: Uuid = "productid",
    }

    pub struct AdministratorOf {
        product: Uuid = "productid",
        user: UserId = "userid",
    }

    pub struct AdministratorChange {
        of: AdministratorOf,
        administrator: bool = "administrator",
    }
}

fn answer(input: &AdministratorOf, administrator: bool) -> ApiResult<Reply> {
    Reply::of(ProductAdministrator { product_id: input.product, user_id: input.user.0, administrator })
}

/// `GET settings/security/administrator/{productid}`.
pub async fn list(State(app): State<Arc<App>>, In(call, input): In<Product>) -> ApiResult<Reply> {
    let admins = administrators::administrators(&app.store, &call.caller, input.product).await?;
    let ctx = WireCtx::of(&call.info);
    Reply::list(&admins.iter().map(|u| EmployeeWraper::new(u, &ctx)).collect::<Vec<_>>())
}

/// `GET settings/security/administrator?productid=&userid=`.
pub async fn get(State(app): State<Arc<App>>, In(call, input): In<AdministratorOf>) -> ApiResult<Reply> {
    let administrator = administrators::is_administrator(&app.store, &call.caller, input.product, input.user).await?;
    answer(&input, administrator)
}

/// `PUT settings/security/administrator`.
pub async fn set(State(app): State<Arc<App>>, In(call, input): In<AdministratorChange>) -> ApiResult<Reply> {
    let AdministratorChange { of, administrator } = input;
    administrators::set_administrator(&app.store, &call.caller, of.product, of.user, administrator).await?;
    answer(&of, administrator)
}
