//! The Projects endpoints: create, read, list, update, status, team and delete, with the
//! original's rules for who may read and edit.

mod common;

use common::{spawn, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn admins_create_projects_with_the_full_shape() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (ann, _, _) = server.add_user("ann", Role::User).await;
    let (bob, _, _) = server.add_user("bob", Role::User).await;
    let body = json!({"title": "Apollo", "description": "Moon", "responsibleId": ann.to_string(), "participants": [bob.to_string()], "tags": "space; nasa,,space"});
    let answer = server.call(&owner, Method::POST, "project", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let project = answer.json()["response"].clone();
    let keys = common::shapes::keys(&project);
    assert_eq!(
        keys,
        [
            "canEdit",
            "canDelete",
            "security",
            "id",
            "title",
            "description",
            "status",
            "responsible",
            "isPrivate",
            "taskCount",
            "taskCountTotal",
            "milestoneCount",
            "discussionCount",
            "participantCount",
            "timeTrackingTotal",
            "documentsCount",
            "isFollow",
            "created",
            "createdBy",
            "updated"
        ]
    );
    assert_eq!(project["status"], 0);
    assert_eq!(project["participantCount"], 2, "the responsible joins the team");
    assert_eq!(project["responsible"]["id"], ann.to_string());
    assert!(project["responsible"]["userName"].is_string(), "a full profile");
    assert_eq!(project["security"]["canLinkContact"], true);
    let id = project["id"].as_i64().unwrap();

    let read = server.get(&format!("project/{id}"), &owner).await.json()["response"].clone();
    assert_eq!(read["tags"], json!(["nasa", "space"]));
    let xml = server.get(&format!("project/{id}.xml"), &owner).await;
    assert!(xml.text.contains("<tags>nasa</tags><tags>space</tags>"));
    let list = server.get("project", &owner).await.json();
    assert_eq!(list["response"][0]["title"], "Apollo");
    let keys = common::shapes::keys(&list["response"][0]);
    assert_eq!(keys, ["id", "title", "description", "status", "responsible", "canEdit", "isPrivate"]);
    let team = server.get(&format!("project/{id}/team"), &owner).await.json();
    assert_eq!(team["count"], 2);
}

#[tokio::test]
async fn who_may_create_read_and_edit() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (ann, ann_email, ann_password) = server.add_user("ann", Role::User).await;
    let (_, carl_email, carl_password) = server.add_user("carl", Role::User).await;
    let (_, guest_email, guest_password) = server.add_user("gus", Role::Guest).await;
    let ann_token = server.login(&ann_email, &ann_password).await;
    let carl = server.login(&carl_email, &carl_password).await;
    let guest = server.login(&guest_email, &guest_password).await;
    let body = |private: bool| json!({"title": "P", "responsibleId": ann.to_string(), "private": private});
    let answer = server.call(&carl, Method::POST, "project", &body(false)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "only admins create");
    let public = server.call(&owner, Method::POST, "project", &body(false)).await.id();
    let private = server.call(&owner, Method::POST, "project", &body(true)).await.id();

    assert_eq!(server.get(&format!("project/{public}"), &carl).await.status, StatusCode::OK);
    assert_eq!(
        server.get(&format!("project/{private}"), &carl).await.status,
        StatusCode::NOT_FOUND,
        "a private project is invisible"
    );
    assert_eq!(server.get(&format!("project/{private}"), &ann_token).await.status, StatusCode::OK, "the team reads it");
    assert_eq!(server.get("project", &carl).await.json()["count"], 1);

    let rename = json!({"title": "Renamed"});
    let answer = server.call(&carl, Method::PUT, &format!("project/{public}"), &rename).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = server.call(&ann_token, Method::PUT, &format!("project/{public}"), &rename).await;
    assert_eq!(answer.status, StatusCode::OK, "the responsible edits");
    assert_eq!(answer.json()["response"]["title"], "Renamed");
    assert!(answer.json()["response"]["updatedBy"].is_object(), "shown when someone else changed it");
    let answer = server
        .call(
            &owner,
            Method::PUT,
            &format!("project/{public}"),
            json!({"responsibleId": server.get("people/gus", &owner).await.json()["response"]["id"]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "a guest cannot be responsible");
    assert_eq!(server.get(&format!("project/{public}"), &guest).await.json()["response"]["canEdit"], false);
    let answer = server.send(server.request(Method::DELETE, &format!("project/{public}"), Some(&carl))).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn status_update_and_delete() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json()["response"]["id"].clone();
    let create = |title: &str| {
        server.request(Method::POST, "project", Some(&owner)).json(&json!({"title": title, "responsibleId": me}))
    };
    let a = server.send(create("A")).await.id();
    let b = server.send(create("B")).await.id();
    let answer = server.form(Some(&owner), Method::PUT, &format!("project/{b}/status"), &[("status", "Paused")]).await;
    assert_eq!(answer.json()["response"]["status"], 2);
    let titles = |v: Value| {
        v["response"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(titles(server.get("project/paused", &owner).await.json()), ["B"]);
    assert_eq!(titles(server.get("project/open", &owner).await.json()), ["A"]);
    assert_eq!(titles(server.get("project/@self", &owner).await.json()), ["A"]);
    let answer = server.send(server.request(Method::DELETE, &format!("project/{a}"), Some(&owner))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["response"]["title"], "A");
    assert_eq!(server.get(&format!("project/{a}"), &owner).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_project_input_is_400() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let me = server.get("people/@self", &owner).await.json()["response"]["id"].clone();
    for (body, name) in [
        (json!({"responsibleId": me}), "title"),
        (json!({"title": "T"}), "responsibleId"),
        (json!({"title": "T", "responsibleId": "nope"}), "responsibleId"),
        (json!({"title": "T", "responsibleId": "00000000-0000-0000-0000-000000000009"}), "responsibleId"),
        (json!({"title": "T", "responsibleId": me, "private": "yes"}), "private"),
        (json!({"title": "T", "responsibleId": me, "participants": ["x"]}), "participants"),
        (json!({"title": "x".repeat(256), "responsibleId": me}), "title"),
    ] {
        let answer = server.call(&owner, Method::POST, "project", &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{}", answer.text);
    }
    assert_eq!(server.get("project", &owner).await.json()["response"], json!([]));
    assert_eq!(server.get("project/sideways", &owner).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(server.get("project/999", &owner).await.status, StatusCode::NOT_FOUND);
    // `project/{id:[0-9]+}/status` in the original: a word matches no route.
    let answer = server.form(Some(&owner), Method::PUT, "project/abc/status", &[("status", "Open")]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}
