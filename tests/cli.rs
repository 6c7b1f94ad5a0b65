//! The `portald` binary: help, the default serve with no setup, migrate, and user commands.

mod common;

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use common::TestDb;
use reqwest::StatusCode;

fn portald(dir: &Path, db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portald"));
    command.current_dir(dir).env_remove("PORTALD_OWNER_PASSWORD").env("PORTALD_LOG", "warn");
    if common::use_postgres() {
        command.env("DATABASE_URL", &db.url);
    } else {
        command.env_remove("DATABASE_URL");
    }
    command
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("portald runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// Starts `portald` with no subcommand; returns the child, its address and what it printed
/// before it started serving.
fn start(dir: &Path, db: &TestDb) -> (Child, String, Vec<String>) {
    common::start_process(portald(dir, db).env("PORTALD_BIND", "127.0.0.1:0"))
}

fn stop(mut child: Child) {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    let status = child.wait().expect("exit");
    assert!(status.success(), "SIGTERM ends the server cleanly: {status:?}");
}

fn password_from(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .find_map(|l| l.split("with the password ").nth(1))
        .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_string())
}

async fn login(addr: &str, user: &str, password: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{addr}/api/2.0/authentication"))
        .form(&[("userName", user), ("password", password)])
        .send()
        .await
        .expect("request")
        .status()
}

#[test]
fn help_explains_each_command() {
    let output = Command::new(env!("CARGO_BIN_EXE_portald")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for word in [
        "serve",
        "migrate",
        "user",
        "--bind",
        "--database-url",
        "PORTALD_OWNER_EMAIL",
        "PORTALD_TIME_ZONE",
        "PORTALD_HOSTS",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_portald")).args(["user", "add", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("--email"));
}

#[tokio::test]
async fn runs_with_no_setup_and_prints_the_generated_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let (child, addr, printed) = start(dir.path(), &db);
    let password = password_from(&printed).unwrap_or_else(|| panic!("no password printed: {printed:?}"));
    if !common::use_postgres() {
        assert!(dir.path().join("data/portald.db").is_file(), "SQLite file under ./data/");
    }
    assert_eq!(login(&addr, "admin@example.com", &password).await, StatusCode::CREATED);
    stop(child);

    let (child, addr, printed) = start(dir.path(), &db);
    assert_eq!(password_from(&printed), None, "printed only on first start");
    let started = std::time::Instant::now();
    assert_eq!(login(&addr, "admin@example.com", &password).await, StatusCode::CREATED);
    assert!(started.elapsed() < Duration::from_secs(10));
    stop(child);
}

#[tokio::test]
async fn migrate_and_user_commands_manage_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let out = run(portald(dir.path(), &db).arg("migrate"));
    assert!(out.contains("up to date"));
    let out = run(portald(dir.path(), &db).args([
        "user",
        "add",
        "--email",
        "ops@example.com",
        "--admin",
        "--first-name",
        "Op",
    ]));
    let generated =
        out.lines().find_map(|l| l.strip_prefix("Password: ")).expect("generated password printed").to_string();
    let (child, addr, _) = start(dir.path(), &db);
    assert_eq!(login(&addr, "ops", &generated).await, StatusCode::CREATED);
    run(portald(dir.path(), &db).args(["user", "passwd", "ops@example.com", "--password", "brand-new-pass"]));
    assert_eq!(login(&addr, "ops", &generated).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&addr, "ops", "brand-new-pass").await, StatusCode::CREATED);
    stop(child);

    let output = portald(dir.path(), &db).args(["user", "add", "--email", "ops@example.com"]).output().unwrap();
    assert!(!output.status.success(), "a duplicate email is refused");
    let output =
        portald(dir.path(), &db).args(["user", "passwd", "nobody", "--password", "whatever-1"]).output().unwrap();
    assert!(!output.status.success());
    let output = portald(dir.path(), &db)
        .args(["user", "add", "--email", "short@example.com", "--password", "short"])
        .output()
        .unwrap();
    assert!(!output.status.success(), "the password policy applies");
}

/// Runs a command that must fail (killed after a minute otherwise); returns its stderr.
fn fails(command: &mut Command) -> String {
    let mut child = command
        .env("PORTALD_BIND", "127.0.0.1:0")
        .env("RUST_BACKTRACE", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("portald spawns");
    let started = std::time::Instant::now();
    while child.try_wait().expect("status").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("portald kept running where it should have failed");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("exit");
    assert!(!output.status.success(), "a broken setup ends with a failure status");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_broken_setup_reports_its_real_cause() {
    // SQLite on either backend: a database file opened read-only is a failure deep in the store,
    // which the HTTP layer would answer as a bare "Internal server error".
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new().await;
    let file = dir.path().join("portald.db");
    let url = format!("sqlite://{}", file.display());
    let read_only = format!("{url}?mode=ro");
    run(portald(dir.path(), &db).args(["migrate", "--database-url", &url]));

    let stderr = fails(portald(dir.path(), &db).args(["serve", "--database-url", &read_only]));
    assert!(stderr.contains("creating the owner of portal 1"), "what failed: {stderr}");
    assert!(stderr.contains("readonly database"), "why it failed: {stderr}");
    assert!(!stderr.contains("Internal server error"), "{stderr}");

    run(portald(dir.path(), &db).args(["user", "add", "--email", "ro@example.com", "--database-url", &url]));
    let stderr = fails(portald(dir.path(), &db).args([
        "user",
        "passwd",
        "ro@example.com",
        "--password",
        "another-pass-1",
        "--database-url",
        &read_only,
    ]));
    assert!(stderr.contains("readonly database"), "why it failed: {stderr}");
    assert!(!stderr.contains("Internal server error"), "{stderr}");

    let stderr = fails(portald(dir.path(), &db).args(["migrate", "--database-url", "sqlite://portald.db/sub/x.db"]));
    assert!(stderr.contains("cannot create folder"), "what failed: {stderr}");
    assert!(stderr.contains("Caused by"), "the cause follows: {stderr}");
}
