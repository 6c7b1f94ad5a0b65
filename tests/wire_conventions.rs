//! The API's wire conventions as a client sees them: suffixes, the success and error
//! envelopes in JSON and XML, 401/404/405, CORS, and list parameters.

mod common;

use common::spawn;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn success_envelope_has_keys_in_the_original_order() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::GET, "capabilities", None)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json; charset=UTF-8"));
    assert_eq!(
        answer.text,
        r#"{"count":1,"status":0,"statusCode":200,"response":{"ldapEnabled":false,"oauthEnabled":false,"providers":[],"ssoLabel":"","ssoUrl":""}}"#
    );
}

#[tokio::test]
async fn every_suffix_picks_the_format() {
    let server = spawn().await;
    let token = server.owner_token().await;
    for (path, xml) in [
        ("people/@self", false),
        ("people/@self.json", false),
        ("people/@self.xml", true),
        ("people/@self.tml", true),
        ("people/@self.XML", true),
        ("capabilities.xml", true),
    ] {
        let answer = server.get(path, &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        if xml {
            assert_eq!(answer.header("content-type"), Some("text/xml; charset=UTF-8"), "{path}");
            assert!(
                answer
                    .text
                    .starts_with("<result><count>1</count><status>0</status><statusCode>200</statusCode><response>"),
                "{path}: {}",
                answer.text
            );
            assert!(!answer.text.starts_with("<?xml"), "no declaration");
        } else {
            assert_eq!(answer.json()["status"], 0, "{path}");
        }
    }
}

#[tokio::test]
async fn a_json_request_body_overrides_the_xml_suffix() {
    let server = spawn().await;
    let answer = server
        .send(
            server
                .request(Method::POST, "authentication.xml", None)
                .header("Content-Type", "application/json")
                .body(format!(r#"{{"userName":"{}","password":"{}"}}"#, common::OWNER_EMAIL, common::OWNER_PASSWORD)),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.header("content-type"), Some("application/json; charset=UTF-8"));
}

#[tokio::test]
async fn xml_has_repeated_siblings_and_empty_elements() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::GET, "capabilities.xml", None)).await;
    assert_eq!(
        answer.text,
        "<result><count>1</count><status>0</status><statusCode>200</statusCode><response><ldapEnabled>false</ldapEnabled><oauthEnabled>false</oauthEnabled><ssoLabel></ssoLabel><ssoUrl></ssoUrl></response></result>",
        "the empty providers list emits nothing"
    );
}

#[tokio::test]
async fn unknown_routes_get_a_404_envelope_in_the_asked_format() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::GET, "no/such/route", None)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let body = answer.json();
    assert_eq!(body["status"], 1);
    assert_eq!(body["statusCode"], 404);
    assert!(body["error"]["message"].is_string());
    assert!(body["error"]["hresult"].is_i64());
    assert_eq!(body["error"]["data"], serde_json::json!({}));
    let answer = server.send(server.request(Method::GET, "no/such/route.xml", None)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.text.starts_with("<result><status>1</status><statusCode>404</statusCode><error><message>"),
        "{}",
        answer.text
    );
    assert!(answer.text.ends_with("<data /></error></result>"));
}

#[tokio::test]
async fn a_known_path_with_another_verb_is_405_with_allow() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::DELETE, "capabilities.json", None)).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(answer.header("allow").unwrap_or_default().contains("GET"));
    assert_eq!(answer.json()["statusCode"], 405);
    let answer = server.send(server.request(Method::GET, "authentication", None)).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(answer.header("allow").unwrap_or_default().contains("POST"));
}

#[tokio::test]
async fn missing_credentials_are_401_with_the_envelope() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::GET, "people/@self", None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["statusCode"], 401);
    assert_eq!(answer.header("www-authenticate"), None, "only when an Authorization header was sent");
    let answer = server.send(server.request(Method::GET, "people/@self.xml", Some("not-a-token"))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.text.contains("<statusCode>401</statusCode>"));
    let realm = answer.header("www-authenticate").expect("WWW-Authenticate");
    assert!(realm.starts_with("Basic Realm=\"127.0.0.1:"), "{realm}");
}

#[tokio::test]
async fn options_answers_cors_like_the_original() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::OPTIONS, "people/anything/at/all", None)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.text, "");
    assert_eq!(answer.header("access-control-allow-methods"), Some("GET, POST, PUT, DELETE"));
    assert_eq!(answer.header("access-control-allow-headers"), Some("origin, authorization, accept, content-type"));
    assert_eq!(answer.header("access-control-max-age"), Some("1728000"));
    let answer = server.send(server.request(Method::GET, "capabilities", None)).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_them() {
    let server = spawn().await;
    for (query, name) in [
        ("count=abc", "count"),
        ("startIndex=1.5", "startIndex"),
        ("startIndex=NaN", "startIndex"),
        ("updatedSince=never", "updatedSince"),
        ("count=-3", "count"),
    ] {
        let answer = server.send(server.request(Method::GET, &format!("capabilities?{query}"), None)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        let message = answer.json()["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(name), "{query}: {message}");
    }
}

#[tokio::test]
async fn start_index_is_echoed_even_on_errors() {
    let server = spawn().await;
    let answer = server.send(server.request(Method::GET, "people/@self?startIndex=5", None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let body = answer.json();
    let keys = common::shapes::keys(&body);
    assert_eq!(keys, ["startIndex", "status", "statusCode", "error"]);
    assert_eq!(body["startIndex"], 5);
}

#[tokio::test]
async fn fields_trims_the_response_object() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let answer = server.get("people/@self?fields=id,displayName,USERNAME", &token).await;
    let response = answer.json()["response"].clone();
    let keys = common::shapes::keys(&response);
    assert_eq!(keys, ["id", "userName", "displayName"]);
}

#[tokio::test]
async fn strings_escape_slashes_and_dates_have_seven_digits() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let answer = server.get("people/@self", &token).await;
    assert!(answer.text.contains(r#""profileUrl":"http:\/\/127.0.0.1:"#), "{}", answer.text);
    let body: Value = answer.json();
    let work_from = body["response"]["workFrom"].as_str().unwrap();
    assert_eq!(work_from.len(), "2020-12-08T17:37:04.5916406Z".len(), "{work_from}");
    assert!(work_from.ends_with('Z'));
}

#[tokio::test]
async fn trailing_slash_and_case_of_suffix_are_tolerated() {
    let server = spawn().await;
    let token = server.owner_token().await;
    assert_eq!(server.get("people/@self/", &token).await.status, StatusCode::OK);
    assert_eq!(server.get("people/@self.Json", &token).await.status, StatusCode::OK);
}
