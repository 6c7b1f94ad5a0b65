//! What a handler gets: the request's context, its merged parameters, and (for protected
//! routes) the authenticated caller.

use std::sync::{Arc, OnceLock};

use axum::extract::{FromRequest, FromRequestParts, Multipart, RawPathParams, Request};
use axum::http::{header, request::Parts, HeaderMap, Method};
use base64::Engine;
use chrono_tz::Tz;

use super::binding::Params;
use super::envelope::Format;
use super::list::ListOptions;
use crate::app::App;
use crate::domain::{auth, Caller};
use crate::error::{ApiError, ApiResult};

/// Per-request facts the envelope middleware works out before routing.
#[derive(Clone)]
pub struct RequestInfo {
    pub portal: i64,
    pub format: Format,
    pub list: Arc<ListOptions>,
    /// `scheme://host[:port]` of the request, for absolute links.
    pub base_url: Arc<str>,
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

impl FromRequest<Arc<App>> for Anon {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let (info, _headers, params) = read(req, app).await?;
        Ok(Anon { info, params: params? })
    }
}

impl FromRequest<Arc<App>> for Call {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let (info, headers, params) = read(req, app).await?;
        // Authentication comes first, so an anonymous caller learns nothing from a 400.
        let caller = authenticate(app, &info, &headers, params.as_ref().ok()).await?;
        let _ = info.user.set(caller.user.id);
        Ok(Call { caller, info, params: params? })
    }
}

/// Splits the request into its context, headers and parameters (route, query, then body).
async fn read(req: Request, app: &Arc<App>) -> ApiResult<(RequestInfo, HeaderMap, ApiResult<Params>)> {
    let (mut parts, body) = req.into_parts();
    let info = RequestInfo::from_request_parts(&mut parts, app).await?;
    let mut params = Params::new(info.tz);
    if let Ok(route) = RawPathParams::from_request_parts(&mut parts, app).await {
        for (name, value) in &route {
            params.push_route(name, value);
        }
    }
    if let Some(query) = parts.uri.query() {
        params.push_urlencoded(query.as_bytes());
    }
    let media_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    let headers = parts.headers.clone();
    let is_get = parts.method == Method::GET;
    let limit = app.settings.max_body_bytes;
    let bound: ApiResult<Params> = async {
        match media_type.as_str() {
            "multipart/form-data" if !is_get => {
                let req = Request::from_parts(parts, body);
                let mut form =
                    Multipart::from_request(req, app).await.map_err(|e| ApiError::bad_request(e.body_text()))?;
                while let Some(field) = form.next_field().await.map_err(|e| ApiError::bad_request(e.body_text()))? {
                    let Some(name) = field.name().map(str::to_string) else {
                        continue;
                    };
                    if field.file_name().is_some() {
                        continue;
                    }
                    let value = field.text().await.map_err(|e| ApiError::bad_request(e.body_text()))?;
                    params.push_key(&name, value);
                }
            }
            media_type => {
                let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge)?;
                match media_type {
                    "application/json" => params.push_json(&bytes)?,
                    "text/xml" => params.push_xml(&bytes)?,
                    "application/x-www-form-urlencoded" if !is_get => params.push_urlencoded(&bytes),
                    _ => {}
                }
            }
        }
        Ok(params)
    }
    .await;
    Ok((info, headers, bound))
}

/// Finds the caller. Token sources, in the original's order: the `asc_auth_key` query or form
/// field, the `asc_auth_key` cookie, then the `Authorization` header (a raw token, `Bearer`,
/// or `Basic user:password`).
async fn authenticate(
    app: &App,
    info: &RequestInfo,
    headers: &HeaderMap,
    params: Option<&Params>,
) -> ApiResult<Caller> {
    let store = &app.store;
    let from_params = params.and_then(|p| p.raw("asc_auth_key")).filter(|t| !t.is_empty());
    let from_cookie = cookie(headers, "asc_auth_key");
    for token in [from_params, from_cookie.as_deref()].into_iter().flatten() {
        if let Some(caller) = auth::authenticate_token(store, info.portal, token).await? {
            return Ok(caller);
        }
    }
    let Some(authorization) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
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
