//! Routing and binding as ASP.NET does them for the original: fixed words of a path in any
//! case, numeric ids that only digits reach, and lists of objects in the `name[][prop]` form.

mod common;

use common::spawn;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn fixed_words_of_a_path_match_in_any_case_and_values_keep_theirs() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    for path in ["People/@Self", "crm/Contact/FILTER", "crm/contact/data/infotype", "CRM/contact/status.json"] {
        let answer = server.get(path, &owner).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
    }
    let types = server.get("crm/contact/data/infotype", &owner).await.json();
    assert_eq!(types["response"][1], "Email");
    // A value keeps its case: the tag is found under the name it was given.
    let person = server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee"}))
        .await
        .id();
    server.call(&owner, Method::POST, &format!("crm/contact/{person}/tag"), json!({"tagName": "VIP"})).await.json_ok();
    let tags = server.get(&format!("CRM/Contact/Tag/{person}"), &owner).await.json();
    assert_eq!(tags["response"], json!(["VIP"]));
    let xml = server.get("crm/CONTACT/status.xml", &owner).await;
    assert!(xml.header("content-type").unwrap_or_default().starts_with("text/xml"), "{}", xml.text);
}

#[tokio::test]
async fn a_word_where_a_route_takes_a_numeric_id_matches_no_route() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    for (method, path) in [
        (Method::GET, "crm/contact/email"),
        (Method::PUT, "crm/contact/status/resort"),
        (Method::GET, "crm/contact/-1"),
        (Method::DELETE, "crm/contact/1x/project/2"),
    ] {
        let answer = server.send(server.request(method.clone(), path, Some(&owner))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}: {}", answer.text);
        assert_eq!(answer.json()["error"]["message"], "Method not found", "{path}");
    }
    // Digits still reach the route, which answers for the record.
    let missing = server.get("crm/contact/987654", &owner).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_ne!(missing.json()["error"]["message"], "Method not found");
}

#[tokio::test]
async fn objects_sent_with_empty_brackets_bind_one_each_time_a_property_repeats() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let body =
        "contacts[][type]=skype&contacts[][value]=ann.lee&contacts[][type]=mail&contacts[][value]=ann@example.org";
    let answer = server
        .send(
            server
                .request(Method::POST, "people/@self/contacts", Some(&owner))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let contacts = &answer.json()["response"]["contacts"];
    assert_eq!(
        contacts,
        &json!([{"type": "skype", "value": "ann.lee"}, {"type": "mail", "value": "ann@example.org"}]),
        "{}",
        answer.text
    );
    let one = server
        .send(
            server
                .request(Method::PUT, "people/@self/contacts", Some(&owner))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("contacts[][type]=phone&contacts[][value]=555"),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.json()["response"]["contacts"].as_array().map(Vec::len), Some(3), "{}", one.text);
}
