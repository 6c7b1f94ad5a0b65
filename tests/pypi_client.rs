//! The real PyPI client `onlyoffice` 0.1.0 logs in and makes a call with the token it holds.
//! Its virtual environment is made on first use under `target/` (CI makes it beforehand);
//! `PORTALD_PYCLIENT_PYTHON` may point at another interpreter that has the package.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{spawn, OWNER_EMAIL, OWNER_PASSWORD};

fn python_with_client() -> PathBuf {
    if let Ok(python) = std::env::var("PORTALD_PYCLIENT_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyclient-venv");
    let python = venv.join("bin/python");
    let has_client =
        |python: &PathBuf| Command::new(python).args(["-c", "import onlyoffice"]).status().is_ok_and(|s| s.success());
    if !has_client(&python) {
        let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "onlyoffice==0.1.0"])
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install onlyoffice==0.1.0 failed");
    }
    python
}

const SCRIPT: &str = r#"
import sys, requests
from onlyoffice import OnlyOffice
base, user, password = sys.argv[1:4]
client = OnlyOffice(base, user, password)
assert client.authorization, "no token"
r = requests.get(base + "/api/2.0/people/@self", headers=client.auth)
assert r.status_code == 200, r.text
body = r.json()
assert body["status"] == 0 and body["count"] == 1, body
assert body["response"]["email"] == user, body
r = requests.get(base + "/api/2.0/people/@self.xml", headers=client.auth)
assert r.status_code == 200 and r.text.startswith("<result>"), r.text
print("client ok")
"#;

#[tokio::test]
async fn the_pypi_client_logs_in_and_calls_with_its_token() {
    let server = spawn().await;
    let python = tokio::task::spawn_blocking(python_with_client).await.unwrap();
    let base = server.base.clone();
    let output = tokio::process::Command::new(python)
        .args(["-c", SCRIPT, &base, OWNER_EMAIL, OWNER_PASSWORD])
        .output()
        .await
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("client ok"));
}
