//! Write transactions (in place on a SQLite file, through the pool on PostgreSQL): one that
//! ends without a commit, or with a failed statement, leaves nothing behind, and the next write
//! goes through; a long one (a batch of thousands) answers on a runtime with worker threads.

mod common;

use common::spawn;
use portald::model::contacts::NewContact;
use portald::model::ids::{PortalId, ShareType, UserId};
use portald::store::{Args, Store};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn owner_id(server: &common::TestServer, token: &str) -> uuid::Uuid {
    let me = server.get("people/@self", token).await.json()["response"]["id"].as_str().map(str::to_string);
    uuid::Uuid::parse_str(&me.expect("an id")).expect("a uuid")
}

async fn contacts_named(store: &Store, last_name: &str) -> i64 {
    contacts_where(store, last_name, "true").await
}

/// How many contacts of that last name meet `condition`.
async fn contacts_where(store: &Store, last_name: &str, condition: &str) -> i64 {
    let mut tx = store.begin_write().await.expect("a write transaction");
    let args = Args::of(vec![last_name.to_string().into()]);
    let sql = format!("SELECT COUNT(*) AS n FROM crm_contacts WHERE last_name = $1 AND {condition}");
    let mut conn = tx.conn();
    let count = conn.one(&sql, &args, |row| row.int("n"));
    count.await.expect("counted")
}

#[tokio::test]
async fn a_write_dropped_or_failed_half_way_leaves_nothing_and_the_next_goes_through() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let (store, owner) = (server.store(), owner_id(&server, &token).await);

    let mut dropped = store.begin_write().await.expect("a write transaction");
    store.insert_contact(dropped.conn(), 1, &NewContact::person("Never", "Dropped"), owner).await.expect("inserted");
    drop(dropped);
    assert_eq!(contacts_named(store, "Dropped").await, 0, "a transaction dropped without a commit is rolled back");

    let mut failed = store.begin_write().await.expect("a write transaction");
    store.insert_contact(failed.conn(), 1, &NewContact::person("Never", "Failed"), owner).await.expect("inserted");
    let broken = failed.conn().execute("INSERT INTO no_such_table VALUES (1)", &Args::default()).await;
    assert!(broken.is_err(), "the statement fails");
    drop(failed);
    assert_eq!(contacts_named(store, "Failed").await, 0, "nothing of a failed transaction is kept");

    let mut kept = store.begin_write().await.expect("a write transaction");
    store.insert_contact(kept.conn(), 1, &NewContact::person("Then", "Kept"), owner).await.expect("inserted");
    kept.commit().await.expect("committed");
    assert_eq!(contacts_named(store, "Kept").await, 1);
    let created =
        server.call(&token, Method::POST, "crm/contact/person", json!({"firstName": "Via", "lastName": "Api"}));
    assert_eq!(created.await.status, StatusCode::CREATED);
}

/// A batch of thousands runs each statement with its thread handed over to blocking work
/// (`block_in_place`), which exists only on a runtime with worker threads, as the server's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_thousands_is_written_on_a_runtime_with_worker_threads() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let (store, owner) = (server.store(), owner_id(&server, &token).await);
    let mut tx = store.begin_write().await.expect("a write transaction");
    let shared =
        |n: i32| NewContact { share_type: ShareType::ReadWrite, ..NewContact::person(format!("Batch{n}"), "Member") };
    let people: Vec<NewContact> = (0..2_000).map(shared).collect();
    let ids = store.insert_contacts_bulk(tx.conn(), PortalId(1), &people, UserId(owner)).await.expect("inserted");
    tx.commit().await.expect("committed");

    let shared = server.call(
        &token,
        Method::PUT,
        "crm/contact/access",
        json!({"contactid": ids.iter().map(|id| id.0).collect::<Vec<_>>(), "isShared": false}),
    );
    let shared = shared.await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    assert_eq!(contacts_where(store, "Member", "share_type = 0").await, 2_000, "every listed contact is private");
    let deleted = server.call(
        &token,
        Method::PUT,
        "crm/contact",
        json!({"contactids": ids.iter().map(|id| id.0).collect::<Vec<_>>()}),
    );
    let deleted = deleted.await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    assert_eq!(contacts_named(store, "Member").await, 0, "every listed contact is gone");
}
