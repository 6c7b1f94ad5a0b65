//! The HTTP layer: routing, format negotiation, the envelope, binding, authentication and
//! error mapping. Handlers (in `routes`) stay thin: parse, call the domain, wrap.

pub mod answers;
pub mod binding;
mod console;
pub mod datetime;
pub mod envelope;
pub mod error;
pub mod inputs;
pub mod json;
pub mod list;
pub mod metrics;
pub mod openapi;
pub mod request;
mod routes;
mod typed_ids;
pub mod wire;
pub mod xml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::app::App;
use crate::error::ApiError;
use crate::model::PortalId;
use answers::Rendered;
use envelope::{ErrorReply, Format, RenderContext, Reply};
use list::ListOptions;
use request::RequestInfo;

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/2.0";

/// Sent with every response: the API serves data, never pages to frame, sniff or refer from.
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
];

/// The route template a request matched, for logs and metrics.
#[derive(Clone)]
struct MatchedRoute(Arc<str>);

pub use routes::operations;

/// The whole service. The envelope middleware wraps the router (as the fallback of an outer
/// router) so that it runs before routing and can strip the `.json`/`.xml` suffix.
pub fn router(app: Arc<App>) -> Router {
    let inner = routes::routes()
        .fallback(|| async { ApiError::not_found("Method not found") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed { allow: String::new() } })
        .route_layer(middleware::from_fn(remember_route))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, app.settings.request_timeout))
        .with_state(app.clone());
    Router::new().fallback_service(inner).layer(middleware::from_fn_with_state(app, envelope_middleware))
}

async fn remember_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|m| Arc::<str>::from(m.as_str()));
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    response
}

/// Negotiates the format, resolves the portal, reads the list options, renders the envelope,
/// and logs and counts the request.
async fn envelope_middleware(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let _in_flight = app.metrics.start();
    let method = req.method().clone();
    let is_api = is_api_path(req.uri().path()) || is_portal_file(req.uri().path());
    let mut portal = None;
    let response = if !is_api {
        next.run(req).await
    } else if method == Method::OPTIONS {
        preflight()
    } else {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_string);
        match app.settings.hosts.portal_for(host.as_deref()) {
            None => StatusCode::NOT_FOUND.into_response(),
            Some(id) => {
                portal = Some(id);
                // The request's short reads share one read transaction (SQLite).
                app.store.request_reads(api_request(&app, id, host, req, next)).await
            }
        }
    };
    let mut response = response;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        // The console's pages bring their own policy.
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if is_api {
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        // Images say how they may be kept; API answers may not be.
        if !response.headers().contains_key(header::CACHE_CONTROL) {
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=0"));
        }
    }
    let route = response.extensions().get::<MatchedRoute>().map(|r| r.0.clone());
    let route = route.as_deref().unwrap_or("unmatched");
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    app.metrics.record(method.as_str(), route, status, elapsed);
    let user = response.extensions().get::<UserSlot>().and_then(|slot| slot.0.get().copied());
    tracing::info!(
        target: "portald::request",
        method = %method,
        route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        portal = portal.unwrap_or_default(),
        user = user.map(|u| u.to_string()).unwrap_or_default(),
        "request"
    );
    response
}

/// Carries the caller's id from the extractor to the request log.
#[derive(Clone)]
struct UserSlot(Arc<OnceLock<uuid::Uuid>>);

async fn api_request(app: &Arc<App>, portal: i64, host: Option<String>, mut req: Request, next: Next) -> Response {
    let json_body = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let path = req.uri().path().to_string();
    let (stripped, format) = Format::split_suffix(&path, json_body);
    let stripped = if stripped.len() > 1 { stripped.trim_end_matches('/') } else { stripped };
    let stripped = route_case(stripped);
    if stripped != path {
        let rewritten = match req.uri().query() {
            Some(query) => format!("{stripped}?{query}"),
            None => stripped.to_string(),
        };
        if let Ok(uri) = rewritten.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    let tz = app.settings.time_zone;
    let method = req.method().clone();
    let has_authorization = req.headers().contains_key(header::AUTHORIZATION);
    let list = match ListOptions::from_query(req.uri().query().unwrap_or_default(), tz) {
        Ok(list) => list,
        Err(err) => {
            let list = ListOptions::default();
            let ctx = RenderContext { format, method: &method, list: &list };
            return render(app, err.into_response(), &ctx, host.as_deref(), has_authorization);
        }
    };
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let scheme = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    let base_url = format!("{scheme}://{}", host.as_deref().unwrap_or("localhost"));
    let user = Arc::new(OnceLock::new());
    let list = Arc::new(list);
    let target = req.uri().path_and_query().map_or("", |target| target.as_str()).into();
    let info = RequestInfo {
        portal: PortalId(portal),
        format,
        list: list.clone(),
        base_url: base_url.into(),
        target,
        tz,
        peer: peer.into(),
        user: user.clone(),
    };
    req.extensions_mut().insert(info);
    let mut response = next.run(req).await;
    response.extensions_mut().insert(UserSlot(user));
    let ctx = RenderContext { format, method: &method, list: &list };
    render(app, response, &ctx, host.as_deref(), has_authorization)
}

/// The route table's fixed words: the templates, and each word's spelling by its lower case.
struct RouteWords {
    templates: Vec<Vec<Option<&'static str>>>,
    spelling: HashMap<String, &'static str>,
}

fn route_words() -> &'static RouteWords {
    static WORDS: OnceLock<RouteWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut templates: Vec<Vec<Option<&'static str>>> = operations()
            .iter()
            .map(|op| op.path.split('/').map(|s| (!s.starts_with('{')).then_some(s)).collect())
            .collect();
        templates.dedup();
        let spelling = templates.iter().flatten().flatten().map(|word| (word.to_ascii_lowercase(), *word)).collect();
        RouteWords { templates, spelling }
    })
}

/// The path with its fixed words spelled as the route table spells them (`crm/Contact/filter`
/// is `crm/contact/filter`), since ASP.NET routing ignores their case; the values in it keep
/// theirs. Of the templates a path fits, the one with the most fixed words wins, as a fixed
/// word beats a variable in routing. Most paths are spelled right, and pass after one look-up
/// a segment.
fn route_case(path: &str) -> String {
    let words = route_words();
    let segments: Vec<&str> = path.split('/').collect();
    // A segment with no capital is its own key: no lower-case copy per segment per request.
    let misspelled = segments.iter().any(|s| {
        let key = if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(*s)
        };
        words.spelling.get(key.as_ref()).is_some_and(|spelled| spelled != s)
    });
    if !misspelled {
        return path.to_string();
    }
    let fits = |template: &&Vec<Option<&str>>| {
        template.len() == segments.len()
            && template.iter().zip(&segments).all(|(word, s)| word.is_none_or(|w| w.eq_ignore_ascii_case(s)))
    };
    let best = words.templates.iter().filter(fits).max_by_key(|template| template.iter().flatten().count());
    match best {
        Some(template) => {
            template.iter().zip(&segments).map(|(word, s)| word.unwrap_or(s)).collect::<Vec<_>>().join("/")
        }
        None => path.to_string(),
    }
}

/// Renders the envelope of a handler's reply or error, or of a bare error status from a lower
/// layer (a timeout, say).
fn render(
    app: &App,
    mut response: Response,
    ctx: &RenderContext,
    host: Option<&str>,
    has_authorization: bool,
) -> Response {
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED && has_authorization {
        let realm = format!("Basic Realm=\"{}\"", host.unwrap_or_default().replace('"', ""));
        if let Ok(value) = HeaderValue::from_str(&realm) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
    }
    let rendered = response.extensions_mut().remove::<Reply>().map(|mut reply| {
        let to_keep = reply.take_to_keep();
        (envelope::render_reply(reply, status, ctx), to_keep)
    });
    let (status, error) = match rendered {
        Some((Ok((status, body, content_type)), to_keep)) => {
            if let Some(to_keep) = to_keep.filter(|_| status == StatusCode::OK) {
                app.answers.keep(
                    crate::domain::read_snapshot(&app.store),
                    to_keep,
                    Rendered { body: body.clone(), content_type },
                );
            }
            return envelope::with_body(response, status, body, content_type);
        }
        Some((Err(failure), _)) => {
            tracing::error!(error = %failure, "a result could not be serialised");
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            (status, Some(error::error_for_status(status)))
        }
        None => (status, response.extensions_mut().remove::<ErrorReply>()),
    };
    let error = match error {
        Some(error) => error,
        None if status.is_client_error() || status.is_server_error() => error::error_for_status(status),
        None => return response,
    };
    let (body, content_type) = envelope::render_error(&error, status, ctx);
    envelope::with_body(response, status, body, content_type)
}

/// `OPTIONS api/2.0/...`: the CORS answer of the original.
fn preflight() -> Response {
    (
        StatusCode::OK,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, DELETE"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "origin, authorization, accept, content-type"),
            (header::ACCESS_CONTROL_MAX_AGE, "1728000"),
        ],
    )
        .into_response()
}

/// The original's paths of files a portal serves (photos, their handler, default images): they
/// belong to a portal and are answered like the API, errors in its envelope.
fn is_portal_file(path: &str) -> bool {
    ["/products/", "/skins/", "/storage/"].iter().any(|prefix| {
        path.len() > prefix.len()
            && path.is_char_boundary(prefix.len())
            && path[..prefix.len()].eq_ignore_ascii_case(prefix)
    })
}

fn is_api_path(path: &str) -> bool {
    let prefix = API_PREFIX.len();
    path.len() >= prefix
        && path.is_char_boundary(prefix)
        && path[..prefix].eq_ignore_ascii_case(API_PREFIX)
        && (path.len() == prefix || path[prefix..].starts_with('/'))
}
