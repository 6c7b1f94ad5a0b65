//! `PUT crm/contact/merge` (`fromcontactid`, `tocontactid`): what hangs on the source moves to
//! the target as the original's MergeDublicate moves it, in one transaction, then the source
//! is deleted; the answer is the target.

mod common;

use common::{spawn, Role, TestServer};
use portald::model::InfoId;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(server: &TestServer, token: &str, path: &str, body: Value) -> i64 {
    server.call(token, Method::POST, path, body).await.id()
}

async fn post(server: &TestServer, token: &str, path: String, body: Value) {
    server.call(token, Method::POST, &path, body).await.json_ok();
}

/// A contact's details as stored: (type, category, data, primary), sorted.
async fn details(server: &TestServer, id: i64) -> Vec<(i64, i64, String, bool)> {
    let infos = server.store().contact_infos(1.into(), id.into()).await.unwrap();
    assert!(infos.iter().all(|i| i.id != InfoId::UNSAVED));
    let mut all: Vec<_> = infos.into_iter().map(|i| (i.info_type, i.category, i.data, i.is_primary)).collect();
    all.sort();
    all
}

#[tokio::test]
async fn a_person_merges_into_another_with_his_details_tags_fields_and_links() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json_ok()["response"]["id"].clone();
    let project = create(&server, &owner, "project", json!({"title": "P", "responsibleId": me})).await;
    let status = server.get("crm/contact/status", &owner).await.json_ok()["response"][1]["id"].as_i64().unwrap();
    let field = |label: &'static str| {
        let (server, owner) = (&server, &owner);
        async move { create(server, owner, "crm/person/customfield", json!({"label": label, "fieldType": 0})).await }
    };
    let (kept, moved) = (field("Kept").await, field("Moved").await);
    let company = create(&server, &owner, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1})).await;
    let source = create(
        &server,
        &owner,
        "crm/contact/person",
        json!({"firstName": "Ann", "lastName": "Lee", "jobTitle": "CTO", "about": "from Ann", "shareType": 1,
               "companyId": company, "customFieldList": [{"key": kept, "value": "a"}, {"key": moved, "value": "a2"}]}),
    )
    .await;
    let target = create(
        &server,
        &owner,
        "crm/contact/person",
        json!({"firstName": "Anne", "lastName": "Lee", "shareType": 1, "customFieldList": [{"key": kept, "value": "b"}]}),
    )
    .await;
    server
        .call(&owner, Method::PUT, &format!("crm/contact/{source}/status"), json!({"contactStatusid": status}))
        .await
        .json_ok();
    for (id, items) in [
        (
            source,
            json!([{"infoType": "Email", "data": "a@x.example", "isPrimary": true},
                   {"infoType": "Email", "data": "shared@x.example"},
                   {"infoType": "Phone", "data": "+1 555", "isPrimary": true}]),
        ),
        (
            target,
            json!([{"infoType": "Email", "data": "b@x.example", "isPrimary": true},
                   {"infoType": "Email", "data": "shared@x.example"}]),
        ),
    ] {
        post(&server, &owner, format!("crm/contact/{id}/batch"), json!({"items": items})).await;
    }
    for (id, tag) in [(source, "vip"), (source, "ann-only"), (target, "vip")] {
        post(&server, &owner, format!("crm/contact/{id}/tag"), json!({"tagName": tag})).await;
    }
    post(&server, &owner, format!("crm/contact/{source}/project/{project}"), json!({})).await;

    let merged = server
        .call(&owner, Method::PUT, "crm/contact/merge", json!({"fromcontactid": source, "tocontactid": target}))
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    let answer = merged.json()["response"].clone();
    assert_eq!(answer["id"], target);
    assert_eq!(
        (&answer["firstName"], &answer["title"], &answer["about"]),
        (&json!("Anne"), &json!("CTO"), &json!("from Ann"))
    );
    assert_eq!(answer["contactStatus"]["id"], status, "an empty status takes the source's");
    assert_eq!(answer["company"]["id"], company, "so does a missing company");
    assert_eq!(answer["commonData"].as_array().unwrap().len(), 4, "{answer}");

    assert!(server.store().contact(1, source).await.unwrap().is_none(), "the source is gone");
    let (email, phone, work) = (1, 0, 1);
    assert_eq!(
        details(&server, target).await,
        vec![
            (phone, work, "+1 555".into(), true),
            (email, work, "a@x.example".into(), false),
            (email, work, "b@x.example".into(), true),
            (email, work, "shared@x.example".into(), false),
        ],
        "a second primary email stops being primary; the same detail is kept once"
    );
    assert_eq!(server.store().contact_tags(1, target).await.unwrap(), vec!["ann-only".to_string(), "vip".to_string()]);
    assert_eq!(server.store().project_contact_ids(1, project).await.unwrap(), vec![target]);
    let fields = server.get(&format!("crm/person/{target}/customfield"), &owner).await.json_ok();
    let value = |id: i64| {
        fields["response"].as_array().unwrap().iter().find(|f| f["id"] == id).map(|f| f["fieldValue"].clone())
    };
    assert_eq!((value(kept), value(moved)), (Some(json!("b")), Some(json!("a2"))), "the target's own value stays");

    let same = server
        .call(&owner, Method::PUT, "crm/contact/merge", json!({"fromcontactid": target, "tocontactid": target}))
        .await;
    assert_eq!(same.json_ok()["response"]["id"], target, "into itself: nothing changes");
    assert!(server.store().contact(1, target).await.unwrap().is_some());
}

#[tokio::test]
async fn a_company_merges_with_its_persons_and_refusals_change_nothing() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("uma", Role::User).await;
    let company = |name: &'static str, share: i64| {
        let (server, owner) = (&server, &owner);
        async move { create(server, owner, "crm/contact/company", json!({"companyName": name, "shareType": share})).await }
    };
    let (source, target) = (company("Old", 1).await, company("New", 1).await);
    let (read_only, hidden) = (company("Ro", 2).await, company("Hidden", 0).await);
    let member = create(
        &server,
        &owner,
        "crm/contact/person",
        json!({"firstName": "M", "lastName": "X", "shareType": 1, "companyId": source}),
    )
    .await;

    for (token, body, expected, name) in [
        (&user, json!({"fromcontactid": source, "tocontactid": read_only}), StatusCode::FORBIDDEN, ""),
        (&user, json!({"fromcontactid": read_only, "tocontactid": target}), StatusCode::FORBIDDEN, ""),
        (&user, json!({"fromcontactid": hidden, "tocontactid": target}), StatusCode::NOT_FOUND, ""),
        (&owner, json!({"fromcontactid": member, "tocontactid": target}), StatusCode::BAD_REQUEST, "tocontactid"),
        (&owner, json!({"fromcontactid": 0, "tocontactid": target}), StatusCode::BAD_REQUEST, "fromcontactid"),
        (&owner, json!({"fromcontactid": source}), StatusCode::BAD_REQUEST, "tocontactid"),
        (&owner, json!({"fromcontactid": source, "tocontactid": 987654}), StatusCode::NOT_FOUND, ""),
    ] {
        let answer = server.call(token, Method::PUT, "crm/contact/merge", &body).await;
        assert_eq!(answer.status, expected, "{body}: {}", answer.text);
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{}", answer.text);
    }
    for id in [source, target, read_only, hidden, member] {
        assert!(server.store().contact(1, id).await.unwrap().is_some(), "{id} is still there");
    }

    let merged = server
        .call(&user, Method::PUT, "crm/contact/merge", json!({"fromcontactid": source, "tocontactid": target}))
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
    assert_eq!(merged.json()["response"]["personsCount"], 1);
    assert!(server.store().contact(1, source).await.unwrap().is_none());
    assert_eq!(
        server.store().contact(1, member).await.unwrap().unwrap().company_id,
        Some(portald::model::CompanyId(target)),
        "its person moved along"
    );
}
