//! `GET people/@self`: the caller's full profile (EmployeeWraperFull), its fields, their types
//! and order, in JSON and XML, in the portal's time zone.

mod common;

use common::{spawn, spawn_with, Options, Role};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn the_owner_profile_has_every_documented_field() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let answer = server.get("people/@self.json", &token).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    insta::assert_json_snapshot!("owner_profile", body, {
        ".response.id" => "[guid]",
        ".response.workFrom" => "[date]",
        ".response.profileUrl" => "[url]",
    });
    let profile = &body["response"];
    assert!(uuid::Uuid::parse_str(profile["id"].as_str().unwrap()).is_ok());
    assert_eq!(profile["id"].as_str().unwrap(), profile["id"].as_str().unwrap().to_lowercase());
    assert!(profile["profileUrl"].as_str().unwrap().ends_with("/Products/People/Profile.aspx?user=owner"));
}

#[tokio::test]
async fn the_xml_profile_is_the_same_value() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let json = server.get("people/@self.json", &token).await.json();
    let xml = server.get("people/@self.xml", &token).await;
    assert_eq!(xml.header("content-type"), Some("text/xml; charset=UTF-8"));
    let id = json["response"]["id"].as_str().unwrap();
    assert!(xml.text.contains(&format!("<id>{id}</id>")));
    assert!(xml.text.contains("<isOwner>true</isOwner>"));
    assert!(xml.text.contains("<terminated />"));
    assert!(xml
        .text
        .contains("<listAdminModules>people</listAdminModules><listAdminModules>projects</listAdminModules>"));
    // Every JSON key of the profile appears as an element, in the same order.
    let mut at = 0;
    for key in json["response"].as_object().unwrap().keys() {
        let found = xml.text[at..].find(&format!("<{key}")).unwrap_or_else(|| panic!("{key} missing or out of order"));
        at += found;
    }
}

#[tokio::test]
async fn roles_show_in_the_profile() {
    let server = spawn().await;
    for (name, role) in [("ann", Role::Admin), ("ben", Role::User), ("gus", Role::Guest)] {
        let (id, email, password) = server.add_user(name, role).await;
        let token = server.login(&email, &password).await;
        let profile = server.get("people/@self", &token).await.json()["response"].clone();
        assert_eq!(profile["id"], id.to_string());
        assert_eq!(profile["userName"], name);
        assert_eq!(profile["email"], email, "everyone sees his own email");
        assert_eq!(profile["isAdmin"], role == Role::Admin);
        assert_eq!(profile["isVisitor"], role == Role::Guest);
        assert_eq!(profile["isOwner"], false);
        assert_eq!(profile["displayName"], format!("{name} Tester"));
        assert_eq!(profile.get("listAdminModules").is_some(), role == Role::Admin);
        assert!(profile["status"].is_i64() && profile["activationStatus"].is_i64());
    }
}

#[tokio::test]
async fn dates_are_shown_in_the_portal_time_zone() {
    let server = spawn_with(Options { time_zone: "Europe/Moscow", ..Options::default() }).await;
    let token = server.owner_token().await;
    let profile = server.get("people/@self", &token).await.json()["response"].clone();
    let work_from = profile["workFrom"].as_str().unwrap();
    assert!(work_from.ends_with("+03:00"), "{work_from}");
    let login = server
        .form(
            None,
            reqwest::Method::POST,
            "authentication",
            &[("userName", common::OWNER_EMAIL), ("password", common::OWNER_PASSWORD)],
        )
        .await
        .json();
    assert!(login["response"]["expires"].as_str().unwrap().ends_with("+03:00"));
}

#[tokio::test]
async fn display_names_are_html_encoded() {
    let server = spawn().await;
    let draft = portald::domain::people::UserDraft {
        email: "tom@example.com".into(),
        first_name: "Tom & <Jerry>".into(),
        last_name: "O'Neil".into(),
        password: Some("tom-password".into()),
        is_admin: false,
        is_visitor: false,
        activated: true,
    };
    portald::domain::people::create_user(server.store(), 1, draft).await.unwrap();
    let token = server.login("tom", "tom-password").await;
    let body: Value = server.get("people/@self", &token).await.json();
    assert_eq!(body["response"]["displayName"], "Tom &amp; &lt;Jerry&gt; O&#39;Neil");
    assert_eq!(body["response"]["firstName"], "Tom & <Jerry>");
}
