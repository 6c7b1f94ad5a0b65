//! Capabilities, health and metrics.

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::domain::health;
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::openapi;
use crate::http::wire::system::Capabilities;

/// `GET capabilities` (anonymous).
pub async fn capabilities() -> ApiResult<Reply> {
    Reply::of(Capabilities::of_this_server())
}

/// `GET api/2.0/openapi.json`: the document of the route table, built once.
pub async fn openapi() -> Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| openapi::document(&super::operations()).to_string());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}

/// `GET /health`: 200 when the database answers, 503 otherwise.
pub async fn health(State(app): State<Arc<App>>) -> Response {
    match health::database_answers(&app.store).await {
        Ok(()) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], r#"{"status":"ok"}"#).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"status":"database unreachable"}"#,
            )
                .into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let text = app.metrics.render() + &crate::http::metrics::render_change_notices(health::change_notices(&app.store));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
