//! The groups API: departments, their members and manager, and how profiles show them.

mod common;

use common::{spawn, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn admins_create_change_and_delete_groups() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (ann, _, _) = server.add_user("ann", Role::User).await;
    let (bob, _, _) = server.add_user("bob", Role::User).await;
    let body =
        json!({"groupName": "Sales", "groupManager": ann.to_string(), "members": [ann.to_string(), bob.to_string()]});
    let answer = server.call(&owner, Method::POST, "group", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let group = answer.json()["response"].clone();
    let keys = common::shapes::keys(&group);
    assert_eq!(keys, ["id", "name", "category", "parent", "description", "manager", "members"]);
    assert_eq!(group["name"], "Sales");
    assert_eq!(group["category"], "00000000-0000-0000-0000-000000000000");
    assert_eq!(group["description"], Value::Null);
    assert_eq!(group["manager"]["id"], ann.to_string());
    assert_eq!(group["members"].as_array().unwrap().len(), 2);
    let id = group["id"].as_str().unwrap().to_string();

    let list = server.get("group", &owner).await.json();
    assert_eq!(list["response"], json!([{"id": id, "name": "Sales", "manager": "ann"}]));
    let profile = server.get("people/bob", &owner).await.json()["response"].clone();
    assert_eq!(profile["department"], "Sales");
    assert_eq!(profile["groups"], json!([{"id": id, "name": "Sales", "manager": "ann"}]));

    let answer = server.call(&owner, Method::PUT, &format!("group/{id}"), json!({"groupName": "Sales & Co"})).await;
    assert_eq!(answer.json()["response"]["members"].as_array().unwrap().len(), 2, "members kept when not sent");
    let answer = server
        .form(Some(&owner), Method::DELETE, &format!("group/{id}/members"), &[("members[]", bob.to_string())])
        .await;
    assert_eq!(answer.json()["response"]["members"].as_array().unwrap().len(), 1);
    let answer =
        server.form(Some(&owner), Method::PUT, &format!("group/{id}/members"), &[("members", bob.to_string())]).await;
    assert_eq!(answer.json()["response"]["members"].as_array().unwrap().len(), 2);
    let profile = server.get("people/bob", &owner).await.json()["response"].clone();
    assert_eq!(profile["department"], "Sales &amp; Co", "names are HTML-encoded in department");
    assert_eq!(server.get(&format!("group/user/{bob}"), &owner).await.json()["count"], 1);
    assert_eq!(server.get("group/search?groupName=Co", &owner).await.json()["count"], 1);
    assert_eq!(
        server.get("group/search?groupName=co", &owner).await.json()["response"],
        json!([]),
        "case-sensitive, as the original"
    );

    let answer = server.send(server.request(Method::DELETE, &format!("group/{id}"), Some(&owner))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.json()["response"].get("members").is_none(), "a deleted group comes without members");
    assert_eq!(server.get(&format!("group/{id}"), &owner).await.status, StatusCode::NOT_FOUND);
    let profile = server.get("people/bob", &owner).await.json()["response"].clone();
    assert_eq!(profile["department"], "");
    assert!(profile.get("groups").is_none());
}

#[tokio::test]
async fn moving_members_and_setting_the_manager() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (ann, _, _) = server.add_user("ann", Role::User).await;
    let create = |name: &str, members: Vec<String>| {
        server.request(Method::POST, "group", Some(&owner)).json(&json!({"groupName": name, "members": members}))
    };
    let a =
        server.send(create("A", vec![ann.to_string()])).await.json()["response"]["id"].as_str().unwrap().to_string();
    let b = server.send(create("B", vec![])).await.json()["response"].clone();
    assert_eq!(b["manager"]["id"], "4a515a15-d4d6-4b8e-828e-e0586f18f3a3", "no manager: the original's lost user");
    let b = b["id"].as_str().unwrap().to_string();
    let answer = server.send(server.request(Method::PUT, &format!("group/{a}/members/{b}"), Some(&owner))).await;
    assert_eq!(answer.json()["response"]["members"][0]["id"], ann.to_string());
    assert_eq!(server.get(&format!("group/{a}"), &owner).await.json()["response"]["members"], json!([]));
    let answer =
        server.form(Some(&owner), Method::PUT, &format!("group/{b}/manager"), &[("userid", ann.to_string())]).await;
    assert_eq!(answer.json()["response"]["manager"]["id"], ann.to_string());
    let answer = server.call(&owner, Method::POST, &format!("group/{b}/members"), json!({"members": []})).await;
    assert_eq!(answer.json()["response"]["members"], json!([]), "POST replaces the members");
}

#[tokio::test]
async fn only_admins_change_groups_and_bad_input_is_400() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    let answer = server.call(&user, Method::POST, "group", json!({"groupName": "X"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let id = server.call(&owner, Method::POST, "group", json!({"groupName": "X"})).await.json()["response"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (method, path) in [
        (Method::PUT, format!("group/{id}")),
        (Method::DELETE, format!("group/{id}")),
        (Method::PUT, format!("group/{id}/manager")),
    ] {
        let answer = server.form(Some(&user), method.clone(), &path, &[("groupName", "Y")]).await;
        assert!(
            matches!(answer.status, StatusCode::FORBIDDEN | StatusCode::BAD_REQUEST),
            "{method} {path}: {}",
            answer.status
        );
    }
    assert_eq!(server.get(&format!("group/{id}"), &user).await.status, StatusCode::OK, "anyone reads groups");
    for (body, name) in [
        (json!({}), "groupName"),
        (json!({"groupName": "  "}), "groupName"),
        (json!({"groupName": "Z", "groupManager": "nope"}), "groupManager"),
        (json!({"groupName": "Z", "groupManager": "00000000-0000-0000-0000-000000000009"}), "groupManager"),
        (json!({"groupName": "Z", "members": ["x"]}), "members"),
    ] {
        let answer = server.call(&owner, Method::POST, "group", &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{}", answer.text);
    }
    assert_eq!(server.get("group", &owner).await.json()["count"], 1, "nothing half-created");
    assert_eq!(server.get("group/not-a-guid", &owner).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(server.get("group/00000000-0000-0000-0000-000000000009", &owner).await.status, StatusCode::NOT_FOUND);
}
