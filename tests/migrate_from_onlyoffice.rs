//! `portald import onlyoffice`: an ONLYOFFICE Community Server database in MariaDB, built from
//! the original's schema and a fresh install's rows with fixtures written the way the original
//! writes them, moved into our database (SQLite, or PostgreSQL with PORTALD_TEST_DB=postgres)
//! and checked through the API.
//!
//! Needs MariaDB (or MySQL) at 127.0.0.1:3306 as root without a password (`PORTALD_TEST_MYSQL`
//! names another server) and the `mysql` client; `.ci/run` starts it. Without it these tests
//! fail: they are never skipped.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use common::{serve_args, Api, Options, TestDb};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256, Sha512};

const MACHINE_KEY: &str = "Vskoproizvolny Salt par Chivreski";
const OWNER: &str = "0c92c034-edc0-11f1-9f2c-02fc00000001";
const ALICE: &str = "6a1f0c2e-1b2c-4d3e-8f40-000000000a11";
const BOB: &str = "6a1f0c2e-1b2c-4d3e-8f40-000000000b0b";
const CAROL: &str = "6a1f0c2e-1b2c-4d3e-8f40-000000000ca7";
const GINA: &str = "6a1f0c2e-1b2c-4d3e-8f40-000000000917";
const GONE: &str = "6a1f0c2e-1b2c-4d3e-8f40-000000000de1";
const SALES: &str = "5e1e5000-0000-4000-8000-000000000001";
const SECOND_OWNER: &str = "2e2e2e2e-0000-4000-8000-000000000002";
const ADMIN_GROUP: &str = "cd84e66b-b803-40fc-99f9-b2969a54a1de";
const VISITOR_GROUP: &str = "aced04fa-dd96-4b35-af3e-346bf1eb972d";
const EVERYONE: &str = "c5cc67d1-c3e8-43c0-a3ad-3928ae3e5b5e";
const CRM_READ: &str = "6f05c382-8bca-4469-9424-c807a98c40d7";

fn mysql_base() -> String {
    std::env::var("PORTALD_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// The host and port of the MariaDB server, for the `mysql` client.
fn mysql_host_port() -> (String, String) {
    let base = mysql_base();
    let host_port = base.rsplit('@').next().unwrap_or("127.0.0.1:3306").to_string();
    let (host, port) = host_port.split_once(':').unwrap_or((&host_port, "3306"));
    (host.to_string(), port.to_string())
}

fn mysql(database: Option<&str>, sql: &str) {
    use std::io::Write;
    let (host, port) = mysql_host_port();
    let mut command = Command::new("mysql");
    command.args(["-h", &host, "-P", &port, "-u", "root", "--default-character-set=utf8mb4"]);
    if let Some(database) = database {
        command.arg(database);
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the mysql client runs (MariaDB is needed for these tests)");
    child.stdin.take().expect("stdin").write_all(sql.as_bytes()).expect("SQL written");
    let out = child.wait_with_output().expect("mysql ends");
    assert!(out.status.success(), "mysql failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A database of the original: its schema and a fresh install's rows, dropped with the value.
struct Original {
    name: String,
}

impl Original {
    fn new() -> Original {
        let name = format!("oo_test_{}", uuid::Uuid::new_v4().simple());
        mysql(None, &format!("CREATE DATABASE {name} CHARACTER SET utf8"));
        let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/onlyoffice");
        for file in ["schema.sql", "defaults.sql"] {
            let sql = std::fs::read_to_string(reference.join(file))
                .unwrap_or_else(|e| panic!("{}: {e}", reference.join(file).display()));
            mysql(Some(&name), &sql);
        }
        Original { name }
    }

    fn url(&self) -> String {
        format!("{}/{}", mysql_base(), self.name)
    }

    fn run(&self, sql: &str) {
        mysql(Some(&self.name), sql);
    }
}

impl Drop for Original {
    fn drop(&mut self) {
        let (host, port) = mysql_host_port();
        let _ = Command::new("mysql")
            .args(["-h", &host, "-P", &port, "-u", "root", "-e", &format!("DROP DATABASE IF EXISTS {}", self.name)])
            .output();
    }
}

fn pbkdf2(secret: &[u8], salt: &[u8]) -> String {
    let mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    let mut u = mac.clone().chain_update(salt).chain_update(1u32.to_be_bytes()).finalize().into_bytes();
    let mut t = u;
    for _ in 1..100_000 {
        u = mac.clone().chain_update(u).finalize().into_bytes();
        t.iter_mut().zip(u.iter()).for_each(|(t, u)| *t ^= u);
    }
    t.iter().map(|b| format!("{b:02x}")).collect()
}

/// `core_usersecurity.pwdhash` as the original computes it (PasswordHasher, then
/// DbBaseService.GetPasswordHash): the browser's PBKDF2 hash of the password with the
/// installation's salt, then SHA-512 of it with the user id and the machine key.
fn original_pwdhash(user: &str, password: &str) -> String {
    let salt = pbkdf2(MACHINE_KEY.as_bytes(), &Sha256::digest("{9450BEF7-7D9F-4E4F-A18A-971D8681722D}"));
    let client = pbkdf2(password.as_bytes(), salt.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(Sha512::digest(format!("{client}{user}{MACHINE_KEY}")))
}

fn user_row(tenant: i64, id: &str, name: &str, first: &str, last: &str, email: &str, extra: &str) -> String {
    format!(
        "INSERT INTO core_user (tenant, id, username, firstname, lastname, email, status, activation_status, \
         create_on, last_modified{}) VALUES ({tenant}, '{id}', '{name}', '{first}', '{last}', '{email}', 1, 1, \
         '2020-01-02 03:04:05', '2021-02-03 04:05:06'{});\n",
        extra.split_once('|').map_or(String::new(), |(c, _)| format!(", {c}")),
        extra.split_once('|').map_or(String::new(), |(_, v)| format!(", {v}")),
    )
}

/// Two portals' worth of people, projects and contacts, as the original writes them.
fn fill(original: &Original) {
    let mut sql = String::new();
    // Portal 1's owner is the fresh install's administrator; he gets a real email.
    sql += &format!("UPDATE core_user SET email = 'owner@oo.test', firstname = 'Olga' WHERE id = '{OWNER}';\n");
    sql += &user_row(
        1,
        ALICE,
        "alice",
        "Alice",
        "Adams",
        "alice@oo.test",
        "title, sex, bithdate, workfromdate, contacts, location|'Head of sales', 0, '1980-05-06 00:00:00', \
         '2015-03-01 00:00:00', 'mail|alice@home.test|phone|+1 555 0100|', 'Riga'",
    );
    sql += &user_row(1, BOB, "bob", "Bob", "Brown", "bob@oo.test", "sex|1");
    sql += &user_row(1, CAROL, "carol", "Carol", "Clark", "carol@oo.test", "");
    sql += &user_row(1, GINA, "gina", "Gina", "Guest", "gina@oo.test", "");
    sql += &user_row(1, GONE, "gone", "Gone", "Away", "gone@oo.test", "removed|1");
    for (user, password) in
        [(OWNER, "Owner-pass-1"), (ALICE, "Alice-pass-1"), (BOB, "Bob-pass-1"), (CAROL, "Carol-pass-1")]
    {
        sql += &format!(
            "DELETE FROM core_usersecurity WHERE userid = '{user}';\n\
             INSERT INTO core_usersecurity (tenant, userid, pwdhash) VALUES (1, '{user}', '{}');\n",
            original_pwdhash(user, password)
        );
    }
    sql += &format!(
        "INSERT INTO core_group (tenant, id, name) VALUES (1, '{SALES}', 'Sales');\n\
         INSERT INTO core_usergroup (tenant, userid, groupid, ref_type) VALUES \
         (1, '{ALICE}', '{ADMIN_GROUP}', 0), (1, '{GINA}', '{VISITOR_GROUP}', 0), \
         (1, '{ALICE}', '{SALES}', 1), (1, '{ALICE}', '{SALES}', 0), (1, '{BOB}', '{SALES}', 0), (1, '{GONE}', '{SALES}', 0);\n"
    );
    sql += &format!(
        "INSERT INTO projects_projects (id, status, status_changed, title, description, responsible_id, tenant_id, private, \
         create_on, create_by, last_modified_on, last_modified_by) VALUES \
         (7, 0, '2020-05-01 10:00:00', 'Apollo', 'To the moon', '{ALICE}', 1, 0, '2020-05-01 10:00:00', '{OWNER}', \
          '2020-06-01 10:00:00', '{ALICE}');\n\
         INSERT INTO projects_project_participant (project_id, participant_id, security, tenant) VALUES \
         (7, '{ALICE}', 0, 1), (7, '{BOB}', 0, 1);\n"
    );
    // Contact statuses (list_type 1), types (4), and a history category (3) not served.
    sql += "INSERT INTO crm_list_item (id, title, sort_order, color, tenant_id, list_type, description) VALUES \
            (11, 'Cold', 0, '#8a98d8', 1, 1, NULL), (12, 'Hot', 1, '#df7895', 1, 1, 'burning'), \
            (21, 'Client', 0, NULL, 1, 4, NULL), (22, 'Supplier', 1, NULL, 1, 4, NULL), \
            (31, 'Note', 0, NULL, 1, 3, NULL);\n";
    // Contacts as ContactDao writes them; is_shared: 0 private, 1 read-write, 2 read, NULL
    // (before the column) private when the ACL restricts it.
    sql += &format!(
        "INSERT INTO crm_contact (id, tenant_id, is_company, notes, title, first_name, last_name, company_name, industry, \
         status_id, company_id, contact_type_id, create_by, create_on, last_modifed_on, last_modifed_by, display_name, \
         is_shared, currency) VALUES \
         (100, 1, 1, 'Makers of everything', NULL, NULL, NULL, 'Acme', 'Manufacturing', 12, 0, 21, '{OWNER}', \
          '2019-01-01 09:00:00', '2019-02-01 09:00:00', '{ALICE}', 'Acme', 1, 'EUR'), \
         (101, 1, 0, 'Met at the fair', 'CTO', 'John', 'Smith', NULL, NULL, 11, 100, 22, '{ALICE}', \
          '2019-03-01 09:00:00', NULL, NULL, 'John Smith', 2, NULL), \
         (102, 1, 0, NULL, NULL, 'Pat', 'Private', NULL, NULL, 0, 0, 0, '{BOB}', '2019-04-01 09:00:00', NULL, NULL, \
          'Pat Private', 0, NULL), \
         (103, 1, 0, NULL, NULL, 'Olde', 'Timer', NULL, NULL, 0, 555, 0, '{ALICE}', '2018-04-01 09:00:00', NULL, NULL, \
          'Olde Timer', NULL, NULL);\n\
         INSERT INTO core_acl (tenant, subject, action, object, acetype) VALUES \
         (1, '{BOB}', '{CRM_READ}', 'ASC.CRM.Core.Entities.Person|102', 0), \
         (1, '{EVERYONE}', '{CRM_READ}', 'ASC.CRM.Core.Entities.Person|102', 1), \
         (1, '{ALICE}', '{CRM_READ}', 'ASC.CRM.Core.Entities.Person|103', 0), \
         (1, '{EVERYONE}', '{CRM_READ}', 'ASC.CRM.Core.Entities.Person|103', 1);\n"
    );
    // Details: type (0 phone, 1 email, 7 address), category, primary; one of a contact gone.
    sql += "INSERT INTO crm_contact_info (id, data, category, tenant_id, is_primary, contact_id, type) VALUES \
            (500, 'john@acme.test', 1, 1, 1, 101, 1), (501, '+44 20 7946 0000', 1, 1, 1, 101, 0), \
            (502, '{\"street\":\"1 Main St\",\"city\":\"Springfield\",\"state\":\"\",\"zip\":\"12345\",\"country\":\"US\"}', \
             1, 1, 1, 100, 7), \
            (503, 'orphan@nowhere.test', 0, 1, 0, 999, 1);\n";
    sql += "INSERT INTO crm_tag (id, title, tenant_id, entity_type) VALUES (40, 'VIP', 1, 0), (41, 'Big deal', 1, 1), (42, 'vip', 1, 0);\n\
            INSERT INTO crm_entity_tag (tag_id, entity_id, entity_type) VALUES (40, 101, 0), (40, 100, 0), (41, 5, 1), \
            (42, 102, 0), (42, 101, 0);\n";
    sql += "INSERT INTO crm_field_description (id, tenant_id, label, type, sort_order, mask, entity_type) VALUES \
            (60, 1, 'Met where', 0, 0, '{\"size\":40}', 5), (61, 1, 'Deal size', 0, 0, '', 1);\n\
            INSERT INTO crm_field_value (id, value, entity_id, tenant_id, field_id, entity_type) VALUES \
            (1, 'The fair', 101, 1, 60, 5), (2, 'lost', 999, 1, 60, 5);\n";
    sql += "INSERT INTO crm_projects (project_id, contact_id, tenant_id) VALUES (7, 101, 1), (8, 101, 1);\n";
    // A second portal, with its own owner and a company.
    sql += &format!(
        "INSERT INTO tenants_tenants (id, name, alias, mappeddomain, creationdatetime, owner_id) VALUES \
         (2, 'Second', 'second', 'crm.second.test', '2021-01-01 00:00:00', '{SECOND_OWNER}');\n"
    );
    sql += &user_row(2, SECOND_OWNER, "second", "Sam", "Second", "sam@second.test", "");
    sql += &format!(
        "INSERT INTO core_usersecurity (tenant, userid, pwdhash) VALUES (2, '{SECOND_OWNER}', '{}');\n\
         INSERT INTO crm_contact (id, tenant_id, is_company, company_name, display_name, status_id, company_id, \
         contact_type_id, create_by, create_on, is_shared) VALUES \
         (200, 2, 1, 'Second Co', 'Second Co', 0, 0, 0, '{SECOND_OWNER}', '2021-01-02 00:00:00', 1);\n",
        original_pwdhash(SECOND_OWNER, "Second-pass-1")
    );
    original.run(&sql);
}

fn import(original: &Original, db: &TestDb, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(["import", "onlyoffice", "--from", &original.url(), "--database-url", &db.url])
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("portald runs")
}

fn printed(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

async fn serve(db: &TestDb) -> (portald::app::Server, Api) {
    serve_hosts(db, "localhost=1,crm.second.test=2").await
}

async fn serve_hosts(db: &TestDb, hosts: &'static str) -> (portald::app::Server, Api) {
    let options = Options { hosts, ..Options::default() };
    let server = portald::app::start(&serve_args(&db.url, &options)).await.expect("server starts");
    let api = Api::new(&format!("http://{}", server.addr));
    (server, api)
}

async fn login(api: &Api, host: &str, user: &str, password: &str) -> Result<String, StatusCode> {
    let answer = api
        .send(
            api.request(Method::POST, "authentication", None)
                .header("Host", host)
                .form(&[("userName", user), ("password", password)]),
        )
        .await;
    if answer.status != StatusCode::CREATED {
        return Err(answer.status);
    }
    Ok(answer.json()["response"]["token"].as_str().expect("token").to_string())
}

async fn get(api: &Api, token: &str, path: &str) -> (StatusCode, Value) {
    let answer = api.send(api.request(Method::GET, path, Some(token)).header("Host", "localhost")).await;
    let body = if answer.text.is_empty() { Value::Null } else { answer.json() };
    (answer.status, body)
}

#[tokio::test]
async fn a_community_server_database_moves_in_with_its_ids_and_passwords() {
    sqlx::any::install_default_drivers();
    let original = Original::new();
    fill(&original);
    let db = TestDb::new().await;

    let dry = import(&original, &db, &["--dry-run", "--machine-key", MACHINE_KEY]);
    let text = printed(&dry);
    assert!(dry.status.success(), "{text}");
    assert!(text.contains("nothing written"), "{text}");
    assert!(text.contains("skipped crm_contact_info 503: its contact 999 does not exist"), "{text}");
    assert!(text.contains("skipped core_user 6a1f0c2e-1b2c-4d3e-8f40-000000000de1: deleted"), "{text}");
    assert!(text.contains("skipped crm_projects contact 101 in project 8: the project does not exist"), "{text}");
    assert!(text.contains("skipped crm_field_value field 60 of 999: the contact does not exist"), "{text}");
    assert!(text.contains("its company 555 does not exist"), "{text}");
    assert!(text.contains("skipped crm_tag 42: tag \"vip\" differs from tag 40 only by case: merged"), "{text}");

    let out = import(&original, &db, &["--machine-key", MACHINE_KEY]);
    let text = printed(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("PORTALD_HOSTS=localhost=1,second=2,crm.second.test=2"), "{text}");
    assert!(text.contains("        4 contacts"), "{text}");
    assert!(text.contains("        3 contact details"), "{text}");

    let again = import(&original, &db, &["--machine-key", MACHINE_KEY]);
    let text = printed(&again);
    assert!(again.status.success(), "{text}");
    assert!(text.contains("already moved in; nothing to do") && text.contains("Nothing to do."), "{text}");

    let (server, api) = serve(&db).await;
    // Logins with the original passwords: checked the original's way once, then rehashed.
    let owner = login(&api, "localhost", "owner@oo.test", "Owner-pass-1").await.expect("owner logs in");
    assert_eq!(login(&api, "localhost", "owner@oo.test", "Wrong-pass-1").await, Err(StatusCode::UNAUTHORIZED));
    let pool = sqlx::AnyPool::connect(&db.url).await.expect("target opens");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(OWNER)
        .fetch_one(&pool)
        .await
        .expect("owner's hash");
    pool.close().await;
    assert!(hash.starts_with("$argon2id$"), "rehashed after the first login: {hash}");
    login(&api, "localhost", "owner@oo.test", "Owner-pass-1").await.expect("owner logs in again");
    let alice = login(&api, "localhost", "alice", "Alice-pass-1").await.expect("alice logs in");
    let bob = login(&api, "localhost", "bob@oo.test", "Bob-pass-1").await.expect("bob logs in");
    let carol = login(&api, "localhost", "carol@oo.test", "Carol-pass-1").await.expect("carol logs in");

    // People, with the original's ids, fields and roles.
    let (status, me) = get(&api, &owner, "people/@self").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["response"]["id"], OWNER);
    assert_eq!(me["response"]["isOwner"], true);
    let (_, a) = get(&api, &owner, &format!("people/{ALICE}")).await;
    let a = &a["response"];
    eprintln!("alice: {a}");
    assert_eq!(a["userName"], "alice");
    assert_eq!(a["firstName"], "Alice");
    assert_eq!(a["email"], "alice@oo.test");
    assert_eq!(a["title"], "Head of sales");
    assert_eq!(a["sex"], "female");
    assert_eq!(a["location"], "Riga");
    assert_eq!(a["isAdmin"], true);
    assert!(a["birthday"].as_str().unwrap().starts_with("1980-05-06"), "{}", a["birthday"]);
    assert!(a["workFrom"].as_str().unwrap().starts_with("2015-03-01"), "{}", a["workFrom"]);
    let contacts = a["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2, "{contacts:?}");
    assert_eq!(contacts[0]["type"], "mail");
    assert_eq!(contacts[0]["value"], "alice@home.test");
    let (_, g) = get(&api, &owner, &format!("people/{GINA}")).await;
    assert_eq!(g["response"]["isVisitor"], true);
    let (_, b) = get(&api, &owner, &format!("people/{BOB}")).await;
    assert_eq!(b["response"]["isAdmin"], false);
    assert_eq!(b["response"]["sex"], "male");
    assert_eq!(get(&api, &owner, &format!("people/{GONE}")).await.0, StatusCode::NOT_FOUND);

    // The department, its manager and members.
    let (status, group) = get(&api, &owner, &format!("group/{SALES}")).await;
    assert_eq!(status, StatusCode::OK, "{group}");
    eprintln!("group: {group}");
    assert_eq!(group["response"]["name"], "Sales");
    assert_eq!(group["response"]["manager"]["id"], ALICE);
    let members: Vec<&str> =
        group["response"]["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(members.contains(&ALICE) && members.contains(&BOB) && members.len() == 2, "{members:?}");

    // The project and its team.
    let (status, project) = get(&api, &owner, "project/7").await;
    assert_eq!(status, StatusCode::OK, "{project}");
    assert_eq!(project["response"]["title"], "Apollo");
    assert_eq!(project["response"]["description"], "To the moon");
    assert_eq!(project["response"]["responsible"]["id"], ALICE);
    let (_, team) = get(&api, &owner, "project/7/team").await;
    assert_eq!(team["response"].as_array().unwrap().len(), 2, "{team}");

    // Contacts with their ids and fields.
    let (status, john) = get(&api, &owner, "crm/contact/101").await;
    assert_eq!(status, StatusCode::OK, "{john}");
    let john = &john["response"];
    eprintln!("john: {john}");
    assert_eq!(john["firstName"], "John");
    assert_eq!(john["lastName"], "Smith");
    assert_eq!(john["title"], "CTO");
    assert_eq!(john["about"], "Met at the fair");
    assert_eq!(john["company"]["id"], 100);
    assert_eq!(john["shareType"], 2);
    let (_, acme) = get(&api, &owner, "crm/contact/100").await;
    let acme = &acme["response"];
    eprintln!("acme: {acme}");
    assert_eq!(acme["companyName"], "Acme");
    assert_eq!(acme["industry"], "Manufacturing");
    assert_eq!(acme["currency"]["abbreviation"], "EUR");
    assert_eq!(acme["contactStatus"]["id"], 12);
    assert_eq!(acme["addresses"][0]["city"], "Springfield");
    assert_eq!(scalar(&db, "SELECT contact_type_id FROM crm_contacts WHERE id = 100").await, 21);
    assert_eq!(scalar(&db, "SELECT modified_at FROM crm_contacts WHERE id = 100").await, 1_549_011_600 * 10_000_000);
    assert_eq!(acme["shareType"], 1);
    let (_, data) = get(&api, &owner, "crm/contact/101/data").await;
    let data = data["response"].as_array().unwrap().clone();
    let ids: Vec<i64> = data.iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&500) && ids.contains(&501) && ids.len() == 2, "{data:?}");
    let (_, tags) = get(&api, &owner, "crm/contact/101/tag").await;
    assert_eq!(tags["response"], json!(["VIP"]), "tags differing by case only are one");
    let (_, tags) = get(&api, &owner, "crm/contact/102/tag").await;
    assert_eq!(tags["response"], json!(["VIP"]));
    let (_, found) = get(&api, &owner, "crm/contact/filter?filterValue=acme.test").await;
    assert_eq!(found["response"][0]["id"], 101, "details are searchable: {found}");
    let (_, statuses) = get(&api, &owner, "crm/contact/status").await;
    let statuses = statuses["response"].as_array().unwrap().clone();
    assert_eq!(statuses.len(), 2, "{statuses:?}");
    assert_eq!(statuses[1]["id"], 12);
    assert_eq!(statuses[1]["color"], "#df7895");
    let (_, fields) = get(&api, &owner, "crm/person/customfield/definitions").await;
    assert_eq!(fields["response"][0]["id"], 60, "{fields}");
    let (_, values) = get(&api, &owner, "crm/person/101/customfield").await;
    assert_eq!(values["response"][0]["fieldValue"], "The fair", "{values}");
    let (_, linked) = get(&api, &owner, "crm/contact/project/7").await;
    assert_eq!(linked["response"][0]["id"], 101, "{linked}");

    // Private contacts: their managers (and admins) see them, other users do not.
    assert_eq!(get(&api, &bob, "crm/contact/102").await.0, StatusCode::OK);
    assert_eq!(get(&api, &carol, "crm/contact/102").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&api, &alice, "crm/contact/102").await.0, StatusCode::OK, "alice is an administrator");
    assert_eq!(get(&api, &carol, "crm/contact/103").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&api, &bob, "crm/contact/103").await.0, StatusCode::NOT_FOUND);
    let (_, access) = get(&api, &owner, "crm/contact/102/access").await;
    eprintln!("access: {access}");
    assert_eq!(get(&api, &carol, "crm/contact/101").await.0, StatusCode::OK, "shared for reading");

    // The five core operations on moved data; a new contact's id is above every moved one.
    let created = api
        .send(
            api.request(Method::POST, "crm/contact/person", Some(&owner))
                .header("Host", "localhost")
                .json(&json!({"firstName": "New", "lastName": "Comer", "companyId": 100})),
        )
        .await;
    let new_id = created.id();
    assert!(new_id > 200, "new id {new_id} is above every moved id");
    let batch = api
        .send(
            api.request(Method::PUT, "crm/contact", Some(&owner))
                .header("Host", "localhost")
                .json(&json!({"contactids": [100, 101, new_id]})),
        )
        .await;
    assert_eq!(batch.json_ok()["response"].as_array().unwrap().len(), 3);
    let shared = api
        .send(
            api.request(Method::PUT, "crm/contact/102/access", Some(&owner))
                .header("Host", "localhost")
                .json(&json!({"isShared": true})),
        )
        .await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.text);
    assert_eq!(get(&api, &carol, "crm/contact/102").await.0, StatusCode::OK);
    let linked = api
        .send(
            api.request(Method::POST, "crm/contact/project/7", Some(&owner))
                .header("Host", "localhost")
                .json(&json!({"contactid": [new_id]})),
        )
        .await;
    assert!(linked.status.is_success(), "{}", linked.text);
    let (status, _) = get(&api, &owner, "crm/contact/filter?count=10").await;
    assert_eq!(status, StatusCode::OK);

    // The second portal: its own owner and contact, and none of the first's.
    assert!(login(&api, "localhost", "sam@second.test", "Second-pass-1").await.is_err());
    let sam = login(&api, "crm.second.test", "sam@second.test", "Second-pass-1").await.expect("sam logs in");
    let on_two = |path: &str| api.request(Method::GET, path, Some(&sam)).header("Host", "crm.second.test");
    assert_eq!(api.send(on_two("crm/contact/200")).await.json_ok()["response"]["companyName"], "Second Co");
    assert_eq!(api.send(on_two("crm/contact/101")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&api, &owner, "crm/contact/200").await.0, StatusCode::NOT_FOUND);
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn without_the_machine_key_users_get_no_password_and_are_told_how() {
    let original = Original::new();
    fill(&original);
    let db = TestDb::new().await;
    let out = import(&original, &db, &["--tenant", "2"]);
    let text = printed(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Portal 2"), "{text}");
    assert!(!text.contains("Portal 1"), "--tenant 2 moves only portal 2: {text}");
    assert!(text.contains("1 users have no password") && text.contains("portald user passwd"), "{text}");
    let (server, api) = serve(&db).await;
    assert!(login(&api, "crm.second.test", "sam@second.test", "Second-pass-1").await.is_err());
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_portal_in_use_is_refused_and_left_as_it_was() {
    let original = Original::new();
    fill(&original);
    let db = TestDb::new().await;
    // A server's first start makes portal 1 with its owner: still fresh; a contact makes it used.
    let (server, api) = serve(&db).await;
    let owner = login(&api, "localhost", common::OWNER_EMAIL, common::OWNER_PASSWORD).await.expect("login");
    let created = api
        .send(
            api.request(Method::POST, "crm/contact/company", Some(&owner))
                .header("Host", "localhost")
                .json(&json!({"companyName": "Ours"})),
        )
        .await;
    let ours = created.id();
    let out = import(&original, &db, &["--tenant", "1"]);
    let text = printed(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("portal 1 already holds 1 users and 1 groups, projects, contacts"), "{text}");
    assert_eq!(get(&api, &owner, &format!("crm/contact/{ours}")).await.0, StatusCode::OK);
    server.shutdown().await.expect("clean shutdown");

    // A portal fresh from a first start moves in: its owner is replaced by the original's.
    // (Only one portal was started: a second one's default statuses would hold ids the
    // original's portal 1 uses, which the import reports.)
    let fresh = TestDb::new().await;
    let (server, api) = serve_hosts(&fresh, "localhost=1").await;
    login(&api, "localhost", common::OWNER_EMAIL, common::OWNER_PASSWORD).await.expect("the first owner logs in");
    let out = import(&original, &fresh, &["--machine-key", MACHINE_KEY]);
    assert!(out.status.success(), "{}", printed(&out));
    assert!(login(&api, "localhost", common::OWNER_EMAIL, common::OWNER_PASSWORD).await.is_err());
    login(&api, "localhost", "owner@oo.test", "Owner-pass-1").await.expect("the original's owner logs in");
    server.shutdown().await.expect("clean shutdown");
}

async fn scalar(db: &TestDb, sql: &str) -> i64 {
    let pool = sqlx::AnyPool::connect(&db.url).await.expect("target opens");
    let value = sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect(sql);
    pool.close().await;
    value
}

/// Counts of every table the migration writes, for portal 1.
async fn state(db: &TestDb) -> Vec<i64> {
    let pool = sqlx::AnyPool::connect(&db.url).await.expect("target opens");
    let mut counts = Vec::new();
    for table in ["users", "crm_contacts", "crm_contact_info", "crm_contact_tags", "crm_custom_field_values"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        counts.push(sqlx::query_scalar::<_, i64>(&sql).fetch_one(&pool).await.unwrap_or(-1));
    }
    pool.close().await;
    counts
}

#[tokio::test]
async fn a_kill_during_the_import_leaves_the_target_unchanged() {
    sqlx::any::install_default_drivers();
    let original = Original::new();
    fill(&original);
    // Enough contacts, each with a detail, that the import takes a while.
    original.run(
        "INSERT INTO crm_contact (id, tenant_id, is_company, first_name, last_name, display_name, company_id, \
         create_by, create_on, is_shared) \
         SELECT 1000 + seq, 1, 0, 'Bulk', CONCAT('Person ', seq), CONCAT('Bulk Person ', seq), 0, \
         '0c92c034-edc0-11f1-9f2c-02fc00000001', '2020-01-01 00:00:00', 1 FROM seq_1_to_40000;\n\
         INSERT INTO crm_contact_info (id, data, category, tenant_id, is_primary, contact_id, type) \
         SELECT 10000 + seq, CONCAT('bulk', seq, '@example.test'), 1, 1, 1, 1000 + seq, 1 FROM seq_1_to_40000;",
    );
    let db = TestDb::new().await;
    // The schema first, so that "unchanged" compares tables that exist.
    let migrated = Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(["migrate", "--database-url", &db.url])
        .output()
        .expect("portald runs");
    assert!(migrated.status.success(), "{}", printed(&migrated));
    let before = state(&db).await;
    let mut interrupted = 0;
    for after in [150u64, 400, 800, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portald"))
            .args(["import", "onlyoffice", "--from", &original.url(), "--database-url", &db.url])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("portald spawns");
        std::thread::sleep(std::time::Duration::from_millis(after));
        let finished = child.try_wait().expect("status").is_some();
        let _ = child.kill();
        let _ = child.wait();
        if finished {
            break;
        }
        interrupted += 1;
        assert_eq!(state(&db).await, before, "a kill after {after} ms left part of the import behind");
    }
    assert!(interrupted > 0, "every import finished before its kill: the test needs more rows");
    let out = import(&original, &db, &[]);
    assert!(out.status.success(), "{}", printed(&out));
    let after = state(&db).await;
    assert_eq!(after[1], 40_005, "the whole import, after the kills: {after:?}");
}

#[tokio::test]
async fn a_portal_whose_owner_is_gone_gets_a_new_owner_on_first_start() {
    let original = Original::new();
    original.run(
        "INSERT INTO tenants_tenants (id, name, alias, creationdatetime, owner_id) VALUES \
         (3, 'Orphaned', 'third', '2021-01-01 00:00:00', '3e3e3e3e-0000-4000-8000-000000000003');\n\
         INSERT INTO crm_contact (id, tenant_id, is_company, company_name, display_name, status_id, company_id, \
         contact_type_id, create_by, create_on, is_shared) VALUES \
         (300, 3, 1, 'Third Co', 'Third Co', 0, 0, 0, '3e3e3e3e-0000-4000-8000-000000000003', '2021-01-02 00:00:00', 1);",
    );
    let db = TestDb::new().await;
    let out = import(&original, &db, &["--tenant", "3"]);
    let text = printed(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("is not a user moved: the portal gets a new owner"), "{text}");
    let (server, api) = serve_hosts(&db, "third.test=3").await;
    let owner = login(&api, "third.test", common::OWNER_EMAIL, common::OWNER_PASSWORD).await.expect("new owner");
    let answer = api.send(api.request(Method::GET, "crm/contact/300", Some(&owner)).header("Host", "third.test")).await;
    assert_eq!(answer.json_ok()["response"]["companyName"], "Third Co");
    server.shutdown().await.expect("clean shutdown");
}
