//! On PostgreSQL a server keeps callers, users, contact settings and answers between requests
//! until the database's change notice of a write reaches it (src/store/changes.rs, migration
//! 0025): every table an answer is read from notifies, what is kept is answered only until a
//! notice arrives, and while the server cannot hear notices it keeps nothing. SQLite needs no
//! notices (its snapshots and stamps are read in place); these tests have nothing to check there.

mod common;

use common::{eventually, spawn, TestServer};
use sqlx::{Connection, Row};

/// Runs statements on a connection of their own, as another process would.
async fn elsewhere(server: &TestServer, statements: &[&str]) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&server.db.url).await.expect("another connection");
    for sql in statements {
        sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn.close().await.unwrap();
}

async fn last_name(server: &TestServer, token: &str, contact: i64) -> String {
    let shown = server.get(&format!("crm/contact/{contact}"), token).await.json_ok();
    shown["response"]["lastName"].as_str().unwrap_or_default().to_string()
}

/// After `first`, renames the contact elsewhere without a notice: its triggers off for the session.
async fn rename_unheard(server: &TestServer, first: &[&str], contact: i64, last_name: &str) {
    let rename = format!("UPDATE crm_contacts SET last_name = '{last_name}' WHERE id = {contact}");
    let statements: Vec<&str> =
        first.iter().copied().chain(["SET session_replication_role = replica", rename.as_str()]).collect();
    elsewhere(server, &statements).await;
}

/// On PostgreSQL, a server, the owner's token and a new contact he has read twice (the second
/// time, a kept answer), with its last name; `None` on SQLite.
async fn a_kept_contact(first_name: &str) -> Option<(TestServer, String, i64, String)> {
    let server = spawn().await;
    if !common::use_postgres() {
        return None;
    }
    let owner = server.owner_token().await;
    let contact = server.add_person(&owner, first_name, 1).await;
    let original = last_name(&server, &owner, contact).await;
    assert_eq!(last_name(&server, &owner, contact).await, original);
    Some((server, owner, contact, original))
}

#[tokio::test]
async fn every_table_an_answer_reads_notifies_its_changes() {
    let server = spawn().await;
    if !common::use_postgres() {
        return;
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&server.db.url).await.unwrap();
    let silent: Vec<String> = sqlx::query(
        "SELECT t.tablename AS name FROM pg_tables t WHERE t.schemaname = current_schema() \
         AND t.tablename NOT IN ('_sqlx_migrations', 'crm_contact_counts', 'login_failures') \
         AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid \
                         WHERE c.relname = t.tablename AND g.tgname = 'portald_changes') \
         ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|row| row.get("name"))
    .collect();
    assert!(silent.is_empty(), "tables whose writes notify nobody (add them to migration 0025's triggers): {silent:?}");
}

#[tokio::test]
async fn a_kept_answer_holds_until_a_change_notice_arrives() {
    let Some((server, owner, contact, original)) = a_kept_contact("Kai").await else { return };
    // A write that notifies nobody: the kept answer stands, which shows that it was kept rather
    // than read again.
    rename_unheard(&server, &[], contact, "Unheard").await;
    for _ in 0..3 {
        assert_eq!(last_name(&server, &owner, contact).await, original, "kept until a notice");
    }
    // Any notice moves the server on.
    elsewhere(&server, &["NOTIFY portald_changes"]).await;
    eventually(|| last_name(&server, &owner, contact), |name| name == "Unheard").await;
}

#[tokio::test]
async fn a_server_that_lost_its_listener_keeps_nothing_it_may_have_missed() {
    let Some((server, owner, contact, _)) = a_kept_contact("Lou").await else { return };
    assert_eq!(server.metric("portald_database_change_listener_up").await, Some(1.0));
    // The listener's connection ends; a write that notifies nobody happens meanwhile.
    let end_listener = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                        WHERE datname = current_database() AND query LIKE 'LISTEN%'";
    rename_unheard(&server, &[end_listener], contact, "Missed").await;
    // Reconnected, the server drops what it kept before: the write shows without any notice.
    eventually(|| last_name(&server, &owner, contact), |name| name == "Missed").await;
    let up = || async { server.metric("portald_database_change_listener_up").await };
    eventually(up, |up| *up == Some(1.0)).await;
}

#[tokio::test]
async fn a_quiet_listener_checks_that_notices_arrive_and_keeps_what_it_kept() {
    let Some((server, owner, contact, original)) = a_kept_contact("Max").await else { return };
    rename_unheard(&server, &[], contact, "Unheard").await;
    let heard = server.metric("portald_database_change_notices_total").await.expect("notices");
    // Past 10 s without a notice the server sends itself one of no change, and hears it back
    // (15 s leaves 5 s for that): its listener stays up, and what it kept stays kept.
    tokio::time::sleep(std::time::Duration::from_secs(15)).await;
    let heard_now = server.metric("portald_database_change_notices_total").await.expect("notices");
    assert!(heard_now > heard, "a heartbeat came back: {heard} then {heard_now}");
    assert_eq!(server.metric("portald_database_change_listener_up").await, Some(1.0));
    assert_eq!(last_name(&server, &owner, contact).await, original, "a heartbeat changes nothing");
    elsewhere(&server, &["NOTIFY portald_changes"]).await;
    eventually(|| last_name(&server, &owner, contact), |name| name == "Unheard").await;
}
