//! A server answers a contact or a contact list page asked for again with the answer it rendered
//! before, while no commit happened since, in any process (docs/performance.md, parts 12 and
//! 15). Each write another process makes shows at the next request (on PostgreSQL, the next
//! once its change notice reached the server); a kept answer is never shown to another caller,
//! in another format or for another page.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;

/// Runs one statement through a connection of its own, as another process would.
async fn elsewhere(server: &TestServer, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&server.db.url).await.expect("another connection");
    let done = sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(done.rows_affected() > 0, "{sql} changed nothing");
    conn.close().await.unwrap();
}

/// The contact's answer, asked twice so that the second may be a kept one; both the same.
async fn read_twice(server: &TestServer, token: &str, path: &str) -> Value {
    let first = server.get(path, token).await;
    let second = server.get(path, token).await;
    assert_eq!(first.text, second.text, "{path}: two reads with no write between answer alike");
    second.json_ok()["response"].clone()
}

/// The answer, read twice alike, once it shows what `holds` asks: at the next request after a
/// write elsewhere (on PostgreSQL, the next once the change notice arrived, which may come
/// between the two reads).
async fn read_twice_once(server: &TestServer, token: &str, path: &str, holds: impl Fn(&Value) -> bool) -> Value {
    let alike = || async {
        let first = server.get(path, token).await.text;
        let second = server.get(path, token).await;
        (first == second.text).then(|| second.json_ok()["response"].clone())
    };
    common::eventually(alike, |read| read.as_ref().is_some_and(&holds)).await.expect("read alike")
}

#[tokio::test]
async fn every_kind_of_change_by_another_process_shows_at_the_next_read() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let company = server.call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Acme"})).await.id();
    let person = server
        .call(
            &owner,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": "Ann", "lastName": "Lee", "companyId": company}),
        )
        .await
        .id();
    let path = format!("crm/contact/{person}");
    server
        .call(&owner, Method::POST, &format!("{path}/data"), json!({"infoType": "Email", "data": "ann@example.com"}))
        .await
        .json_ok();
    server.call(&owner, Method::POST, &format!("crm/contact/{person}/tag"), json!({"tagName": "vip"})).await.json_ok();
    let shown = read_twice(&server, &owner, &path).await;
    assert_eq!(shown["lastName"], "Lee");
    assert_eq!(shown["company"]["displayName"], "Acme");
    assert_eq!(shown["commonData"][0]["data"], "ann@example.com");
    let creator = shown["createBy"]["displayName"].as_str().unwrap().to_string();

    // The contact's own row, its company's, a detail and the user who created it.
    elsewhere(&server, &format!("UPDATE crm_contacts SET last_name = 'Lin' WHERE id = {person}")).await;
    read_twice_once(&server, &owner, &path, |shown| shown["lastName"] == "Lin").await;
    elsewhere(&server, &format!("UPDATE crm_contacts SET company_name = 'Acme Two' WHERE id = {company}")).await;
    read_twice_once(&server, &owner, &path, |shown| shown["company"]["displayName"] == "Acme Two").await;
    elsewhere(&server, &format!("UPDATE crm_contact_info SET data = 'lee@example.com' WHERE contact_id = {person}"))
        .await;
    read_twice_once(&server, &owner, &path, |shown| shown["commonData"][0]["data"] == "lee@example.com").await;
    let creator_of = format!("(SELECT created_by FROM crm_contacts WHERE id = {person})");
    elsewhere(&server, &format!("UPDATE users SET last_name = 'Renamed' WHERE id IN {creator_of}")).await;
    let renamed =
        read_twice_once(&server, &owner, &path, |shown| shown["createBy"]["displayName"] != creator.as_str()).await;
    assert!(renamed["createBy"]["displayName"].as_str().unwrap().ends_with("Renamed"), "{renamed}");

    // A list page: a tag renamed and a detail deleted elsewhere, a contact added through the API.
    let page = "crm/contact/filter?count=25";
    let ann = |page: Value| page.as_array().unwrap().iter().find(|c| c["id"] == person).expect("Ann is listed").clone();
    let before = server.get(page, &owner).await.json_ok();
    assert_eq!(before["total"], 2);
    assert_eq!(ann(read_twice(&server, &owner, page).await)["tags"], json!(["vip"]));
    elsewhere(&server, "UPDATE crm_tags SET title = 'gold' WHERE title = 'vip'").await;
    read_twice_once(&server, &owner, page, |listed| ann(listed.clone())["tags"] == json!(["gold"])).await;
    elsewhere(&server, &format!("DELETE FROM crm_contact_info WHERE contact_id = {person}")).await;
    read_twice_once(&server, &owner, page, |listed| ann(listed.clone())["commonData"] == json!([])).await;
    server.call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Bo", "lastName": "Ng"})).await.id();
    assert_eq!(read_twice(&server, &owner, page).await.as_array().unwrap().len(), 3);

    // A contact imported by `portald import contacts`, a process of its own.
    let dir = tempfile::tempdir().unwrap();
    let card = dir.path().join("kim.vcf");
    std::fs::write(&card, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Park;Kim;;;\r\nFN:Kim Park\r\nEND:VCARD\r\n").unwrap();
    let card = card.to_str().unwrap();
    let (code, text) = common::portald(&["import", "contacts", card, "--database-url", &server.db.url]);
    assert_eq!(code, 0, "{text}");
    read_twice_once(&server, &owner, page, |listed| {
        listed.as_array().unwrap().iter().any(|c| c["displayName"] == "Kim Park")
    })
    .await;
}

#[tokio::test]
async fn a_kept_answer_is_only_the_same_callers_in_the_same_format_for_the_same_page() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("fay", Role::User).await;
    let private = server.add_person(&owner, "Gil", 0).await;
    let shared = server.add_person(&owner, "Hal", 1).await;
    let path = format!("crm/contact/{private}");
    assert_eq!(read_twice(&server, &owner, &path).await["firstName"], "Gil");
    // Another caller without rights to the contact: not the owner's answer.
    for _ in 0..2 {
        assert_eq!(server.get(&path, &user).await.status, StatusCode::NOT_FOUND);
    }
    // The same contact in XML, and the JSON again.
    let xml = server.get(&format!("{path}.xml"), &owner).await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(xml.text.starts_with("<?xml") || xml.text.starts_with('<'), "{}", xml.text);
    assert_eq!(server.get(&format!("{path}.xml"), &owner).await.text, xml.text);
    assert!(server.get(&format!("{path}.json"), &owner).await.text.starts_with('{'));
    // Pages: the owner's and the user's first pages, and the owner's second.
    let ids = |page: &Value| -> Vec<i64> {
        page["response"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    for _ in 0..2 {
        assert_eq!(ids(&server.get("crm/contact/filter?count=1", &owner).await.json_ok()), vec![shared]);
        assert_eq!(ids(&server.get("crm/contact/filter?count=1&startIndex=1", &owner).await.json_ok()), vec![private]);
        let users_page = server.get("crm/contact/filter?count=25", &user).await.json_ok();
        assert_eq!(ids(&users_page), vec![shared], "the user sees only the shared contact");
    }
}

#[tokio::test]
async fn rights_taken_away_elsewhere_hold_for_a_kept_answer() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (id, user) = server.add_user_and_login("ian", Role::User).await;
    let contact = server.add_person(&owner, "Jo", 0).await;
    let access = json!({"isShared": false, "managerList": [id]});
    server.call(&owner, Method::PUT, &format!("crm/contact/{contact}/access"), access).await.json_ok();
    let path = format!("crm/contact/{contact}");
    assert_eq!(read_twice(&server, &user, &path).await["firstName"], "Jo");
    elsewhere(&server, &format!("DELETE FROM crm_contact_managers WHERE contact_id = {contact}")).await;
    common::eventually(|| async { server.get(&path, &user).await.status }, |status| *status == StatusCode::NOT_FOUND)
        .await;
}
