//! Leaving users: `people/reassign/start|progress|terminate` and `people/remove/...` hand a
//! disabled user's project places and CRM contacts over to another user, or remove them, as
//! background tasks stored in the database. The tasks report their progress in the original's
//! shape, survive the server being killed (they resume at the step they had reached), give up
//! rather than run forever, and run once even with two servers on one database.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{spawn, Api, Role, TestDb, TestServer};
use portald::store::Conn;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};
use uuid::Uuid;

async fn connect(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.expect("database")
}

async fn count(url: &str, sql: &str, binds: &[&str]) -> i64 {
    let mut conn = connect(url).await;
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    let n: i64 = query.fetch_one(&mut conn).await.expect(sql).get(0);
    conn.close().await.expect("closed");
    n
}

async fn exec(url: &str, sql: &str) {
    let mut conn = connect(url).await;
    sqlx::query(sql).execute(&mut conn).await.expect(sql);
    conn.close().await.expect("closed");
}

/// Polls a progress route until the task is completed; returns the last answer.
async fn wait_done(api: &Api, token: &str, kind: &str, user: Uuid) -> Value {
    let started = Instant::now();
    loop {
        let answer = api.get(&format!("people/{kind}/progress?userId={user}"), token).await;
        let body = answer.json_ok();
        if body["response"]["isCompleted"] == json!(true) {
            return body["response"].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the {kind} of {user} never completed: {}", answer.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A portal where `leaver` (disabled) leads an open and a closed project, sits in two teams
/// (one shared with `heir`), manages a private contact and created another.
struct Leaving {
    server: TestServer,
    owner: String,
    leaver: Uuid,
    heir: Uuid,
    other: Uuid,
    guest: Uuid,
    open_project: i64,
    closed_project: i64,
    shared_project: i64,
    managed: i64,
    created: i64,
}

impl Leaving {
    async fn new() -> Leaving {
        let server = spawn().await;
        let owner = server.owner_token().await;
        let (leaver, leaver_token) = server.add_user_and_login("leaver", Role::User).await;
        let heir = server.add_user("heir", Role::User).await.0;
        let other = server.add_user("other", Role::User).await.0;
        let guest = server.add_user("guest", Role::Guest).await.0;
        let project = |title: &str, lead: Uuid, team: Vec<Uuid>| json!({"title": title, "responsibleId": lead, "participants": team});
        let open_project =
            server.call(&owner, Method::POST, "project", project("Open", leaver, vec![other])).await.id();
        let closed_project = server.call(&owner, Method::POST, "project", project("Closed", leaver, vec![])).await.id();
        let answer =
            server.call(&owner, Method::PUT, &format!("project/{closed_project}/status"), json!({"status": 1})).await;
        answer.json_ok();
        let shared_project =
            server.call(&owner, Method::POST, "project", project("Shared", other, vec![leaver, heir])).await.id();
        let managed = server
            .call(
                &owner,
                Method::POST,
                "crm/contact/person",
                json!({"firstName": "Managed", "lastName": "X", "isShared": false, "managerList": [leaver, other]}),
            )
            .await
            .id();
        let created = server.add_person(&leaver_token, "Created", 2).await;
        let disabled = server.call(&owner, Method::PUT, "people/status/Terminated", json!({"userIds": [leaver]})).await;
        disabled.json_ok();
        Leaving {
            server,
            owner,
            leaver,
            heir,
            other,
            guest,
            open_project,
            closed_project,
            shared_project,
            managed,
            created,
        }
    }

    fn url(&self) -> &str {
        &self.server.db.url
    }

    async fn team(&self, project: i64) -> BTreeSet<String> {
        let mut conn = connect(self.url()).await;
        let rows = sqlx::query("SELECT user_id FROM project_members WHERE project_id = $1")
            .bind(project)
            .fetch_all(&mut conn)
            .await
            .expect("team");
        rows.iter().map(|r| r.get::<String, _>(0)).collect()
    }

    async fn managers(&self, contact: i64) -> BTreeSet<String> {
        let mut conn = connect(self.url()).await;
        let rows = sqlx::query("SELECT user_id FROM crm_contact_managers WHERE contact_id = $1")
            .bind(contact)
            .fetch_all(&mut conn)
            .await
            .expect("managers");
        rows.iter().map(|r| r.get::<String, _>(0)).collect()
    }

    async fn responsible(&self, project: i64) -> String {
        let mut conn = connect(self.url()).await;
        sqlx::query("SELECT responsible_id FROM projects WHERE id = $1")
            .bind(project)
            .fetch_one(&mut conn)
            .await
            .expect("project")
            .get(0)
    }

    async fn creator(&self, contact: i64) -> String {
        let mut conn = connect(self.url()).await;
        sqlx::query("SELECT created_by FROM crm_contacts WHERE id = $1")
            .bind(contact)
            .fetch_one(&mut conn)
            .await
            .expect("contact")
            .get(0)
    }
}

fn set(ids: &[Uuid]) -> BTreeSet<String> {
    ids.iter().map(Uuid::to_string).collect()
}

const PROGRESS_KEYS: [&str; 7] = ["id", "status", "error", "percentage", "isCompleted", "fromUser", "toUser"];

#[tokio::test]
async fn a_reassignment_hands_projects_and_contacts_over_and_reports_its_progress() {
    let w = Leaving::new().await;
    let start = json!({"fromUserId": w.leaver, "toUserId": w.heir, "deleteProfile": false});

    // Rights and refusals, each a 4xx naming what is wrong, nothing queued.
    let (_, user_token) = w.server.add_user_and_login("plain", Role::User).await;
    let answer = w.server.call(&user_token, Method::POST, "people/reassign/start", &start).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let answer = w.server.get(&format!("people/reassign/progress?userId={}", w.leaver), &user_token).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    for (body, param) in [
        (json!({"fromUserId": w.other, "toUserId": w.heir}), "fromUserId"),
        (json!({"fromUserId": Uuid::new_v4(), "toUserId": w.heir}), "fromUserId"),
        (json!({"fromUserId": w.leaver, "toUserId": w.guest}), "toUserId"),
        (json!({"fromUserId": w.leaver, "toUserId": Uuid::new_v4()}), "toUserId"),
        (json!({"toUserId": w.heir}), "fromUserId"),
        (json!({"fromUserId": "nonsense", "toUserId": w.heir}), "fromUserId"),
    ] {
        let answer = w.server.call(&w.owner, Method::POST, "people/reassign/start", &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {}", answer.text);
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(param), "{}", answer.text);
    }
    assert_eq!(count(w.url(), "SELECT COUNT(*) FROM background_tasks", &[]).await, 0);
    let none = w.server.get(&format!("people/reassign/progress?userId={}", w.leaver), &w.owner).await;
    assert_eq!(none.json_ok()["response"], json!({}), "no task: the original's null, sent as {{}}");

    // His restrictions in a team (set through the API) go with his place.
    let restricted = w
        .server
        .call(
            &w.owner,
            Method::POST,
            "project",
            json!({"title": "Restricted", "responsibleId": w.other, "participants": [w.leaver], "private": true}),
        )
        .await
        .id();
    let security = json!({"userId": w.leaver, "security": "Files", "visible": false});
    w.server.call(&w.owner, Method::PUT, &format!("project/{restricted}/team/security"), security).await.json_ok();
    let restrictions = |user: Uuid| {
        let url = w.url().to_string();
        async move {
            count(
                &url,
                "SELECT security FROM project_members WHERE project_id = CAST($1 AS BIGINT) AND user_id = $2",
                &[&restricted.to_string(), &user.to_string()],
            )
            .await
        }
    };
    let leaver_restrictions = restrictions(w.leaver).await;
    assert_ne!(leaver_restrictions, 0);

    let answer = w.server.call(&w.owner, Method::POST, "people/reassign/start", &start).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let item = answer.json()["response"].clone();
    let keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, PROGRESS_KEYS);
    assert_eq!(item["id"], json!(format!("1_{}_ReassignProgressItem", w.leaver)));
    assert_eq!(item["fromUser"], json!(w.leaver.to_string()));
    assert_eq!(item["toUser"], json!(w.heir.to_string()));
    assert!(item["status"].is_i64() && item["percentage"].is_f64() && item["isCompleted"].is_boolean());

    let done = wait_done(&w.server, &w.owner, "reassign", w.leaver).await;
    assert_eq!(done["status"], json!(2), "{done}");
    assert_eq!(done["percentage"], json!(100.0));
    assert_eq!(done["error"], Value::Null);
    let xml = w.server.get(&format!("people/reassign/progress.xml?userId={}", w.leaver), &w.owner).await;
    assert!(xml.text.contains("<isCompleted>true</isCompleted>") && xml.text.contains("<error />"), "{}", xml.text);

    // What was handed over.
    assert_eq!(w.team(w.open_project).await, set(&[w.heir, w.other]));
    assert_eq!(w.team(w.shared_project).await, set(&[w.heir, w.other]), "the heir keeps one place");
    assert_eq!(restrictions(w.heir).await, leaver_restrictions, "the place keeps its restrictions");
    assert_eq!(w.responsible(w.open_project).await, w.heir.to_string());
    assert_eq!(w.responsible(w.closed_project).await, w.leaver.to_string(), "a closed project keeps its history");
    assert_eq!(w.managers(w.managed).await, set(&[w.heir, w.other]));
    assert_eq!(w.creator(w.created).await, w.heir.to_string());
    let heir_sees = w.server.get(&format!("people/{}", w.leaver), &w.owner).await;
    assert_eq!(heir_sees.status, StatusCode::OK, "the profile stays without deleteProfile");

    // Starting again after it finished is a new task.
    let again = w.server.call(&w.owner, Method::POST, "people/reassign/start", &start).await.json_ok();
    assert_eq!(again["response"]["fromUser"], json!(w.leaver.to_string()));
    wait_done(&w.server, &w.owner, "reassign", w.leaver).await;
    let tasks = "SELECT COUNT(*) FROM background_tasks WHERE kind = 'reassign'";
    assert_eq!(count(w.url(), tasks, &[]).await, 1, "a finished task is replaced, not piled up");

    // The removal of what is left: his places on manager lists and in teams he does not lead.
    exec(
        w.url(),
        &format!(
            "INSERT INTO crm_contact_managers (portal_id, contact_id, user_id) VALUES (1, {}, '{}')",
            w.created, w.leaver
        ),
    )
    .await;
    let answer = w.server.call(&w.owner, Method::POST, "people/remove/start", json!({"userId": w.leaver})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let item = answer.json()["response"].clone();
    let keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, PROGRESS_KEYS[..6], "a removal has no toUser");
    assert_eq!(item["id"], json!(format!("1_{}_RemoveProgressItem", w.leaver)));
    let done = wait_done(&w.server, &w.owner, "remove", w.leaver).await;
    assert_eq!(done["status"], json!(2), "{done}");
    assert!(w.managers(w.created).await.is_empty());
    let answer = w.server.call(&w.owner, Method::POST, "people/remove/start", json!({"userId": w.heir})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "an active user's data is not removed: {}", answer.text);
}

#[tokio::test]
async fn delete_profile_deletes_the_user_after_the_handover_and_removes_his_data() {
    let w = Leaving::new().await;
    let blob = if common::use_postgres() { "'\\x00'::bytea" } else { "X'00'" };
    exec(
        w.url(),
        &format!(
            "INSERT INTO user_photos (portal_id, user_id, size, width, height, format, version, data) \
             VALUES (1, '{}', 0, 1, 1, 'png', 1, {blob})",
            w.leaver
        ),
    )
    .await;
    let start = json!({"fromUserId": w.leaver, "toUserId": w.heir, "deleteProfile": true});
    w.server.call(&w.owner, Method::POST, "people/reassign/start", &start).await.json_ok();
    let done = wait_done(&w.server, &w.owner, "reassign", w.leaver).await;
    assert_eq!(done["status"], json!(2), "{done}");
    let answer = w.server.get(&format!("people/{}", w.leaver), &w.owner).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "the profile is deleted");
    let removal = wait_done(&w.server, &w.owner, "remove", w.leaver).await;
    assert_eq!(removal["status"], json!(2), "a removal of his data follows the deletion: {removal}");
    let leftovers = "SELECT COUNT(*) FROM crm_contact_managers WHERE user_id = $1";
    assert_eq!(count(w.url(), leftovers, &[&w.leaver.to_string()]).await, 0);
    let photos = "SELECT COUNT(*) FROM user_photos WHERE user_id = $1";
    assert_eq!(count(w.url(), photos, &[&w.leaver.to_string()]).await, 0, "the deleted profile's photo goes");
}

/// Inserts a task row as a server would have left it.
async fn insert_task(
    url: &str,
    kind: &str,
    subject: Uuid,
    params: Value,
    state: (i64, i64, i64),
    lease: &str,
    attempts: i64,
) {
    let (status, step, steps) = state;
    exec(
        url,
        &format!(
            "INSERT INTO background_tasks (portal_id, kind, subject, params, status, step, steps, created_by, \
             created_at, updated_at, claimed_by, lease_until, attempts) \
             VALUES (1, '{kind}', '{subject}', '{params}', {status}, {step}, {steps}, '{subject}', 0, 0, 'elsewhere', {lease}, {attempts})"
        ),
    )
    .await;
}

const FAR_FUTURE: &str = "99999999999999999";

#[tokio::test]
async fn a_task_left_by_a_killed_server_resumes_at_its_step_or_gives_up() {
    let w = Leaving::new().await;
    // A reassignment whose server died after two of its four steps: the restarted runner does
    // steps 3 and 4 only (the team places, step 1, were "done" and are not done again).
    let params = json!({"fromUserId": w.leaver.to_string(), "toUserId": w.heir.to_string(), "deleteProfile": false});
    insert_task(w.url(), "reassign", w.leaver, params, (1, 2, 4), "0", 1).await;
    let done = wait_done(&w.server, &w.owner, "reassign", w.leaver).await;
    assert_eq!(done["status"], json!(2), "{done}");
    assert_eq!(w.managers(w.managed).await, set(&[w.heir, w.other]), "step 3 ran");
    assert_eq!(w.creator(w.created).await, w.heir.to_string(), "step 4 ran");
    assert!(w.team(w.open_project).await.contains(&w.leaver.to_string()), "step 1 was not run again");
    let attempts = "SELECT attempts FROM background_tasks WHERE kind = 'reassign'";
    assert_eq!(count(w.url(), attempts, &[]).await, 2);

    // One that ended its runner too often is marked failed, saying how far it got.
    let params = json!({"userId": w.other.to_string()});
    insert_task(w.url(), "remove", w.other, params, (1, 1, 3), "0", 5).await;
    let failed = wait_done(&w.server, &w.owner, "remove", w.other).await;
    assert_eq!(failed["status"], json!(3), "{failed}");
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("step 2 of 3") && error.contains("1 steps were done"), "{error}");

    // Terminating one held by another server's runner ends it as failed at once, and its
    // runner cannot commit another step (its fence no longer matches).
    let params = json!({"fromUserId": w.heir.to_string(), "toUserId": w.other.to_string(), "deleteProfile": false});
    insert_task(w.url(), "reassign", w.heir, params, (1, 1, 4), FAR_FUTURE, 1).await;
    let running = w.server.get(&format!("people/reassign/progress?userId={}", w.heir), &w.owner).await.json_ok();
    assert_eq!(running["response"]["status"], json!(1));
    assert_eq!(running["response"]["percentage"], json!(25.0));
    assert_eq!(running["response"]["isCompleted"], json!(false));
    let answer = w.server.call(&w.owner, Method::PUT, "people/reassign/terminate", json!({"userId": w.heir})).await;
    assert_eq!(answer.json_ok()["response"], json!({}));
    let stopped = w.server.get(&format!("people/reassign/progress?userId={}", w.heir), &w.owner).await.json_ok();
    assert_eq!(stopped["response"]["status"], json!(3));
    assert_eq!(stopped["response"]["isCompleted"], json!(true));
    assert_eq!(stopped["response"]["error"], json!("Terminated: 1 of 4 steps were done"));
    let id = count(w.url(), "SELECT id FROM background_tasks WHERE subject = $1", &[&w.heir.to_string()]).await;
    let mut conn = connect(w.url()).await;
    let advanced = w
        .server
        .store()
        .advance_task(Conn::Pooled(&mut conn), id, "elsewhere", 1, chrono::Utc::now())
        .await
        .expect("fence");
    assert!(!advanced, "a terminated task takes no further step");
}

fn portald(db: &TestDb) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portald"));
    command
        .env("DATABASE_URL", &db.url)
        .env("PORTALD_OWNER_PASSWORD", common::OWNER_PASSWORD)
        .env("PORTALD_OWNER_EMAIL", common::OWNER_EMAIL)
        .env("PORTALD_LOG", "error");
    command
}

fn kill(child: &mut std::process::Child) {
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

const CONTACTS: i64 = 30_000;

#[tokio::test]
async fn a_reassignment_killed_with_its_server_finishes_after_the_restart() {
    let db = TestDb::new().await;
    let (mut child, base, _) = common::start_process(portald(&db).args(["serve", "--bind", "127.0.0.1:0"]));
    let api = Api::new(&base);
    let owner = api.owner_token().await;
    let mut ids = Vec::new();
    for name in ["leaver", "heir"] {
        let body = json!({"email": format!("{name}@example.com"), "firstname": name, "lastname": "X"});
        let id = api.call(&owner, Method::POST, "people", body).await.json_ok()["response"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        ids.push(id);
    }
    let (leaver, heir) = (ids[0].clone(), ids[1].clone());
    // Many private contacts he manages, so the handover takes a while.
    let me = api.get("people/@self", &owner).await.json_ok()["response"]["id"].as_str().unwrap().to_string();
    let series = if common::use_postgres() {
        format!("SELECT n FROM generate_series(1, {CONTACTS}) AS n")
    } else {
        format!("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {CONTACTS}) SELECT n FROM s")
    };
    exec(
        &db.url,
        &format!(
            "INSERT INTO crm_contacts (portal_id, is_company, first_name, last_name, display_name, search_name, share_type, \
             created_by, created_at, modified_by, modified_at) SELECT 1, 0, 'P', 'X', 'P X', 'p x', 0, '{leaver}', n, '{me}', n \
             FROM ({series}) AS s"
        ),
    )
    .await;
    exec(&db.url, &format!("INSERT INTO crm_contact_managers (portal_id, contact_id, user_id) SELECT 1, id, '{leaver}' FROM crm_contacts")).await;
    api.call(&owner, Method::PUT, "people/status/Terminated", json!({"userIds": [leaver]})).await.json_ok();

    let start = json!({"fromUserId": leaver, "toUserId": heir});
    api.call(&owner, Method::POST, "people/reassign/start", &start).await.json_ok();
    tokio::time::sleep(Duration::from_millis(30)).await;
    kill(&mut child);
    let mut conn = connect(&db.url).await;
    let row = sqlx::query("SELECT status, step FROM background_tasks").fetch_one(&mut conn).await.expect("task");
    let (status, step): (i64, i64) = (row.get(0), row.get(1));
    conn.close().await.expect("closed");
    eprintln!("killed at status {status}, step {step}");
    let managers = "SELECT COUNT(*) FROM crm_contact_managers WHERE user_id = $1";
    let (by_leaver, by_heir) = (count(&db.url, managers, &[&leaver]).await, count(&db.url, managers, &[&heir]).await);
    assert!(
        (by_leaver, by_heir) == (CONTACTS, 0) || (by_leaver, by_heir) == (0, CONTACTS),
        "a step is whole or not at all: {by_leaver} and {by_heir}"
    );

    let (mut child, base, _) = common::start_process(portald(&db).args(["serve", "--bind", "127.0.0.1:0"]));
    let api = Api::new(&base);
    let owner = api.owner_token().await;
    let done = wait_done(&api, &owner, "reassign", Uuid::parse_str(&leaver).unwrap()).await;
    kill(&mut child);
    assert_eq!(done["status"], json!(2), "{done}");
    assert_eq!(count(&db.url, managers, &[&leaver]).await, 0);
    assert_eq!(count(&db.url, managers, &[&heir]).await, CONTACTS);
    let created = "SELECT COUNT(*) FROM crm_contacts WHERE created_by = $1";
    assert_eq!(count(&db.url, created, &[&heir]).await, CONTACTS);
}

#[tokio::test]
async fn two_servers_on_one_database_run_each_task_once() {
    let first = spawn().await;
    let second = portald::app::start(&common::serve_args(&first.db.url, &common::Options::default()))
        .await
        .expect("second server");
    let second_api = Api::new(&format!("http://{}", second.addr));
    let owner = first.owner_token().await;
    let heir = first.add_user("heir", Role::User).await.0;
    let mut leavers = Vec::new();
    for n in 0..8 {
        let id = first.add_user(&format!("leaver{n}"), Role::User).await.0;
        leavers.push(id);
    }
    first.call(&owner, Method::PUT, "people/status/Terminated", json!({"userIds": leavers})).await.json_ok();
    for (n, leaver) in leavers.iter().enumerate() {
        let api = if n % 2 == 0 { &first.api } else { &second_api };
        let start = json!({"fromUserId": leaver, "toUserId": heir, "deleteProfile": true});
        api.call(&owner, Method::POST, "people/reassign/start", start).await.json_ok();
    }
    for leaver in &leavers {
        assert_eq!(wait_done(&first, &owner, "reassign", *leaver).await["status"], json!(2));
        assert_eq!(wait_done(&second_api, &owner, "remove", *leaver).await["status"], json!(2));
    }
    let twice = "SELECT COUNT(*) FROM background_tasks WHERE attempts <> 1 OR status <> 2";
    assert_eq!(count(&first.db.url, twice, &[]).await, 0, "every task claimed once and done");
    second.shutdown().await.expect("second stops");
}
