//! Ids the API shows are never handed out twice, as the original's AUTO_INCREMENT ids are not:
//! not after the newest record is deleted, not after a restart, and a database made before the
//! fix keeps every id, row and link when it is upgraded.

mod common;

use std::path::Path;

use common::{serve_args, Answer, Api, Options, TestDb};
use portald::app::{self, Server};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::migrate::Migrator;
use sqlx::Connection;

/// The owner's client of one running server.
struct Client {
    api: Api,
    token: String,
}

impl Client {
    async fn of(server: &Server) -> Client {
        let api = Api::new(&format!("http://{}", server.addr));
        let token = api.owner_token().await;
        Client { api, token }
    }

    async fn get(&self, path: &str) -> Answer {
        self.api.get(path, &self.token).await
    }

    /// Creates a record and returns the id the API shows.
    async fn create(&self, path: &str, body: Value) -> i64 {
        self.api.call(&self.token, Method::POST, path, body).await.id()
    }

    async fn delete(&self, path: &str) {
        self.api.call(&self.token, Method::DELETE, path, json!({})).await.json_ok();
    }
}

/// The kinds of record whose ids the API shows: how to create one and where it lives.
struct Kind {
    create: String,
    body: Value,
    /// The record's path without its id.
    at: String,
}

fn kinds(contact: i64, me: &str) -> Vec<Kind> {
    let kind = |create: &str, body: Value, at: &str| Kind { create: create.into(), body, at: at.into() };
    vec![
        kind("crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee"}), "crm/contact"),
        kind("project", json!({"title": "Apollo", "responsibleId": me}), "project"),
        kind(
            &format!("crm/contact/{contact}/data"),
            json!({"infoType": "Email", "data": "a@b.example"}),
            &format!("crm/contact/{contact}/data"),
        ),
        kind("crm/contact/status", json!({"title": "Warm", "color": "#ff0000"}), "crm/contact/status"),
        kind("crm/contact/customfield", json!({"label": "Size", "fieldType": 0}), "crm/contact/customfield"),
    ]
}

async fn start(db: &TestDb) -> Server {
    app::start(&serve_args(&db.url, &Options::default())).await.expect("server starts")
}

#[tokio::test]
async fn ids_of_deleted_records_are_not_handed_out_again_even_after_a_restart() {
    let db = TestDb::new().await;
    let server = start(&db).await;
    let client = Client::of(&server).await;
    let me = client.get("people/@self").await.json()["response"]["id"].as_str().unwrap().to_string();
    let contact = client.create("crm/contact/person", json!({"firstName": "Keep", "lastName": "Me"})).await;
    let mut deleted = Vec::new();
    for kind in kinds(contact, &me) {
        let newest = client.create(&kind.create, kind.body.clone()).await;
        client.delete(&format!("{}/{newest}", kind.at)).await;
        let next = client.create(&kind.create, kind.body.clone()).await;
        assert!(next > newest, "{}: id {newest} was deleted and {next} was handed out", kind.create);
        client.delete(&format!("{}/{next}", kind.at)).await;
        deleted.push(next);
    }
    server.shutdown().await.unwrap();

    let server = start(&db).await;
    let client = Client::of(&server).await;
    for (kind, deleted) in kinds(contact, &me).into_iter().zip(deleted) {
        let next = client.create(&kind.create, kind.body.clone()).await;
        assert!(next > deleted, "{} after a restart: id {deleted} was deleted and {next} was handed out", kind.create);
        if kind.at == "crm/contact" || kind.at == "project" {
            let status = client.get(&format!("{}/{deleted}", kind.at)).await.status;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}/{deleted} is gone for good", kind.at);
        }
    }
    server.shutdown().await.unwrap();
}

/// A database brought to the schema before the fix (migration 0008), with rows and links, is
/// upgraded by the server without changing an id, a row or a link; new ids continue above.
#[tokio::test]
async fn upgrading_an_older_database_keeps_every_id_row_and_link() {
    let db = TestDb::new().await;
    let dir = if common::use_postgres() { "migrations/postgres" } else { "migrations/sqlite" };
    let mut migrator = Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).await.unwrap();
    migrator.migrations = migrator.migrations.iter().filter(|m| m.version <= 8).cloned().collect::<Vec<_>>().into();
    sqlx::any::install_default_drivers();
    let url = if common::use_postgres() { db.url.clone() } else { format!("{}?mode=rwc", db.url) };
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    migrator.run(&mut conn).await.unwrap();
    // The highest ids were deleted before the upgrade (3 of contacts): only what is left counts.
    let rows = "INSERT INTO portals (id, created_at) VALUES (1, 0);
        INSERT INTO crm_contacts (id, portal_id, is_company, company_name, display_name, search_name, created_by, created_at, modified_by, modified_at)
            VALUES (1, 1, 1, 'Acme', 'Acme', 'acme', '00000000-0000-0000-0000-000000000001', 0, '00000000-0000-0000-0000-000000000001', 0);
        INSERT INTO crm_contacts (id, portal_id, is_company, first_name, last_name, display_name, search_name, company_id, created_by, created_at, modified_by, modified_at)
            VALUES (2, 1, 0, 'Ann', 'Lee', 'Ann Lee', 'ann lee', 1, '00000000-0000-0000-0000-000000000001', 0, '00000000-0000-0000-0000-000000000001', 0);
        INSERT INTO crm_contact_info (id, portal_id, contact_id, info_type, category, data) VALUES (7, 1, 2, 1, 0, 'ann@acme.example');
        INSERT INTO crm_tags (id, portal_id, title, title_key) VALUES (4, 1, 'vip', 'vip');
        INSERT INTO crm_contact_tags (portal_id, contact_id, tag_id) VALUES (1, 2, 4);
        INSERT INTO crm_list_items (id, portal_id, list_type, title, color) VALUES (9, 1, 1, 'Warm', '#ff0000');
        INSERT INTO crm_custom_fields (id, portal_id, entity_type, label, field_type, sort_order) VALUES (5, 1, 0, 'Size', 0, 0);
        INSERT INTO crm_custom_field_values (portal_id, field_id, contact_id, value) VALUES (1, 5, 2, 'XL');
        INSERT INTO projects (id, portal_id, title, status_changed, responsible_id, created_at, created_by, last_modified, last_modified_by)
            VALUES (6, 1, 'Apollo', 0, '00000000-0000-0000-0000-000000000001', 0, '00000000-0000-0000-0000-000000000001', 0, '00000000-0000-0000-0000-000000000001');
        INSERT INTO crm_project_links (portal_id, contact_id, project_id) VALUES (1, 2, 6);";
    for statement in rows.split(';').filter(|s| !s.trim().is_empty()) {
        sqlx::query(statement).execute(&mut conn).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    if common::use_postgres() {
        // Rows written with explicit ids, as the test does, do not advance an identity column;
        // the server's own inserts always do.
        for table in ["crm_contacts", "crm_contact_info", "crm_tags", "crm_list_items", "crm_custom_fields", "projects"]
        {
            let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))");
            sqlx::query(&sql).execute(&mut conn).await.unwrap();
        }
    }
    conn.close().await.unwrap();

    let server = start(&db).await;
    let client = Client::of(&server).await;
    let answer = client.get("crm/contact/2").await;
    let ann = answer.json();
    assert_eq!(answer.status, StatusCode::OK, "{ann}");
    let ann = &ann["response"];
    assert_eq!(ann["displayName"], "Ann Lee");
    assert_eq!(ann["company"]["id"], 1, "the link to the company is kept: {ann}");
    assert_eq!(ann["commonData"][0]["id"], 7, "{ann}");
    assert_eq!(ann["commonData"][0]["data"], "ann@acme.example");
    assert_eq!(ann["customFields"][0]["id"], 5, "{ann}");
    assert_eq!(ann["customFields"][0]["fieldValue"], "XL");
    let tags = client.get("crm/contact/tag/2").await.json();
    assert_eq!(tags["response"], json!(["vip"]));
    let projects = client.get("project/contact/2").await.json();
    assert_eq!(projects["response"][0]["id"], 6, "{projects}");
    let status = client.get("crm/contact/status/9").await.json();
    assert_eq!(status["response"]["title"], "Warm");
    let found = client.get("crm/contact/filter?filterValue=acme.example").await.json();
    assert_eq!(found["response"][0]["id"], 2, "the search index still finds the details: {found}");

    let next = client.create("crm/contact/person", json!({"firstName": "Bo", "lastName": "Ng"})).await;
    assert_eq!(next, 3, "numbering continues above the highest id");
    client.delete("crm/contact/3").await;
    let after = client.create("crm/contact/person", json!({"firstName": "Cy", "lastName": "Ng"})).await;
    assert_eq!(after, 4, "the upgraded database does not hand out a deleted id again");
    client.delete("crm/contact/1").await;
    let ann = client.get("crm/contact/2").await.json();
    assert_eq!(ann["response"]["company"], Value::Null, "foreign keys still act: {ann}");
    let details = client.get("crm/contact/2/data").await.json();
    assert_eq!(details["response"][0]["id"], 7, "the rebuild cascaded into no child table: {details}");
    server.shutdown().await.unwrap();
}
