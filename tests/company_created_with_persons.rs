//! `POST crm/contact/company` with `personList`: the persons the caller may edit join the new
//! company in the same transaction; the others are skipped, as the original skips what it may
//! not read.

mod common;

use common::{spawn, Role};
use portald::model::CompanyId;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_persons_listed_that_the_caller_may_edit_join_the_new_company() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("uma", Role::User).await;
    let (writable, read_only, hidden) = (
        server.add_person(&owner, "Wri", 1).await,
        server.add_person(&owner, "Rea", 2).await,
        server.add_person(&owner, "Hid", 0).await,
    );
    let other = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Old", "shareType": 1}))
        .await
        .id();

    let created = server
        .call(
            &user,
            Method::POST,
            "crm/contact/company",
            json!({"companyName": "New", "shareType": 1, "personList": [writable, read_only, hidden, other, 0, -2, 987654]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let company = created.json()["response"].clone();
    let id = company["id"].as_i64().unwrap();
    assert_eq!(company["personsCount"], 1, "{company}");

    let stored = |id: i64| {
        let server = &server;
        async move { server.store().contact(1, id).await.unwrap().unwrap() }
    };
    assert_eq!(stored(writable).await.company_id, Some(CompanyId(id)), "a person he may edit joins");
    assert_eq!(stored(read_only).await.company_id, None, "read-only: skipped");
    assert_eq!(stored(hidden).await.company_id, None, "hidden: skipped");
    assert_eq!(stored(other).await.company_id, None, "a company is no person");
    let members = server.get(&format!("crm/contact/company/{id}/person"), &owner).await.json_ok();
    assert_eq!(members["response"].as_array().unwrap().len(), 1);
    assert_eq!(members["response"][0]["id"], writable);

    // A person moves from his company to the new one.
    let next = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Next", "personList": [writable]}))
        .await
        .id();
    assert_eq!(stored(writable).await.company_id, Some(CompanyId(next)));

    let bad = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Bad", "personList": ["x"]}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"]["message"].as_str().unwrap().contains("personList"), "{}", bad.text);
}
