//! The project routes next to the contact links (issue 19): team management and what members
//! may read, the filter, search, follows, tags, security info and batch deletion, each with who
//! may call it and the shape it answers; and team changes deciding who may link contacts.

mod common;

use common::shapes::keys;
use common::{spawn, Answer, Role, TestServer};
use portald::model::{PortalId, ProjectId};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// The keys a ParticipantWrapper writes before the full profile's.
const PARTICIPANT_OWN_KEYS: [&str; 7] = [
    "canReadFiles",
    "canReadMilestones",
    "canReadMessages",
    "canReadTasks",
    "canReadContacts",
    "isAdministrator",
    "isRemovedFromTeam",
];

/// A portal with the owner (an admin), two users, a third one and a guest.
struct World {
    server: TestServer,
    owner: String,
    ann: Uuid,
    ann_token: String,
    bob: Uuid,
    bob_token: String,
    carl: Uuid,
    carl_token: String,
    guest: Uuid,
    guest_token: String,
}

impl World {
    async fn new() -> World {
        let server = spawn().await;
        let owner = server.owner_token().await;
        let (ann, ann_token) = server.add_user_and_login("ann", Role::User).await;
        let (bob, bob_token) = server.add_user_and_login("bob", Role::User).await;
        let (carl, carl_token) = server.add_user_and_login("carl", Role::User).await;
        let (guest, guest_token) = server.add_user_and_login("gus", Role::Guest).await;
        World { server, owner, ann, ann_token, bob, bob_token, carl, carl_token, guest, guest_token }
    }

    /// The owner creates a project led by `responsible` with `team`; returns its id.
    async fn project(&self, title: &str, responsible: Uuid, team: &[Uuid], private: bool) -> i64 {
        let body = json!({"title": title, "responsibleId": responsible, "participants": team, "private": private});
        self.server.call(&self.owner, Method::POST, "project", body).await.id()
    }

    async fn call(&self, token: &str, method: Method, path: &str, body: Value) -> Answer {
        self.server.call(token, method, path, body).await
    }

    /// The ids of a list answer's `response`, under `key` (`id`, or `item` for search results).
    fn ids(answer: &Answer) -> Vec<Value> {
        let body = answer.json_ok();
        body["response"]
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {}", answer.text))
            .iter()
            .map(|i| i["id"].clone())
            .collect()
    }

    /// The team rows as stored: (user, security, removed), by user.
    async fn stored_team(&self, project: i64) -> Vec<(Uuid, i64, bool)> {
        let rows = self.server.store().team_rows(PortalId(1), &[ProjectId(project)], true).await.expect("team rows");
        rows.into_iter().map(|m| (m.user.0, m.security, m.removed)).collect()
    }
}

fn member(team: &Value, user: Uuid) -> &Value {
    team["response"]
        .as_array()
        .and_then(|list| list.iter().find(|p| p["id"] == user.to_string()))
        .unwrap_or_else(|| panic!("{user} is not in {team}"))
}

fn users(answer: &Answer) -> Vec<String> {
    World::ids(answer).iter().map(|id| id.as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn team_routes_answer_participants_and_need_the_right_to_edit_the_team() {
    let w = World::new().await;
    let id = w.project("Apollo", w.ann, &[w.bob], false).await;
    let team_path = format!("project/{id}/team");

    // The shape: what the member may read, then his full profile.
    let team = w.server.get(&team_path, &w.carl_token).await;
    let body = team.json_ok();
    assert_eq!(body["count"], 2);
    let first = &body["response"][0];
    assert_eq!(keys(first)[..8], [&PARTICIPANT_OWN_KEYS[..], &["id"]].concat()[..]);
    assert!(first["userName"].is_string() && first["displayName"].is_string(), "a full profile: {first}");
    assert!(PARTICIPANT_OWN_KEYS.iter().all(|k| first[k].is_boolean()));
    assert_eq!(member(&body, w.bob)["canReadFiles"], true);
    assert_eq!(member(&body, w.bob)["isAdministrator"], false);
    let xml = w.server.get(&format!("{team_path}.xml"), &w.carl_token).await;
    assert!(xml.text.contains("<canReadFiles>true</canReadFiles>"), "{}", xml.text);

    // Who may change the team: the responsible, the creator and admins, never a member or a guest.
    for token in [&w.bob_token, &w.carl_token, &w.guest_token] {
        let answer = w.call(token, Method::POST, &team_path, json!({"userId": w.carl})).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
        let answer = w.call(token, Method::DELETE, &team_path, json!({"userId": w.bob})).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    }
    let answer = w.call(&w.ann_token, Method::POST, &team_path, json!({"userId": w.carl})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["count"], 3, "the team after the change");
    let answer = w.call(&w.ann_token, Method::POST, &team_path, json!({"userId": Uuid::new_v4()})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json()["error"]["message"].as_str().unwrap().contains("userId"), "{}", answer.text);
    let answer = w.call(&w.ann_token, Method::POST, &team_path, json!({})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "userId is required");

    // Restrictions: hide messages and files from Bob, then show files again.
    let security = format!("{team_path}/security");
    let answer =
        w.call(&w.carl_token, Method::PUT, &security, json!({"userId": w.bob, "security": "Messages, Files"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = w
        .call(
            &w.ann_token,
            Method::PUT,
            &security,
            json!({"userId": w.bob, "security": "Messages, Files", "visible": false}),
        )
        .await;
    let body = answer.json_ok();
    let bob = member(&body, w.bob);
    assert_eq!(
        (&bob["canReadMessages"], &bob["canReadFiles"], &bob["canReadTasks"]),
        (&json!(false), &json!(false), &json!(true))
    );
    let answer =
        w.call(&w.ann_token, Method::PUT, &security, json!({"userId": w.bob, "security": 4, "visible": true})).await;
    let body = answer.json_ok();
    let bob = member(&body, w.bob);
    assert_eq!((&bob["canReadMessages"], &bob["canReadFiles"]), (&json!(false), &json!(true)));
    assert!(w.stored_team(id).await.contains(&(w.bob, 1, false)), "Messages (1) stays hidden");
    let answer = w.call(&w.ann_token, Method::PUT, &security, json!({"userId": w.guest, "security": 1})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "not a member: {}", answer.text);
    assert!(answer.json()["error"]["message"].as_str().unwrap().contains("userId"));
    let answer = w.call(&w.ann_token, Method::PUT, &security, json!({"userId": w.bob, "security": 64})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "no such part: {}", answer.text);

    // Leaving: gone from the team, still in teamExcluded, marked.
    let answer = w.call(&w.owner, Method::DELETE, &team_path, json!({"userId": w.bob})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!users(&answer).contains(&w.bob.to_string()));
    let excluded = w.server.get(&format!("project/{id}/teamExcluded"), &w.carl_token).await;
    let body = excluded.json_ok();
    assert_eq!(body["count"], 3);
    assert_eq!(member(&body, w.bob)["isRemovedFromTeam"], true);
    assert_eq!(member(&body, w.ann)["isRemovedFromTeam"], false);
    assert_eq!(keys(&body["response"][0])[..7], PARTICIPANT_OWN_KEYS);
    assert!(w.stored_team(id).await.contains(&(w.bob, 1, true)));

    // Replacing: the listed users and the responsible; a member who comes back has no restrictions.
    let answer = w.call(&w.owner, Method::PUT, &team_path, json!({"participants": [w.bob]})).await;
    let mut team = users(&answer);
    team.sort();
    let mut expected = vec![w.ann.to_string(), w.bob.to_string()];
    expected.sort();
    assert_eq!(team, expected, "Carl leaves, Bob comes back, the responsible stays");
    let stored = w.stored_team(id).await;
    assert!(stored.contains(&(w.bob, 0, false)) && stored.contains(&(w.carl, 0, true)), "{stored:?}");
    assert_eq!(w.server.get(&format!("project/{id}"), &w.owner).await.json()["response"]["participantCount"], 2);
    let answer = w.call(&w.bob_token, Method::PUT, &team_path, json!({"participants": []})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // The responsible may leave too, and replacing the team does not bring him back (as the
    // original's UpdateTeam); a change of the project itself does (as its UpdateProject).
    w.call(&w.owner, Method::DELETE, &team_path, json!({"userId": w.ann})).await.json_ok();
    let answer = w.call(&w.owner, Method::PUT, &team_path, json!({"participants": [w.bob]})).await;
    assert_eq!(users(&answer), [w.bob.to_string()]);
    w.call(&w.owner, Method::PUT, &format!("project/{id}"), json!({"title": "Apollo 2"})).await.json_ok();
    assert_eq!(w.server.get(&team_path, &w.owner).await.json()["count"], 2);
}

#[tokio::test]
async fn team_routes_hide_private_projects_and_list_several_teams() {
    let w = World::new().await;
    let public = w.project("Public", w.ann, &[w.bob], false).await;
    let private = w.project("Private", w.ann, &[w.guest], true).await;
    for path in [
        format!("project/{private}/team"),
        format!("project/{private}/teamExcluded"),
        "project/999999/team".to_string(),
        "project/999999/teamExcluded".to_string(),
    ] {
        assert_eq!(w.server.get(&path, &w.carl_token).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let answer =
        w.call(&w.carl_token, Method::POST, &format!("project/{private}/team"), json!({"userId": w.carl})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "a hidden project answers as a missing one");
    let answer = w.call(&w.owner, Method::POST, "project/999999/team", json!({"userId": w.carl})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    // `POST project/team`: one entry per project and member, of the projects the caller reads.
    let answer = w.call(&w.carl_token, Method::POST, "project/team", json!({"ids": [public, private, 999999]})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let mut found = users(&answer);
    found.sort();
    let mut expected = vec![w.ann.to_string(), w.bob.to_string()];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(keys(&answer.json()["response"][0])[..7], PARTICIPANT_OWN_KEYS);
    let answer = w.call(&w.owner, Method::POST, "project/team", json!({"ids": [public, private]})).await;
    assert_eq!(answer.json()["count"], 4, "Ann in both teams: {}", answer.text);
    let guest = member(&answer.json(), w.guest).clone();
    assert_eq!(guest["canReadContacts"], false, "a guest never reads contacts");
    let answer = w.call(&w.owner, Method::POST, "project/team", json!({})).await;
    assert_eq!(answer.json_ok()["response"], json!([]));
}

#[tokio::test]
async fn a_member_removed_from_the_team_loses_the_right_to_link_contacts() {
    let w = World::new().await;
    // Ann leads a private project the owner created; Bob is a plain member.
    let project = w.project("Secret", w.ann, &[w.bob], true).await;
    let contact = w.server.add_person(&w.owner, "Linked", 1).await;
    let other = w.server.add_person(&w.owner, "Other", 1).await;
    let crm_link = |c: i64| format!("crm/contact/{c}/project/{project}");

    let answer = w.call(&w.ann_token, Method::POST, &crm_link(contact), json!({})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "the responsible links: {}", answer.text);
    let answer = w
        .call(&w.bob_token, Method::POST, &format!("crm/contact/project/{project}"), json!({"contactid": [other]}))
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "a place in the team alone is not enough");
    let answer =
        w.call(&w.bob_token, Method::POST, &format!("project/{project}/contact"), json!({"contactid": other})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // The owner takes Ann off the team: the private project is hidden from her, links too.
    let answer = w.call(&w.owner, Method::DELETE, &format!("project/{project}/team"), json!({"userId": w.ann})).await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = w.call(&w.ann_token, Method::POST, &crm_link(other), json!({})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
    let answer = w
        .call(&w.ann_token, Method::POST, &format!("crm/contact/project/{project}"), json!({"contactid": [other]}))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer =
        w.call(&w.ann_token, Method::POST, &format!("project/{project}/contact"), json!({"contactid": other})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = w.call(&w.ann_token, Method::DELETE, &crm_link(contact), json!({})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "nor unlink");
    assert_eq!(w.server.store().project_contact_ids(1, project).await.unwrap(), [contact]);

    // Back in the team, she links again.
    w.call(&w.owner, Method::POST, &format!("project/{project}/team"), json!({"userId": w.ann})).await.json_ok();
    let answer = w.call(&w.ann_token, Method::POST, &crm_link(other), json!({})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let mut linked = w.server.store().project_contact_ids(1, project).await.unwrap();
    linked.sort();
    assert_eq!(linked, [contact, other]);
}

#[tokio::test]
async fn project_side_links_answer_400_for_an_unknown_contact() {
    let w = World::new().await;
    let project = w.project("P", w.ann, &[], false).await;
    let contact = w.server.add_person(&w.owner, "Known", 1).await;
    let hidden = w.server.add_person(&w.owner, "Hidden", 0).await;
    let path = format!("project/{project}/contact");
    for method in [Method::POST, Method::DELETE] {
        for id in [999_999, hidden] {
            let answer = w.call(&w.ann_token, method.clone(), &path, json!({"contactid": id})).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{method} {id}: {}", answer.text);
            assert!(answer.json()["error"]["message"].as_str().unwrap().contains("contactid"));
        }
        let answer =
            w.call(&w.ann_token, method.clone(), "project/999999/contact", json!({"contactid": contact})).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "an unknown project stays 404");
    }
    assert_eq!(w.server.store().project_contact_ids(1, project).await.unwrap(), Vec::<i64>::new());
}

#[tokio::test]
async fn the_filter_selects_sorts_and_pages_with_a_total() {
    let w = World::new().await;
    let tagged = |title: &str, tags: &str| json!({"title": title, "responsibleId": w.ann, "tags": tags});
    let a = w.call(&w.owner, Method::POST, "project", tagged("Alpha", "red")).await.id();
    let b = w
        .call(
            &w.owner,
            Method::POST,
            "project",
            json!({"title": "beta", "responsibleId": w.bob, "participants": [w.carl]}),
        )
        .await
        .id();
    let c = w.call(&w.owner, Method::POST, "project", tagged("Gamma", "red, blue")).await.id();
    let d = w.project("Delta", w.bob, &[], false).await;
    let hidden = w.project("Hidden", w.bob, &[], true).await;
    w.call(&w.owner, Method::PUT, &format!("project/{a}/status"), json!({"status": "Paused"})).await.json_ok();
    w.call(&w.owner, Method::PUT, &format!("project/{d}/status"), json!({"status": "Closed"})).await.json_ok();
    w.call(&w.ann_token, Method::PUT, &format!("project/{c}/follow"), json!({})).await.json_ok();

    // Open first, then paused, then closed; by creation within a status unless asked.
    let answer = w.server.get("project/filter", &w.ann_token).await;
    assert_eq!(answer.status, StatusCode::OK, "a literal route, not a project id: {}", answer.text);
    assert_eq!(World::ids(&answer), [json!(b), json!(c), json!(a), json!(d)], "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["total"], 4, "the hidden project is not counted");
    let project = &body["response"][0];
    assert!(!keys(project).contains(&"tags") && project["isFollow"] == false, "{project}");
    assert!(keys(project).starts_with(&["canEdit", "canDelete", "security", "id"]));
    let all = w.server.get("project/filter", &w.owner).await.json();
    assert_eq!(all["total"], 5, "admins see the private one");

    let page = w.server.get("project/filter?startIndex=1&count=2", &w.ann_token).await;
    assert_eq!(World::ids(&page), [json!(c), json!(a)]);
    let body = page.json();
    assert_eq!(
        (body["count"].clone(), body["total"].clone(), body["startIndex"].clone()),
        (json!(2), json!(4), json!(1))
    );
    let by_title = w.server.get("project/filter?sortBy=title", &w.ann_token).await;
    assert_eq!(World::ids(&by_title), [json!(b), json!(c), json!(a), json!(d)], "beta before Gamma, any case");
    let descending = w.server.get("project/filter?sortBy=title&sortOrder=descending", &w.ann_token).await;
    assert_eq!(World::ids(&descending), [json!(c), json!(b), json!(a), json!(d)], "the status order stays");
    let newest = w.server.get("project/filter?sortBy=create_on&sortOrder=descending", &w.ann_token).await;
    assert_eq!(World::ids(&newest), [json!(c), json!(b), json!(a), json!(d)]);

    let select = |query: String| w.filtered(&w.ann_token, query);
    assert_eq!(select("status=paused".into()).await, [json!(a)]);
    assert_eq!(select("status=0".into()).await, [json!(b), json!(c)]);
    assert_eq!(select(format!("manager={}", w.bob)).await, [json!(b), json!(d)]);
    assert_eq!(select(format!("participant={}", w.carl)).await, [json!(b)]);
    assert_eq!(select("follow=true".into()).await, [json!(c)]);
    assert_eq!(select("filterValue=AMM".into()).await, [json!(c)]);
    let tags = w.server.get("project/tag", &w.ann_token).await.json_ok();
    let tag_id =
        |title: &str| tags["response"].as_array().unwrap().iter().find(|t| t["title"] == title).unwrap()["id"].clone();
    assert_eq!(keys(&tags["response"][0]), ["id", "title", "description", "status"]);
    assert_eq!(select(format!("tag={}", tag_id("red"))).await, [json!(c), json!(a)]);
    assert_eq!(select(format!("tag={}", tag_id("blue"))).await, [json!(c)]);
    assert_eq!(select("tag=-1".into()).await, [json!(b), json!(d)], "projects without tags");
    assert_eq!(select("tag=424242".into()).await, Vec::<Value>::new());
    assert!(w.filtered(&w.carl_token, String::new()).await.iter().all(|id| *id != json!(hidden)));

    for bad in ["status=sideways", "participant=nobody", "tag=x", "follow=maybe"] {
        let answer = w.server.get(&format!("project/filter?{bad}"), &w.ann_token).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.text);
    }
    let xml = w.server.get("project/filter.xml?count=1", &w.ann_token).await;
    assert!(xml.text.contains("<total>4</total>") && xml.text.contains("<title>beta</title>"), "{}", xml.text);
}

#[tokio::test]
async fn following_toggles_and_lists_the_open_projects_followed() {
    let w = World::new().await;
    let open = w.project("Open", w.ann, &[], false).await;
    let closed = w.project("Closed", w.ann, &[], false).await;
    let private = w.project("Private", w.ann, &[], true).await;
    let answer = w.server.get("project/@follow", &w.carl_token).await;
    assert_eq!(answer.json_ok()["response"], json!([]), "a literal route: {}", answer.text);

    let answer = w.call(&w.carl_token, Method::PUT, &format!("project/{open}/follow"), json!({})).await;
    let body = answer.json_ok();
    assert_eq!(
        keys(&body["response"]),
        ["id", "title", "description", "status", "responsible", "canEdit", "isPrivate"]
    );
    assert_eq!(body["response"]["id"], open);
    w.call(&w.carl_token, Method::PUT, &format!("project/{closed}/follow"), json!({})).await.json_ok();
    w.call(&w.owner, Method::PUT, &format!("project/{closed}/status"), json!({"status": "Closed"})).await.json_ok();
    let answer = w.call(&w.carl_token, Method::PUT, &format!("project/{private}/follow"), json!({})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "a hidden project");
    let answer = w.call(&w.carl_token, Method::PUT, "project/999999/follow", json!({})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    w.call(&w.guest_token, Method::PUT, &format!("project/{open}/follow"), json!({})).await.json_ok();

    let followed = w.server.get("project/@follow", &w.carl_token).await;
    assert_eq!(World::ids(&followed), [json!(open)], "closed projects are not listed");
    assert_eq!(
        keys(&followed.json()["response"][0]),
        ["id", "title", "description", "status", "responsible", "canEdit", "isPrivate"]
    );
    assert_eq!(w.server.get(&format!("project/{open}"), &w.carl_token).await.json()["response"]["isFollow"], true);
    assert_eq!(w.server.get(&format!("project/{open}"), &w.bob_token).await.json()["response"]["isFollow"], false);
    assert_eq!(World::ids(&w.server.get("project/@follow", &w.guest_token).await), [json!(open)]);

    // Again: stops following.
    w.call(&w.carl_token, Method::PUT, &format!("project/{open}/follow"), json!({})).await.json_ok();
    assert_eq!(w.server.get("project/@follow", &w.carl_token).await.json()["response"], json!([]));
    assert_eq!(w.server.get(&format!("project/{open}"), &w.carl_token).await.json()["response"]["isFollow"], false);
    // Joining the team through a team replacement stops a follow, as the original's UpdateTeam.
    w.call(&w.carl_token, Method::PUT, &format!("project/{open}/follow"), json!({})).await.json_ok();
    w.call(&w.owner, Method::PUT, &format!("project/{open}/team"), json!({"participants": [w.carl]})).await.json_ok();
    assert_eq!(w.server.get("project/@follow", &w.carl_token).await.json()["response"], json!([]));
    assert_eq!(World::ids(&w.server.get("project/@follow", &w.guest_token).await), [json!(open)], "others keep theirs");
}

#[tokio::test]
async fn search_finds_readable_projects_holding_every_word() {
    let w = World::new().await;
    let body = |title: &str, description: &str, private: bool| json!({"title": title, "description": description, "responsibleId": w.ann, "private": private});
    let moon = w.call(&w.owner, Method::POST, "project", body("Moon landing", "Apollo eleven", false)).await.id();
    w.call(&w.owner, Method::POST, "project", body("Mars", "Apollo never went there", false)).await.id();
    w.call(&w.owner, Method::POST, "project", body("Moon base", "secret Apollo", true)).await.id();

    let answer = w.server.get("project/@search/moon%20apollo", &w.carl_token).await;
    let found = answer.json_ok();
    assert_eq!(found["count"], 1, "{}", answer.text);
    let item = &found["response"][0];
    assert_eq!(keys(item), ["item"]);
    assert_eq!(keys(&item["item"]), ["id", "entityType", "title", "description", "created"]);
    assert_eq!((item["item"]["id"].clone(), item["item"]["entityType"].clone()), (json!(moon.to_string()), json!(0)));
    assert_eq!(
        w.server.get("project/@search/MOON%20apollo", &w.owner).await.json()["count"],
        2,
        "admins read the private one"
    );
    assert_eq!(w.server.get("project/@search/apollo", &w.carl_token).await.json()["count"], 2);
    assert_eq!(w.server.get("project/@search/pluto", &w.carl_token).await.json()["response"], json!([]));
    assert_eq!(
        w.server.get("project/@search/go", &w.carl_token).await.json()["count"],
        2,
        "short words select nothing out"
    );
}

#[tokio::test]
async fn security_info_says_what_the_caller_may_create() {
    let w = World::new().await;
    let info = |token: String| {
        let server = &w.server;
        async move {
            let answer = server.get("project/securityinfo", &token).await;
            let body = answer.json_ok();
            assert_eq!(
                keys(&body["response"]),
                ["canCreateProject", "canCreateTask", "canCreateMilestone", "canCreateMessage", "canCreateTimeSpend"]
            );
            body["response"].clone()
        }
    };
    assert_eq!(info(w.owner.clone()).await["canCreateProject"], true);
    assert_eq!(info(w.owner.clone()).await["canCreateTask"], false, "no open project yet");
    w.project("Open", w.ann, &[w.bob], false).await;
    let all = json!({"canCreateProject": true, "canCreateTask": true, "canCreateMilestone": true, "canCreateMessage": true, "canCreateTimeSpend": true});
    assert_eq!(info(w.owner.clone()).await, all);
    let member = json!({"canCreateProject": false, "canCreateTask": true, "canCreateMilestone": false, "canCreateMessage": true, "canCreateTimeSpend": true});
    assert_eq!(info(w.bob_token.clone()).await, member);
    let lead = json!({"canCreateProject": false, "canCreateTask": true, "canCreateMilestone": true, "canCreateMessage": true, "canCreateTimeSpend": true});
    assert_eq!(info(w.ann_token.clone()).await, lead);
    let none = json!({"canCreateProject": false, "canCreateTask": false, "canCreateMilestone": false, "canCreateMessage": false, "canCreateTimeSpend": false});
    assert_eq!(info(w.carl_token.clone()).await, none, "not in any team");
    assert_eq!(info(w.guest_token.clone()).await, none);
    let xml = w.server.get("project/securityinfo.xml", &w.carl_token).await;
    assert!(xml.text.contains("<canCreateProject>false</canCreateProject>"), "{}", xml.text);
}

#[tokio::test]
async fn batch_delete_deletes_what_the_caller_may_edit_in_one_go() {
    let w = World::new().await;
    let anns = w.project("Ann's", w.ann, &[], false).await;
    let bobs = w.project("Bob's", w.bob, &[w.ann], false).await;
    let private = w.project("Private", w.bob, &[], true).await;

    let answer = w.send_delete(&w.ann_token, json!({"projectids": [anns, bobs, private, 999999, anns]})).await;
    let body = answer.json_ok();
    assert_eq!(World::ids(&answer), [json!(anns)], "only the one she may edit: {}", answer.text);
    assert!(keys(&body["response"][0]).starts_with(&["canEdit", "canDelete", "security", "id", "title"]));
    for (id, present) in [(anns, false), (bobs, true), (private, true)] {
        assert_eq!(w.server.store().project(1, id).await.unwrap().is_some(), present, "{id}");
    }
    let answer = w.send_delete(&w.guest_token, json!({"projectids": [bobs]})).await;
    assert_eq!(answer.json_ok()["response"], json!([]));
    let answer = w.send_delete(&w.owner, json!({"projectids": [bobs, private]})).await;
    assert_eq!(answer.json_ok()["count"], 2);
    assert!(w.server.store().project(1, private).await.unwrap().is_none());
    let answer = w.send_delete(&w.owner, json!({})).await;
    assert_eq!(answer.json_ok()["response"], json!([]));
    let answer = w.send_delete(&w.owner, json!({"projectids": ["x"]})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

impl World {
    /// The ids `project/filter?{query}` answers.
    async fn filtered(&self, token: &str, query: String) -> Vec<Value> {
        World::ids(&self.server.get(&format!("project/filter?{query}"), token).await)
    }

    async fn send_delete(&self, token: &str, body: Value) -> Answer {
        self.call(token, Method::DELETE, "project", body).await
    }
}

#[tokio::test]
async fn with_security_routes_set_what_each_member_may_read() {
    let w = World::new().await;
    let (admin, _) = w.server.add_user_and_login("ada", Role::Admin).await;
    let participants = json!([
        {"ID": w.bob, "CanReadFiles": false, "CanReadContacts": false, "CanReadTasks": true},
        {"id": admin, "canReadFiles": false},
        {"ID": w.guest},
    ]);
    let body = json!({"title": "Guarded", "responsibleId": w.ann, "private": true, "participants": participants});
    let answer = w.call(&w.carl_token, Method::POST, "project/withSecurity", body.clone()).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "only admins create");
    let answer = w.call(&w.owner, Method::POST, "project/withSecurity", body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let project = answer.json()["response"].clone();
    assert_eq!(project["participantCount"], 4);
    assert!(!keys(&project).contains(&"tags"));
    let id = project["id"].as_i64().unwrap();

    let team = w.server.get(&format!("project/{id}/team"), &w.owner).await.json_ok();
    let bob = member(&team, w.bob);
    assert_eq!(
        (&bob["canReadFiles"], &bob["canReadContacts"], &bob["canReadTasks"]),
        (&json!(false), &json!(false), &json!(true))
    );
    assert_eq!(member(&team, admin)["canReadFiles"], true, "no restrictions are written for admins");
    assert_eq!(member(&team, admin)["isAdministrator"], true);
    assert_eq!(member(&team, w.guest)["canReadContacts"], false);
    assert_eq!(member(&team, w.guest)["canReadFiles"], true);
    let security = w.server.get(&format!("project/{id}"), &w.bob_token).await.json_ok()["response"]["security"].clone();
    assert_eq!(
        (&security["canReadFiles"], &security["canReadContacts"], &security["canReadTasks"]),
        (&json!(false), &json!(false), &json!(true))
    );
    let lead = w.server.get(&format!("project/{id}"), &w.ann_token).await.json_ok()["response"]["security"].clone();
    assert_eq!(lead["canReadFiles"], true, "managers read everything");

    let path = format!("project/{id}/withSecurityInfo");
    let update =
        json!({"title": "Guarded", "responsibleId": w.ann, "participants": [{"ID": w.bob, "CanReadTasks": false}]});
    let answer = w.call(&w.bob_token, Method::PUT, &path, update.clone()).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = w.call(&w.ann_token, Method::PUT, &path, update).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let team = w.server.get(&format!("project/{id}/team"), &w.owner).await.json_ok();
    assert_eq!(team["count"], 2, "Bob and the responsible");
    let bob = member(&team, w.bob);
    assert_eq!(
        (&bob["canReadTasks"], &bob["canReadFiles"]),
        (&json!(false), &json!(true)),
        "the flags sent replace the old ones"
    );
    let stored = w.stored_team(id).await;
    assert!(stored.contains(&(w.bob, 2, false)) && stored.contains(&(admin, 0, true)), "{stored:?}");
    let answer = w.call(&w.ann_token, Method::PUT, &path, json!({"participants": [{"ID": "x"}]})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tags_are_set_by_editors_and_listed_with_ids() {
    let w = World::new().await;
    let id = w.project("Tagged", w.ann, &[w.bob], false).await;
    let other = w.project("Other", w.ann, &[], true).await;
    let path = format!("project/{id}/tag");
    let answer = w.call(&w.bob_token, Method::PUT, &path, json!({"tags": "x"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "members do not edit");
    let answer = w.call(&w.ann_token, Method::PUT, &path, json!({"tags": "beta; alpha,,beta"})).await;
    let body = answer.json_ok();
    assert!(!keys(&body["response"]).contains(&"tags"), "the original answers without them");
    assert!(body["response"]["updatedBy"].is_null(), "the project's last change stays the owner's");
    let read = |token: String| {
        let server = &w.server;
        async move { server.get(&format!("project/{id}"), &token).await.json()["response"]["tags"].clone() }
    };
    assert_eq!(read(w.bob_token.clone()).await, json!(["alpha", "beta"]));
    let tags = w.server.get("project/tag", &w.bob_token).await.json_ok();
    let titles: Vec<&str> = tags["response"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["alpha", "beta"]);
    assert_eq!(keys(&tags["response"][0]), ["id", "title", "description", "status"]);
    assert!(tags["response"][0]["id"].is_i64() && tags["response"][0]["description"].is_null());
    w.call(&w.owner, Method::PUT, &format!("project/{other}/tag"), json!({"tags": "beta"})).await.json_ok();

    // Projects by tag name (any case), the readable ones only.
    let tagged = w.server.get("project/tag/BETA", &w.bob_token).await;
    assert_eq!(World::ids(&tagged), [json!(id)], "the private one is hidden");
    assert_eq!(
        keys(&tagged.json()["response"][0]),
        ["id", "title", "description", "status", "responsible", "canEdit", "isPrivate"]
    );
    assert_eq!(World::ids(&w.server.get("project/tag/beta", &w.owner).await), [json!(other), json!(id)]);
    assert_eq!(w.server.get("project/tag/none", &w.owner).await.json_ok()["response"], json!([]));

    // A tag without a project: those who may create projects add it; search by its start.
    let answer = w.call(&w.ann_token, Method::POST, "project/tag", json!({"data": "gamma"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = w.call(&w.owner, Method::POST, "project/tag", json!({"data": " "})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json()["error"]["message"].as_str().unwrap().contains("data"));
    let answer = w.call(&w.owner, Method::POST, "project/tag", json!({"data": "gamma"})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let gamma = answer.json()["response"].clone();
    assert_eq!((keys(&gamma), &gamma["title"]), (vec!["id", "title", "description", "status"], &json!("gamma")));
    let again = w.call(&w.owner, Method::POST, "project/tag", json!({"data": "gamma"})).await.json_ok();
    assert_eq!(again["response"]["id"], gamma["id"], "an existing tag answers as it is");
    let found = w.server.get("project/tag/search?tagName=GA", &w.bob_token).await.json_ok();
    assert_eq!(found["response"], json!([gamma]));
    assert_eq!(w.server.get("project/tag/search", &w.bob_token).await.json_ok()["response"], json!([]));

    // Tags by id; unknown ids are skipped.
    let by_id = format!("project/{id}/tags");
    let answer = w.call(&w.bob_token, Method::PUT, &by_id, json!({"tags": [gamma["id"]]})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = w.call(&w.ann_token, Method::PUT, &by_id, json!({"tags": [gamma["id"], 999999]})).await;
    assert!(!keys(&answer.json_ok()["response"]).contains(&"tags"));
    assert_eq!(read(w.bob_token.clone()).await, json!(["gamma"]));
    let titles = |body: Value| -> Vec<String> {
        body["response"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        titles(w.server.get("project/tag", &w.owner).await.json_ok()),
        ["beta", "gamma"],
        "alpha, no longer on any project, is forgotten (as the original); beta stays on the other"
    );

    // Clearing the tags; deleting the last project with a tag forgets it too.
    w.call(&w.ann_token, Method::PUT, &path, json!({})).await.json_ok();
    assert_eq!(read(w.bob_token.clone()).await, json!([]));
    w.call(&w.owner, Method::DELETE, &format!("project/{other}"), json!({})).await.json_ok();
    assert_eq!(w.server.get("project/tag", &w.owner).await.json_ok()["response"], json!([]));
    let answer = w.call(&w.ann_token, Method::PUT, "project/999999/tag", json!({"tags": "x"})).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = w.call(&w.ann_token, Method::PUT, &path, json!({"tags": "y".repeat(256)})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}
