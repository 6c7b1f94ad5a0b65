//! Administering people: adding users, editing profiles (self or admin), enabling and
//! disabling, deleting disabled users, and changing passwords.

mod common;

use common::{spawn, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn admins_add_users_with_a_user_name_from_the_email() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let body = json!({
        "email": "Jane.Doe@Example.com", "firstname": "Jane", "lastname": "Doe", "title": "Engineer",
        "location": "Riga", "sex": "female", "birthday": "1990-05-01", "comment": "hello",
        "contacts": [{"type": "skype", "value": "jane"}], "password": "jane-password"
    });
    let answer = server.call(&token, Method::POST, "people", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let profile = answer.json()["response"].clone();
    assert_eq!(profile["userName"], "Jane.Doe");
    assert_eq!(profile["email"], "Jane.Doe@Example.com");
    assert_eq!(profile["sex"], "female");
    assert_eq!(profile["title"], "Engineer");
    assert_eq!(profile["notes"], "hello");
    assert_eq!(profile["activationStatus"], 2, "pending, as an invited user");
    assert_eq!(profile["birthday"], "1990-05-01T00:00:00.0000000Z");
    assert_eq!(profile["contacts"], json!([{"type": "skype", "value": "jane"}]));
    server.login("jane.doe", "jane-password").await;

    let again = json!({"email": "jane.doe@other.com", "firstname": "Jane", "lastname": "Again"});
    let answer = server.call(&token, Method::POST, "people", &again).await;
    assert_eq!(answer.json()["response"]["userName"], "jane.doe1", "made unique");
    let duplicate = json!({"email": "JANE.DOE@example.com", "firstname": "J", "lastname": "D"});
    let answer = server.call(&token, Method::POST, "people", &duplicate).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json()["error"]["message"].as_str().unwrap().contains("email"));
}

#[tokio::test]
async fn adding_users_needs_an_admin_and_valid_input() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, email, password) = server.add_user("ursula", Role::User).await;
    let user = server.login(&email, &password).await;
    let body = json!({"email": "x@example.com", "firstname": "X", "lastname": "Y"});
    let answer = server.call(&user, Method::POST, "people", &body).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    for (body, name) in [
        (json!({"firstname": "X", "lastname": "Y"}), "email"),
        (json!({"email": "nope", "firstname": "X", "lastname": "Y"}), "email"),
        (json!({"email": "x@example.com", "lastname": "Y"}), "firstname"),
        (json!({"email": "x@example.com", "firstname": "X", "lastname": null}), "lastname"),
        (json!({"email": "x@example.com", "firstname": "X", "lastname": "Y", "sex": "other"}), "sex"),
        (json!({"email": "x@example.com", "firstname": "X", "lastname": "Y", "birthday": "someday"}), "birthday"),
        (json!({"email": "x@example.com", "firstname": "X", "lastname": "Y", "password": "short"}), "password"),
        (json!({"email": "x@example.com", "firstname": "X", "lastname": "Y", "department": ["bad"]}), "department"),
        (json!({"email": "x@example.com", "firstname": "X".repeat(65), "lastname": "Y"}), "firstname"),
    ] {
        let answer = server.call(&owner, Method::POST, "people", &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(name), "{body}: {}", answer.text);
    }
    let people = server.get("people", &owner).await.json();
    assert_eq!(people["count"], 2, "nothing half-created");
}

#[tokio::test]
async fn users_edit_themselves_admins_edit_anyone_and_omitted_fields_stay() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (id, user) = server.add_user_and_login("ursula", Role::User).await;
    server
        .call(&user, Method::POST, "people/@self/contacts", json!({"contacts": [{"type": "skype", "value": "u"}]}))
        .await;
    let answer = server
        .call(&user, Method::PUT, &format!("people/{id}"), json!({"firstname": "Ursa", "location": "Oslo"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let profile = answer.json()["response"].clone();
    assert_eq!(profile["firstName"], "Ursa");
    assert_eq!(profile["lastName"], "Tester", "omitted: unchanged");
    assert_eq!(profile["location"], "Oslo");
    assert_eq!(profile["contacts"], json!([{"type": "skype", "value": "u"}]), "omitted contacts stay");
    let answer = server.call(&user, Method::PUT, "people/@self", json!({"title": "Boss"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "the title is for admins");
    let answer = server.call(&user, Method::PUT, "people/owner", json!({"firstname": "Evil"})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = server
        .form(
            Some(&owner),
            Method::PUT,
            "people/ursula",
            &[("title", "Boss"), ("sex", "male"), ("worksfrom", "1900-01-01")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let profile = answer.json()["response"].clone();
    assert_eq!(profile["title"], "Boss");
    assert_eq!(profile["sex"], "male");
    assert!(profile.get("workFrom").is_none(), "1900-01-01 clears a date");
    let answer = server.call(&owner, Method::PUT, "people/ursula", json!({"firstname": ""})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn disabled_users_cannot_log_in_and_only_they_can_be_deleted() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (id, email, password) = server.add_user("ursula", Role::User).await;
    let user = server.login(&email, &password).await;
    let answer = server.send(server.request(Method::DELETE, "people/ursula", Some(&owner))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "must be disabled first");
    let answer =
        server.form(Some(&owner), Method::PUT, "people/status/Terminated", &[("userIds[]", id.to_string())]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["response"][0]["status"], 2);
    assert!(answer.json()["response"][0]["terminated"].is_string());
    assert_eq!(server.get("people/@self", &user).await.status, StatusCode::UNAUTHORIZED, "tokens revoked");
    let login = server
        .form(None, Method::POST, "authentication", &[("userName", email.as_str()), ("password", password.as_str())])
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert!(!server.get("people", &owner).await.text.contains("ursula"), "people lists active users");
    assert!(server.get("people/status/2", &owner).await.text.contains("ursula"));

    let answer = server.call(&owner, Method::PUT, "people/ursula", json!({"disable": false})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["response"]["status"], 1);
    server.login(&email, &password).await;
    let answer = server.call(&owner, Method::PUT, "people/ursula", json!({"disable": true})).await;
    assert_eq!(answer.json()["response"]["status"], 2);
    let answer = server.send(server.request(Method::DELETE, "people/ursula", Some(&owner))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["response"]["userName"], "ursula");
    assert_eq!(server.get("people/ursula", &owner).await.status, StatusCode::NOT_FOUND);
    // The email is free again.
    let body = json!({"email": email, "firstname": "New", "lastname": "Ursula"});
    assert_eq!(server.call(&owner, Method::POST, "people", &body).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_owner_and_oneself_are_protected() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, email, password) = server.add_user("adam", Role::Admin).await;
    let admin = server.login(&email, &password).await;
    let owner_id = server.get("people/@self", &owner).await.json()["response"]["id"].as_str().unwrap().to_string();
    let answer = server.form(Some(&admin), Method::PUT, "people/status/2", &[("userIds", owner_id.as_str())]).await;
    assert_eq!(answer.json()["response"][0]["status"], 1, "the owner is skipped");
    let answer = server.call(&owner, Method::PUT, "people/@self", json!({"disable": true})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = server.send(server.request(Method::DELETE, "people/owner", Some(&admin))).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = server.form(Some(&admin), Method::PUT, "people/owner/password", &[("password", "taken-over-1")]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "only the owner changes the owner's password");
    let answer =
        server.form(Some(&owner), Method::PUT, "people/status/Pending", &[("userIds", owner_id.as_str())]).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_password_change_revokes_the_users_tokens() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, email, password) = server.add_user("ursula", Role::User).await;
    let user = server.login(&email, &password).await;
    let answer = server.form(Some(&user), Method::PUT, "people/@self/password", &[("password", "x")]).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let answer =
        server.form(Some(&owner), Method::PUT, "people/ursula/password", &[("password", "fresh-password")]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(server.get("people/@self", &user).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.get("people/@self", &owner).await.status, StatusCode::OK);
    server.login(&email, "fresh-password").await;
}

/// The documented full-employee sample (people-contacts-delete.md), its keys camelCased as the
/// server writes them: every key the profile can have, with its type.
#[tokio::test]
async fn a_full_profile_has_every_documented_key_with_its_type() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (lead, _, _) = server.add_user("lead", Role::User).await;
    let group = server.call(&owner, Method::POST, "group", json!({"groupName": "Marketing"})).await.json()["response"]
        ["id"]
        .clone();
    let body = json!({
        "email": "mike@example.com", "firstname": "Mike", "lastname": "Zanyatski", "title": "Manager", "location": "Palo Alto",
        "comment": "Notes to worker", "sex": "male", "birthday": "2008-04-10T06-30-00.000Z", "worksfrom": "2008-04-10T06:30:00Z",
        "contacts": [{"type": "GTalk", "value": "my@gmail.com"}], "department": [group], "lead": lead.to_string()
    });
    let created = server.call(&owner, Method::POST, "people", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let profile = server.get("people/mike", &owner).await.json()["response"].clone();
    let string = |v: &serde_json::Value| v.is_string();
    let number = |v: &serde_json::Value| v.is_i64();
    let boolean = |v: &serde_json::Value| v.is_boolean();
    type HasType<'a> = &'a dyn Fn(&serde_json::Value) -> bool;
    let checks: [(&str, HasType); 26] = [
        ("id", &string),
        ("userName", &string),
        ("isVisitor", &boolean),
        ("firstName", &string),
        ("lastName", &string),
        ("email", &string),
        ("birthday", &string),
        ("sex", &string),
        ("status", &number),
        ("activationStatus", &number),
        ("department", &string),
        ("workFrom", &string),
        ("location", &string),
        ("notes", &string),
        ("displayName", &string),
        ("title", &string),
        ("contacts", &|v| v.is_array()),
        ("groups", &|v| v.is_array()),
        ("lead", &string),
        ("avatarMedium", &string),
        ("avatar", &string),
        ("isAdmin", &boolean),
        ("isLDAP", &boolean),
        ("isOwner", &boolean),
        ("isSSO", &boolean),
        ("profileUrl", &string),
    ];
    for (key, has_type) in checks {
        assert!(has_type(&profile[key]), "{key}: {}", profile[key]);
    }
    assert!(profile["terminated"].is_null(), "always present, null while active");
    assert_eq!(profile["birthday"], "2008-04-10T06:30:00.0000000Z");
    assert_eq!(profile["department"], "Marketing");
    assert_eq!(profile["groups"][0]["name"], "Marketing");
    assert_eq!(profile["lead"], lead.to_string());
    assert_eq!(profile["contacts"][0], json!({"type": "GTalk", "value": "my@gmail.com"}));
}
