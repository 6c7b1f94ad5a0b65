//! Concurrent clients, and several server processes on one database: no 5xx, nothing lost or
//! duplicated, tokens and logouts shared.

mod common;

use common::{serve_args, spawn, Options, OWNER_EMAIL, OWNER_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn overlapping_contact_merges_lose_nothing_and_duplicate_nothing() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let mut tasks = Vec::new();
    for client in 0..8 {
        let request = server.request(Method::PUT, "people/@self/contacts", Some(&token)).json(&json!({
            "contacts": [{"type": "phone", "value": format!("{client}")}, {"type": "shared", "value": "same"}]
        }));
        tasks.push(tokio::spawn(async move { request.send().await.map(|r| r.status()) }));
    }
    for task in tasks {
        let status = task.await.unwrap().unwrap();
        assert_eq!(status, StatusCode::OK);
    }
    let profile = server.get("people/@self", &token).await.json()["response"].clone();
    let contacts = profile["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 9, "eight phones and one shared entry: {contacts:?}");
    assert_eq!(contacts.iter().filter(|c| c["type"] == "shared").count(), 1);
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let server = spawn().await;
    for path in ["capabilities", "no/route", "people/@self"] {
        let answer = server.send(server.request(Method::GET, path, None)).await;
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(answer.header("x-frame-options"), Some("DENY"));
        assert!(answer.header("content-security-policy").unwrap().contains("default-src 'none'"));
    }
}

/// Two server processes (two pools, as two processes would have) on one database.
#[tokio::test]
async fn two_servers_share_tokens_logouts_and_writes() {
    let first = spawn().await;
    if !common::use_postgres() {
        // Several processes on one database is what PostgreSQL is for; SQLite serves one.
        return;
    }
    let second = portald::app::start(&serve_args(&first.db.url, &Options::default())).await.unwrap();
    let second_url = |path: &str| format!("http://{}/api/2.0/{path}", second.addr);
    let client = reqwest::Client::new();
    let token = first.owner_token().await;
    let me = client.get(second_url("people/@self")).header("Authorization", &token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "a token from one server works on the other");

    let mut tasks = Vec::new();
    for client_id in 0..10 {
        let url =
            if client_id % 2 == 0 { first.url("people/@self/contacts") } else { second_url("people/@self/contacts") };
        let request = client
            .put(url)
            .header("Authorization", &token)
            .json(&json!({"contacts": [{"type": "phone", "value": client_id.to_string()}]}));
        tasks.push(tokio::spawn(async move { request.send().await.map(|r| r.status()) }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::OK);
    }
    let profile = first.get("people/@self", &token).await.json()["response"].clone();
    assert_eq!(profile["contacts"].as_array().unwrap().len(), 10);

    let logout = client.post(second_url("authentication/logout")).header("Authorization", &token).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::CREATED);
    // A logout on one is honoured by the other once PostgreSQL's change notice reaches it.
    let status = || async { first.get("people/@self", &token).await.status };
    common::eventually(status, |status| *status == StatusCode::UNAUTHORIZED).await;

    // Failed logins are counted in the database, so throttling spans both servers.
    for attempt in 0..portald::domain::auth::ACCOUNT_FAILURE_LIMIT {
        let url = if attempt % 2 == 0 { first.url("authentication") } else { second_url("authentication") };
        let answer =
            client.post(url).form(&[("userName", OWNER_EMAIL), ("password", "wrong-wrong")]).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let answer = client
        .post(second_url("authentication"))
        .form(&[("userName", OWNER_EMAIL), ("password", OWNER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    second.shutdown().await.unwrap();
}

/// Two server processes on one PostgreSQL, clients of both changing access, deleting, linking
/// and merging user contacts over the same contacts at once: no 5xx, and afterwards every
/// answered change holds (nothing lost), nothing is half done and no row is doubled.
#[tokio::test]
async fn two_server_processes_survive_conflicting_crm_writes() {
    let first = spawn().await;
    if !common::use_postgres() {
        return;
    }
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_portald"))
        .args(["seed", "--users", "3", "--projects", "1", "--contacts", "600"])
        .env("DATABASE_URL", &first.db.url)
        .output()
        .expect("seed runs");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let (mut process, second_base, _) = common::start_process(
        std::process::Command::new(env!("CARGO_BIN_EXE_portald"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &first.db.url)
            .env("PORTALD_LOG", "error"),
    );
    let token = first.owner_token().await;
    let me = first.get("people/@self", &token).await.json()["response"]["id"].clone();
    let project =
        first.call(&token, Method::POST, "project", json!({"title": "Shared", "responsibleId": me})).await.id();
    let ids: Vec<i64> = (1..=600).collect();
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for n in 0..48usize {
        let base = if n % 2 == 0 { first.base.clone() } else { second_base.clone() };
        // Overlapping windows of the same 600 contacts.
        let window: Vec<i64> = ids.iter().copied().skip((n * 37) % 500).take(100).collect();
        let (method, path, body) = match n % 4 {
            0 => (Method::PUT, "crm/contact".to_string(), json!({"contactids": window[..20]})),
            1 => (Method::POST, format!("crm/contact/project/{project}"), json!({"contactid": window})),
            2 => (
                Method::PUT,
                format!("crm/contact/{}/access", window[0]),
                json!({"isPrivate": n % 8 == 2, "managerList": [me]}),
            ),
            _ => (
                Method::PUT,
                "people/@self/contacts".to_string(),
                json!({"contacts": [{"type": "phone", "value": n.to_string()}]}),
            ),
        };
        let request = client.request(method.clone(), format!("{base}/api/2.0/{path}")).header("Authorization", &token);
        tasks.push(tokio::spawn(async move {
            let answer = request.json(&body).send().await.expect("answered");
            let status = answer.status();
            (n, status, answer.json::<serde_json::Value>().await.unwrap_or_default())
        }));
    }
    let mut deleted = Vec::new();
    let mut linked = Vec::new();
    for task in tasks {
        let (n, status, body) = task.await.unwrap();
        assert!(status.as_u16() < 500, "request {n}: {status} {body}");
        let answered: Vec<i64> = body["response"]
            .as_array()
            .map(|list| list.iter().filter_map(|c| c["id"].as_i64()).collect())
            .unwrap_or_default();
        match n % 4 {
            0 => deleted.extend(answered),
            1 => linked.extend(answered),
            2 => assert!(status == StatusCode::OK || status == StatusCode::NOT_FOUND, "{n}: {status}"),
            _ => assert_eq!(status, StatusCode::OK),
        }
    }
    assert!(!deleted.is_empty() && !linked.is_empty());
    let exists = |id: i64| {
        let first = &first;
        let token = &token;
        async move { first.get(&format!("crm/contact/{id}"), token).await.status == StatusCode::OK }
    };
    for id in &deleted {
        assert!(!exists(*id).await, "contact {id} was answered as deleted");
    }
    let now_linked: Vec<i64> = first.get(&format!("crm/contact/project/{project}"), &token).await.json()["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let mut unique = now_linked.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), now_linked.len(), "no link is doubled");
    for id in linked.iter().filter(|id| !deleted.contains(id)) {
        assert!(now_linked.contains(id), "contact {id} was answered as linked and is not");
    }
    let profile = first.get("people/@self", &token).await.json()["response"].clone();
    assert_eq!(profile["contacts"].as_array().unwrap().len(), 12, "each merge added one contact");
    let _ = process.kill();
    let _ = process.wait();
}

/// Writes cut off at every point (here by a 3 ms time limit) are 503s that leave no transaction
/// open behind them: the other writes go on, and afterwards another server on the same database
/// writes too. (A BEGIN dropped half-way used to keep its connection in a transaction: later
/// writes failed with "database is locked" or "cannot start a transaction within a transaction".)
/// On a SQLite file write transactions run in place and nothing inside one waits, so a write is
/// cut before its BEGIN or after its COMMIT; project creates, which read through the pool before
/// and after theirs, are mixed in so that the limit cuts some there (on PostgreSQL it can cut
/// at any statement).
#[tokio::test]
async fn cut_off_writes_leave_no_transaction_behind() {
    let hurried =
        common::spawn_with(Options { request_timeout: std::time::Duration::from_millis(3), ..Options::default() })
            .await;
    let token = portald::domain::auth::login(
        hurried.store(),
        1,
        Some(OWNER_EMAIL),
        Some(OWNER_PASSWORD),
        "127.0.0.1",
        std::time::Duration::from_secs(3600),
    )
    .await
    .expect("login")
    .token;
    // Read from the store: under the time limit even this request could be cut off.
    let owner = hurried.store().owner_of(portald::model::PortalId(1)).await.expect("read").expect("an owner");
    let me = owner.to_string();
    let mut cut = 0;
    for _ in 0..50 {
        let mut tasks = Vec::new();
        for n in 0..16 {
            let request = if n % 2 == 0 {
                hurried
                    .request(Method::POST, "crm/contact/person", Some(&token))
                    .json(&json!({"firstName": "Cut", "lastName": format!("Off{n}"), "shareType": 1}))
            } else {
                hurried
                    .request(Method::POST, "project", Some(&token))
                    .json(&json!({"title": format!("Cut off {n}"), "responsibleId": me}))
            };
            tasks.push(tokio::spawn(request.send()));
        }
        for task in tasks {
            let status = task.await.unwrap().expect("answered").status();
            assert!(status == StatusCode::CREATED || status == StatusCode::SERVICE_UNAVAILABLE, "{status}");
            cut += usize::from(status == StatusCode::SERVICE_UNAVAILABLE);
        }
    }
    assert!(cut > 0, "the time limit cut no write off");

    let patient = portald::app::start(&serve_args(&hurried.db.url, &Options::default())).await.unwrap();
    for (path, body) in [
        ("crm/contact/person", json!({"firstName": "After", "lastName": "Cuts", "shareType": 1})),
        ("project", json!({"title": "After cuts", "responsibleId": me})),
    ] {
        let answer = reqwest::Client::new()
            .post(format!("http://{}/api/2.0/{path}", patient.addr))
            .header("Authorization", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED, "{path}: {}", answer.text().await.unwrap_or_default());
    }
    patient.shutdown().await.unwrap();
}

/// While another process holds SQLite's write lock (`portald import`, say) past the busy
/// timeout, a write is a 503 with `Retry-After`, not a server fault; once the lock is gone,
/// writes go through.
#[tokio::test]
async fn a_write_locked_out_by_another_process_is_503_and_retryable() {
    let server = spawn().await;
    if common::use_postgres() {
        return; // PostgreSQL writers lock rows, not the database.
    }
    let token = server.owner_token().await;
    use sqlx::{Connection, Executor};
    let mut other = sqlx::SqliteConnection::connect(&server.db.url).await.expect("second connection");
    other.execute("BEGIN IMMEDIATE").await.expect("write lock taken");
    let body = json!({"firstName": "Locked", "lastName": "Out", "shareType": 1});
    let answer = server.call(&token, Method::POST, "crm/contact/person", &body).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{}", answer.text);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(answer.json()["error"]["message"], "The database is busy; try again shortly");
    other.execute("ROLLBACK").await.expect("lock released");
    let answer = server.call(&token, Method::POST, "crm/contact/person", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
}

/// Batch deletes of companies and of their members at once: each delete of a company also
/// unlinks its members, so the rows a request changes overlap another's. On PostgreSQL locks
/// taken in different orders deadlocked (a 500); every request must succeed and every listed
/// contact be gone.
#[tokio::test]
async fn overlapping_batch_deletes_of_companies_and_members_all_succeed() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let create = |path: &'static str, body: serde_json::Value| {
        let request = server.request(Method::POST, path, Some(&token)).json(&body);
        let server = &server;
        async move {
            let answer = server.send(request).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
            answer.id()
        }
    };
    for round in 0..10 {
        let mut companies = Vec::new();
        let mut members = Vec::new();
        for c in 0..4 {
            let company = create("crm/contact/company", json!({"companyName": format!("Co {round}-{c}")})).await;
            for m in 0..3 {
                let body =
                    json!({"firstName": format!("P{m}"), "lastName": format!("{round}-{c}"), "companyId": company});
                members.push(create("crm/contact/person", body).await);
            }
            companies.push(company);
        }
        // Each request deletes one company and the members of the next, in both id orders.
        let mut tasks = Vec::new();
        for c in 0..4 {
            let mut ids = vec![companies[c]];
            ids.extend(&members[((c + 1) % 4) * 3..((c + 1) % 4) * 3 + 3]);
            if c % 2 == 1 {
                ids.reverse();
            }
            let request = server.request(Method::PUT, "crm/contact", Some(&token)).json(&json!({"contactids": ids}));
            tasks.push(tokio::spawn(async move {
                let answer = request.send().await.expect("answered");
                (answer.status(), answer.text().await.unwrap_or_default())
            }));
        }
        for task in tasks {
            let (status, text) = task.await.unwrap();
            assert_eq!(status, StatusCode::OK, "round {round}: {text}");
        }
        for id in companies.iter().chain(&members) {
            let answer = server.get(&format!("crm/contact/{id}"), &token).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "round {round}: contact {id} is deleted");
        }
    }
}

/// Two `POST people` with one email at once: one is created, the other is the 400 a
/// duplicate email gets one after the other (on PostgreSQL both passed the check and the
/// second insert failed on the unique index: a 500).
#[tokio::test]
async fn concurrent_creations_with_one_email_make_one_user_and_one_400() {
    let server = spawn().await;
    let token = server.owner_token().await;
    for pair in 0..10 {
        let email = format!("twin{pair}@example.com");
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let body = json!({"email": email, "firstname": "Twin", "lastname": format!("{pair}")});
            let request = server.request(Method::POST, "people", Some(&token)).json(&body);
            tasks.push(tokio::spawn(async move {
                let answer = request.send().await.expect("answered");
                (answer.status(), answer.text().await.unwrap_or_default())
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            let (status, text) = task.await.unwrap();
            if status == StatusCode::BAD_REQUEST {
                assert!(text.contains("email"), "the 400 names the email: {text}");
            }
            statuses.push(status);
        }
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::BAD_REQUEST], "pair {pair}");
        let people = server.get("people", &token).await.json()["response"].clone();
        let stored = people.as_array().unwrap().iter().filter(|p| p["email"] == email.as_str()).count();
        assert_eq!(stored, 1, "pair {pair}: one user has the email");
    }
}
