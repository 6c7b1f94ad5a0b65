//! JSON text as the original writes it: Newtonsoft's layout, with every string value escaped
//! the way the old WCF JSON writer did (`/` as `\/`, control characters and surrogates as
//! lowercase `\u00xx`), which clients and the docs' samples show.

use std::fmt::Write;
use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};
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

/// Property names use ordinary JSON escaping (serde_json's, which [`WcfFormatter`] keeps for
/// them).
pub fn write_key(out: &mut String, key: &str) {
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Floating-point numbers always keep a decimal point (`1.0`), as .NET doubles do.
fn write_number(out: &mut String, n: &serde_json::Number) {
    match n.as_f64().filter(|_| n.is_f64()).and_then(whole_double) {
        Some(text) => out.push_str(&text),
        None => {
            let _ = write!(out, "{n}");
        }
    }
}

/// A double with no fraction, as .NET writes it (`1.0`); `None` for the others, which are
/// written the usual shortest way.
fn whole_double(f: f64) -> Option<String> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15).then(|| format!("{f:.1}"))
}

/// A string value in the WCF style.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    wcf_escaped(s, |piece| out.push_str(piece));
    out.push('"');
}

/// Hands `s` to `emit` as the runs written as they are and the WCF escapes between them.
fn wcf_escaped(s: &str, mut emit: impl FnMut(&str)) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut run = 0;
    let mut at = 0;
    // Bytes are scanned, and characters decoded only where one may need an escape: this runs
    // over every byte of every answer.
    while let Some(offset) = s.as_bytes()[at..].iter().position(|&b| may_begin_escaped(b)) {
        at += offset;
        let Some(c) = s[at..].chars().next() else { break };
        let short = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '/' => "\\/",
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') || (c as u32) > 0xffff => "",
            _ => {
                at += c.len_utf8();
                continue;
            }
        };
        emit(&s[run..at]);
        at += c.len_utf8();
        run = at;
        if !short.is_empty() {
            emit(short);
            continue;
        }
        for unit in c.encode_utf16(&mut [0u16; 2]) {
            let digits = [12, 8, 4, 0].map(|shift| HEX[usize::from(*unit >> shift & 0xf)]);
            let escape = [b'\\', b'u', digits[0], digits[1], digits[2], digits[3]];
            emit(std::str::from_utf8(&escape).unwrap_or_default());
        }
    }
    emit(&s[run..]);
}

/// Whether a byte can begin a character WCF escapes: an ASCII control, `"`, `\`, `/`, or the
/// first byte of U+FFFE and U+FFFF (0xEF) or of a character beyond U+FFFF (0xF0 and up). None
/// of these is ever inside a character, so the scan stays on character boundaries.
fn may_begin_escaped(byte: u8) -> bool {
    byte < 0x20 || matches!(byte, b'"' | b'\\' | b'/' | 0xef) || byte >= 0xf0
}

/// serde_json's writer made to write what [`write_value`] writes for the same value, so that a
/// wire type can go to JSON text without first becoming a [`Value`] (a list page spent a third
/// of its time building, writing and freeing that value).
#[derive(Default)]
struct WcfFormatter {
    in_key: bool,
}

impl Formatter for WcfFormatter {
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.in_key = true;
        CompactFormatter.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_key = false;
        CompactFormatter.end_object_key(writer)
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        if self.in_key {
            return writer.write_all(fragment.as_bytes());
        }
        let mut written = Ok(());
        wcf_escaped(fragment, |piece| {
            if written.is_ok() {
                written = writer.write_all(piece.as_bytes());
            }
        });
        written
    }

    fn write_char_escape<W: ?Sized + io::Write>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()> {
        let control = match escape {
            _ if self.in_key => return CompactFormatter.write_char_escape(writer, escape),
            CharEscape::Quote => return writer.write_all(b"\\\""),
            CharEscape::ReverseSolidus => return writer.write_all(b"\\\\"),
            CharEscape::Solidus => return writer.write_all(b"\\/"),
            CharEscape::Backspace => 0x08,
            CharEscape::Tab => 0x09,
            CharEscape::LineFeed => 0x0a,
            CharEscape::FormFeed => 0x0c,
            CharEscape::CarriageReturn => 0x0d,
            CharEscape::AsciiControl(byte) => byte,
        };
        CompactFormatter.write_char_escape(writer, CharEscape::AsciiControl(control))
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        match whole_double(value) {
            Some(text) => writer.write_all(text.as_bytes()),
            None => CompactFormatter.write_f64(writer, value),
        }
    }

    /// A value holds an `f32` as the `f64` it widens to.
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }
}

/// `value` as JSON text, written as [`write_value`] writes `serde_json::to_value(value)`.
pub fn write_wire<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(out, WcfFormatter::default()))
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
        // U+E000..U+FFFD share their first byte with U+FFFE and U+FFFF and stay as they are.
        assert_eq!(text(json!("a\u{e000}b\u{fffd}\u{ffff}/")), "\"a\u{e000}b\u{fffd}\\uffff\\/\"");
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
