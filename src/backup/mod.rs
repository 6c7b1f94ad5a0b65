//! Backups, restores and safe upgrades.
//!
//! A backup is one format on both backends: a SQLite database file with portald's schema (the
//! file a SQLite server would run on), beside it a manifest `FILE.manifest.json` with the portald
//! version, the schema version (last migration applied), the source backend, the rows per table,
//! the id sequences, the size and the file's SHA-256. From SQLite the file is SQLite's own
//! consistent copy (`VACUUM INTO`); from PostgreSQL every table is read in one REPEATABLE READ
//! snapshot into a new SQLite file migrated to the same schema version. Both files are written
//! under temporary names and renamed, the manifest first and the data last, so a backup that
//! was killed leaves no file under the name asked for.

mod schedule;

pub use schedule::spawn_schedule;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::migrate::{Migration, MigrationSource, Migrator};

use crate::config::{DatabaseArgs, UpgradeArgs};
use crate::store::backup::{self as rows, Table};
use crate::store::{Backend, Store};

/// What the `format` field of every manifest says.
const FORMAT: &str = "portald-backup";
/// The manifest's own layout; a reader refuses any other.
const FORMAT_VERSION: u32 = 1;

/// Reports progress: the table being copied, rows copied, rows in it.
pub type Progress<'a> = &'a mut (dyn FnMut(&str, u64, u64) + Send);

/// The description written beside a backup file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The portald that wrote it.
    pub portald_version: String,
    /// The last migration applied to the data in the file.
    pub schema_version: i64,
    /// `sqlite` or `postgres`.
    pub source_backend: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_unix: i64,
    pub bytes: u64,
    pub sha256: String,
    /// Rows per table.
    pub tables: BTreeMap<String, i64>,
    /// The highest id each table's sequence has given.
    pub sequences: BTreeMap<String, i64>,
}

/// Where the manifest of the backup `file` lives.
pub fn manifest_path(file: &Path) -> PathBuf {
    sibling(file, "", ".manifest.json")
}

/// `file`'s name with `prefix` and `suffix` added, in its folder.
fn sibling(file: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    file.with_file_name(format!("{prefix}{name}{suffix}"))
}

/// A backup file's name for now: `portald-backup-20261206T070148.123Z.sqlite`.
pub fn timestamped_name() -> String {
    format!("portald-backup-{}.sqlite", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"))
}

/// Writes a backup of `store` to `dest` and its manifest beside it (both replaced if present).
pub async fn write_backup(store: &Store, dest: &Path, progress: Progress<'_>) -> anyhow::Result<Manifest> {
    let partial = sibling(dest, ".", ".partial");
    let _ = std::fs::remove_file(&partial);
    let written = match store.backend() {
        Backend::Sqlite => store.vacuum_into(&partial).await.context("copying the SQLite database"),
        Backend::Postgres => copy_from_postgres(store, &partial, progress).await,
    };
    let manifest = match written {
        Ok(()) => describe(&partial, store.backend()).await,
        Err(err) => Err(err),
    };
    let manifest = match manifest {
        Ok(manifest) => manifest,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err.context(format!("writing the backup {}", dest.display())));
        }
    };
    let manifest_partial = sibling(dest, ".", ".manifest.partial");
    if let Err(err) = publish(&partial, &manifest_partial, dest, &manifest) {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(&manifest_partial);
        return Err(err.context(format!("writing the backup {}", dest.display())));
    }
    Ok(manifest)
}

/// Writes the manifest under its temporary name, syncs both files and renames them: the data
/// goes to its name last, so a file under that name always has its manifest.
fn publish(partial: &Path, manifest_partial: &Path, dest: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let mut file = std::fs::File::create(manifest_partial)?;
    file.write_all(&serde_json::to_vec_pretty(manifest)?)?;
    file.sync_all()?;
    std::fs::File::open(partial)?.sync_all()?;
    std::fs::rename(manifest_partial, manifest_path(dest))?;
    std::fs::rename(partial, dest)?;
    if let Some(folder) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(folder).and_then(|f| f.sync_all()).ok();
    }
    Ok(())
}

/// Seals the finished file and describes it: schema version, rows, sequences, size, checksum.
async fn describe(path: &Path, source: Backend) -> anyhow::Result<Manifest> {
    rows::seal_sqlite_file(path).await?;
    let mut conn = rows::open_sqlite_file(path, true).await?;
    let schema_version = rows::schema_version(&mut conn, Backend::Sqlite).await?;
    let mut tables = BTreeMap::new();
    for table in rows::sqlite_tables(&mut conn).await? {
        let count = rows::count_rows(&mut conn, &table.name).await?;
        tables.insert(table.name, count);
    }
    let sequences = rows::sqlite_sequences(&mut conn).await?;
    sqlx::Connection::close(conn).await?;
    let (bytes, sha256) = checksum(path).await?;
    let now = chrono::Utc::now();
    Ok(Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        portald_version: env!("CARGO_PKG_VERSION").into(),
        schema_version,
        source_backend: match source {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .into(),
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        created_unix: now.timestamp(),
        bytes,
        sha256,
        tables,
        sequences,
    })
}

/// The file's size and SHA-256 (lowercase hex), read on a blocking thread.
async fn checksum(path: &Path) -> anyhow::Result<(u64, String)> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, String)> {
        let mut file = std::fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 20];
        let mut bytes = 0u64;
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            hasher.update(&buffer[..n]);
        }
        let hex = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok((bytes, hex))
    })
    .await?
}

/// The migrations of a migrator up to a version: the schema a backup of a database at that
/// version needs.
#[derive(Debug)]
struct UpTo(&'static Migrator, i64);

impl MigrationSource<'static> for UpTo {
    fn resolve(self) -> futures_util::future::BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async move { Ok(self.0.iter().filter(|m| m.version <= self.1).cloned().collect()) })
    }
}

/// The version of the newest migration `migrator` has.
fn latest_version(migrator: &Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// A SQLite database on `path` (created), used by this process alone.
async fn sqlite_store(path: &Path) -> anyhow::Result<Store> {
    Store::connect(&DatabaseArgs { database_url: format!("sqlite://{}", path.display()), db_connections: 1 }).await
}

/// Reads every table of a PostgreSQL database in one snapshot into a new SQLite file at `path`
/// with the schema of the same version.
async fn copy_from_postgres(store: &Store, path: &Path, progress: Progress<'_>) -> anyhow::Result<()> {
    let mut snapshot = store.snapshot().await?;
    let version = rows::schema_version(&mut snapshot, Backend::Postgres).await?;
    let file = sqlite_store(path).await?;
    let known = latest_version(file.migrator());
    if version > known {
        bail!(
            "the database's schema version {version} is newer than this portald knows ({known}): use a newer portald"
        );
    }
    file.run_migrations(&Migrator::new(UpTo(file.migrator(), version)).await?).await?;
    let mut tx = file.begin_pooled_write().await?;
    let tables = rows::sqlite_tables(tx.conn()).await?;
    for table in &tables {
        let total = rows::count_rows(&mut snapshot, &table.name).await? as u64;
        table.copy(&mut snapshot, tx.conn(), Backend::Sqlite, &mut |done| progress(&table.name, done, total)).await?;
    }
    let sequences = store.sequences(&mut snapshot).await?;
    file.advance_sequences(tx.conn(), &tables, &sequences).await?;
    file.rebuild_derived(tx.conn()).await?;
    tx.commit().await?;
    sqlx::Connection::close(snapshot).await?;
    file.close().await;
    Ok(())
}

/// Reads the manifest beside `file` and checks the file against it.
pub async fn verify(file: &Path) -> anyhow::Result<Manifest> {
    let path = manifest_path(file);
    let text = std::fs::read(&path)
        .with_context(|| format!("no manifest {} beside the backup: not a complete portald backup", path.display()))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).with_context(|| format!("{} is no portald backup manifest", path.display()))?;
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        bail!(
            "{} is a manifest of format {} {}, not {FORMAT} {FORMAT_VERSION}",
            path.display(),
            manifest.format,
            manifest.format_version
        );
    }
    let (bytes, sha256) = checksum(file).await?;
    if bytes != manifest.bytes || sha256 != manifest.sha256 {
        bail!(
            "{} does not match its manifest (SHA-256 {sha256}, {bytes} bytes; the manifest says {}, {} bytes): \
             the file is damaged or not the one backed up",
            file.display(),
            manifest.sha256,
            manifest.bytes
        );
    }
    Ok(manifest)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Rows copied per table.
    pub rows: BTreeMap<String, u64>,
    /// The backup's schema was older and was brought up to date first.
    pub upgraded: bool,
}

/// Restores the backup `file` into `target` in one transaction: wholly, or (on an error or a
/// kill) not at all. The target must hold no rows unless `force`, which deletes them first.
pub async fn restore(target: &Store, file: &Path, force: bool, progress: Progress<'_>) -> anyhow::Result<Restored> {
    let manifest = verify(file).await?;
    let latest = latest_version(target.migrator());
    if manifest.schema_version > latest {
        bail!(
            "the backup's schema version {} is newer than this portald's ({latest}): restore it with portald {} or newer",
            manifest.schema_version,
            manifest.portald_version
        );
    }
    // An older backup is brought up to date on a copy, by the migrations a server would run.
    let upgraded = manifest.schema_version < latest;
    let copy = RemovedOnDrop(sibling(file, ".", ".upgrading"));
    let source_path = if upgraded {
        std::fs::copy(file, &copy.0).context("copying the backup to upgrade it")?;
        let store = sqlite_store(&copy.0).await?;
        store.migrate().await?;
        store.close().await;
        rows::seal_sqlite_file(&copy.0).await?;
        copy.0.clone()
    } else {
        file.to_path_buf()
    };
    let mut source = rows::open_sqlite_file(&source_path, true).await?;
    let tables = rows::sqlite_tables(&mut source).await?;
    let sequences = rows::sqlite_sequences(&mut source).await?;
    let mut totals = BTreeMap::new();
    for table in &tables {
        totals.insert(table.name.clone(), rows::count_rows(&mut source, &table.name).await?);
    }
    target.migrate().await?;
    let mut tx = target.begin_pooled_write().await?;
    if let Some(table) = target.first_nonempty(tx.conn(), &tables).await? {
        if !force {
            bail!(
                "the target database is not empty (table {table} has rows): restore into an empty database \
                 (a new SQLite file, or one `portald migrate` made), or give --force to delete everything in it first"
            );
        }
        target.delete_all(tx.conn(), &tables).await?;
    }
    let mut copied = BTreeMap::new();
    for table in &tables {
        let total = totals[&table.name] as u64;
        let n = table
            .copy(&mut source, tx.conn(), target.backend(), &mut |done| progress(&table.name, done, total))
            .await?;
        copied.insert(table.name.clone(), n);
    }
    target.advance_sequences(tx.conn(), &tables, &sequences).await?;
    target.rebuild_derived(tx.conn()).await?;
    check_counts(&mut tx, &tables, &totals).await?;
    tx.commit().await?;
    sqlx::Connection::close(source).await?;
    target.after_bulk_load().await?;
    Ok(Restored { manifest, rows: copied, upgraded })
}

/// Every table of the target holds as many rows as the backup's, before the restore commits.
async fn check_counts(
    tx: &mut crate::store::PooledWriteTx,
    tables: &[Table],
    totals: &BTreeMap<String, i64>,
) -> anyhow::Result<()> {
    for table in tables {
        let restored = rows::count_rows(tx.conn(), &table.name).await?;
        if restored != totals[&table.name] {
            bail!("{}: {restored} rows restored of {}; nothing was restored", table.name, totals[&table.name]);
        }
    }
    Ok(())
}

/// A file removed when this goes out of scope.
struct RemovedOnDrop(PathBuf);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Brings the schema up to date the safe way: before migrations change an existing SQLite
/// database, a backup of it is written beside it (`FILE.before-NNNN.bak`, NNNN the first
/// migration to run) and the last `keep` such backups kept.
pub async fn upgrade(store: &Store, keep: usize) -> anyhow::Result<()> {
    upgrade_with(store, store.migrator(), keep).await
}

/// [`upgrade`] with the migrations of `migrator`.
pub async fn upgrade_with(store: &Store, migrator: &Migrator, keep: usize) -> anyhow::Result<()> {
    if let Some(backup) = upgrade_backup_path(store, migrator, keep).await? {
        write_backup(store, &backup, &mut |_, _, _| {}).await?;
        tracing::info!(backup = %backup.display(), "wrote a backup of the database before upgrading its schema");
        let file = store.sqlite_file().and_then(Path::file_name).unwrap_or_default().to_string_lossy();
        prune(&backup, keep, &format!("{file}.before-"), ".bak")?;
    }
    store.run_migrations(migrator).await
}

/// Where the backup before pending migrations goes, if one is to be written.
async fn upgrade_backup_path(store: &Store, migrator: &Migrator, keep: usize) -> anyhow::Result<Option<PathBuf>> {
    let (pending, existing) = store.pending_migrations(migrator).await?;
    Ok(match (store.sqlite_file(), pending.first()) {
        (Some(file), Some(first)) if existing && keep > 0 => {
            Some(sibling(file, "", &format!(".before-{:04}.bak", first.version)))
        }
        _ => None,
    })
}

/// Removes the oldest backups in `newest`'s folder named `prefix`...`suffix` (by name, which
/// sorts by time or version), with their manifests, keeping `keep`.
pub(crate) fn prune(newest: &Path, keep: usize, prefix: &str, suffix: &str) -> anyhow::Result<()> {
    let folder = newest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(prefix) && name.ends_with(suffix))
        .collect();
    names.sort_by_key(|name| sortable(name));
    let excess = names.len().saturating_sub(keep);
    for name in &names[..excess] {
        let path = folder.join(name);
        std::fs::remove_file(manifest_path(&path)).ok();
        std::fs::remove_file(&path).with_context(|| format!("removing the old backup {}", path.display()))?;
        tracing::info!(backup = %path.display(), "removed an old backup");
    }
    Ok(())
}

/// A name with its runs of digits padded, so that version 10000 sorts after 9999.
fn sortable(name: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in name.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            out.push_str(&format!("{digits:0>20}"));
            digits.clear();
        }
        out.push(c);
    }
    out
}

/// `portald backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (default: portald-backup-<UTC time>.sqlite in this folder). Its
    /// manifest goes beside it, FILE.manifest.json.
    #[arg(long = "to", value_name = "FILE")]
    pub to: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `portald restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file; its manifest FILE.manifest.json must be beside it.
    pub file: PathBuf,
    /// Restore into a database that holds rows: delete every row of it first (in the restore's
    /// transaction; its id sequences stay, so no id it gave out is given again).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `portald migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// List the migrations that would run and the backup that would be written first; change
    /// nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub upgrade: UpgradeArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// A progress bar per table on stderr, drawn only when it is a terminal.
fn progress_bars() -> impl FnMut(&str, u64, u64) + Send {
    let mut current: Option<(String, indicatif::ProgressBar)> = None;
    move |table, done, total| {
        if current.as_ref().is_none_or(|(name, _)| name != table) {
            if let Some((_, bar)) = current.take() {
                bar.finish_and_clear();
            }
            let bar = indicatif::ProgressBar::new(total).with_style(
                indicatif::ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(table.to_string());
            current = Some((table.to_string(), bar));
        }
        if let Some((_, bar)) = &current {
            bar.set_position(done);
            if done >= total {
                bar.finish_and_clear();
            }
        }
    }
}

pub async fn backup_command(args: BackupArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.database.existing()).await?;
    let dest = args.to.unwrap_or_else(|| PathBuf::from(timestamped_name()));
    let started = std::time::Instant::now();
    let spinner = indicatif::ProgressBar::new_spinner().with_message("writing the backup");
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let mut bars = progress_bars();
    let manifest = write_backup(&store, &dest, &mut |table, done, total| {
        spinner.finish_and_clear();
        bars(table, done, total)
    })
    .await;
    spinner.finish_and_clear();
    let manifest = manifest?;
    store.close().await;
    println!(
        "Backed up in {:.1?} to {} ({} bytes, schema version {}, SHA-256 {}): {} rows in {} tables; manifest {}.",
        started.elapsed(),
        dest.display(),
        manifest.bytes,
        manifest.schema_version,
        manifest.sha256,
        manifest.tables.values().sum::<i64>(),
        manifest.tables.len(),
        manifest_path(&dest).display()
    );
    Ok(())
}

pub async fn restore_command(args: RestoreArgs) -> anyhow::Result<()> {
    let target = Store::connect(&args.database).await?;
    let started = std::time::Instant::now();
    let mut bars = progress_bars();
    let restored = restore(&target, &args.file, args.force, &mut bars).await?;
    target.close().await;
    println!(
        "Restored {} ({} backup of schema version {}{}, written {}) in {:.1?}: {} rows in {} tables.",
        args.file.display(),
        restored.manifest.source_backend,
        restored.manifest.schema_version,
        if restored.upgraded { ", brought up to date" } else { "" },
        restored.manifest.created_at,
        started.elapsed(),
        restored.rows.values().sum::<u64>(),
        restored.rows.len()
    );
    Ok(())
}

pub async fn migrate_command(args: MigrateArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.database).await?;
    if args.dry_run {
        let (pending, _) = store.pending_migrations(store.migrator()).await?;
        if pending.is_empty() {
            println!("The database is up to date; nothing would run.");
        } else {
            if let Some(backup) = upgrade_backup_path(&store, store.migrator(), args.upgrade.upgrade_backups).await? {
                println!("A backup would be written first: {}", backup.display());
            }
            println!("{} migrations would run:", pending.len());
            for migration in pending {
                println!("  {:04} {}", migration.version, migration.description);
            }
        }
    } else {
        upgrade(&store, args.upgrade.upgrade_backups).await?;
        println!("The database is up to date.");
    }
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_their_numbers() {
        let mut names = vec!["db.before-10000.bak", "db.before-0017.bak", "db.before-9999.bak"];
        names.sort_by_key(|n| sortable(n));
        assert_eq!(names, ["db.before-0017.bak", "db.before-9999.bak", "db.before-10000.bak"]);
    }

    #[test]
    fn partial_files_are_hidden_siblings() {
        assert_eq!(sibling(Path::new("/b/x.sqlite"), ".", ".partial"), PathBuf::from("/b/.x.sqlite.partial"));
        assert_eq!(manifest_path(Path::new("x.sqlite")), PathBuf::from("x.sqlite.manifest.json"));
    }
}
