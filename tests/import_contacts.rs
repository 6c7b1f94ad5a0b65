//! `portald import contacts FILE.csv`: persons and companies with their details and tags, what
//! is rejected and why, all-or-nothing with `--strict`, and who may see what was imported.

mod common;

use std::process::{Command, Output};

use common::{spawn, Role, TestServer};
use serde_json::Value;

fn import(server: &TestServer, csv: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("contacts.csv");
    std::fs::write(&file, csv).expect("csv written");
    Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(["import", "contacts"])
        .arg(&file)
        .args(args)
        .env("DATABASE_URL", &server.db.url)
        .env("PORTALD_LOG", "warn")
        .output()
        .expect("portald runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn find(server: &TestServer, token: &str, search: &str) -> Vec<Value> {
    let answer = server.get(&format!("crm/contact/filter?filterValue={search}"), token).await;
    answer.json()["response"].as_array().cloned().unwrap_or_default()
}

async fn contact_count(server: &TestServer, token: &str) -> i64 {
    server.get("crm/contact/filter?count=1", token).await.json()["total"].as_i64().expect("total")
}

const MIXED: &str = "\
First Name,Last Name,Company,Job Title,E-mail,Phone,Tags,Shoe size
Anna,Berg,Globex,CEO,anna@globex.example;a.berg@globex.example,+1 555 0100,vip;client,41
Boris,Costa,Newco,,boris@newco.example,,client,44
,,Globex,,info@globex.example,,partner,
Chloe,,,,chloe@x.example,,,
Dan,Eve,,,not-an-email,,,
Too,Few
Fay,Gee,,,,\"12 34; abc\",,
";

#[tokio::test]
async fn imports_persons_and_companies_with_details_and_tags_and_reports_rejected_rows() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let output = import(&server, MIXED, &[]);
    let printed = stdout(&output);
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("Ignored columns: Shoe size"), "{printed}");
    for line in [
        "Rejected line 5: Parameter 'lastName' is required",
        "Rejected line 6: \"not-an-email\" is not an email address",
        "Rejected line 7: has 2 fields where the header has 8",
        "Rejected line 8: \"abc\" is not a phone number",
    ] {
        assert!(printed.contains(line), "{line} in {printed}");
    }
    assert!(printed.contains("2 persons, 1 companies (1 more created"), "{printed}");

    // Globex is listed after Anna, yet she works there; Newco was created for Boris.
    let anna = &find(&server, &owner, "Anna").await[0];
    let found = find(&server, &owner, "Globex").await;
    let globex = found.iter().find(|c| c["isCompany"] == true).expect("Globex");
    assert_eq!(anna["company"]["id"], globex["id"]);
    assert_eq!(anna["title"], "CEO");
    assert_eq!(find(&server, &owner, "Newco").await.iter().filter(|c| c["isCompany"] == true).count(), 1);
    assert_eq!(contact_count(&server, &owner).await, 4);

    let id = anna["id"].as_i64().unwrap();
    let details = server.get(&format!("crm/contact/{id}/data"), &owner).await.json()["response"].clone();
    let mut details: Vec<(String, String, bool)> = details
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["infoType"].to_string(), d["data"].as_str().unwrap().to_string(), d["isPrimary"] == true))
        .collect();
    details.sort();
    assert_eq!(
        details,
        [
            ("0".into(), "+1 555 0100".into(), true),
            ("1".into(), "a.berg@globex.example".into(), false),
            ("1".into(), "anna@globex.example".into(), true),
        ]
    );
    let tags = server.get(&format!("crm/contact/{id}/tag"), &owner).await.json()["response"].clone();
    assert_eq!(tags, serde_json::json!(["client", "vip"]));
    let all_tags = server.get("crm/contact/tag", &owner).await.json()["response"].clone();
    assert_eq!(all_tags.as_array().unwrap().len(), 3, "client is one tag: {all_tags}");
}

#[tokio::test]
async fn a_strict_import_with_a_bad_row_imports_nothing() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let output = import(&server, MIXED, &["--strict"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("4 rows rejected and --strict given"));
    assert_eq!(contact_count(&server, &owner).await, 0);
    let tags = server.get("crm/contact/tag", &owner).await.json()["response"].clone();
    assert_eq!(tags, serde_json::json!([]), "no tag is left behind");
}

#[tokio::test]
async fn private_imports_are_seen_by_their_importer_only() {
    let server = spawn().await;
    let (_, importer, importer_password) = server.add_user("importer", Role::User).await;
    let (_, _, other_password) = server.add_user("other", Role::User).await;
    let output = import(&server, "company,email\nHooli,hi@hooli.example\n", &["--share", "private", "--as", &importer]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let importer = server.login(&importer, &importer_password).await;
    let other = server.login("other@example.com", &other_password).await;
    let hooli = find(&server, &importer, "Hooli").await;
    assert_eq!(hooli[0]["isPrivate"], true);
    assert_eq!(hooli[0]["accessList"][0]["displayName"], "importer Tester");
    assert!(find(&server, &other, "Hooli").await.is_empty());
}

#[tokio::test]
async fn a_file_without_a_name_column_or_an_unknown_user_is_refused() {
    let server = spawn().await;
    let output = import(&server, "email,phone\na@b.example,123\n", &[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("names no name column"));
    let output = import(&server, "company\nAcme\n", &["--as", "nobody@example.com"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no user \"nobody@example.com\""));
    let (_, guest, _) = server.add_user("guest", Role::Guest).await;
    let output = import(&server, "company\nAcme\n", &["--as", &guest]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("guests have no access to the CRM"));
}
