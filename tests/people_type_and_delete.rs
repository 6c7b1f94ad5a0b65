//! `PUT people/type/{type}`, `PUT people/delete` and `PUT people/self/delete` reach their own
//! routes (before, the last two fell into `PUT people/{userid}` and answered "User not found"),
//! with the original's rights and skips, and the three wire details of issue 19 where portald
//! answered otherwise than the original.

mod common;

use common::{spawn, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};
use uuid::Uuid;

async fn column(url: &str, sql: &str, id: Uuid) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.expect("database");
    let value: i64 = sqlx::query(sql).bind(id.to_string()).fetch_one(&mut conn).await.expect(sql).get(0);
    conn.close().await.expect("closed");
    value
}

async fn is_visitor(url: &str, id: Uuid) -> bool {
    column(url, "SELECT is_visitor FROM users WHERE id = $1", id).await != 0
}

fn ids_of(answer: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        answer["response"].as_array().expect("a list").iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

fn sorted(ids: &[Uuid]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn type_changes_users_and_guests_but_not_the_owner_admins_or_the_caller() {
    let server = spawn().await;
    let url = server.db.url.clone();
    let owner = server.owner_token().await;
    let owner_id =
        Uuid::parse_str(server.get("people/@self", &owner).await.json()["response"]["id"].as_str().unwrap()).unwrap();
    let (admin, admin_token) = server.add_user_and_login("adele", Role::Admin).await;
    let (user, user_token) = server.add_user_and_login("ulrich", Role::User).await;
    let (guest, guest_token) = server.add_user_and_login("gwen", Role::Guest).await;
    let other = server.add_user("otto", Role::User).await.0;

    let body = json!({"userIds": [user, other, admin, owner_id, guest]});
    for token in [&user_token, &guest_token] {
        let answer = server.call(token, Method::PUT, "people/type/Visitor", &body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    }
    assert!(!is_visitor(&url, user).await, "a refused call changes nothing");

    let answer = server.call(&admin_token, Method::PUT, "people/type/Visitor", &body).await;
    let list = answer.json_ok();
    assert_eq!(ids_of(&list), sorted(&[user, other, admin, owner_id, guest]), "the listed users, as they are now");
    let shown: Vec<(String, bool)> = list["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p["isVisitor"].as_bool().unwrap()))
        .collect();
    assert!(shown.contains(&(user.to_string(), true)) && shown.contains(&(other.to_string(), true)));
    assert!(shown.contains(&(admin.to_string(), false)), "the caller (an admin) keeps his type");
    assert!(shown.contains(&(owner_id.to_string(), false)), "the owner keeps his type");
    assert!(is_visitor(&url, user).await && is_visitor(&url, other).await);
    assert!(!is_visitor(&url, admin).await && !is_visitor(&url, owner_id).await);

    // Numbers work as names do; `All` changes nothing; guests become users.
    let answer = server.call(&owner, Method::PUT, "people/type/0", json!({"userIds": [user]})).await;
    assert_eq!(answer.json_ok()["response"][0]["isVisitor"], json!(true));
    let answer =
        server.call(&owner, Method::PUT, "people/type/1", json!({"userIds": [user, guest, Uuid::new_v4()]})).await;
    assert_eq!(ids_of(&answer.json_ok()), sorted(&[user, guest]), "unknown ids are skipped");
    assert!(!is_visitor(&url, user).await && !is_visitor(&url, guest).await);

    let answer = server.call(&owner, Method::PUT, "people/type/Boss", json!({"userIds": [user]})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json()["error"]["message"].as_str().unwrap().contains("type"), "{}", answer.text);
    let xml = server.form(Some(&owner), Method::PUT, "people/type/User.xml", [("userIds", user.to_string())]).await;
    assert!(xml.text.contains("<isVisitor>false</isVisitor>"), "{}", xml.text);
}

#[tokio::test]
async fn delete_removes_the_listed_disabled_users_only() {
    let server = spawn().await;
    let url = server.db.url.clone();
    let owner = server.owner_token().await;
    let (_, user_token) = server.add_user_and_login("ulrich", Role::User).await;
    let gone = server.add_user("gone", Role::User).await.0;
    let busy = server.add_user("busy", Role::User).await.0;
    let active = server.add_user("active", Role::User).await.0;
    let disable = json!({"userIds": [gone, busy]});
    server.call(&owner, Method::PUT, "people/status/Terminated", &disable).await.json_ok();

    let body = json!({"userIds": [gone, active]});
    let answer = server.call(&user_token, Method::PUT, "people/delete", &body).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);

    let answer = server.call(&owner, Method::PUT, "people/delete", &body).await;
    let list = answer.json_ok();
    assert_eq!(ids_of(&list), sorted(&[gone, active]), "the listed users, as they were");
    assert_eq!(server.get(&format!("people/{gone}"), &owner).await.status, StatusCode::NOT_FOUND);
    assert_eq!(server.get(&format!("people/{active}"), &owner).await.status, StatusCode::OK, "active users stay");
    assert_eq!(column(&url, "SELECT removed FROM users WHERE id = $1", gone).await, 1);
    let queued = "SELECT COUNT(*) FROM background_tasks WHERE kind = 'remove' AND subject = $1";
    assert_eq!(column(&url, queued, gone).await, 1, "the removal of his data is queued");

    // Not while his data is being handed over (the original's CheckReassignProccess).
    let heir = server.add_user("heir", Role::User).await.0;
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&url).await.expect("database");
    sqlx::query(
        "INSERT INTO background_tasks (portal_id, kind, subject, params, status, step, steps, created_by, created_at, \
         updated_at, claimed_by, lease_until) VALUES (1, 'reassign', $1, $2, 1, 0, 4, $1, 0, 0, 'elsewhere', 99999999999999999)",
    )
    .bind(busy.to_string())
    .bind(json!({"fromUserId": busy.to_string(), "toUserId": heir.to_string()}).to_string())
    .execute(&mut conn)
    .await
    .expect("a running reassignment");
    conn.close().await.expect("closed");
    let answer = server.call(&owner, Method::PUT, "people/delete", json!({"userIds": [busy]})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert!(answer.json()["error"]["message"].as_str().unwrap().contains("userIds"));
    let answer = server.call(&owner, Method::DELETE, &format!("people/{busy}"), json!({})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(column(&url, "SELECT removed FROM users WHERE id = $1", busy).await, 0);

    // A user named "delete" is not edited by it any more.
    let answer = server.call(&owner, Method::PUT, "people/delete", json!({})).await;
    assert_eq!(answer.json_ok()["response"], json!([]));
}

#[tokio::test]
async fn self_delete_mails_a_link_that_deletes_the_profile_and_refuses_ldap_users_and_the_owner() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (id, email, password) = server.add_user("selma", Role::Guest).await;
    let token = server.login(&email, &password).await;
    let answer = server.call(&token, Method::PUT, "people/self/delete", json!({})).await;
    let body = answer.json_ok();
    let text = body["response"].as_str().expect("a text");
    assert!(text.contains("<b>selma@example.com</b>") && text.contains("have been sent"), "{text}");
    assert_eq!(body["count"], json!(text.chars().count()), "a text's count is its length, as the original's");
    assert_eq!(server.get("people/@self", &token).await.status, StatusCode::OK, "nothing is deleted before the link");

    // The mailed link deletes the profile: signed out, no login, gone from the directory, the
    // removal of his data queued; the link works once.
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&server.db.url).await.expect("database");
    let mail: String = sqlx::query("SELECT body FROM mail_outbox WHERE recipient = $1")
        .bind(&email)
        .fetch_one(&mut conn)
        .await
        .expect("one mail queued")
        .get("body");
    let link = common::smtp::token(&mail);
    let used = server.call_with(None, Method::POST, "people/confirm", json!({"token": link})).await;
    assert_eq!(used.json_ok()["response"]["id"], json!(id.to_string()));
    assert_eq!(server.get("people/@self", &token).await.status, StatusCode::UNAUTHORIZED);
    let login =
        server.form(None, Method::POST, "authentication", [("userName", &email), ("password", &password)]).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.get(&format!("people/{id}"), &owner).await.status, StatusCode::NOT_FOUND);
    let progress = server.get(&format!("people/remove/progress?userId={id}"), &owner).await.json_ok();
    assert!(progress["response"]["id"].is_string(), "{progress}");
    let again = server.call_with(None, Method::POST, "people/confirm", json!({"token": link})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    let answer = server.call(&owner, Method::PUT, "people/self/delete", json!({})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "the owner: {}", answer.text);
    let (ldap, ldap_token) = server.add_user_and_login("lars", Role::User).await;
    sqlx::query("UPDATE users SET sid = 'S-1-5-21' WHERE id = $1")
        .bind(ldap.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.expect("closed");
    let answer = server.call(&ldap_token, Method::PUT, "people/self/delete", json!({})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let answer = server.call_with(None, Method::PUT, "people/self/delete", json!({})).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn filter_shows_quotas_off_as_minus_one_and_a_new_user_starts_at_midnight() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let list = server.get("people/filter", &owner).await.json_ok();
    for profile in list["response"].as_array().unwrap() {
        assert_eq!(profile["quotaLimit"], json!(-1), "EmployeeWraperFull with the request's context");
        assert_eq!(profile["usedSpace"], json!(0));
    }
    let me = server.get("people/@self", &owner).await.json_ok();
    assert_eq!(me["response"]["quotaLimit"], json!(0), "other routes build it without the context");

    let body = json!({"email": "newbie@example.com", "firstname": "New", "lastname": "Bie"});
    let added = server.call(&owner, Method::POST, "people", body).await.json_ok();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(added["response"]["workFrom"], json!(format!("{today}T00:00:00.0000000Z")));
    let body = json!({"email": "dated@example.com", "firstname": "Da", "lastname": "Ted", "worksfrom": "2020-03-04T05:06:07Z"});
    let added = server.call(&owner, Method::POST, "people", body).await.json_ok();
    assert_eq!(added["response"]["workFrom"], json!("2020-03-04T05:06:07.0000000Z"), "a given date is kept");
}
