//! The `portald` command line: serve (the default), migrate, and user administration.

use clap::{Args, Parser, Subcommand};
use portald::config::{DatabaseArgs, ServeArgs};
use portald::domain::people::{self, UserDraft};
use portald::error::ApiError;
use portald::store::Store;

/// Per-thread heaps: with glibc's malloc the runtime's threads waited on each other's arena
/// locks (a futex in most contact reads). SQLite keeps glibc's malloc: routed here as well, its
/// page caches made the peak after the bench's searches 101 MiB instead of 94.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portald",
    version,
    about = "A small, fast server speaking the ONLYOFFICE Community Server REST API 2.0 \
             (CRM contacts, people, projects).",
    long_about = "A small, fast server speaking the ONLYOFFICE Community Server REST API 2.0 \
                  (CRM contacts, people, projects).\n\nWith no subcommand it serves, as `portald serve` does: \
                  on 127.0.0.1:8080 with a SQLite database under ./data/, created and migrated on start.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): open and migrate the database, create the portal owner on
    /// first start, and listen until interrupted (SIGINT or SIGTERM finish requests in flight).
    Serve(ServeArgs),
    /// Create or update the database schema, then exit. An existing SQLite database is backed up
    /// beside its file first (`--upgrade-backups`); `--dry-run` lists what would run.
    Migrate(portald::backup::MigrateArgs),
    /// Write a consistent backup of the database while servers go on using it: a SQLite file
    /// with portald's schema (from either backend) and its manifest with a SHA-256 beside it.
    Backup(portald::backup::BackupArgs),
    /// Restore a backup into an empty database of either backend (SQLite to PostgreSQL and back
    /// is how to change backends), in one transaction; refuses a damaged backup, one newer than
    /// this portald, and a target holding rows unless --force.
    Restore(portald::backup::RestoreArgs),
    /// Check a database: the engine's integrity checks, the search index, rows that point at
    /// nothing, id sequences behind their tables; prints the rows per portal. Exits 0 when sound,
    /// 1 when problems were found (listed), 2 when the check could not run.
    Check(DatabaseArgs),
    /// Fill a portal with realistic generated data (users, departments, projects), the same for
    /// the same seed: for demos and benchmarks.
    Seed(SeedArgs),
    /// Import data from files into a portal.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write data of a portal to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage user accounts directly in the database (for administrators of the server).
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the user name is the email's local part. Prints the password if generated.
    Add(UserAddArgs),
    /// Set a user's password and sign him out everywhere. Prints the password if generated.
    Passwd(UserPasswdArgs),
}

#[derive(Args)]
struct UserAddArgs {
    /// The new user's email (also his login).
    #[arg(long)]
    email: String,
    #[arg(long, default_value = "")]
    first_name: String,
    #[arg(long, default_value = "")]
    last_name: String,
    /// The password (at least 8 characters); generated and printed when omitted.
    #[arg(long, env = "PORTALD_USER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Make the user a portal administrator.
    #[arg(long, conflicts_with = "guest")]
    admin: bool,
    /// Make the user a guest.
    #[arg(long)]
    guest: bool,
    /// The portal to add the user to.
    #[arg(long, default_value_t = 1)]
    portal: i64,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import CRM persons and companies from a CSV file with a header row or a vCard file (3.0
    /// or 4.0). Known CSV columns (any case, spaces ignored): kind (person|company), first name,
    /// last name, company, title, about, industry, email, phone, website, tags; several emails,
    /// phones or tags are separated by `;`. The file is imported in one transaction: wholly, or
    /// not at all.
    Contacts(ImportContactsArgs),
    /// Move the portals of an ONLYOFFICE Community Server database (MySQL or MariaDB) in, with
    /// the same ids: people, departments, projects and CRM contacts. Each portal moves in one
    /// transaction, into a fresh portal only; a second run finds nothing to do.
    Onlyoffice(ImportOnlyofficeArgs),
}

#[derive(Args)]
struct ImportOnlyofficeArgs {
    /// The original's database: mysql://USER[:PASSWORD]@HOST:PORT/DATABASE.
    #[arg(long = "from", value_name = "URL")]
    from: String,
    /// Only this tenant (portal) id; all of them when omitted.
    #[arg(long)]
    tenant: Option<i64>,
    /// The installation's `core.machinekey` (web.appsettings.config): with it, users keep their
    /// passwords.
    #[arg(long, env = "PORTALD_ONLYOFFICE_MACHINE_KEY", hide_env_values = true)]
    machine_key: Option<String>,
    /// Read and check everything, print what would move and what would be skipped, write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ShareArg {
    /// Everyone with CRM access may read and edit.
    Public,
    /// Everyone with CRM access may read.
    Read,
    /// Only the importing user (as manager) and administrators.
    Private,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Write the CRM contacts a user may read (by default all the portal owner may: every one)
    /// as CSV (the columns `import contacts` reads) or vCard, optionally filtered, page by page.
    Contacts(ExportContactsArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KindArg {
    Person,
    Company,
}

#[derive(Args)]
struct ExportContactsArgs {
    #[arg(long, value_enum, default_value = "csv")]
    format: FormatArg,
    /// The vCard version written.
    #[arg(long, value_parser = ["3.0", "4.0"], default_value = "3.0")]
    vcard_version: String,
    /// The file to write (default: standard output).
    #[arg(long)]
    to: Option<std::path::PathBuf>,
    /// The portal to export from.
    #[arg(long, default_value_t = 1)]
    portal: i64,
    /// The email or user name of the user whose view is exported (default: the portal owner).
    #[arg(long = "as")]
    acting_user: Option<String>,
    /// Only contacts whose name or details contain these words.
    #[arg(long)]
    search: Option<String>,
    /// Only contacts with this tag (repeatable: all of them).
    #[arg(long)]
    tag: Vec<String>,
    /// Only persons or only companies.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Csv,
    Vcard,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DuplicatesArg {
    /// Import them as new contacts.
    Import,
    /// Leave them out.
    Skip,
    /// Add their details and tags to the contact they duplicate.
    Merge,
}

#[derive(Args)]
struct ImportContactsArgs {
    /// The CSV or vCard file.
    file: std::path::PathBuf,
    /// The file's format (default: from its extension, .vcf or .vcard, or its first line).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// What to do with a contact whose email a contact you may read already has.
    #[arg(long, value_enum, default_value = "import")]
    duplicates: DuplicatesArg,
    /// The portal to import into.
    #[arg(long, default_value_t = 1)]
    portal: i64,
    /// The email or user name of the user who creates the contacts (default: the portal owner).
    #[arg(long = "as")]
    acting_user: Option<String>,
    /// Who may see the imported contacts.
    #[arg(long, value_enum, default_value = "public")]
    share: ShareArg,
    /// Import nothing if any row is rejected.
    #[arg(long)]
    strict: bool,
    /// Write the rejected rows' line numbers and reasons to this CSV file.
    #[arg(long)]
    rejects: Option<std::path::PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args)]
struct SeedArgs {
    /// The seed value: the same value generates the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many users to generate.
    #[arg(long, default_value_t = 50)]
    users: usize,
    /// How many projects to generate.
    #[arg(long, default_value_t = 20)]
    projects: usize,
    /// How many CRM contacts (persons and companies, with details, tags and links) to generate.
    #[arg(long, default_value_t = 1000)]
    contacts: usize,
    /// The password of every generated user.
    #[arg(long, env = "PORTALD_SEED_PASSWORD", default_value = "seed-password-1", hide_env_values = true)]
    password: String,
    /// The portal to fill.
    #[arg(long, default_value_t = 1)]
    portal: i64,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Args)]
struct UserPasswdArgs {
    /// The user's email or user name.
    login: String,
    /// The new password (at least 8 characters); generated and printed when omitted.
    #[arg(long, env = "PORTALD_USER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The portal the user belongs to.
    #[arg(long, default_value_t = 1)]
    portal: i64,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// `portald check`: the exit code (0 sound, 1 problems, 2 not run).
async fn check(database: DatabaseArgs) -> i32 {
    init_logging(false);
    // A check never creates the database it is asked about.
    let report = match Store::connect(&database.existing()).await {
        Ok(store) => portald::domain::integrity::check(&store).await.map_err(|e| anyhow::Error::from(e.into_cause())),
        Err(err) => Err(err),
    };
    let report = match report {
        Ok(report) => report,
        Err(err) => {
            eprintln!("The check could not run: {err:#}");
            return 2;
        }
    };
    let mut portal = None;
    println!("Rows per portal:");
    for (table, id, rows) in &report.counts {
        if portal != Some(*id) {
            print!("{}  portal {id}:", if portal.is_some() { "\n" } else { "" });
            portal = Some(*id);
        }
        print!(" {table} {rows}");
    }
    println!();
    if report.problems.is_empty() {
        println!("No problems found.");
        return 0;
    }
    println!("{} problems found:", report.problems.len());
    for problem in &report.problems {
        println!("  - {problem}");
    }
    1
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        match cli.command {
            None => serve(cli.serve).await,
            Some(Command::Serve(args)) => serve(args).await,
            Some(Command::Migrate(args)) => {
                init_logging(false);
                portald::backup::migrate_command(args).await
            }
            Some(Command::Backup(args)) => {
                init_logging(false);
                portald::backup::backup_command(args).await
            }
            Some(Command::Restore(args)) => {
                init_logging(false);
                portald::backup::restore_command(args).await
            }
            Some(Command::Check(database)) => std::process::exit(check(database).await),
            Some(Command::User(command)) => user(command).await,
            Some(Command::Import(ImportCommand::Contacts(args))) => import_contacts(args).await,
            Some(Command::Import(ImportCommand::Onlyoffice(args))) => import_onlyoffice(args).await,
            Some(Command::Export(ExportCommand::Contacts(args))) => export_contacts(args).await,
            Some(Command::Seed(args)) => {
                init_logging(false);
                let store = Store::connect(&args.database).await?;
                store.migrate().await?;
                let plan = portald::seed::SeedPlan {
                    seed: args.seed,
                    users: args.users,
                    projects: args.projects,
                    contacts: args.contacts,
                    password: args.password,
                };
                let started = std::time::Instant::now();
                let report = portald::seed::seed(&store, args.portal, &plan).await.map_err(ApiError::into_cause)?;
                println!(
                    "Seeded portal {} in {:.1?}: {} users, {} departments, {} projects, {} contacts.",
                    args.portal,
                    started.elapsed(),
                    report.users,
                    report.groups,
                    report.projects,
                    report.contacts
                );
                Ok(())
            }
        }
    })
}

async fn import_contacts(args: ImportContactsArgs) -> anyhow::Result<()> {
    use portald::import::{Duplicates, Format, ImportOptions, Pass};
    use portald::model::ShareType;
    init_logging(false);
    let store = Store::connect(&args.database).await?;
    store.migrate().await?;
    let caller =
        portald::import::acting_caller(&store, portald::model::PortalId(args.portal), args.acting_user.as_deref())
            .await?;
    let options = ImportOptions {
        share_type: match args.share {
            ShareArg::Public => ShareType::ReadWrite,
            ShareArg::Read => ShareType::Read,
            ShareArg::Private => ShareType::None,
        },
        strict: args.strict,
        format: args.format.map(|f| match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Vcard => Format::Vcard,
        }),
        duplicates: match args.duplicates {
            DuplicatesArg::Import => Duplicates::Import,
            DuplicatesArg::Skip => Duplicates::Skip,
            DuplicatesArg::Merge => Duplicates::Merge,
        },
        ..ImportOptions::default()
    };
    // Drawn on stderr, and only when it is a terminal.
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg:>9} [{bar:40}] {percent}% ({eta})")?.progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let report = portald::import::import_file(&store, &args.file, &caller, &options, &mut |pass, done, total| {
        bar.set_length(total);
        bar.set_message(match pass {
            Pass::Companies => "companies",
            Pass::Persons => "persons",
        });
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    if !report.ignored_columns.is_empty() {
        println!("Ignored columns: {}", report.ignored_columns.join(", "));
    }
    for rejection in report.rejected.iter().take(20) {
        println!("Rejected line {}: {}", rejection.line, rejection.reason);
    }
    if report.rejected.len() > 20 {
        println!("... and {} more rejected rows.", report.rejected.len() - 20);
    }
    for note in &report.notes {
        println!("Note, line {}: {}", note.line, note.reason);
    }
    if let Some(path) = &args.rejects {
        let mut out = csv::Writer::from_path(path)?;
        out.write_record(["line", "reason"])?;
        for rejection in &report.rejected {
            out.write_record([rejection.line.to_string(), rejection.reason.clone()])?;
        }
        out.flush()?;
    }
    let rejected = report.rejected.len();
    if !report.committed {
        anyhow::bail!("{rejected} rows rejected and --strict given: nothing was imported");
    }
    println!(
        "Imported {} rows in {:.1?}: {} persons, {} companies ({} more created for persons' company names); \
         {rejected} rows rejected; {} duplicates skipped, {} merged.",
        report.persons + report.companies,
        started.elapsed(),
        report.persons,
        report.companies,
        report.companies_created,
        report.skipped,
        report.merged,
    );
    Ok(())
}

async fn export_contacts(args: ExportContactsArgs) -> anyhow::Result<()> {
    use portald::export::ExportFormat;
    use portald::vcard::Version;
    init_logging(false);
    let store = Store::connect(&args.database).await?;
    store.migrate().await?;
    let portal = portald::model::PortalId(args.portal);
    let caller = portald::import::acting_caller(&store, portal, args.acting_user.as_deref()).await?;
    let filter = portald::model::contacts::ContactFilter {
        search: args.search.unwrap_or_default(),
        tags: args.tag,
        is_company: args.kind.map(|kind| matches!(kind, KindArg::Company)),
        ..Default::default()
    };
    let format = match (args.format, args.vcard_version.as_str()) {
        (FormatArg::Csv, _) => ExportFormat::Csv,
        (FormatArg::Vcard, "4.0") => ExportFormat::Vcard(Version::V4),
        (FormatArg::Vcard, _) => ExportFormat::Vcard(Version::V3),
    };
    let mut out: Box<dyn std::io::Write + Send> = match &args.to {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    // Drawn on stderr, and only when it is a terminal.
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("exporting [{bar:40}] {pos}/{len} ({eta})")?.progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let written = portald::export::export_contacts(&store, &caller, &filter, format, &mut out, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    drop(out);
    eprintln!("Exported {written} contacts in {:.1?}.", started.elapsed());
    Ok(())
}

async fn import_onlyoffice(args: ImportOnlyofficeArgs) -> anyhow::Result<()> {
    use portald::migrate::{self, MigrateOptions, Outcome, Progress};
    init_logging(false);
    let source = migrate::source::Source::connect(&args.from).await?;
    let store = Store::connect(&args.database).await?;
    store.migrate().await?;
    let options = MigrateOptions { tenant: args.tenant, machine_key: args.machine_key, dry_run: args.dry_run };
    let tenants = migrate::tenants(&source, options.tenant).await?;
    let style = indicatif::ProgressStyle::with_template("portal {prefix} {msg:>28} [{bar:40}] {pos}/{len} ({eta})")?
        .progress_chars("=> ");
    let (mut refused, mut moved, mut without_password) = (0, 0, 0);
    for tenant in &tenants {
        let started = std::time::Instant::now();
        // Drawn on stderr, and only when it is a terminal.
        let mut bar: Option<indicatif::ProgressBar> = None;
        let report = migrate::migrate_tenant(&store, &source, tenant, &options, &mut |event| match event {
            Progress::Table { tenant, table, rows } => {
                let next = indicatif::ProgressBar::new(rows).with_style(style.clone());
                next.set_prefix(tenant.to_string());
                next.set_message(table);
                bar = Some(next);
            }
            Progress::Rows(n) => {
                if let Some(bar) = &bar {
                    bar.set_position(n);
                }
            }
            Progress::Done => {
                if let Some(bar) = bar.take() {
                    bar.finish_and_clear();
                }
            }
        })
        .await?;
        let name = format!("Portal {} ({:?}, {})", tenant.id, tenant.name, tenant.alias);
        match &report.outcome {
            Outcome::AlreadyImported => {
                println!("{name}: already moved in; nothing to do.");
                continue;
            }
            Outcome::Refused(reason) => {
                println!("{name}: not moved: {reason}.");
                refused += 1;
                continue;
            }
            Outcome::Imported => println!("{name}: moved in {:.1?}.", started.elapsed()),
            Outcome::Checked => println!("{name}: checked in {:.1?} (--dry-run: nothing written).", started.elapsed()),
        }
        moved += 1;
        without_password += report.without_password;
        for (kind, n) in &report.counts {
            println!("  {n:>9} {kind}");
        }
        for skipped in &report.skipped {
            println!("  skipped {} {}: {}", skipped.table, skipped.row, skipped.reason);
        }
    }
    let hosts = migrate::hosts_line(&tenants);
    if moved > 0 {
        println!("To serve the portals at their addresses: PORTALD_HOSTS={hosts}");
        if without_password > 0 {
            println!(
                "{without_password} users have no password: give the installation's core.machinekey with \
                 --machine-key to keep the original passwords, or set them with `portald user passwd LOGIN \
                 --portal N`."
            );
        }
    } else if refused == 0 {
        println!("Nothing to do.");
    }
    if refused > 0 {
        anyhow::bail!("{refused} portals were not moved");
    }
    Ok(())
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTALD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_json);
    let server = portald::app::start(&args).await?;
    println!("portald is serving on http://{}", server.addr);
    let stop = server.shutdown_handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop.send(true);
    });
    server.wait().await
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

async fn user(command: UserCommand) -> anyhow::Result<()> {
    init_logging(false);
    match command {
        UserCommand::Add(args) => {
            let store = Store::connect(&args.database).await?;
            store.migrate().await?;
            let mut tx = store.begin_write().await?;
            store.ensure_portal(tx.conn(), portald::model::PortalId(args.portal)).await?;
            tx.commit().await?;
            let generated = args.password.is_none();
            let draft = UserDraft {
                email: args.email.clone(),
                first_name: args.first_name,
                last_name: args.last_name,
                password: args.password,
                is_admin: args.admin,
                is_visitor: args.guest,
                activated: true,
            };
            let (id, password) = people::create_user(&store, args.portal, draft).await.map_err(ApiError::into_cause)?;
            println!("Added user {} with id {id}.", args.email);
            if generated {
                println!("Password: {password}");
            }
            Ok(())
        }
        UserCommand::Passwd(args) => {
            let store = Store::connect(&args.database).await?;
            store.migrate().await?;
            let generated = args.password.is_none();
            let password = args.password.unwrap_or_else(portald::domain::password::generate);
            people::set_password(&store, args.portal, &args.login, &password).await.map_err(ApiError::into_cause)?;
            println!("Password changed for {}; the user's tokens are revoked.", args.login);
            if generated {
                println!("Password: {password}");
            }
            Ok(())
        }
    }
}
