//! The response envelope. Handlers return a [`Reply`] (or an `ApiError`); the envelope
//! middleware renders either as JSON or XML, with the request's list options applied, so every
//! endpoint answers the same way and the XML is always derived from the JSON value.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::list::{self, ListOptions, Paging};
use super::{json, xml};
use crate::error::{ApiError, ApiResult};

/// How the client wants the answer, picked by the URL suffix alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    value: Value,
    paging: Paging,
}

impl Reply {
    /// One object (or any serialisable value).
    pub fn of<T: Serialize + ?Sized>(value: &T) -> ApiResult<Reply> {
        let value = serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))?;
        Ok(Reply { value, paging: Paging::Generic })
    }

    /// A whole list, for the generic filter/sort/page pipeline.
    pub fn list<T: Serialize>(items: &[T]) -> ApiResult<Reply> {
        Reply::of(items)
    }

    /// A whole list the method filtered itself (from `filterBy`/`filterValue`).
    pub fn filtered_list<T: Serialize>(items: &[T]) -> ApiResult<Reply> {
        let mut reply = Reply::of(items)?;
        reply.paging = Paging::Filtered;
        Ok(reply)
    }

    /// One page of a list the method paged itself, out of `total`.
    pub fn page<T: Serialize>(items: &[T], total: u64) -> ApiResult<Reply> {
        let mut reply = Reply::of(items)?;
        reply.paging = Paging::Paged { total };
        Ok(reply)
    }

    /// The [`ListOptions::window`](super::list::ListOptions::window) of a list of `len` items.
    pub fn window<T: Serialize>(items: &[T], len: usize) -> ApiResult<Reply> {
        let mut reply = Reply::of(items)?;
        reply.paging = Paging::Window { len: len as u64 };
        Ok(reply)
    }

    /// No result: the envelope carries `"response":{}`.
    pub fn void() -> Reply {
        Reply { value: Value::Null, paging: Paging::Generic }
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

/// Renders a successful reply: 201 for POST, otherwise the handler's status.
pub fn render_reply(reply: Reply, status: StatusCode, ctx: &RenderContext) -> (StatusCode, Vec<u8>, &'static str) {
    let status = if *ctx.method == Method::POST && status == StatusCode::OK { StatusCode::CREATED } else { status };
    let (mut response, count, total, next_index) = match reply.value {
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
    let envelope = Envelope {
        count: (count > 0).then_some(count),
        start_index: (ctx.list.start_index > 0).then_some(ctx.list.start_index),
        next_index,
        total,
        status: 0,
        status_code: status.as_u16(),
        response: Value::Null,
    };
    // The result moves in after the (small) envelope is converted, rather than being copied.
    let mut envelope = serde_json::to_value(envelope).unwrap_or_default();
    envelope["response"] = response;
    (status, encode(ctx.format, &envelope), ctx.format.content_type())
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
pub fn with_body(mut response: Response, status: StatusCode, body: Vec<u8>, content_type: &'static str) -> Response {
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    *response.body_mut() = axum::body::Body::from(body);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(value: Value, method: Method, query: &str, format: Format) -> (StatusCode, String) {
        let list = ListOptions::from_query(query, chrono_tz::Tz::UTC).unwrap();
        let ctx = RenderContext { format, method: &method, list: &list };
        let (status, body, _) = render_reply(Reply::of(&value).unwrap(), StatusCode::OK, &ctx);
        (status, String::from_utf8(body).unwrap())
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
        let (_, body, _) = render_reply(Reply::void(), StatusCode::OK, &ctx);
        assert_eq!(String::from_utf8(body).unwrap(), r#"{"status":0,"statusCode":200,"response":{}}"#);
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
