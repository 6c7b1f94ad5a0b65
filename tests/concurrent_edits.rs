//! Two clients changing one record at once: each change that was answered 200 holds afterwards.
//! Every scenario runs for many rounds, since a lost update shows only when the two writes
//! interleave; the assertions are on the stored state, never on timing.

mod common;

use common::{spawn, Role, TestServer};
use portald::model::{CompanyId, ShareType};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ROUNDS: usize = 40;

/// Sends two requests at once and returns their statuses and bodies, in the order given.
async fn race(
    server: &TestServer,
    first: reqwest::RequestBuilder,
    second: reqwest::RequestBuilder,
) -> [common::Answer; 2] {
    let (a, b) = tokio::join!(server.send(first), server.send(second));
    [a, b]
}

async fn create(server: &TestServer, token: &str, path: &str, body: Value) -> i64 {
    let answer = server.call(token, Method::POST, path, &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    answer.json()["response"]["id"].as_i64().expect("id")
}

async fn owner_id(server: &TestServer, token: &str) -> String {
    let me = server.get("people/@self", token).await.json();
    me["response"]["id"].as_str().expect("owner id").to_string()
}

#[tokio::test]
async fn making_a_contact_private_holds_against_a_concurrent_status_change() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let owner_id = owner_id(&server, &owner).await;
    let (_, user) = server.add_user_and_login("sam", Role::User).await;
    let statuses = server.get("crm/contact/status", &owner).await.json();
    let status = statuses["response"][0]["id"].as_i64().expect("a default status");

    for round in 0..ROUNDS {
        let id = create(
            &server,
            &owner,
            "crm/contact/person",
            json!({"firstName": "Pat", "lastName": format!("Round{round}"), "shareType": 1}),
        )
        .await;
        let [private, status_change] = race(
            &server,
            server
                .request(Method::PUT, &format!("crm/contact/{id}/access"), Some(&owner))
                .json(&json!({"isShared": false, "managerList": [owner_id]})),
            server
                .request(Method::PUT, &format!("crm/contact/{id}/status"), Some(&user))
                .json(&json!({"contactStatusid": status})),
        )
        .await;
        assert_eq!(private.status, StatusCode::OK, "{}", private.text);
        assert_eq!(private.json()["response"]["isPrivate"], true);

        let stored = server.store().contact(1, id).await.unwrap().expect("contact kept");
        assert_eq!(stored.share_type, ShareType::None, "round {round}: the contact went public again");
        assert_eq!(stored.managers.iter().map(|m| m.to_string()).collect::<Vec<_>>(), vec![owner_id.clone()]);
        match status_change.status {
            // The status change came first: it holds, and so does the privacy after it.
            StatusCode::OK => assert_eq!(stored.status_id, status, "round {round}"),
            // It came after the contact went private: the user no longer sees it.
            StatusCode::NOT_FOUND => assert_eq!(stored.status_id, 0, "round {round}"),
            other => panic!("round {round}: status change answered {other}: {}", status_change.text),
        }
        assert_eq!(server.get(&format!("crm/contact/{id}"), &user).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn two_edits_of_different_fields_of_a_contact_both_hold() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let company = create(&server, &owner, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1})).await;

    for round in 0..ROUNDS {
        let id = create(
            &server,
            &owner,
            "crm/contact/person",
            json!({"firstName": "Lee", "lastName": "Before", "shareType": 1}),
        )
        .await;
        let title = format!("Title {round}");
        let [rename, retitle] = race(
            &server,
            server
                .request(Method::PUT, &format!("crm/contact/person/{id}"), Some(&owner))
                .json(&json!({"lastName": format!("After{round}")})),
            server
                .request(Method::PUT, &format!("crm/contact/person/{id}"), Some(&owner))
                .json(&json!({"jobTitle": title})),
        )
        .await;
        assert_eq!(rename.status, StatusCode::OK, "{}", rename.text);
        assert_eq!(retitle.status, StatusCode::OK, "{}", retitle.text);
        // Each answer shows its own change.
        assert_eq!(rename.json()["response"]["lastName"], format!("After{round}"));
        assert_eq!(retitle.json()["response"]["title"], title);

        let [join, status] = race(
            &server,
            server
                .request(Method::POST, &format!("crm/contact/company/{company}/person"), Some(&owner))
                .json(&json!({"personid": id})),
            server
                .request(Method::PUT, &format!("crm/contact/{id}/status"), Some(&owner))
                .json(&json!({"contactStatusid": 0})),
        )
        .await;
        assert_eq!(join.status, StatusCode::CREATED, "{}", join.text);
        assert_eq!(status.status, StatusCode::OK, "{}", status.text);

        let stored = server.store().contact(1, id).await.unwrap().expect("contact kept");
        assert_eq!(stored.last_name, format!("After{round}"), "round {round}: the rename was lost");
        assert_eq!(stored.title.as_deref(), Some(title.as_str()), "round {round}: the title was lost");
        assert_eq!(stored.company_id, Some(CompanyId(company)), "round {round}: joining the company was lost");
        let read = server.get(&format!("crm/contact/{id}"), &owner).await.json();
        assert_eq!(read["response"]["displayName"], format!("Lee After{round}"));
    }
}

#[tokio::test]
async fn making_a_project_private_and_shrinking_its_team_holds_against_a_rename() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let owner_id = owner_id(&server, &owner).await;
    let (member, member_token) = server.add_user_and_login("kim", Role::User).await;

    for round in 0..ROUNDS / 2 {
        let id = create(
            &server,
            &owner,
            "project",
            json!({"title": format!("Plan {round}"), "responsibleId": owner_id, "participants": [owner_id, member.to_string()]}),
        )
        .await;
        let [close_up, rename] = race(
            &server,
            server
                .request(Method::PUT, &format!("project/{id}"), Some(&owner))
                .json(&json!({"private": true, "participants": [owner_id]})),
            server
                .request(Method::PUT, &format!("project/{id}"), Some(&owner))
                .json(&json!({"title": format!("Renamed {round}")})),
        )
        .await;
        assert_eq!(close_up.status, StatusCode::OK, "{}", close_up.text);
        assert_eq!(rename.status, StatusCode::OK, "{}", rename.text);

        let stored = server.store().project(1, id).await.unwrap().expect("project kept");
        assert!(stored.is_private, "round {round}: the project went public again");
        assert_eq!(stored.team.iter().map(|m| m.to_string()).collect::<Vec<_>>(), vec![owner_id.clone()]);
        assert_eq!(stored.title, format!("Renamed {round}"), "round {round}: the rename was lost");
        assert_eq!(server.get(&format!("project/{id}"), &member_token).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_status_is_never_deleted_while_a_contact_is_given_it() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let contact =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "Ada", "lastName": "Status"})).await;

    for round in 0..ROUNDS {
        let status = create(
            &server,
            &owner,
            "crm/contact/status",
            json!({"title": format!("Stage {round}"), "color": "#112233"}),
        )
        .await;
        let [assign, delete] = race(
            &server,
            server
                .request(Method::PUT, &format!("crm/contact/{contact}/status"), Some(&owner))
                .json(&json!({"contactStatusid": status})),
            server.request(Method::DELETE, &format!("crm/contact/status/{status}"), Some(&owner)),
        )
        .await;
        let stored = server.store().contact(1, contact).await.unwrap().expect("contact kept");
        let statuses = server.get("crm/contact/status", &owner).await.json();
        let exists = statuses["response"].as_array().expect("statuses").iter().any(|s| s["id"] == status);
        match (assign.status, delete.status) {
            // Given first: the delete sees the status in use and refuses.
            (StatusCode::OK, StatusCode::BAD_REQUEST) => {
                assert!(exists, "round {round}");
                assert_eq!(stored.status_id, status, "round {round}");
            }
            // Deleted first: the contact cannot be given a status that is gone.
            (StatusCode::NOT_FOUND, StatusCode::OK) => assert!(!exists, "round {round}"),
            other => panic!("round {round}: {other:?}: {} / {}", assign.text, delete.text),
        }
        assert!(
            stored.status_id == 0 || exists,
            "round {round}: the contact holds deleted status {}",
            stored.status_id
        );
        // Free the status for the next round's contact state.
        let clear = server
            .call(&owner, Method::PUT, &format!("crm/contact/{contact}/status"), json!({"contactStatusid": 0}))
            .await;
        assert_eq!(clear.status, StatusCode::OK);
    }
}
