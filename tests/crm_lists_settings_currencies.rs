//! List management (status colors, the order of statuses, types and custom fields), the
//! company-to-persons settings, group tags, currencies and rates, and the mail-merge contacts.

mod common;

use common::{spawn, Role, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Row};

async fn create(server: &TestServer, token: &str, path: &str, body: Value) -> i64 {
    server.call(token, Method::POST, path, body).await.id()
}

async fn db(server: &TestServer) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&server.db.url).await.expect("database")
}

/// `(title, sort_order, color)` of a list in stored order.
async fn stored_items(server: &TestServer, list_type: i64) -> Vec<(String, i64, Option<String>)> {
    let mut conn = db(server).await;
    sqlx::query("SELECT title, sort_order, color FROM crm_list_items WHERE list_type = $1 ORDER BY sort_order, id")
        .bind(list_type)
        .fetch_all(&mut conn)
        .await
        .expect("items")
        .iter()
        .map(|r| (r.get("title"), r.get("sort_order"), r.get("color")))
        .collect()
}

fn titles(items: &[(String, i64, Option<String>)]) -> Vec<&str> {
    items.iter().map(|i| i.0.as_str()).collect()
}

#[tokio::test]
async fn status_color_changes_alone_and_only_admins_change_it() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let statuses = server.get("crm/contact/status", &owner).await.json_ok();
    let warm = statuses["response"][1]["id"].as_i64().unwrap();
    let answer = server
        .call(&owner, Method::PUT, &format!("crm/contact/status/{warm}/color"), json!({"color": "#00ff00"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["status"], 0);
    assert_eq!(body["response"]["title"], "Warm");
    assert_eq!(body["response"]["color"], "#00ff00");
    assert_eq!(body["response"]["id"], warm);
    let stored = stored_items(&server, 1).await;
    assert_eq!(stored[1], ("Warm".to_string(), 1, Some("#00ff00".to_string())));

    let missing =
        server.call(&owner, Method::PUT, &format!("crm/contact/status/{warm}/color"), json!({"color": " "})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.json()["error"]["message"].as_str().unwrap().contains("color"));
    let unknown =
        server.call(&owner, Method::PUT, "crm/contact/status/999999/color", json!({"color": "#111111"})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let word = server.call(&owner, Method::PUT, "crm/contact/status/warm/color", json!({"color": "#111111"})).await;
    assert_eq!(word.status, StatusCode::NOT_FOUND, "a word where the id goes matches no route");

    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let refused =
        server.call(&user, Method::PUT, &format!("crm/contact/status/{warm}/color"), json!({"color": "#222222"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_items(&server, 1).await[1].2.as_deref(), Some("#00ff00"));
}

#[tokio::test]
async fn statuses_and_types_are_reordered_by_title() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let answer =
        server.call(&owner, Method::PUT, "crm/contact/status/reorder", json!({"titles": ["hot", "Cold"]})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["count"], 2);
    assert_eq!(body["response"][0]["title"], "Hot");
    assert!(body["response"][0].get("sortOrder").is_none(), "position 0 is omitted as a default");
    assert_eq!(body["response"][1]["title"], "Cold");
    assert_eq!(body["response"][1]["sortOrder"], 1);
    let stored = stored_items(&server, 1).await;
    assert_eq!(titles(&stored), ["Hot", "Cold", "Warm"], "Warm kept its order 1 and sorts after Cold by id");
    assert_eq!(stored.iter().map(|i| i.1).collect::<Vec<_>>(), [0, 1, 1]);

    let form = server
        .form(
            Some(&owner),
            Method::PUT,
            "crm/contact/type/reorder",
            [("titles[]", "Competitor"), ("titles[]", "Partner"), ("titles[]", "Supplier"), ("titles[]", "Client")],
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert_eq!(titles(&stored_items(&server, 4).await), ["Competitor", "Partner", "Supplier", "Client"]);

    let unknown =
        server.call(&owner, Method::PUT, "crm/contact/type/reorder", json!({"titles": ["Client", "Nobody"]})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.json()["error"]["message"].as_str().unwrap().contains("titles"));
    assert_eq!(
        titles(&stored_items(&server, 4).await),
        ["Competitor", "Partner", "Supplier", "Client"],
        "nothing changed"
    );

    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let refused = server.call(&user, Method::PUT, "crm/contact/status/reorder", json!({"titles": ["Warm"]})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn custom_fields_are_reordered_per_kind_of_contact() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let a = create(&server, &owner, "crm/contact/customfield", json!({"label": "A"})).await;
    let b = create(&server, &owner, "crm/person/customfield", json!({"label": "B"})).await;
    let c = create(&server, &owner, "crm/company/customfield", json!({"label": "C"})).await;
    let answer = server.call(&owner, Method::PUT, "crm/person/customfield/reorder", json!({"fieldids": [b, a]})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let body = answer.json();
    assert_eq!(
        body["response"],
        json!([
            {"entityId": -1, "label": "B", "fieldValue": " ", "fieldType": 0, "position": 0, "mask": "", "id": b},
            {"entityId": -1, "label": "A", "fieldValue": " ", "fieldType": 0, "position": 1, "mask": "", "id": a},
        ])
    );
    let mut conn = db(&server).await;
    let order: Vec<(i64, i64)> = sqlx::query("SELECT id, sort_order FROM crm_custom_fields ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("sort_order")))
        .collect();
    assert_eq!(order, [(a, 1), (b, 0), (c, 3)]);
    let listed = server.get("crm/person/customfield/definitions", &owner).await.json_ok();
    assert_eq!(listed["response"][0]["label"], "B");

    let other_kind =
        server.call(&owner, Method::PUT, "crm/person/customfield/reorder", json!({"fieldids": [c, a]})).await;
    assert_eq!(other_kind.status, StatusCode::NOT_FOUND, "a company field is not a person's");
    let unchanged: i64 = sqlx::query("SELECT sort_order FROM crm_custom_fields WHERE id = $1")
        .bind(a)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("sort_order");
    assert_eq!(unchanged, 1);
    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let refused = server.call(&user, Method::PUT, "crm/contact/customfield/reorder", json!({"fieldids": [a]})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn settings_row(server: &TestServer) -> Option<(Option<i64>, Option<i64>, Option<String>)> {
    let mut conn = db(server).await;
    sqlx::query(
        "SELECT change_contact_status_group_auto AS s, add_tag_to_contact_group_auto AS t, default_currency AS c \
         FROM crm_settings WHERE portal_id = 1",
    )
    .fetch_optional(&mut conn)
    .await
    .unwrap()
    .map(|r| (r.get("s"), r.get("t"), r.get("c")))
}

async fn mail_setting(server: &TestServer) -> Option<i64> {
    let mut conn = db(server).await;
    sqlx::query("SELECT write_mail_to_history_auto AS m FROM crm_settings WHERE portal_id = 1")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("m")
}

#[tokio::test]
async fn crm_settings_are_kept_per_portal_and_answered_as_sent() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    assert_eq!(settings_row(&server).await, None);
    let answer = server
        .call(&owner, Method::PUT, "crm/contact/status/settings", json!({"changeContactStatusGroupAuto": true}))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!({"count": 1, "status": 0, "statusCode": 200, "response": true}));
    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let answer = server
        .form(Some(&user), Method::PUT, "crm/contact/tag/settings", [("addTagToContactGroupAuto", "false")])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "any CRM user may, as in the original");
    assert_eq!(answer.json()["response"], false);
    assert_eq!(settings_row(&server).await, Some((Some(1), Some(0), None)));
    let cleared = server.call(&owner, Method::PUT, "crm/contact/status/settings", json!({})).await;
    assert_eq!(cleared.json(), json!({"status": 0, "statusCode": 200, "response": {}}), "none: ask each time");
    assert_eq!(settings_row(&server).await, Some((None, Some(0), None)));
    let bad = server
        .call(&owner, Method::PUT, "crm/contact/tag/settings", json!({"addTagToContactGroupAuto": "maybe"}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let mail = server
        .call(&owner, Method::PUT, "crm/contact/mailtohistory/settings", json!({"writeMailToHistoryAuto": true}))
        .await;
    assert_eq!(mail.json_ok()["response"], true);
    assert_eq!(mail_setting(&server).await, Some(1));
    let left_out = server.call(&owner, Method::PUT, "crm/contact/mailtohistory/settings", json!({})).await;
    assert_eq!(left_out.json_ok()["response"], false, "left out is no, as the original binds a bool");
    assert_eq!(mail_setting(&server).await, Some(0));
    assert_eq!(settings_row(&server).await, Some((None, Some(0), None)), "the other settings stay");

    let (_, guest) = server.add_user_and_login("gus", Role::Guest).await;
    let refused =
        server.call(&guest, Method::PUT, "crm/contact/tag/settings", json!({"addTagToContactGroupAuto": true})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn tags_of(server: &TestServer, token: &str, id: i64) -> Value {
    server.get(&format!("crm/contact/{id}/tag"), token).await.json_ok()["response"].clone()
}

#[tokio::test]
async fn group_tags_reach_a_company_and_its_persons() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let acme = create(&server, &owner, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1})).await;
    let ann = create(
        &server,
        &owner,
        "crm/contact/person",
        json!({"firstName": "Ann", "lastName": "A", "companyId": acme, "shareType": 1}),
    )
    .await;
    let bob = create(
        &server,
        &owner,
        "crm/contact/person",
        json!({"firstName": "Bob", "lastName": "B", "companyId": acme, "shareType": 2}),
    )
    .await;
    let lone =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "Lone", "lastName": "L", "shareType": 1}))
            .await;

    let answer =
        server.call(&owner, Method::POST, &format!("crm/company/{acme}/tag/group"), json!({"tagName": "vip"})).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.json()["response"], "vip");
    for id in [acme, ann, bob] {
        assert_eq!(tags_of(&server, &owner, id).await, json!(["vip"]), "contact {id}");
    }
    assert_eq!(tags_of(&server, &owner, lone).await, json!([]));

    // A person reaches his company and its persons; a user who may edit only some of them tags those.
    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let answer =
        server.call(&user, Method::POST, &format!("crm/person/{ann}/tag/group"), json!({"tagName": "lead"})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(tags_of(&server, &owner, acme).await, json!(["lead", "vip"]));
    assert_eq!(tags_of(&server, &owner, ann).await, json!(["lead", "vip"]));
    assert_eq!(tags_of(&server, &owner, bob).await, json!(["vip"]), "Bob is read-only to her");
    server.call(&owner, Method::POST, &format!("crm/person/{lone}/tag/group"), json!({"tagName": "solo"})).await;
    assert_eq!(tags_of(&server, &owner, lone).await, json!(["solo"]));

    let wrong_kind =
        server.call(&owner, Method::POST, &format!("crm/company/{ann}/tag/group"), json!({"tagName": "x"})).await;
    assert_eq!(wrong_kind.status, StatusCode::NOT_FOUND);
    let read_only =
        server.call(&user, Method::POST, &format!("crm/person/{bob}/tag/group"), json!({"tagName": "x"})).await;
    assert_eq!(read_only.status, StatusCode::FORBIDDEN);
    let empty =
        server.call(&owner, Method::POST, &format!("crm/company/{acme}/tag/group"), json!({"tagName": " "})).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);

    let removed =
        server.call(&owner, Method::DELETE, &format!("crm/person/{bob}/tag/group?tagName=VIP"), json!({})).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(removed.json()["response"], "VIP");
    for id in [acme, ann, bob] {
        assert!(!tags_of(&server, &owner, id).await.as_array().unwrap().contains(&json!("vip")), "contact {id}");
    }
    let mut conn = db(&server).await;
    let links: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM crm_contact_tags").fetch_one(&mut conn).await.unwrap().get("n");
    assert_eq!(links, 3, "lead on Acme and Ann, solo on Lone");
    let unknown =
        server.call(&owner, Method::DELETE, &format!("crm/company/{acme}/tag/group?tagName=nope"), json!({})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rates_are_kept_per_pair_and_drive_conversion_and_the_summary_table() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    assert_eq!(server.get("crm/currency/rates", &owner).await.json_ok()["response"], json!([]));
    let answer = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "eur", "toCurrency": "USD", "rate": 1.1}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let eur_usd = answer.id();
    assert_eq!(
        answer.json()["response"],
        json!({"id": eur_usd, "fromCurrency": "EUR", "toCurrency": "USD", "rate": 1.1})
    );
    let again = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "EUR", "toCurrency": "USD", "rate": 1.2}),
        )
        .await;
    assert_eq!(again.id(), eur_usd, "the pair's rate changes");
    let gbp = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "GBP", "toCurrency": "EUR", "rate": 1.0}),
        )
        .await
        .id();

    let convert =
        server.get("crm/settings/currency/convert?amount=10&fromcurrency=EUR&tocurrency=USD", &owner).await.json_ok();
    assert_eq!(convert["response"], json!(12.0));
    let inverse =
        server.get("crm/settings/currency/convert?amount=1&fromcurrency=usd&tocurrency=eur", &owner).await.json_ok();
    assert_eq!(inverse["response"], json!(0.8333), "the reverse pair inverted, 4 places");
    let same =
        server.get("crm/settings/currency/convert?amount=5.5&fromcurrency=USD&tocurrency=USD", &owner).await.json_ok();
    assert_eq!(same["response"], json!(5.5));
    let none = server.get("crm/settings/currency/convert?amount=5&fromcurrency=USD&tocurrency=JPY", &owner).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "no rate kept: the original fails with a 500");
    assert!(none.json()["error"]["message"].as_str().unwrap().contains("tocurrency"));
    let bad = server.get("crm/settings/currency/convert?amount=x&fromcurrency=USD&tocurrency=EUR", &owner).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let table = server.get("crm/settings/currency/summarytable?currency=eur", &owner).await.json_ok();
    assert_eq!(table["count"], 3);
    let rows: Vec<(String, f64)> = table["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["abbreviation"].as_str().unwrap().to_string(), r["rate"].as_f64().unwrap()))
        .collect();
    assert_eq!(rows, [("EUR".to_string(), 1.0), ("GBP".to_string(), 1.0), ("USD".to_string(), 1.2)]);
    assert_eq!(table["response"][0]["title"], "Euro");
    assert_eq!(table["response"][0]["isConvertable"], true);
    assert_eq!(
        server.get("crm/settings/currency/summarytable?currency=XYZ", &owner).await.status,
        StatusCode::BAD_REQUEST
    );

    let read = server.get(&format!("crm/currency/rates/{gbp}"), &owner).await.json_ok();
    assert_eq!(read["response"]["fromCurrency"], "GBP");
    assert_eq!(server.get("crm/currency/rates/999999", &owner).await.status, StatusCode::NOT_FOUND);
    let pair = server.get("crm/currency/rates/gbp/Eur", &owner).await.json_ok();
    assert_eq!(pair["response"]["id"], gbp);
    assert_eq!(
        server.get("crm/currency/rates/EUR/GBP", &owner).await.status,
        StatusCode::NOT_FOUND,
        "the reverse is not kept"
    );
    assert_eq!(server.get("crm/currency/rates/EUR/XYZ", &owner).await.status, StatusCode::BAD_REQUEST);

    let updated = server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/currency/rates/{gbp}"),
            json!({"fromCurrency": "GBP", "toCurrency": "EUR", "rate": 1.17}),
        )
        .await;
    assert_eq!(updated.json_ok()["response"]["rate"], json!(1.17));
    let clash = server
        .call(
            &owner,
            Method::PUT,
            &format!("crm/currency/rates/{gbp}"),
            json!({"fromCurrency": "EUR", "toCurrency": "USD", "rate": 2}),
        )
        .await;
    assert_eq!(clash.status, StatusCode::BAD_REQUEST, "another rate holds the pair");
    let out_of_range = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "EUR", "toCurrency": "JPY", "rate": -1}),
        )
        .await;
    assert_eq!(out_of_range.status, StatusCode::BAD_REQUEST);
    let unknown = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "EUR", "toCurrency": "XYZ", "rate": 1}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.json()["error"]["message"].as_str().unwrap().contains("toCurrency"));
    assert_eq!(
        server
            .call(
                &owner,
                Method::PUT,
                "crm/currency/rates/999999",
                json!({"fromCurrency": "EUR", "toCurrency": "JPY", "rate": 1})
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let deleted = server.call(&owner, Method::DELETE, &format!("crm/currency/rates/{eur_usd}"), json!({})).await;
    assert_eq!(deleted.json_ok()["response"]["rate"], json!(1.2));
    assert_eq!(
        server.call(&owner, Method::DELETE, &format!("crm/currency/rates/{eur_usd}"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let mut conn = db(&server).await;
    let kept: Vec<(String, String, f64)> =
        sqlx::query("SELECT from_currency, to_currency, rate FROM crm_currency_rates ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("from_currency"), r.get("to_currency"), r.get("rate")))
            .collect();
    assert_eq!(kept, [("GBP".to_string(), "EUR".to_string(), 1.17)]);

    // A rate of 0 for a kept pair deletes it, as the original's SaveOrUpdate does.
    let zero = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "GBP", "toCurrency": "EUR", "rate": 0}),
        )
        .await;
    assert_eq!(zero.json_ok()["response"]["id"], gbp);
    assert_eq!(server.get("crm/currency/rates", &owner).await.json_ok()["response"], json!([]));
}

#[tokio::test]
async fn the_default_currency_is_set_by_admins_only() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let answer = server.call(&owner, Method::PUT, "crm/settings/currency", json!({"currency": "eur"})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.json()["response"],
        json!({"title": "Euro", "symbol": "€", "abbreviation": "EUR", "cultureName": "EU", "isConvertable": true, "isBasic": true})
    );
    assert_eq!(settings_row(&server).await, Some((None, None, Some("EUR".to_string()))));
    let unknown = server.call(&owner, Method::PUT, "crm/settings/currency", json!({"currency": "XYZ"})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let refused = server.call(&user, Method::PUT, "crm/settings/currency", json!({"currency": "USD"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(settings_row(&server).await.unwrap().2.as_deref(), Some("EUR"));
}

#[tokio::test]
async fn mail_contacts_are_the_readable_listed_ones_with_their_primary_email() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let ann =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "Ann", "lastName": "A", "shareType": 1}))
            .await;
    let hidden =
        create(&server, &owner, "crm/contact/person", json!({"firstName": "Hid", "lastName": "H", "shareType": 0}))
            .await;
    let acme = create(&server, &owner, "crm/contact/company", json!({"companyName": "Acme", "shareType": 2})).await;
    server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{ann}/data"),
            json!({"infoType": "Email", "data": "second@example.com", "isPrimary": false}),
        )
        .await;
    server
        .call(
            &owner,
            Method::POST,
            &format!("crm/contact/{ann}/data"),
            json!({"infoType": "Email", "data": "ann@example.com", "isPrimary": true}),
        )
        .await;

    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let path = format!("crm/contact/mail?contactids[]={acme}&contactids[]={hidden}&contactids[]={ann}&contactids[]=0&contactids[]=999999&contactids[]={acme}");
    let answer = server.get(&path, &user).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let body = answer.json();
    assert_eq!(body["count"], 2);
    assert_eq!(body["response"][0]["id"], acme);
    assert!(body["response"][0].get("email").is_none(), "no email: omitted");
    assert_eq!(body["response"][1]["id"], ann);
    assert_eq!(body["response"][1]["displayName"], "Ann A");
    assert_eq!(body["response"][1]["email"]["data"], "ann@example.com");
    assert_eq!(body["response"][1]["email"]["isPrimary"], true);
    assert!(body["response"][1].get("commonData").is_none(), "the base shape");
    let none = server.get("crm/contact/mail", &user).await;
    assert_eq!(none.json_ok()["response"], json!([]));
    assert_eq!(server.get("crm/contact/mail?contactids=abc", &user).await.status, StatusCode::BAD_REQUEST);
}

async fn kept_rates(server: &TestServer) -> Vec<(String, String, f64)> {
    let mut conn = db(server).await;
    sqlx::query("SELECT from_currency, to_currency, rate FROM crm_currency_rates ORDER BY from_currency, to_currency")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("from_currency"), r.get("to_currency"), r.get("rate")))
        .collect()
}

fn rate(from: &str, to: &str, rate: f64) -> (String, String, f64) {
    (from.to_string(), to.to_string(), rate)
}

#[tokio::test]
async fn rates_are_replaced_or_added_in_bulk_by_admins() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    server
        .call(
            &owner,
            Method::POST,
            "crm/currency/rates",
            json!({"fromCurrency": "JPY", "toCurrency": "USD", "rate": 0.007}),
        )
        .await
        .json_ok();
    let answer = server
        .call(
            &owner,
            Method::POST,
            "crm/currency/setrates",
            json!({"currency": "eur", "rates": [
                {"fromCurrency": "EUR", "toCurrency": "USD", "rate": 1.1},
                {"fromCurrency": "eur", "toCurrency": "GBP", "rate": 0.8},
                {"fromCurrency": "EUR", "toCurrency": "USD", "rate": 1.15},
            ]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.json()["count"], 2, "each pair once, the last value wins");
    assert_eq!(kept_rates(&server).await, [rate("EUR", "GBP", 0.8), rate("EUR", "USD", 1.15)], "JPY's rate is gone");
    assert_eq!(settings_row(&server).await.unwrap().2.as_deref(), Some("EUR"));

    let form = server
        .form(
            Some(&owner),
            Method::POST,
            "crm/currency/addrates",
            [
                ("rates[0][fromCurrency]", "EUR"),
                ("rates[0][toCurrency]", "GBP"),
                ("rates[0][rate]", "0"),
                ("rates[1][fromCurrency]", "CHF"),
                ("rates[1][toCurrency]", "EUR"),
                ("rates[1][rate]", "1.05"),
                ("rates[2][fromCurrency]", "EUR"),
                ("rates[2][toCurrency]", "USD"),
                ("rates[2][rate]", "1.2"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::CREATED, "{}", form.text);
    assert_eq!(form.json()["count"], 2, "every rate kept");
    assert_eq!(
        kept_rates(&server).await,
        [rate("CHF", "EUR", 1.05), rate("EUR", "USD", 1.2)],
        "a rate of 0 deletes a kept pair"
    );

    let bad = server.call(&owner, Method::POST, "crm/currency/addrates", json!({"rates": [
        {"fromCurrency": "CHF", "toCurrency": "USD", "rate": 1}, {"fromCurrency": "XYZ", "toCurrency": "USD", "rate": 1}]})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(kept_rates(&server).await.len(), 2, "nothing added");
    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let refused =
        server.call(&user, Method::POST, "crm/currency/setrates", json!({"currency": "USD", "rates": []})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(kept_rates(&server).await.len(), 2);
    let emptied = server.call(&owner, Method::POST, "crm/currency/setrates", json!({"currency": "USD"})).await;
    assert_eq!(emptied.json_ok()["response"], json!([]));
    assert_eq!(kept_rates(&server).await, []);
}
