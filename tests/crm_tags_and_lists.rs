//! Tags on contacts, company membership, quick creation, and contact statuses and types.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(server: &TestServer, token: &str, path: &str, body: Value) -> i64 {
    server.call(token, Method::POST, path, body).await.id()
}

#[tokio::test]
async fn tags_are_added_listed_removed_and_deleted() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let a = create(&server, &owner, "crm/contact/company", json!({"companyName": "A", "shareType": 1})).await;
    let b = create(&server, &owner, "crm/contact/company", json!({"companyName": "B", "shareType": 2})).await;
    let answer = server.call(&owner, Method::POST, &format!("crm/contact/{a}/tag"), json!({"tagName": "  vip "})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json()["response"], "vip");
    assert_eq!(answer.json()["count"], 3, "a string result counts its length");
    server.call(&owner, Method::POST, &format!("crm/contact/{a}/tag"), json!({"tagName": "VIP"})).await;
    server.call(&owner, Method::POST, "crm/contact/taglist", json!({"entityid": [a, b], "tagName": "lead"})).await;
    assert_eq!(server.get(&format!("crm/contact/{a}/tag"), &owner).await.json()["response"], json!(["lead", "vip"]));
    assert_eq!(server.get(&format!("crm/contact/tag/{b}"), &owner).await.json()["response"], json!(["lead"]));
    let listed = server.get("crm/contact/filter?sortBy=displayname", &owner).await.json();
    assert_eq!(listed["response"][0]["tags"], json!(["lead", "vip"]), "list mode shows tags");
    assert!(
        server.get(&format!("crm/contact/{a}"), &owner).await.json()["response"].get("tags").is_none(),
        "single mode does not"
    );
    assert_eq!(
        server.call(&owner, Method::POST, "crm/contact/tag", json!({"tagName": "Lead"})).await.status,
        StatusCode::BAD_REQUEST
    );
    server.call(&owner, Method::POST, "crm/contact/tag", json!({"tagName": "spare"})).await;
    let all = server.get("crm/contact/tag", &owner).await.json();
    assert_eq!(
        all["response"],
        json!([{"title": "lead", "relativeItemsCount": 2}, {"title": "spare"}, {"title": "vip", "relativeItemsCount": 1}])
    );

    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    assert_eq!(
        server.call(&user, Method::POST, &format!("crm/contact/{b}/tag"), json!({"tagName": "x"})).await.status,
        StatusCode::FORBIDDEN,
        "read-shared"
    );
    assert_eq!(
        server.call(&user, Method::DELETE, "crm/contact/tag", json!({"tagName": "lead"})).await.status,
        StatusCode::FORBIDDEN
    );
    let answer = server.call(&owner, Method::DELETE, &format!("crm/contact/{a}/tag?tagName=vip"), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        server.call(&owner, Method::DELETE, &format!("crm/contact/{a}/tag?tagName=nope"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let unused = server.call(&owner, Method::DELETE, "crm/contact/tag/unused", json!({})).await.json();
    assert_eq!(
        unused["response"],
        json!(["spare", "vip"]),
        "vip lost its last contact; the refused tag was never created"
    );
    let remaining = server.get("crm/contact/tag", &owner).await.json();
    assert_eq!(remaining["response"], json!([{"title": "lead", "relativeItemsCount": 2}]));
    server.call(&owner, Method::DELETE, "crm/contact/tag?tagName=LEAD", json!({})).await;
    assert_eq!(server.get(&format!("crm/contact/{b}/tag"), &owner).await.json()["response"], json!([]));
    assert_eq!(
        server.call(&owner, Method::POST, &format!("crm/contact/{a}/tag"), json!({"tagName": " "})).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn persons_join_and_leave_companies() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let company = create(&server, &owner, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1})).await;
    let person =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee", "shareType": 1}))
            .await;
    let joined = server
        .call(&owner, Method::POST, &format!("crm/contact/company/{company}/person"), json!({"personid": person}))
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
    assert_eq!(joined.json()["response"]["company"]["id"], company);
    assert_eq!(server.get(&format!("crm/contact/company/{company}/person"), &owner).await.json()["count"], 1);
    let left = server
        .call(&owner, Method::DELETE, &format!("crm/contact/company/{company}/person?personid={person}"), json!({}))
        .await;
    assert!(left.json()["response"].get("company").is_none());
    assert_eq!(
        server.get(&format!("crm/contact/company/{company}/person"), &owner).await.json()["response"],
        json!([])
    );
    assert_eq!(
        server
            .call(&owner, Method::POST, &format!("crm/contact/company/{person}/person"), json!({"personid": company}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.call(&owner, Method::POST, &format!("crm/contact/company/{company}/person"), json!({})).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn quick_creation_makes_the_creator_the_manager() {
    let server = spawn().await;
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    let answer = server
        .call(&user, Method::POST, "crm/contact/company/quick", json!({"companyName": ["Alpha", " ", "Beta"]}))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let created = answer.json()["response"].clone();
    assert_eq!(created.as_array().unwrap().len(), 2);
    assert_eq!(created[0]["isPrivate"], true);
    let id = created[0]["id"].as_i64().unwrap();
    assert_eq!(server.get(&format!("crm/contact/{id}"), &user).await.status, StatusCode::OK, "its creator manages it");
    let persons = server
        .call(
            &user,
            Method::POST,
            "crm/contact/person/quick",
            json!({"data": [{"key": "Ann", "value": "Lee"}, {"key": "Solo"}]}),
        )
        .await;
    assert_eq!(persons.json()["response"][0]["displayName"], "Ann Lee");
    assert_eq!(persons.json()["count"], 1);
    let none = server.call(&user, Method::POST, "crm/contact/person/quick", json!({"data": []})).await;
    assert_eq!(none.json()["response"], json!({}), "nothing to create: an empty result");
}

#[tokio::test]
async fn statuses_and_types_are_managed_by_admins() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let created =
        server.call(&owner, Method::POST, "crm/contact/status", json!({"title": "Frozen", "color": "#0000ff"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let status = created.json()["response"].clone();
    assert_eq!(status["sortOrder"], 3, "after the defaults");
    let id = status["id"].as_i64().unwrap();
    assert_eq!(
        server.call(&owner, Method::POST, "crm/contact/status", json!({"title": "No color"})).await.status,
        StatusCode::BAD_REQUEST
    );
    let contact =
        create(&server, &owner, "crm/contact/company", json!({"companyName": "Iceberg", "shareType": 1})).await;
    let answer = server
        .call(&owner, Method::PUT, &format!("crm/contact/{contact}/status"), json!({"contactStatusid": id}))
        .await;
    assert_eq!(answer.json()["response"]["contactStatus"]["title"], "Frozen");
    assert_eq!(
        server.get(&format!("crm/contact/status/{id}"), &owner).await.json()["response"]["relativeItemsCount"],
        1
    );
    assert_eq!(
        server.call(&owner, Method::DELETE, &format!("crm/contact/status/{id}"), json!({})).await.status,
        StatusCode::BAD_REQUEST,
        "in use"
    );
    assert_eq!(
        server
            .call(&owner, Method::PUT, &format!("crm/contact/{contact}/status"), json!({"contactStatusid": 9999}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    server.call(&owner, Method::PUT, &format!("crm/contact/{contact}/status"), json!({"contactStatusid": 0})).await;
    let renamed =
        server.call(&owner, Method::PUT, &format!("crm/contact/status/{id}"), json!({"title": "Glacial"})).await;
    assert_eq!(renamed.json()["response"]["title"], "Glacial");
    assert_eq!(
        server.call(&owner, Method::DELETE, &format!("crm/contact/status/{id}"), json!({})).await.status,
        StatusCode::OK
    );
    let kind = server
        .call(&owner, Method::POST, "crm/contact/type", json!({"title": "Reseller", "sortOrder": 9}))
        .await
        .json()["response"]
        .clone();
    assert_eq!(kind["sortOrder"], 9);
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    assert_eq!(
        server.call(&user, Method::POST, "crm/contact/type", json!({"title": "Mine"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(server.get("crm/contact/type", &user).await.json()["count"], 5);
}
