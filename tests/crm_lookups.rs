//! The look-ups: the simple filter, by prefix, by contact information and by email, each
//! hiding what the caller may not see.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn contact(server: &TestServer, token: &str, body: Value) -> i64 {
    let path = if body.get("companyName").is_some() { "crm/contact/company" } else { "crm/contact/person" };
    server.call(token, Method::POST, path, body).await.id()
}

fn ids(body: &Value, key: Option<&str>) -> Vec<i64> {
    body["response"].as_array().unwrap().iter().map(|c| key.map_or(c, |k| &c[k])["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn lookups_find_by_name_details_and_email() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let acme = contact(&server, &owner, json!({"companyName": "Acme Rockets", "shareType": 1})).await;
    let ann =
        contact(&server, &owner, json!({"firstName": "Ann", "lastName": "Rocket", "companyId": acme, "shareType": 1}))
            .await;
    let bob = contact(&server, &owner, json!({"firstName": "Bob", "lastName": "Rocketman", "shareType": 1})).await;
    let hidden = contact(&server, &owner, json!({"firstName": "Hidden", "lastName": "Rocket"})).await;
    for (id, detail) in [
        (ann, json!({"infoType": "Email", "data": "ann@acme.example", "isPrimary": true})),
        (bob, json!({"infoType": "Phone", "data": "+1 555 0199", "isPrimary": true, "category": "Mobile"})),
        (hidden, json!({"infoType": "Email", "data": "hidden@acme.example"})),
    ] {
        server.call(&owner, Method::POST, &format!("crm/contact/{id}/data"), detail).await.json_ok();
    }
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;

    let prefix = server.call(&user, Method::GET, "crm/contact/byprefix?prefix=rock", json!({})).await.json_ok();
    assert_eq!(ids(&prefix, None), vec![acme, ann, bob], "by display name, without the hidden one");
    let lone =
        server.call(&user, Method::GET, "crm/contact/byprefix?prefix=rock&searchType=2", json!({})).await.json_ok();
    assert_eq!(ids(&lone, None), vec![bob], "persons without a company");
    assert_eq!(lone["response"][0]["phone"]["data"], "+1 555 0199");
    let everyone =
        server.call(&owner, Method::GET, "crm/contact/byprefix?prefix=rocket&searchType=1", json!({})).await.json_ok();
    assert_eq!(ids(&everyone, None), vec![ann, bob, hidden], "admins see all");

    let by_info = server
        .call(&user, Method::GET, "crm/contact/bycontactinfo?infoType=Email&data=ACME", json!({}))
        .await
        .json_ok();
    assert_eq!(ids(&by_info, None), vec![ann]);
    assert!(by_info["response"][0]["addresses"].is_array(), "single mode");
    let by_phone = server
        .call(&user, Method::GET, "crm/contact/bycontactinfo?infoType=0&category=Mobile&isPrimary=true", json!({}))
        .await
        .json_ok();
    assert_eq!(ids(&by_phone, None), vec![bob]);

    let by_email = server
        .call(&user, Method::GET, "crm/contact/simple/byEmail?term=ann%20rocket%20ann@&maxCount=10", json!({}))
        .await
        .json_ok();
    assert_eq!(ids(&by_email, Some("contact")), vec![ann]);
    let none =
        server.call(&user, Method::GET, "crm/contact/simple/byEmail?term=&maxCount=10", json!({})).await.json_ok();
    assert_eq!(none["response"], json!([]));

    let simple = server
        .call(&user, Method::GET, "crm/contact/simple/filter?filterValue=rocket&count=2", json!({}))
        .await
        .json_ok();
    assert_eq!(simple["total"], 3);
    let first = &simple["response"][0]["contact"];
    assert_eq!(first["id"], acme);
    for absent in ["addresses", "customFields", "contactStatus", "tags"] {
        assert!(first.get(absent).is_none(), "the quick variant has no {absent}");
    }
}

#[tokio::test]
async fn bad_lookup_parameters_are_400() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    for (path, name) in [
        ("crm/contact/byprefix", "prefix"),
        ("crm/contact/byprefix?prefix=a&searchType=7", "searchType"),
        ("crm/contact/bycontactinfo", "infoType"),
        ("crm/contact/bycontactinfo?infoType=Fax", "infoType"),
        ("crm/contact/bycontactinfo?infoType=Email&category=Mobile", "category"),
        ("crm/contact/simple/byEmail?term=a&maxCount=many", "maxCount"),
    ] {
        let answer = server.get(path, &owner).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{path}: {}", answer.text);
    }
}
