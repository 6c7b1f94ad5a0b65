//! The original's import and export routes: `crm/import/uploadfake`, `crm/import/samplerow`,
//! `crm/contact/import/start|status`, `crm/export/partial/contact/start|status|cancel` and the
//! download of an export, as background tasks: status, outcome, all-or-nothing imports, exports
//! of what the caller may read, cancel, and an export resumed after its server died.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{spawn, Role, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Connection};

async fn exec(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.expect("database");
    sqlx::query(sql).execute(&mut conn).await.expect(sql);
    conn.close().await.expect("closed");
}

/// Uploads `bytes` as multipart `file` with the settings; the JSON answer.
async fn upload(server: &TestServer, token: &str, path: &str, bytes: &[u8], settings: &str) -> common::Answer {
    let form = Form::new()
        .part("file", Part::bytes(bytes.to_vec()).file_name("contacts.txt"))
        .text("jsonSettings", settings.to_string());
    server.send(server.request(Method::POST, path, Some(token)).multipart(form)).await
}

/// Polls a status route until its task is completed; the last status.
async fn wait(server: &TestServer, token: &str, path: &str) -> Value {
    let started = Instant::now();
    loop {
        let status = server.get(path, token).await.json_ok()["response"].clone();
        if status["isCompleted"] == json!(true) {
            return status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{path} never completed: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn names(server: &TestServer, token: &str) -> Vec<String> {
    let list = server.get("crm/contact/filter?count=1000&sortBy=displayname", token).await.json()["response"].clone();
    let mut names: Vec<String> =
        list.as_array().unwrap().iter().map(|c| c["displayName"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_uploaded_vcard_file_imports_in_the_background_with_its_outcome() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let cards = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vcard/malformed.vcf")).unwrap();
    let answer = upload(&server, &owner, "crm/import/uploadfake", &cards, "{}").await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let uploaded = answer.json_ok()["response"].clone();
    let name = uploaded["assignedPath"].as_str().unwrap().to_string();
    assert_eq!(uploaded["success"], json!(true));
    assert_eq!(server.get("crm/contact/import/status", &owner).await.json_ok()["response"], json!({}), "none yet");

    let settings = json!({"removing_duplicates_behavior": 1, "tags": ["imported"]}).to_string();
    let answer = server
        .call(&owner, Method::POST, "crm/contact/import/start", json!({"csvFileURI": name, "jsonSettings": settings}))
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.json_ok()["response"]["isCompleted"], json!(false));
    let done = wait(&server, &owner, "crm/contact/import/status").await;
    assert_eq!((done["status"].clone(), done["percentage"].clone()), (json!(2), json!(100.0)), "{done}");
    assert_eq!(done["report"]["persons"], json!(2), "{done}");
    let rejected: Vec<Value> =
        done["report"]["rejected"].as_array().unwrap().iter().map(|r| r["line"].clone()).collect();
    assert_eq!(rejected, [json!(8), json!(10), json!(16)]);
    assert_eq!(names(&server, &owner).await, ["Jörg Grün", "Ok Person"]);
    let tags = server.get("crm/contact/tag", &owner).await.json_ok()["response"].to_string();
    assert!(tags.contains("imported"), "{tags}");
}

#[tokio::test]
async fn a_strict_import_with_a_bad_card_fails_and_imports_nothing() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let cards =
        b"BEGIN:VCARD\nVERSION:3.0\nN:Good;One;;;\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nNOTE:nameless\nEND:VCARD\n";
    let settings = json!({"strict": true}).to_string();
    let answer = upload(&server, &owner, "crm/contact/import/start", cards, &settings).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let failed = wait(&server, &owner, "crm/contact/import/status").await;
    assert_eq!(failed["status"], json!(3), "{failed}");
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("1 rows rejected") && error.contains("line 5: the card has no name"), "{error}");
    assert!(names(&server, &owner).await.is_empty(), "nothing was imported");
}

#[tokio::test]
async fn csv_settings_of_the_original_map_columns_delimiter_and_encoding() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    // Windows-1252 text, semicolons, no header: the mapping names the columns.
    let mut csv = b"Ren\xe9;Dupont;rene@example.com;Caf\xe9 SARL\n".to_vec();
    csv.extend_from_slice(b"Ann;Lee;ann@example.com;\n");
    let settings = json!({
        "has_header": false, "delimiter_character": 59, "quote_character": 34, "encoding": 1252,
        "column_mapping": {"0": "firstName", "1": "lastName", "2": "contactInfo_1_0", "3": "companyName"},
    })
    .to_string();
    let answer = upload(&server, &owner, "crm/import/uploadfake", &csv, &settings).await;
    let uploaded = answer.json_ok()["response"].clone();
    assert_eq!(uploaded["rows"][0], json!(["René", "Dupont", "rene@example.com", "Café SARL"]));
    let name = uploaded["assignedPath"].as_str().unwrap();
    let row = server
        .get(
            &format!("crm/import/samplerow?csvFileURI={name}&indexRow=1&jsonSettings={}", urlencode(&settings)),
            &owner,
        )
        .await;
    assert_eq!(row.json_ok()["response"], json!(["Ann", "Lee", "ann@example.com", ""]));

    server
        .call(&owner, Method::POST, "crm/contact/import/start", json!({"csvFileURI": name, "jsonSettings": settings}))
        .await
        .json_ok();
    let done = wait(&server, &owner, "crm/contact/import/status").await;
    assert_eq!(done["status"], json!(2), "{done}");
    assert_eq!(names(&server, &owner).await, ["Ann Lee", "Café SARL", "René Dupont"]);

    let bad = server
        .call(
            &owner,
            Method::POST,
            "crm/contact/import/start",
            json!({"csvFileURI": name, "jsonSettings": "{\"encoding\": 4242}"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("jsonSettings") && bad.text.contains("4242"), "{}", bad.text);
    let missing = server
        .call(&owner, Method::POST, "crm/contact/import/start", json!({"csvFileURI": "nothing", "jsonSettings": "{}"}))
        .await;
    assert_eq!(missing.status, 400);
    assert!(missing.text.contains("csvFileURI"), "{}", missing.text);
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Downloads the caller's finished export.
async fn download(server: &TestServer, token: &str) -> (reqwest::StatusCode, String) {
    let answer = server.send(server.request(Method::GET, "crm/export/partial/download", Some(token))).await;
    (answer.status, answer.text)
}

#[tokio::test]
async fn an_export_holds_what_its_caller_may_read_and_downloads_when_done() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("plain", Role::User).await;
    for (first, share) in [("Open", 2), ("Secret", 0)] {
        server
            .call(
                &owner,
                Method::POST,
                "crm/contact/person",
                json!({"firstName": first, "lastName": "Person", "shareType": share}),
            )
            .await
            .json_ok();
    }
    for (token, format, expected) in [(&user, "vcard", 1), (&owner, "csv", 2), (&owner, "vcard4", 2)] {
        let answer =
            server.call(token, Method::POST, "crm/export/partial/contact/start", json!({"format": format})).await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        let done = wait(&server, token, "crm/export/partial/status").await;
        assert_eq!(done["status"], json!(2), "{done}");
        assert_eq!(done["fileUrl"], json!("/api/2.0/crm/export/partial/download"));
        let (status, text) = download(&server, token).await;
        assert_eq!(status, 200);
        let count = if format == "csv" { text.lines().count() - 1 } else { text.matches("BEGIN:VCARD").count() };
        assert_eq!(count, expected, "{format}: {text}");
        assert_eq!(text.contains("Secret"), expected == 2, "{text}");
    }
    // The filter of contact/filter applies.
    server
        .call(&owner, Method::POST, "crm/export/partial/contact/start", json!({"format": "csv", "filterValue": "Open"}))
        .await
        .json_ok();
    wait(&server, &owner, "crm/export/partial/status").await;
    assert_eq!(download(&server, &owner).await.1.lines().count(), 2);
    let bad = server.call(&owner, Method::POST, "crm/export/partial/contact/start", json!({"format": "pdf"})).await;
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("format"));
}

#[tokio::test]
async fn an_export_cut_by_its_server_resumes_at_its_page_and_a_cancelled_one_has_no_file() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.csv");
    let mut csv = String::from("first name,last name,email\n");
    for n in 0..2500 {
        csv.push_str(&format!("First{n},Last{n},p{n}@example.com\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(["import", "contacts"])
        .arg(&file)
        .env("DATABASE_URL", &server.db.url)
        .env("PORTALD_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success());

    server.call(&owner, Method::POST, "crm/export/partial/contact/start", json!({"format": "csv"})).await.json_ok();
    let done = wait(&server, &owner, "crm/export/partial/status").await;
    assert_eq!(done["status"], json!(2), "{done}");
    let (_, whole) = download(&server, &owner).await;
    assert_eq!(whole.lines().count(), 2501, "three pages of 1,000");

    // As if the server had died after two of the three pages: the task claimed by a runner
    // that is gone, its lease over, its last page not written. A runner resumes it there.
    let url = &server.db.url;
    exec(url, "DELETE FROM crm_transfer_chunks WHERE seq = 2").await;
    exec(url, "UPDATE background_tasks SET status = 1, step = 2, claimed_by = 'gone', lease_until = 0").await;
    let resumed = wait(&server, &owner, "crm/export/partial/status").await;
    assert_eq!(resumed["status"], json!(2), "{resumed}");
    assert_eq!(download(&server, &owner).await.1, whole, "the same file, each page once");

    // Held by another server's runner, it stops at once when cancelled; it has no file.
    exec(
        url,
        "UPDATE background_tasks SET status = 1, step = 1, claimed_by = 'elsewhere', lease_until = 99999999999999999",
    )
    .await;
    let running = server.get("crm/export/partial/status", &owner).await.json_ok()["response"].clone();
    assert_eq!((running["isCompleted"].clone(), running["percentage"].clone()), (json!(false), json!(33.0)));
    let cancelled =
        server.call(&owner, Method::PUT, "crm/export/partial/cancel", json!({})).await.json_ok()["response"].clone();
    assert_eq!(cancelled["status"], json!(3), "{cancelled}");
    assert_eq!(cancelled["error"], json!("Terminated: 1 of 3 steps were done"));
    assert_eq!(download(&server, &owner).await.0, 404);
}
