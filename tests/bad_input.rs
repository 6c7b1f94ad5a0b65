//! No input makes the server answer 500: malformed bodies, odd content types, oversized
//! requests and strange paths all get a 4xx with the error envelope.

mod common;

use common::{spawn_with, Options};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn malformed_requests_never_get_a_server_error() {
    let server = spawn_with(Options { max_body_bytes: 64 * 1024, ..Options::default() }).await;
    let token = server.owner_token().await;
    let deep_json = format!("{}1{}", "{\"a\":".repeat(1000), "}".repeat(1000));
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"{".to_vec()),
        ("application/json", b"[1,2]".to_vec()),
        ("application/json", b"\"text\"".to_vec()),
        ("application/json", deep_json.into_bytes()),
        ("application/json", vec![0xff, 0xfe, 0x00]),
        ("application/json; charset=utf-8", br#"{"userName":{"x":[1,{"y":null}]},"password":[]}"#.to_vec()),
        ("text/xml", b"<a><b></a>".to_vec()),
        ("text/xml", vec![0xff, 0xfe]),
        ("text/xml", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><r>&e;</r>".to_vec()),
        ("application/x-www-form-urlencoded", b"%%%&&&==&a[=1&b]]=2&[]=3".to_vec()),
        ("application/x-www-form-urlencoded", vec![0xff, b'=', 0xfe]),
        ("multipart/form-data", b"garbage".to_vec()),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()),
        ("application/octet-stream", vec![0; 1024]),
        ("application/json", vec![b' '; 200 * 1024]),
    ];
    let paths = ["authentication", "authentication/logout", "people/@self", "capabilities", "people/%00", "no/where"];
    for path in paths {
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            for (content_type, body) in &bodies {
                for auth in [None, Some(token.as_str())] {
                    let request = server
                        .request(method.clone(), path, auth)
                        .header("Content-Type", *content_type)
                        .body(body.clone());
                    let answer = server.send(request).await;
                    assert!(
                        answer.status.as_u16() < 500,
                        "{method} {path} ({content_type}) answered {}: {}",
                        answer.status,
                        answer.text
                    );
                    if answer.status.is_client_error() && answer.status != StatusCode::NOT_FOUND {
                        assert_eq!(answer.json()["status"], 1, "{method} {path}: {}", answer.text);
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let server = spawn_with(Options { max_body_bytes: 1024, ..Options::default() }).await;
    let body = format!("userName=x&password={}", "y".repeat(4096));
    let answer = server
        .send(
            server
                .request(Method::POST, "authentication", None)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.json()["statusCode"], 413);
}

#[tokio::test]
async fn odd_query_strings_and_headers_are_harmless() {
    let server = spawn_with(Options::default()).await;
    for query in [
        "?count=99999999999999999999",
        "?startIndex=99999999999999999999",
        "?sortBy=&filterBy=,,,",
        "?fields=",
        "?%ff=%fe",
        "?updatedSince=9999-99-99",
    ] {
        let answer = server.send(server.request(Method::GET, &format!("capabilities{query}"), None)).await;
        assert!(answer.status.as_u16() < 500, "{query}: {}", answer.text);
    }
    for header in ["Bearer ", "Basic", "Basic ", "Basic Og==", "Bearer x y z"] {
        let answer = server.send(server.client.get(server.url("people/@self")).header("Authorization", header)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{header:?}");
    }
}
