//! Crash safety: the server killed with SIGKILL in the middle of a large batch delete and of a
//! large link, and the importer killed in the middle of an import. After a restart each
//! operation happened wholly or not at all, nothing else changed, and (on SQLite) the database
//! and its search index pass their integrity checks.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Command};
use std::time::Duration;

use common::{Api, TestDb};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection, Row};

const PASSWORD: &str = "crash-password-1";
const SEEDED: usize = 40_000;
/// Contacts per operation: enough that each takes a while, so a kill lands inside it.
const BATCH: i64 = 5_000;
/// When the kill comes after the operation starts, one round each; the last usually comes after
/// the operation finished, which checks what "applied" means.
const KILL_AFTER_MS: [u64; 4] = [15, 60, 250, 4_000];

fn portald(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portald"));
    command.env("DATABASE_URL", &db.url).env("PORTALD_OWNER_PASSWORD", PASSWORD).env("PORTALD_LOG", "error");
    command
}

fn kill(child: &mut Child) {
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

/// A server process on the test database.
struct Running {
    child: Child,
    api: Api,
}

impl Running {
    fn start(db: &TestDb) -> Running {
        let (child, base, _) = common::start_process(portald(db).args(["serve", "--bind", "127.0.0.1:0"]));
        Running { child, api: Api::new(&base) }
    }
}

/// Row counts and key sums of every table a contact operation could touch, split into the rows
/// of the contacts in `range` and the rest, plus the links to `project`.
async fn snapshot(db: &TestDb, range: (i64, i64), project: i64) -> BTreeMap<String, i64> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&db.url).await.expect("database");
    let mut counts = BTreeMap::new();
    for (table, key) in [
        ("crm_contacts", "id"),
        ("crm_contact_info", "contact_id"),
        ("crm_contact_tags", "contact_id"),
        ("crm_contact_managers", "contact_id"),
        ("crm_project_links", "contact_id"),
        ("crm_custom_field_values", "contact_id"),
    ] {
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM({key}), 0) AS BIGINT) AS s FROM {table} WHERE {key} BETWEEN $1 AND $2"
        );
        let inside = sqlx::query(&sql).bind(range.0).bind(range.1).fetch_one(&mut conn).await.expect("count");
        counts.insert(format!("{table} in range"), inside.get::<i64, _>("n"));
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM({key}), 0) AS BIGINT) AS s FROM {table} WHERE {key} NOT BETWEEN $1 AND $2"
        );
        let outside = sqlx::query(&sql).bind(range.0).bind(range.1).fetch_one(&mut conn).await.expect("count");
        counts.insert(format!("{table} other rows"), outside.get("n"));
        counts.insert(format!("{table} other keys"), outside.get("s"));
    }
    for table in ["users", "projects", "crm_tags", "crm_list_items", "crm_custom_fields"] {
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&mut conn).await.expect("count");
        counts.insert(table.to_string(), row.get("n"));
    }
    let links = sqlx::query("SELECT COUNT(*) AS n FROM crm_project_links WHERE project_id = $1")
        .bind(project)
        .fetch_one(&mut conn)
        .await
        .expect("count");
    counts.insert("links to the project".into(), links.get("n"));
    if !common::use_postgres() {
        let check: String =
            sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await.expect("integrity check").get(0);
        assert_eq!(check, "ok");
        let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut conn).await.expect("foreign key check");
        assert!(broken.is_empty(), "{} rows break a foreign key", broken.len());
        sqlx::query("INSERT INTO crm_contact_search (crm_contact_search) VALUES ('integrity-check')")
            .execute(&mut conn)
            .await
            .expect("the search index matches the contacts");
    }
    conn.close().await.expect("closed");
    counts
}

/// The state after a kill is the state before or the state with the operation applied, and
/// nothing in between; returns whether it was applied.
fn whole_or_nothing(
    name: &str,
    before: &BTreeMap<String, i64>,
    applied: &BTreeMap<String, i64>,
    after: &BTreeMap<String, i64>,
) -> bool {
    assert_ne!(before, applied, "{name}: the operation changes something");
    assert!(
        after == before || after == applied,
        "{name}: half done\nbefore {before:?}\napplied {applied:?}\nafter {after:?}"
    );
    after == applied
}

fn with(state: &BTreeMap<String, i64>, changes: &[(&str, i64)]) -> BTreeMap<String, i64> {
    let mut state = state.clone();
    for (key, value) in changes {
        state.insert(key.to_string(), *value);
    }
    state
}

/// Sends a request in the background, kills the server `after` it was sent, and says whether
/// the kill interrupted it (no answer came).
async fn kill_during(
    server: Running,
    method: reqwest::Method,
    path: String,
    token: &str,
    body: Value,
    after: Duration,
) -> bool {
    let Running { mut child, api } = server;
    let request = api.request(method, &path, Some(token)).json(&body).send();
    let pending = tokio::spawn(request);
    tokio::time::sleep(after).await;
    kill(&mut child);
    pending.await.expect("task").is_err()
}

#[tokio::test]
async fn killed_batch_deletes_links_and_imports_happen_wholly_or_not_at_all() {
    let db = TestDb::new().await;
    let seeded = portald(&db)
        .args(["seed", "--users", "5", "--projects", "2", "--contacts", &SEEDED.to_string()])
        .output()
        .expect("seed runs");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let server = Running::start(&db);
    let login = server
        .api
        .call_with(
            None,
            reqwest::Method::POST,
            "authentication",
            json!({"userName": "admin@example.com", "password": PASSWORD}),
        )
        .await
        .json_ok();
    let token = login["response"]["token"].as_str().expect("token").to_string();
    let me = server.api.call_with(Some(&token), reqwest::Method::GET, "people/@self", json!({})).await.json_ok();
    let project = server
        .api
        .call_with(
            Some(&token),
            reqwest::Method::POST,
            "project",
            json!({"title": "Crash", "responsibleId": me["response"]["id"]}),
        )
        .await
        .json_ok()["response"]["id"]
        .as_i64()
        .expect("project id");
    let mut server = Some(server);
    let mut interrupted = 0;
    let mut applied_rounds = 0;
    let mut first = 1;

    for (round, after) in KILL_AFTER_MS.iter().enumerate() {
        // A batch delete of contacts first..first+BATCH, killed mid-way.
        let range = (first, first + BATCH - 1);
        let before = snapshot(&db, range, project).await;
        let gone: Vec<(String, i64)> =
            before.keys().filter(|k| k.ends_with("in range")).map(|k| (k.clone(), 0)).collect();
        let gone: Vec<(&str, i64)> = gone.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let applied = with(&before, &gone);
        let ids: Vec<i64> = (range.0..=range.1).collect();
        let running = server.take().expect("running");
        let cut = kill_during(
            running,
            reqwest::Method::PUT,
            "crm/contact".into(),
            &token,
            json!({"contactids": ids}),
            Duration::from_millis(*after),
        )
        .await;
        interrupted += usize::from(cut);
        let done = whole_or_nothing(
            &format!("delete, round {round}"),
            &before,
            &applied,
            &snapshot(&db, range, project).await,
        );
        applied_rounds += usize::from(done);
        eprintln!("delete round {round}: killed after {after} ms, interrupted {cut}, applied {done}");
        first += BATCH;

        // A link of the next BATCH contacts to the project, killed mid-way.
        let range = (first, first + BATCH - 1);
        let before = snapshot(&db, range, project).await;
        let links_in_range = before["crm_project_links in range"];
        let applied = with(
            &before,
            &[
                ("links to the project", before["links to the project"] + BATCH),
                ("crm_project_links in range", links_in_range + BATCH),
            ],
        );
        let ids: Vec<i64> = (range.0..=range.1).collect();
        let running = Running::start(&db);
        let cut = kill_during(
            running,
            reqwest::Method::POST,
            format!("crm/contact/project/{project}"),
            &token,
            json!({"contactid": ids}),
            Duration::from_millis(*after),
        )
        .await;
        interrupted += usize::from(cut);
        let done =
            whole_or_nothing(&format!("link, round {round}"), &before, &applied, &snapshot(&db, range, project).await);
        applied_rounds += usize::from(done);
        eprintln!("link round {round}: killed after {after} ms, interrupted {cut}, applied {done}");
        first += BATCH;
        server = Some(Running::start(&db));
    }
    kill(&mut server.take().expect("running").child);

    // An import of BATCH persons, each with an email and a phone, killed mid-way.
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("contacts.csv");
    let mut csv = String::from("first name,last name,email,phone\n");
    for n in 0..BATCH {
        csv.push_str(&format!("Crash{n},Import{n},crash{n}@example.com,+1 555 {n:05}\n"));
    }
    std::fs::write(&file, csv).expect("csv written");
    for (round, after) in KILL_AFTER_MS.iter().enumerate() {
        let newest = {
            sqlx::any::install_default_drivers();
            let mut conn = AnyConnection::connect(&db.url).await.expect("database");
            let row = sqlx::query("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS id FROM crm_contacts")
                .fetch_one(&mut conn)
                .await
                .expect("max id");
            row.get::<i64, _>("id")
        };
        let range = (newest + 1, i64::MAX);
        let before = snapshot(&db, range, project).await;
        let applied = with(&before, &[("crm_contacts in range", BATCH), ("crm_contact_info in range", 2 * BATCH)]);
        let mut import = portald(&db).args(["import", "contacts"]).arg(&file).spawn().expect("import runs");
        tokio::time::sleep(Duration::from_millis(*after)).await;
        let cut = import.try_wait().expect("status").is_none();
        kill(&mut import);
        interrupted += usize::from(cut);
        let after_state = snapshot(&db, range, project).await;
        let done = whole_or_nothing(&format!("import, round {round}"), &before, &applied, &after_state);
        applied_rounds += usize::from(done);
        eprintln!("import round {round}: killed after {after} ms, interrupted {cut}, applied {done}");
    }
    assert!(interrupted > 0, "every operation finished before its kill: the test needs larger batches");
    assert!(applied_rounds > 0, "no operation finished before its kill: the test needs a later kill");
}
