//! Contact details (`crm/contact/{id}/data`): phones, emails, addresses and the rest, single and
//! batch, with their categories and primary flags, and how contacts show them.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn person(server: &TestServer, token: &str, share_type: i64) -> i64 {
    let body = json!({"firstName": "Ann", "lastName": "Lee", "shareType": share_type});
    server.call(token, Method::POST, "crm/contact/person", body).await.id()
}

#[tokio::test]
async fn details_are_added_read_changed_and_deleted() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let id = person(&server, &owner, 1).await;
    let answer = server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{id}/data"),
            json!({"infoType": "Email", "data": "ann@example.com", "isPrimary": true, "category": "Work"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let email = answer.json()["response"].clone();
    let keys = common::shapes::keys(&email);
    assert_eq!(keys, ["id", "infoType", "category", "data", "categoryName", "isPrimary"]);
    assert_eq!(
        (email["infoType"].clone(), email["category"].clone(), email["categoryName"].clone()),
        (json!(1), json!(1), json!("Work"))
    );
    let phone = server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{id}/data"),
            json!({"infoType": 0, "data": "+1 555 0100", "category": "Mobile"}),
        )
        .await
        .json()["response"]
        .clone();
    assert_eq!(phone["categoryName"], "Mobile");
    let address =
        json!({"street": "Lubanas st. 125a-25", "city": "Riga", "zip": "LV-1021", "country": "Latvia"}).to_string();
    let answer = server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{id}/data"),
            json!({"infoType": "Address", "data": address, "category": "Postal"}),
        )
        .await;
    assert_eq!(answer.json()["response"]["categoryName"], "Delivery");

    let contact = server.get(&format!("crm/contact/{id}"), &owner).await.json()["response"].clone();
    assert_eq!(
        contact["addresses"],
        json!([{"street": "Lubanas st. 125a-25", "city": "Riga", "zip": "LV-1021", "country": "Latvia", "category": 1, "categoryName": "Delivery"}])
    );
    let common: Vec<i64> =
        contact["commonData"].as_array().unwrap().iter().map(|i| i["infoType"].as_i64().unwrap()).collect();
    assert_eq!(common, vec![0, 1], "ordered by type, addresses apart");

    let all = server.get(&format!("crm/contact/{id}/data"), &owner).await.json();
    assert_eq!(all["count"], 3);
    assert_eq!(all["response"][0]["infoType"], 7, "newest first");
    let email_id = email["id"].as_i64().unwrap();
    let changed = server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/{id}/data/{email_id}"),
            json!({"infoType": "Email", "data": "lee@example.com", "category": "Home"}),
        )
        .await;
    assert_eq!(changed.json()["response"]["data"], "lee@example.com");
    assert_eq!(
        server.get(&format!("crm/contact/{id}/data/{email_id}"), &owner).await.json()["response"]["categoryName"],
        "Home"
    );
    let deleted = server.call(&owner, Method::DELETE, &format!("crm/contact/{id}/data/{email_id}"), json!({})).await;
    assert_eq!(deleted.json()["response"]["id"], email_id);
    assert_eq!(server.get(&format!("crm/contact/{id}/data/{email_id}"), &owner).await.status, StatusCode::NOT_FOUND);
    // The filter finds contacts by their details too.
    let found = server.get("crm/contact/filter?filterValue=555%200100", &owner).await.json();
    assert_eq!(found["response"][0]["id"], id);
}

#[tokio::test]
async fn batches_add_or_replace_details() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let id = person(&server, &owner, 1).await;
    let items = json!({"items": [{"infoType": 2, "category": 1, "data": "https://example.com"}, {"infoType": "Skype", "data": "ann.lee"}]});
    let added = server.call(&owner, Method::POST, &format!("crm/contact/{id}/batch"), items).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(added.json()["count"], 2);
    let replaced = server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/{id}/batch"),
            json!({"items": [{"infoType": 1, "data": "only@example.com"}]}),
        )
        .await;
    assert_eq!(replaced.json()["count"], 1);
    assert_eq!(server.get(&format!("crm/contact/{id}/data"), &owner).await.json()["count"], 1);
    let types = server.get("crm/contact/data/infoType", &owner).await.json();
    assert_eq!(types["response"][7], "Address");
    let categories = server.get("crm/contact/data/Phone/category", &owner).await.json();
    assert_eq!(categories["response"], json!(["Home", "Work", "Mobile", "Fax", "Direct", "Other"]));
}

#[tokio::test]
async fn bad_details_are_400_and_rights_are_checked() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let id = person(&server, &owner, 2).await;
    for (body, name) in [
        (json!({"data": "x"}), "infoType"),
        (json!({"infoType": "Fax", "data": "x"}), "infoType"),
        (json!({"infoType": "Email"}), "data"),
        (json!({"infoType": "Email", "data": "x", "category": "Mobile"}), "category"),
        (json!({"infoType": "Address", "data": "not json"}), "data"),
        (json!({"infoType": "Email", "data": "x", "isPrimary": "maybe"}), "isPrimary"),
    ] {
        let answer = server.call(&owner, Method::POST, &format!("crm/contact/{id}/data"), body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{}", answer.text);
    }
    let answer = server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{id}/batch"),
            json!({"items": [{"infoType": 1, "data": "a@b"}, {"infoType": 1}]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        server.get(&format!("crm/contact/{id}/data"), &owner).await.json()["response"],
        json!([]),
        "nothing half-written"
    );
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    assert_eq!(
        server.get(&format!("crm/contact/{id}/data"), &user).await.status,
        StatusCode::OK,
        "read-shared: readable"
    );
    let answer = server
        .call(&user, Method::POST, &format!("crm/contact/{id}/data"), json!({"infoType": 1, "data": "x@y"}))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "no edit right: 404, as the original");
}

#[tokio::test]
async fn addresses_have_their_own_endpoints() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let id = person(&server, &owner, 1).await;
    let body = json!({"address": {"street": "Lubanas st. 125a-25", "city": "Riga", "zip": "LV-1021", "country": "Latvia", "category": 2, "isPrimary": true}});
    let added = server.call(&owner, Method::POST, &format!("crm/contact/{id}/addressdata"), body).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let info = added.json()["response"].clone();
    assert_eq!(
        (info["infoType"].clone(), info["categoryName"].clone(), info["isPrimary"].clone()),
        (json!(7), json!("Office"), json!(true))
    );
    let info_id = info["id"].as_i64().unwrap();
    let form = [("address[city]", "Tallinn"), ("address[country]", "Estonia"), ("address[category]", "3")];
    let changed =
        server.form(Some(&owner), Method::PUT, &format!("crm/contact/{id}/addressdata/{info_id}"), &form).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let address = server.get(&format!("crm/contact/{id}"), &owner).await.json()["response"]["addresses"][0].clone();
    assert_eq!(address, json!({"city": "Tallinn", "country": "Estonia", "category": 3, "categoryName": "Billing"}));
    for body in [json!({}), json!({"address": {"city": "X", "category": 9}})] {
        let answer = server.call(&owner, Method::POST, &format!("crm/contact/{id}/addressdata"), body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains("address"));
    }
    let email = server
        .call(&owner, Method::POST, &format!("crm/contact/{id}/data"), json!({"infoType": 1, "data": "a@b"}))
        .await
        .id();
    let answer = server
        .call(&owner, Method::PUT, &format!("crm/contact/{id}/addressdata/{email}"), json!({"address": {"city": "Y"}}))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "an email is not an address");
}
