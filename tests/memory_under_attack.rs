//! What anyone without an account can make the server hold in memory: a server process takes
//! many concurrent logins (half of them failing) and several large bodies without a token, and
//! its peak and settled resident memory stay bounded. Memory, not time, is asserted.

mod common;

use std::net::IpAddr;
use std::process::Command;

use common::attack::{self, send_big_body};
use common::TestDb;

const PASSWORD: &str = "memory-password-1";
/// Far above what the server needs (about 60 MiB in a debug build), far below what it took
/// before (1.3 GiB for 32 concurrent logins, 0.9 GB for one 8 MiB JSON body).
const BOUND_KIB: u64 = 250 * 1024;

/// `VmHWM` (peak) and `VmRSS` (now) of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let field = |name: &str| attack::memory_kib(pid, name).expect("memory figure");
    (field("VmHWM:"), field("VmRSS:"))
}

/// The server process, killed when the test ends however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server process on `db`, and its address.
fn start_server(db: &TestDb) -> (Running, String) {
    let (child, base, _) = common::start_process(
        Command::new(env!("CARGO_BIN_EXE_portald"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &db.url)
            .env("PORTALD_OWNER_PASSWORD", PASSWORD)
            .env("PORTALD_LOG", "error"),
    );
    (Running(child), base)
}

#[tokio::test]
async fn concurrent_logins_and_big_anonymous_bodies_keep_memory_bounded() {
    let db = TestDb::new().await;
    let (server, base) = start_server(&db);
    let addr = base.trim_start_matches("http://").to_string();
    // 96 logins at once, half of them the owner's, half failing for names that exist nowhere
    // (each a password check), from 24 addresses so that no address reaches its limit.
    let tasks: Vec<_> = (0..96u32)
        .map(|n| {
            let address: IpAddr = format!("127.0.1.{}", n % 24 + 1).parse().unwrap();
            let client = reqwest::Client::builder().local_address(address).build().expect("client");
            let (user, password) = if n % 2 == 0 {
                ("admin@example.com".to_string(), PASSWORD)
            } else {
                (format!("nobody{n}"), "wrong-one")
            };
            let request = client
                .post(format!("{base}/api/2.0/authentication"))
                .form(&[("userName", user.as_str()), ("password", password)]);
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let bodies: Vec<_> = (0..4)
        .map(|n| {
            let addr = addr.clone();
            let path = if n % 2 == 0 { "crm/contact/person" } else { "authentication" };
            std::thread::spawn(move || send_big_body(&addr, path))
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("login task").expect("login answered"));
    }
    for body in bodies {
        let status = body.join().expect("body thread");
        assert!(!status.contains(" 200 ") && !status.contains(" 201 "), "{status}");
    }
    // Logins are checked, or refused: past 5 at once for one account (429) or past a short
    // wait for a turn (503); never an error.
    assert!(statuses.iter().all(|s| [201, 401, 429, 503].contains(s)), "{statuses:?}");
    assert!(statuses.contains(&201) && statuses.contains(&401), "{statuses:?}");
    let (peak, now) = memory_kib(server.0.id());
    eprintln!("server memory: peak {} MiB, settled {} MiB", peak / 1024, now / 1024);
    assert!(peak < BOUND_KIB, "peak {peak} KiB");
    assert!(now < BOUND_KIB, "settled {now} KiB");
}

/// A password check needs 19 MiB of working memory. Once the checks are over, the server gives
/// it back: its resident memory falls well below the peak the checks made, instead of holding a
/// buffer per core for the rest of its life.
#[tokio::test]
async fn password_checks_give_their_memory_back_once_over() {
    /// Less than one check's working memory.
    const GIVEN_BACK_KIB: u64 = 16 * 1024;
    let db = TestDb::new().await;
    let (server, base) = start_server(&db);
    let client = reqwest::Client::new();
    // Four at once: both turns (one per core on CI's two) busy, two buffers in use.
    let logins: Vec<_> = (0..4)
        .map(|_| {
            let login = client
                .post(format!("{base}/api/2.0/authentication"))
                .form(&[("userName", "admin@example.com"), ("password", PASSWORD)]);
            tokio::spawn(async move { login.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    for login in logins {
        assert_eq!(login.await.expect("login task").expect("login answered"), 201);
    }
    // Freed a moment after the last check; the allocator returns it at its next work, on the
    // thread that allocated it (a blocking-pool thread ends after 10 s without work).
    let (peak, mut now) = memory_kib(server.0.id());
    for _ in 0..60 {
        if now + GIVEN_BACK_KIB <= peak {
            break;
        }
        client.get(format!("{base}/api/2.0/capabilities")).send().await.expect("capabilities answers");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        now = memory_kib(server.0.id()).1;
    }
    eprintln!("server memory: peak {} MiB, {} MiB after the logins", peak / 1024, now / 1024);
    assert!(now + GIVEN_BACK_KIB <= peak, "resident {now} KiB after the logins, peak {peak} KiB");
}
