//! Reading people: lists, the filter with paging, searches, look-ups by id, user name, email
//! and `@self`, and what guests may not see.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Adds users whose first names sort as given; returns their ids.
async fn crew(server: &TestServer) -> Vec<String> {
    let mut ids = Vec::new();
    for (name, role) in [("alice", Role::User), ("bruno", Role::Admin), ("carla", Role::User), ("dmitri", Role::Guest)]
    {
        ids.push(server.add_user(name, role).await.0.to_string());
    }
    ids
}

fn names(body: &Value) -> Vec<String> {
    body["response"].as_array().unwrap().iter().map(|p| p["userName"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn people_lists_active_users_with_full_profiles() {
    let server = spawn().await;
    crew(&server).await;
    let token = server.owner_token().await;
    let body = server.get("people", &token).await.json();
    assert_eq!(body["count"], 5);
    assert!(body.get("total").is_none(), "a short list has no total");
    let mut listed = names(&body);
    listed.sort();
    assert_eq!(listed, ["alice", "bruno", "carla", "dmitri", "owner"]);
    for person in body["response"].as_array().unwrap() {
        for key in [
            "id",
            "userName",
            "isVisitor",
            "firstName",
            "lastName",
            "email",
            "status",
            "activationStatus",
            "displayName",
            "avatar",
            "isAdmin",
            "isOwner",
            "profileUrl",
        ] {
            assert!(person.get(key).is_some(), "{key} missing in {person}");
        }
    }
    let xml = server.get("people.xml", &token).await;
    assert_eq!(xml.text.matches("<response>").count(), 5, "one <response> sibling per person");
}

#[tokio::test]
async fn generic_paging_sorting_and_filtering_apply_to_people() {
    let server = spawn().await;
    crew(&server).await;
    let token = server.owner_token().await;
    let body = server.get("people?sortBy=firstName&count=2&startIndex=1", &token).await.json();
    assert_eq!(names(&body), ["bruno", "carla"]);
    assert_eq!(body["count"], 2);
    assert_eq!(body["startIndex"], 1);
    assert_eq!(body["total"], 5);
    assert_eq!(body["nextIndex"], 4);
    let body = server
        .get(
            "people?sortBy=firstName&sortOrder=descending&filterBy=userName&filterOp=startsWith&filterValue=a,c",
            &token,
        )
        .await
        .json();
    assert_eq!(names(&body), ["carla", "alice"]);
}

#[tokio::test]
async fn the_filter_pages_in_the_method_and_reports_the_total() {
    let server = spawn().await;
    crew(&server).await;
    let token = server.owner_token().await;
    let body = server.get("people/filter?sortBy=firstname&count=2", &token).await.json();
    assert_eq!(names(&body), ["alice", "bruno"]);
    assert_eq!(body["total"], 5);
    assert_eq!(body["nextIndex"], 3);
    let body = server.get("people/filter?employeeType=Visitor", &token).await.json();
    assert_eq!(names(&body), ["dmitri"]);
    let body = server.get("people/filter?employeeType=2", &token).await.json();
    assert_eq!(names(&body), ["dmitri"], "enums by number too");
    let body = server.get("people/filter?isAdministrator=true&sortBy=firstname", &token).await.json();
    assert_eq!(names(&body), ["bruno", "owner"]);
    let body = server.get("people/filter?filterValue=carl%20tester", &token).await.json();
    assert_eq!(names(&body), ["carla"], "every word must match");
    let body = server.get("people/simple/filter?sortBy=lastname&sortOrder=descending&count=1", &token).await.json();
    let first = &body["response"][0];
    let keys = common::shapes::keys(first);
    assert_eq!(keys, ["id", "displayName", "avatarSmall", "profileUrl"], "the short profile");
    for (query, name) in [
        ("employeeStatus=Nope", "employeeStatus"),
        ("groupId=xyz", "groupId"),
        ("isAdministrator=1", "isAdministrator"),
        ("employeeType=9", "employeeType"),
    ] {
        let answer = server.get(&format!("people/filter?{query}"), &token).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name));
    }
}

#[tokio::test]
async fn searches_match_words_and_text() {
    let server = spawn().await;
    crew(&server).await;
    let token = server.owner_token().await;
    assert_eq!(names(&server.get("people/search?query=ALI", &token).await.json()), ["alice"]);
    assert_eq!(names(&server.get("people/@search/bru%20tester", &token).await.json()), ["bruno"]);
    assert_eq!(
        server.get("people/search?query=a", &token).await.json()["response"],
        serde_json::json!([]),
        "one-letter words never match"
    );
    assert_eq!(names(&server.get("people/status/1/search?query=dmit", &token).await.json()), ["dmitri"]);
    assert_eq!(server.get("people/search", &token).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_user_is_found_by_id_user_name_email_or_self() {
    let server = spawn().await;
    let ids = crew(&server).await;
    let token = server.owner_token().await;
    for key in [
        ids[0].clone(),
        ids[0].to_uppercase(),
        "alice".into(),
        "ALICE".into(),
        "alice@example.com".into(),
        ids[0].replace('-', ""),
    ] {
        let answer = server.get(&format!("people/{key}"), &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{key}");
        assert_eq!(answer.json()["response"]["id"], ids[0]);
    }
    let me = server.get("people/@self", &token).await.json();
    let also_me = server.get("people/@SELF.json", &token).await.json();
    assert_eq!(me, also_me);
    assert_eq!(server.get("people/nobody", &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(server.get("people/00000000-0000-0000-0000-000000000001", &token).await.status, StatusCode::NOT_FOUND);
    let by_email = server.get("people/email?email=CARLA@example.com", &token).await;
    assert_eq!(by_email.json()["response"]["userName"], "carla");
    assert_eq!(server.get("people/email?email=x@y.z", &token).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn guests_do_not_see_other_users_private_data() {
    let server = spawn().await;
    crew(&server).await;
    let owner = server.owner_token().await;
    let answer = server
        .form(
            Some(&owner),
            Method::POST,
            "people/alice/contacts",
            &[("contacts[0][type]", "skype"), ("contacts[0][value]", "alice.s")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let guest = server.login("dmitri@example.com", "dmitri-password").await;
    let alice = server.get("people/alice", &guest).await.json()["response"].clone();
    assert_eq!(alice["email"], Value::Null);
    assert!(alice.get("contacts").is_none());
    let own = server.get("people/@self", &guest).await.json()["response"].clone();
    assert_eq!(own["email"], "dmitri@example.com", "a guest sees his own");
    let user = server.login("carla@example.com", "carla-password").await;
    let alice = server.get("people/alice", &user).await.json()["response"].clone();
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(alice["contacts"], serde_json::json!([{"type": "skype", "value": "alice.s"}]));
}
