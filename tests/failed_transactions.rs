//! A transaction that failed in a way SQLite ends on its own leaves the server able to write.

mod common;

use common::spawn;
use portald::store::Args;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// After some errors (a full disk, an I/O error, a corrupt page) SQLite rolls the whole
/// transaction back itself. sqlx's own ROLLBACK then fails, and its connection went on counting
/// the transaction as open: it refused every later one ("attempted to call begin_with at
/// non-zero transaction depth"), so every write answered 500 until the server restarted.
#[tokio::test]
async fn writes_go_on_after_the_database_ended_a_transaction_itself() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let mut tx = server.store().begin_write().await.expect("a write transaction");
    // What SQLite does by itself after such an error.
    tx.conn().execute("ROLLBACK", &Args::default()).await.expect("the transaction ends");
    drop(tx);

    for name in ["After", "Again"] {
        let created = server
            .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": name, "lastName": "Failure"}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{name}: {}", created.text);
    }
    let found = server.get("crm/contact/filter?filterValue=failure", &owner).await.json();
    assert_eq!(found["total"], json!(2), "both contacts were written: {found}");
}
