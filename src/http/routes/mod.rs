//! The route table.

mod auth;
mod people;
mod system;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::app::App;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/health", get(system::health))
        .route("/metrics", get(system::metrics))
        .route("/api/2.0/capabilities", get(system::capabilities))
        .route("/api/2.0/authentication", post(auth::login))
        .route("/api/2.0/authentication/logout", post(auth::logout))
        .route("/api/2.0/people/@self", get(people::get_self))
}
