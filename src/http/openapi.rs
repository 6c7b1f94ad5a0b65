//! The route table's builder and the OpenAPI document it yields. Every route is registered
//! through [`Api`], which adds the axum route and records its operation in the same call, so
//! the router and the document cannot drift apart. Response shapes come from the wire types'
//! `JsonSchema` derives, inside the envelope type that renders them.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{self, MethodRouter};
use axum::Router;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::{InstanceType, ObjectValidation, Schema, SchemaObject};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use super::envelope::{Envelope, ErrorEnvelope};
use super::inputs::HandlerInputs;
use crate::app::App;

/// The type of a parameter or of a body field, as the binding layer converts it.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    Int,
    /// A decimal number (invariant culture: a point, no thousands separators).
    Number,
    Bool,
    Text,
    Guid,
    Date,
    /// An `ApiEnum`: a member name (or its number).
    Enum(&'static [(&'static str, i64)]),
    /// A simple collection of values of the type given.
    List(fn() -> Ty),
    /// A collection of objects with the properties given.
    Objects(fn() -> Vec<Input>),
    /// A file, sent as a part of a multipart form.
    File,
}

/// One parameter a handler reads.
#[derive(Debug, Clone, Copy)]
pub struct Input {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn opt(name: &'static str, ty: Ty) -> Input {
    Input { name, ty, required: false }
}

/// The list options every list result honours (see `list.rs`); `fields` is left out because
/// it trims the documented shape.
const LIST_OPTIONS: &[Input] = &[
    opt("startIndex", Ty::Int),
    opt("count", Ty::Int),
    opt("sortBy", Ty::Text),
    opt("sortOrder", Ty::Enum(&[("ascending", 0), ("descending", 1)])),
    opt("filterBy", Ty::Text),
    opt("filterOp", Ty::Enum(&[("contains", 0), ("equals", 1), ("startsWith", 2), ("endsWith", 3), ("present", 4)])),
    opt("filterValue", Ty::Text),
    opt("updatedSince", Ty::Date),
];

type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// What a successful call answers.
#[derive(Clone, Copy)]
enum Output {
    /// The envelope around a value of a wire type.
    Enveloped { schema: SchemaFn, list: bool },
    /// A body of its own, outside the envelope (health, metrics, this document).
    Raw { content_type: &'static str },
}

/// The documentation of one operation.
#[derive(Clone)]
pub struct Doc {
    summary: &'static str,
    inputs: Vec<Input>,
    output: Output,
    public: bool,
}

/// Starts an operation's documentation; it answers `{}` until told otherwise.
pub fn doc(summary: &'static str) -> Doc {
    Doc { summary, inputs: Vec::new(), output: Output::Enveloped { schema: void_schema, list: false }, public: false }
}

fn void_schema(gen: &mut SchemaGenerator) -> Schema {
    gen.subschema_for::<Envelope<Void>>()
}

/// The `{}` of a reply without a result.
pub struct Void;

impl JsonSchema for Void {
    fn schema_name() -> String {
        "Void".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let object = ObjectValidation { max_properties: Some(0), ..Default::default() };
        SchemaObject {
            instance_type: Some(InstanceType::Object.into()),
            object: Some(Box::new(object)),
            ..Default::default()
        }
        .into()
    }
}

/// A result that is `{}` in some cases (nothing to do) and a `T` otherwise.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub enum OrVoid<T> {
    Some(T),
    Void(Void),
}

/// A result of one of two shapes, as the request asks.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub enum OneOf<A, B> {
    A(A),
    B(B),
}

impl Doc {
    /// One `T` in the envelope.
    pub fn returns<T: JsonSchema>(mut self) -> Self {
        self.output = Output::Enveloped { schema: |gen| gen.subschema_for::<Envelope<T>>(), list: false };
        self
    }

    /// A list of `T` in the envelope, which the list options page, sort and filter.
    pub fn list<T: JsonSchema>(mut self) -> Self {
        self.output = Output::Enveloped { schema: |gen| gen.subschema_for::<Envelope<Vec<T>>>(), list: true };
        self
    }

    /// A body outside the envelope.
    pub fn raw(mut self, content_type: &'static str) -> Self {
        self.output = Output::Raw { content_type };
        self
    }

    /// The inputs the handler declares by its extractor's type.
    fn with_inputs<T: HandlerInputs>(mut self) -> Self {
        self.inputs = T::inputs();
        self
    }

    /// Served without a token.
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }
}

/// One documented method on one path.
#[derive(Clone)]
pub struct Operation {
    pub method: Method,
    pub path: &'static str,
    doc: Doc,
}

impl Operation {
    /// The inputs its handler declares, path variables included.
    pub fn inputs(&self) -> &[Input] {
        &self.doc.inputs
    }

    /// The names of its path template's variables.
    pub fn path_variables(&self) -> Vec<&'static str> {
        path_variables(self.path)
    }
}

/// The router being built and the operations registered so far.
pub struct Api {
    router: Router<Arc<App>>,
    operations: Vec<Operation>,
}

impl Default for Api {
    fn default() -> Self {
        Api { router: Router::new(), operations: Vec::new() }
    }
}

impl Api {
    pub fn get<H: Handler<T, Arc<App>>, T: HandlerInputs + 'static>(
        self,
        path: &'static str,
        handler: H,
        doc: Doc,
    ) -> Self {
        self.add(Method::GET, path, routing::get(handler), doc.with_inputs::<T>())
    }

    pub fn post<H: Handler<T, Arc<App>>, T: HandlerInputs + 'static>(
        self,
        path: &'static str,
        handler: H,
        doc: Doc,
    ) -> Self {
        self.add(Method::POST, path, routing::post(handler), doc.with_inputs::<T>())
    }

    pub fn put<H: Handler<T, Arc<App>>, T: HandlerInputs + 'static>(
        self,
        path: &'static str,
        handler: H,
        doc: Doc,
    ) -> Self {
        self.add(Method::PUT, path, routing::put(handler), doc.with_inputs::<T>())
    }

    pub fn delete<H: Handler<T, Arc<App>>, T: HandlerInputs + 'static>(
        self,
        path: &'static str,
        handler: H,
        doc: Doc,
    ) -> Self {
        self.add(Method::DELETE, path, routing::delete(handler), doc.with_inputs::<T>())
    }

    /// axum merges method routers registered on the same path.
    fn add(mut self, method: Method, path: &'static str, route: MethodRouter<Arc<App>>, doc: Doc) -> Self {
        self.router = self.router.route(path, route);
        self.operations.push(Operation { method, path, doc });
        self
    }

    pub fn into_parts(self) -> (Router<Arc<App>>, Vec<Operation>) {
        (self.router, self.operations)
    }
}

/// The names of a path template's variables (`{contactid}` and so on).
fn path_variables(path: &'static str) -> Vec<&'static str> {
    path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}')).collect()
}

fn type_schema(ty: Ty) -> Value {
    match ty {
        Ty::Int => json!({"type": "integer", "format": "int64"}),
        Ty::Number => json!({"type": "number", "format": "double"}),
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Text => json!({"type": "string"}),
        Ty::Guid => json!({"type": "string", "format": "uuid"}),
        Ty::Date => json!({"type": "string", "format": "date-time"}),
        Ty::Enum(names) => json!({"type": "string", "enum": names.iter().map(|(name, _)| *name).collect::<Vec<_>>()}),
        Ty::List(item) => json!({"type": "array", "items": type_schema(item())}),
        Ty::Objects(fields) => json!({"type": "array", "items": object_schema(&fields())}),
        Ty::File => json!({"type": "string", "format": "binary"}),
    }
}

fn object_schema(fields: &[Input]) -> Value {
    let properties: Map<String, Value> = fields.iter().map(|f| (f.name.to_string(), type_schema(f.ty))).collect();
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name).collect();
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn parameter(name: &str, location: &str, ty: Ty, required: bool) -> Value {
    json!({"name": name, "in": location, "required": required, "schema": type_schema(ty)})
}

fn schema_value(schema: Schema) -> Value {
    serde_json::to_value(schema).unwrap_or_default()
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn operation_object(op: &Operation, gen: &mut SchemaGenerator) -> Value {
    let doc = &op.doc;
    let variables = path_variables(op.path);
    let is_variable = |input: &&Input| variables.iter().any(|v| v.eq_ignore_ascii_case(input.name));
    let mut parameters: Vec<Value> = variables
        .iter()
        .map(|name| {
            // Typed by the handler's input of that name; the openapi tests prove each has one.
            let ty = doc.inputs.iter().find(|input| input.name.eq_ignore_ascii_case(name)).map_or(Ty::Text, |i| i.ty);
            parameter(name, "path", ty, true)
        })
        .collect();
    let inputs: Vec<Input> = doc.inputs.iter().filter(|input| !is_variable(input)).copied().collect();
    let list_options = match doc.output {
        Output::Enveloped { list: true, .. } if op.method == Method::GET => LIST_OPTIONS,
        _ => &[],
    };
    let mut object = json!({"summary": doc.summary, "tags": [tag(op.path)]});
    // GET reads its parameters from the query; the other methods from a body (JSON or a form).
    if op.method == Method::GET {
        let query = inputs.iter().chain(list_options);
        parameters.extend(query.map(|input| parameter(input.name, "query", input.ty, input.required)));
    } else if !inputs.is_empty() {
        // A file comes only in a multipart form; the other bodies in JSON (or a form).
        let content = if inputs.iter().any(|input| matches!(input.ty, Ty::File)) {
            json!({"multipart/form-data": {"schema": object_schema(&inputs)}})
        } else {
            json_content(object_schema(&inputs))
        };
        object["requestBody"] = json!({"required": inputs.iter().any(|input| input.required), "content": content});
    }
    if !parameters.is_empty() {
        object["parameters"] = Value::Array(parameters);
    }
    let success = if op.method == Method::POST { "201" } else { "200" };
    let mut responses = Map::new();
    match doc.output {
        Output::Enveloped { schema, .. } => {
            let content = json_content(schema_value(schema(gen)));
            responses.insert(success.into(), json!({"description": "The result in the envelope", "content": content}));
        }
        Output::Raw { content_type } => {
            let content = json!({content_type: {"schema": {}}});
            responses.insert("200".into(), json!({"description": "The resource itself", "content": content}));
        }
    }
    let error = json_content(schema_value(gen.subschema_for::<ErrorEnvelope>()));
    let mut errors = vec![
        ("400", "A parameter is missing or malformed"),
        ("403", "Not allowed to the caller"),
        ("404", "Not found"),
    ];
    if doc.public {
        object["security"] = json!([]);
    } else {
        errors.push(("401", "No valid token"));
    }
    errors.push(("default", "Any other failure, in the error envelope"));
    for (status, description) in errors {
        responses.insert(status.into(), json!({"description": description, "content": error.clone()}));
    }
    object["responses"] = Value::Object(responses);
    object
}

/// The API area a path belongs to (`people`, `crm`, ...), for grouping.
fn tag(path: &str) -> &str {
    let rest = path.strip_prefix(super::API_PREFIX).unwrap_or(path);
    rest.split('/').find(|s| !s.is_empty()).unwrap_or("system")
}

/// The OpenAPI 3.0.3 document of the given operations.
pub fn document(operations: &[Operation]) -> Value {
    let mut gen = SchemaSettings::openapi3().into_generator();
    let mut paths = Map::new();
    for op in operations {
        let item = paths.entry(op.path).or_insert_with(|| json!({}));
        item[op.method.as_str().to_ascii_lowercase()] = operation_object(op, &mut gen);
    }
    let schemas: Map<String, Value> =
        gen.take_definitions().into_iter().map(|(name, schema)| (name, schema_value(schema))).collect();
    let tags: BTreeSet<&str> = operations.iter().map(|op| tag(op.path)).collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "portald",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The ONLYOFFICE Community Server REST API 2.0 subset portald implements. Every API \
                route also answers with the `.json` or `.xml` suffix; bodies may be JSON or forms.",
        },
        "tags": tags.into_iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": "The token from POST /api/2.0/authentication"},
            },
        },
    })
}
