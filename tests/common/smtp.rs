//! A real SMTP server on loopback for tests: `aiosmtpd` from PyPI, writing each message it
//! accepts to a maildir. Its virtual environment is made under `target/` on first use (CI makes
//! it beforehand); `PORTALD_SMTP_PYTHON` may name another interpreter that has the package.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(install).clone()
}

fn install() -> PathBuf {
    if let Ok(python) = std::env::var("PORTALD_SMTP_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/smtp-venv");
    let python = venv.join("bin/python");
    let has =
        |python: &PathBuf| Command::new(python).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !has(&python) {
        let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "aiosmtpd==1.4.6"])
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install aiosmtpd==1.4.6 failed");
    }
    python
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

pub fn url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}")
}

/// A running SMTP server and the maildir it writes to.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        SmtpServer::start_on(free_port())
    }

    /// Starts the server on `port` and waits until it accepts connections.
    pub fn start_on(port: u16) -> SmtpServer {
        let dir = tempfile::tempdir().expect("temporary folder");
        let maildir = dir.path().join("maildir"); // created by the handler
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let server = SmtpServer { child, port, maildir, _dir: dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn url(&self) -> String {
        url(self.port)
    }

    /// Every message received so far, raw, in the order received.
    pub fn messages(&self) -> Vec<String> {
        read_maildir(&self.maildir)
    }

    /// Waits until at least `n` messages arrived (at most `limit`), then returns them all.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<String> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(started.elapsed() < limit, "{} of {n} messages after {limit:?}", messages.len());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_maildir(maildir: &Path) -> Vec<String> {
    let mut files: Vec<(std::time::SystemTime, String, PathBuf)> = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else { continue };
        for entry in entries.flatten() {
            let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
            files.push((modified, entry.file_name().to_string_lossy().into_owned(), entry.path()));
        }
    }
    files.sort();
    files.into_iter().map(|(_, _, path)| std::fs::read_to_string(path).expect("message readable")).collect()
}

/// A header's value in a raw message (first occurrence, any case).
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
}

/// The one-time token a message carries (its `token: ...` line).
pub fn token(message: &str) -> String {
    message
        .lines()
        .find_map(|line| line.trim().strip_prefix("token: "))
        .unwrap_or_else(|| panic!("no token in {message}"))
        .trim()
        .to_string()
}
