//! `portald seed` generates the same data for the same seed, on either backend.

mod common;

use common::{spawn, TestServer};
use portald::seed::{seed, SeedPlan, WORD_IN_A_HUNDREDTH, WORD_IN_A_THOUSANDTH};
use reqwest::StatusCode;
use serde_json::Value;

fn plan(seed_value: u64) -> SeedPlan {
    SeedPlan { seed: seed_value, users: 40, projects: 12, contacts: 300, password: "seed-password-1".into() }
}

/// What a client sees of the seeded data, without generated ids.
async fn snapshot(server: &TestServer) -> Vec<String> {
    let token = server.owner_token().await;
    let people: Value = server.get("people?sortBy=userName", &token).await.json();
    let projects: Value = server.get("project", &token).await.json();
    let groups: Value = server.get("group", &token).await.json();
    let mut out: Vec<String> = people["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {} {}", p["userName"], p["isVisitor"], p["department"]))
        .collect();
    out.extend(projects["response"].as_array().unwrap().iter().map(|p| format!("{} {}", p["title"], p["isPrivate"])));
    out.extend(groups["response"].as_array().unwrap().iter().map(|g| g["name"].to_string()));
    let contacts: Value = server.get("crm/contact/filter?sortBy=displayname&count=1000", &token).await.json();
    out.extend(contacts["response"].as_array().unwrap().iter().map(|c| {
        format!(
            "{} {} {} {}",
            c["displayName"],
            c["shareType"],
            c["commonData"].as_array().map_or(0, Vec::len),
            c["tags"]
        )
    }));
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data() {
    let a = spawn().await;
    let b = spawn().await;
    let report = seed(a.store(), 1, &plan(7)).await.unwrap();
    assert_eq!((report.users, report.groups, report.projects, report.contacts), (40, 6, 12, 300));
    seed(b.store(), 1, &plan(7)).await.unwrap();
    let (left, right) = (snapshot(&a).await, snapshot(&b).await);
    assert_eq!(left.len(), 41 + 12 + 6 + 300);
    assert_eq!(left, right);
    // Another seed adds different data beside it, and seeded users can log in.
    seed(a.store(), 1, &plan(8)).await.unwrap();
    assert_ne!(snapshot(&a).await, right);
    let token = a.owner_token().await;
    let someone: Value = a.get("people?count=2&sortBy=userName", &token).await.json();
    let name = someone["response"][0]["userName"].as_str().unwrap().to_string();
    let answer = a
        .form(
            None,
            reqwest::Method::POST,
            "authentication",
            &[("userName", name.as_str()), ("password", "seed-password-1")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
}

/// A seed selects a known share of its contacts by the email domain the bench searches for
/// (one word in 0.1% of them, one in 1%), and leaves SQLite's text index in one segment, as
/// every bulk load does: a load commits a segment per chunk, and a search reads each of its
/// trigrams from every segment.
#[tokio::test]
async fn a_seed_leaves_known_search_shares_and_the_text_index_in_one_segment() {
    let server = spawn().await;
    let report = seed(server.store(), 1, &SeedPlan { contacts: 12_000, ..plan(3) }).await.unwrap();
    assert_eq!(report.contacts, 12_000);
    let token = server.owner_token().await;
    for (word, share) in [(WORD_IN_A_THOUSANDTH, 12), (WORD_IN_A_HUNDREDTH, 120)] {
        let found: Value = server.get(&format!("crm/contact/filter?filterValue={word}&count=1"), &token).await.json();
        assert_eq!(found["total"], share, "{word}");
    }
    if let Some(file) = server.db.sqlite_file() {
        let conn = rusqlite::Connection::open(&file).expect("the database file");
        let segments: i64 = conn
            .query_row("SELECT COUNT(DISTINCT segid) FROM crm_contact_search_idx", [], |row| row.get(0))
            .expect("the text index's segments");
        assert_eq!(segments, 1, "the text index after a bulk load");
    }
}
