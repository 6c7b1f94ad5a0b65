//! The web console: a page of ES modules and CSS, embedded in the binary and served at `/` and
//! `/console/...`. It talks only to the public API; nothing here knows about contacts.

use std::io::Write;
use std::sync::{Arc, OnceLock};

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};

use crate::app::App;

/// The console's files: name below `/console/`, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../../console/index.html")),
    ("style.css", "text/css; charset=utf-8", include_bytes!("../../console/style.css")),
    ("app.js", JS, include_bytes!("../../console/app.js")),
    ("api.js", JS, include_bytes!("../../console/api.js")),
    ("ui.js", JS, include_bytes!("../../console/ui.js")),
    ("contacts.js", JS, include_bytes!("../../console/contacts.js")),
    ("contact.js", JS, include_bytes!("../../console/contact.js")),
    ("people.js", JS, include_bytes!("../../console/people.js")),
    ("projects.js", JS, include_bytes!("../../console/projects.js")),
    ("settings.js", JS, include_bytes!("../../console/settings.js")),
    ("transfer.js", JS, include_bytes!("../../console/transfer.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../console/favicon.svg")),
];

const JS: &str = "text/javascript; charset=utf-8";

/// Scripts, styles and calls from this origin only; the API serves the data.
const CONSOLE_CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// A file ready to serve: its bytes plain and gzipped, and its ETag.
struct Asset {
    content_type: &'static str,
    plain: &'static [u8],
    gzip: Vec<u8>,
    etag: HeaderValue,
}

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, content_type, plain)| {
                let digest = Sha256::digest(plain);
                let tag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                Asset {
                    content_type,
                    plain,
                    gzip: gzip(plain),
                    etag: HeaderValue::from_str(&format!("\"{tag}\"")).expect("hex is a valid header"),
                }
            })
            .collect()
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// `GET /` (the page) and `GET /console/{file}`.
pub fn router() -> Router<Arc<App>> {
    Router::new().route("/", get(|headers: HeaderMap| async move { serve("index.html", &headers) })).route(
        "/console/{file}",
        get(|Path(file): Path<String>, headers: HeaderMap| async move { serve(&file, &headers) }),
    )
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(index) = FILES.iter().position(|(file, _, _)| *file == name) else {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Not found")
            .into_response();
    };
    let asset = &assets()[index];
    let mut response = if headers.get(header::IF_NONE_MATCH).is_some_and(|tag| tag == asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip(headers) {
        let mut response = asset.gzip.clone().into_response();
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        asset.plain.into_response()
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    out.insert(header::ETAG, asset.etag.clone());
    // Kept, but checked on every visit: a new binary brings new files under the same names.
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONSOLE_CSP));
    response
}

/// Whether `Accept-Encoding` takes gzip (by name or `*`) with a weight above zero.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let weight = parts.find_map(|p| p.strip_prefix("q=")).map_or(Some(1.0), |q| q.parse::<f32>().ok());
            (name.eq_ignore_ascii_case("gzip") || name == "*") && weight.is_some_and(|w| w > 0.0)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_sent_only_when_accepted() {
        let accepts = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, value.parse().unwrap());
            accepts_gzip(&headers)
        };
        assert!(accepts("gzip, deflate, br"));
        assert!(accepts("br;q=1.0, GZIP;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
