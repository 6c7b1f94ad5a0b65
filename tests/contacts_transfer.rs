//! Contacts in and out: `portald import contacts` of vCards written by other programs and of
//! what `portald export contacts` writes (CSV, vCard 3.0 and 4.0), which must come back equal;
//! bad cards reported with their lines; duplicates by email; exports hold only what the user
//! may read.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{spawn, Role, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

fn portald(server: &TestServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(args)
        .env("DATABASE_URL", &server.db.url)
        .env("PORTALD_LOG", "warn")
        .output()
        .expect("portald runs")
}

fn import(server: &TestServer, file: &Path, args: &[&str]) -> String {
    let output = portald(server, &[&["import", "contacts", file.to_str().unwrap()], args].concat());
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    printed
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vcard").join(name)
}

/// Every contact the token may read, as comparable values: names, company, details (type,
/// category, data) and tags, sorted.
async fn snapshot(server: &TestServer, token: &str, categories: bool) -> Vec<Value> {
    let list = server.get("crm/contact/filter?count=1000", token).await.json()["response"].clone();
    let mut contacts: Vec<Value> =
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let mut infos: Vec<Value> = c["commonData"]
                    .as_array()
                    .into_iter()
                    .chain(c["addresses"].as_array())
                    .flatten()
                    .map(|i| {
                        let data = i.get("data").cloned().unwrap_or_else(|| {
                            json!(["street", "city", "state", "zip", "country"].map(|k| i[k].clone()))
                        });
                        json!([i["infoType"], if categories { i["category"].clone() } else { Value::Null }, data])
                    })
                    .collect();
                infos.sort_by_key(|v| v.to_string());
                let mut tags: Vec<Value> = c["tags"].as_array().cloned().unwrap_or_default();
                tags.sort_by_key(|v| v.to_string());
                json!({
                    "isCompany": c["isCompany"], "displayName": c["displayName"], "title": c["title"],
                    "about": c["about"], "company": c["company"]["displayName"], "infos": infos, "tags": tags,
                })
            })
            .collect();
    contacts.sort_by_key(|v| v.to_string());
    contacts
}

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> Value {
    let answer = server.call(token, Method::POST, path, body).await;
    assert_eq!(answer.status, 201, "{path}: {}", answer.text);
    answer.json()["response"].clone()
}

/// Companies with persons, every kind of detail vCard carries, categories, tags, text that
/// needs escaping.
async fn fill(server: &TestServer, token: &str, n: usize) {
    for c in 0..n / 3 {
        let company = post(
            server,
            token,
            "crm/contact/company",
            json!({"companyName": format!("Firm {c}; and, sons"), "about": "makes\nthings"}),
        )
        .await;
        let id = company["id"].as_i64().unwrap();
        post(
            server,
            token,
            &format!("crm/contact/{id}/data"),
            json!({"infoType": "Website", "data": format!("https://firm{c}.example"), "isPrimary": true}),
        )
        .await;
        post(server, token, &format!("crm/contact/{id}/tag"), json!({"tagName": "supplier"})).await;
        for p in 0..2 {
            let person = post(server, token, "crm/contact/person", json!({"firstName": format!("Zoë {c}"), "lastName": format!("O'Neil-{p}"), "jobTitle": "Buyer, senior", "about": "a note", "companyId": id})).await;
            let pid = person["id"].as_i64().unwrap();
            for (kind, category, data) in [
                ("Email", "Work", format!("zoe{c}.{p}@firm.example")),
                ("Email", "Home", format!("zoe{c}.{p}@home.example")),
                ("Phone", "Mobile", format!("+1 555 01{c}{p}")),
                ("Phone", "Fax", "+1 555 0999".to_string()),
            ] {
                post(
                    server,
                    token,
                    &format!("crm/contact/{pid}/data"),
                    json!({"infoType": kind, "category": category, "data": data}),
                )
                .await;
            }
            let address = json!({"street": "1 Main St\nFloor 2", "city": "Springfield", "state": "IL", "zip": "62701", "country": "USA"}).to_string();
            post(
                server,
                token,
                &format!("crm/contact/{pid}/data"),
                json!({"infoType": "Address", "category": "Postal", "data": address}),
            )
            .await;
            post(server, token, &format!("crm/contact/{pid}/tag"), json!({"tagName": format!("lead {p}")})).await;
        }
    }
    post(server, token, "crm/contact/person", json!({"firstName": "Lone", "lastName": "Wolf"})).await;
}

#[tokio::test]
async fn exported_contacts_import_equal_into_an_empty_portal_as_vcard_3_and_4_and_csv() {
    let source = spawn().await;
    let owner = source.owner_token().await;
    fill(&source, &owner, 12).await;
    let dir = tempfile::tempdir().unwrap();
    let expected_full = snapshot(&source, &owner, true).await;
    assert_eq!(expected_full.len(), 13);
    for (format, version, name) in [("vcard", "3.0", "a.vcf"), ("vcard", "4.0", "b.vcf"), ("csv", "3.0", "c.csv")] {
        let file = dir.path().join(name);
        let output = portald(
            &source,
            &["export", "contacts", "--format", format, "--vcard-version", version, "--to", file.to_str().unwrap()],
        );
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stderr).contains("Exported 13 contacts"));
        let target = spawn().await;
        let target_owner = target.owner_token().await;
        let printed = import(&target, &file, &[]);
        assert!(printed.contains("9 persons, 4 companies (0 more created"), "{printed}");
        if format == "csv" {
            // CSV carries emails, phones and websites without their categories, and no addresses
            // (whose items are the ones without an infoType).
            let without = |list: Vec<Value>| -> Vec<Value> {
                list.into_iter()
                    .map(|mut c| {
                        let infos: Vec<Value> = c["infos"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(|i| !i[0].is_null())
                            .map(|i| json!([i[0], null, i[2]]))
                            .collect();
                        c["infos"] = json!(infos);
                        c
                    })
                    .collect()
            };
            let mut expected = without(snapshot(&source, &owner, false).await);
            let mut imported = without(snapshot(&target, &target_owner, false).await);
            expected.sort_by_key(|v| v.to_string());
            imported.sort_by_key(|v| v.to_string());
            assert_eq!(imported, expected, "{name}");
        } else {
            assert_eq!(snapshot(&target, &target_owner, true).await, expected_full, "{name}");
        }
    }
}

#[tokio::test]
async fn vcards_of_apple_google_and_thunderbird_import_with_their_details() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let printed = import(&server, &fixture("apple-contacts.vcf"), &[]);
    assert!(printed.contains("1 persons, 1 companies (0 more created"), "{printed}");
    let printed = import(&server, &fixture("google-contacts.vcf"), &[]);
    assert!(printed.contains("1 persons, 0 companies (1 more created"), "{printed}");
    assert!(
        printed.contains("Note, line 1: its PHOTO is a link (https://photos.example/jane.jpg), which is not fetched"),
        "{printed}"
    );
    import(&server, &fixture("thunderbird.vcf"), &[]);
    let all = snapshot(&server, &owner, true).await;
    let find = |name: &str| {
        all.iter().find(|c| c["displayName"] == name).unwrap_or_else(|| panic!("{name} in {all:#?}")).clone()
    };

    let john = find("John Appleseed");
    assert_eq!(john["company"], "Orchard Inc.");
    assert_eq!(john["title"], "Engineer");
    assert_eq!(john["about"], "Met at the conference, 2023");
    assert_eq!(john["tags"], json!(["partner", "vip"]));
    let infos = john["infos"].to_string();
    for detail in [
        // [infoType (Phone 0, Email 1, Website 2; none on addresses), category, data]
        r#"[1,1,"john@orchard.example"]"#,
        r#"[1,2,"john.other@example.com"]"#,
        r#"[0,2,"+1 (408) 555-5270"]"#,
        r#"[0,1,"+1 408 555 0101"]"#,
        r#"[2,1,"https://orchard.example"]"#,
        r#"[null,5,["1 Orchard Loop","Cupertino","CA","95014","United States"]]"#,
    ] {
        assert!(infos.contains(detail), "{detail} in {infos}");
    }
    assert_eq!(find("Orchard Inc.")["isCompany"], true);

    let jane = find("Jane Doe");
    assert_eq!(jane["company"], "Doe Consulting");
    assert!(jane["infos"].to_string().contains(r#"[2,1,"https://doe-consulting.example"]"#), "{jane}");
    assert!(jane["infos"].to_string().contains(r#"[1,0,"jane.doe@mail.example"]"#), "{jane}");
    assert_eq!(jane["tags"], json!(["Clients", "myContacts"]));

    let juergen = find("Jürgen Müller");
    assert_eq!(juergen["company"], "Firma GmbH");
    assert_eq!(juergen["about"], "Erste Zeile\nZweite Zeile");
    assert!(
        juergen["infos"].to_string().contains(r#"[null,5,["Unter den Linden 1","Berlin",null,"10117","Germany"]]"#),
        "{juergen}"
    );

    // Embedded photos, 3.0's base64 and 4.0's data: URI, became the contacts' photos.
    let list = server.get("crm/contact/filter?count=100", &owner).await.json()["response"].clone();
    let mut with_photo = Vec::new();
    for contact in list.as_array().unwrap() {
        let id = portald::model::ContactId(contact["id"].as_i64().unwrap());
        let owner = portald::model::photos::PhotoOwner::Contact(id);
        if server.store().photo_stamp(portald::model::PortalId(1), owner).await.unwrap().is_some() {
            with_photo.push(contact["displayName"].as_str().unwrap().to_string());
        }
    }
    with_photo.sort();
    assert_eq!(with_photo, ["John Appleseed", "Jürgen Müller"]);
}

#[tokio::test]
async fn malformed_cards_are_reported_with_their_lines_and_strict_imports_nothing() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let output = portald(&server, &["import", "contacts", fixture("malformed.vcf").to_str().unwrap(), "--strict"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("3 rows rejected and --strict given"));
    assert_eq!(snapshot(&server, &owner, false).await.len(), 0);

    let printed = import(&server, &fixture("malformed.vcf"), &[]);
    for line in [
        "Rejected line 8: the card unknown character set \"X-UNKNOWN\"",
        "Rejected line 10: the card has no name (N, FN or ORG)",
        "Rejected line 16: the card is not a vCard property (NAME:value)",
    ] {
        assert!(printed.contains(line), "{line} in {printed}");
    }
    let names: Vec<Value> = snapshot(&server, &owner, false).await.iter().map(|c| c["displayName"].clone()).collect();
    assert_eq!(names, [json!("Jörg Grün"), json!("Ok Person")]);
}

#[tokio::test]
async fn duplicates_by_email_are_imported_skipped_or_merged() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.vcf");
    std::fs::write(
        &first,
        "BEGIN:VCARD\nVERSION:3.0\nN:Lee;Ann;;;\nEMAIL:ann@example.com\nCATEGORIES:old\nEND:VCARD\n",
    )
    .unwrap();
    import(&server, &first, &[]);
    let again = dir.path().join("again.vcf");
    std::fs::write(
        &again,
        "BEGIN:VCARD\nVERSION:4.0\nN:Lee;Annie;;;\nEMAIL:ANN@example.com\nTEL:+1 555 0100\nCATEGORIES:new\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:4.0\nN:Other;Olga;;;\nEMAIL:olga@example.com\nEND:VCARD\n",
    )
    .unwrap();

    let printed = import(&server, &again, &["--duplicates", "skip"]);
    assert!(printed.contains("1 duplicates skipped, 0 merged"), "{printed}");
    assert_eq!(snapshot(&server, &owner, false).await.len(), 2);

    let printed = import(&server, &again, &["--duplicates", "merge"]);
    assert!(printed.contains("0 duplicates skipped, 2 merged"), "{printed}");
    let all = snapshot(&server, &owner, false).await;
    assert_eq!(all.len(), 2, "{all:#?}");
    let ann = all.iter().find(|c| c["displayName"] == "Ann Lee").unwrap();
    assert_eq!(ann["tags"], json!(["new", "old"]));
    assert_eq!(ann["infos"].as_array().unwrap().len(), 2, "the phone was added, the email not twice: {ann}");

    import(&server, &again, &["--duplicates", "import"]);
    assert_eq!(snapshot(&server, &owner, false).await.len(), 4);
}

#[tokio::test]
async fn an_export_holds_only_what_its_user_may_read() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user, _) = server.add_user("plain", Role::User).await;
    post(&server, &owner, "crm/contact/person", json!({"firstName": "Open", "lastName": "Book", "shareType": 2})).await;
    post(&server, &owner, "crm/contact/person", json!({"firstName": "Secret", "lastName": "Agent", "shareType": 0}))
        .await;
    for args in [&["--format", "csv"][..], &["--format", "vcard"][..]] {
        let output = portald(&server, &[&["export", "contacts", "--as", &user], args].concat());
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Open") && !text.contains("Secret"), "{text}");
        let output = portald(&server, &[&["export", "contacts"], args].concat());
        assert!(String::from_utf8_lossy(&output.stdout).contains("Secret"), "the owner exports it");
    }
    let output = portald(&server, &["export", "contacts", "--as", &user, "--format", "vcard", "--search", "Book"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(text.matches("BEGIN:VCARD").count(), 1, "{text}");
}
