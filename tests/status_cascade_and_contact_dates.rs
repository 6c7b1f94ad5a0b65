//! `PUT crm/contact/company/{companyid}/status` and `PUT crm/contact/person/{personid}/status`
//! (the company–persons status cascade), and the original's date setters
//! `PUT crm/contact/{contactid}/creationdate` and `.../lastmodifeddate`.

mod common;

use chrono::{TimeZone, Utc};
use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(server: &TestServer, token: &str, path: &str, body: Value) -> i64 {
    server.call(token, Method::POST, path, body).await.id()
}

async fn status_of(server: &TestServer, id: i64) -> i64 {
    server.store().contact(1, id).await.unwrap().unwrap().status_id
}

#[tokio::test]
async fn a_company_status_reaches_the_persons_the_caller_may_edit() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("uma", Role::User).await;
    let statuses = server.get("crm/contact/status", &owner).await.json_ok();
    let (cold, warm) =
        (statuses["response"][0]["id"].as_i64().unwrap(), statuses["response"][1]["id"].as_i64().unwrap());
    let company = create(&server, &owner, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1})).await;
    let person = |name: &'static str, share: i64| {
        let (server, owner) = (&server, &owner);
        let body = json!({"firstName": name, "lastName": "X", "shareType": share, "companyId": company});
        async move { create(server, owner, "crm/contact/person", body).await }
    };
    let (writable, hidden, read_only) = (person("W", 1).await, person("H", 0).await, person("R", 2).await);
    let lone =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "L", "lastName": "X", "shareType": 1})).await;

    let answer = server
        .call(&user, Method::PUT, &format!("crm/contact/company/{company}/status"), json!({"contactStatusid": cold}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["response"]["id"], company);
    assert_eq!(answer.json()["response"]["contactStatus"]["id"], cold, "the answer shows the new status");
    assert_eq!(status_of(&server, company).await, cold);
    assert_eq!(status_of(&server, writable).await, cold, "a person he may edit follows");
    assert_eq!(status_of(&server, hidden).await, 0, "a hidden person does not");
    assert_eq!(status_of(&server, read_only).await, 0, "nor a read-only one");

    // The person form: the company he may edit, with its persons, takes the status.
    let answer = server
        .call(&owner, Method::PUT, &format!("crm/contact/person/{read_only}/status"), json!({"contactStatusid": warm}))
        .await;
    assert_eq!(answer.json_ok()["response"]["id"], read_only);
    assert_eq!(answer.json()["response"]["contactStatus"]["id"], warm);
    for id in [company, writable, hidden, read_only] {
        assert_eq!(status_of(&server, id).await, warm, "contact {id}");
    }
    assert_eq!(status_of(&server, lone).await, 0);
    let answer = server
        .call(&user, Method::PUT, &format!("crm/contact/person/{lone}/status"), json!({"contactStatusid": cold}))
        .await;
    assert_eq!(answer.json_ok()["response"]["contactStatus"]["id"], cold, "a person without a company: himself");
    assert_eq!(status_of(&server, lone).await, cold);

    // No status (0) clears it; refusals change nothing.
    let cleared = server
        .call(&owner, Method::PUT, &format!("crm/contact/company/{company}/status"), json!({"contactStatusid": 0}))
        .await
        .json_ok();
    assert!(cleared["response"].get("contactStatus").is_none());
    assert_eq!(status_of(&server, hidden).await, 0);
    for (token, path, status, expected) in [
        (&user, format!("crm/contact/person/{read_only}/status"), cold, StatusCode::FORBIDDEN),
        (&user, format!("crm/contact/person/{hidden}/status"), cold, StatusCode::NOT_FOUND),
        (&owner, format!("crm/contact/company/{writable}/status"), cold, StatusCode::NOT_FOUND),
        (&owner, format!("crm/contact/person/{company}/status"), cold, StatusCode::NOT_FOUND),
        (&owner, format!("crm/contact/company/{company}/status"), 987654, StatusCode::NOT_FOUND),
        (&owner, format!("crm/contact/company/{company}/status"), -1, StatusCode::BAD_REQUEST),
        (&owner, "crm/contact/company/0/status".to_string(), cold, StatusCode::BAD_REQUEST),
    ] {
        let answer = server.call(token, Method::PUT, &path, json!({"contactStatusid": status})).await;
        assert_eq!(answer.status, expected, "{path} {status}: {}", answer.text);
    }
    assert_eq!(status_of(&server, read_only).await, 0);
    assert_eq!(status_of(&server, company).await, 0);
}

#[tokio::test]
async fn creation_and_last_change_dates_are_set_as_given() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("uma", Role::User).await;
    let shared =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "A", "lastName": "X", "shareType": 1})).await;
    let read_only =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "B", "lastName": "X", "shareType": 2})).await;
    let hidden =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "C", "lastName": "X", "shareType": 0})).await;

    let answer = server
        .call(
            &user,
            Method::PUT,
            &format!("crm/contact/{shared}/creationdate"),
            json!({"creationDate": "2020-01-02T03:04:05Z"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["response"], json!({}));
    let stored = server.store().contact(1, shared).await.unwrap().unwrap();
    assert_eq!(stored.created_at, Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).unwrap());
    let shown = server.get(&format!("crm/contact/{shared}"), &owner).await.json_ok();
    assert!(
        shown["response"]["created"].as_str().unwrap().starts_with("2020-01-02"),
        "{}",
        shown["response"]["created"]
    );

    let answer = server
        .call(
            &user,
            Method::PUT,
            &format!("crm/contact/{shared}/lastmodifeddate"),
            json!({"lastModifedDate": "2021-06-07T08:09:10Z"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let stored = server.store().contact(1, shared).await.unwrap().unwrap();
    assert_eq!(stored.modified_at, Utc.with_ymd_and_hms(2021, 6, 7, 8, 9, 10).unwrap());
    assert_eq!(stored.created_at, Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).unwrap(), "the other date stays");

    let date = json!({"creationDate": "2019-01-01T00:00:00Z"});
    for (id, expected) in
        [(read_only, StatusCode::FORBIDDEN), (hidden, StatusCode::NOT_FOUND), (987654, StatusCode::NOT_FOUND)]
    {
        let answer = server.call(&user, Method::PUT, &format!("crm/contact/{id}/creationdate"), &date).await;
        assert_eq!(answer.status, expected, "{id}: {}", answer.text);
    }
    assert_ne!(server.store().contact(1, read_only).await.unwrap().unwrap().created_at.timestamp(), 1_546_300_800);
    for body in [json!({}), json!({"creationDate": "soon"})] {
        let answer = server.call(&owner, Method::PUT, &format!("crm/contact/{shared}/creationdate"), &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains("creationDate"), "{}", answer.text);
    }
}
