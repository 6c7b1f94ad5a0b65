//! The web console as files (served at `/` and `/console/...`, compressed, revalidated) and
//! the rule that protects the cookie it signs in with: a call that changes data and is
//! authenticated by the `asc_auth_key` cookie must carry the session's CSRF token.

mod common;

use common::{spawn, OWNER_EMAIL, OWNER_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The first visit's budget: the page and everything it loads, compressed.
const FIRST_VISIT_BUDGET: usize = 150 * 1024;

#[tokio::test]
async fn the_page_is_served_at_the_root_with_its_type_tag_and_policy() {
    let server = spawn().await;
    let answer = server.send(server.client.get(format!("{}/", server.base))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(answer.text.contains("/console/app.js"), "{}", answer.text);
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
    let csp = answer.header("content-security-policy").expect("a policy");
    assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe"), "{csp}");
    let etag = answer.header("etag").expect("an ETag").to_string();

    let again = server.send(server.client.get(format!("{}/", server.base)).header("If-None-Match", &etag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.text.is_empty());

    let script = server.send(server.client.get(format!("{}/console/app.js", server.base))).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(script.header("content-type"), Some("text/javascript; charset=utf-8"));
    let style = server.send(server.client.get(format!("{}/console/style.css", server.base))).await;
    assert_eq!(style.header("content-type"), Some("text/css; charset=utf-8"));

    let missing = server.send(server.client.get(format!("{}/console/nothing.js", server.base))).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let api = server.get("people/@self", &server.owner_token().await).await;
    assert_eq!(
        api.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'"),
        "the API keeps its own policy"
    );
}

/// The files a page or script loads from the console: `href`/`src` in the page, `from './x.js'`
/// in scripts.
fn references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["href=\"/console/", "src=\"/console/", "from './"] {
        for (at, _) in text.match_indices(marker) {
            let rest = &text[at + marker.len()..];
            if let Some(end) = rest.find(['"', '\'']) {
                found.push(rest[..end].to_string());
            }
        }
    }
    found
}

#[tokio::test]
async fn the_first_visit_transfers_at_most_150_kb_compressed() {
    let server = spawn().await;
    let fetch = |path: String| {
        let request = server.client.get(format!("{}{path}", server.base)).header("Accept-Encoding", "gzip, br");
        server.send(request)
    };
    let page = fetch("/".into()).await;
    assert_eq!(page.header("content-encoding"), Some("gzip"));
    let mut total = page.headers["content-length"].to_str().unwrap().parse::<usize>().unwrap();
    let plain = server.send(server.client.get(format!("{}/", server.base))).await.text;
    let mut queue = references(&plain);
    let mut seen = std::collections::HashSet::new();
    while let Some(file) = queue.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let answer = fetch(format!("/console/{file}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{file}");
        assert_eq!(answer.header("content-encoding"), Some("gzip"), "{file}");
        total += answer.headers["content-length"].to_str().unwrap().parse::<usize>().unwrap();
        let source = server.send(server.client.get(format!("{}/console/{file}", server.base))).await.text;
        queue.extend(references(&source));
    }
    assert!(seen.len() >= 8, "every module is loaded: {seen:?}");
    println!("first visit: {} files, {total} bytes compressed", seen.len() + 1);
    assert!(total <= FIRST_VISIT_BUDGET, "the first visit transfers {total} bytes compressed");
}

/// Signs in with a form, as the console does; returns the session and CSRF cookies.
async fn sign_in(server: &common::TestServer) -> (String, String) {
    let answer = server
        .call_with(None, Method::POST, "authentication", json!({"userName": OWNER_EMAIL, "password": OWNER_PASSWORD}))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let cookies: Vec<&str> = answer.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    let value = |name: &str| {
        let cookie = cookies.iter().find(|c| c.starts_with(&format!("{name}="))).expect(name);
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        cookie.split(';').next().unwrap()[name.len() + 1..].to_string()
    };
    let csrf = cookies.iter().find(|c| c.starts_with("portald_csrf=")).unwrap();
    assert!(!csrf.contains("HttpOnly"), "the page reads the CSRF token: {csrf}");
    (value("asc_auth_key"), value("portald_csrf"))
}

#[tokio::test]
async fn a_change_authenticated_by_the_cookie_needs_the_csrf_token() {
    let server = spawn().await;
    let (session, csrf) = sign_in(&server).await;
    let cookie = format!("asc_auth_key={session}");
    let person = json!({"firstName": "Forged", "lastName": "Request"});
    let with_cookie = |method: Method, path: &str| server.request(method, path, None).header("Cookie", &cookie);

    let read = server.send(with_cookie(Method::GET, "crm/contact/filter")).await;
    assert_eq!(read.status, StatusCode::OK, "reading needs no token");

    for token in [None, Some("wrong"), Some("")] {
        let mut request = with_cookie(Method::POST, "crm/contact/person").json(&person);
        if let Some(token) = token {
            request = request.header("X-CSRF-Token", token);
        }
        let refused = server.send(request).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}: {}", refused.text);
        let message = refused.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("X-CSRF-Token"), "{message}");
    }
    let owner = server.owner_token().await;
    assert_eq!(server.get("crm/contact/filter", &owner).await.json_ok()["total"], 0, "nothing was written");

    let made =
        server.send(with_cookie(Method::POST, "crm/contact/person").header("X-CSRF-Token", &csrf).json(&person)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.id();
    for method in [Method::PUT, Method::DELETE] {
        let path = if method == Method::PUT { "crm/contact".to_string() } else { format!("crm/contact/{id}") };
        let refused = server.send(with_cookie(method.clone(), &path).json(&json!({"contactids": [id]}))).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{method}");
    }

    // A header the caller set is no forgery: it is used, and the cookie beside it ignored.
    let by_header =
        server.send(with_cookie(Method::DELETE, &format!("crm/contact/{id}")).header("Authorization", &owner)).await;
    assert_eq!(by_header.status, StatusCode::OK, "{}", by_header.text);

    let out = server.send(with_cookie(Method::POST, "authentication/logout")).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN, "signing out is a change too");
    let out = server.send(with_cookie(Method::POST, "authentication/logout").header("X-CSRF-Token", &csrf)).await;
    assert_eq!(out.status, StatusCode::CREATED);
    let cleared: Vec<&str> = out.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cleared.iter().any(|c| c.starts_with("asc_auth_key=;") && c.contains("Max-Age=0")), "{cleared:?}");
    assert!(cleared.iter().any(|c| c.starts_with("portald_csrf=;") && c.contains("Max-Age=0")), "{cleared:?}");
    assert_eq!(server.send(with_cookie(Method::GET, "people/@self")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cookies_set_over_https_are_secure() {
    let server = spawn().await;
    let answer = server
        .send(
            server
                .request(Method::POST, "authentication", None)
                .header("X-Forwarded-Proto", "https")
                .form(&[("userName", OWNER_EMAIL), ("password", OWNER_PASSWORD)]),
        )
        .await;
    let cookies: Vec<&str> = answer.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies.len(), 2);
    assert!(cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");
}
