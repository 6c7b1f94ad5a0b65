//! `PUT people/{userid}/email` (admins, or the user himself with his password; the new address
//! confirmed by a mailed link), `PUT people/{userid}/activationstatus` and
//! `PUT people/activationstatus/{status}` (admins), on routes of their own.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};

/// The bodies of the queued mail to `recipient`, oldest first (no SMTP server configured: the
/// outbox keeps them).
async fn queued_to(server: &TestServer, recipient: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&server.db.url).await.expect("database");
    let rows = sqlx::query("SELECT body, sent_at FROM mail_outbox WHERE recipient = $1 ORDER BY id")
        .bind(recipient)
        .fetch_all(&mut conn)
        .await
        .expect("outbox");
    assert!(rows.iter().all(|r| r.get::<Option<i64>, _>("sent_at").is_none()), "sent without an SMTP server");
    rows.iter().map(|r| r.get("body")).collect()
}

fn response(answer: &common::Answer) -> Value {
    answer.json_ok()["response"].clone()
}

#[tokio::test]
async fn users_change_their_email_with_their_password_and_admins_without() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (uma_id, uma_email, uma_password) = server.add_user("uma", Role::User).await;
    let uma = server.login(&uma_email, &uma_password).await;
    let (vic_id, _) = server.add_user_and_login("vic", Role::User).await;
    let path = format!("people/{uma_id}/email");

    // Himself: the password is required and checked.
    let missing = server.call(&uma, Method::PUT, &path, json!({"email": "Uma.New@Example.com"})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.text);
    assert!(missing.text.contains("'password'"), "{}", missing.text);
    let wrong = json!({"email": "uma.new@example.com", "password": "not-her-password"});
    assert_eq!(server.call(&uma, Method::PUT, &path, wrong).await.status, StatusCode::FORBIDDEN);
    // Another user may not; a taken address is a 400 naming it.
    let vic_path = format!("people/{vic_id}/email");
    let other = server.call(&uma, Method::PUT, &vic_path, json!({"email": "x@example.com"})).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let taken = json!({"email": "VIC@example.com", "password": uma_password});
    let taken = server.call(&uma, Method::PUT, &path, taken).await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert!(taken.text.contains("'email'"), "{}", taken.text);
    assert!(queued_to(&server, "vic@example.com").await.is_empty());

    let changed = json!({"email": "Uma.New@Example.com", "password": uma_password});
    let changed = server.call(&uma, Method::PUT, &path, changed).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let profile = response(&changed);
    assert_eq!(profile["email"], "uma.new@example.com");
    assert_eq!(profile["activationStatus"], 0);
    // Signed out everywhere, as the original resets the user's cookie.
    assert_eq!(server.get("people/@self", &uma).await.status, StatusCode::UNAUTHORIZED);

    // The confirmation link went to the new address; it activates the account once.
    let mail = queued_to(&server, "uma.new@example.com").await;
    assert_eq!(mail.len(), 1);
    let token = common::smtp::token(&mail[0]);
    let confirmed = server.form(None, Method::POST, "people/confirm", [("token", token.as_str())]).await;
    assert_eq!(confirmed.status, StatusCode::CREATED, "{}", confirmed.text);
    let again = server.form(None, Method::POST, "people/confirm", [("token", token.as_str())]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let uma = server.login("uma.new@example.com", &uma_password).await;
    assert_eq!(response(&server.get("people/@self", &uma).await)["activationStatus"], 1);

    // An admin needs no password; the same address changes nothing and sends nothing.
    let by_admin = server.call(&owner, Method::PUT, &path, json!({"email": "uma@example.org"})).await;
    assert_eq!(response(&by_admin)["email"], "uma@example.org");
    let same = server.call(&owner, Method::PUT, &path, json!({"email": "UMA@example.org"})).await;
    assert_eq!(response(&same)["email"], "uma@example.org");
    assert_eq!(queued_to(&server, "uma@example.org").await.len(), 1);

    // An admin may not change the owner's address; a bad address is a 400 naming it.
    let (_, admin) = server.add_user_and_login("ada", Role::Admin).await;
    let owner_id = response(&server.get("people/@self", &owner).await)["id"].as_str().expect("id").to_string();
    let owner_path = format!("people/{owner_id}/email");
    let refused = server.call(&admin, Method::PUT, &owner_path, json!({"email": "o@example.org"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = server.call(&owner, Method::PUT, &path, json!({"email": "not an address"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("'email'"), "{}", bad.text);
}

#[tokio::test]
async fn admins_set_activation_status_of_one_or_many_users() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (uma_id, uma) = server.add_user_and_login("uma", Role::User).await;
    let (vic_id, _) = server.add_user_and_login("vic", Role::User).await;
    let (off_id, _) = server.add_user_and_login("off", Role::User).await;
    let disabled = server.call(&owner, Method::PUT, "people/status/Terminated", json!({"userIds": [off_id]})).await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.text);

    // A disabled account gets no password reminder, and the answer does not tell.
    let reminder = server.form(None, Method::POST, "people/password", [("email", "off@example.com")]).await;
    let unknown = server.form(None, Method::POST, "people/password", [("email", "ofx@example.com")]).await;
    assert_eq!(reminder.status, StatusCode::CREATED);
    assert_eq!((reminder.status, reminder.text.replace("off@", "ofx@")), (unknown.status, unknown.text));
    assert!(queued_to(&server, "off@example.com").await.is_empty());

    let one = format!("people/{uma_id}/activationstatus");
    let pending = server.call(&owner, Method::PUT, &one, json!({"activationstatus": "Pending"})).await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.text);
    assert_eq!(response(&pending)["id"], uma_id.to_string());
    assert_eq!(response(&pending)["activationStatus"], 2);
    // Not for users, himself included; a disabled user is refused; a bad status is a 400.
    let own = server.call(&uma, Method::PUT, &one, json!({"activationstatus": 1})).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let off = format!("people/{off_id}/activationstatus");
    assert_eq!(
        server.call(&owner, Method::PUT, &off, json!({"activationstatus": 1})).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = server.call(&owner, Method::PUT, &one, json!({"activationstatus": "Sleeping"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("activationstatus"), "{}", bad.text);

    // Many: the disabled and unknown ones are skipped; the answer lists those changed.
    let unknown = uuid::Uuid::new_v4();
    let ids = json!({"userIds": [uma_id, vic_id, off_id, unknown]});
    let many = server.call(&owner, Method::PUT, "people/activationstatus/Activated", ids.clone()).await;
    assert_eq!(many.status, StatusCode::OK, "{}", many.text);
    let listed = response(&many);
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|p| p["activationStatus"] == 1));
    let by_user = server.call(&uma, Method::PUT, "people/activationstatus/2", ids).await;
    assert_eq!(by_user.status, StatusCode::FORBIDDEN);
    assert_eq!(response(&server.get(&format!("people/{vic_id}"), &owner).await)["activationStatus"], 1);

    // The literal routes do not fall into `PUT people/{userid}`.
    let invite = server.call(&uma, Method::PUT, "people/invite", json!({"userIds": [vic_id]})).await;
    assert_eq!(invite.status, StatusCode::FORBIDDEN, "{}", invite.text);
}

#[tokio::test]
async fn a_password_set_otherwise_voids_the_mailed_password_links() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (uma_id, uma_email, _) = server.add_user("uma", Role::User).await;
    let reminder = server.form(None, Method::POST, "people/password", [("email", uma_email.as_str())]).await;
    assert_eq!(reminder.status, StatusCode::CREATED, "{}", reminder.text);
    let mail = queued_to(&server, &uma_email).await;
    let token = common::smtp::token(&mail[0]);
    let path = format!("people/{uma_id}/password");
    let set = server.call(&owner, Method::PUT, &path, json!({"password": "by-admin-1"})).await;
    assert_eq!(set.status, StatusCode::OK);
    let fields = [("token", token.as_str()), ("password", "by-link-123")];
    let void = server.form(None, Method::POST, "people/confirm", fields).await;
    assert_eq!(void.status, StatusCode::BAD_REQUEST);
    assert!(void.text.contains("already used"), "{}", void.text);
    server.login(&uma_email, "by-admin-1").await;
}
