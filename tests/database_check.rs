//! `portald check`: 0 for a sound database with its rows per portal, 1 with each problem listed
//! (rows pointing at nothing, an id sequence behind its table, a damaged search index), 2 when
//! it cannot run; it never creates the database it is asked about.

mod common;

use common::{spawn, TestServer};
use reqwest::Method;
use serde_json::json;
use sqlx::Executor;

/// Runs `portald check` on the server's database: its exit code and what it printed.
fn check(url: &str) -> (i32, String) {
    common::portald(&["check", "--database-url", url])
}

/// Runs a statement straight on the server's database, as damage from outside would.
async fn damage(server: &TestServer, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&server.db.url).await.expect("database reachable");
    pool.execute(sql).await.expect("statement runs");
    pool.close().await;
}

async fn portal_with_contacts(server: &TestServer) -> (i64, i64) {
    let token = server.owner_token().await;
    let company = server.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Acme"})).await.id();
    let person = server
        .call(
            &token,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": "Ann", "lastName": "Lee", "companyId": company}),
        )
        .await
        .id();
    (company, person)
}

#[tokio::test]
async fn a_sound_database_passes_with_its_rows_per_portal() {
    let server = spawn().await;
    portal_with_contacts(&server).await;
    let (code, text) = check(&server.db.url);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("No problems found."), "{text}");
    assert!(text.contains("portal 1:") && text.contains("crm_contacts 2") && text.contains("users 1"), "{text}");
}

#[tokio::test]
async fn rows_pointing_at_nothing_and_a_sequence_behind_its_table_are_listed() {
    let server = spawn().await;
    let (_, person) = portal_with_contacts(&server).await;
    damage(&server, &format!("UPDATE crm_contacts SET company_id = 999999 WHERE id = {person}")).await;
    let rewind = if common::use_postgres() {
        "SELECT setval(pg_get_serial_sequence('crm_contacts', 'id'), 1, false)"
    } else {
        "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'crm_contacts'"
    };
    damage(&server, rewind).await;
    let (code, text) = check(&server.db.url);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("2 problems found"), "{text}");
    assert!(text.contains("1 rows: persons linked to a company that does not exist in their portal"), "{text}");
    assert!(text.contains("crm_contacts: ids up to") && text.contains("would reuse an id"), "{text}");
}

#[tokio::test]
async fn a_contact_missing_from_the_search_index_is_a_problem() {
    if common::use_postgres() {
        return; // PostgreSQL's search index is an index of the table itself: nothing can go missing.
    }
    let server = spawn().await;
    let (company, _) = portal_with_contacts(&server).await;
    damage(&server, &format!("DELETE FROM crm_contact_search WHERE rowid = {company}")).await;
    let (code, text) = check(&server.db.url);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("1 contacts are missing from the search index"), "{text}");
}

#[tokio::test]
async fn a_database_that_cannot_be_read_is_exit_2_and_is_not_created() {
    let dir = tempfile::tempdir().expect("folder");
    let missing = dir.path().join("missing.db");
    let (code, text) = check(&format!("sqlite://{}", missing.display()));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("could not run"), "{text}");
    assert!(!missing.exists(), "check created the database it was asked about");
}
