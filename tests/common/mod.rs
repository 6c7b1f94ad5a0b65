//! Test harness: a real server on port 0 against a fresh database, SQLite by default or
//! PostgreSQL with `PORTALD_TEST_DB=postgres` (at `PORTALD_TEST_PG`, default
//! `postgres://postgres@127.0.0.1:5432`).
#![allow(dead_code)]

pub mod attack;
pub mod shapes;
pub mod smtp;

use std::time::Duration;

use portald::app::{self, Server};
use portald::config::{DatabaseArgs, PortalArgs, ServeArgs};
use portald::domain::people::{self, UserDraft};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "owner-password-1";

pub fn postgres_base() -> String {
    std::env::var("PORTALD_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// What `read` answers once `holds` holds of it, asking again for up to 10 s (then panics with the
/// last answer): on PostgreSQL, a write by another process shows at a server that keeps answers
/// once the database's change notice reaches it, a moment after the commit.
pub async fn eventually<T, F, Fut>(mut read: F, holds: impl Fn(&T) -> bool) -> T
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let answer = read().await;
        if holds(&answer) {
            return answer;
        }
        assert!(std::time::Instant::now() < deadline, "still, after 10 s: {answer:?}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

pub fn use_postgres() -> bool {
    std::env::var("PORTALD_TEST_DB").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// A fresh database: a SQLite file in a temporary folder, or a new PostgreSQL database that is
/// dropped with the value.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A fresh database of the backend the tests run on.
    pub async fn new() -> TestDb {
        if use_postgres() {
            TestDb::postgres().await
        } else {
            TestDb::sqlite()
        }
    }

    /// A fresh SQLite file, whatever backend the tests run on.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}/portald.db", dir.path().display());
        TestDb { url, _dir: Some(dir), pg_name: None }
    }

    /// A fresh PostgreSQL database, dropped with the value.
    pub async fn postgres() -> TestDb {
        let name = format!("portald_test_{}", Uuid::new_v4().simple());
        let admin = format!("{}/postgres", postgres_base());
        run_pg(&admin, &format!("CREATE DATABASE {name}")).await;
        TestDb { url: format!("{}/{name}", postgres_base()), _dir: None, pg_name: Some(name) }
    }

    /// The SQLite file (none on PostgreSQL).
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self.url.strip_prefix("sqlite://").map(std::path::PathBuf::from)
    }
}

/// Runs the `portald` binary with `args`: its exit code and what it printed (stdout, stderr).
pub fn portald(args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(args)
        .env("PORTALD_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("portald runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

async fn run_pg(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("PostgreSQL reachable for tests");
    sqlx::Executor::execute(&mut conn, sql).await.expect("PostgreSQL statement");
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = format!("{}/postgres", postgres_base());
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(run_pg(&admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
            })
            .join();
        }
    }
}

/// How a test wants its server.
pub struct Options {
    pub time_zone: &'static str,
    pub hosts: &'static str,
    pub token_lifetime: Duration,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub photo_fetch: portald::config::PhotoFetchArgs,
    /// `--smtp-url`: none keeps mail in the outbox.
    pub smtp_url: Option<String>,
    /// `--backup-every`, `--backup-dir`, `--backup-keep`.
    pub backup: portald::config::BackupScheduleArgs,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time_zone: "UTC",
            hosts: "",
            token_lifetime: Duration::from_secs(3600),
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            photo_fetch: Default::default(),
            smtp_url: None,
            backup: Default::default(),
        }
    }
}

pub struct TestServer {
    /// A client of this server; its methods (`call`, `get`, `request`, ...) are the server's.
    pub api: Api,
    server: Option<Server>,
    pub db: TestDb,
}

impl std::ops::Deref for TestServer {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// A client of one server at `base` (`http://host:port`), in-process or a spawned `portald`.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

/// A response as a client sees it.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    /// The URL asked, for messages.
    pub url: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The body as JSON, asserting first that the status is a success.
    pub fn json_ok(&self) -> Value {
        assert!(self.status.is_success(), "{}: {} {}", self.url, self.status, self.text);
        self.json()
    }

    /// The id of the record a successful answer shows (`response.id`, a number).
    pub fn id(&self) -> i64 {
        self.json_ok()["response"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{}: no numeric id in {}", self.url, self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn spawn() -> TestServer {
    spawn_with(Options::default()).await
}

pub async fn spawn_with(options: Options) -> TestServer {
    let db = TestDb::new().await;
    let args = serve_args(&db.url, &options);
    let server = app::start(&args).await.expect("server starts");
    let api = Api::new(&format!("http://{}", server.addr));
    TestServer { api, server: Some(server), db }
}

pub fn serve_args(url: &str, options: &Options) -> ServeArgs {
    ServeArgs {
        bind: "127.0.0.1:0".parse().expect("address"),
        database: DatabaseArgs { database_url: url.to_string(), db_connections: 4 },
        portal: PortalArgs {
            owner_email: OWNER_EMAIL.into(),
            owner_password: Some(OWNER_PASSWORD.into()),
            time_zone: options.time_zone.parse().expect("time zone"),
            hosts: portald::config::HostMap::parse(options.hosts).expect("host map"),
        },
        token_lifetime: options.token_lifetime,
        max_body_bytes: options.max_body_bytes,
        request_timeout: options.request_timeout,
        log_json: false,
        photo_fetch: options.photo_fetch.clone(),
        mail: portald::config::MailArgs { smtp_url: options.smtp_url.clone(), ..Default::default() },
        upgrade: Default::default(),
        backup: options.backup.clone(),
    }
}

/// Roles a test user can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    User,
    Guest,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api { base: base.trim_end_matches('/').to_string(), client: reqwest::Client::new() }
    }

    /// The value of a metric the server shows on `/metrics`, if it shows it.
    pub async fn metric(&self, name: &str) -> Option<f64> {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        let line = text.lines().find(|l| l.starts_with(&format!("{name} ")))?;
        Some(line[name.len() + 1..].parse().expect("a number"))
    }

    /// The URL of an API path (below `/api/2.0/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/2.0/{}", self.base, path.trim_start_matches('/'))
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let url = response.url().to_string();
        let text = response.text().await.expect("body read");
        Answer { status, headers, text, url }
    }

    /// A request to an API path; `token` goes in the Authorization header as is.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        match token {
            Some(token) => request.header("Authorization", token),
            None => request,
        }
    }

    /// Sends `body` as JSON to an API path with `token`.
    pub async fn call(&self, token: &str, method: Method, path: &str, body: impl Serialize) -> Answer {
        self.call_with(Some(token), method, path, body).await
    }

    /// As `call`, with or without a token.
    pub async fn call_with(&self, token: Option<&str>, method: Method, path: &str, body: impl Serialize) -> Answer {
        self.send(self.request(method, path, token).json(&body)).await
    }

    /// Sends `fields` as an HTML form to an API path, with or without a token.
    pub async fn form(&self, token: Option<&str>, method: Method, path: &str, fields: impl Serialize) -> Answer {
        self.send(self.request(method, path, token).form(&fields)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(self.request(Method::GET, path, Some(token))).await
    }

    /// Logs in and returns the token; panics unless the login succeeds.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let answer =
            self.form(None, Method::POST, "authentication", [("userName", login), ("password", password)]).await;
        assert_eq!(answer.status, StatusCode::CREATED, "login of {login}: {}", answer.text);
        answer.json()["response"]["token"].as_str().expect("token").to_string()
    }

    pub async fn owner_token(&self) -> String {
        self.login(OWNER_EMAIL, OWNER_PASSWORD).await
    }
}

impl TestServer {
    pub fn store(&self) -> &portald::store::Store {
        &self.server.as_ref().expect("running").app().store
    }

    /// Adds a person through the API (last name "X", the given share type); returns his id.
    pub async fn add_person(&self, token: &str, first_name: &str, share_type: i64) -> i64 {
        let body = serde_json::json!({"firstName": first_name, "lastName": "X", "shareType": share_type});
        self.call(token, Method::POST, "crm/contact/person", body).await.id()
    }

    /// Adds a user as `add_user` does and logs him in; returns (id, token).
    pub async fn add_user_and_login(&self, name: &str, role: Role) -> (Uuid, String) {
        let (id, email, password) = self.add_user(name, role).await;
        (id, self.login(&email, &password).await)
    }

    /// Adds a user straight through the domain layer; returns (id, email, password).
    pub async fn add_user(&self, name: &str, role: Role) -> (Uuid, String, String) {
        let email = format!("{name}@example.com");
        let password = format!("{name}-password");
        let draft = UserDraft {
            email: email.clone(),
            first_name: name.to_string(),
            last_name: "Tester".into(),
            password: Some(password.clone()),
            is_admin: role == Role::Admin,
            is_visitor: role == Role::Guest,
            activated: true,
        };
        let (id, _) = people::create_user(self.store(), 1, draft).await.expect("user created");
        (id, email, password)
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
    }
}

/// Spawns a `portald` server process with `command` (stdout piped by this function) and waits
/// until it serves; returns the child, its address and what it printed before.
pub fn start_process(command: &mut std::process::Command) -> (std::process::Child, String, Vec<String>) {
    use std::io::BufRead;
    let mut child = command.stdout(std::process::Stdio::piped()).spawn().expect("portald spawns");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("portald ended before it printed its address: {printed:?}");
        };
        if let Some(addr) = line.strip_prefix("portald is serving on ") {
            // Keep reading, so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, addr.to_string(), printed);
        }
        printed.push(line);
    }
}
