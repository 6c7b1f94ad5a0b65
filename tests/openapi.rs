//! `GET api/2.0/openapi.json`: served without a token, a well-formed OpenAPI 3.0 document that
//! lists every route the router serves, and whose response schemas real responses satisfy.

mod common;

use common::spawn;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const METHODS: [&str; 4] = ["get", "post", "put", "delete"];

async fn document(server: &common::TestServer) -> Value {
    let answer = server.send(server.request(Method::GET, "openapi.json", None)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.header("content-type").unwrap_or_default().starts_with("application/json"));
    answer.json()
}

fn operations_of(doc: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            found.push((method.clone(), path.clone()));
        }
    }
    found
}

#[tokio::test]
async fn the_document_is_public_and_well_formed() {
    let server = spawn().await;
    let doc = document(&server).await;
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(doc["components"]["securitySchemes"]["token"]["in"], "header");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().expect("path item") {
            assert!(METHODS.contains(&method.as_str()), "{method} {path}");
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path}: responses"));
            assert!(responses.keys().any(|code| code.starts_with('2')), "{method} {path}: no success");
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                assert!(["path", "query"].contains(&parameter["in"].as_str().unwrap_or_default()), "{parameter}");
                assert!(parameter["name"].is_string() && parameter["schema"].is_object(), "{parameter}");
            }
            if let Some(body) = op.get("requestBody") {
                assert_ne!(method, "get", "{path}: GET reads the query");
                // A body in JSON, or a multipart form when it carries a file.
                let content = body["content"].as_object().expect("content");
                let (media_type, schema) = content.iter().next().expect("one media type");
                assert_eq!(schema["schema"]["type"], "object", "{method} {path}");
                let has_file = schema["schema"]["properties"]
                    .as_object()
                    .is_some_and(|props| props.values().any(|p| p["format"] == "binary"));
                let expected = if has_file { "multipart/form-data" } else { "application/json" };
                assert_eq!(media_type, expected, "{method} {path}");
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').expect("closing quote")];
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    // Only the document, health, metrics, capabilities, login, the default images and the
    // profile links (a redirect into the API) need no token.
    let mut public: Vec<String> = operations_of(&doc)
        .into_iter()
        .filter(|(method, path)| doc["paths"][path][method]["security"] == json!([]))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    public.sort();
    let expected = [
        "get /Products/CRM/App_Themes/default/images/{file}",
        "get /Products/People/Profile.aspx",
        "get /api/2.0/capabilities",
        "get /api/2.0/openapi",
        "get /health",
        "get /metrics",
        "get /skins/default/images/{file}",
        "post /api/2.0/authentication",
    ];
    assert_eq!(public, expected);
}

#[tokio::test]
async fn every_route_of_the_router_is_documented() {
    let server = spawn().await;
    let doc = document(&server).await;
    let documented = operations_of(&doc);
    let registered = portald::http::operations();
    assert!(registered.len() > 120, "the route table has {} operations", registered.len());
    for op in &registered {
        let method = op.method.as_str().to_ascii_lowercase();
        assert!(documented.contains(&(method.clone(), op.path.to_string())), "{method} {} is missing", op.path);
    }
    assert_eq!(documented.len(), registered.len(), "the document has operations the router lacks");
    // Independently of the table: the core routes.
    for (method, path) in [
        ("put", "/api/2.0/crm/contact/{contactid}/access"),
        ("put", "/api/2.0/crm/contact"),
        ("post", "/api/2.0/crm/contact/project/{projectid}"),
        ("delete", "/api/2.0/crm/contact/{contactid}/project/{projectid}"),
        ("delete", "/api/2.0/people/{userid}/contacts"),
        ("post", "/api/2.0/authentication"),
        ("get", "/api/2.0/people/{userid}"),
        ("get", "/api/2.0/crm/contact/filter"),
    ] {
        assert!(documented.contains(&(method.to_string(), path.to_string())), "{method} {path} is missing");
    }
}

#[tokio::test]
async fn every_path_variable_is_a_typed_path_parameter() {
    let server = spawn().await;
    let doc = document(&server).await;
    for (method, path) in operations_of(&doc) {
        let op = &doc["paths"][&path][&method];
        let declared: Vec<&Value> =
            op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path").collect();
        let variables: Vec<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        assert_eq!(declared.len(), variables.len(), "{method} {path}");
        for variable in variables {
            let parameter = declared
                .iter()
                .find(|p| p["name"] == variable)
                .unwrap_or_else(|| panic!("{method} {path}: {{{variable}}} is not declared"));
            assert_eq!(parameter["required"], true, "{method} {path} {variable}");
            assert!(parameter["schema"]["type"].is_string(), "{method} {path} {variable}");
        }
    }
    let ids = &doc["paths"]["/api/2.0/crm/contact/{contactid}/project/{projectid}"]["delete"]["parameters"];
    assert_eq!(ids[0]["schema"]["type"], "integer");
    let group = &doc["paths"]["/api/2.0/group/{groupid}"]["get"]["parameters"][0]["schema"];
    assert_eq!(group["format"], "uuid");
}

/// OpenAPI 3.0's `nullable` as JSON Schema: the schema or null.
fn json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut converted: serde_json::Map<String, Value> =
                map.iter().filter(|(key, _)| *key != "nullable").map(|(k, v)| (k.clone(), json_schema(v))).collect();
            if map.get("nullable") == Some(&Value::Bool(true)) {
                converted = serde_json::Map::from_iter([(
                    "anyOf".to_string(),
                    json!([Value::Object(converted), {"type": "null"}]),
                )]);
            }
            Value::Object(converted)
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

/// Checks a response against the schema the document gives for its status.
fn assert_conforms(doc: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let responses = &doc["paths"][path][method]["responses"];
    let response = responses.get(status.as_str()).unwrap_or(&responses["default"]);
    let mut schema = json_schema(&response["content"]["application/json"]["schema"]);
    schema["components"] = json_schema(&doc["components"]);
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{method} {path} {status}: {errors:?}\n{body}");
}

#[tokio::test]
async fn real_responses_match_their_documented_schemas() {
    let server = spawn().await;
    let doc = document(&server).await;
    let token = server.owner_token().await;
    let person = json!({"firstName": "Ada", "lastName": "Lovelace", "jobTitle": "Analyst", "isShared": false});
    let created = server.call(&token, Method::POST, "crm/contact/person", &person).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_conforms(&doc, "post", "/api/2.0/crm/contact/person", created.status, &created.json());
    let id = created.json()["response"]["id"].as_i64().expect("contact id");
    let info = json!({"infoType": "Email", "data": "ada@example.com", "category": "Work", "isPrimary": true});
    let added = server.call(&token, Method::POST, &format!("crm/contact/{id}/data"), &info).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_conforms(&doc, "post", "/api/2.0/crm/contact/{contactid}/data", added.status, &added.json());

    for (path, url) in [
        ("/api/2.0/people/{userid}", "people/@self".to_string()),
        ("/api/2.0/people", "people".to_string()),
        ("/api/2.0/crm/contact/{contactid}", format!("crm/contact/{id}")),
        ("/api/2.0/crm/contact/filter", "crm/contact/filter?count=5".to_string()),
        ("/api/2.0/crm/contact/{contactid}/access", format!("crm/contact/{id}/access")),
        ("/api/2.0/capabilities", "capabilities".to_string()),
    ] {
        let answer = server.get(&url, &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{url}: {}", answer.text);
        assert_conforms(&doc, "get", path, answer.status, &answer.json());
    }
    // Errors: a missing contact and a malformed id.
    for url in ["crm/contact/999999", "crm/contact/abc"] {
        let answer = server.get(url, &token).await;
        assert!(answer.status.is_client_error(), "{url}: {}", answer.status);
        assert_conforms(&doc, "get", "/api/2.0/crm/contact/{contactid}", answer.status, &answer.json());
    }
    let denied = server.send(server.request(Method::GET, "people/@self", None)).await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_conforms(&doc, "get", "/api/2.0/people/{userid}", denied.status, &denied.json());
    // A shape that does not match is caught: the check is not vacuous.
    let wrong = json!({"status": 0, "statusCode": 200, "response": {"id": "not a number"}});
    let responses = &doc["paths"]["/api/2.0/crm/contact/{contactid}"]["get"]["responses"]["200"];
    let mut schema = json_schema(&responses["content"]["application/json"]["schema"]);
    schema["components"] = json_schema(&doc["components"]);
    assert!(!jsonschema::validator_for(&schema).expect("a valid schema").is_valid(&wrong));
}
