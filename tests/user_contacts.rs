//! `POST`, `PUT` and `DELETE people/{userid}/contacts`: replace, merge and remove a user's
//! contact entries, sent as JSON or bracket forms; who may do it; the full profile answered.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn send_contacts(server: &TestServer, method: Method, user: &str, token: &str, body: Value) -> common::Answer {
    server.call(token, method, &format!("people/{user}/contacts"), &body).await
}

fn contacts(answer: &common::Answer) -> Value {
    answer.json()["response"].get("contacts").cloned().unwrap_or(json!([]))
}

#[tokio::test]
async fn post_replaces_put_merges_delete_removes_matching_entries() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let set = json!({"contacts": [{"type": "skype", "value": "a"}, {"type": "mail", "value": "a@x"}, {"type": "mail", "value": "b@x"}]});
    let answer = send_contacts(&server, Method::POST, "@self", &token, set).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json()["response"]["userName"], "owner", "answers the full profile");
    assert_eq!(
        contacts(&answer),
        json!([{"type": "skype", "value": "a"}, {"type": "mail", "value": "a@x"}, {"type": "mail", "value": "b@x"}])
    );

    let merge = json!({"contacts": [{"type": "skype", "value": "a"}, {"type": "phone", "value": "123"}]});
    let answer = send_contacts(&server, Method::PUT, "@self", &token, merge).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(contacts(&answer).as_array().unwrap().len(), 4, "the pair already present is not added twice");

    let remove = json!({"contacts": [{"type": "mail", "value": "b@x"}, {"type": "phone", "value": "999"}]});
    let answer = send_contacts(&server, Method::DELETE, "@self", &token, remove).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        contacts(&answer),
        json!([{"type": "skype", "value": "a"}, {"type": "mail", "value": "a@x"}, {"type": "phone", "value": "123"}])
    );

    let answer =
        send_contacts(&server, Method::DELETE, "@self", &token, json!({"contacts": [{"type": "skype"}]})).await;
    assert_eq!(
        contacts(&answer),
        json!([{"type": "mail", "value": "a@x"}, {"type": "phone", "value": "123"}]),
        "no value: every entry of the type"
    );

    let answer = send_contacts(
        &server,
        Method::DELETE,
        "@self",
        &token,
        json!({"contacts": [{"type": "Mail", "value": "a@x"}]}),
    )
    .await;
    assert_eq!(contacts(&answer).as_array().unwrap().len(), 2, "types compare case-sensitively");

    // An item without a type is ignored, as the original's DeleteContacts does (no 400): the
    // others in the same list still apply.
    for body in
        [json!({"contacts": [{"value": "a@x"}]}), json!({"contacts": [{"type": "", "value": "a@x"}, {"type": "  "}]})]
    {
        let answer = send_contacts(&server, Method::DELETE, "@self", &token, body.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "{body}: {}", answer.text);
        assert_eq!(contacts(&answer).as_array().unwrap().len(), 2, "{body} removes nothing");
    }
    let answer = send_contacts(
        &server,
        Method::DELETE,
        "@self",
        &token,
        json!({"contacts": [{"value": "x"}, {"type": "phone", "value": "123"}]}),
    )
    .await;
    assert_eq!(contacts(&answer), json!([{"type": "mail", "value": "a@x"}]), "typed items beside it apply");
    let answer =
        send_contacts(&server, Method::PUT, "@self", &token, json!({"contacts": [{"type": "phone", "value": "123"}]}))
            .await;
    assert_eq!(answer.status, StatusCode::OK);

    // What the next read shows is what was stored.
    let stored = server.get("people/@self", &token).await;
    assert_eq!(contacts(&stored), json!([{"type": "mail", "value": "a@x"}, {"type": "phone", "value": "123"}]));
}

#[tokio::test]
async fn every_body_form_binds_including_a_single_object() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let answer =
        send_contacts(&server, Method::POST, "@self", &token, json!({"contacts": [{"type": "gtalk", "value": "one"}]}))
            .await;
    assert_eq!(
        contacts(&answer),
        json!([{"type": "gtalk", "value": "one"}]),
        "a one-object JSON array is a list of one"
    );
    for form in [
        "contacts[0][Type]=GTalk&contacts[0][Value]=x&contacts[1][Type]=skype&contacts[1][Value]=y",
        "contacts[0].type=GTalk&contacts[0].value=x&contacts[1].type=skype&contacts[1].value=y",
    ] {
        let answer = server
            .send(
                server
                    .request(Method::POST, "people/@self/contacts", Some(&token))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(form),
            )
            .await;
        assert_eq!(
            contacts(&answer),
            json!([{"type": "GTalk", "value": "x"}, {"type": "skype", "value": "y"}]),
            "{form}"
        );
    }
    let answer = server
        .send(server.request(
            Method::DELETE,
            "people/@self/contacts?contacts[0][type]=GTalk&contacts[0][value]=x",
            Some(&token),
        ))
        .await;
    assert_eq!(contacts(&answer), json!([{"type": "skype", "value": "y"}]), "DELETE parameters in the query");
    let xml = server
        .form(
            Some(&token),
            Method::PUT,
            "people/@self/contacts.xml",
            &[("contacts[0][type]", "mail"), ("contacts[0][value]", "z@z")],
        )
        .await;
    assert!(xml.text.contains("<contacts><type>skype</type><value>y</value></contacts><contacts><type>mail</type><value>z@z</value></contacts>"), "{}", xml.text);
}

#[tokio::test]
async fn who_may_change_whose_contacts() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, admin) = server.add_user_and_login("adam", Role::Admin).await;
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    let (_, guest) = server.add_user_and_login("gina", Role::Guest).await;
    let body = json!({"contacts": [{"type": "skype", "value": "s"}]});
    let cases = [
        (&user, "ursula", StatusCode::CREATED),
        (&user, "@self", StatusCode::CREATED),
        (&guest, "gina", StatusCode::CREATED),
        (&admin, "ursula", StatusCode::CREATED),
        (&owner, "adam", StatusCode::CREATED),
        (&user, "gina", StatusCode::FORBIDDEN),
        (&guest, "ursula", StatusCode::FORBIDDEN),
        (&user, "owner", StatusCode::FORBIDDEN),
        (&admin, "owner", StatusCode::FORBIDDEN),
        (&user, "nobody", StatusCode::NOT_FOUND),
    ];
    for (token, target, expected) in cases {
        let before = server.get(&format!("people/{target}"), &owner).await;
        let answer = send_contacts(&server, Method::POST, target, token, body.clone()).await;
        assert_eq!(answer.status, expected, "POST {target}: {}", answer.text);
        if expected == StatusCode::FORBIDDEN {
            assert_eq!(server.get(&format!("people/{target}"), &owner).await.text, before.text, "nothing changed");
        }
    }
    let answer = server.call_with(None, Method::DELETE, "people/ursula/contacts", &body).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_items_are_400_and_change_nothing() {
    let server = spawn().await;
    let token = server.owner_token().await;
    send_contacts(&server, Method::POST, "@self", &token, json!({"contacts": [{"type": "skype", "value": "keep"}]}))
        .await;
    let cases = [
        (json!({"contacts": [{"type": "", "value": "x"}]}), "contacts[0].type"),
        (json!({"contacts": [{"type": "a", "value": "x"}, {"type": "b"}]}), "contacts[1].value"),
        (json!({"contacts": [{"type": "x".repeat(65), "value": "x"}]}), "contacts[0]"),
        (json!({"contacts": "flat"}), "contacts"),
    ];
    for (body, name) in cases {
        for method in [Method::POST, Method::PUT] {
            let answer = send_contacts(&server, method.clone(), "@self", &token, body.clone()).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{method} {body}");
            assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{}", answer.text);
        }
    }
    let many: Vec<Value> = (0..101).map(|i| json!({"type": "phone", "value": i.to_string()})).collect();
    let answer = send_contacts(&server, Method::POST, "@self", &token, json!({ "contacts": many })).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(contacts(&server.get("people/@self", &token).await), json!([{"type": "skype", "value": "keep"}]));
}
