//! Each endpoint declares its inputs once, and the document says what the server does: walking
//! the route table, every parameter documented as required answers 400 naming it when it is
//! left out, and a request that leaves everything out is refused only for a parameter the
//! document calls required. Every path variable is one of its handler's inputs.

mod common;

use common::{spawn, Role, TestServer};
use portald::http::openapi::{Input, Ty};
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

/// Live records for the path variables, so that a handler gets past its look-ups.
struct Records {
    person: i64,
    company: i64,
    project: i64,
    status: i64,
    contact_type: i64,
    field: i64,
    info: i64,
    group: String,
    user: String,
}

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> Value {
    server.call(token, Method::POST, path, body).await.json_ok()["response"].clone()
}

async fn records(server: &TestServer, token: &str) -> Records {
    let (user, _, _) = server.add_user("uma", Role::User).await;
    let id = |v: Value| v["id"].as_i64().expect("an id");
    let person = id(post(server, token, "crm/contact/person", json!({"firstName": "Ann", "lastName": "Lee"})).await);
    let company = id(post(server, token, "crm/contact/company", json!({"companyName": "Acme"})).await);
    let project =
        id(post(server, token, "project", json!({"title": "Build", "responsibleId": user.to_string()})).await);
    let status = id(post(server, token, "crm/contact/status", json!({"title": "Warm", "color": "#ff0000"})).await);
    let contact_type = id(post(server, token, "crm/contact/type", json!({"title": "Client"})).await);
    let field = id(post(server, token, "crm/contact/customfield", json!({"label": "Size", "fieldType": 0})).await);
    let info = id(post(
        server,
        token,
        &format!("crm/contact/{person}/data"),
        json!({"infoType": "Email", "data": "ann@example.com"}),
    )
    .await);
    let group = post(server, token, "group", json!({"groupName": "Sales"})).await["id"]
        .as_str()
        .expect("a group id")
        .to_string();
    Records { person, company, project, status, contact_type, field, info, group, user: user.to_string() }
}

/// A valid value for a path variable of `path`.
fn path_value(records: &Records, path: &str, name: &str) -> String {
    match name {
        "contactid" | "personid" => records.person.to_string(),
        "companyid" => records.company.to_string(),
        "projectid" => records.project.to_string(),
        "fieldid" => records.field.to_string(),
        "groupid" | "newgroupid" => records.group.clone(),
        "userid" => records.user.clone(),
        "infoType" => "Email".into(),
        "status" => "Active".into(),
        "activationstatus" => "Activated".into(),
        "type" => "User".into(),
        "query" => "uma".into(),
        "tag" => "red".into(),
        "fromCurrency" => "EUR".into(),
        "toCurrency" => "USD".into(),
        "file" => "photo.png".into(),
        "productid" => "00000000-0000-0000-0000-000000000000".into(),
        "id" if path.contains("/crm/contact/status/") => records.status.to_string(),
        "id" if path.contains("/crm/contact/type/") => records.contact_type.to_string(),
        "id" if path.contains("customfield") => records.field.to_string(),
        "id" if path.contains("data/") => records.info.to_string(),
        "id" => records.project.to_string(),
        other => panic!("no sample for the path variable {other} of {path}"),
    }
}

/// A value of the type that binds.
fn sample(ty: Ty, user: &str) -> Value {
    match ty {
        Ty::Int => json!(1),
        Ty::Number => json!(1.5),
        Ty::Bool => json!(true),
        Ty::Text => json!("x"),
        Ty::Guid => json!(user),
        Ty::Date => json!("2020-01-02"),
        Ty::Enum(names) => json!(names[0].0),
        Ty::List(item) => json!([sample(item(), user)]),
        Ty::Objects(fields) => json!([required_object(&fields(), user)]),
        // Not a file: JSON cannot carry one, so the server asks for it.
        Ty::File => json!("x"),
    }
}

fn required_object(fields: &[Input], user: &str) -> Value {
    Value::Object(fields.iter().filter(|f| f.required).map(|f| (f.name.to_string(), sample(f.ty, user))).collect())
}

/// Sends `params` the way the method reads them: GET in the query, the others in a JSON body.
async fn send_as_read(
    server: &TestServer,
    token: &str,
    method: &Method,
    path: &str,
    params: &Map<String, Value>,
) -> (StatusCode, String) {
    let mut request = server.request(method.clone(), path, Some(token));
    if *method == Method::GET {
        let query: Vec<(String, String)> = params
            .iter()
            .flat_map(|(name, value)| match value {
                Value::Array(items) => items.iter().map(|item| (name.clone(), text_of(item))).collect::<Vec<_>>(),
                other => vec![(name.clone(), text_of(other))],
            })
            .collect();
        request = request.query(&query);
    } else {
        request = request.json(&Value::Object(params.clone()));
    }
    let answer = server.send(request).await;
    let message = serde_json::from_str::<Value>(&answer.text)
        .ok()
        .and_then(|body| body["error"]["message"].as_str().map(str::to_string))
        .unwrap_or(answer.text);
    (answer.status, message)
}

fn text_of(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// The parameter a 400 names, if its message names one.
fn named(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("Parameter '")?;
    Some(&rest[..rest.find('\'')?])
}

#[tokio::test]
async fn required_in_the_document_means_400_without_it_and_nothing_else_is() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let records = records(&server, &token).await;
    let mut operations = portald::http::operations();
    // Deletions last, so that the records stay for the others.
    operations.sort_by_key(|op| op.method == Method::DELETE);
    let mut checked = 0;
    let mut drift = Vec::new();
    for op in &operations {
        let inputs = op.inputs();
        let variables = op.path_variables();
        for variable in &variables {
            if !inputs.iter().any(|i| i.name.eq_ignore_ascii_case(variable) && i.required) {
                drift.push(format!("{} {}: the path variable {variable} is not an input", op.method, op.path));
            }
        }
        let mut path = op.path.trim_start_matches("/api/2.0/").to_string();
        for variable in &variables {
            path = path.replace(&format!("{{{variable}}}"), &path_value(&records, op.path, variable));
        }
        if !op.path.starts_with("/api/2.0/") || op.path.ends_with("/logout") {
            continue; // not the API, or would revoke the token the walk uses
        }
        let body_inputs: Vec<&Input> =
            inputs.iter().filter(|i| !variables.iter().any(|v| v.eq_ignore_ascii_case(i.name))).collect();
        // Each required parameter left out, the others sent: a 400 naming it.
        for left_out in body_inputs.iter().filter(|i| i.required) {
            let params: Map<String, Value> = body_inputs
                .iter()
                .filter(|i| i.required && i.name != left_out.name)
                .map(|i| (i.name.to_string(), sample(i.ty, &records.user)))
                .collect();
            let (status, message) = send_as_read(&server, &token, &op.method, &path, &params).await;
            if status != StatusCode::BAD_REQUEST || named(&message) != Some(left_out.name) {
                drift.push(format!("{} {} without {}: {status} {message}", op.method, op.path, left_out.name));
            }
            checked += 1;
        }
        // Only the required sent: a refusal names no parameter the document calls optional.
        let required: Map<String, Value> = body_inputs
            .iter()
            .filter(|i| i.required)
            .map(|i| (i.name.to_string(), sample(i.ty, &records.user)))
            .collect();
        let (status, message) = send_as_read(&server, &token, &op.method, &path, &required).await;
        if let Some(name) = named(&message).filter(|_| status == StatusCode::BAD_REQUEST) {
            if body_inputs.iter().any(|i| !i.required && i.name == name) {
                drift.push(format!("{} {} answers 400 without optional '{name}': {message}", op.method, op.path));
            }
        }
        // Nothing sent: a refusal names a parameter the document requires.
        if op.method == Method::DELETE && op.path.contains("/people/") {
            continue; // would delete the user the other routes name
        }
        let (status, message) = send_as_read(&server, &token, &op.method, &path, &Map::new()).await;
        assert!(status.as_u16() < 500, "{} {}: {status} {message}", op.method, op.path);
        if status == StatusCode::BAD_REQUEST {
            if let Some(name) = named(&message) {
                if !body_inputs.iter().any(|i| i.required && i.name == name) {
                    drift.push(format!("{} {} answers 400 without optional '{name}': {message}", op.method, op.path));
                }
            }
        }
    }
    assert!(drift.is_empty(), "the document and the server disagree:\n{}", drift.join("\n"));
    assert!(checked > 20, "only {checked} required parameters were tried");
}

/// A route's own id binds only the input of its name: `PUT crm/contact/company/{companyid}` once
/// read `companyId` (a person's company) from the route's `companyid`, and made every company it
/// changed a member of itself.
#[tokio::test]
async fn a_route_id_never_binds_a_field_of_another_name() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let company = post(&server, &token, "crm/contact/company", json!({"companyName": "Acme"})).await["id"]
        .as_i64()
        .expect("an id");
    let path = format!("crm/contact/company/{company}");
    let answer = server.send(server.request(Method::PUT, &path, Some(&token)).json(&json!({"about": "Tools"}))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["response"]["about"], "Tools");
    let listed = server.get("crm/contact/filter", &token).await.json();
    assert!(listed["response"][0].get("personsCount").is_none(), "the company is not its own member: {listed}");
    let members = server.get(&format!("{path}/person"), &token).await.json();
    assert_eq!(members["response"], json!([]));
}
