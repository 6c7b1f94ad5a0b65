//! The response envelope. Handlers return a [`Reply`] (or an `ApiError`); the envelope
//! middleware renders either as JSON or XML, with the request's list options applied, so every
//! endpoint answers the same way and the XML is always derived from the JSON value.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::answers::{Rendered, ToKeep};
use super::list::{self, ListOptions, Paging};
use super::{json, xml};
use crate::error::{ApiError, ApiResult};

/// How the client wants the answer, picked by the URL suffix alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits a `.json`, `.xml` or `.tml` suffix off a path. XML is chosen by `.xml`/`.tml`
    /// unless the request body is JSON; everything else is JSON.
    pub fn split_suffix(path: &str, json_body: bool) -> (&str, Format) {
        let lower_ends = |suffix: &str| {
            path.len() > suffix.len()
                && path.is_char_boundary(path.len() - suffix.len())
                && path[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        };
        if lower_ends(".json") {
            return (&path[..path.len() - 5], Format::Json);
        }
        for suffix in [".xml", ".tml"] {
            if lower_ends(suffix) {
                let format = if json_body { Format::Json } else { Format::Xml };
                return (&path[..path.len() - 4], format);
            }
        }
        (path, Format::Json)
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=UTF-8",
            Format::Xml => "text/xml; charset=UTF-8",
        }
    }
}

/// A successful result, waiting for the envelope.
#[derive(Debug, Clone)]
pub struct Reply {
    body: Body,
    paging: Paging,
    /// Where the rendered answer is kept, if it may be.
    to_keep: Option<ToKeep>,
}

/// A result as the envelope gets it.
#[derive(Clone)]
enum Body {
    /// A JSON value: what the list pipeline sorts, filters and pages.
    Value(Value),
    /// An object, or a page of `items` the method finished itself, kept as its wire type: JSON
    /// without `fields` is written from it directly, the rest from its value.
    Wire { wire: Arc<dyn Wire>, items: Option<u64> },
    /// An answer rendered before, kept (see [`answers`](super::answers)).
    Rendered(Rendered),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Value(value) => value.fmt(f),
            Body::Wire { items, .. } => write!(f, "wire value ({items:?} items)"),
            Body::Rendered(rendered) => write!(f, "kept answer ({} bytes)", rendered.body.len()),
        }
    }
}

/// A wire type, however it is rendered.
trait Wire: Send + Sync {
    fn to_value(&self) -> serde_json::Result<Value>;
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
}

impl<T: Serialize + Send + Sync> Wire for T {
    fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        json::write_wire(out, self)
    }
}

impl Reply {
    /// One object (or any serialisable value).
    pub fn of<T: Serialize + Send + Sync + 'static>(value: T) -> ApiResult<Reply> {
        Ok(Reply::new(Body::Wire { wire: Arc::new(value), items: None }, Paging::Generic))
    }

    /// A whole list, for the generic filter/sort/page pipeline.
    pub fn list<T: Serialize>(items: &[T]) -> ApiResult<Reply> {
        Reply::converted(items, Paging::Generic)
    }

    /// A whole list the method filtered itself (from `filterBy`/`filterValue`).
    pub fn filtered_list<T: Serialize>(items: &[T]) -> ApiResult<Reply> {
        Reply::converted(items, Paging::Filtered)
    }

    /// One page of a list the method paged itself, out of `total`.
    pub fn page<T: Serialize + Send + Sync + 'static>(items: Vec<T>, total: u64) -> ApiResult<Reply> {
        let count = Some(items.len() as u64);
        Ok(Reply::new(Body::Wire { wire: Arc::new(items), items: count }, Paging::Paged { total }))
    }

    /// The [`ListOptions::window`](super::list::ListOptions::window) of a list of `len` items.
    pub fn window<T: Serialize>(items: &[T], len: usize) -> ApiResult<Reply> {
        Reply::converted(items, Paging::Window { len: len as u64 })
    }

    /// No result: the envelope carries `"response":{}`.
    pub fn void() -> Reply {
        Reply::new(Body::Value(Value::Null), Paging::Generic)
    }

    fn new(body: Body, paging: Paging) -> Reply {
        Reply { body, paging, to_keep: None }
    }

    /// An answer kept from an earlier request, as it was rendered.
    pub fn rendered(rendered: Rendered) -> Reply {
        Reply::new(Body::Rendered(rendered), Paging::Generic)
    }

    /// This reply, to be kept once rendered.
    pub fn to_keep(self, to_keep: ToKeep) -> Reply {
        Reply { to_keep: Some(to_keep), ..self }
    }

    /// Where the rendered reply is to be kept, if anywhere.
    pub fn take_to_keep(&mut self) -> Option<ToKeep> {
        self.to_keep.take()
    }

    fn converted<T: Serialize>(items: &[T], paging: Paging) -> ApiResult<Reply> {
        let value = serde_json::to_value(items).map_err(|e| ApiError::Internal(e.into()))?;
        Ok(Reply::new(Body::Value(value), paging))
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = StatusCode::OK.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// A failure, waiting for the envelope.
#[derive(Debug, Clone)]
pub struct ErrorReply {
    pub message: String,
    pub hresult: i64,
}

/// The envelope of a success; `T` is the result's wire type (a JSON value when rendering).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    /// Items in the result (1 for an object, the length of a string); absent when 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// Where the next page starts, when the method paged the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Always 0.
    pub status: u8,
    pub status_code: u16,
    pub response: T,
}

/// The envelope of a failure.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// Always 1.
    pub status: u8,
    pub status_code: u16,
    pub error: ErrorBody,
}

#[derive(Serialize, JsonSchema)]
pub struct ErrorBody {
    pub message: String,
    /// The .NET HResult of the exception the original throws in this case.
    pub hresult: i64,
    /// Always empty.
    pub data: Map<String, Value>,
}

/// What the envelope needs to know about the request.
pub struct RenderContext<'a> {
    pub format: Format,
    pub method: &'a Method,
    pub list: &'a ListOptions,
}

/// Renders a successful reply: 201 for POST, otherwise the handler's status. Fails only if a
/// wire type cannot be serialised.
pub fn render_reply(
    reply: Reply,
    status: StatusCode,
    ctx: &RenderContext,
) -> serde_json::Result<(StatusCode, Bytes, &'static str)> {
    let status = if *ctx.method == Method::POST && status == StatusCode::OK { StatusCode::CREATED } else { status };
    let value = match reply.body {
        Body::Rendered(rendered) => return Ok((status, rendered.body, rendered.content_type)),
        Body::Value(value) => value,
        Body::Wire { wire, items } => {
            if ctx.format == Format::Json && ctx.list.fields.is_empty() {
                if let Some(body) = write_wire_reply(&*wire, items, reply.paging, status, ctx)? {
                    return Ok((status, body.into(), ctx.format.content_type()));
                }
            }
            wire.to_value()?
        }
    };
    let (mut response, count, total, next_index) = match value {
        Value::Array(items) => {
            let page = list::page(items, reply.paging, ctx.list);
            let count = page.items.len() as u64;
            (Value::Array(page.items), count, page.total, page.next_index)
        }
        Value::Null => (Value::Object(Map::new()), 0, None, None),
        // The original counts a string result by its length.
        Value::String(s) => {
            let count = s.encode_utf16().count() as u64;
            (Value::String(s), count, None, None)
        }
        other => (other, 1, None, None),
    };
    list::select_fields(&mut response, &ctx.list.fields);
    // The result moves in after the (small) envelope is converted, rather than being copied.
    let mut envelope = serde_json::to_value(head(count, total, next_index, status, ctx))?;
    envelope["response"] = response;
    Ok((status, encode(ctx.format, &envelope).into(), ctx.format.content_type()))
}

/// The JSON envelope of an object or a finished page written straight from its wire type, as
/// [`render_reply`] writes it from the value; `None` for anything else (a list the pipeline
/// sorts and pages, a string, nothing), which goes through the value.
fn write_wire_reply(
    wire: &dyn Wire,
    items: Option<u64>,
    paging: Paging,
    status: StatusCode,
    ctx: &RenderContext,
) -> serde_json::Result<Option<Vec<u8>>> {
    let mut body = Vec::with_capacity(1024);
    wire.write_json(&mut body)?;
    let (count, total, next_index) = match (paging, items) {
        (Paging::Paged { total }, Some(len)) => {
            let (total, next_index) = list::paged(len, total, ctx.list);
            (len, total, next_index)
        }
        (Paging::Generic, None) if body.first() == Some(&b'{') => (1, None, None),
        _ => return Ok(None),
    };
    // The envelope's last member is its response: its `null` gives way to the body. Should the
    // envelope ever end otherwise, the value path answers rather than a cut in the wrong place.
    let mut out = Vec::with_capacity(body.len() + 96);
    json::write_wire(&mut out, &head(count, total, next_index, status, ctx))?;
    if !out.ends_with(b"null}") {
        return Ok(None);
    }
    out.truncate(out.len() - b"null}".len());
    out.append(&mut body);
    out.push(b'}');
    Ok(Some(out))
}

/// The envelope's numbers, with an empty response.
fn head(
    count: u64,
    total: Option<u64>,
    next_index: Option<u64>,
    status: StatusCode,
    ctx: &RenderContext,
) -> Envelope<Value> {
    Envelope {
        count: (count > 0).then_some(count),
        start_index: (ctx.list.start_index > 0).then_some(ctx.list.start_index),
        next_index,
        total,
        status: 0,
        status_code: status.as_u16(),
        response: Value::Null,
    }
}

/// Renders an error: `{"status":1,"statusCode":N,"error":{"message","hresult","data":{}}}`.
pub fn render_error(error: &ErrorReply, status: StatusCode, ctx: &RenderContext) -> (Vec<u8>, &'static str) {
    let envelope = ErrorEnvelope {
        start_index: (ctx.list.start_index > 0).then_some(ctx.list.start_index),
        status: 1,
        status_code: status.as_u16(),
        error: ErrorBody { message: error.message.clone(), hresult: error.hresult, data: Map::new() },
    };
    (encode(ctx.format, &serde_json::to_value(envelope).unwrap_or_default()), ctx.format.content_type())
}

fn encode(format: Format, envelope: &Value) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    match format {
        Format::Json => json::write_value(&mut out, envelope),
        Format::Xml => xml::write_element(&mut out, "result", envelope),
    }
    out.into_bytes()
}

/// Replaces a response's body, keeping its other headers.
pub fn with_body(
    mut response: Response,
    status: StatusCode,
    body: impl Into<Bytes>,
    content_type: &'static str,
) -> Response {
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    *response.body_mut() = axum::body::Body::from(body.into());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(value: Value, method: Method, query: &str, format: Format) -> (StatusCode, String) {
        let list = ListOptions::from_query(query, chrono_tz::Tz::UTC).unwrap();
        let ctx = RenderContext { format, method: &method, list: &list };
        let (status, body, _) = render_reply(Reply::of(value).unwrap(), StatusCode::OK, &ctx).unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn rendered(reply: Reply, query: &str, format: Format) -> String {
        let list = ListOptions::from_query(query, chrono_tz::Tz::UTC).unwrap();
        let ctx = RenderContext { format, method: &Method::GET, list: &list };
        String::from_utf8(render_reply(reply, StatusCode::OK, &ctx).unwrap().1.to_vec()).unwrap()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        title: String,
        score: f64,
        ratio: f32,
        tags: Vec<String>,
        nested: Option<Value>,
        #[serde(flatten)]
        extra: std::collections::BTreeMap<String, Value>,
    }

    fn sample() -> Sample {
        Sample {
            title: "a/b \"q\" \\ \n\u{1}\u{7f}\u{fffe}😀é".into(),
            score: 3.0,
            ratio: 0.1,
            tags: vec!["x/y".into(), String::new()],
            nested: Some(json!({"k/\n\"": [1.5, 2.0, -0.0, 1e20, 12345678901234567u64, -3], "n": null})),
            extra: [("we\tird".to_string(), json!(true))].into(),
        }
    }

    #[test]
    fn wire_types_are_written_as_their_values_would_be() {
        let as_value = |value: Value, paging: Paging| Reply::new(Body::Value(value), paging);
        for query in ["", "count=1&startIndex=1", "fields=title,score"] {
            for format in [Format::Json, Format::Xml] {
                let direct = rendered(Reply::of(sample()).unwrap(), query, format);
                let converted = as_value(serde_json::to_value(sample()).unwrap(), Paging::Generic);
                assert_eq!(direct, rendered(converted, query, format), "{query} {format:?}");
                let paging = Paging::Paged { total: 7 };
                let direct = rendered(Reply::page(vec![sample(), sample()], 7).unwrap(), query, format);
                let converted = as_value(serde_json::to_value(vec![sample(), sample()]).unwrap(), paging);
                assert_eq!(direct, rendered(converted, query, format), "{query} {format:?}");
            }
        }
        let json = rendered(Reply::page(vec![sample()], 7).unwrap(), "count=1", Format::Json);
        assert!(
            json.starts_with(
                r#"{"count":1,"nextIndex":2,"total":7,"status":0,"statusCode":200,"response":[{"title":"a\/b"#
            ),
            "{json}"
        );
    }

    #[test]
    fn suffixes_pick_the_format() {
        assert_eq!(Format::split_suffix("/api/2.0/people/@self.xml", false), ("/api/2.0/people/@self", Format::Xml));
        assert_eq!(Format::split_suffix("/api/2.0/people/@self.TML", false), ("/api/2.0/people/@self", Format::Xml));
        assert_eq!(Format::split_suffix("/api/2.0/people/@self.xml", true), ("/api/2.0/people/@self", Format::Json));
        assert_eq!(Format::split_suffix("/api/2.0/people/@self.json", false), ("/api/2.0/people/@self", Format::Json));
        assert_eq!(Format::split_suffix("/api/2.0/people/john.doe", false), ("/api/2.0/people/john.doe", Format::Json));
        assert_eq!(Format::split_suffix(".xml", false), (".xml", Format::Json));
    }

    #[test]
    fn single_objects_count_one_and_post_is_201() {
        let (status, body) = render(json!({"id": 1}), Method::POST, "", Format::Json);
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(body, r#"{"count":1,"status":0,"statusCode":201,"response":{"id":1}}"#);
    }

    #[test]
    fn empty_lists_and_void_omit_count() {
        let (_, body) = render(json!([]), Method::GET, "", Format::Json);
        assert_eq!(body, r#"{"status":0,"statusCode":200,"response":[]}"#);
        let list = ListOptions::default();
        let ctx = RenderContext { format: Format::Json, method: &Method::DELETE, list: &list };
        let (_, body, _) = render_reply(Reply::void(), StatusCode::OK, &ctx).unwrap();
        assert_eq!(String::from_utf8(body.to_vec()).unwrap(), r#"{"status":0,"statusCode":200,"response":{}}"#);
    }

    #[test]
    fn strings_count_their_length() {
        let (_, body) = render(json!("http://x/y"), Method::GET, "", Format::Json);
        assert_eq!(body, r#"{"count":10,"status":0,"statusCode":200,"response":"http:\/\/x\/y"}"#);
    }

    #[test]
    fn list_envelope_has_paging_keys_in_order() {
        let items: Vec<Value> = (0..30).map(|i| json!({"id": i})).collect();
        let (_, body) = render(Value::Array(items), Method::GET, "count=10&startIndex=10&fields=id", Format::Json);
        assert!(body.starts_with(r#"{"count":10,"startIndex":10,"nextIndex":21,"total":30,"status":0,"statusCode":200,"response":[{"id":10}"#), "{body}");
    }

    #[test]
    fn xml_is_the_same_value() {
        let (_, body) = render(json!({"id": 1, "tags": ["a", "b"], "none": null}), Method::GET, "", Format::Xml);
        assert_eq!(body, "<result><count>1</count><status>0</status><statusCode>200</statusCode><response><id>1</id><tags>a</tags><tags>b</tags><none /></response></result>");
    }

    #[test]
    fn errors_render_the_error_envelope() {
        let list = ListOptions::from_query("startIndex=5", chrono_tz::Tz::UTC).unwrap();
        let ctx = RenderContext { format: Format::Json, method: &Method::GET, list: &list };
        let error = ErrorReply { message: "Not found".into(), hresult: -2147467259 };
        let (body, _) = render_error(&error, StatusCode::NOT_FOUND, &ctx);
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"startIndex":5,"status":1,"statusCode":404,"error":{"message":"Not found","hresult":-2147467259,"data":{}}}"#
        );
    }
}
