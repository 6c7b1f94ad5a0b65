//! Portals are picked by the request's host: data and tokens of one are invisible to another.

mod common;

use common::{spawn_with, Options, OWNER_EMAIL, OWNER_PASSWORD};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn each_mapped_host_is_its_own_portal() {
    let server = spawn_with(Options { hosts: "one.test=1,two.test=2", ..Options::default() }).await;
    let login = |host: &'static str| {
        server
            .request(Method::POST, "authentication", None)
            .header("Host", host)
            .form(&[("userName", OWNER_EMAIL), ("password", OWNER_PASSWORD)])
    };
    let one = server.send(login("one.test")).await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.text);
    let token_one = one.json()["response"]["token"].as_str().unwrap().to_string();
    let two = server.send(login("two.test:8080")).await;
    assert_eq!(two.status, StatusCode::CREATED);
    let token_two = two.json()["response"]["token"].as_str().unwrap().to_string();

    let me =
        |host: &'static str, token: &str| server.request(Method::GET, "people/@self", Some(token)).header("Host", host);
    let on_one = server.send(me("one.test", &token_one)).await;
    let on_two = server.send(me("two.test", &token_two)).await;
    assert_eq!(on_one.status, StatusCode::OK);
    assert_eq!(on_two.status, StatusCode::OK);
    assert_ne!(on_one.json()["response"]["id"], on_two.json()["response"]["id"], "each portal has its own owner");
    assert_eq!(server.send(me("two.test", &token_one)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.send(me("one.test", &token_two)).await.status, StatusCode::UNAUTHORIZED);

    let unknown = server.send(me("three.test", &token_one)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.text, "", "an unknown portal answers with an empty body, as the original");
}
