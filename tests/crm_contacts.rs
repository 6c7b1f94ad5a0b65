//! CRM contacts: creating, reading, changing, deleting and finding persons and companies, their
//! shapes in JSON and XML, statuses, types and currencies.

mod common;

use common::{spawn, Role, TestServer};
use portald::domain::contacts::NewContact;
use portald::model::ShareType;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> common::Answer {
    server.call(token, Method::POST, path, &body).await
}

#[tokio::test]
async fn persons_and_companies_have_the_documented_shapes() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let company = post(
        &server,
        &owner,
        "crm/contact/company",
        json!({"companyName": "Food and Culture Project", "about": "", "shareType": "ReadWrite"}),
    )
    .await;
    assert_eq!(company.status, StatusCode::CREATED, "{}", company.text);
    let company = company.json()["response"].clone();
    assert_eq!(common::shapes::keys(&company), common::shapes::company_keys());
    assert_eq!(company["displayName"], "Food and Culture Project");
    assert_eq!(
        (company["isCompany"].clone(), company["shareType"].clone(), company["currency"].clone()),
        (json!(true), json!(1), Value::Null)
    );
    let company_id = company["id"].as_i64().unwrap();
    let person = post(&server, &owner, "crm/contact/person", json!({"firstName": "Tadjeddine", "lastName": "Bachir", "jobTitle": "Manager", "companyId": company_id, "shareType": 2})).await.json()["response"].clone();
    let keys = common::shapes::keys(&person);
    assert_eq!(keys[..4], ["firstName", "lastName", "company", "title"]);
    assert_eq!(person["company"]["id"], company_id);
    assert_eq!(person["displayName"], "Tadjeddine Bachir");
    assert!(person["smallFotoUrl"].as_str().unwrap().ends_with("&isc=False&ps=1"));
    assert!(person.get("accessList").is_none(), "only private contacts list their managers");
    let id = person["id"].as_i64().unwrap();
    let xml = server.get(&format!("crm/contact/{id}.xml"), &owner).await;
    assert!(xml.text.starts_with("<result><count>1</count><status>0</status><statusCode>200</statusCode><response><firstName>Tadjeddine</firstName>"), "{}", xml.text);
    assert!(xml.text.contains("<currency />") && xml.text.contains("<isCompany>false</isCompany>"));
    let members = server.get(&format!("crm/contact/company/{company_id}/person"), &owner).await.json();
    assert_eq!(members["response"][0]["id"], id);
    let listed = server.get("crm/contact/filter?sortBy=displayName", &owner).await.json();
    assert_eq!(listed["response"][0]["personsCount"], 1, "the company counts its persons");
}

#[tokio::test]
async fn creating_and_updating_check_input_and_rights() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    for (path, body, name) in [
        ("crm/contact/person", json!({"lastName": "X"}), "firstName"),
        ("crm/contact/person", json!({"firstName": "X"}), "lastName"),
        ("crm/contact/person", json!({"firstName": "X", "lastName": "Y", "shareType": 7}), "shareType"),
        ("crm/contact/person", json!({"firstName": "X", "lastName": "Y", "companyId": "abc"}), "companyId"),
        ("crm/contact/person", json!({"firstName": "X", "lastName": "Y", "managerList": ["nope"]}), "managerList"),
        ("crm/contact/company", json!({"companyName": "   "}), "companyName"),
    ] {
        let answer = post(&server, &owner, path, body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{}", answer.text);
    }
    assert_eq!(
        post(&server, &owner, "crm/contact/person", json!({"firstName": "X", "lastName": "Y", "companyId": 424242}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(server.get("crm/contact/filter", &owner).await.json()["response"], json!([]), "nothing half-created");

    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    // A private contact created without managers is invisible even to its creator.
    let id = post(&server, &user, "crm/contact/person", json!({"firstName": "Own", "lastName": "Private"})).await.id();
    assert_eq!(server.get(&format!("crm/contact/{id}"), &user).await.status, StatusCode::NOT_FOUND);
    assert_eq!(server.get(&format!("crm/contact/{id}"), &owner).await.status, StatusCode::OK);
    let shared =
        post(&server, &owner, "crm/contact/company", json!({"companyName": "Readers", "shareType": 2})).await.id();
    let answer =
        server.call(&user, Method::PUT, &format!("crm/contact/company/{shared}"), json!({"companyName": "Mine"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "read-shared: read only");
    let answer = server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/contact/company/{shared}"),
            json!({"companyName": "Renamed", "shareType": 1}),
        )
        .await;
    assert_eq!(answer.json()["response"]["displayName"], "Renamed");
    assert_eq!(
        server
            .call(&owner, Method::PUT, &format!("crm/contact/person/{shared}"), json!({"firstName": "A"}))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a company is not a person"
    );
    let (_, guest) = server.add_user_and_login("gus", Role::Guest).await;
    assert_eq!(
        server.get(&format!("crm/contact/{shared}"), &guest).await.status,
        StatusCode::FORBIDDEN,
        "guests have no CRM"
    );
    let deleted = server.send(server.request(Method::DELETE, &format!("crm/contact/{shared}"), Some(&user))).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(server.get(&format!("crm/contact/{shared}"), &owner).await.status, StatusCode::NOT_FOUND);
    // `{contactid:[0-9]+}` in the original: a word matches no route.
    assert_eq!(server.get("crm/contact/abc", &owner).await.status, StatusCode::NOT_FOUND);
    assert_eq!(server.get("crm/contact/0", &owner).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_filter_searches_sorts_and_pages_in_the_database() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let store = server.store();
    let owner_id =
        uuid::Uuid::parse_str(server.get("people/@self", &owner).await.json()["response"]["id"].as_str().unwrap())
            .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    for n in 0..300 {
        let named = if n % 3 == 0 {
            NewContact::company(format!("Company{n:03}"))
        } else {
            NewContact::person(format!("First{:03}", 299 - n), format!("Last{n:03}"))
        };
        let share_type = if n % 5 == 0 { ShareType::None } else { ShareType::ReadWrite };
        let new = NewContact { share_type, ..named };
        store.insert_contact(tx.conn(), 1, &new, owner_id).await.unwrap();
    }
    tx.commit().await.unwrap();
    let newest = server.get("crm/contact/filter?count=3", &owner).await.json();
    let newest: Vec<i64> = newest["response"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(newest, vec![300, 299, 298], "without sortBy, the newest first");
    let body = server.get("crm/contact/filter?count=25&startIndex=50&sortBy=displayname", &owner).await.json();
    assert_eq!(
        (body["count"].clone(), body["total"].clone(), body["nextIndex"].clone(), body["startIndex"].clone()),
        (json!(25), json!(300), json!(76), json!(50))
    );
    let names: Vec<String> = body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["displayName"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "display names ascending");
    let companies = server.get("crm/contact/filter?contactListView=company&count=1000", &owner).await.json();
    assert_eq!(companies["total"], 100);
    assert!(companies["response"].as_array().unwrap().iter().all(|c| c["isCompany"] == true));
    let persons = server
        .get("crm/contact/filter?contactListView=2&sortBy=firstname&sortOrder=descending&count=3", &owner)
        .await
        .json();
    assert_eq!(persons["response"][0]["firstName"], "First298");
    let found = server.get("crm/contact/filter?filterValue=company01", &owner).await.json();
    assert_eq!(found["total"], 3, "Company012, 015 and 018 (every third contact is a company): {found}");
    let by_id = server.get("crm/contact/filter?sortBy=id&sortOrder=descending&count=1", &owner).await.json();
    assert_eq!(by_id["response"][0]["id"], 300);
    // Users see the shared ones only.
    let (_, user) = server.add_user_and_login("ursula", Role::User).await;
    assert_eq!(server.get("crm/contact/filter?count=1", &user).await.json()["total"], 240);
    assert_eq!(server.get("crm/contact/filter?sortBy=nonsense", &owner).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(server.get("crm/contact/filter?contactListView=9", &owner).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn statuses_types_and_currencies() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let statuses = server.get("crm/contact/status", &owner).await.json();
    let titles: Vec<&str> =
        statuses["response"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Cold", "Warm", "Hot"]);
    assert!(statuses["response"][0]["color"].is_string());
    let types = server.get("crm/contact/type", &owner).await.json();
    assert_eq!(types["count"], 4);
    let currencies = server.get("crm/settings/currency", &owner).await.json();
    let usd = currencies["response"].as_array().unwrap().iter().find(|c| c["abbreviation"] == "USD").unwrap().clone();
    let keys = common::shapes::keys(&usd);
    assert_eq!(keys, ["title", "symbol", "abbreviation", "cultureName", "isConvertable", "isBasic"]);
}

#[tokio::test]
async fn the_filter_takes_tags_sharing_managers_dates_and_acts_in_bulk() {
    // The contacts must be created on the day the date filter names: a run that starts in the
    // last minutes of a UTC day waits for the next one instead of straddling midnight.
    let now = chrono::Utc::now();
    let midnight = (now.date_naive() + chrono::Days::new(1)).and_hms_opt(0, 0, 1).expect("a valid time").and_utc();
    if midnight - now < chrono::Duration::minutes(3) {
        tokio::time::sleep((midnight - now).to_std().expect("midnight is ahead")).await;
    }
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (ursula, email, password) = server.add_user("ursula", Role::User).await;
    let post = |path: &'static str, body: Value| server.request(Method::POST, path, Some(&owner)).json(&body);
    let ids: Vec<i64> = {
        let mut ids = Vec::new();
        for (name, share, managers) in [("Alpha", 1, json!([])), ("Beta", 0, json!([ursula])), ("Gamma", 2, json!([]))]
        {
            let answer = server
                .send(post(
                    "crm/contact/company",
                    json!({"companyName": name, "shareType": share, "managerList": managers}),
                ))
                .await;
            ids.push(answer.id());
        }
        ids
    };
    let get = |query: &str| {
        let path = format!("crm/contact/filter?sortBy=displayname&{query}");
        let owner = owner.clone();
        let server = &server;
        async move { server.get(&path, &owner).await }
    };
    let names = |body: Value| {
        body["response"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["displayName"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    server
        .call(&owner, Method::POST, "crm/contact/taglist", json!({"entityid": [ids[0], ids[1]], "tagName": "vip"}))
        .await;
    server.call(&owner, Method::POST, &format!("crm/contact/{}/tag", ids[0]), json!({"tagName": "gold"})).await;
    assert_eq!(names(get("tags[]=vip&tags[]=GOLD").await.json()), ["Alpha"], "all listed tags");
    assert_eq!(names(get("tags=vip").await.json()), ["Alpha", "Beta"]);
    assert_eq!(names(get("isShared=false").await.json()), ["Beta"]);
    assert_eq!(names(get("isShared=true").await.json()), ["Alpha", "Gamma"]);
    assert_eq!(names(get(&format!("responsibleid={ursula}")).await.json()), ["Beta"]);
    assert_eq!(
        names(get("responsibleid=00000000-0000-0000-0000-000000000000").await.json()),
        ["Alpha", "Gamma"],
        "no managers"
    );
    assert_eq!(names(get("contactListView=WithOpportunity").await.json()), Vec::<String>::new(), "no deals here");
    assert_eq!(
        get(&format!("fromDate={today}&toDate={today}")).await.json()["total"],
        3,
        "toDate covers its whole day"
    );
    assert_eq!(get("toDate=2000-01-01").await.json()["total"], 0);

    let answer =
        server.call(&owner, Method::POST, "crm/contact/filter/taglist?filterValue=a", json!({"tagName": "bulk"})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(names(get("tags=bulk").await.json()), ["Alpha", "Beta", "Gamma"]);
    let user = server.login(&email, &password).await;
    let answer = server.send(server.request(Method::DELETE, "crm/contact/filter?filterValue=a", Some(&user))).await;
    assert_eq!(answer.status, StatusCode::OK);
    let deleted = names(answer.json());
    assert_eq!(deleted, ["Alpha", "Beta"], "what she may edit: shared read-write, and the one she manages");
    assert_eq!(names(get("").await.json()), ["Gamma"]);
}
