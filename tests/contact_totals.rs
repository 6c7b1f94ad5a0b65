//! The total of an unfiltered contact list (or one filtered by kind and sharing only) comes
//! from totals the database keeps per portal, kind and share type (migration 0019), not from a
//! walk over the contacts. These tests hold those totals to the contacts the list pages show,
//! after every kind of write, for an admin and for a user who reads shared contacts and the
//! private ones he manages, and after many clients wrote at once.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::Method;
use serde_json::json;

/// The views whose total the kept totals answer.
const VIEWS: &[&str] = &[
    "",
    "&contactListView=1",
    "&contactListView=2",
    "&isShared=true",
    "&isShared=false",
    "&contactListView=2&isShared=false",
];

/// For each view: its `total`, and how many contacts its pages list.
async fn totals_and_listed(server: &TestServer, token: &str) -> Vec<(String, u64, usize)> {
    let mut found = Vec::new();
    for view in VIEWS {
        let answer = server.get(&format!("crm/contact/filter?count=1000{view}"), token).await;
        assert_eq!(answer.status, 200, "{view}: {}", answer.text);
        let body = answer.json();
        let total = body["total"].as_u64().expect("a numeric total");
        found.push((view.to_string(), total, body["response"].as_array().expect("a list").len()));
    }
    found
}

/// Every view's total equals what its pages list, for each caller; on PostgreSQL also once the
/// appended rows are folded.
async fn assert_totals_agree(server: &TestServer, callers: &[(&str, &str)], step: &str) {
    for fold in [false, true] {
        if fold {
            server.store().fold_contact_counts().await.expect("folding the totals");
        }
        for (who, token) in callers {
            for (view, total, listed) in totals_and_listed(server, token).await {
                assert_eq!(total, listed as u64, "{step}: {who}'s total of view '{view}' (folded: {fold})");
            }
        }
    }
}

#[tokio::test]
async fn list_totals_follow_every_kind_of_write_for_admins_and_users() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (user_id, user) = server.add_user_and_login("reader", Role::User).await;
    let callers = [("the owner", owner.as_str()), ("a user", user.as_str())];
    assert_totals_agree(&server, &callers, "a new portal").await;

    let mut persons = Vec::new();
    for (n, share_type) in [0, 1, 2, 0, 1, 2, 0].into_iter().enumerate() {
        persons.push(server.add_person(&owner, &format!("P{n}"), share_type).await);
    }
    let company = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Acme", "shareType": 0}))
        .await
        .id();
    let managed = server.add_person(&owner, "Managed", 0).await;
    server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/{managed}/access"),
            json!({"isShared": false, "managerList": [user_id]}),
        )
        .await
        .json_ok();
    assert_totals_agree(&server, &callers, "created").await;
    let user_sees = totals_and_listed(&server, &user).await[0].1;
    assert_eq!(user_sees, 5, "four shared persons and the private one he manages");

    server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/{}/access", persons[0]),
            json!({"isShared": true, "managerList": []}),
        )
        .await
        .json_ok();
    server
        .call(
            &owner,
            Method::PUT,
            "crm/contact/access",
            json!({"contactid": [persons[1], persons[2]], "isShared": false, "managerList": [user_id]}),
        )
        .await
        .json_ok();
    assert_totals_agree(&server, &callers, "access changed").await;

    // A share type changed by an edit that leaves the managers as they are.
    for (share_type, step) in [(1, "shared by an edit"), (0, "made private by an edit")] {
        server
            .call(
                &owner,
                Method::PUT,
                &format!("crm/contact/person/{managed}"),
                json!({"firstName": "Managed", "lastName": "Person", "shareType": share_type}),
            )
            .await
            .json_ok();
        assert_totals_agree(&server, &callers, step).await;
    }

    server.call(&owner, Method::PUT, "crm/contact", json!({"contactids": [persons[3], persons[4]]})).await.json_ok();
    server.call(&owner, Method::DELETE, &format!("crm/contact/{company}"), json!({})).await.json_ok();
    assert_totals_agree(&server, &callers, "deleted").await;

    server
        .call(&owner, Method::PUT, "crm/contact/merge", json!({"fromcontactid": persons[5], "tocontactid": persons[6]}))
        .await
        .json_ok();
    assert_totals_agree(&server, &callers, "merged").await;
    let findings = server.store().engine_findings().await.expect("the check runs");
    assert!(findings.is_empty(), "portald check finds nothing: {findings:?}");
}

#[tokio::test]
async fn totals_stay_exact_when_many_clients_write_at_once() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (user_id, user) = server.add_user_and_login("reader", Role::User).await;
    let writers = (0..8).map(|client| {
        let (api, owner) = (server.api.clone(), owner.clone());
        tokio::spawn(async move {
            let mut mine = Vec::new();
            for n in 0..12 {
                let body = json!({"firstName": format!("W{client}-{n}"), "lastName": "X", "shareType": n % 3});
                mine.push(api.call(&owner, Method::POST, "crm/contact/person", body).await.id());
                if n % 4 == 3 {
                    let shared =
                        json!({"contactid": &mine[mine.len() - 2..], "isShared": n % 8 == 3, "managerList": [user_id]});
                    api.call(&owner, Method::PUT, "crm/contact/access", shared).await.json_ok();
                }
                if n % 5 == 4 {
                    api.call(&owner, Method::PUT, "crm/contact", json!({"contactids": [mine.remove(0)]}))
                        .await
                        .json_ok();
                }
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.expect("a writer");
    }
    assert_totals_agree(&server, &[("the owner", owner.as_str()), ("a user", user.as_str())], "after the writers")
        .await;
    let findings = server.store().engine_findings().await.expect("the check runs");
    assert!(findings.is_empty(), "portald check finds nothing: {findings:?}");
}
