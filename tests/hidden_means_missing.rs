//! Nothing the caller may not read is shown or counted, and a hidden object answers exactly as
//! a missing one: a person's private company, tag, status and member counts, people searches and
//! email look-ups by guests, the project-contact lists, and every single-contact route.

mod common;

use common::{spawn, Answer, Role, TestServer};
use portald::model::{CompanyId, ShareType, UserId};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// A portal with an admin (the owner), a user who manages the private contacts (mona), a user
/// who does not (otto) and a guest (gus).
struct World {
    server: TestServer,
    owner: String,
    mona: String,
    mona_id: Uuid,
    otto: String,
    guest: String,
    guest_email: String,
}

impl World {
    async fn new() -> World {
        let server = spawn().await;
        let owner = server.owner_token().await;
        let (mona_id, email, password) = server.add_user("mona", Role::User).await;
        let mona = server.login(&email, &password).await;
        let (_, email, password) = server.add_user("otto", Role::User).await;
        let otto = server.login(&email, &password).await;
        let (_, guest_email, password) = server.add_user("gus", Role::Guest).await;
        let guest = server.login(&guest_email, &password).await;
        World { server, owner, mona, mona_id, otto, guest, guest_email }
    }

    /// Creates a contact as the owner; returns its id.
    async fn create(&self, path: &str, body: Value) -> i64 {
        let answer = self.server.call(&self.owner, Method::POST, path, body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{path}: {}", answer.text);
        answer.id()
    }

    /// A company only mona (its manager) and admins may read.
    async fn private_company(&self, name: &str) -> i64 {
        self.create(
            "crm/contact/company",
            json!({"companyName": name, "shareType": "None", "managerList": [self.mona_id]}),
        )
        .await
    }

    async fn person(&self, first: &str, share: &str, company: i64) -> i64 {
        let mut body = json!({"firstName": first, "lastName": "Tester", "shareType": share});
        if share == "None" {
            body["managerList"] = json!([self.mona_id]);
        }
        if company > 0 {
            body["companyId"] = json!(company);
        }
        self.create("crm/contact/person", body).await
    }
}

/// The item of `id` in a list answer.
fn item(answer: &Answer, id: i64) -> Value {
    answer.json()["response"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_person_whose_company_is_hidden_shows_no_company() {
    let world = World::new().await;
    let company = world.private_company("Secret Corp").await;
    let person = world.person("Pat", "ReadWrite", company).await;
    let answer = world
        .server
        .call(
            &world.owner,
            Method::POST,
            &format!("crm/contact/{person}/data"),
            json!({"infoType": "Email", "data": "pat@example.org", "category": "Work"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let reads = [
        format!("crm/contact/{person}"),
        "crm/contact/filter?filterValue=Pat".to_string(),
        "crm/contact/bycontactinfo?infoType=Email&data=pat@example.org".to_string(),
    ];
    for path in &reads {
        for (token, sees_company) in [(&world.owner, true), (&world.mona, true), (&world.otto, false)] {
            let answer = world.server.get(path, token).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
            let shown = if path.contains("?") { item(&answer, person) } else { answer.json()["response"].clone() };
            assert_eq!(shown["id"], person, "{path}: the person is readable");
            assert_eq!(shown.get("company").is_some(), sees_company, "{path}: {}", answer.text);
            if !sees_company {
                assert!(!answer.text.contains("Secret Corp"), "{path}: {}", answer.text);
                assert!(!answer.text.contains(&world.mona_id.to_string()), "{path}: its managers neither");
            }
        }
        let (base, query) = path.split_once('?').unwrap_or((path, ""));
        let xml = world.server.get(&format!("{base}.xml?{query}"), &world.otto).await;
        assert_eq!(xml.status, StatusCode::OK, "{path}: {}", xml.text);
        assert!(xml.text.contains("<firstName>Pat</firstName>"), "{path}: {}", xml.text);
        assert!(!xml.text.contains("<company>") && !xml.text.contains("Secret Corp"), "{path}: {}", xml.text);
    }
    let stored = world.server.store().contact(1, person).await.unwrap().unwrap();
    assert_eq!(stored.company_id, Some(CompanyId(company)), "the person still belongs to the company");
}

#[tokio::test]
async fn counts_include_only_the_contacts_the_caller_may_read() {
    let world = World::new().await;
    let company = world.create("crm/contact/company", json!({"companyName": "Open Co", "shareType": 1})).await;
    let hidden = world.person("Hidden", "None", company).await;
    let shared = world.person("Shared", "ReadWrite", company).await;
    let status =
        world.server.get("crm/contact/status", &world.owner).await.json()["response"][0]["id"].as_i64().unwrap();
    let answer = world
        .server
        .call(&world.owner, Method::POST, "crm/person/customfield", json!({"label": "Code", "fieldType": 0}))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let field = answer.id();
    for id in [hidden, shared] {
        let answer = world
            .server
            .call(&world.owner, Method::POST, &format!("crm/contact/{id}/tag"), json!({"tagName": "vip"}))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        let answer = world
            .server
            .call(&world.owner, Method::PUT, &format!("crm/contact/{id}/status"), json!({"contactStatusid": status}))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let path = format!("crm/person/{id}/customfield/{field}");
        let answer = world.server.call(&world.owner, Method::POST, &path, json!({"fieldValue": "A-1"})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    for (token, expected) in [(&world.owner, 2), (&world.mona, 2), (&world.otto, 1)] {
        let tags = world.server.get("crm/contact/tag", token).await.json();
        assert_eq!(tags["response"], json!([{"title": "vip", "relativeItemsCount": expected}]));
        let statuses = world.server.get("crm/contact/status", token).await;
        assert_eq!(item(&statuses, status)["relativeItemsCount"], expected, "{}", statuses.text);
        let single = world.server.get(&format!("crm/contact/status/{status}"), token).await.json();
        assert_eq!(single["response"]["relativeItemsCount"], expected);
        let shown = world.server.get(&format!("crm/contact/{company}"), token).await.json();
        assert_eq!(shown["response"]["personsCount"], expected, "the company's members");
        let listed = world.server.get("crm/contact/filter?contactListView=Company", token).await;
        assert_eq!(item(&listed, company)["personsCount"], expected, "{}", listed.text);
        let fields = world.server.get("crm/person/customfield/definitions", token).await;
        assert_eq!(item(&fields, field)["relativeItemsCount"], expected, "{}", fields.text);
        let members = world.server.get(&format!("crm/contact/company/{company}/person"), token).await.json();
        assert_eq!(members["response"].as_array().unwrap().len(), expected as usize);
    }
    let stored = world.server.store().contacts_by_ids(1, &[hidden, shared]).await.unwrap();
    assert!(
        stored.iter().all(|c| c.company_id == Some(CompanyId(company)) && c.status_id == status),
        "nothing changed"
    );
    assert_eq!(world.server.store().contact_tags(1, hidden).await.unwrap(), ["vip"]);
}

#[tokio::test]
async fn guests_cannot_find_users_or_probe_addresses_by_email() {
    let world = World::new().await;
    let answer = world
        .server
        .call(
            &world.owner,
            Method::POST,
            "people",
            json!({"email": "ann@hiddenorg.example", "firstname": "Ann", "lastname": "Plain",
                   "contacts": [{"type": "skype", "value": "quietskypehandle"}]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let ann = answer.json()["response"]["id"].as_str().unwrap().to_string();
    let searches = [
        "people/search?query=hiddenorg",
        "people/@search/hiddenorg",
        "people/status/1/search?query=hiddenorg",
        "people/status/1/search?query=quietskypehandle",
        "people/filter?filterValue=hiddenorg",
        "people/simple/filter?filterValue=hiddenorg",
    ];
    for path in searches {
        let found = world.server.get(path, &world.otto).await;
        assert_eq!(found.json()["response"][0]["id"], ann.as_str(), "a user finds Ann by {path}");
        let found = world.server.get(path, &world.guest).await;
        assert_eq!(found.status, StatusCode::OK, "{path}: {}", found.text);
        assert_eq!(found.json()["response"], json!([]), "a guest does not, by {path}");
    }
    let by_name = world.server.get("people/search?query=Plain", &world.guest).await.json();
    assert_eq!(by_name["response"][0]["id"], ann.as_str(), "names stay searchable");
    assert!(by_name["response"][0]["email"].is_null(), "and emails stay hidden");

    for path in ["people/email?email=ann@hiddenorg.example", "people/ann@hiddenorg.example"] {
        assert_eq!(world.server.get(path, &world.otto).await.json()["response"]["id"], ann.as_str(), "{path}");
    }
    let missing = world.server.get("people/email?email=nobody@hiddenorg.example", &world.guest).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for path in ["people/email?email=ann@hiddenorg.example", "people/ann@hiddenorg.example"] {
        let probed = world.server.get(path, &world.guest).await;
        assert_eq!((probed.status, &probed.text), (missing.status, &missing.text), "{path}: as a missing user");
    }
    let himself = world.server.get(&format!("people/email?email={}", world.guest_email), &world.guest).await;
    assert_eq!(himself.status, StatusCode::OK, "a guest finds himself: {}", himself.text);
    assert_eq!(himself.json()["response"]["email"], world.guest_email.as_str());
}

#[tokio::test]
async fn project_contact_lists_need_the_read_right_on_both_sides() {
    let world = World::new().await;
    let owner_id = world.server.get("people/@self", &world.owner).await.json()["response"]["id"].clone();
    let mut projects = Vec::new();
    for private in [true, false] {
        let body = json!({"title": format!("private {private}"), "responsibleId": owner_id, "private": private});
        let answer = world.server.call(&world.owner, Method::POST, "project", body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        projects.push(answer.id());
    }
    let (private_project, public_project) = (projects[0], projects[1]);
    let hidden = world.person("Hidden", "None", 0).await;
    let shared = world.person("Shared", "ReadWrite", 0).await;
    for project in projects.iter() {
        let path = format!("crm/contact/project/{project}");
        let answer = world.server.call(&world.owner, Method::POST, &path, json!({"contactid": [hidden, shared]})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    let ids = |answer: &Answer| -> Vec<i64> {
        answer.json()["response"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };

    // A project otto may not read answers as a missing one; of a readable one, only readable contacts.
    let missing = world.server.get("crm/contact/project/999999", &world.otto).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let answer = world.server.get(&format!("crm/contact/project/{private_project}"), &world.otto).await;
    assert_eq!((answer.status, &answer.text), (missing.status, &missing.text), "a hidden project");
    let answer = world.server.get(&format!("crm/contact/project/{public_project}"), &world.otto).await;
    assert_eq!(ids(&answer), [shared]);
    let answer = world.server.get(&format!("crm/contact/project/{private_project}"), &world.owner).await;
    assert_eq!(ids(&answer), [hidden, shared]);

    // A contact otto may not read answers as a missing one; of a readable one, only readable projects.
    let missing = world.server.get("project/contact/999999", &world.otto).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let answer = world.server.get(&format!("project/contact/{hidden}"), &world.otto).await;
    assert_eq!((answer.status, &answer.text), (missing.status, &missing.text), "a hidden contact");
    let answer = world.server.get(&format!("project/contact/{shared}"), &world.otto).await;
    assert_eq!(ids(&answer), [public_project]);
    let answer = world.server.get(&format!("project/contact/{hidden}"), &world.mona).await;
    assert_eq!(ids(&answer), [public_project], "mona manages the contact but is not on the private project");

    // Guests have no CRM: both lists refuse them, whatever the id.
    for path in [
        format!("project/contact/{shared}"),
        "project/contact/999999".to_string(),
        format!("crm/contact/project/{public_project}"),
    ] {
        assert_eq!(world.server.get(&path, &world.guest).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let links = world.server.store().project_contact_ids(1, private_project).await.unwrap();
    assert_eq!(links, [hidden, shared], "reading changed no link");
}

#[tokio::test]
async fn every_single_contact_route_answers_a_hidden_contact_as_a_missing_one() {
    let world = World::new().await;
    let hidden = world.person("Hidden", "None", 0).await;
    let hidden_company = world.private_company("Hidden Co").await;
    let read_only = world.person("ReadOnly", "Read", 0).await;
    let owner_id = world.server.get("people/@self", &world.owner).await.json()["response"]["id"].clone();
    let answer = world
        .server
        .call(&world.owner, Method::POST, "project", json!({"title": "Open", "responsibleId": owner_id}))
        .await;
    let project = answer.id();
    let missing = 999_999;
    let routes = |id: i64| -> Vec<(Method, String, Value)> {
        vec![
            (Method::GET, format!("crm/contact/{id}"), json!({})),
            (Method::DELETE, format!("crm/contact/{id}"), json!({})),
            (Method::GET, format!("crm/contact/{id}/access"), json!({})),
            (Method::PUT, format!("crm/contact/{id}/access"), json!({"isShared": true})),
            (Method::GET, format!("crm/contact/{id}/data"), json!({})),
            (Method::POST, format!("crm/contact/{id}/data"), json!({"infoType": "Phone", "data": "1"})),
            (Method::GET, format!("crm/contact/{id}/tag"), json!({})),
            (Method::POST, format!("crm/contact/{id}/tag"), json!({"tagName": "x"})),
            (Method::DELETE, format!("crm/contact/{id}/tag"), json!({"tagName": "x"})),
            (Method::PUT, format!("crm/contact/{id}/status"), json!({"contactStatusid": 0})),
            (Method::GET, format!("crm/contact/{id}/customfield"), json!({})),
            (Method::GET, format!("crm/contact/company/{id}/person"), json!({})),
            (Method::POST, format!("crm/contact/company/{id}/person"), json!({"personid": read_only})),
            (Method::GET, format!("project/contact/{id}"), json!({})),
            (Method::POST, format!("crm/contact/{id}/project/{project}"), json!({})),
            (Method::DELETE, format!("crm/contact/{id}/project/{project}"), json!({})),
            (Method::POST, format!("project/{project}/contact"), json!({"contactid": id})),
        ]
    };
    for ((method, hidden_path, body), (_, missing_path, _)) in
        routes(hidden).into_iter().chain(routes(hidden_company)).zip(routes(missing).into_iter().cycle())
    {
        let answer = world.server.call(&world.otto, method.clone(), &hidden_path, body.clone()).await;
        let expected = world.server.call(&world.otto, method.clone(), &missing_path, body).await;
        // The project side answers an unknown contact 400, as the original (AddProjectContact).
        let refusal = if missing_path.ends_with("/contact") { StatusCode::BAD_REQUEST } else { StatusCode::NOT_FOUND };
        assert_eq!(expected.status, refusal, "{method} {missing_path}: {}", expected.text);
        assert_eq!(
            (answer.status, &answer.text),
            (expected.status, &expected.text),
            "{method} {hidden_path} answers as {missing_path}"
        );
    }
    let stored = world.server.store().contacts_by_ids(1, &[hidden, hidden_company]).await.unwrap();
    assert_eq!(stored.len(), 2, "neither was deleted");
    assert!(
        stored.iter().all(|c| c.share_type == ShareType::None && c.managers == [UserId(world.mona_id)]),
        "nor changed"
    );

    // Readable but not deletable: still 403, and still there.
    let answer = world.server.call(&world.otto, Method::DELETE, &format!("crm/contact/{read_only}"), json!({})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    assert!(world.server.store().contact(1, read_only).await.unwrap().is_some());
    let answer = world.server.call(&world.mona, Method::DELETE, &format!("crm/contact/{hidden}"), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "its manager deletes it: {}", answer.text);
    assert_eq!(answer.json()["response"]["id"], hidden);
    assert!(world.server.store().contact(1, hidden).await.unwrap().is_none());
}
