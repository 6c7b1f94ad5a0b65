//! `GET crm/contact/{contactid}/data/{infoType}`: the data of a contact's details of one type,
//! beside `GET crm/contact/{contactid}/data/{id}`, which a number still reaches.

mod common;

use common::{spawn, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn a_type_name_lists_the_data_of_that_type_and_a_number_the_detail() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let post = |path: String, body: Value| {
        let (server, owner) = (&server, &owner);
        async move { server.call(owner, Method::POST, &path, body).await.json_ok()["response"].clone() }
    };
    let person = post("crm/contact/person".into(), json!({"firstName": "Ann", "lastName": "Lee", "shareType": 0}))
        .await["id"]
        .as_i64()
        .unwrap();
    let mut email_ids = Vec::new();
    for (info_type, data) in [("Email", "first@example.com"), ("Phone", "+1 555"), ("Email", "second@example.com")] {
        let added = post(format!("crm/contact/{person}/data"), json!({"infoType": info_type, "data": data})).await;
        if info_type == "Email" {
            email_ids.push(added["id"].as_i64().unwrap());
        }
    }

    let emails = server.get(&format!("crm/contact/{person}/data/Email"), &owner).await;
    assert_eq!(emails.status, StatusCode::OK, "{}", emails.text);
    assert_eq!(emails.json()["response"], json!(["first@example.com", "second@example.com"]), "oldest first");
    assert_eq!(emails.json()["count"], 2);
    let by_lower_case = server.get(&format!("crm/contact/{person}/data/phone"), &owner).await.json();
    assert_eq!(by_lower_case["response"], json!(["+1 555"]), "type names bind in any case");
    let none = server.get(&format!("crm/contact/{person}/data/Skype"), &owner).await.json();
    assert_eq!(none["response"], json!([]));
    let xml = server.get(&format!("crm/contact/{person}/data/Email.xml"), &owner).await;
    assert!(
        xml.text.contains("<response>first@example.com</response><response>second@example.com</response>"),
        "{}",
        xml.text
    );

    let detail = server.get(&format!("crm/contact/{person}/data/{}", email_ids[1]), &owner).await.json();
    assert_eq!(detail["response"]["data"], "second@example.com", "a number is a detail's id");
    assert_eq!(detail["response"]["infoType"], 1, "Email");

    let unknown = server.get(&format!("crm/contact/{person}/data/Pager"), &owner).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.json()["error"]["message"].as_str().unwrap().contains("'infoType'"), "{}", unknown.text);

    // A private contact is missing to whoever may not read it, its details of a type too.
    let (_, email, password) = server.add_user("ursula", Role::User).await;
    let user = server.login(&email, &password).await;
    let hidden = server.get(&format!("crm/contact/{person}/data/Email"), &user).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.text);
}
