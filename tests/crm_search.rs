//! The contact filter's free-text search (`filterValue`): substrings of names and details,
//! ignoring case, every word required, and current after each kind of change (the index is
//! kept by the database, so a missed path would show here).

mod common;

use common::{spawn, Role, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

/// The display names the search finds, sorted.
async fn search(server: &TestServer, token: &str, text: &str) -> Vec<String> {
    let path = format!("crm/contact/filter?filterValue={}", urlencode(text));
    let answer = server.get(&path, token).await;
    assert_eq!(answer.status, 200, "{text}: {}", answer.text);
    let body = answer.json();
    let mut names: Vec<String> =
        body["response"].as_array().unwrap().iter().map(|c| c["displayName"].as_str().unwrap().to_string()).collect();
    names.sort();
    assert_eq!(body["total"], names.len(), "the total counts what the page shows");
    names
}

/// `count` persons whose first names start with `word` (`Hanna0`, `Hanna1`, ...) and one that a
/// search for it must not find; the ids of the first ones, in the order they were created.
async fn matches_and_one_other(server: &TestServer, token: &str, word: &str, count: usize) -> Vec<i64> {
    let mut created = Vec::new();
    for n in 0..count {
        let body = json!({"firstName": format!("{word}{n}"), "lastName": "Listed"});
        created.push(server.call(token, Method::POST, "crm/contact/person", body).await.id());
    }
    let other = json!({"firstName": "Bob", "lastName": "Elsewhere"});
    server.call(token, Method::POST, "crm/contact/person", other).await.json_ok();
    created
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn search_finds_substrings_of_names_and_details_and_follows_every_change() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let joanna = server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Joanna", "lastName": "Smith"}))
        .await
        .id();
    server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Bob", "lastName": "ANNABEL"}))
        .await
        .json_ok();
    let company = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Annapurna 100% Ltd"}))
        .await
        .id();
    let email = server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{joanna}/data"),
            json!({"infoType": "Email", "data": "JS@Firm.example"}),
        )
        .await
        .id();

    assert_eq!(search(&server, &owner, "anna").await, ["Annapurna 100% Ltd", "Bob ANNABEL", "Joanna Smith"]);
    assert_eq!(search(&server, &owner, "firm.EXA").await, ["Joanna Smith"], "details, any case");
    assert_eq!(search(&server, &owner, "anna firm").await, ["Joanna Smith"], "every word must match");
    assert_eq!(search(&server, &owner, "jo").await, ["Joanna Smith"], "short words too");
    assert_eq!(search(&server, &owner, "100%").await, ["Annapurna 100% Ltd"], "wildcards are literal");
    assert!(search(&server, &owner, "10_%").await.is_empty());
    assert!(search(&server, &owner, "\"anna\" OR x*").await.is_empty(), "no query syntax leaks through");

    server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/{joanna}/data/{email}"),
            json!({"infoType": "Email", "data": "joanna@elsewhere.example"}),
        )
        .await
        .json_ok();
    assert!(search(&server, &owner, "firm").await.is_empty(), "a changed detail is forgotten");
    assert_eq!(search(&server, &owner, "elsewhere").await, ["Joanna Smith"]);
    server.call(&owner, Method::DELETE, &format!("crm/contact/{joanna}/data/{email}"), json!({})).await.json_ok();
    assert!(search(&server, &owner, "elsewhere").await.is_empty(), "a deleted detail is forgotten");

    server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/person/{joanna}"),
            json!({"firstName": "Jo", "lastName": "Smith"}),
        )
        .await
        .json_ok();
    assert_eq!(search(&server, &owner, "anna").await, ["Annapurna 100% Ltd", "Bob ANNABEL"], "a rename is seen");
    server.call(&owner, Method::DELETE, &format!("crm/contact/{company}"), json!({})).await.json_ok();
    assert_eq!(search(&server, &owner, "anna").await, ["Bob ANNABEL"], "a deleted contact is gone");
    let batch = json!({"items": [{"infoType": "Skype", "data": "annie.s"}]});
    server.call(&owner, Method::PUT, &format!("crm/contact/{joanna}/batch"), batch).await.json_ok();
    assert_eq!(search(&server, &owner, "annie").await, ["Jo Smith"], "batch-replaced details are found");
}

/// 10,000 details in one request are saved, answered with their ids in order, and searchable;
/// replacing them leaves only the new ones findable. Each inserted detail used to rebuild the
/// contact's whole search text, quadratic in the batch: 2,000 took 12.6 s (debug build), so
/// 10,000 ran into the 30 s request limit and blocked every other write meanwhile; they now
/// take about a second. The margin is that ratio, not a timing.
#[tokio::test]
async fn ten_thousand_details_in_one_request_are_saved_and_searchable() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let contact = server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Many", "lastName": "Mails"}))
        .await
        .id();
    server
        .call(&owner, Method::POST, "crm/contact/person", json!({"firstName": "Other", "lastName": "One"}))
        .await
        .json_ok();
    let items: Vec<Value> =
        (0..10_000).map(|i| json!({"infoType": "Email", "data": format!("box{i:05}@bulk.example")})).collect();
    let path = format!("crm/contact/{contact}/batch");
    let answer = server.call(&owner, Method::POST, &path, json!({"items": items})).await;
    assert_eq!(answer.status, 201, "{}", &answer.text[..answer.text.len().min(300)]);
    let body = answer.json();
    assert_eq!(body["total"], 10_000, "all saved; the answer shows the first page");
    let saved = body["response"].as_array().unwrap();
    for (i, item) in saved.iter().enumerate() {
        assert_eq!(item["data"], format!("box{i:05}@bulk.example"), "answered in request order");
    }
    let ids: Vec<i64> = saved.iter().map(|item| item["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids ascend in request order");
    let stored = server.get(&format!("crm/contact/{contact}/data"), &owner).await.json();
    assert_eq!(stored["total"], 10_000);
    for word in ["box00000@", "box09999@bulk", "BULK.example"] {
        assert_eq!(search(&server, &owner, word).await, ["Many Mails"], "{word}");
    }

    let batch = json!({"items": [{"infoType": "Email", "data": "single@new.example"}]});
    server.call(&owner, Method::PUT, &format!("crm/contact/{contact}/batch"), batch).await.json_ok();
    assert!(search(&server, &owner, "bulk.example").await.is_empty(), "replaced details are forgotten");
    assert_eq!(search(&server, &owner, "single@new").await, ["Many Mails"]);
}

/// A searched list answers its page and the total of the whole selection in one statement;
/// each page, and a page past the end (which has no row to carry the total), still tells the
/// whole total, and the pages together list every match once.
#[tokio::test]
async fn every_page_of_a_search_tells_the_total_of_the_whole_selection() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let mut created = matches_and_one_other(&server, &owner, "Hanna", 5).await;
    let mut listed = Vec::new();
    for start in [0, 2, 4, 6, 50] {
        let path = format!("crm/contact/filter?filterValue=hanna&count=2&startIndex={start}");
        let answer = server.get(&path, &owner).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        let body = answer.json();
        assert_eq!(body["total"], 5, "{path}: the total of the whole selection");
        let page = body["response"].as_array().expect("a list");
        let expected = 5usize.saturating_sub(start).min(2);
        assert_eq!(page.len(), expected, "{path}: the page's length");
        listed.extend(page.iter().map(|c| c["id"].as_i64().expect("a numeric id")));
    }
    listed.sort_unstable();
    created.sort_unstable();
    assert_eq!(listed, created, "the pages list every match once");
}

/// A search sorted by a number (creation, status, id) is ordered and paged as the same sort
/// without a word would be, in both directions: on SQLite such a page is cut from the whole
/// selection outside the database, so a wrong direction or tie-break would show here. The
/// persons share their status, so the id breaks that tie.
#[tokio::test]
async fn a_search_sorted_by_a_number_pages_in_that_order_both_ways() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let mut created = matches_and_one_other(&server, &owner, "Kestrel", 7).await;
    created.sort_unstable();
    for sort in ["Created", "Id", "ContactType"] {
        for (order, expected) in
            [("ascending", created.clone()), ("descending", created.iter().rev().copied().collect())]
        {
            let mut listed = Vec::new();
            for start in [0, 3, 6, 9] {
                let path = format!(
                    "crm/contact/filter?filterValue=kestrel&sortBy={sort}&sortOrder={order}&count=3&startIndex={start}"
                );
                let answer = server.get(&path, &owner).await;
                assert_eq!(answer.status, 200, "{path}: {}", answer.text);
                let body = answer.json();
                assert_eq!(body["total"], 7, "{path}: the total of the whole selection");
                listed.extend(
                    body["response"].as_array().expect("a list").iter().map(|c| c["id"].as_i64().expect("an id")),
                );
            }
            assert_eq!(listed, expected, "sortBy={sort}&sortOrder={order}: the pages in order");
        }
    }
}

/// A plain user reads the shared contacts and the private ones he manages. His search newest
/// first (on SQLite counted and ordered from the index of search keys) and the same search by
/// name (read from the contact rows) find the same contacts and the same total, for each kind
/// and sharing the list may ask for; so do the owner's, who reads them all.
#[tokio::test]
async fn a_search_finds_what_the_caller_may_read_in_either_order_and_every_view() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (user_id, user) = server.add_user_and_login("reader", Role::User).await;
    // (id, is a company, is shared, the user manages it)
    let mut contacts: Vec<(i64, bool, bool, bool)> = Vec::new();
    for (n, share_type) in [0, 1, 2, 0, 1, 2].into_iter().enumerate() {
        let id = server.add_person(&owner, &format!("Wren{n}"), share_type).await;
        let managed = n == 3;
        if managed {
            let access = json!({"isShared": false, "managerList": [user_id]});
            server.call(&owner, Method::PUT, &format!("crm/contact/{id}/access"), access).await.json_ok();
        }
        contacts.push((id, false, share_type != 0, managed));
    }
    for (name, share_type) in [("Wren Works", 1), ("Wren Hidden", 0)] {
        let body = json!({"companyName": name, "shareType": share_type});
        contacts.push((
            server.call(&owner, Method::POST, "crm/contact/company", body).await.id(),
            true,
            share_type != 0,
            false,
        ));
    }
    server.add_person(&owner, "Bob", 1).await;

    let views: [(&str, fn(bool, bool) -> bool); 5] = [
        ("", |_, _| true),
        ("&contactListView=1", |company, _| company),
        ("&contactListView=2", |company, _| !company),
        ("&isShared=true", |_, shared| shared),
        ("&isShared=false", |_, shared| !shared),
    ];
    for (who, token, reads_all) in [("the owner", &owner, true), ("a user", &user, false)] {
        for (view, selects) in &views {
            let mut expected: Vec<i64> = contacts
                .iter()
                .filter(|(_, company, shared, managed)| {
                    (reads_all || *shared || *managed) && selects(*company, *shared)
                })
                .map(|(id, ..)| *id)
                .collect();
            expected.sort_unstable_by(|a, b| b.cmp(a));
            let mut found = Vec::new();
            for order in ["", "&sortBy=displayname"] {
                let path = format!("crm/contact/filter?filterValue=wren&count=100{view}{order}");
                let answer = server.get(&path, token).await;
                assert_eq!(answer.status, 200, "{who}, {path}: {}", answer.text);
                let body = answer.json();
                let ids: Vec<i64> = body["response"]
                    .as_array()
                    .expect("a list")
                    .iter()
                    .map(|c| c["id"].as_i64().expect("an id"))
                    .collect();
                assert_eq!(body["total"], ids.len(), "{who}, {path}: the total counts what the page lists");
                found.push(ids);
            }
            assert_eq!(found[0], expected, "{who}, view '{view}': newest first, each one the caller may read");
            found[1].sort_unstable_by(|a, b| b.cmp(a));
            assert_eq!(found[1], expected, "{who}, view '{view}': by name, the same contacts");
        }
    }
}
