//! `portald backup` and `portald restore`: a consistent backup while clients write, restored into
//! a fresh database of each backend equal to the backup row by row with its id sequences; SQLite
//! to PostgreSQL and back; a backup killed halfway leaves no complete-looking file; a restore
//! refuses a non-empty target, a newer schema and a damaged file.
//!
//! The restores into PostgreSQL run with `PORTALD_TEST_DB=postgres`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::{portald, serve_args, spawn, use_postgres, Api, Options, TestDb, OWNER_EMAIL, OWNER_PASSWORD};
use portald::backup::{manifest_path, Manifest};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{AnyPool, Row};

/// Every table of a backup file as a target holds it: rows sorted, values as JSON (blobs hex),
/// columns as the backup declares them; and the id sequences of the backup's sequenced tables.
struct Contents {
    tables: BTreeMap<String, Vec<Vec<Value>>>,
    sequences: BTreeMap<String, i64>,
}

async fn pool(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.expect("database opens")
}

/// A read-only URL of a backup file (nothing it does may change the file).
fn file_url(path: &Path) -> String {
    format!("sqlite://{}?mode=ro", path.display())
}

/// What `url` holds of the tables and sequences the backup `file` has (not the contact totals,
/// which triggers derive from the contacts: `portald check` holds them to the contacts; nor the
/// portal stamps, which triggers raise).
async fn contents(url: &str, file: &Path) -> Contents {
    let backup = pool(&file_url(file)).await;
    let target = pool(url).await;
    let names: Vec<String> = sqlx::query(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN ('_sqlx_migrations', 'crm_contact_counts', 'portal_stamps') ORDER BY name",
    )
    .fetch_all(&backup)
    .await
    .expect("tables")
    .iter()
    .map(|r| r.get("name"))
    .collect();
    let mut tables = BTreeMap::new();
    for name in names {
        let columns: Vec<(String, String)> = sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(&backup)
            .await
            .expect("columns")
            .iter()
            .map(|r| (r.get("name"), r.get("type")))
            .collect();
        let list: Vec<String> = columns.iter().map(|(c, _)| format!("\"{c}\"")).collect();
        let rows = sqlx::query(&format!("SELECT {} FROM \"{name}\"", list.join(", ")))
            .fetch_all(&target)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut values: Vec<Vec<Value>> = rows
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, declared))| match declared.as_str() {
                        "INTEGER" => json!(row.get::<Option<i64>, _>(i)),
                        "REAL" => json!(row.get::<Option<f64>, _>(i)),
                        "BLOB" => json!(row.get::<Option<Vec<u8>>, _>(i).map(|b| hex(&b))),
                        _ => json!(row.get::<Option<String>, _>(i)),
                    })
                    .collect()
            })
            .collect();
        values.sort_by_key(|row| serde_json::to_string(row).expect("json"));
        tables.insert(name, values);
    }
    let sequenced: Vec<String> = sqlx::query("SELECT name FROM sqlite_sequence")
        .fetch_all(&backup)
        .await
        .expect("sequences")
        .iter()
        .map(|r| r.get("name"))
        .collect();
    let mut sequences = BTreeMap::new();
    for table in sequenced {
        let sql = if url.starts_with("postgres") {
            "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')), 0) AS seq"
        } else {
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0) AS seq"
        };
        let seq: i64 = sqlx::query(sql).bind(&table).fetch_one(&target).await.expect("sequence").get("seq");
        sequences.insert(table, seq);
    }
    backup.close().await;
    target.close().await;
    Contents { tables, sequences }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asserts that the database at `url` holds exactly what the backup `file` holds, its id
/// sequences included.
async fn assert_equal_to_backup(url: &str, file: &Path) {
    let (restored, expected) = assert_rows_equal_to_backup(url, file).await;
    assert_eq!(restored, expected, "{url}: id sequences");
}

/// Asserts that the database at `url` holds the rows the backup `file` holds; returns the id
/// sequences of both (restored, backed up).
async fn assert_rows_equal_to_backup(url: &str, file: &Path) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let expected = contents(&file_url(file), file).await;
    let restored = contents(url, file).await;
    for (table, rows) in &expected.tables {
        assert_eq!(restored.tables[table].len(), rows.len(), "{url}: rows of {table}");
        assert!(restored.tables[table] == *rows, "{url}: {table} differs from the backup");
    }
    assert!(expected.tables["crm_contacts"].len() > 1, "the backup holds contacts");
    (restored.sequences, expected.sequences)
}

/// The number of the newest migration in the repository.
fn latest_migration() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations")
        .filter_map(|e| e.ok()?.file_name().to_str()?.split('_').next()?.parse().ok())
        .max()
        .expect("a migration")
}

fn read_manifest(file: &Path) -> Manifest {
    serde_json::from_slice(&std::fs::read(manifest_path(file)).expect("manifest")).expect("manifest JSON")
}

fn backup(url: &str, to: &Path) -> (i32, String) {
    portald(&["backup", "--database-url", url, "--to", &to.display().to_string()])
}

fn restore(file: &Path, url: &str, extra: &[&str]) -> (i32, String) {
    let file = file.display().to_string();
    let mut args = vec!["restore", file.as_str(), "--database-url", url];
    args.extend_from_slice(extra);
    portald(&args)
}

/// One client's writes: a company, a person in it with an email, and a tag on him.
async fn write_once(api: &Api, token: &str, client: usize, n: usize) {
    let company = api
        .call(token, Method::POST, "crm/contact/company", json!({"companyName": format!("Firm {client}-{n}")}))
        .await
        .id();
    let person = api
        .call(
            token,
            Method::POST,
            "crm/contact/person",
            json!({"firstName": format!("P{client}"), "lastName": format!("N{n}"), "companyId": company}),
        )
        .await
        .id();
    let data = json!({"infoType": "Email", "data": format!("p{client}.{n}@example.com"), "category": "Work"});
    api.call(token, Method::POST, &format!("crm/contact/{person}/data"), data).await.json_ok();
    api.call(token, Method::POST, &format!("crm/contact/{person}/tag"), json!({"tagName": format!("t{}", n % 5)}))
        .await
        .json_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_20_clients_write_restores_into_each_backend_equal_to_itself() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let (done, stop) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
    let mut writers = Vec::new();
    for client in 0..20 {
        let (api, token, done, stop) = (server.api.clone(), token.clone(), done.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                write_once(&api, &token, client, n).await;
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    while done.load(Ordering::Relaxed) < 40 {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let folder = tempfile::tempdir().expect("folder");
    let file = folder.path().join("during-writes.sqlite");
    let (url, to) = (server.db.url.clone(), file.clone());
    let (code, text) = tokio::task::spawn_blocking(move || backup(&url, &to)).await.expect("backup ran");
    assert_eq!(code, 0, "{text}");
    // The writers go on after the backup, so the source moves past it.
    let after = done.load(Ordering::Relaxed);
    while done.load(Ordering::Relaxed) < after + 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }

    // The backup is consistent: its manifest's counts are its own, nothing points at nothing,
    // and it holds fewer contacts than the source now does.
    let manifest = read_manifest(&file);
    let inside = contents(&file_url(&file), &file).await;
    for (table, rows) in &inside.tables {
        assert_eq!(manifest.tables[table], rows.len() as i64, "manifest count of {table}");
    }
    assert_eq!(manifest.schema_version, latest_migration());
    assert_eq!(manifest.source_backend, if use_postgres() { "postgres" } else { "sqlite" });
    let scratch = folder.path().join("scratch.sqlite");
    std::fs::copy(&file, &scratch).expect("copy");
    let (code, text) = portald(&["check", "--database-url", &format!("sqlite://{}", scratch.display())]);
    assert_eq!(code, 0, "the backup is not consistent: {text}");
    let source = pool(&server.db.url).await;
    let now: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM crm_contacts").fetch_one(&source).await.expect("count").get("n");
    source.close().await;
    assert!(now > manifest.tables["crm_contacts"], "the backup is of a moment during the writes");
    server.stop().await;

    let mut targets = vec![TestDb::sqlite()];
    if use_postgres() {
        targets.push(TestDb::postgres().await);
    }
    for target in &targets {
        let (code, text) = restore(&file, &target.url, &[]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("Restored"), "{text}");
        assert_equal_to_backup(&target.url, &file).await;
        let (code, text) = portald(&["check", "--database-url", &target.url]);
        assert_eq!(code, 0, "{text}");
    }

    // A server on the restored database serves the data, and new ids come after the backup's.
    let restored = portald::app::start(&serve_args(&targets.last().expect("target").url, &Options::default()))
        .await
        .expect("server on the restored database");
    let api = Api::new(&format!("http://{}", restored.addr));
    let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let listed = api.get("crm/contact/filter?count=1", &token).await.json_ok();
    assert_eq!(listed["total"], json!(manifest.tables["crm_contacts"]));
    let new = api.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "After"})).await.id();
    assert_eq!(new, manifest.sequences["crm_contacts"] + 1);
    restored.shutdown().await.expect("shutdown");
}

/// A small PNG, for a photo (a BLOB column) in the backup.
fn png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Png).expect("encoded");
    out.into_inner()
}

/// A server on the restored database finds a person by his email: the search index came too.
async fn assert_finds_by_detail(url: &str) {
    let server = portald::app::start(&serve_args(url, &Options::default())).await.expect("server");
    let api = Api::new(&format!("http://{}", server.addr));
    let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let found = api.get("crm/contact/filter?filterValue=p0.3@example", &token).await.json_ok();
    assert_eq!(found["response"].as_array().map(Vec::len), Some(1), "{url}: {found}");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn sqlite_to_postgresql_and_back_is_how_to_change_backends() {
    if !use_postgres() {
        return; // Needs PostgreSQL: runs with PORTALD_TEST_DB=postgres.
    }
    let folder = tempfile::tempdir().expect("folder");
    let sqlite = TestDb::sqlite();
    let server = portald::app::start(&serve_args(&sqlite.url, &Options::default())).await.expect("server");
    let api = Api::new(&format!("http://{}", server.addr));
    let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    for n in 0..5 {
        write_once(&api, &token, 0, n).await;
    }
    let photo = reqwest::multipart::Form::new()
        .part("photo", reqwest::multipart::Part::bytes(png()).file_name("p.png").mime_str("image/png").expect("mime"));
    let with_photo =
        api.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Pictured"})).await.id();
    let answer = api
        .send(api.request(Method::PUT, &format!("crm/contact/{with_photo}/changephoto"), Some(&token)).multipart(photo))
        .await;
    assert!(answer.status.is_success(), "{}", answer.text);
    // The newest contact deleted: its id stays given, the sequence above every id left.
    let gone = api.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Gone"})).await.id();
    api.call(&token, Method::DELETE, &format!("crm/contact/{gone}"), json!({})).await.json_ok();
    server.shutdown().await.expect("shutdown");

    let first = folder.path().join("from-sqlite.sqlite");
    let (code, text) = backup(&sqlite.url, &first);
    assert_eq!(code, 0, "{text}");
    assert_eq!(read_manifest(&first).sequences["crm_contacts"], gone);
    let postgres = TestDb::postgres().await;
    let (code, text) = restore(&first, &postgres.url, &[]);
    assert_eq!(code, 0, "{text}");
    assert_equal_to_backup(&postgres.url, &first).await;

    let second = folder.path().join("from-postgres.sqlite");
    let (code, text) = backup(&postgres.url, &second);
    assert_eq!(code, 0, "{text}");
    assert_eq!(read_manifest(&second).source_backend, "postgres");
    assert_eq!(read_manifest(&second).tables, read_manifest(&first).tables);
    // (Searched after its backup: logging in adds a token.)
    assert_finds_by_detail(&postgres.url).await;
    let back = TestDb::sqlite();
    let (code, text) = restore(&second, &back.url, &[]);
    assert_eq!(code, 0, "{text}");
    // Back on SQLite: the rows and sequences of the first backup, and a working search index.
    assert_equal_to_backup(&back.url, &first).await;
    let (code, text) = portald(&["check", "--database-url", &back.url]);
    assert_eq!(code, 0, "{text}");
    assert_finds_by_detail(&back.url).await;
    let server = portald::app::start(&serve_args(&back.url, &Options::default())).await.expect("server");
    let api = Api::new(&format!("http://{}", server.addr));
    let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let next = api.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Next"})).await.id();
    assert_eq!(next, gone + 1, "the deleted contact's id is not given again");
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn restore_refuses_a_target_with_rows_a_newer_schema_and_a_damaged_file() {
    let server = spawn().await;
    let token = server.owner_token().await;
    write_once(&server.api, &token, 0, 0).await;
    let folder = tempfile::tempdir().expect("folder");
    let file = folder.path().join("b.sqlite");
    let (code, text) = backup(&server.db.url, &file);
    assert_eq!(code, 0, "{text}");
    write_once(&server.api, &token, 0, 1).await;

    // The server's own database holds rows: refused and left as it was, unless --force.
    let (code, text) = restore(&file, &server.db.url, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("not empty") && text.contains("--force"), "{text}");
    let total = |answer: common::Answer| answer.json_ok()["total"].clone();
    assert_eq!(total(server.get("crm/contact/filter?count=1", &token).await), json!(4));
    let (code, text) = restore(&file, &server.db.url, &["--force"]);
    assert_eq!(code, 0, "{text}");
    // The rows are the backup's; the sequences stay past the ids the replaced rows had.
    let (restored, backed_up) = assert_rows_equal_to_backup(&server.db.url, &file).await;
    assert_eq!(restored["crm_contacts"], backed_up["crm_contacts"] + 2);
    assert_eq!(total(server.get("crm/contact/filter?count=1", &token).await), json!(2));

    // A damaged copy: its checksum no longer matches.
    let damaged = folder.path().join("damaged.sqlite");
    let mut bytes = std::fs::read(&file).expect("backup");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&damaged, bytes).expect("write");
    std::fs::copy(manifest_path(&file), manifest_path(&damaged)).expect("manifest");
    let fresh = TestDb::new().await;
    let (code, text) = restore(&damaged, &fresh.url, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("does not match its manifest"), "{text}");

    // A backup of a newer portald's schema.
    let newer = folder.path().join("newer.sqlite");
    std::fs::copy(&file, &newer).expect("copy");
    let mut manifest = read_manifest(&file);
    manifest.schema_version += 1;
    std::fs::write(manifest_path(&newer), serde_json::to_vec(&manifest).expect("json")).expect("manifest");
    let (code, text) = restore(&newer, &fresh.url, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("newer than this portald's"), "{text}");

    // A file without its manifest is no complete backup.
    let bare = folder.path().join("bare.sqlite");
    std::fs::copy(&file, &bare).expect("copy");
    let (code, text) = restore(&bare, &fresh.url, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("not a complete portald backup"), "{text}");

    // None of the refusals wrote anything.
    let (code, text) = restore(&file, &fresh.url, &[]);
    assert_eq!(code, 0, "{text}");
    assert_equal_to_backup(&fresh.url, &file).await;
    server.stop().await;
}

#[tokio::test]
async fn a_backup_killed_halfway_leaves_no_file_that_looks_complete() {
    let db = TestDb::new().await;
    // Enough that a backup takes a moment: SQLite copies its file fast, PostgreSQL row by row.
    let contacts: i64 = if use_postgres() { 5_000 } else { 20_000 };
    let count = contacts.to_string();
    let (code, text) =
        portald(&["seed", "--contacts", &count, "--users", "5", "--projects", "2", "--database-url", &db.url]);
    assert_eq!(code, 0, "{text}");
    let folder = tempfile::tempdir().expect("folder");
    let file = folder.path().join("killed.sqlite");
    let partial = folder.path().join(".killed.sqlite.partial");
    let mut killed_halfway = 0;
    for _ in 0..20 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portald"))
            .args(["backup", "--database-url", &db.url, "--to", &file.display().to_string()])
            .env("PORTALD_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("backup starts");
        // Killed as soon as it has begun writing.
        while !partial.exists() && child.try_wait().expect("status").is_none() {
            std::thread::yield_now();
        }
        if child.try_wait().expect("status").is_none() {
            child.kill().expect("killed");
            child.wait().expect("ended");
            if !file.exists() {
                killed_halfway += 1;
            }
        } else {
            child.wait().expect("ended");
        }
        // Whatever moment the kill came at, a file under the name asked for has its manifest
        // and matches it, or there is none.
        if file.exists() {
            let (code, text) = restore(&file, &TestDb::sqlite().url, &[]);
            assert_eq!(code, 0, "a complete-looking backup does not restore: {text}");
            std::fs::remove_file(&file).expect("remove");
            std::fs::remove_file(manifest_path(&file)).expect("remove manifest");
        } else {
            let (code, text) = restore(&file, &TestDb::sqlite().url, &[]);
            assert_ne!(code, 0, "{text}");
            if partial.exists() {
                let (code, text) = restore(&partial, &TestDb::sqlite().url, &[]);
                assert_ne!(code, 0, "a partial file restored: {text}");
                assert!(text.contains("not a complete portald backup"), "{text}");
            }
        }
        if killed_halfway >= 3 {
            break;
        }
    }
    assert!(killed_halfway > 0, "no backup was caught halfway");
    // The next backup replaces what the killed ones left.
    let (code, text) = backup(&db.url, &file);
    assert_eq!(code, 0, "{text}");
    assert!(!partial.exists());
    let target = TestDb::new().await;
    let (code, text) = restore(&file, &target.url, &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(read_manifest(&file).tables["crm_contacts"], contacts);
}

/// The value of a metric the server shows on `/metrics`.
async fn metric(api: &Api, name: &str) -> f64 {
    api.metric(name).await.unwrap_or_else(|| panic!("no {name} on /metrics"))
}

/// The complete backups in `folder`, oldest first.
fn backups_in(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|e| Some(e.ok()?.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "sqlite"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[tokio::test]
async fn the_server_writes_backups_on_schedule_keeps_the_last_ones_and_shows_them_on_metrics() {
    let folder = tempfile::tempdir().expect("folder");
    let dir = folder.path().join("scheduled");
    let schedule = portald::config::BackupScheduleArgs {
        backup_every: Some(std::time::Duration::from_secs(1)),
        backup_dir: dir.clone(),
        backup_keep: 2,
    };
    let server = common::spawn_with(Options { backup: schedule, ..Default::default() }).await;
    let token = server.owner_token().await;
    assert_eq!(metric(&server.api, "portald_backup_last_success_timestamp_seconds").await, 0.0);
    let mut seen = std::collections::BTreeSet::new();
    // Requests go on while backups are written; until one has been removed as too old.
    for n in 0.. {
        write_once(&server.api, &token, 0, n).await;
        seen.extend(backups_in(&dir));
        if seen.len() > 3 || n > 2000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen.len() > 3, "backups written: {seen:?}");
    let at = metric(&server.api, "portald_backup_last_success_timestamp_seconds").await;
    let size = metric(&server.api, "portald_backup_last_size_bytes").await;
    let kept = backups_in(&dir);
    assert_eq!(kept.len(), 2, "{kept:?}");
    let newest = read_manifest(kept.last().expect("a backup"));
    assert_eq!((at as i64, size as u64), (newest.created_unix, newest.bytes));
    for file in &kept {
        portald::backup::verify(file).await.expect("a complete backup");
    }
    assert_eq!(metric(&server.api, "portald_backup_failures_total").await, 0.0);
    server.stop().await;

    // A folder that cannot be made: each failure is counted, and nothing is left.
    let blocked = folder.path().join("a-file");
    std::fs::write(&blocked, "not a folder").expect("file");
    let schedule = portald::config::BackupScheduleArgs {
        backup_every: Some(std::time::Duration::from_secs(1)),
        backup_dir: blocked.join("backups"),
        backup_keep: 2,
    };
    let server = common::spawn_with(Options { backup: schedule, ..Default::default() }).await;
    while metric(&server.api, "portald_backup_failures_total").await < 1.0 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(metric(&server.api, "portald_backup_last_success_timestamp_seconds").await, 0.0);
    server.stop().await;
}

/// Sealing a finished backup file (leaving WAL for a journal inside the file) needs the file to
/// itself, and SQLite fails that lock at once instead of waiting. A connection that wrote the
/// file and is still closing must make the seal wait, not fail the backup with "database is
/// locked" (seen once in CI, in a backup taken from PostgreSQL while clients wrote).
#[tokio::test]
async fn sealing_a_backup_file_waits_for_a_connection_still_closing() {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let folder = tempfile::tempdir().expect("folder");
    let file = folder.path().join("sealed.sqlite");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let mut writer = sqlx::AnyConnection::connect(&url).await.expect("file opens");
    writer.execute("PRAGMA journal_mode = WAL").await.expect("WAL");
    writer.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)").await.expect("rows");
    let closing = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        writer.close().await.expect("closes");
    });
    portald::store::backup::seal_sqlite_file(&file).await.expect("the seal waits for the other connection");
    closing.await.expect("closed");
    let mut reader = sqlx::AnyConnection::connect(&url).await.expect("file opens");
    let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut reader).await.expect("mode").get(0);
    assert_eq!(mode, "delete", "the journal is back in the file");
    let rows: i64 = sqlx::query("SELECT COUNT(*) FROM t").fetch_one(&mut reader).await.expect("count").get(0);
    assert_eq!(rows, 2, "nothing written was lost");
}
