//! XML: the response is produced from the same JSON value as the JSON form (so the formats
//! cannot drift), following Newtonsoft's JSON-to-XML conversion; request bodies in `text/xml`
//! are flattened into parameters the way JSON bodies are.

use std::collections::HashMap;
use std::fmt::Write;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

use super::binding::ExpansionBudget;
use crate::error::{ApiError, ApiResult};

/// Writes `<name>` for `value`: arrays become repeated `<name>` siblings (none when empty),
/// `null` and `{}` an empty element, booleans lowercase.
pub fn write_element(out: &mut String, name: &str, value: &Value) {
    if let Value::Array(items) = value {
        for item in items {
            write_element(out, name, item);
        }
        return;
    }
    let name = element_name(name);
    match value {
        Value::Null => {
            let _ = write!(out, "<{name} />");
        }
        Value::Object(map) if map.is_empty() => {
            let _ = write!(out, "<{name} />");
        }
        Value::Object(map) => {
            let _ = write!(out, "<{name}>");
            write_children(out, map);
            let _ = write!(out, "</{name}>");
        }
        scalar => {
            let _ = write!(out, "<{name}>");
            write_text(out, &scalar_text(scalar));
            let _ = write!(out, "</{name}>");
        }
    }
}

pub fn write_children(out: &mut String, map: &Map<String, Value>) {
    for (key, item) in map {
        write_element(out, key, item);
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
                format!("{f:.0}")
            }
            _ => n.to_string(),
        },
        _ => String::new(),
    }
}

fn write_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            // Not representable in XML 1.0, even as a reference.
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// XmlConvert.EncodeName: characters not allowed in a name become `_xHHHH_`.
fn element_name(name: &str) -> std::borrow::Cow<'_, str> {
    let valid =
        |i: usize, c: char| c.is_alphabetic() || c == '_' || (i > 0 && (c.is_alphanumeric() || c == '-' || c == '.'));
    if !name.is_empty() && name.chars().enumerate().all(|(i, c)| valid(i, c)) {
        return name.into();
    }
    let mut encoded = String::new();
    for (i, c) in name.chars().enumerate() {
        if valid(i, c) {
            encoded.push(c);
        } else {
            let _ = write!(encoded, "_x{:04X}_", c as u32);
        }
    }
    if encoded.is_empty() {
        encoded.push_str("_x0000_");
    }
    encoded.into()
}

/// The deepest request body accepted; deeper nesting would only exhaust the stack.
const MAX_DEPTH: usize = 64;

/// An element of a request body, before flattening.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

/// Parses a `text/xml` body and flattens the root's children to `(path, value)` pairs, with the
/// same rules as JSON: nested elements extend the path, repeated elements with children are
/// indexed, repeated leaves repeat the value.
pub(super) fn flatten_body(body: &str, budget: &mut ExpansionBudget) -> ApiResult<Vec<(Vec<String>, String)>> {
    let tree = parse_body(body).map_err(|e| ApiError::bad_request(format!("Unable to read xml: {e}")))?;
    let mut pairs = Vec::new();
    if let Some(root) = tree {
        flatten_children(&root, &mut Vec::new(), &mut pairs, budget)?;
    }
    Ok(pairs)
}

/// The root element of a body (`None` for an empty one).
fn parse_body(body: &str) -> Result<Option<Node>, String> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(format!("XML nested deeper than {MAX_DEPTH} levels"));
                }
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                stack.push(Node { name, ..Node::default() });
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node { name, ..Node::default() });
                }
            }
            Event::Text(text) => {
                let text = text.unescape().map_err(|e| e.to_string())?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&text);
                }
            }
            Event::CData(data) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced XML")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Err("unbalanced XML".into()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("unexpected end of XML".into());
    }
    let document = stack.pop().unwrap_or_default();
    match document.children.len() {
        0 | 1 => Ok(document.children.into_iter().next()),
        _ => Err("XML body must have one root element".into()),
    }
}

fn flatten_children(
    node: &Node,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
    budget: &mut ExpansionBudget,
) -> ApiResult<()> {
    // Counted once per name: counting a child's namesakes by a scan per child was quadratic.
    let mut totals: HashMap<&str, usize> = HashMap::new();
    for child in &node.children {
        *totals.entry(child.name.as_str()).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for child in &node.children {
        let seen = seen.entry(child.name.as_str()).or_default();
        let index = *seen;
        *seen += 1;
        path.push(child.name.clone());
        if child.children.is_empty() {
            let text = child.text.trim();
            budget.charge(path, text)?;
            out.push((path.clone(), text.to_string()));
        } else if totals[child.name.as_str()] > 1 {
            path.push(index.to_string());
            flatten_children(child, path, out, budget)?;
            path.pop();
        } else {
            flatten_children(child, path, out, budget)?;
        }
        path.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn xml(value: Value) -> String {
        let mut out = String::new();
        write_element(&mut out, "result", &value);
        out
    }

    #[test]
    fn arrays_are_repeated_siblings_and_empty_arrays_vanish() {
        assert_eq!(
            xml(json!({"status": 0, "response": [{"id": 1}, {"id": 2}]})),
            "<result><status>0</status><response><id>1</id></response><response><id>2</id></response></result>"
        );
        assert_eq!(xml(json!({"status": 0, "response": []})), "<result><status>0</status></result>");
    }

    #[test]
    fn scalars_nulls_and_names() {
        assert_eq!(
            xml(json!({"a": null, "b": {}, "c": "", "d": true, "e": 1.0, "f": "x<&>y", "1": 2})),
            "<result><a /><b /><c></c><d>true</d><e>1</e><f>x&lt;&amp;&gt;y</f><_x0031_>2</_x0031_></result>"
        );
    }

    #[test]
    fn bodies_flatten_like_json() {
        let flatten = |body: &str| flatten_body(body, &mut ExpansionBudget::for_body(body.len()));
        let pairs = flatten(
            "<request><userName>a</userName><ids>1</ids><ids>2</ids>\
             <contacts><type>x</type><value>y</value></contacts><contacts><type>z</type><value>w</value></contacts>\
             <one><type>k</type></one></request>",
        )
        .unwrap();
        let keys: Vec<String> = pairs.iter().map(|(p, v)| format!("{}={v}", p.join("."))).collect();
        assert_eq!(
            keys,
            vec![
                "userName=a",
                "ids=1",
                "ids=2",
                "contacts.0.type=x",
                "contacts.0.value=y",
                "contacts.1.type=z",
                "contacts.1.value=w",
                "one.type=k"
            ]
        );
        assert!(flatten("<a><b></a>").is_err());
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(flatten(&deep).unwrap_err().to_string().contains("deeper"));
        assert_eq!(flatten("").unwrap(), vec![]);
    }
}
