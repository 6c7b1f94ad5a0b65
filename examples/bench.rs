//! The benchmark driver behind `bench/run`: starts the release server on a fresh database,
//! seeds it, runs wrk (a separate process, over loopback) against each endpoint, and prints one
//! table with requests/s, p50, p99, the ratio to the server's ceiling (`GET capabilities`) and
//! the server's peak memory.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use portald::seed::{WORD_IN_A_HUNDREDTH, WORD_IN_A_THOUSANDTH};
use serde_json::{json, Value};

#[path = "../tests/common/attack.rs"]
mod attack;
use attack::send_big_body;

#[derive(Parser)]
struct Args {
    /// The portald binary to measure.
    #[arg(long, default_value = "target/release/portald")]
    binary: PathBuf,
    /// Run on PostgreSQL (127.0.0.1:5432, user postgres) instead of SQLite.
    #[arg(long)]
    postgres: bool,
    /// Seconds of load per endpoint.
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Concurrent connections wrk keeps open.
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// How many CRM contacts to seed before measuring.
    #[arg(long, default_value_t = 100_000)]
    contacts: usize,
    /// Run only the login-and-big-bodies attack on a fresh server.
    #[arg(long)]
    attack_only: bool,
    /// Measure only the load rows whose name contains this text (and the ceiling), without the
    /// single requests and the attack: for comparing two builds on one row quickly.
    #[arg(long)]
    only: Option<String>,
    /// Time only the console's search as one types.
    #[arg(long)]
    console_search_only: bool,
    /// Run only the contact export and vCard import rows.
    #[arg(long)]
    transfer_only: bool,
    /// How many contacts the backup-and-restore row backs up and restores (its own database).
    #[arg(long, default_value_t = 1_000_000)]
    backup_contacts: usize,
    /// Run only the backup-and-restore row.
    #[arg(long)]
    backup_only: bool,
    /// Run only the list and search rows, each on a fresh database of 10,000, 100,000 and
    /// 1,000,000 contacts, and print them side by side with how much slower the largest is.
    #[arg(long)]
    scaling: bool,
}

/// The portal sizes `--scaling` measures, smallest first.
const SCALING_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

const PASSWORD: &str = "bench-password-1";
/// The password `portald seed` gives its users by default.
const SEED_PASSWORD: &str = "seed-password-1";

/// A page of 25 contacts searched for `word`, as the administrator.
/// The server's own ceiling: an answer that touches no database.
fn ceiling_row() -> LoadRow {
    LoadRow {
        name: "GET capabilities (ceiling)".into(),
        method: "GET",
        path: "capabilities".into(),
        json_body: None,
        as_plain_user: false,
        spread: None,
    }
}

/// A list page of 25 with no filter, for the admin or for a plain user.
fn list_row(as_plain_user: bool) -> LoadRow {
    LoadRow {
        name: if as_plain_user { "GET crm/contact/filter (25, plain user)" } else { "GET crm/contact/filter (25)" }
            .into(),
        method: "GET",
        path: "crm/contact/filter?count=25".into(),
        json_body: None,
        as_plain_user,
        spread: None,
    }
}

fn search_row(word: &str) -> LoadRow {
    // A search is measured as a search, never as an answer kept from before.
    with_a_new_number(LoadRow {
        name: format!("GET crm/contact/filter (25, search {word})"),
        method: "GET",
        path: format!("crm/contact/filter?count=25&filterValue={word}"),
        json_body: None,
        as_plain_user: false,
        spread: None,
    })
}

/// One measured endpoint.
struct LoadRow {
    name: String,
    method: &'static str,
    path: String,
    json_body: Option<Value>,
    /// Called by a seeded user who is no admin (who reads shared contacts and the private ones
    /// he manages) instead of the owner.
    as_plain_user: bool,
    /// Each request asks for another path: `{n}` in `path` runs from `first` through
    /// `first + span - 1`, then again. The server keeps answers while nothing is written
    /// (docs/performance.md, part 12); these rows measure answers it has to read and render.
    spread: Option<Spread>,
}

impl LoadRow {
    /// The path of the `n`th request.
    fn path_of(&self, n: i64) -> String {
        match self.spread {
            Some(Spread { first, span }) => self.path.replace("{n}", &(first + n % span).to_string()),
            None => self.path.clone(),
        }
    }
}

#[derive(Clone, Copy)]
struct Spread {
    first: i64,
    span: i64,
}

/// A number each request adds to the query, so that no answer is one kept from before.
const EVERY_REQUEST_ANOTHER: Spread = Spread { first: 1, span: i64::MAX / 2 };

/// The row with a new number in its query each request (see [`EVERY_REQUEST_ANOTHER`]).
fn with_a_new_number(mut row: LoadRow) -> LoadRow {
    row.path.push_str(if row.path.contains('?') { "&request={n}" } else { "?request={n}" });
    row.spread = Some(EVERY_REQUEST_ANOTHER);
    row
}

/// The row asked with a new number each time, named so.
fn asked_first(mut row: LoadRow) -> LoadRow {
    row.name.push_str(", asked first");
    with_a_new_number(row)
}

struct Measured {
    name: String,
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
    peak_memory_kib: u64,
    /// Answers that were not 2xx (a row with any is not a valid measurement).
    failed: u64,
}

struct Server {
    child: Child,
    base: String,
    /// From spawning the process to its first answer (`GET capabilities`) on the seeded database.
    first_answer: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(args: &Args, database_url: &str) -> Server {
    let started = Instant::now();
    let mut child = Command::new(&args.binary)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", database_url)
        .env("PORTALD_OWNER_PASSWORD", PASSWORD)
        .env("PORTALD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("the server printed its address").expect("a line");
        if let Some(addr) = line.strip_prefix("portald is serving on ") {
            break addr.to_string();
        }
    };
    // The server logs warnings and errors only (PORTALD_LOG=warn): pass them on.
    std::thread::spawn(move || lines.map_while(Result::ok).for_each(|line| eprintln!("server: {line}")));
    let addr = base.trim_start_matches("http://").to_string();
    while !answers(&addr) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let first_answer = started.elapsed();
    eprintln!("server answered {first_answer:?} after start at {base}");
    Server { child, base, first_answer }
}

/// Whether `GET capabilities` answers 200, over a plain socket (no client start-up cost).
fn answers(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else { return false };
    let request = format!("GET /api/2.0/capabilities HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut head = [0u8; 12];
    stream.write_all(request.as_bytes()).is_ok() && stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

/// Times failed logins of an existing and of an unknown account, three each (under the
/// throttling limit): the answer and its time must not tell them apart.
async fn timed_failed_logins(client: &reqwest::Client, server: &Server) -> Vec<(String, Vec<Duration>)> {
    let mut results = Vec::new();
    for (name, user) in [
        ("failed login, existing account", "admin@example.com"),
        ("failed login, unknown account", "nobody@example.com"),
    ] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            let answer = client
                .post(format!("{}/api/2.0/authentication", server.base))
                .form(&[("userName", user), ("password", "wrong-password")])
                .send()
                .await
                .expect("request");
            assert_eq!(answer.status(), 401, "{name}");
            times.push(started.elapsed());
        }
        results.push((name.to_string(), times));
    }
    results
}

/// Times `portald import contacts` of `rows` generated persons (with emails, phones, tags and
/// a company each) while the server runs, three times.
fn timed_imports(args: &Args, database_url: &str, rows: usize) -> Vec<Duration> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("contacts.csv");
    let mut csv = String::from("first name,last name,company,email,phone,tags\n");
    for n in 0..rows {
        csv.push_str(&format!(
            "Imported{n},Person{n},Import Company {},imported{n}@example.com,+1 555 {:04},imported;batch{}\n",
            n % 100,
            n % 10_000,
            n % 5
        ));
    }
    std::fs::write(&file, csv).expect("csv written");
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let status = Command::new(&args.binary)
                .args(["import", "contacts"])
                .arg(&file)
                .env("DATABASE_URL", database_url)
                .env("PORTALD_LOG", "warn")
                .stdout(Stdio::null())
                .status()
                .expect("portald import runs");
            assert!(status.success(), "the import failed");
            started.elapsed()
        })
        .collect()
}

/// Contacts and details of the ONLYOFFICE database the migration row moves.
const ONLYOFFICE_CONTACTS: usize = 100_000;
const ONLYOFFICE_DETAILS: usize = 300_000;

fn mysql(database: Option<&str>, sql: &str) {
    use std::io::Write;
    let mut command = Command::new("mysql");
    command.args(["-h", "127.0.0.1", "-P", "3306", "-u", "root"]);
    command.args(database);
    let mut child = command.stdin(Stdio::piped()).spawn().expect("the mysql client runs (MariaDB is needed)");
    child.stdin.take().expect("stdin").write_all(sql.as_bytes()).expect("SQL written");
    assert!(child.wait().expect("mysql ends").success(), "mysql failed");
}

/// Times `portald import onlyoffice` of a MariaDB database (127.0.0.1:3306, root) holding
/// [`ONLYOFFICE_CONTACTS`] contacts (a tenth companies, persons in them) with
/// [`ONLYOFFICE_DETAILS`] details and a tag on every other one, into a fresh SQLite database,
/// three times; also the importer's peak memory.
fn timed_onlyoffice_imports(args: &Args) -> (Vec<Duration>, u64) {
    let name = format!("oo_bench_{}", std::process::id());
    mysql(None, &format!("DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name} CHARACTER SET utf8"));
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/onlyoffice");
    for file in ["schema.sql", "defaults.sql"] {
        mysql(Some(&name), &std::fs::read_to_string(reference.join(file)).expect("reference schema"));
    }
    mysql(
        Some(&name),
        &format!(
            "INSERT INTO crm_contact (id, tenant_id, is_company, first_name, last_name, company_name, display_name, \
             company_id, create_by, create_on, is_shared) \
             SELECT seq, 1, seq % 10 = 1, IF(seq % 10 = 1, NULL, CONCAT('First', seq)), \
             IF(seq % 10 = 1, NULL, CONCAT('Last', seq)), IF(seq % 10 = 1, CONCAT('Company ', seq), NULL), \
             IF(seq % 10 = 1, CONCAT('Company ', seq), CONCAT('First', seq, ' Last', seq)), \
             IF(seq % 10 = 1, 0, seq - (seq - 1) % 10), '0c92c034-edc0-11f1-9f2c-02fc00000001', \
             '2020-01-01 00:00:00', 1 FROM seq_1_to_{ONLYOFFICE_CONTACTS};\n\
             INSERT INTO crm_contact_info (id, data, category, tenant_id, is_primary, contact_id, type) \
             SELECT seq, CONCAT('detail', seq, '@example.com'), 1, 1, seq <= {ONLYOFFICE_CONTACTS}, \
             (seq - 1) % {ONLYOFFICE_CONTACTS} + 1, (seq - 1) DIV {ONLYOFFICE_CONTACTS} FROM seq_1_to_{ONLYOFFICE_DETAILS};\n\
             INSERT INTO crm_tag (id, title, tenant_id, entity_type) VALUES (1, 'one', 1, 0), (2, 'two', 1, 0);\n\
             INSERT INTO crm_entity_tag (tag_id, entity_id, entity_type) \
             SELECT 1 + seq % 2, seq, 0 FROM seq_1_to_{ONLYOFFICE_CONTACTS} WHERE seq % 2 = 0;"
        ),
    );
    let mut peak = 0;
    let times = (0..3)
        .map(|_| {
            let dir = tempfile::tempdir().expect("temporary folder");
            let target = format!("sqlite://{}/portald.db", dir.path().display());
            let (time, run_peak) = timed_with_peak(
                Command::new(&args.binary)
                    .args(["import", "onlyoffice", "--from", &format!("mysql://root@127.0.0.1:3306/{name}")])
                    .args(["--database-url", &target]),
            );
            peak = peak.max(run_peak);
            time
        })
        .collect();
    mysql(None, &format!("DROP DATABASE {name}"));
    (times, peak)
}

/// Runs a portald command to its successful end, watching its peak memory: (time, peak KiB).
fn timed_with_peak(command: &mut Command) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = command.env("PORTALD_LOG", "warn").stdout(Stdio::null()).spawn().expect("the portald command runs");
    let mut peak = 0;
    let status = loop {
        peak = peak.max(peak_memory_kib(child.id()));
        if let Some(status) = child.try_wait().expect("command status") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{command:?} failed");
    (started.elapsed(), peak)
}

/// Cards written for the vCard import row.
const VCARDS: usize = 10_000;

/// `portald export contacts` of every seeded contact as CSV and as vCard, then `portald import
/// contacts` of [`VCARDS`] vCards (3.0, with emails, phones, an address, categories and a
/// company each), three times each, with each command's peak memory.
fn transfer_rows(args: &Args, database_url: &str) -> Vec<(String, Vec<Duration>)> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut rows = Vec::new();
    for format in ["csv", "vcard"] {
        let file = dir.path().join(format!("export.{format}"));
        let mut peak = 0;
        let times = (0..3)
            .map(|_| {
                let (time, run_peak) = timed_with_peak(
                    Command::new(&args.binary)
                        .args(["export", "contacts", "--format", format, "--to"])
                        .arg(&file)
                        .env("DATABASE_URL", database_url),
                );
                peak = peak.max(run_peak);
                time
            })
            .collect();
        let written = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        rows.push((
            format!(
                "portald export contacts --format {format}, the {} seeded contacts ({:.0} MiB written; peak memory {:.0} MiB)",
                args.contacts,
                written as f64 / 1048576.0,
                peak as f64 / 1024.0
            ),
            times,
        ));
    }
    let file = dir.path().join("contacts.vcf");
    let mut cards = String::new();
    for n in 0..VCARDS {
        cards.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Card{n};Imported;;;\r\nFN:Imported Card{n}\r\nORG:Card Company {}\r\n\
             TITLE:Buyer\r\nEMAIL;TYPE=INTERNET;TYPE=WORK:card{n}@example.com\r\nTEL;TYPE=CELL:+1 555 {:04}\r\n\
             ADR;TYPE=HOME:;;{n} Main St;Springfield;IL;62701;USA\r\nCATEGORIES:imported,batch{}\r\nEND:VCARD\r\n",
            n % 100,
            n % 10_000,
            n % 5
        ));
    }
    std::fs::write(&file, cards).expect("vCards written");
    let mut peak = 0;
    let times = (0..3)
        .map(|_| {
            let (time, run_peak) = timed_with_peak(
                Command::new(&args.binary).args(["import", "contacts"]).arg(&file).env("DATABASE_URL", database_url),
            );
            peak = peak.max(run_peak);
            time
        })
        .collect();
    rows.push((
        format!("portald import contacts, {VCARDS} vCards (peak memory {:.0} MiB)", peak as f64 / 1024.0),
        times,
    ));
    rows
}

/// A fresh database of the bench's backend, and the PostgreSQL database's name to drop.
fn fresh_database(args: &Args, dir: &std::path::Path, name: &str) -> (String, Option<String>) {
    if args.postgres {
        let name = format!("portald_bench_{name}_{}", std::process::id());
        let status = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-qc", &format!("CREATE DATABASE {name}")])
            .status()
            .expect("psql");
        assert!(status.success(), "creating the PostgreSQL database");
        (format!("postgres://postgres@127.0.0.1:5432/{name}"), Some(name))
    } else {
        (format!("sqlite://{}/{name}.db", dir.display()), None)
    }
}

/// Fills the database with the bench's users, projects and `contacts` contacts.
fn seed(args: &Args, database_url: &str, contacts: usize) {
    let seeded = Instant::now();
    let status = Command::new(&args.binary)
        .args(["seed", "--users", "50", "--projects", "20", "--contacts", &contacts.to_string()])
        .env("DATABASE_URL", database_url)
        .env("PORTALD_OWNER_PASSWORD", PASSWORD)
        .env("PORTALD_LOG", "warn")
        .status()
        .expect("portald seed runs");
    assert!(status.success(), "seeding failed");
    eprintln!("seeded {contacts} contacts in {:.1?}", seeded.elapsed());
}

/// `portald backup` of a database of `--backup-contacts` seeded contacts, then `portald
/// restore` of it into a fresh database of the same backend: (what, time, peak memory KiB).
fn timed_backup_and_restore(args: &Args) -> Vec<(String, Duration, u64)> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (source, source_pg) = fresh_database(args, dir.path(), "backup_source");
    seed(args, &source, args.backup_contacts);
    let file = dir.path().join("bench-backup.sqlite");
    let mut backup = Command::new(&args.binary);
    backup.args(["backup", "--database-url", &source, "--to", &file.display().to_string()]);
    let (backup_time, backup_peak) = timed_with_peak(&mut backup);
    drop_database(source_pg);
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let (target, target_pg) = fresh_database(args, dir.path(), "restore_target");
    let mut restore = Command::new(&args.binary);
    restore.args(["restore", &file.display().to_string(), "--database-url", &target]);
    let (restore_time, restore_peak) = timed_with_peak(&mut restore);
    drop_database(target_pg);
    let n = args.backup_contacts;
    vec![
        (format!("portald backup, {n} contacts ({:.0} MiB file)", bytes as f64 / 1048576.0), backup_time, backup_peak),
        (format!("portald restore of it into a fresh database, {n} contacts"), restore_time, restore_peak),
    ]
}

fn print_backup_rows(rows: &[(String, Duration, u64)]) {
    println!();
    println!("| backup and restore | time | peak memory |");
    println!("|---|---:|---:|");
    for (name, time, peak) in rows {
        println!("| {name} | {:.1} s | {:.0} MiB |", time.as_secs_f64(), *peak as f64 / 1024.0);
    }
}

fn peak_memory_kib(pid: u32) -> u64 {
    memory_kib(pid, "VmHWM:")
}

/// A memory figure of `/proc/<pid>/status` (`VmHWM:` peak, `VmRSS:` now), in KiB; 0 if unknown.
fn memory_kib(pid: u32, field: &str) -> u64 {
    attack::memory_kib(pid, field).unwrap_or(0)
}

/// What the attack row measured.
struct Attack {
    elapsed: Duration,
    /// Answers to the logins by status.
    logins: std::collections::BTreeMap<u16, usize>,
    /// Status lines of the big bodies (empty: closed before answering).
    bodies: std::collections::BTreeMap<String, usize>,
    peak_kib: u64,
    settled_kib: u64,
    capabilities_p50: Duration,
    capabilities_p99: Duration,
}

const ATTACK_LOGINS: usize = 1_000;
const ATTACK_CONCURRENCY: usize = 64;
const ATTACK_BODIES: usize = 20;
/// Client addresses the logins come from (127.0.2.x): 8 logins, 4 failures each, under every
/// throttling limit, so each login is a password check.
const ATTACK_ADDRESSES: usize = 125;

/// Logs the seeded portal's owner in.
async fn admin_token(client: &reqwest::Client, server: &Server) -> String {
    token(client, server, "admin@example.com", PASSWORD).await
}

async fn token(client: &reqwest::Client, server: &Server, login: &str, password: &str) -> String {
    let body = json!({"userName": login, "password": password});
    let login = call(client, server, reqwest::Method::POST, "authentication", None, body).await;
    login["response"]["token"].as_str().expect("token").to_string()
}

/// Logs in a seeded user who is neither an admin nor a guest.
async fn plain_user_token(client: &reqwest::Client, server: &Server, admin: &str) -> String {
    let people = call(client, server, reqwest::Method::GET, "people?count=100", Some(admin), json!({})).await;
    let email = people["response"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|p| p["isAdmin"] == json!(false) && p["isVisitor"] == json!(false) && p["isOwner"] != json!(true))
        .and_then(|p| p["email"].as_str())
        .expect("the seed made a plain user")
        .to_string();
    token(client, server, &email, SEED_PASSWORD).await
}

/// On a fresh server: 1,000 logins, 64 at a time, every other one failing (an unknown name),
/// from 125 addresses and over the seeded accounts so that throttling refuses none; at the
/// same time 20 8 MiB JSON bodies without a token and a steady `GET capabilities`. Reports
/// the answers, the server's peak memory and its memory 5 s later, and the capabilities
/// latency during the attack.
async fn login_attack(args: &Args, database_url: &str) -> Attack {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let server = start_server(args, database_url);
    let addr = server.base.trim_start_matches("http://").to_string();
    let admin = reqwest::Client::new();
    let token = admin_token(&admin, &server).await;
    let people = call(&admin, &server, reqwest::Method::GET, "people?count=100", Some(&token), json!({})).await;
    let accounts: Vec<String> = people["response"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["email"].as_str())
        .filter(|email| email.ends_with("@seed.example.com"))
        .map(str::to_string)
        .collect();
    assert!(!accounts.is_empty(), "the seed made users");
    let clients: Arc<Vec<reqwest::Client>> = Arc::new(
        (0..ATTACK_ADDRESSES)
            .map(|n| {
                let address: std::net::IpAddr = format!("127.0.2.{}", n + 1).parse().expect("address");
                reqwest::Client::builder().local_address(address).build().expect("client")
            })
            .collect(),
    );
    let accounts = Arc::new(accounts);
    let started = Instant::now();
    let done = Arc::new(AtomicBool::new(false));
    let probes: Vec<_> = (0..4)
        .map(|_| {
            let url = format!("{}/api/2.0/capabilities", server.base);
            let done = done.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut times = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let sent = Instant::now();
                    if client.get(&url).send().await.is_ok_and(|r| r.status().is_success()) {
                        times.push(sent.elapsed());
                    }
                }
                times
            })
        })
        .collect();
    let bodies: Vec<_> = (0..ATTACK_BODIES)
        .map(|n| {
            let addr = addr.clone();
            let path = if n % 2 == 0 { "crm/contact/person" } else { "authentication" };
            std::thread::spawn(move || send_big_body(&addr, path))
        })
        .collect();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..ATTACK_CONCURRENCY)
        .map(|_| {
            let (next, clients, accounts, base) =
                (next.clone(), clients.clone(), accounts.clone(), server.base.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= ATTACK_LOGINS {
                        return statuses;
                    }
                    let (user, password) = if n % 2 == 0 {
                        (accounts[n / 2 % accounts.len()].clone(), "seed-password-1")
                    } else {
                        (format!("nobody{n}@bench.example.com"), "wrong-password")
                    };
                    let answer = clients[n % clients.len()]
                        .post(format!("{base}/api/2.0/authentication"))
                        .form(&[("userName", user.as_str()), ("password", password)])
                        .send()
                        .await;
                    statuses.push(answer.map(|a| a.status().as_u16()).unwrap_or(0));
                }
            })
        })
        .collect();
    let mut logins = std::collections::BTreeMap::new();
    for worker in workers {
        for status in worker.await.expect("login worker") {
            *logins.entry(status).or_default() += 1;
        }
    }
    let mut answered_bodies = std::collections::BTreeMap::new();
    for body in bodies {
        *answered_bodies.entry(body.join().expect("body thread")).or_default() += 1;
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for probe in probes {
        latencies.extend(probe.await.expect("probe"));
    }
    latencies.sort();
    let at =
        |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1))).copied();
    let peak_kib = peak_memory_kib(server.child.id());
    tokio::time::sleep(Duration::from_secs(5)).await;
    Attack {
        elapsed,
        logins,
        bodies: answered_bodies,
        peak_kib,
        settled_kib: memory_kib(server.child.id(), "VmRSS:"),
        capabilities_p50: at(0.5).unwrap_or_default(),
        capabilities_p99: at(0.99).unwrap_or_default(),
    }
}

fn print_attack(attack: &Attack) {
    let counts = |map: &std::collections::BTreeMap<String, usize>| {
        map.iter()
            .map(|(k, n)| format!("{n}× {}", if k.is_empty() { "closed" } else { k }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let logins: std::collections::BTreeMap<String, usize> =
        attack.logins.iter().map(|(status, n)| (status.to_string(), *n)).collect();
    println!();
    println!(
        "| attack ({ATTACK_LOGINS} logins, {ATTACK_CONCURRENCY} at a time, half failing; {ATTACK_BODIES} × 8 MiB bodies without a token) | |"
    );
    println!("|---|---|");
    println!(
        "| took | {:.1} s ({:.0} logins/s) |",
        attack.elapsed.as_secs_f64(),
        ATTACK_LOGINS as f64 / attack.elapsed.as_secs_f64()
    );
    println!("| login answers | {} |", counts(&logins));
    println!("| big-body answers | {} |", counts(&attack.bodies));
    println!("| server peak memory (VmHWM) | {:.1} MiB |", attack.peak_kib as f64 / 1024.0);
    println!("| server memory 5 s after (VmRSS) | {:.1} MiB |", attack.settled_kib as f64 / 1024.0);
    println!(
        "| GET capabilities during it, p50 / p99 | {} / {} |",
        format_duration(attack.capabilities_p50),
        format_duration(attack.capabilities_p99)
    );
}

/// `635.91us`, `2.35ms`, `1.20s` as a duration.
fn parse_latency(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let micros = match unit {
        "us" => value,
        "ms" => value * 1_000.0,
        "s" => value * 1_000_000.0,
        "m" => value * 60_000_000.0,
        _ => return None,
    };
    Some(Duration::from_nanos((micros * 1000.0) as u64))
}

fn run_wrk(args: &Args, server: &Server, token: &str, row: &LoadRow) -> Measured {
    let mut script = format!("wrk.method = \"{}\"\nwrk.headers[\"Authorization\"] = \"{token}\"\n", row.method);
    if let Some(body) = &row.json_body {
        script.push_str(&format!("wrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [[{body}]]\n"));
    }
    if let Some(Spread { first, span }) = row.spread {
        script.push_str(&format!(
            "local n = 0\nrequest = function()\n  n = n + 1\n  local path = string.gsub(\"/api/2.0/{}\", \"{{n}}\", \
             string.format(\"%d\", {first} + n % {span}))\n  return wrk.format(nil, path)\nend\n",
            row.path
        ));
    }
    let script_path = std::env::temp_dir().join(format!("portald-bench-{}.lua", std::process::id()));
    std::fs::write(&script_path, script).expect("wrk script written");
    let output = Command::new("wrk")
        .args(["-t", "1", "-c", &args.connections.to_string(), "-d", &format!("{}s", args.duration), "--latency", "-s"])
        .arg(&script_path)
        .arg(format!("{}/api/2.0/{}", server.base, row.path_of(0)))
        .output()
        .expect("wrk runs (bench/run installs it)");
    let text = String::from_utf8_lossy(&output.stdout);
    let value_after =
        |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|rest| rest.trim().to_string()));
    let failed: u64 = value_after("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0);
    if failed > 0 {
        eprintln!("{}: {failed} failed answers\n{text}", row.name);
    }
    Measured {
        name: row.name.clone(),
        requests_per_second: value_after("Requests/sec:").and_then(|v| v.parse().ok()).unwrap_or(0.0),
        p50: value_after("50%").and_then(|v| parse_latency(&v)).unwrap_or_default(),
        p99: value_after("99%").and_then(|v| parse_latency(&v)).unwrap_or_default(),
        peak_memory_kib: peak_memory_kib(server.child.id()),
        failed,
    }
}

async fn call(
    client: &reqwest::Client,
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = client.request(method, format!("{}/api/2.0/{path}", server.base)).json(&body);
    if let Some(token) = token {
        request = request.header("Authorization", token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// The ids of `n` contacts from `skip` on, read through the API (pages of 1000).
async fn contact_ids(client: &reqwest::Client, server: &Server, token: &str, n: usize, skip: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let path = format!("crm/contact/filter?sortBy=id&count=1000&startIndex={}", skip + ids.len());
        let page = call(client, server, reqwest::Method::GET, &path, Some(token), json!({})).await;
        let found: Vec<i64> =
            page["response"].as_array().expect("a list").iter().filter_map(|c| c["id"].as_i64()).collect();
        if found.is_empty() {
            break;
        }
        ids.extend(found);
    }
    ids.truncate(n);
    ids
}

/// Times single large requests, three runs each on fresh contacts: links of 10,000 ids and
/// batch deletes of 1,000 and 10,000.
async fn timed_batches(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    project: i64,
) -> Vec<(String, Vec<Duration>)> {
    let mut results = Vec::new();
    let mut offset = 0;
    for (name, n, delete) in [
        ("POST crm/contact/project/{id}, 10,000 ids", 10_000, false),
        ("PUT crm/contact, deleting 1,000", 1_000, true),
        ("PUT crm/contact, deleting 10,000", 10_000, true),
    ] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let ids = contact_ids(client, server, token, n, offset).await;
            if ids.len() < n {
                eprintln!("{name}: only {} contacts left; seed more", ids.len());
                break;
            }
            if !delete {
                offset += n;
            }
            let (method, path, body) = if delete {
                (reqwest::Method::PUT, "crm/contact".to_string(), json!({ "contactids": ids }))
            } else {
                (reqwest::Method::POST, format!("crm/contact/project/{project}"), json!({ "contactid": ids }))
            };
            let started = Instant::now();
            call(client, server, method, &path, Some(token), body).await;
            times.push(started.elapsed());
        }
        if !times.is_empty() {
            results.push((name.to_string(), times));
        }
    }
    results
}

/// The call the console's contact list makes for a keystroke of its search box (see
/// `console/contacts.js`: it searches from the third character, which the text index answers),
/// timed for each prefix of a name as it is typed, three times over.
async fn timed_search_keystrokes(client: &reqwest::Client, server: &Server, token: &str) -> (String, Vec<Duration>) {
    let typed = "anna";
    let mut times = Vec::new();
    for _ in 0..3 {
        for end in 1..=typed.len() {
            let search = if end >= 3 { &typed[..end] } else { "" };
            let path = format!(
                "crm/contact/filter?filterValue={search}&sortBy=Created&sortOrder=descending&startIndex=0&count=25"
            );
            let started = Instant::now();
            call(client, server, reqwest::Method::GET, &path, Some(token), json!({})).await;
            times.push(started.elapsed());
        }
    }
    ("console search, one keystroke (GET crm/contact/filter, 25 and the total, typing 'anna')".into(), times)
}

fn format_duration(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = tempfile::tempdir().expect("temporary folder");
    if args.backup_only {
        print_backup_rows(&timed_backup_and_restore(&args));
        return;
    }
    if args.scaling {
        print_scaling(&args, &scaling(&args).await);
        return;
    }
    let (database_url, pg_name) = fresh_database(&args, dir.path(), "bench");
    seed(&args, &database_url, args.contacts);
    if args.attack_only {
        print_attack(&login_attack(&args, &database_url).await);
        drop_database(pg_name);
        return;
    }
    if args.transfer_only {
        // Its first start makes the portal's owner, whom the commands act for.
        drop(start_server(&args, &database_url));
        print_batches(&transfer_rows(&args, &database_url));
        drop_database(pg_name);
        return;
    }
    let server = start_server(&args, &database_url);
    let client = reqwest::Client::new();
    let token = admin_token(&client, &server).await;
    if args.console_search_only {
        print_batches(&[timed_search_keystrokes(&client, &server, &token).await]);
        drop(server);
        drop_database(pg_name);
        return;
    }
    let me = call(&client, &server, reqwest::Method::GET, "people/@self", Some(&token), json!({})).await;
    let my_id = me["response"]["id"].as_str().expect("id").to_string();
    let project = call(
        &client,
        &server,
        reqwest::Method::POST,
        "project",
        Some(&token),
        json!({"title": "Bench", "responsibleId": my_id}),
    )
    .await;
    let project_id = project["response"]["id"].as_i64().expect("project id");
    let contacts: Vec<Value> = (0..10).map(|i| json!({"type": "phone", "value": format!("+1 555 {i:04}")})).collect();
    call(
        &client,
        &server,
        reqwest::Method::POST,
        "people/@self/contacts",
        Some(&token),
        json!({ "contacts": contacts }),
    )
    .await;

    let page =
        call(&client, &server, reqwest::Method::GET, "crm/contact/filter?sortBy=id&count=1", Some(&token), json!({}))
            .await;
    let contact_id = page["response"][0]["id"].as_i64().expect("a seeded contact");
    let rows = [
        ceiling_row(),
        LoadRow {
            name: "GET people/@self".into(),
            method: "GET",
            path: "people/@self".into(),
            json_body: None,
            as_plain_user: false,
            spread: None,
        },
        LoadRow {
            name: format!("GET project/{project_id}"),
            method: "GET",
            path: format!("project/{project_id}"),
            json_body: None,
            as_plain_user: false,
            spread: None,
        },
        LoadRow {
            name: "GET crm/contact/{id}".into(),
            method: "GET",
            path: format!("crm/contact/{contact_id}"),
            json_body: None,
            as_plain_user: false,
            spread: None,
        },
        LoadRow {
            name: "GET crm/contact/{id}, a different contact each time".into(),
            method: "GET",
            path: "crm/contact/{n}".into(),
            json_body: None,
            as_plain_user: false,
            spread: Some(Spread { first: contact_id, span: args.contacts as i64 }),
        },
        search_row("anna"),
        // Rarer words, for the curve by selectivity: the seed puts one word in 1% of the
        // contacts and one in 0.1%, and numbers last names, so "okafor1" is in about 0.4% of the
        // contacts and "okafor12" in 0.04% (the table after the run prints how many each
        // matched).
        search_row(WORD_IN_A_HUNDREDTH),
        search_row(WORD_IN_A_THOUSANDTH),
        search_row("okafor1"),
        search_row("okafor12"),
        list_row(false),
        list_row(true),
        asked_first(list_row(false)),
        asked_first(list_row(true)),
        LoadRow {
            name: "POST crm/contact/person".into(),
            method: "POST",
            path: "crm/contact/person".into(),
            json_body: Some(json!({"firstName": "Bench", "lastName": "Person", "shareType": 1})),
            as_plain_user: false,
            spread: None,
        },
        LoadRow {
            name: "PUT crm/contact/{id}/access".into(),
            method: "PUT",
            path: format!("crm/contact/{contact_id}/access"),
            json_body: Some(json!({"isShared": true, "managerList": [my_id]})),
            as_plain_user: false,
            spread: None,
        },
        LoadRow {
            name: "DELETE people/{userid}/contacts".into(),
            method: "DELETE",
            path: format!("people/{my_id}/contacts"),
            json_body: Some(json!({"contacts": [{"type": "skype", "value": "absent"}]})),
            as_plain_user: false,
            spread: None,
        },
    ];
    let user_token = plain_user_token(&client, &server, &token).await;
    let measured: Vec<Measured> = rows
        .iter()
        .filter(|row| row.name.contains("ceiling") || args.only.as_deref().is_none_or(|only| row.name.contains(only)))
        .map(|row| run_wrk(&args, &server, if row.as_plain_user { &user_token } else { &token }, row))
        .collect();
    print_load_table(&args, &measured);
    for row in rows.iter().filter(|row| row.path.contains("filterValue=")) {
        let answer = call(&client, &server, reqwest::Method::GET, &row.path_of(0), Some(&token), json!({})).await;
        let matched = answer["total"].as_f64().unwrap_or(0.0);
        println!("{}: {matched} matches, {:.3}% of the contacts", row.name, 100.0 * matched / args.contacts as f64);
    }
    if args.only.is_some() {
        drop_database(pg_name);
        return;
    }
    let mut batches = timed_batches(&client, &server, &token, project_id).await;
    batches.push(timed_search_keystrokes(&client, &server, &token).await);
    batches.extend(timed_failed_logins(&client, &server).await);
    batches.extend(transfer_rows(&args, &database_url));
    batches.push(("portald import contacts, 10,000 CSV rows".into(), timed_imports(&args, &database_url, 10_000)));
    let (times, peak) = timed_onlyoffice_imports(&args);
    batches.push((
        format!(
            "portald import onlyoffice, {ONLYOFFICE_CONTACTS} contacts with {ONLYOFFICE_DETAILS} details, into SQLite \
             (importer's peak memory {:.0} MiB)",
            peak as f64 / 1024.0
        ),
        times,
    ));
    batches.insert(0, ("first answer after start (seeded database)".into(), vec![server.first_answer]));
    print_batches(&batches);
    drop(server);
    // On a fresh server, so that its peak memory is the attack's.
    print_attack(&login_attack(&args, &database_url).await);
    drop_database(pg_name);
    print_backup_rows(&timed_backup_and_restore(&args));
}

/// The ceiling, the list rows and the search rows by selectivity, measured on a fresh database of
/// each of [`SCALING_SIZES`] in turn.
async fn scaling(args: &Args) -> Vec<(usize, Vec<Measured>)> {
    let rows = [
        ceiling_row(),
        list_row(false),
        list_row(true),
        asked_first(list_row(false)),
        asked_first(list_row(true)),
        search_row(WORD_IN_A_THOUSANDTH),
        search_row(WORD_IN_A_HUNDREDTH),
        search_row("anna"),
    ];
    let mut columns = Vec::new();
    for size in SCALING_SIZES {
        let dir = tempfile::tempdir().expect("temporary folder");
        let (database_url, pg_name) = fresh_database(args, dir.path(), &format!("scaling_{size}"));
        seed(args, &database_url, size);
        let server = start_server(args, &database_url);
        let client = reqwest::Client::new();
        let token = admin_token(&client, &server).await;
        let user_token = plain_user_token(&client, &server, &token).await;
        let measured = rows
            .iter()
            .map(|row| run_wrk(args, &server, if row.as_plain_user { &user_token } else { &token }, row))
            .collect();
        drop(server);
        drop_database(pg_name);
        columns.push((size, measured));
    }
    columns
}

/// One line per row, one column per size (requests/s, p99, share of that size's ceiling), and
/// the largest size's requests/s against the smallest's.
fn print_scaling(args: &Args, columns: &[(usize, Vec<Measured>)]) {
    print_run_heading(args, " by portal size");
    let sizes: Vec<String> = columns.iter().map(|(size, _)| format!("{size} contacts")).collect();
    println!("| endpoint | {} | smallest / largest |", sizes.join(" | "));
    println!("|---|{}---:|", "---:|".repeat(columns.len()));
    let Some((_, first)) = columns.first() else { return };
    for (index, row) in first.iter().enumerate() {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, measured)| {
                let ceiling = ceiling_of(measured);
                let m = &measured[index];
                format!(
                    "{:.0}/s, p99 {}, {:.0}%",
                    m.requests_per_second,
                    format_duration(m.p99),
                    100.0 * m.requests_per_second / ceiling
                )
            })
            .collect();
        let largest = columns.last().map_or(1.0, |(_, measured)| measured[index].requests_per_second.max(1.0));
        println!("| {} | {} | {:.2}x |", row.name, cells.join(" | "), row.requests_per_second / largest);
    }
}

/// The table of single requests: the median of the runs, and each run.
fn print_batches(batches: &[(String, Vec<Duration>)]) {
    println!();
    println!("| single request | median | runs |");
    println!("|---|---:|---|");
    for (name, times) in batches {
        let mut sorted = times.clone();
        sorted.sort();
        let runs: Vec<String> = times.iter().map(|t| format_duration(*t)).collect();
        println!("| {name} | {} | {} |", format_duration(sorted[sorted.len() / 2]), runs.join(", "));
    }
}

/// The ceiling's requests/s among rows measured in one run (1 if it is missing or zero).
fn ceiling_of(measured: &[Measured]) -> f64 {
    measured.iter().find(|m| m.name.contains("ceiling")).map(|m| m.requests_per_second).unwrap_or(1.0).max(1.0)
}

/// The line above a table: backend, load and cores; `what` qualifies the table.
fn print_run_heading(args: &Args, what: &str) {
    let backend = if args.postgres { "PostgreSQL" } else { "SQLite" };
    println!(
        "\nportald on {backend}{what}, wrk with {} connections for {} s per row, {} cores\n",
        args.connections,
        args.duration,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
}

/// The table of load rows, each with its ratio to the ceiling measured in the same run.
fn print_load_table(args: &Args, measured: &[Measured]) {
    let ceiling = ceiling_of(measured);
    print_run_heading(args, "");
    println!("| endpoint | requests/s | p50 | p99 | of ceiling | peak server memory | failed |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for m in measured {
        println!(
            "| {} | {:.0} | {} | {} | {:.0}% | {:.1} MiB | {} |",
            m.name,
            m.requests_per_second,
            format_duration(m.p50),
            format_duration(m.p99),
            100.0 * m.requests_per_second / ceiling,
            m.peak_memory_kib as f64 / 1024.0,
            m.failed
        );
    }
}

fn drop_database(pg_name: Option<String>) {
    if let Some(name) = pg_name {
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-qc", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
            .status();
    }
}
