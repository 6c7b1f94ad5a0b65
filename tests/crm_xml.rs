//! Every CRM read answers the same value in XML as in JSON: the same elements in the same order.

mod common;

use common::spawn;
use reqwest::Method;
use serde_json::{json, Value};

/// The element names a JSON value becomes, depth first, in order (arrays repeat their name).
fn element_names(name: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| element_names(name, item, out)),
        Value::Object(map) => {
            out.push(name.to_string());
            for (key, item) in map {
                element_names(key, item, out);
            }
        }
        _ => out.push(name.to_string()),
    }
}

/// The opening tags of an XML text, in order.
fn xml_names(text: &str) -> Vec<String> {
    text.split('<')
        .skip(1)
        .filter(|part| !part.starts_with('/'))
        .map(|part| part.split(['>', ' ', '/']).next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn crm_reads_answer_the_same_value_in_xml() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let company = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1}))
        .await
        .json()["response"]["id"]
        .clone();
    let person = server
        .call(
            &owner,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": "Ann", "lastName": "Lee", "companyId": company}),
        )
        .await
        .json()["response"]["id"]
        .clone();
    server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{person}/data"),
            json!({"infoType": "Address", "data": "{\"city\":\"Riga\"}"}),
        )
        .await;
    server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{person}/data"),
            json!({"infoType": "Email", "data": "ann@x.example"}),
        )
        .await;
    server.call(&owner, Method::POST, &format!("crm/contact/{person}/tag"), json!({"tagName": "vip"})).await;
    server.call(&owner, Method::POST, "crm/contact/customfield", json!({"label": "Note", "fieldType": 4})).await;
    for path in [
        format!("crm/contact/{person}"),
        format!("crm/contact/{company}"),
        "crm/contact/filter".to_string(),
        "crm/contact/simple/filter".to_string(),
        "crm/contact/byprefix?prefix=a".to_string(),
        "crm/contact/bycontactinfo?infoType=Email".to_string(),
        format!("crm/contact/{person}/data"),
        format!("crm/contact/{person}/tag"),
        "crm/contact/tag".to_string(),
        "crm/contact/status".to_string(),
        "crm/contact/type".to_string(),
        "crm/settings/currency".to_string(),
        "crm/contact/customfield/definitions".to_string(),
        format!("crm/contact/company/{company}/person"),
    ] {
        let json = server.get(&path, &owner).await.json();
        let (base, query) = path.split_once('?').map_or((path.as_str(), ""), |(b, q)| (b, q));
        let xml = server.get(&format!("{base}.xml?{query}"), &owner).await;
        assert!(xml.header("content-type").unwrap().starts_with("text/xml"), "{path}");
        let mut expected = Vec::new();
        element_names("result", &json, &mut expected);
        assert_eq!(xml_names(&xml.text), expected, "{path}: {}", xml.text);
    }
}
