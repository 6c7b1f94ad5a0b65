//! Mail through a real SMTP server on loopback (aiosmtpd): invitations and password reminders
//! queued in the outbox with the change that causes them, delivered once, after an SMTP outage
//! and after the server was killed before delivering, and by one of several servers.

mod common;

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::smtp::{self, SmtpServer};
use common::{spawn_with, Api, Options, Role, TestDb, TestServer, OWNER_EMAIL, OWNER_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::{AnyConnection, Connection, Row};

const WAIT: Duration = Duration::from_secs(30);

async fn server_sending_to(smtp_url: String) -> TestServer {
    spawn_with(Options { smtp_url: Some(smtp_url), ..Options::default() }).await
}

/// The outbox as (message id, attempts, sent) rows, oldest first.
async fn outbox(db_url: &str) -> Vec<(String, i64, bool)> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(db_url).await.expect("database");
    let rows = sqlx::query("SELECT message_id, attempts, sent_at FROM mail_outbox ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .expect("outbox");
    rows.iter()
        .map(|r| (r.get("message_id"), r.get("attempts"), r.get::<Option<i64>, _>("sent_at").is_some()))
        .collect()
}

/// Waits until the outbox's first message has had a failed attempt.
async fn wait_for_a_failed_attempt(db_url: &str) {
    let started = Instant::now();
    loop {
        if outbox(db_url).await.first().is_some_and(|(_, attempts, sent)| *attempts >= 1 && !sent) {
            return;
        }
        assert!(started.elapsed() < WAIT, "no failed attempt: {:?}", outbox(db_url).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An admin adds a user; the server queues his invitation. Returns his id.
async fn invite(api: &Api, token: &str, email: &str) -> String {
    let body = json!({"email": email, "firstname": "Ivy", "lastname": "Invited"});
    let answer = api.call(token, Method::POST, "people", body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    answer.json()["response"]["id"].as_str().expect("id").to_string()
}

fn remind(api: &Api, email: &str) -> reqwest::RequestBuilder {
    api.request(Method::POST, "people/password", None).form(&[("email", email)])
}

#[tokio::test]
async fn a_reminder_for_an_unknown_address_sends_nothing_and_answers_the_same() {
    let smtp = SmtpServer::start();
    let server = server_sending_to(smtp.url()).await;
    let (_, known, _) = server.add_user("kim", Role::User).await;
    let unknown = "kip@example.com"; // as long as the known one
    assert_eq!(known.len(), unknown.len());

    // A forged Host does not change where the link points (`--public-url`, else the server).
    let to_known = server.send(remind(&server, &known).header("Host", "evil.example.net")).await;
    let to_unknown = server.send(remind(&server, unknown)).await;
    assert_eq!(to_known.status, StatusCode::CREATED, "{}", to_known.text);
    assert_eq!(to_unknown.status, to_known.status);
    assert_eq!(to_unknown.text.replace(unknown, &known), to_known.text, "the answers differ beyond the address");
    assert_eq!(to_known.header("content-type"), to_unknown.header("content-type"));
    assert_eq!(
        to_known.json()["response"],
        format!("If a user with the {known} email exists, the password change instruction has been sent to this email address.")
    );

    smtp.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "one reminder, to the known address only");
    assert_eq!(smtp::header(&messages[0], "X-RcptTo"), Some(known.as_str()));
    assert_eq!(smtp::header(&messages[0], "Subject"), Some("Password change instructions"));
    assert!(messages[0].contains(&server.base) && !messages[0].contains("evil"), "{}", messages[0]);

    // The reminder's link sets a new password, once.
    let token = smtp::token(&messages[0]);
    let fields = [("token", token.as_str()), ("password", "new-pass-123")];
    assert_eq!(server.form(None, Method::POST, "people/confirm", fields).await.status, StatusCode::CREATED);
    server.login(&known, "new-pass-123").await;

    // Throttled like logins: per typed address, known or not, the same way.
    for email in [known.as_str(), unknown] {
        for _ in 1..5 {
            assert_eq!(server.send(remind(&server, email)).await.status, StatusCode::CREATED);
        }
        let refused = server.send(remind(&server, email)).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{email}: {}", refused.text);
    }
    // A malformed address is a 400 naming it.
    let bad = server.send(remind(&server, "not-an-address")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("email"), "{}", bad.text);
}

#[tokio::test]
async fn the_invitation_link_sets_a_password_once() {
    let smtp = SmtpServer::start();
    let server = server_sending_to(smtp.url()).await;
    let owner = server.owner_token().await;
    let id = invite(&server, &owner, "ivy@example.com").await;

    let messages = smtp.wait_for(1, WAIT).await;
    let invitation = &messages[0];
    assert_eq!(smtp::header(invitation, "X-RcptTo"), Some("ivy@example.com"));
    assert_eq!(smtp::header(invitation, "Subject"), Some("You are invited to the portal"));
    let (message_id, _, sent) = outbox(&server.db.url).await.remove(0);
    assert!(sent);
    assert_eq!(smtp::header(invitation, "Message-ID"), Some(message_id.as_str()));
    let token = smtp::token(invitation);

    // Not activated until the link is used.
    let profile = server.get(&format!("people/{id}"), &owner).await.json_ok();
    assert_eq!(profile["response"]["activationStatus"], 2);

    let confirm = |token: &str, password: &str| {
        server.form(None, Method::POST, "people/confirm", [("token", token.to_string()), ("password", password.into())])
    };
    let missing = confirm(&token, "").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.text.contains("'password'"), "{}", missing.text);
    let used = confirm(&token, "ivy-password-1").await;
    assert_eq!(used.status, StatusCode::CREATED, "{}", used.text);
    assert_eq!(used.json()["response"]["id"], id.as_str());
    let ivy = server.login("ivy@example.com", "ivy-password-1").await;
    let me = server.get("people/@self", &ivy).await.json_ok();
    assert_eq!(me["response"]["activationStatus"], 1);

    let again = confirm(&token, "other-password-2").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.text.contains("'token'") && again.text.contains("already used"), "{}", again.text);
    server.login("ivy@example.com", "ivy-password-1").await;
    let unknown = confirm("no-such-token", "other-password-2").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    // `PUT people/invite` reaches its own route: admins only; activated users get nothing, a
    // pending one a new invitation whose link expires.
    let (_, user) = server.add_user_and_login("uma", Role::User).await;
    let refused = server.call(&user, Method::PUT, "people/invite", json!({"userIds": [id]})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let pending = invite(&server, &owner, "pia@example.com").await;
    smtp.wait_for(2, WAIT).await;
    let resent = server.call(&owner, Method::PUT, "people/invite", json!({"userIds": [id, pending]})).await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.text);
    assert_eq!(resent.json()["response"].as_array().map(Vec::len), Some(2));
    let messages = smtp.wait_for(3, WAIT).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.messages().len(), 3, "the activated user got no new invitation");
    assert_eq!(smtp::header(&messages[2], "X-RcptTo"), Some("pia@example.com"));
    let late = smtp::token(&messages[2]);
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&server.db.url).await.expect("database");
    sqlx::query("UPDATE user_links SET expires_at = 0").execute(&mut conn).await.expect("expire links");
    let expired = confirm(&late, "pia-password-1").await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert!(expired.text.contains("expired"), "{}", expired.text);
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_and_recovery_delivers_it_once() {
    let port = smtp::free_port();
    let server = server_sending_to(smtp::url(port)).await;
    let owner = server.owner_token().await;
    invite(&server, &owner, "otto@example.com").await;
    wait_for_a_failed_attempt(&server.db.url).await;

    let smtp = SmtpServer::start_on(port);
    let messages = smtp.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.messages().len(), 1);
    let rows = outbox(&server.db.url).await;
    assert_eq!(rows.len(), 1);
    let (message_id, attempts, sent) = &rows[0];
    assert!(*sent && *attempts >= 2, "{rows:?}");
    assert_eq!(smtp::header(&messages[0], "Message-ID"), Some(message_id.as_str()));
}

#[tokio::test]
async fn a_message_that_cannot_be_written_is_given_up_and_the_rest_still_go() {
    let smtp = SmtpServer::start();
    let server = server_sending_to(smtp.url()).await;
    let owner = server.owner_token().await;
    invite(&server, &owner, "dot..dot@example.com").await; // stored, but no mail address
    invite(&server, &owner, "fine@example.com").await;
    let messages = smtp.wait_for(1, WAIT).await;
    assert_eq!(smtp::header(&messages[0], "X-RcptTo"), Some("fine@example.com"));
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&server.db.url).await.expect("database");
    let row = sqlx::query("SELECT attempts, failed_at, sent_at, last_error FROM mail_outbox ORDER BY id LIMIT 1")
        .fetch_one(&mut conn)
        .await
        .expect("outbox");
    assert_eq!(row.get::<i64, _>("attempts"), 1, "given up at once, not retried");
    assert!(row.get::<Option<i64>, _>("failed_at").is_some() && row.get::<Option<i64>, _>("sent_at").is_none());
    assert!(row.get::<Option<String>, _>("last_error").is_some_and(|e| e.contains("dot..dot")));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.messages().len(), 1);
}

fn portald(db: &TestDb, smtp_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portald"));
    command
        .env("DATABASE_URL", &db.url)
        .env("PORTALD_OWNER_EMAIL", OWNER_EMAIL)
        .env("PORTALD_OWNER_PASSWORD", OWNER_PASSWORD)
        .env("PORTALD_SMTP_URL", smtp_url)
        .env("PORTALD_LOG", "error")
        .args(["serve", "--bind", "127.0.0.1:0"]);
    command
}

fn kill(child: &mut Child) {
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

#[tokio::test]
async fn a_server_killed_before_delivering_delivers_exactly_once_after_a_restart() {
    let db = TestDb::new().await;
    let port = smtp::free_port();
    let (mut child, base, _) = common::start_process(&mut portald(&db, &smtp::url(port)));
    let api = Api::new(&base);
    let owner = api.owner_token().await;
    invite(&api, &owner, "kai@example.com").await;
    wait_for_a_failed_attempt(&db.url).await;
    kill(&mut child);

    let smtp = SmtpServer::start_on(port);
    let (mut child, _, _) = common::start_process(&mut portald(&db, &smtp::url(port)));
    let messages = smtp.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    kill(&mut child);
    assert_eq!(smtp.messages().len(), 1, "delivered exactly once");
    assert_eq!(smtp::header(&messages[0], "X-RcptTo"), Some("kai@example.com"));
    let rows = outbox(&db.url).await;
    assert!(rows.len() == 1 && rows[0].2, "{rows:?}");
}

#[tokio::test]
async fn two_servers_on_one_database_send_each_message_once() {
    let smtp = SmtpServer::start();
    let first = server_sending_to(smtp.url()).await;
    let options = Options { smtp_url: Some(smtp.url()), ..Options::default() };
    let second = portald::app::start(&common::serve_args(&first.db.url, &options)).await.expect("second server");
    let second_api = Api::new(&format!("http://{}", second.addr));
    let tokens = [first.owner_token().await, second_api.owner_token().await];
    let count = 24;
    let mut creations = Vec::new();
    for i in 0..count {
        let api = if i % 2 == 0 { first.api.clone() } else { second_api.clone() };
        let token = tokens[i % 2].clone();
        creations.push(tokio::spawn(async move { invite(&api, &token, &format!("u{i}@example.com")).await }));
    }
    for creation in creations {
        creation.await.expect("created");
    }
    smtp.wait_for(count, WAIT).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let messages = smtp.messages();
    let mut ids: Vec<&str> = messages.iter().filter_map(|m| smtp::header(m, "Message-ID")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((messages.len(), ids.len()), (count, count), "each message once");
    assert!(outbox(&first.db.url).await.iter().all(|(_, attempts, sent)| *sent && *attempts == 1));
    second.shutdown().await.expect("second stops");
}
