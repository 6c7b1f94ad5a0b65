//! A server keeps the user each token resolves to, the users contacts show and the portal's
//! contact statuses and field definitions, and answers with them only while the stamp read
//! before them holds (docs/performance.md, parts 11 and 15). On a SQLite file what another
//! process changes raises the portal's stamp in its own transaction, so the next request sees
//! it; on PostgreSQL its change notice moves the server's stamp on, so the next request after
//! the notice arrives sees it.

mod common;

use common::{eventually, spawn, Role};
use portald::config::DatabaseArgs;
use portald::model::ids::{PortalId, UserId};
use portald::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Connection;

/// A second store on the server's database: another process, as SQLite and PostgreSQL see it.
async fn other_store(url: &str) -> Store {
    Store::connect(&DatabaseArgs { database_url: url.to_string(), db_connections: 1 })
        .await
        .expect("a second store opens")
}

#[tokio::test]
async fn rights_and_passwords_changed_by_another_process_hold_at_the_next_request() {
    let server = spawn().await;
    let (id, email, password) = server.add_user("carol", Role::Admin).await;
    let token = server.login(&email, &password).await;
    for _ in 0..2 {
        assert_eq!(server.get("people/@self", &token).await.json_ok()["response"]["isAdmin"], true);
    }
    let other = other_store(&server.db.url).await;
    let mut tx = other.begin_write().await.unwrap();
    other.unset_admin(tx.conn(), PortalId(1), UserId(id)).await.unwrap();
    tx.commit().await.unwrap();
    other.close().await;
    let is_admin = || async { server.get("people/@self", &token).await.json_ok()["response"]["isAdmin"].clone() };
    eventually(is_admin, |is_admin| *is_admin == false).await;
    let answer = server.call(&token, Method::PUT, "crm/settings/currency", json!({"currency": "EUR"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);

    let (code, text) =
        common::portald(&["user", "passwd", &email, "--password", "a-new-password", "--database-url", &server.db.url]);
    assert_eq!(code, 0, "{text}");
    let status = || async { server.get("people/@self", &token).await.status };
    eventually(status, |status| *status == StatusCode::UNAUTHORIZED).await;
    server.login(&email, "a-new-password").await;
}

#[tokio::test]
async fn a_user_renamed_by_another_process_is_shown_renamed_at_the_next_request() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (id, _, _) = server.add_user("dave", Role::User).await;
    let contact = server.add_person(&owner, "Erin", 0).await;
    let access = json!({"isShared": false, "managerList": [id]});
    server.call(&owner, Method::PUT, &format!("crm/contact/{contact}/access"), access).await.json_ok();
    for _ in 0..2 {
        let shown = server.get(&format!("crm/contact/{contact}"), &owner).await.json_ok();
        assert_eq!(shown["response"]["accessList"][0]["displayName"], "dave Tester");
    }

    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&server.db.url).await.expect("another connection");
    sqlx::query("UPDATE users SET first_name = 'David' WHERE portal_id = 1 AND id = $1")
        .bind(id.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let shown = || async { server.get(&format!("crm/contact/{contact}"), &owner).await.json_ok() };
    eventually(shown, |shown| shown["response"]["accessList"][0]["displayName"] == "David Tester").await;
}

#[tokio::test]
async fn statuses_and_field_labels_changed_by_another_process_show_at_the_next_request() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let status = server.get("crm/contact/status", &owner).await.json_ok()["response"][0]["id"].as_i64().unwrap();
    let contact = server.add_person(&owner, "Pip", 1).await;
    let path = format!("crm/contact/{contact}");
    server.call(&owner, Method::PUT, &format!("{path}/status"), json!({"contactStatusid": status})).await.json_ok();
    let field = server
        .call(&owner, Method::POST, "crm/person/customfield", json!({"label": "Nickname", "fieldType": 0}))
        .await
        .id();
    let value = json!({"fieldValue": "Pippin"});
    server.call(&owner, Method::POST, &format!("crm/person/{contact}/customfield/{field}"), value).await.json_ok();
    for _ in 0..2 {
        let shown = server.get(&path, &owner).await.json_ok();
        assert_eq!(shown["response"]["customFields"][0]["label"], "Nickname");
        assert_ne!(shown["response"]["contactStatus"]["title"], "Renamed");
    }

    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&server.db.url).await.expect("another connection");
    sqlx::query("UPDATE crm_list_items SET title = 'Renamed' WHERE id = $1")
        .bind(status)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE crm_custom_fields SET label = 'Alias' WHERE id = $1")
        .bind(field)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let shown = || async { server.get(&path, &owner).await.json_ok()["response"].clone() };
    eventually(shown, |shown| {
        shown["contactStatus"]["title"] == "Renamed" && shown["customFields"][0]["label"] == "Alias"
    })
    .await;
}
