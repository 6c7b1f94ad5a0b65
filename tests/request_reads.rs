//! A request's reads on SQLite share one read transaction: they see one state of the database
//! whatever other processes commit meanwhile, and the request's own writes end it, so that what
//! it reads after a write includes the write. (PostgreSQL runs each read on its own.)

mod common;

use portald::config::DatabaseArgs;
use portald::store::{Backend, Store};
use reqwest::Method;
use serde_json::json;

/// Renames a contact in a write transaction of the given store.
async fn rename(store: &Store, id: i64, last_name: &str) {
    let mut tx = store.begin_write().await.expect("a write transaction");
    sqlx::query("UPDATE crm_contacts SET last_name = $1 WHERE id = $2")
        .bind(last_name)
        .bind(id)
        .execute(tx.conn())
        .await
        .expect("renamed");
    tx.commit().await.expect("committed");
}

async fn last_name(store: &Store, id: i64) -> String {
    store.contact(1, id).await.expect("read").expect("the contact").last_name
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reads_one_state_and_then_its_own_writes() {
    let server = common::spawn().await;
    let token = server.owner_token().await;
    let id = server
        .call(&token, Method::POST, "crm/contact/person", json!({"firstName": "Ada", "lastName": "First"}))
        .await
        .id();
    let store = server.store();
    // Another process on the same database: a store of its own.
    let other = Store::connect(&DatabaseArgs { database_url: server.db.url.clone(), db_connections: 1 })
        .await
        .expect("a second store opens");

    let (seen_first, seen_after_other, seen_after_own) = store
        .request_reads(async {
            let first = last_name(store, id).await;
            rename(&other, id, "Other").await;
            let after_other = last_name(store, id).await;
            rename(store, id, "Own").await;
            (first, after_other, last_name(store, id).await)
        })
        .await;

    assert_eq!(seen_first, "First");
    match store.backend() {
        Backend::Sqlite => assert_eq!(seen_after_other, "First", "the request keeps the state its first read saw"),
        Backend::Postgres => assert_eq!(seen_after_other, "Other"),
    }
    assert_eq!(seen_after_own, "Own", "a read after the request's own write sees it");
    // Outside a request every read sees the last commit.
    rename(&other, id, "Later").await;
    assert_eq!(last_name(store, id).await, "Later");
    other.close().await;
    server.stop().await;
}
