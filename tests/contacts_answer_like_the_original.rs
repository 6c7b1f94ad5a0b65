//! Contact answers carry every key the original always sends, in the original's shapes, and the
//! lenient inputs the original takes are taken: empty texts as `""`, the single-contact shape
//! from `POST crm/contact/project/{projectid}`, a removed manager as "Profile has been removed",
//! no managers in the batch-delete answers, non-positive ids in id lists skipped, a person
//! without a last name.

mod common;

use common::spawn;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn empty_texts_are_sent_as_empty_strings() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let person = server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee"}))
        .await
        .json_ok()["response"]
        .clone();
    assert_eq!((&person["about"], &person["industry"], &person["title"]), (&json!(""), &json!(""), &json!("")));
    let company =
        server.call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Acme"})).await.json_ok()
            ["response"]
            .clone();
    assert_eq!((&company["about"], &company["industry"]), (&json!(""), &json!("")));
    assert!(company.get("title").is_none(), "a company has no title member");
    let listed = server.get("crm/contact/filter", &owner).await.json_ok();
    for contact in listed["response"].as_array().unwrap() {
        assert_eq!(contact["about"], "", "lists too: {contact}");
        assert_eq!(contact["industry"], "");
    }
    let xml = server.get(&format!("crm/contact/{}.xml", person["id"]), &owner).await;
    assert!(xml.text.contains("<title></title>") || xml.text.contains("<title />"), "{}", xml.text);
}

#[tokio::test]
async fn linking_a_list_to_a_project_answers_the_single_contact_shape() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json_ok()["response"]["id"].clone();
    let project =
        server.call(&owner, Method::POST, "project", json!({"title": "Launch", "responsibleId": me})).await.id();
    let person = server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee"}))
        .await
        .id();
    server.call(&owner, Method::POST, &format!("crm/contact/{person}/tag"), json!({"tagName": "vip"})).await.json_ok();

    let linked = server
        .call(&owner, Method::POST, &format!("crm/contact/project/{project}"), json!({"contactid": [person]}))
        .await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    let item = linked.json()["response"][0].clone();
    assert_eq!(item["addresses"], json!([]), "addresses always, empty too");
    assert!(item.get("tags").is_none(), "the single-contact wrapper has no tags: {item}");
    assert_eq!(server.store().project_contact_ids(1, project).await.unwrap(), vec![person]);
}

#[tokio::test]
async fn an_unknown_manager_is_listed_as_the_removed_profile() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json_ok()["response"]["id"].as_str().unwrap().to_string();
    let gone = "0f0e0d0c-0b0a-0908-0706-050403020100";
    let person = server
        .call(
            &owner,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": "Ann", "lastName": "Lee", "shareType": 0,
                   "managerList": [me, gone, "00000000-0000-0000-0000-000000000000"]}),
        )
        .await;
    let list = person.json_ok()["response"]["accessList"].clone();
    assert_eq!(list.as_array().unwrap().len(), 2, "the empty GUID is no manager: {list}");
    let lost = list.as_array().unwrap().iter().find(|u| u["id"] != json!(me)).expect("the unknown manager").clone();
    assert_eq!(lost["id"], "4a515a15-d4d6-4b8e-828e-e0586f18f3a3", "Constants.LostUser");
    assert_eq!(lost["displayName"], "Profile has been removed");
    assert!(lost["profileUrl"].as_str().unwrap().ends_with("/Products/People/Profile.aspx?"), "{lost}");
    let id = person.id();
    let access = server.get(&format!("crm/contact/{id}/access"), &owner).await.json_ok();
    assert_eq!(access["response"].as_array().unwrap().len(), 2, "{access}");
}

#[tokio::test]
async fn the_batch_delete_answer_shows_no_managers() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json_ok()["response"]["id"].clone();
    let private = json!({"firstName": "Ann", "lastName": "Lee", "shareType": 0, "managerList": [me]});
    let first = server.call(&owner, Method::POST, "crm/contact/person", &private).await.id();
    let second = server.call(&owner, Method::POST, "crm/contact/person", &private).await.id();

    let deleted = server.call(&owner, Method::PUT, "crm/contact", json!({"contactids": [first]})).await.json_ok();
    let item = &deleted["response"][0];
    assert_eq!(item["id"], first);
    assert!(item.get("accessList").is_none(), "{item}");
    assert_eq!((&item["isPrivate"], &item["shareType"]), (&json!(false), &json!(0)));
    assert!(server.store().contact(1, first).await.unwrap().is_none());

    let by_filter = server.call(&owner, Method::DELETE, "crm/contact/filter", json!({})).await.json_ok();
    assert_eq!(by_filter["response"][0]["id"], second);
    assert!(by_filter["response"][0].get("accessList").is_none());
}

#[tokio::test]
async fn zero_and_negative_ids_in_id_lists_are_skipped() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json_ok()["response"]["id"].clone();
    let project = server.call(&owner, Method::POST, "project", json!({"title": "P", "responsibleId": me})).await.id();
    let (a, b) = (server.add_person(&owner, "A", 1).await, server.add_person(&owner, "B", 1).await);

    let linked = server
        .call(&owner, Method::POST, &format!("crm/contact/project/{project}"), json!({"contactid": [0, a, -3]}))
        .await;
    assert_eq!(linked.json_ok()["response"].as_array().unwrap().len(), 1);
    assert_eq!(server.store().project_contact_ids(1, project).await.unwrap(), vec![a]);

    let shared =
        server.call(&owner, Method::PUT, "crm/contact/access", json!({"contactid": [-1, b], "isShared": false})).await;
    assert_eq!(shared.json_ok()["response"][0]["id"], b);
    assert_eq!(server.store().contact(1, b).await.unwrap().unwrap().share_type, portald::model::ShareType::None);

    let none = server.call(&owner, Method::PUT, "crm/contact", json!({"contactids": [0, -7]})).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert_eq!(none.json()["response"], json!([]));
    let deleted = server.call(&owner, Method::PUT, "crm/contact", json!({"contactids": [0, a]})).await.json_ok();
    assert_eq!(deleted["response"][0]["id"], a);
    assert!(server.store().contact(1, a).await.unwrap().is_none());

    let missing = server.call(&owner, Method::PUT, "crm/contact", json!({})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "an absent list is still a 400");
}

#[tokio::test]
async fn a_person_may_be_created_without_a_last_name() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let created =
        server.call(&owner, Method::POST, "crm/contact/person", json!({"firstName": " Cher ", "lastName": ""})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let person = created.json()["response"].clone();
    assert_eq!((&person["firstName"], &person["lastName"]), (&json!("Cher"), &json!("")));
    assert_eq!(person["displayName"], "Cher ", "the original's separator stays");
    let stored = server.store().contact(1, person["id"].as_i64().unwrap()).await.unwrap().unwrap();
    assert_eq!((stored.first_name.as_str(), stored.last_name.as_str()), ("Cher", ""));

    let no_first =
        server.call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "", "lastName": "X"})).await;
    assert_eq!(no_first.status, StatusCode::BAD_REQUEST);
    let left_out = server.call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "X"})).await;
    assert_eq!(left_out.status, StatusCode::BAD_REQUEST, "left out (the original fails with a 500) is a 400");
    let id = person["id"].as_i64().unwrap();
    let update = server
        .call(&owner, Method::PUT, &format!("crm/contact/person/{id}"), json!({"firstName": "C", "lastName": ""}))
        .await;
    assert_eq!(update.status, StatusCode::BAD_REQUEST, "an update still needs one, as the original's: {}", update.text);
}
