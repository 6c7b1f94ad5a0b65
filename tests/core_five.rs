//! The five core endpoints, each under an authorization matrix: roles (owner, admin, a manager
//! on the contact's list, another user, a guest, no token) by the contact's share state (private
//! without managers, private with managers, shared read-write, shared read), with the status a
//! client sees and the database state after the call, on both backends.

mod common;

use common::shapes::{self, CONTACT_BASE_KEYS};
use common::{spawn, Role, TestServer};
use portald::domain::contacts::NewContact;
use portald::model::{ShareType, UserId};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    PrivateAlone,
    PrivateManaged,
    SharedReadWrite,
    SharedRead,
}

const STATES: [State; 4] = [State::PrivateAlone, State::PrivateManaged, State::SharedReadWrite, State::SharedRead];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Owner,
    Admin,
    Manager,
    Other,
    Guest,
    Nobody,
}

const EVERYONE: [Who; 6] = [Who::Owner, Who::Admin, Who::Manager, Who::Other, Who::Guest, Who::Nobody];

/// A portal with one user of each role, and a project the manager is responsible for.
struct World {
    server: TestServer,
    tokens: Vec<(Who, Option<String>)>,
    owner_id: Uuid,
    manager_id: UserId,
    other_id: UserId,
    project: i64,
}

impl World {
    async fn new() -> World {
        let server = spawn().await;
        let owner = server.owner_token().await;
        let owner_id =
            Uuid::parse_str(server.get("people/@self", &owner).await.json()["response"]["id"].as_str().unwrap())
                .unwrap();
        let mut tokens = vec![(Who::Owner, Some(owner.clone()))];
        let mut ids = Vec::new();
        for (who, name, role) in [
            (Who::Admin, "adam", Role::Admin),
            (Who::Manager, "mona", Role::User),
            (Who::Other, "otto", Role::User),
            (Who::Guest, "gus", Role::Guest),
        ] {
            let (id, email, password) = server.add_user(name, role).await;
            tokens.push((who, Some(server.login(&email, &password).await)));
            ids.push(id);
        }
        tokens.push((Who::Nobody, None));
        let project = server
            .call(&owner, Method::POST, "project", json!({"title": "Link target", "responsibleId": ids[1]}))
            .await
            .id();
        World { server, tokens, owner_id, manager_id: UserId(ids[1]), other_id: UserId(ids[2]), project }
    }

    /// A person in the given share state, created straight in the store.
    async fn contact(&self, state: State) -> i64 {
        let (share_type, managers) = match state {
            State::PrivateAlone => (ShareType::None, vec![]),
            State::PrivateManaged => (ShareType::None, vec![self.manager_id]),
            State::SharedReadWrite => (ShareType::ReadWrite, vec![]),
            State::SharedRead => (ShareType::Read, vec![self.manager_id]),
        };
        let new = NewContact { share_type, managers, ..NewContact::person("Tadjeddine", format!("{state:?}")) };
        let store = self.server.store();
        let mut tx = store.begin_write().await.unwrap();
        let id = store.insert_contact(tx.conn(), 1, &new, self.owner_id).await.unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// `common::Api::call_with` as `who`.
    async fn call(&self, who: Who, method: Method, path: &str, body: Value) -> common::Answer {
        let token = self.tokens.iter().find(|(w, _)| *w == who).and_then(|(_, t)| t.as_deref());
        self.server.call_with(token, method, path, body).await
    }

    async fn stored(&self, id: i64) -> Option<portald::domain::contacts::Contact> {
        self.server.store().contact(1, id).await.unwrap()
    }

    async fn links(&self) -> Vec<i64> {
        self.server.store().project_contact_ids(1, self.project).await.unwrap()
    }
}

fn can_read(who: Who, state: State) -> bool {
    match who {
        Who::Owner | Who::Admin => true,
        Who::Manager => state != State::PrivateAlone,
        Who::Other => matches!(state, State::SharedReadWrite | State::SharedRead),
        Who::Guest | Who::Nobody => false,
    }
}

fn can_edit(who: Who, state: State) -> bool {
    match who {
        Who::Owner | Who::Admin => true,
        Who::Manager => state != State::PrivateAlone,
        Who::Other => state == State::SharedReadWrite,
        Who::Guest | Who::Nobody => false,
    }
}

/// The status every caller who is not a CRM user gets.
fn refused(who: Who) -> Option<StatusCode> {
    match who {
        Who::Nobody => Some(StatusCode::UNAUTHORIZED),
        Who::Guest => Some(StatusCode::FORBIDDEN),
        _ => None,
    }
}

#[tokio::test]
async fn set_access_matrix() {
    let world = World::new().await;
    for state in STATES {
        for who in EVERYONE {
            let id = world.contact(state).await;
            let body = json!({"isShared": false, "managerList": [world.other_id]});
            let answer = world.call(who, Method::PUT, &format!("crm/contact/{id}/access"), body).await;
            let expected = refused(who).unwrap_or(if !can_read(who, state) {
                StatusCode::NOT_FOUND
            } else if !can_edit(who, state) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::OK
            });
            assert_eq!(answer.status, expected, "{who:?} on {state:?}: {}", answer.text);
            let stored = world.stored(id).await.unwrap();
            if expected == StatusCode::OK {
                assert_eq!(
                    (stored.share_type, stored.managers.clone()),
                    (ShareType::None, vec![world.other_id]),
                    "{who:?} {state:?}"
                );
                let body = answer.json()["response"].clone();
                assert_eq!(body["isPrivate"], true, "the state after the change");
                assert_eq!(body["shareType"], 0);
                assert_eq!(body["accessList"][0]["id"], world.other_id.to_string());
            } else {
                assert_ne!(stored.managers, vec![world.other_id], "{who:?} {state:?}: unchanged");
            }
        }
    }
}

#[tokio::test]
async fn set_access_outcomes() {
    let world = World::new().await;
    let id = world.contact(State::PrivateManaged).await;
    for (shared, managers, share_type, expected_managers) in [
        (true, vec![], ShareType::ReadWrite, vec![]),
        (true, vec![world.other_id], ShareType::ReadWrite, vec![world.other_id]),
        (false, vec![], ShareType::None, vec![]),
        (false, vec![world.manager_id, world.manager_id], ShareType::None, vec![world.manager_id]),
    ] {
        let answer = world
            .call(
                Who::Owner,
                Method::PUT,
                &format!("crm/contact/{id}/access"),
                json!({"isShared": shared, "managerList": managers}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        let stored = world.stored(id).await.unwrap();
        assert_eq!((stored.share_type, stored.managers), (share_type, expected_managers));
        assert_eq!(answer.json()["response"]["isShared"], shared);
    }
    let managers = world.call(Who::Owner, Method::GET, &format!("crm/contact/{id}/access"), json!({})).await.json();
    assert_eq!(managers["response"][0]["id"], world.manager_id.to_string(), "GET access lists the managers");
    assert_eq!(
        world.call(Who::Other, Method::GET, &format!("crm/contact/{id}/access"), json!({})).await.status,
        StatusCode::NOT_FOUND,
        "a contact the caller may not read answers as a missing one"
    );
    // Private without managers: only admins see it, the non-admin who set it included.
    let answer = world.call(Who::Manager, Method::GET, &format!("crm/contact/{id}"), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK);
    world.call(Who::Owner, Method::PUT, &format!("crm/contact/{id}/access"), json!({"isShared": false})).await;
    assert_eq!(
        world.call(Who::Manager, Method::GET, &format!("crm/contact/{id}"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    for (body, name) in [(json!({"isShared": "yes"}), "isShared"), (json!({"managerList": ["x"]}), "managerList")] {
        let answer = world.call(Who::Owner, Method::PUT, &format!("crm/contact/{id}/access"), body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name));
    }
    assert_eq!(
        world.call(Who::Owner, Method::PUT, "crm/contact/0/access", json!({})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        world.call(Who::Owner, Method::PUT, "crm/contact/999999/access", json!({})).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn batch_delete_matrix() {
    let world = World::new().await;
    for state in STATES {
        for who in EVERYONE {
            let id = world.contact(state).await;
            let answer = world.call(who, Method::PUT, "crm/contact", json!({"contactids": [id, 987654]})).await;
            let gone = world.stored(id).await.is_none();
            if let Some(status) = refused(who) {
                assert_eq!(answer.status, status);
                assert!(!gone);
                continue;
            }
            assert_eq!(answer.status, StatusCode::OK, "{who:?} {state:?}: {}", answer.text);
            assert_eq!(gone, can_edit(who, state), "{who:?} on {state:?}");
            let deleted = answer.json()["response"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect::<Vec<_>>();
            assert_eq!(deleted, if gone { vec![id] } else { vec![] }, "skipped silently");
        }
    }
}

#[tokio::test]
async fn batch_delete_cascades_and_rejects_an_empty_list() {
    let world = World::new().await;
    let owner = Who::Owner;
    let company = world
        .call(owner, Method::POST, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1}))
        .await
        .id();
    let person = world
        .call(
            owner,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": "Ann", "lastName": "Lee", "companyId": company, "shareType": 1}),
        )
        .await
        .id();
    let answer = world
        .call(
            owner,
            Method::POST,
            &format!("crm/contact/project/{}", world.project),
            json!({"contactid": [company, person]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(world.links().await, vec![company, person]);
    let answer = world.call(owner, Method::PUT, "crm/contact", json!({"contactids": [company]})).await;
    assert_eq!(answer.json()["response"][0]["id"], company);
    assert_eq!(shapes::keys(&answer.json()["response"][0]), CONTACT_BASE_KEYS);
    assert_eq!(world.links().await, vec![person], "the company's links went with it");
    let person_now = world.stored(person).await.unwrap();
    assert_eq!(person_now.company_id, None, "its person is unlinked, not deleted");
    for body in [json!({"contactids": []}), json!({}), json!({"contactids": ["x"]})] {
        let answer = world.call(owner, Method::PUT, "crm/contact", body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains("contactids"));
    }
    // A zero id is skipped, as the original skips it: nothing to delete, an empty answer.
    let zero = world.call(owner, Method::PUT, "crm/contact", json!({"contactids": [0]})).await;
    assert_eq!((zero.status, zero.json()["response"].clone()), (StatusCode::OK, json!([])));
    let xml = world
        .server
        .send(
            world
                .server
                .request(Method::PUT, "crm/contact.xml", world.tokens[0].1.as_deref())
                .form(&[("contactids[]", person.to_string())]),
        )
        .await;
    assert!(
        xml.text.starts_with(
            "<result><count>1</count><status>0</status><statusCode>200</statusCode><response><smallFotoUrl>"
        ),
        "{}",
        xml.text
    );
    assert!(world.stored(person).await.is_none());
}

#[tokio::test]
async fn link_many_matrix() {
    let world = World::new().await;
    for state in STATES {
        for who in EVERYONE {
            let id = world.contact(state).await;
            let answer = world
                .call(who, Method::POST, &format!("crm/contact/project/{}", world.project), json!({"contactid": [id]}))
                .await;
            let linked = world.links().await.contains(&id);
            // Linking needs CanLinkContact on the project: admins and its responsible (the manager).
            let expected = refused(who).unwrap_or(if matches!(who, Who::Other) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::CREATED
            });
            assert_eq!(answer.status, expected, "{who:?} {state:?}: {}", answer.text);
            assert_eq!(linked, expected == StatusCode::CREATED && can_read(who, state), "{who:?} on {state:?}");
            if expected == StatusCode::CREATED {
                assert_eq!(answer.json()["response"].as_array().unwrap().len(), usize::from(linked));
            }
        }
    }
    // Twice is once.
    let id = world.contact(State::SharedReadWrite).await;
    for _ in 0..2 {
        world
            .call(
                Who::Owner,
                Method::POST,
                &format!("crm/contact/project/{}", world.project),
                json!({"contactid": [id, id]}),
            )
            .await;
    }
    assert_eq!(world.links().await.iter().filter(|l| **l == id).count(), 1);
    for (path, body, status) in [
        (format!("crm/contact/project/{}", world.project), json!({"contactid": []}), StatusCode::BAD_REQUEST),
        ("crm/contact/project/999999".to_string(), json!({"contactid": [id]}), StatusCode::NOT_FOUND),
        // The original's `{projectid:[0-9]+}` route: a word matches no route.
        ("crm/contact/project/abc".to_string(), json!({"contactid": [id]}), StatusCode::NOT_FOUND),
    ] {
        assert_eq!(world.call(Who::Owner, Method::POST, &path, body).await.status, status, "{path}");
    }
}

#[tokio::test]
async fn unlink_one_matrix() {
    let world = World::new().await;
    for state in STATES {
        for who in EVERYONE {
            let id = world.contact(state).await;
            world
                .call(Who::Owner, Method::POST, &format!("crm/contact/{id}/project/{}", world.project), json!({}))
                .await;
            let answer = world
                .call(who, Method::DELETE, &format!("crm/contact/{id}/project/{}", world.project), json!({}))
                .await;
            let expected = refused(who).unwrap_or(if !can_read(who, state) || who == Who::Other {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            });
            assert_eq!(answer.status, expected, "{who:?} {state:?}: {}", answer.text);
            assert_eq!(world.links().await.contains(&id), expected != StatusCode::OK, "{who:?} {state:?}");
            if expected == StatusCode::OK {
                assert_eq!(answer.json()["response"]["id"], id, "the contact's base wrapper");
            }
        }
    }
    let id = world.contact(State::SharedReadWrite).await;
    let answer =
        world.call(Who::Owner, Method::DELETE, &format!("crm/contact/{id}/project/{}", world.project), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "unlinking what was never linked is fine");
}

#[tokio::test]
async fn project_side_links_and_project_deletion() {
    let world = World::new().await;
    let id = world.contact(State::SharedRead).await;
    let answer = world
        .call(Who::Manager, Method::POST, &format!("project/{}/contact", world.project), json!({"contactid": id}))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["response"]["id"], world.project);
    let linked = world.call(Who::Other, Method::GET, &format!("project/contact/{id}"), json!({})).await.json();
    assert_eq!(linked["response"][0]["id"], world.project);
    let listed =
        world.call(Who::Other, Method::GET, &format!("crm/contact/project/{}", world.project), json!({})).await.json();
    assert_eq!(listed["response"][0]["id"], id);
    assert_eq!(
        world
            .call(Who::Other, Method::DELETE, &format!("project/{}/contact", world.project), json!({"contactid": id}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let answer = world.call(Who::Owner, Method::DELETE, &format!("project/{}", world.project), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(world.links().await.is_empty(), "a deleted project's links go with it");
    let listed =
        world.call(Who::Owner, Method::GET, &format!("crm/contact/project/{}", world.project), json!({})).await;
    assert_eq!(listed.status, StatusCode::NOT_FOUND, "a deleted project's list is a missing one");
}

#[tokio::test]
async fn ten_thousand_contacts_link_and_delete_in_one_request() {
    let world = World::new().await;
    let store = world.server.store();
    let mut tx = store.begin_write().await.unwrap();
    let mut ids = Vec::new();
    for n in 0..10_000 {
        let named = if n % 10 == 0 {
            NewContact::company(format!("Bulk {n}"))
        } else {
            NewContact::person("Bulk", n.to_string())
        };
        let new = NewContact { share_type: ShareType::ReadWrite, ..named };
        ids.push(store.insert_contact(tx.conn(), 1, &new, world.owner_id).await.unwrap());
    }
    tx.commit().await.unwrap();
    let answer = world
        .call(Who::Owner, Method::POST, &format!("crm/contact/project/{}", world.project), json!({ "contactid": ids }))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json()["count"], 1000, "the answer is paged like any list");
    assert_eq!(answer.json()["total"], 10_000);
    assert_eq!(world.links().await.len(), 10_000);
    let answer = world.call(Who::Owner, Method::PUT, "crm/contact", json!({ "contactids": ids })).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["total"], 10_000);
    assert!(world.links().await.is_empty());
    let left = world.call(Who::Owner, Method::GET, "crm/contact/filter", json!({})).await.json();
    assert_eq!(left["response"], json!([]));
}

#[tokio::test]
async fn overlapping_batch_deletes_and_links_stay_consistent() {
    let world = World::new().await;
    let mut ids = Vec::new();
    for _ in 0..60 {
        ids.push(world.contact(State::SharedReadWrite).await);
    }
    let mut tasks = Vec::new();
    for client in 0..6 {
        let token = world.tokens[0].1.clone().unwrap();
        let chunk: Vec<i64> = ids.iter().skip(client * 5).take(30).copied().collect();
        let (delete, link) = (
            world.server.request(Method::PUT, "crm/contact", Some(&token)).json(&json!({ "contactids": chunk })),
            world
                .server
                .request(Method::POST, &format!("crm/contact/project/{}", world.project), Some(&token))
                .json(&json!({ "contactid": ids })),
        );
        tasks.push(tokio::spawn(async move {
            (delete.send().await.unwrap().status(), link.send().await.unwrap().status())
        }));
    }
    for task in tasks {
        let (deleted, linked) = task.await.unwrap();
        assert_eq!(deleted, StatusCode::OK);
        assert_eq!(linked, StatusCode::CREATED);
    }
    let links = world.links().await;
    let mut unique = links.clone();
    unique.dedup();
    assert_eq!(links, unique, "no duplicate link");
    for id in &ids {
        let exists = world.stored(*id).await.is_some();
        assert_eq!(links.contains(id), exists, "contact {id}: a link only for a live contact");
    }
    assert!(ids.iter().take(55).all(|id| !links.contains(id)), "deleted contacts left no links");
}

#[tokio::test]
async fn batch_and_filter_access_change_only_what_the_caller_may_edit() {
    let world = World::new().await;
    let editable = world.contact(State::SharedReadWrite).await;
    let read_only = world.contact(State::SharedRead).await;
    let hidden = world.contact(State::PrivateAlone).await;
    let body =
        json!({"contactid": [editable, read_only, hidden, 999999], "isShared": false, "managerList": [world.other_id]});
    let answer = world.call(Who::Other, Method::PUT, "crm/contact/access", body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let changed: Vec<i64> =
        answer.json()["response"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(changed, vec![editable]);
    assert_eq!(world.stored(editable).await.unwrap().managers, vec![world.other_id]);
    assert_eq!(world.stored(read_only).await.unwrap().share_type, ShareType::Read);
    assert_eq!(world.stored(hidden).await.unwrap().managers, Vec::<UserId>::new());
    assert_eq!(
        world.call(Who::Other, Method::PUT, "crm/contact/access", json!({"contactid": []})).await.status,
        StatusCode::BAD_REQUEST
    );

    // By filter: every person named like the search, that the caller may edit.
    let answer = world
        .call(
            Who::Owner,
            Method::PUT,
            "crm/contact/filter/access?filterValue=sharedread",
            json!({"isPrivate": true, "managerList": [world.manager_id]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let changed: Vec<i64> =
        answer.json()["response"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(
        changed,
        vec![editable, read_only],
        "\"SharedRead\" and \"SharedReadWrite\" match, the hidden one does not"
    );
    for id in [editable, read_only] {
        let stored = world.stored(id).await.unwrap();
        assert_eq!(
            (stored.share_type, stored.managers),
            (ShareType::None, vec![world.manager_id]),
            "isPrivate=true makes it private"
        );
    }
    assert_eq!(world.stored(hidden).await.unwrap().managers, Vec::<UserId>::new());
}

#[tokio::test]
async fn the_five_answer_the_documented_fields_in_json_and_xml() {
    let world = World::new().await;
    let id = world.contact(State::PrivateManaged).await;
    let contact_fields: Vec<&str> =
        ["firstName", "lastName", "addresses", "createBy", "created", "commonData", "haveLateTasks", "accessList"]
            .into_iter()
            .chain(CONTACT_BASE_KEYS)
            .collect();
    let base_fields = CONTACT_BASE_KEYS;
    let has_all = |value: &Value, fields: &[&str]| {
        for field in fields {
            assert!(value.get(*field).is_some(), "{field} missing in {value}");
        }
        assert!(
            value["id"].is_i64()
                && value["displayName"].is_string()
                && value["isCompany"].is_boolean()
                && value["shareType"].is_i64()
        );
    };
    let access = world
        .call(
            Who::Owner,
            Method::PUT,
            &format!("crm/contact/{id}/access"),
            json!({"isShared": false, "managerList": [world.manager_id]}),
        )
        .await;
    has_all(&access.json()["response"], &contact_fields);
    assert!(access.json()["response"]["accessList"][0]["displayName"].is_string());
    let link = world
        .call(Who::Owner, Method::POST, &format!("crm/contact/project/{}", world.project), json!({"contactid": [id]}))
        .await;
    has_all(&link.json()["response"][0], &contact_fields);
    assert_eq!(link.json()["response"][0]["addresses"], json!([]), "the single-contact shape, as the original's");
    let unlink =
        world.call(Who::Owner, Method::DELETE, &format!("crm/contact/{id}/project/{}", world.project), json!({})).await;
    has_all(&unlink.json()["response"], &base_fields);
    let deleted = world.call(Who::Owner, Method::PUT, "crm/contact", json!({"contactids": [id]})).await;
    has_all(&deleted.json()["response"][0], &base_fields);

    let token = world.tokens[0].1.clone().unwrap();
    let id = world.contact(State::SharedReadWrite).await;
    let server = &world.server;
    let xml =
        server.form(Some(&token), Method::PUT, &format!("crm/contact/{id}/access.xml"), &[("isShared", "true")]).await;
    assert!(
        xml.text.contains("<isShared>true</isShared>")
            && xml.text.contains(&format!("<id>{id}</id></response></result>")),
        "{}",
        xml.text
    );
    let xml = server
        .form(
            Some(&token),
            Method::POST,
            &format!("crm/contact/project/{}.xml", world.project),
            &[("contactid[]", id.to_string())],
        )
        .await;
    assert!(
        xml.text
            .starts_with("<result><count>1</count><status>0</status><statusCode>201</statusCode><response><firstName>"),
        "{}",
        xml.text
    );
    let xml = server
        .send(server.request(Method::DELETE, &format!("crm/contact/{id}/project/{}.xml", world.project), Some(&token)))
        .await;
    assert!(xml.text.contains("<response><smallFotoUrl>"), "{}", xml.text);
}
