//! What a handler gets: the request's context, its merged parameters, and (for protected
//! routes) the authenticated caller.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Multipart, RawPathParams, Request};
use axum::http::{header, request::Parts, HeaderMap, Method};
use base64::Engine;
use chrono_tz::Tz;

use super::binding::{Params, UploadedFile};
use super::envelope::Format;
use super::list::ListOptions;
use crate::app::App;
use crate::domain::{auth, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::PortalId;

/// Per-request facts the envelope middleware works out before routing.
#[derive(Clone)]
pub struct RequestInfo {
    pub portal: PortalId,
    pub format: Format,
    pub list: Arc<ListOptions>,
    /// `scheme://host[:port]` of the request, for absolute links.
    pub base_url: Arc<str>,
    /// The path (its format suffix taken off) and query the request asked for.
    pub target: Arc<str>,
    pub tz: Tz,
    /// The client's address, for throttling.
    pub peer: Arc<str>,
    /// Filled in once the caller is known, for the request log.
    pub user: Arc<OnceLock<uuid::Uuid>>,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestInfo {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<RequestInfo>().cloned().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("request info missing: route outside the API middleware"))
        })
    }
}

/// An anonymous call: context and parameters.
pub struct Anon {
    pub info: RequestInfo,
    pub params: Params,
}

/// An authenticated call.
pub struct Call {
    pub caller: Caller,
    pub info: RequestInfo,
    pub params: Params,
}

/// Largest body a request without credentials may send: a login's is a few hundred bytes, and
/// a body is read and parsed before anything is known about who sent it.
pub const ANONYMOUS_BODY_LIMIT: usize = 64 * 1024;

impl FromRequest<Arc<App>> for Anon {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let (info, params) = read_head(&mut parts, app).await?;
        let limit = app.settings.max_body_bytes.min(ANONYMOUS_BODY_LIMIT);
        let params = read_body(parts, body, params, app, limit).await?;
        Ok(Anon { info, params })
    }
}

impl FromRequest<Arc<App>> for Call {
    type Rejection = ApiError;

    /// Authenticates before the body is read, so a caller without credentials cannot make the
    /// server read or parse a body, and learns nothing from a 400. Only a form may carry the
    /// token itself (`asc_auth_key`, as in the original), so only a form is read first: an
    /// urlencoded one is searched for the token before it is parsed into parameters; a
    /// multipart one (at most axum's 2 MB) is parsed to find it.
    async fn from_request(req: Request, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let (info, params) = read_head(&mut parts, app).await?;
        let limit = app.settings.max_body_bytes;
        let is_form = parts.method != Method::GET;
        let (caller, params) = match authenticate(app, &info, &parts, &params).await {
            Ok(caller) => (caller, read_body(parts, body, params, app, limit).await),
            Err(ApiError::Unauthorized) if is_form && media_type(&parts) == URLENCODED => {
                let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::Unauthorized)?;
                let token = form_urlencoded::parse(&bytes).find(|(key, _)| key.eq_ignore_ascii_case(TOKEN_FIELD));
                let caller = form_token_caller(app, &info, token.as_ref().map(|(_, value)| value.as_ref())).await?;
                (caller, BodyKind::Form.parse(params, bytes).await)
            }
            Err(ApiError::Unauthorized) if is_form && media_type(&parts) == MULTIPART => {
                let params = read_body(parts, body, params, app, limit).await.map_err(|_| ApiError::Unauthorized)?;
                (form_token_caller(app, &info, params.raw(TOKEN_FIELD)).await?, Ok(params))
            }
            Err(err) => return Err(err),
        };
        let _ = info.user.set(caller.user.id.0);
        Ok(Call { caller, info, params: params? })
    }
}

/// The caller of the token found in a form, the last source tried.
async fn form_token_caller(app: &App, info: &RequestInfo, token: Option<&str>) -> ApiResult<Caller> {
    let token = token.filter(|t| !t.is_empty()).ok_or(ApiError::Unauthorized)?;
    auth::authenticate_token(&app.store, info.portal, token).await?.ok_or(ApiError::Unauthorized)
}

/// The field, query parameter and cookie a token may come in.
const TOKEN_FIELD: &str = "asc_auth_key";
const URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// The request's context and the parameters of its route and query string.
async fn read_head(parts: &mut Parts, app: &Arc<App>) -> ApiResult<(RequestInfo, Params)> {
    let info = RequestInfo::from_request_parts(parts, app).await?;
    let mut params = Params::new(info.tz);
    if let Ok(route) = RawPathParams::from_request_parts(parts, app).await {
        for (name, value) in &route {
            params.push_route(name, value);
        }
    }
    if let Some(query) = parts.uri.query() {
        params.push_urlencoded(query.as_bytes());
    }
    Ok((info, params))
}

/// The media type of the body, lower-cased, without parameters.
fn media_type(parts: &Parts) -> String {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Adds the parameters of the body (at most `limit` bytes, else 413) to `params`.
async fn read_body(parts: Parts, body: Body, mut params: Params, app: &Arc<App>, limit: usize) -> ApiResult<Params> {
    let media_type = media_type(&parts);
    let is_get = parts.method == Method::GET;
    match media_type.as_str() {
        MULTIPART if !is_get => {
            // axum's own limit for multipart bodies (2 MB) applies.
            let req = Request::from_parts(parts, body);
            let mut form = Multipart::from_request(req, app).await.map_err(|e| ApiError::bad_request(e.body_text()))?;
            while let Some(field) = form.next_field().await.map_err(multipart_error)? {
                let Some(name) = field.name().map(str::to_string) else {
                    continue;
                };
                if let Some(file_name) = field.file_name().map(str::to_string) {
                    let bytes = field.bytes().await.map_err(multipart_error)?;
                    params.push_file(UploadedFile { field: name, file_name, bytes });
                    continue;
                }
                let value = field.text().await.map_err(multipart_error)?;
                params.push_key(&name, value);
            }
        }
        media_type => {
            let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge)?;
            let kind = match media_type {
                "application/json" => BodyKind::Json,
                "text/xml" => BodyKind::Xml,
                URLENCODED if !is_get => BodyKind::Form,
                _ => return Ok(params),
            };
            params = kind.parse(params, bytes).await?;
        }
    }
    Ok(params)
}

/// A form over the multipart limit is a 413, as any body over its limit; a malformed one a 400.
fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::bad_request(error.body_text())
    }
}

/// Bodies up to this size are parsed where they are read: a hop to a blocking thread would cost
/// more than the parse.
const PARSE_IN_PLACE_BYTES: usize = 64 * 1024;

/// The body formats parsed into parameters.
#[derive(Clone, Copy)]
enum BodyKind {
    Json,
    Xml,
    Form,
}

impl BodyKind {
    /// Adds the body's parameters to `params`. Parsing megabytes takes a while, so a body over
    /// [`PARSE_IN_PLACE_BYTES`] is parsed off the async workers: the other requests keep being
    /// served, and the time limit can answer for this one.
    async fn parse(self, mut params: Params, bytes: axum::body::Bytes) -> ApiResult<Params> {
        if bytes.len() <= PARSE_IN_PLACE_BYTES {
            self.parse_into(&mut params, &bytes)?;
            return Ok(params);
        }
        tokio::task::spawn_blocking(move || self.parse_into(&mut params, &bytes).map(|()| params))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
    }

    fn parse_into(self, params: &mut Params, bytes: &[u8]) -> ApiResult<()> {
        match self {
            BodyKind::Json => params.push_json(bytes),
            BodyKind::Xml => params.push_xml(bytes),
            BodyKind::Form => {
                params.push_urlencoded(bytes);
                Ok(())
            }
        }
    }
}

/// Finds the caller from what comes before the body. Token sources, in the original's order:
/// the `asc_auth_key` query parameter, the `asc_auth_key` cookie (for a change, with its CSRF
/// token), then the `Authorization` header (a raw token, `Bearer`, or `Basic user:password`).
async fn authenticate(app: &App, info: &RequestInfo, parts: &Parts, params: &Params) -> ApiResult<Caller> {
    let store = &app.store;
    let headers = &parts.headers;
    if let Some(token) = params.raw(TOKEN_FIELD).filter(|t| !t.is_empty()) {
        if let Some(caller) = auth::authenticate_token(store, info.portal, token).await? {
            return Ok(caller);
        }
    }
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(token) = cookie(headers, TOKEN_FIELD) {
        if let Some(caller) = auth::authenticate_token(store, info.portal, &token).await? {
            match csrf_check(parts, &token) {
                Ok(()) => return Ok(caller),
                // A browser sends the cookie with every request; a header the page set itself
                // is no forgery, so it is used instead.
                Err(_) if authorization.is_some() => {}
                Err(refusal) => return Err(refusal),
            }
        }
    }
    let Some(authorization) = authorization else {
        return Err(ApiError::Unauthorized);
    };
    let authorization = authorization.trim();
    if let Some(encoded) = authorization.strip_prefix("Basic ") {
        let (login, password) = basic_credentials(encoded).ok_or(ApiError::Unauthorized)?;
        return match auth::authenticate_basic(store, info.portal, &login, &password, &info.peer).await {
            Err(ApiError::LoginFailed) => Err(ApiError::Unauthorized),
            other => other,
        };
    }
    let token = authorization.strip_prefix("Bearer ").unwrap_or(authorization).trim();
    if token.is_empty() {
        return Err(ApiError::Unauthorized);
    }
    auth::authenticate_token(store, info.portal, token).await?.ok_or(ApiError::Unauthorized)
}

/// The header a state-changing call authenticated by the cookie must carry.
const CSRF_HEADER: &str = "x-csrf-token";

/// A page on another site can make the browser send the cookie, but cannot read it, nor the
/// CSRF token derived from it: a call that changes something and came with the cookie must
/// also bring that token in [`CSRF_HEADER`].
fn csrf_check(parts: &Parts, token: &str) -> ApiResult<()> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if auth::csrf_matches(token, presented) {
        return Ok(());
    }
    Err(ApiError::forbidden(
        "CSRF check failed: a request authenticated by the asc_auth_key cookie that changes data must send the \
         X-CSRF-Token header with the value of the portald_csrf cookie",
    ))
}

/// Decodes `base64(user:password)`; text after a comma is ignored, as in the original.
fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    let encoded = encoded.split(',').next()?.trim();
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':')?;
    Some((login.to_string(), password.to_string()))
}

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_decode() {
        let encoded = base64::engine::general_purpose::STANDARD.encode("a@b.c:pa:ss");
        assert_eq!(basic_credentials(&encoded), Some(("a@b.c".into(), "pa:ss".into())));
        assert_eq!(basic_credentials(&format!("{encoded}, realm")), Some(("a@b.c".into(), "pa:ss".into())));
        assert_eq!(basic_credentials("!!"), None);
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; asc_auth_key=tok ; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, "asc_auth_key").as_deref(), Some("tok"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
