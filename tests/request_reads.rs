//! A request's reads on SQLite share one read transaction until it waits for anything: they see
//! one state of the database whatever other processes commit meanwhile, and the request's own
//! writes end it, so that what it reads after a write includes the write. (PostgreSQL runs
//! each read on its own.)

mod common;

use portald::config::DatabaseArgs;
use portald::store::{Arg, Args, Backend, Store};
use reqwest::Method;
use serde_json::json;

/// Renames a contact in a write transaction of the given store.
async fn rename(store: &Store, id: i64, last_name: &str) {
    let mut tx = store.begin_write().await.expect("a write transaction");
    let rename = "UPDATE crm_contacts SET last_name = $1 WHERE id = $2";
    let args = Args::of(vec![Arg::Text(last_name.to_string()), Arg::Int(id)]);
    tx.conn().execute(rename, &args).await.expect("renamed");
    tx.commit().await.expect("committed");
}

/// Another process renames the contact: on SQLite a connection of its own, committing at once
/// (the request does not wait for it); on PostgreSQL a store of its own.
async fn rename_elsewhere(store: &Store, other: &Store, id: i64, last_name: &str) {
    match store.sqlite_file() {
        Some(file) => {
            let conn = rusqlite::Connection::open(file).expect("a connection of another process");
            conn.busy_timeout(std::time::Duration::from_secs(10)).expect("busy timeout");
            conn.execute("UPDATE crm_contacts SET last_name = ?1 WHERE id = ?2", rusqlite::params![last_name, id])
                .expect("renamed elsewhere");
        }
        None => rename(other, id, last_name).await,
    }
}

async fn last_name(store: &Store, id: i64) -> String {
    store.contact(1, id).await.expect("read").expect("the contact").last_name
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_reads_one_state_until_it_waits_and_then_its_own_writes() {
    let server = common::spawn().await;
    let token = server.owner_token().await;
    let id = server
        .call(&token, Method::POST, "crm/contact/person", json!({"firstName": "Ada", "lastName": "First"}))
        .await
        .id();
    let store = server.store();
    let other = Store::connect(&DatabaseArgs { database_url: server.db.url.clone(), db_connections: 1 })
        .await
        .expect("a second store opens");

    let seen = store
        .request_reads(async {
            let mut seen = vec![last_name(store, id).await];
            rename_elsewhere(store, &other, id, "Other").await;
            seen.push(last_name(store, id).await);
            // Waiting ends the transaction: the next read sees the other process's commit.
            tokio::task::yield_now().await;
            seen.push(last_name(store, id).await);
            rename(store, id, "Own").await;
            seen.push(last_name(store, id).await);
            seen
        })
        .await;

    let kept = match store.backend() {
        Backend::Sqlite => "First",
        Backend::Postgres => "Other",
    };
    assert_eq!(
        seen,
        ["First", kept, "Other", "Own"],
        "before, after another's commit, after a wait, after its own write"
    );
    // Outside a request every read sees the last commit.
    rename_elsewhere(store, &other, id, "Later").await;
    assert_eq!(last_name(store, id).await, "Later");
    other.close().await;
    server.stop().await;
}
