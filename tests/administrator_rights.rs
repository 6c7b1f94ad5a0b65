//! `settings/security/administrator`: the owner or an administrator makes a user an
//! administrator of the portal, or takes the rights away, and the user's next request has them
//! (or not). The owner keeps his rights, a guest cannot get them, and a product other than the
//! portal, CRM, People or Projects is refused.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};
use uuid::Uuid;

const PORTAL: &str = "00000000-0000-0000-0000-000000000000";
const CRM: &str = "6743007c-6f95-4d20-8c88-a8601ce5e76d";
const DOCUMENTS: &str = "e67be73d-f9ae-4ce1-8fec-1880cb518cb4";

async fn admin_rows(url: &str, id: Uuid) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.expect("database");
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM admins WHERE user_id = $1")
        .bind(id.to_string())
        .fetch_one(&mut conn)
        .await
        .expect("count")
        .get(0);
    conn.close().await.expect("closed");
    count
}

async fn set(server: &TestServer, token: &str, product: &str, user: Uuid, administrator: bool) -> common::Answer {
    let body = json!({"productid": product, "userid": user, "administrator": administrator});
    server.call(token, Method::PUT, "settings/security/administrator", &body).await
}

/// Whether a user can create a group, which only administrators may.
async fn can_create_group(server: &TestServer, token: &str, name: &str) -> bool {
    let answer = server.call(token, Method::POST, "group", &json!({"groupName": name})).await;
    match answer.status {
        StatusCode::CREATED => true,
        StatusCode::FORBIDDEN => false,
        other => panic!("unexpected {other}: {}", answer.text),
    }
}

fn admin_ids(answer: &Value) -> Vec<String> {
    let mut ids: Vec<String> = answer["response"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|u| u["id"].as_str().expect("an id").to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn an_administrator_grants_and_takes_away_rights_which_apply_on_the_next_request() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let owner_id = server.get("people/@self", &owner).await.json_ok()["response"]["id"].as_str().unwrap().to_string();
    let (user, user_token) = server.add_user_and_login("ulrich", Role::User).await;
    assert!(!can_create_group(&server, &user_token, "Before").await, "a user is no administrator yet");

    let answer = set(&server, &owner, PORTAL, user, true).await.json_ok();
    assert_eq!(
        answer["response"],
        json!({"productId": PORTAL, "userId": user.to_string(), "administrator": true}),
        "the original's answer"
    );
    assert_eq!(admin_rows(&server.db.url, user).await, 1);
    assert!(can_create_group(&server, &user_token, "While admin").await, "the same token has the rights now");

    let query = format!("settings/security/administrator?productid={CRM}&userid={user}");
    let answer = server.get(&query, &owner).await.json_ok();
    assert_eq!(answer["response"], json!({"productId": CRM, "userId": user.to_string(), "administrator": true}));
    let xml = server.get(&format!("settings/security/administrator.xml?productid={CRM}&userid={user}"), &owner).await;
    assert!(xml.text.contains("<administrator>true</administrator>"), "{}", xml.text);

    let list = server.get(&format!("settings/security/administrator/{PORTAL}"), &user_token).await.json_ok();
    let mut expected = vec![owner_id, user.to_string()];
    expected.sort();
    assert_eq!(admin_ids(&list), expected, "the owner and the new administrator");
    assert!(list["response"][0]["displayName"].is_string(), "short profiles: {list}");

    // The new administrator takes his own rights away; his next request is a user's again.
    let answer = set(&server, &user_token, CRM, user, false).await.json_ok();
    assert_eq!(answer["response"]["administrator"], json!(false));
    assert_eq!(admin_rows(&server.db.url, user).await, 0);
    assert!(!can_create_group(&server, &user_token, "After").await, "the rights are gone");
    let answer = server.get(&query, &user_token).await.json_ok();
    assert_eq!(answer["response"]["administrator"], json!(false));
    server.stop().await;
}

#[tokio::test]
async fn users_cannot_grant_rights_the_owner_keeps_his_and_guests_get_none() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let owner_id: Uuid =
        server.get("people/@self", &owner).await.json_ok()["response"]["id"].as_str().unwrap().parse().unwrap();
    let (admin, admin_token) = server.add_user_and_login("adele", Role::Admin).await;
    let (user, user_token) = server.add_user_and_login("ulrich", Role::User).await;
    let (guest, guest_token) = server.add_user_and_login("gwen", Role::Guest).await;

    for token in [&user_token, &guest_token] {
        let answer = set(&server, token, PORTAL, user, true).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    }
    assert_eq!(admin_rows(&server.db.url, user).await, 0, "a refused call changes nothing");

    let answer = set(&server, &admin_token, PORTAL, owner_id, false).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    assert_eq!(admin_rows(&server.db.url, owner_id).await, 1, "the owner keeps his rights");

    let answer = set(&server, &admin_token, PORTAL, guest, true).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert!(answer.text.contains("userid"), "names the parameter: {}", answer.text);
    assert_eq!(admin_rows(&server.db.url, guest).await, 0);

    let answer = set(&server, &admin_token, DOCUMENTS, user, true).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert!(answer.text.contains("productid"), "names the parameter: {}", answer.text);
    let answer = server.get(&format!("settings/security/administrator/{DOCUMENTS}"), &owner).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);

    let answer = set(&server, &owner, PORTAL, Uuid::new_v4(), true).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
    let body = json!({"productid": PORTAL, "userid": user, "administrator": "perhaps"});
    let answer = server.call(&owner, Method::PUT, "settings/security/administrator", &body).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert!(answer.text.contains("administrator"), "{}", answer.text);

    // An administrator may take another's rights away.
    set(&server, &admin_token, PORTAL, user, true).await.json_ok();
    set(&server, &user_token, PORTAL, admin, false).await.json_ok();
    assert_eq!(admin_rows(&server.db.url, admin).await, 0);
    let answer = set(&server, &admin_token, PORTAL, user, false).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "a former administrator is refused: {}", answer.text);
    server.stop().await;
}
