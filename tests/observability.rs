//! Health, metrics and graceful shutdown.

mod common;

use common::spawn;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let server = spawn().await;
    let answer = server.send(server.client.get(format!("{}/health", server.base))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["status"], "ok");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let server = spawn().await;
    for _ in 0..3 {
        server.send(server.request(Method::GET, "capabilities.json", None)).await;
    }
    server.send(server.request(Method::GET, "people/@self", None)).await;
    let answer = server.send(server.client.get(format!("{}/metrics", server.base))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        answer
            .text
            .contains(r#"portald_http_requests_total{method="GET",route="/api/2.0/capabilities",status="200"} 3"#),
        "{}",
        answer.text
    );
    assert!(answer
        .text
        .contains(r#"portald_http_requests_total{method="GET",route="/api/2.0/people/{userid}",status="401"} 1"#));
    assert!(answer
        .text
        .contains("portald_http_request_duration_seconds_bucket{route=\"/api/2.0/capabilities\",le=\"+Inf\"} 3"));
}

#[tokio::test]
async fn shutdown_finishes_and_then_refuses_connections() {
    let server = spawn().await;
    let base = server.base.clone();
    let client = server.client.clone();
    assert_eq!(client.get(format!("{base}/health")).send().await.unwrap().status(), StatusCode::OK);
    server.stop().await;
    assert!(client.get(format!("{base}/health")).send().await.is_err());
}

#[tokio::test]
async fn made_up_methods_share_one_metrics_series() {
    let server = spawn().await;
    for n in 0..300 {
        let method = Method::from_bytes(format!("X{n}").as_bytes()).unwrap();
        server.send(server.request(method, "capabilities", None)).await;
    }
    let answer = server.send(server.client.get(format!("{}/metrics", server.base))).await;
    let series: Vec<&str> =
        answer.text.lines().filter(|l| l.starts_with("portald_http_requests_total{method=\"")).collect();
    assert!(series.len() < 10, "{} series: {series:?}", series.len());
    assert!(
        series
            .iter()
            .any(|l| l.starts_with(r#"portald_http_requests_total{method="OTHER",route="/api/2.0/capabilities""#)
                && l.ends_with(" 300")),
        "{series:?}"
    );
}
