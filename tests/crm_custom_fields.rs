//! Custom fields: admins define them for contacts, companies or persons; values are set on a
//! contact (or at creation with `customFieldList`) and shown in its `customFields`.

mod common;

use common::{spawn, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn definitions_values_and_what_contacts_show() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let birthdate = server
        .call(&owner, Method::POST, "crm/person/customfield", json!({"label": "Birthdate", "fieldType": 5}))
        .await;
    assert_eq!(birthdate.status, StatusCode::CREATED, "{}", birthdate.text);
    let birthdate = birthdate.json()["response"].clone();
    let keys = common::shapes::keys(&birthdate);
    assert_eq!(keys, ["relativeItemsCount", "entityId", "label", "fieldValue", "fieldType", "position", "mask", "id"]);
    assert_eq!((birthdate["entityId"].clone(), birthdate["fieldValue"].clone()), (json!(-1), json!(" ")));
    let heading = server
        .call(&owner, Method::POST, "crm/contact/customfield", json!({"label": "Details", "fieldType": 4}))
        .await
        .id();
    let size = server
        .call(
            &owner,
            Method::POST,
            "crm/company/customfield",
            json!({"label": "Size", "fieldType": 2, "mask": "[\"small\",\"large\"]"}),
        )
        .await
        .json()["response"]
        .clone();
    assert_eq!(size["mask"], "[\"small\",\"large\"]");
    let field = birthdate["id"].as_i64().unwrap();

    let person = server.call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee", "shareType": 1, "customFieldList": [{"key": field, "value": "1990-05-01"}]})).await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.text);
    let shown = person.json()["response"]["customFields"].clone();
    let labels: Vec<&str> = shown.as_array().unwrap().iter().map(|f| f["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Birthdate", "Details"], "the value, and the heading without one");
    let id = person.id();
    assert_eq!(shown[0]["fieldValue"], "1990-05-01");
    assert_eq!(shown[0]["entityId"], id);
    let answer = server
        .call(
            &owner,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": "B", "lastName": "C", "customFieldList": [{"key": size["id"], "value": "small"}]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "a company field on a person");

    let set = server
        .call(
            &owner,
            Method::POST,
            &format!("crm/person/{id}/customfield/{field}"),
            json!({"fieldValue": "1991-01-01"}),
        )
        .await;
    assert_eq!(set.json()["response"]["fieldValue"], "1991-01-01");
    let fields = server.get(&format!("crm/person/{id}/customfield"), &owner).await.json();
    assert_eq!(fields["response"][0]["fieldValue"], "1991-01-01");
    let definitions = server.get("crm/person/customfield/definitions", &owner).await.json();
    assert_eq!(definitions["count"], 2, "person and contact definitions");
    assert_eq!(definitions["response"][0]["relativeItemsCount"], 1);
    server.call(&owner, Method::POST, &format!("crm/person/{id}/customfield/{field}"), json!({"fieldValue": ""})).await;
    assert_eq!(
        server.get(&format!("crm/person/{id}/customfield"), &owner).await.json()["count"],
        1,
        "an empty value removes it"
    );

    let renamed =
        server.call(&owner, Method::PUT, &format!("crm/person/customfield/{field}"), json!({"label": "Born"})).await;
    assert_eq!(renamed.json()["response"]["label"], "Born");
    let deleted = server.call(&owner, Method::DELETE, &format!("crm/contact/customfield/{heading}"), json!({})).await;
    assert_eq!(deleted.json()["response"]["label"], "Details");
    assert_eq!(server.get(&format!("crm/contact/{id}"), &owner).await.json()["response"]["customFields"], json!([]));
}

#[tokio::test]
async fn only_admins_define_and_bad_definitions_are_400() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    assert_eq!(
        server.call(&user, Method::POST, "crm/contact/customfield", json!({"label": "X"})).await.status,
        StatusCode::FORBIDDEN
    );
    for (body, name) in [
        (json!({"fieldType": 0}), "label"),
        (json!({"label": "X", "fieldType": 9}), "fieldType"),
        (json!({"label": "X", "fieldType": 2, "mask": "oops"}), "mask"),
        (json!({"label": "X", "fieldType": 2, "mask": "[]"}), "mask"),
    ] {
        let answer = server.call(&owner, Method::POST, "crm/contact/customfield", body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name));
    }
    assert_eq!(server.get("crm/contact/customfield/definitions", &owner).await.json()["response"], json!([]));
    let field = server.call(&owner, Method::POST, "crm/contact/customfield", json!({"label": "Note"})).await.id();
    let shared = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Readers", "shareType": 2}))
        .await
        .id();
    let answer = server
        .call(&user, Method::POST, &format!("crm/company/{shared}/customfield/{field}"), json!({"fieldValue": "mine"}))
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "read-shared: no writes");
    assert_eq!(
        server
            .call(&owner, Method::POST, &format!("crm/company/{shared}/customfield/999"), json!({"fieldValue": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
