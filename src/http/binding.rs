//! Parameter binding as the original does it: route values, the query string and the body are
//! merged into one collection looked up by name, case-insensitively; the first value wins for
//! scalars. Bodies may be JSON (flattened), `text/xml` (flattened the same way), or a form
//! (urlencoded or multipart) with jQuery bracket syntax: `ids[]=1`, `ids=1&ids=2`,
//! `ids[0]=1`, `contacts[0][Type]=x`, `contacts[0].Type=x`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use uuid::Uuid;

use super::datetime;
use crate::error::{ApiError, ApiResult};
pub use crate::model::ids::parse_guid;

/// The most items one list parameter may hold (values or objects); more is a 400 naming it.
/// Bodies are limited in bytes too (`--max-body-bytes`, 413).
pub const MAX_LIST_ITEMS: usize = 100_000;

/// Flattening copies a value's whole path into each value under it, so a long name or deep
/// nesting over many small values would multiply a body in memory (a 1 MB key over an array of
/// a million `1`s: a terabyte). What flattening may allocate is this many times the body's size,
/// plus the floor; beyond it the body is refused with 413. Ordinary bodies, a list of 100,000
/// objects included, stay under a tenth of it.
const EXPANSION_FACTOR: usize = 16;
const EXPANSION_FLOOR: usize = 1 << 20;
/// The bookkeeping of one entry and of each path segment, besides their text.
const ENTRY_OVERHEAD: usize = 56;
const SEGMENT_OVERHEAD: usize = 24;

/// What flattening one body may still allocate.
pub(super) struct ExpansionBudget {
    left: usize,
}

impl ExpansionBudget {
    pub(super) fn for_body(len: usize) -> Self {
        ExpansionBudget { left: len.saturating_mul(EXPANSION_FACTOR).saturating_add(EXPANSION_FLOOR) }
    }

    /// Charges one flattened value; a 413 once the budget is spent.
    pub(super) fn charge(&mut self, path: &[String], value: &str) -> ApiResult<()> {
        let cost = ENTRY_OVERHEAD + value.len() + path.iter().map(|s| s.len() + SEGMENT_OVERHEAD).sum::<usize>();
        self.left = self.left.checked_sub(cost).ok_or(ApiError::PayloadTooLarge)?;
        Ok(())
    }
}

/// One bound value: its path (`["contacts", "0", "type"]`) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    path: Vec<String>,
    value: String,
}

/// A file sent in a multipart form.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub field: String,
    pub file_name: String,
    pub bytes: axum::body::Bytes,
}

/// The merged parameters of a request (or the properties of one object inside them).
#[derive(Debug, Clone, Default)]
pub struct Params {
    entries: Vec<Entry>,
    files: Vec<UploadedFile>,
    tz: Tz,
}

/// A type a parameter's text converts to. `Ok(None)` means "no value" (an empty string for a
/// nullable type); `Err` says why the text does not fit.
pub trait FromParam: Sized {
    fn from_param(text: &str, tz: Tz) -> Result<Option<Self>, String>;
}

impl Params {
    pub fn new(tz: Tz) -> Self {
        Params { entries: Vec::new(), files: Vec::new(), tz }
    }

    /// Adds a value under a form-style key (`name`, `name[]`, `name[0][prop]`, `name[0].prop`).
    pub fn push_key(&mut self, key: &str, value: impl Into<String>) {
        if let Some(path) = parse_key(key) {
            self.entries.push(Entry { path, value: value.into() });
        }
    }

    /// Adds the pairs of an urlencoded string (a query string or a form body).
    pub fn push_urlencoded(&mut self, text: &[u8]) {
        for (key, value) in form_urlencoded::parse(text) {
            self.push_key(&key, value.into_owned());
        }
    }

    /// Adds a JSON body, which must be an object.
    pub fn push_json(&mut self, body: &[u8]) -> ApiResult<()> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("Unable to deserialize json: {e}")))?;
        let Value::Object(map) = value else {
            return Err(ApiError::bad_request("Unable to deserialize json: the body must be a JSON object"));
        };
        let mut budget = ExpansionBudget::for_body(body.len());
        for (key, item) in &map {
            flatten_json(&mut vec![key.clone()], item, &mut self.entries, &mut budget)?;
        }
        Ok(())
    }

    /// Adds a `text/xml` body.
    pub fn push_xml(&mut self, body: &[u8]) -> ApiResult<()> {
        let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("Unable to read xml: not UTF-8"))?;
        let pairs = super::xml::flatten_body(text, &mut ExpansionBudget::for_body(body.len()))?;
        self.entries.extend(pairs.into_iter().map(|(path, value)| Entry { path, value }));
        Ok(())
    }

    /// Adds a route value.
    /// Adds a file of a multipart form.
    pub fn push_file(&mut self, file: UploadedFile) {
        self.files.push(file);
    }

    /// The first file sent under `name` (`name[]` too).
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.field.trim_end_matches("[]").eq_ignore_ascii_case(name))
    }

    pub fn push_route(&mut self, name: &str, value: &str) {
        self.entries.push(Entry { path: vec![name.to_string()], value: value.to_string() });
    }

    /// The first plain value of `name`.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.path.len() == 1 && e.path[0].eq_ignore_ascii_case(name))
            .map(|e| e.value.as_str())
    }

    /// Whether anything at all was sent under `name` (plain, listed or as an object).
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.path[0].eq_ignore_ascii_case(name))
    }

    /// The value of `name` converted to `T`; `None` when absent or empty.
    pub fn get<T: FromParam>(&self, name: &str) -> ApiResult<Option<T>> {
        match self.raw(name) {
            Some(text) => T::from_param(text, self.tz).map_err(|why| ApiError::invalid(name, why)),
            None => Ok(None),
        }
    }

    /// Like [`Params::get`], but a missing value is a 400 naming the parameter.
    pub fn require<T: FromParam>(&self, name: &str) -> ApiResult<T> {
        self.get(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// A simple collection: `name=1&name=2`, `name[]=1`, `name[0]=1`, or a JSON array. Missing
    /// means empty, as in the original.
    pub fn list<T: FromParam>(&self, name: &str) -> ApiResult<Vec<T>> {
        let mut indexed: Vec<(usize, &str)> = Vec::new();
        let mut plain: Vec<&str> = Vec::new();
        for entry in self.entries.iter().filter(|e| e.path[0].eq_ignore_ascii_case(name)) {
            match entry.path.as_slice() {
                [_] => plain.push(&entry.value),
                [_, index] if index.is_empty() => plain.push(&entry.value),
                [_, index] => match index.parse::<usize>() {
                    Ok(i) => indexed.push((i, &entry.value)),
                    Err(_) => return Err(ApiError::invalid(name, "expected a list of values")),
                },
                _ => return Err(ApiError::invalid(name, "expected a list of values, not objects")),
            }
        }
        if plain.len() + indexed.len() > MAX_LIST_ITEMS {
            return Err(too_many(name));
        }
        indexed.sort_by_key(|(i, _)| *i);
        plain
            .into_iter()
            .chain(indexed.into_iter().map(|(_, v)| v))
            .enumerate()
            .filter_map(|(i, text)| match T::from_param(text, self.tz) {
                Ok(Some(value)) => Some(Ok(value)),
                Ok(None) => None,
                Err(why) => Some(Err(ApiError::invalid(&format!("{name}[{i}]"), why))),
            })
            .collect()
    }

    /// A collection of objects: `name[0][prop]=v` (or `name[0].prop`, or JSON), each object's
    /// properties as a `Params` of its own. A single object sent without an index
    /// (`name[prop]=v`, or a JSON array of one object) is a list of one. Objects sent with an
    /// empty index (`name[][prop]=v`, as Rails, PHP and `qs` write them) follow in order, a new
    /// one starting whenever a property repeats.
    pub fn objects(&self, name: &str) -> ApiResult<Vec<Params>> {
        // Keyed by index: finding an object by a scan of the list made binding quadratic (48 s
        // for 200,000 objects).
        let mut indexed: BTreeMap<usize, Params> = BTreeMap::new();
        let mut single = Params::new(self.tz);
        let mut unindexed: Vec<Params> = Vec::new();
        for entry in self.entries.iter().filter(|e| e.path[0].eq_ignore_ascii_case(name)) {
            match entry.path.as_slice() {
                [_] => return Err(ApiError::invalid(name, "expected a list of objects")),
                [_, index, prop, rest @ ..] if index.is_empty() && !prop.is_empty() => {
                    let repeats = unindexed.last().is_none_or(|object| object.has(prop));
                    if repeats {
                        if unindexed.len() == MAX_LIST_ITEMS {
                            return Err(too_many(name));
                        }
                        unindexed.push(Params::new(self.tz));
                    }
                    let mut path = vec![prop.clone()];
                    path.extend(rest.iter().cloned());
                    if let Some(object) = unindexed.last_mut() {
                        object.entries.push(Entry { path, value: entry.value.clone() });
                    }
                }
                [_, index, rest @ ..]
                    if !rest.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) && !index.is_empty() =>
                {
                    let i: usize = index.parse().map_err(|_| ApiError::invalid(name, "index too large"))?;
                    let object = indexed.entry(i).or_insert_with(|| Params::new(self.tz));
                    object.entries.push(Entry { path: rest.to_vec(), value: entry.value.clone() });
                }
                [_, prop, rest @ ..] if !prop.is_empty() && !prop.bytes().all(|b| b.is_ascii_digit()) => {
                    let mut path = vec![prop.clone()];
                    path.extend(rest.iter().cloned());
                    single.entries.push(Entry { path, value: entry.value.clone() });
                }
                _ => return Err(ApiError::invalid(name, "expected a list of objects")),
            }
        }
        if indexed.len() + unindexed.len() > MAX_LIST_ITEMS {
            return Err(too_many(name));
        }
        let mut objects: Vec<Params> = indexed.into_values().collect();
        if !single.entries.is_empty() {
            objects.insert(0, single);
        }
        objects.extend(unindexed);
        Ok(objects)
    }
}

fn too_many(name: &str) -> ApiError {
    ApiError::invalid(name, format!("a list holds at most {MAX_LIST_ITEMS} items"))
}

/// Splits `name[a][b].c` into `["name", "a", "b", "c"]`; `None` for a malformed key.
fn parse_key(key: &str) -> Option<Vec<String>> {
    let name_end = key.find('[').unwrap_or(key.len());
    let name = &key[..name_end];
    if name.is_empty() {
        return None;
    }
    let mut path = vec![name.to_string()];
    let mut rest = &key[name_end..];
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            path.push(inner[..close].to_string());
            rest = &inner[close + 1..];
        } else if let Some(inner) = rest.strip_prefix('.') {
            let end = inner.find(['[', '.']).unwrap_or(inner.len());
            path.push(inner[..end].to_string());
            rest = &inner[end..];
        } else {
            return None;
        }
    }
    Some(path)
}

/// JSON to entries: objects extend the path, arrays of scalars repeat the value, arrays that
/// hold objects or arrays are indexed (a one-object array included), `null` is an empty text.
fn flatten_json(
    path: &mut Vec<String>,
    value: &Value,
    out: &mut Vec<Entry>,
    budget: &mut ExpansionBudget,
) -> ApiResult<()> {
    let scalar = match value {
        Value::Object(map) => {
            for (key, item) in map {
                path.push(key.clone());
                flatten_json(path, item, out, budget)?;
                path.pop();
            }
            return Ok(());
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                flatten_json(path, item, out, budget)?;
                path.pop();
            }
            return Ok(());
        }
        Value::Array(items) => {
            for item in items {
                flatten_json(path, item, out, budget)?;
            }
            return Ok(());
        }
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
    };
    budget.charge(path, &scalar)?;
    out.push(Entry { path: path.clone(), value: scalar });
    Ok(())
}

impl FromParam for String {
    /// A NUL character cannot be stored as text by PostgreSQL and cuts texts short in SQLite.
    fn from_param(text: &str, _tz: Tz) -> Result<Option<Self>, String> {
        if text.contains('\0') {
            return Err("a text may not contain a NUL character".into());
        }
        Ok(Some(text.to_string()))
    }
}

/// Non-string types: surrounding spaces are ignored and an empty text is no value.
fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

impl FromParam for bool {
    fn from_param(text: &str, _tz: Tz) -> Result<Option<Self>, String> {
        let Some(text) = non_empty(text) else {
            return Ok(None);
        };
        if text.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if text.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(format!("'{text}' is not a boolean (use true or false)"))
        }
    }
}

macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl FromParam for $t {
            fn from_param(text: &str, _tz: Tz) -> Result<Option<Self>, String> {
                let Some(text) = non_empty(text) else { return Ok(None) };
                text.parse::<$t>().map(Some).map_err(|_| format!("'{text}' is not a whole number in range"))
            }
        }
    )*};
}
integer_param!(i32, i64, u32, u64);

impl FromParam for f64 {
    fn from_param(text: &str, _tz: Tz) -> Result<Option<Self>, String> {
        let Some(text) = non_empty(text) else {
            return Ok(None);
        };
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(format!("'{text}' is not a number")),
        }
    }
}

impl FromParam for Uuid {
    fn from_param(text: &str, _tz: Tz) -> Result<Option<Self>, String> {
        let Some(text) = non_empty(text) else {
            return Ok(None);
        };
        parse_guid(text).map(Some).ok_or_else(|| format!("'{text}' is not a GUID"))
    }
}

impl FromParam for DateTime<Utc> {
    fn from_param(text: &str, tz: Tz) -> Result<Option<Self>, String> {
        let Some(text) = non_empty(text) else {
            return Ok(None);
        };
        datetime::parse(text, tz).map(Some)
    }
}

/// An enum that binds by member name (case-insensitive) or number; flag enums also take
/// comma-separated names, OR-ed together.
pub trait ApiEnum: Sized + Copy {
    const NAMES: &'static [(&'static str, i64)];
    const FLAGS: bool = false;
    fn from_number(n: i64) -> Option<Self>;
}

/// Wraps an [`ApiEnum`] for binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enum<E>(pub E);

impl<E: ApiEnum> Enum<E> {
    /// Converts a text that did not come through `Params` (a list option, say).
    pub fn from_param_named(text: &str, name: &str) -> ApiResult<E> {
        match Self::from_param(text, Tz::UTC) {
            Ok(Some(Enum(value))) => Ok(value),
            Ok(None) => Err(ApiError::missing(name)),
            Err(why) => Err(ApiError::invalid(name, why)),
        }
    }
}

impl<E: ApiEnum> FromParam for Enum<E> {
    fn from_param(text: &str, _tz: Tz) -> Result<Option<Self>, String> {
        let Some(text) = non_empty(text) else {
            return Ok(None);
        };
        let bad =
            || format!("'{text}' is not one of {}", E::NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "));
        let number = if let Ok(n) = text.parse::<i64>() {
            n
        } else {
            let mut total = 0;
            let parts: Vec<&str> = text.split(',').map(str::trim).collect();
            if parts.len() > 1 && !E::FLAGS {
                return Err(bad());
            }
            for part in parts {
                let (_, n) = E::NAMES.iter().find(|(name, _)| name.eq_ignore_ascii_case(part)).ok_or_else(bad)?;
                total |= n;
            }
            total
        };
        E::from_number(number).map(|e| Some(Enum(e))).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(text: &str) -> Params {
        let mut p = Params::new(Tz::UTC);
        p.push_urlencoded(text.as_bytes());
        p
    }

    fn json(text: &str) -> Params {
        let mut p = Params::new(Tz::UTC);
        p.push_json(text.as_bytes()).unwrap();
        p
    }

    #[test]
    fn names_are_case_insensitive_and_first_value_wins() {
        let mut p = Params::new(Tz::UTC);
        p.push_route("userid", "route");
        p.push_urlencoded(b"UserId=query&userName=a");
        assert_eq!(p.raw("USERID"), Some("route"));
        assert_eq!(p.get::<String>("username").unwrap().as_deref(), Some("a"));
        assert_eq!(p.get::<String>("missing").unwrap(), None);
        assert!(p.require::<String>("missing").unwrap_err().to_string().contains("'missing'"));
    }

    #[test]
    fn every_list_form_binds() {
        for text in ["ids=1&ids=2", "ids[]=1&ids[]=2", "ids[0]=1&ids[1]=2", "ids[1]=2&ids[0]=1", "IDS=1&ids=2"] {
            assert_eq!(form(text).list::<i64>("ids").unwrap(), vec![1, 2], "{text}");
        }
        assert_eq!(json(r#"{"ids":[1,2]}"#).list::<i64>("ids").unwrap(), vec![1, 2]);
        assert_eq!(json(r#"{"ids":[]}"#).list::<i64>("ids").unwrap(), Vec::<i64>::new());
        assert_eq!(form("").list::<i64>("ids").unwrap(), Vec::<i64>::new());
        assert!(form("ids=1,2").list::<i64>("ids").is_err(), "comma lists are not split");
        let err = form("ids=1&ids=x").list::<i64>("ids").unwrap_err().to_string();
        assert!(err.contains("ids[1]"), "{err}");
    }

    #[test]
    fn object_lists_bind_from_forms_and_json() {
        for text in [
            "contacts[0][Type]=skype&contacts[0][Value]=a&contacts[1][type]=mail&contacts[1][value]=b",
            "contacts[0].Type=skype&contacts[0].Value=a&contacts[1].type=mail&contacts[1].value=b",
        ] {
            let objects = form(text).objects("contacts").unwrap();
            assert_eq!(objects.len(), 2, "{text}");
            assert_eq!(objects[0].raw("type"), Some("skype"));
            assert_eq!(objects[1].raw("Value"), Some("b"));
        }
        let objects = json(r#"{"contacts":[{"type":"skype","value":"a"}]}"#).objects("contacts").unwrap();
        assert_eq!(objects.len(), 1, "a one-object array is a list of one");
        assert_eq!(objects[0].raw("value"), Some("a"));
        let unindexed = form(
            "contacts[][type]=skype&contacts[][value]=a&contacts[][Type]=mail&contacts[][value]=b&contacts[][value]=c",
        )
        .objects("contacts")
        .unwrap();
        let pairs: Vec<(Option<&str>, Option<&str>)> =
            unindexed.iter().map(|o| (o.raw("type"), o.raw("value"))).collect();
        assert_eq!(
            pairs,
            [(Some("skype"), Some("a")), (Some("mail"), Some("b")), (None, Some("c"))],
            "a repeated property starts the next object"
        );
        let single = form("contacts[type]=skype&contacts[value]=a").objects("contacts").unwrap();
        assert_eq!(single.len(), 1);
        assert!(form("contacts=x").objects("contacts").is_err());
    }

    #[test]
    fn nested_json_flattens_to_brackets() {
        let p = json(r#"{"a":{"b":{"c":"x"}},"n":null,"t":true,"f":1.5}"#);
        assert_eq!(p.objects("a").unwrap()[0].objects("b").unwrap()[0].raw("c"), Some("x"));
        assert_eq!(p.get::<String>("n").unwrap().as_deref(), Some(""));
        assert_eq!(p.get::<i64>("n").unwrap(), None);
        assert_eq!(p.get::<bool>("t").unwrap(), Some(true));
        assert_eq!(p.get::<f64>("f").unwrap(), Some(1.5));
    }

    #[test]
    fn bad_json_is_a_400() {
        let mut p = Params::new(Tz::UTC);
        assert!(matches!(p.push_json(b"{"), Err(ApiError::BadRequest(_))));
        assert!(matches!(p.push_json(b"[1]"), Err(ApiError::BadRequest(_))));
        assert!(p.push_json(b"  ").is_ok());
    }

    #[test]
    fn conversions() {
        let p = form("b1=TRUE&b2=1&g1=9924256A739C462BAF15E652A3B1B6EB&g2={9924256a-739c-462b-af15-e652a3b1b6eb}&g3=(9924256A-739C-462b-AF15-E652A3B1B6EB)&g4=nope&n=12x&d=2020-01-02");
        assert_eq!(p.get::<bool>("b1").unwrap(), Some(true));
        assert!(p.get::<bool>("b2").is_err(), "1/0 are not booleans");
        let id = Uuid::parse_str("9924256a-739c-462b-af15-e652a3b1b6eb").unwrap();
        for name in ["g1", "g2", "g3"] {
            assert_eq!(p.get::<Uuid>(name).unwrap(), Some(id), "{name}");
        }
        assert!(p.get::<Uuid>("g4").is_err());
        assert!(p.get::<i64>("n").is_err());
        assert!(p.get::<DateTime<Utc>>("d").unwrap().is_some());
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Status(i64);
    impl ApiEnum for Status {
        const NAMES: &'static [(&'static str, i64)] = &[("Active", 1), ("Terminated", 2), ("LeaveOfAbsence", 4)];
        const FLAGS: bool = true;
        fn from_number(n: i64) -> Option<Self> {
            (0..=7).contains(&n).then_some(Status(n))
        }
    }

    #[test]
    fn enums_bind_by_name_or_number() {
        let p = form("a=active&b=2&c=Active,LeaveOfAbsence&d=Nope&e=9");
        assert_eq!(p.get::<Enum<Status>>("a").unwrap(), Some(Enum(Status(1))));
        assert_eq!(p.get::<Enum<Status>>("b").unwrap(), Some(Enum(Status(2))));
        assert_eq!(p.get::<Enum<Status>>("c").unwrap(), Some(Enum(Status(5))));
        assert!(p.get::<Enum<Status>>("d").is_err());
        assert!(p.get::<Enum<Status>>("e").is_err());
    }

    #[test]
    fn malformed_keys_are_ignored() {
        let p = form("a[=1&[x]=2&b]=3&ok=4");
        assert_eq!(p.raw("ok"), Some("4"));
        assert_eq!(p.raw("a"), None);
    }
}
