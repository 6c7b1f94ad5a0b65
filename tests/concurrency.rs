//! Concurrent clients, and several server processes on one database: no 5xx, nothing lost or
//! duplicated, tokens and logouts shared.

mod common;

use common::{serve_args, spawn, Options, OWNER_EMAIL, OWNER_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn overlapping_contact_merges_lose_nothing_and_duplicate_nothing() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let mut tasks = Vec::new();
    for client in 0..8 {
        let request = server.request(Method::PUT, "people/@self/contacts", Some(&token)).json(&json!({
            "contacts": [{"type": "phone", "value": format!("{client}")}, {"type": "shared", "value": "same"}]
        }));
        tasks.push(tokio::spawn(async move { request.send().await.map(|r| r.status()) }));
    }
    for task in tasks {
        let status = task.await.unwrap().unwrap();
        assert_eq!(status, StatusCode::OK);
    }
    let profile = server.get("people/@self", &token).await.json()["response"].clone();
    let contacts = profile["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 9, "eight phones and one shared entry: {contacts:?}");
    assert_eq!(contacts.iter().filter(|c| c["type"] == "shared").count(), 1);
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let server = spawn().await;
    for path in ["capabilities", "no/route", "people/@self"] {
        let answer = server.send(server.request(Method::GET, path, None)).await;
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(answer.header("x-frame-options"), Some("DENY"));
        assert!(answer.header("content-security-policy").unwrap().contains("default-src 'none'"));
    }
}

/// Two server processes (two pools, as two processes would have) on one database.
#[tokio::test]
async fn two_servers_share_tokens_logouts_and_writes() {
    let first = spawn().await;
    if !common::use_postgres() {
        // Several processes on one database is what PostgreSQL is for; SQLite serves one.
        return;
    }
    let second = portald::app::start(&serve_args(&first.db.url, &Options::default())).await.unwrap();
    let second_url = |path: &str| format!("http://{}/api/2.0/{path}", second.addr);
    let client = reqwest::Client::new();
    let token = first.owner_token().await;
    let me = client.get(second_url("people/@self")).header("Authorization", &token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "a token from one server works on the other");

    let mut tasks = Vec::new();
    for client_id in 0..10 {
        let url =
            if client_id % 2 == 0 { first.url("people/@self/contacts") } else { second_url("people/@self/contacts") };
        let request = client
            .put(url)
            .header("Authorization", &token)
            .json(&json!({"contacts": [{"type": "phone", "value": client_id.to_string()}]}));
        tasks.push(tokio::spawn(async move { request.send().await.map(|r| r.status()) }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::OK);
    }
    let profile = first.get("people/@self", &token).await.json()["response"].clone();
    assert_eq!(profile["contacts"].as_array().unwrap().len(), 10);

    let logout = client.post(second_url("authentication/logout")).header("Authorization", &token).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::CREATED);
    assert_eq!(
        first.get("people/@self", &token).await.status,
        StatusCode::UNAUTHORIZED,
        "a logout on one is honoured by the other"
    );

    // Failed logins are counted in the database, so throttling spans both servers.
    for attempt in 0..portald::domain::auth::ACCOUNT_FAILURE_LIMIT {
        let url = if attempt % 2 == 0 { first.url("authentication") } else { second_url("authentication") };
        let answer =
            client.post(url).form(&[("userName", OWNER_EMAIL), ("password", "wrong-wrong")]).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let answer = client
        .post(second_url("authentication"))
        .form(&[("userName", OWNER_EMAIL), ("password", OWNER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    second.shutdown().await.unwrap();
}
