//! Upgrades that cannot strand a database: `portald migrate --dry-run` lists what would run; an
//! existing SQLite database is backed up beside its file before migrations change it (the last
//! few kept); a migration that fails leaves the database as it was, and the binary before the
//! upgrade goes on serving it.

mod common;

use std::path::{Path, PathBuf};

use common::{portald, serve_args, use_postgres, Api, Options, TestDb, OWNER_EMAIL, OWNER_PASSWORD};
use portald::config::DatabaseArgs;
use portald::store::Store;
use reqwest::Method;
use serde_json::json;
use sqlx::migrate::Migrator;
use sqlx::Row;

/// The repository's migrations of the backend under test, numbered `..=up_to`.
fn migrations(up_to: i64) -> Vec<(i64, PathBuf)> {
    let backend = if use_postgres() { "postgres" } else { "sqlite" };
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut found: Vec<(i64, PathBuf)> = std::fs::read_dir(folder)
        .expect("migrations")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let version = path.file_name()?.to_str()?.split('_').next()?.parse().ok()?;
            Some((version, path))
        })
        .filter(|(version, _)| *version <= up_to)
        .collect();
    found.sort();
    found
}

/// A migrator of the repository's migrations up to `up_to`, and `extra` SQL files after them.
async fn migrator(folder: &Path, up_to: i64, extra: &[(&str, &str)]) -> Migrator {
    std::fs::create_dir_all(folder).expect("folder");
    for (_, path) in migrations(up_to) {
        std::fs::copy(&path, folder.join(path.file_name().expect("name"))).expect("copy");
    }
    for (name, sql) in extra {
        std::fs::write(folder.join(name), sql).expect("migration");
    }
    Migrator::new(folder.to_path_buf()).await.expect("migrations read")
}

async fn store(url: &str) -> Store {
    Store::connect(&DatabaseArgs { database_url: url.to_string(), db_connections: 2 }).await.expect("database opens")
}

async fn version(url: &str) -> i64 {
    let store = store(url).await;
    let (pending, _) = store.pending_migrations(store.migrator()).await.expect("pending");
    let latest = migrations(i64::MAX).last().expect("a migration").0;
    store.close().await;
    pending.first().map_or(latest, |m| m.version - 1)
}

#[tokio::test]
async fn a_failing_migration_leaves_the_database_as_it_was_and_the_binary_before_serves_it() {
    let db = TestDb::new().await;
    let server = portald::app::start(&serve_args(&db.url, &Options::default())).await.expect("server");
    let api = Api::new(&format!("http://{}", server.addr));
    let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let kept = api.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Kept"})).await.id();
    server.shutdown().await.expect("shutdown");

    // The next version's migration changes things, then fails.
    let folder = tempfile::tempdir().expect("folder");
    let broken = "CREATE TABLE upgrade_debris (id BIGINT);\n\
                  UPDATE crm_contacts SET display_name = 'changed by the failed upgrade';\n\
                  INSERT INTO crm_contacts (portal_id) VALUES (1);\n";
    let next = migrator(&folder.path().join("next"), i64::MAX, &[("0999_breaks.sql", broken)]).await;
    let store = store(&db.url).await;
    let failed = portald::backup::upgrade_with(&store, &next, 3).await.expect_err("the migration fails");
    assert!(format!("{failed:#}").contains("999"), "{failed:#}");
    store.close().await;

    let pool = sqlx::AnyPool::connect(&db.url).await.expect("database");
    assert!(sqlx::query("SELECT COUNT(*) FROM upgrade_debris").fetch_one(&pool).await.is_err(), "its table stayed");
    let recorded: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE version = 999")
        .fetch_one(&pool)
        .await
        .expect("records")
        .get("n");
    assert_eq!(recorded, 0);
    pool.close().await;

    // The binary before the upgrade serves the database as it was.
    let server = portald::app::start(&serve_args(&db.url, &Options::default())).await.expect("server starts again");
    let api = Api::new(&format!("http://{}", server.addr));
    let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let company = api.get(&format!("crm/contact/{kept}"), &token).await.json_ok();
    assert_eq!(company["response"]["displayName"], json!("Kept"));
    api.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Later"})).await.id();
    server.shutdown().await.expect("shutdown");

    // On SQLite a backup of the database before the attempt lies beside it, usable as it is.
    if let Some(file) = db.sqlite_file() {
        let backup = PathBuf::from(format!("{}.before-0999.bak", file.display()));
        let manifest = portald::backup::verify(&backup).await.expect("the backup before the upgrade");
        assert_eq!(manifest.tables["crm_contacts"], 1);
        let copy = folder.path().join("put-back.db");
        std::fs::copy(&backup, &copy).expect("copy");
        let url = format!("sqlite://{}", copy.display());
        let server = portald::app::start(&serve_args(&url, &Options::default())).await.expect("server on the backup");
        let api = Api::new(&format!("http://{}", server.addr));
        let token = api.login(OWNER_EMAIL, OWNER_PASSWORD).await;
        api.get(&format!("crm/contact/{kept}"), &token).await.json_ok();
        server.shutdown().await.expect("shutdown");
    }
}

#[tokio::test]
async fn migrate_dry_run_lists_what_would_run_and_the_upgrade_keeps_the_last_backups() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().expect("folder");
    let old = migrator(&folder.path().join("old"), 14, &[]).await;
    let store = store(&db.url).await;
    store.run_migrations(&old).await.expect("the older schema");
    store.close().await;
    let pending: Vec<String> = migrations(i64::MAX)
        .iter()
        .filter(|(version, _)| *version > 14)
        .map(|(version, path)| {
            let name = path.file_stem().expect("name").to_string_lossy().into_owned();
            format!("  {version:04} {}", name.split_once('_').expect("numbered").1.replace('_', " "))
        })
        .collect();

    let (code, text) = portald(&["migrate", "--dry-run", "--database-url", &db.url]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&format!("{} migrations would run:\n{}\n", pending.len(), pending.join("\n"))), "{text}");
    assert_eq!(version(&db.url).await, 14, "a dry run changes nothing");
    let backup = db.sqlite_file().map(|file| PathBuf::from(format!("{}.before-0015.bak", file.display())));
    if let Some(backup) = &backup {
        assert!(text.contains(&format!("A backup would be written first: {}", backup.display())), "{text}");
        assert!(!backup.exists());
    }

    // Older backups beside the file: the upgrade keeps the newest ones, two here.
    let file = db.sqlite_file();
    let older: Vec<PathBuf> = file
        .iter()
        .flat_map(|file| [1, 2].map(|n| PathBuf::from(format!("{}.before-{n:04}.bak", file.display()))))
        .collect();
    for path in &older {
        std::fs::write(path, "old").expect("old backup");
        std::fs::write(portald::backup::manifest_path(path), "{}").expect("old manifest");
    }
    let (code, text) = portald(&["migrate", "--upgrade-backups", "2", "--database-url", &db.url]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("The database is up to date."), "{text}");
    assert_eq!(version(&db.url).await, migrations(i64::MAX).last().expect("a migration").0);
    if let Some(backup) = &backup {
        let manifest = portald::backup::verify(backup).await.expect("the backup before the upgrade");
        assert_eq!(manifest.schema_version, 14);
        assert!(!older[0].exists() && !portald::backup::manifest_path(&older[0]).exists(), "the oldest is removed");
        assert!(older[1].exists(), "the newer one is kept");
    }
    let (code, text) = portald(&["migrate", "--dry-run", "--database-url", &db.url]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("up to date; nothing would run"), "{text}");
}
