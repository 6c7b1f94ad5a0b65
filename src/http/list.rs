//! The list context read from the query string of every request (`startIndex`, `count`,
//! `sortBy`, `sortOrder`, `filterBy`, `filterOp`, `filterValue`, `fields`, `updatedSince`), and
//! the generic pipeline the original applies to list results that the method did not page
//! itself: filter, sort, skip, take.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::binding::{FromParam, Params};
use crate::error::ApiResult;

/// Page size when none is asked for, and the most a page may hold.
pub const MAX_PAGE: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterOp {
    Contains,
    #[default]
    Equals,
    StartsWith,
    EndsWith,
    /// A case-sensitive substring test.
    Present,
}

/// What the query string asks of a list.
#[derive(Debug, Clone)]
pub struct ListOptions {
    pub start_index: u64,
    pub count: u64,
    pub sort_by: Vec<String>,
    pub descending: bool,
    pub filter_by: Vec<String>,
    pub filter_op: FilterOp,
    /// The raw `filterValue`; many endpoints use it as a free-text search.
    pub filter_value: Option<String>,
    pub fields: Vec<String>,
    pub updated_since: Option<DateTime<Utc>>,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions {
            start_index: 0,
            count: MAX_PAGE,
            sort_by: Vec::new(),
            descending: false,
            filter_by: Vec::new(),
            filter_op: FilterOp::default(),
            filter_value: None,
            fields: Vec::new(),
            updated_since: None,
        }
    }
}

fn comma_list(text: Option<String>) -> Vec<String> {
    text.map(|t| t.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

impl ListOptions {
    /// Reads the options from the query string (`name[]=` forms too). A value that cannot be
    /// used (`count=abc`, a bad `updatedSince`) is a 400 naming the parameter.
    pub fn from_query(query: &str, tz: Tz) -> ApiResult<ListOptions> {
        let mut params = Params::new(tz);
        params.push_urlencoded(query.as_bytes());
        let first = |name: &str| -> Option<String> {
            params.raw(name).map(str::to_string).or_else(|| params.list::<String>(name).ok()?.into_iter().next())
        };
        let number = |name: &str| -> ApiResult<Option<i64>> {
            match first(name) {
                Some(text) => params_value::<i64>(name, &text, tz),
                None => Ok(None),
            }
        };
        let start_index = number("startIndex")?.unwrap_or(0).max(0) as u64;
        let count = match number("count")? {
            Some(n) if n < 0 => return Err(crate::error::ApiError::invalid("count", "must not be negative")),
            Some(0) | None => MAX_PAGE,
            Some(n) => (n as u64).min(MAX_PAGE),
        };
        let filter_op = match first("filterOp").map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("contains") => FilterOp::Contains,
            Some("startswith") => FilterOp::StartsWith,
            Some("endswith") => FilterOp::EndsWith,
            Some("present") => FilterOp::Present,
            _ => FilterOp::Equals,
        };
        let updated_since = match first("updatedSince") {
            Some(text) => params_value::<DateTime<Utc>>("updatedSince", &text, tz)?,
            None => None,
        };
        Ok(ListOptions {
            start_index,
            count,
            sort_by: comma_list(first("sortBy")),
            descending: first("sortOrder").as_deref() == Some("descending"),
            filter_by: comma_list(first("filterBy")),
            filter_op,
            filter_value: first("filterValue"),
            fields: comma_list(first("fields")),
            updated_since,
        })
    }

    /// The values of a generic filter, when one applies: `filterBy` set and no value empty.
    /// The part of a list of `len` items the answer shows, when the list options need no other
    /// item to find it (no `sortBy`, no `filterBy`): the method may then build only those items.
    pub fn window(&self, len: usize) -> Option<std::ops::Range<usize>> {
        if !self.sort_by.is_empty() || self.filter_values().is_some() {
            return None;
        }
        let start = usize::try_from(self.start_index).unwrap_or(usize::MAX).min(len);
        let end = start.saturating_add(usize::try_from(self.count).unwrap_or(usize::MAX)).min(len);
        Some(start..end)
    }

    fn filter_values(&self) -> Option<Vec<&str>> {
        if self.filter_by.is_empty() {
            return None;
        }
        let values: Vec<&str> = self.filter_value.as_deref()?.split(',').collect();
        values.iter().all(|v| !v.is_empty()).then_some(values)
    }
}

fn params_value<T: FromParam>(name: &str, text: &str, tz: Tz) -> ApiResult<Option<T>> {
    T::from_param(text, tz).map_err(|why| crate::error::ApiError::invalid(name, why))
}

/// How a list came back from its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// The whole list: the generic pipeline filters, sorts and pages it.
    Generic,
    /// The whole list, already filtered by the method (which read `filterBy` itself): the
    /// generic pipeline sorts and pages it.
    Filtered,
    /// Already one page, filtered and sorted by the method; `total` items exist in all.
    Paged { total: u64 },
    /// The [`ListOptions::window`] of a generic list of `len` items: answered as the whole list
    /// would have been.
    Window { len: u64 },
}

/// A page and the envelope numbers that describe it.
pub struct Page {
    pub items: Vec<Value>,
    pub total: Option<u64>,
    pub next_index: Option<u64>,
}

/// The `total` and `nextIndex` of a page of `len` items the method paged itself.
pub fn paged(len: u64, total: u64, options: &ListOptions) -> (Option<u64>, Option<u64>) {
    let more = total > options.start_index + len;
    let next_index = (len == options.count && more).then_some(options.start_index + options.count + 1);
    (Some(total), next_index)
}

/// Runs the pipeline on a list result.
pub fn page(items: Vec<Value>, paging: Paging, options: &ListOptions) -> Page {
    let size = options.count;
    match paging {
        Paging::Paged { total } => {
            let (total, next_index) = paged(items.len() as u64, total, options);
            Page { items, total, next_index }
        }
        Paging::Window { len } => {
            let total = (len > size).then_some(len);
            let more = len > options.start_index + items.len() as u64;
            let next_index = (items.len() as u64 == size && more).then_some(options.start_index + size + 1);
            Page { items, total, next_index }
        }
        Paging::Generic | Paging::Filtered => {
            let raw_len = items.len() as u64;
            let mut items = items;
            if let (Paging::Generic, Some(values)) = (paging, options.filter_values()) {
                items.retain(|item| matches_filter(item, &options.filter_by, options.filter_op, &values));
            }
            if !options.sort_by.is_empty() {
                items.sort_by(|a, b| {
                    let order = options
                        .sort_by
                        .iter()
                        .map(|field| compare(property(a, field), property(b, field)))
                        .find(|o| *o != Ordering::Equal)
                        .unwrap_or(Ordering::Equal);
                    if options.descending {
                        order.reverse()
                    } else {
                        order
                    }
                });
            }
            let filtered = items.len() as u64;
            let page: Vec<Value> = items.into_iter().skip(options.start_index as usize).take(size as usize).collect();
            let total = (raw_len > size).then_some(filtered);
            let more = filtered > options.start_index + page.len() as u64;
            let next_index = (page.len() as u64 == size && more).then_some(options.start_index + size + 1);
            Page { items: page, total, next_index }
        }
    }
}

/// A property by dotted path, names compared case-insensitively.
fn property<'a>(item: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(item, |value, name| {
        value.as_object()?.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    })
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn matches_filter(item: &Value, fields: &[String], op: FilterOp, values: &[&str]) -> bool {
    fields.iter().any(|field| {
        let Some(text) = text_of(property(item, field)) else {
            return false;
        };
        let lower = text.to_lowercase();
        values.iter().any(|value| {
            let wanted = value.to_lowercase();
            match op {
                FilterOp::Equals => lower == wanted,
                FilterOp::Contains => lower.contains(&wanted),
                FilterOp::StartsWith => lower.starts_with(&wanted),
                FilterOp::EndsWith => lower.ends_with(&wanted),
                FilterOp::Present => text.contains(value),
            }
        })
    })
}

/// Nulls first, numbers by value, everything else by case-insensitive text.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or_default().partial_cmp(&y.as_f64().unwrap_or_default()).unwrap_or(Ordering::Equal)
        }
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (x, y) => text_of(x).unwrap_or_default().to_lowercase().cmp(&text_of(y).unwrap_or_default().to_lowercase()),
    }
}

/// Keeps only the requested fields of an object or of each object in a list.
pub fn select_fields(value: &mut Value, fields: &[String]) {
    if fields.is_empty() {
        return;
    }
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| select_fields(item, fields)),
        Value::Object(map) => map.retain(|key, _| fields.iter().any(|f| f.eq_ignore_ascii_case(key))),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(query: &str) -> ListOptions {
        ListOptions::from_query(query, Tz::UTC).unwrap()
    }

    fn names(page: &Page) -> Vec<&str> {
        page.items.iter().map(|i| i["name"].as_str().unwrap_or("-")).collect()
    }

    fn people() -> Vec<Value> {
        vec![
            json!({"name": "bob", "age": 30, "boss": {"name": "Zed"}}),
            json!({"name": "Alice", "age": 25, "boss": {"name": "amy"}}),
            json!({"name": "carol", "age": 35, "boss": null}),
        ]
    }

    #[test]
    fn reads_options_and_rejects_bad_numbers() {
        let o = options("startIndex=-5&count=5000&sortOrder=descending&filterOp=STARTSWITH&fields=a,b&sortBy[]=x");
        assert_eq!((o.start_index, o.count, o.descending), (0, MAX_PAGE, true));
        assert_eq!(o.filter_op, FilterOp::StartsWith);
        assert_eq!(o.fields, vec!["a", "b"]);
        assert_eq!(o.sort_by, vec!["x"]);
        assert_eq!(options("count=0").count, MAX_PAGE);
        assert!(!options("sortOrder=Descending").descending, "exactly 'descending'");
        for bad in ["count=abc", "count=-1", "startIndex=x", "updatedSince=yesterday"] {
            let err = ListOptions::from_query(bad, Tz::UTC).unwrap_err().to_string();
            assert!(err.contains(bad.split('=').next().unwrap()), "{bad}: {err}");
        }
        assert!(options("updatedSince=2020-01-01").updated_since.is_some());
    }

    #[test]
    fn sorts_filters_and_pages() {
        let page = page_of("sortBy=name", people());
        assert_eq!(names(&page), vec!["Alice", "bob", "carol"]);
        let page = page_of("sortBy=age&sortOrder=descending", people());
        assert_eq!(names(&page), vec!["carol", "bob", "Alice"]);
        let page = page_of("sortBy=boss.name", people());
        assert_eq!(names(&page), vec!["carol", "Alice", "bob"], "null first, case-insensitive");
        let page = page_of("filterBy=name&filterOp=contains&filterValue=O", people());
        assert_eq!(names(&page), vec!["bob", "carol"]);
        let page = page_of("filterBy=name&filterOp=present&filterValue=A", people());
        assert_eq!(names(&page), vec!["Alice"], "present is case-sensitive");
        let page = page_of("filterBy=name,boss.name&filterValue=zed,carol", people());
        assert_eq!(names(&page), vec!["bob", "carol"]);
        let page = page_of("filterBy=name&filterValue=bob,", people());
        assert_eq!(page.items.len(), 3, "an empty value switches filtering off");
    }

    fn page_of(query: &str, items: Vec<Value>) -> Page {
        page(items, Paging::Generic, &options(query))
    }

    #[test]
    fn envelope_numbers_follow_the_original() {
        let many: Vec<Value> = (0..1500).map(|i| json!({"name": i})).collect();
        let p = page_of("", many.clone());
        assert_eq!((p.items.len(), p.total, p.next_index), (1000, Some(1500), Some(1001)));
        let p = page_of("startIndex=1000", many.clone());
        assert_eq!((p.items.len(), p.total, p.next_index), (500, Some(1500), None));
        let p = page_of("count=10&startIndex=20", many);
        assert_eq!((p.items.len(), p.total, p.next_index), (10, Some(1500), Some(31)));
        let p = page_of("", people());
        assert_eq!((p.total, p.next_index), (None, None), "short lists have no total");
        let p =
            page((0..25).map(|i| json!(i)).collect(), Paging::Paged { total: 100 }, &options("count=25&startIndex=25"));
        assert_eq!((p.total, p.next_index), (Some(100), Some(51)));
    }

    #[test]
    fn fields_keep_only_what_was_asked() {
        let mut value = json!([{"id": 1, "displayName": "a", "x": 2}]);
        select_fields(&mut value, &["ID".into(), "displayname".into()]);
        assert_eq!(value, json!([{"id": 1, "displayName": "a"}]));
    }

    #[test]
    fn a_window_answers_as_the_whole_list_would() {
        for query in ["", "count=25", "count=25&startIndex=25", "startIndex=1490", "count=5&startIndex=7", "count=0"] {
            for len in [0usize, 3, 25, 26, 1000, 1500] {
                let all: Vec<Value> = (0..len).map(|i| json!(i)).collect();
                let options = options(query);
                let window = options.window(len).expect("no sorting or filtering");
                let whole = page(all.clone(), Paging::Generic, &options);
                let part = page(all[window].to_vec(), Paging::Window { len: len as u64 }, &options);
                assert_eq!(
                    (part.items, part.total, part.next_index),
                    (whole.items, whole.total, whole.next_index),
                    "{query} over {len}"
                );
            }
        }
        assert!(options("sortBy=name").window(10).is_none());
        assert!(options("filterBy=name&filterValue=a").window(10).is_none());
    }
}
