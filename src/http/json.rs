//! JSON text as the original writes it: Newtonsoft's layout, with every string value escaped
//! the way the old WCF JSON writer did (`/` as `\/`, control characters and surrogates as
//! lowercase `\u00xx`), which clients and the docs' samples show.

use std::fmt::Write;

use serde_json::Value;

/// Writes `value` compactly, in its key order.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_key(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Property names use ordinary JSON escaping.
pub fn write_key(out: &mut String, key: &str) {
    out.push_str(&serde_json::to_string(key).unwrap_or_else(|_| "\"\"".into()));
}

/// Floating-point numbers always keep a decimal point (`1.0`), as .NET doubles do.
fn write_number(out: &mut String, n: &serde_json::Number) {
    if n.is_f64() {
        let f = n.as_f64().unwrap_or_default();
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
            let _ = write!(out, "{f:.1}");
            return;
        }
    }
    let _ = write!(out, "{n}");
}

/// A string value in the WCF style.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) > 0xffff => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{:04x}", unit);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(value: Value) -> String {
        let mut out = String::new();
        write_value(&mut out, &value);
        out
    }

    #[test]
    fn strings_escape_like_wcf() {
        assert_eq!(text(json!("http://a/b")), r#""http:\/\/a\/b""#);
        assert_eq!(text(json!("a\nb\u{1}")), r#""a\u000ab\u0001""#);
        assert_eq!(text(json!("q\"\\")), r#""q\"\\""#);
        assert_eq!(text(json!("Привет 日本")), "\"Привет 日本\"");
        assert_eq!(text(json!("😀")), r#""\ud83d\ude00""#);
    }

    #[test]
    fn numbers_and_structure() {
        assert_eq!(
            text(json!({"a": 1, "b": 1.0, "c": 2.5, "d": [true, null]})),
            r#"{"a":1,"b":1.0,"c":2.5,"d":[true,null]}"#
        );
        assert_eq!(text(json!({"k/x": "v"})), r#"{"k/x":"v"}"#);
    }

    #[test]
    fn output_parses_back_to_the_same_value() {
        let value = json!({"s": "a/\u{7}\u{fffe}😀é", "n": [1, -2, 3.25], "o": {}});
        let parsed: Value = serde_json::from_str(&text(value.clone())).unwrap();
        assert_eq!(parsed, value);
    }
}
