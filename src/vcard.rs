//! vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) read and written, for the properties the CRM keeps:
//! N, FN, ORG, TITLE, NOTE, EMAIL, TEL, ADR, URL, CATEGORIES, PHOTO and the kind of card (a
//! person or an organisation). Reading is lenient where the programs that write vCards differ
//! (Apple's `item1.` groups and `X-ABLabel`, 2.1-style bare type parameters, quoted-printable
//! text in a named character set) and strict where data would be lost: a card that cannot be
//! read whole is rejected with the line it failed on.
//!
//! The crates on crates.io were weighed first: `vcard4` and `vcard` read 4.0 only;
//! `vcard-rs` reads every version but is a byte-faithful editor of some 12,000 lines whose
//! content decoding goes through per-property cursors; what the CRM needs is this short reader.

use base64::Engine;

/// A property's value with its types (lower case: `work`, `home`, `cell`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    pub types: Vec<String>,
    pub value: String,
    pub preferred: bool,
}

impl Typed {
    pub fn has_type(&self, name: &str) -> bool {
        self.types.iter().any(|t| t == name)
    }
}

/// ADR's components that the CRM keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub types: Vec<String>,
    pub preferred: bool,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postcode: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Photo {
    /// The image's bytes.
    Embedded(Vec<u8>),
    /// A link, which the importer does not follow.
    Link(String),
}

/// One card as the CRM sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// The line of its `BEGIN:VCARD`.
    pub line: u64,
    /// N's given and family names.
    pub given_name: String,
    pub family_name: String,
    pub formatted_name: String,
    /// ORG's first component.
    pub organization: String,
    /// KIND:org (4.0), X-ABShowAs:COMPANY (Apple) or X-ADDRESSBOOKSERVER-KIND:group.
    pub is_organization: bool,
    pub title: String,
    pub note: String,
    pub emails: Vec<Typed>,
    pub phones: Vec<Typed>,
    pub urls: Vec<Typed>,
    pub addresses: Vec<Address>,
    pub categories: Vec<String>,
    pub photo: Option<Photo>,
}

/// A card that could not be read, at the line that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    pub line: u64,
    pub reason: String,
}

/// A content line after unfolding: `group.NAME;param=value:value`.
struct ContentLine {
    line: u64,
    /// Apple's `item1.` prefix, which ties a property to its `X-ABLabel`.
    group: String,
    name: String,
    /// Parameter names upper case; a bare parameter (2.1's `TEL;WORK:`) is a TYPE.
    params: Vec<(String, String)>,
    value: Vec<u8>,
}

impl ContentLine {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn types(&self) -> Vec<String> {
        self.params
            .iter()
            .filter(|(n, _)| n == "TYPE")
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn preferred(&self) -> bool {
        self.types().iter().any(|t| t == "pref") || self.param("PREF").is_some()
    }

    fn is_quoted_printable(&self) -> bool {
        self.param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
    }

    fn is_base64(&self) -> bool {
        self.param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("b") || e.eq_ignore_ascii_case("BASE64"))
    }

    /// The value as text: quoted-printable decoded, then read in its CHARSET (UTF-8 when none).
    fn text(&self) -> Result<String, CardError> {
        let bytes = if self.is_quoted_printable() { quoted_printable(&self.value) } else { self.value.clone() };
        let fail = |reason: String| CardError { line: self.line, reason };
        match self.param("CHARSET") {
            None => String::from_utf8(bytes).map_err(|_| fail(format!("{} is not valid UTF-8", self.name))),
            Some(label) => {
                let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| fail(format!("unknown character set {label:?}")))?;
                let (text, _, malformed) = encoding.decode(&bytes);
                if malformed {
                    return Err(fail(format!("{} is not valid {}", self.name, encoding.name())));
                }
                Ok(text.into_owned())
            }
        }
    }
}

fn quoted_printable(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'=' {
            let hex = value.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(value[i]);
        i += 1;
    }
    out
}

/// Splits a value at unescaped `separator`s and unescapes each part (`\,` `\;` `\\` `\n`).
fn components(text: &str, separator: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => part.push('\n'),
                Some(other) => part.push(other),
                None => {}
            },
            c if c == separator => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    parts
}

fn unescape(text: &str) -> String {
    components(text, '\u{0}').concat()
}

/// The physical lines of `input` joined into content lines: a line starting with a space or a
/// tab continues the one before (RFC 6350 3.2), and so does the line after a quoted-printable
/// value ending in a soft break `=`.
fn content_lines(input: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut lines: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut soft_break = false;
    for (n, raw) in input.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = n as u64 + 1;
        match lines.last_mut() {
            Some((_, last)) if soft_break => {
                last.pop();
                last.extend_from_slice(raw);
            }
            Some((_, last)) if matches!(raw.first(), Some(b' ' | b'\t')) => last.extend_from_slice(&raw[1..]),
            _ if raw.iter().all(u8::is_ascii_whitespace) => {}
            _ => lines.push((line, raw.to_vec())),
        }
        soft_break = lines.last().is_some_and(|(_, l)| {
            l.ends_with(b"=") && {
                let upper = String::from_utf8_lossy(l.split(|b| *b == b':').next().unwrap_or_default()).to_uppercase();
                upper.contains("QUOTED-PRINTABLE")
            }
        });
    }
    lines
}

fn parse_line(line: u64, raw: &[u8]) -> Result<ContentLine, CardError> {
    let fail = |reason: &str| CardError { line, reason: reason.to_string() };
    // The value starts after the first colon outside a quoted parameter value.
    let mut quoted = false;
    let colon = raw
        .iter()
        .position(|b| {
            if *b == b'"' {
                quoted = !quoted;
            }
            *b == b':' && !quoted
        })
        .ok_or_else(|| fail("is not a vCard property (NAME:value)"))?;
    let head = std::str::from_utf8(&raw[..colon]).map_err(|_| fail("has a property name that is not text"))?;
    let mut parts = split_params(head).into_iter();
    let name = parts.next().unwrap_or_default();
    let (group, name) = name.rsplit_once('.').unwrap_or(("", &name));
    let (group, name) = (group.trim().to_ascii_lowercase(), name.trim().to_ascii_uppercase());
    if name.is_empty() {
        return Err(fail("has no property name"));
    }
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_string()),
            None => ("TYPE".to_string(), p.trim().to_string()),
        })
        .collect();
    Ok(ContentLine { line, group, name, params, value: raw[colon + 1..].to_vec() })
}

/// Splits `NAME;a=b;c="d;e"` at semicolons outside quotes.
fn split_params(head: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    for c in head.chars() {
        match c {
            ';' if !quoted => parts.push(std::mem::take(&mut part)),
            c => {
                quoted ^= c == '"';
                part.push(c);
            }
        }
    }
    parts.push(part);
    parts
}

/// Reads every card of a file, each read whole or rejected with the line it failed on.
/// Text outside `BEGIN:VCARD` ... `END:VCARD` is an error at its line.
pub fn read(input: &[u8]) -> Vec<Result<Card, CardError>> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut cards = Vec::new();
    let mut current: Option<(u64, Vec<ContentLine>, Option<CardError>)> = None;
    for (line, raw) in content_lines(input) {
        let parsed = parse_line(line, &raw);
        let name = parsed.as_ref().map(|p| p.name.as_str()).unwrap_or_default();
        let value = parsed.as_ref().map(|p| String::from_utf8_lossy(&p.value).trim().to_ascii_uppercase());
        match (&mut current, name, value.as_deref()) {
            (None, "BEGIN", Ok("VCARD")) => current = Some((line, Vec::new(), None)),
            (None, _, _) => {
                cards.push(Err(CardError { line, reason: "is outside a BEGIN:VCARD ... END:VCARD card".into() }))
            }
            (Some(_), "END", Ok("VCARD")) => {
                let (begin, lines, error) = current.take().unwrap_or_default();
                cards.push(match error {
                    Some(error) => Err(error),
                    None => card(begin, &lines),
                });
            }
            (Some((begin, _, error)), "BEGIN", Ok("VCARD")) => {
                cards.push(Err(error.take().unwrap_or(CardError {
                    line: *begin,
                    reason: "has no END:VCARD before the next BEGIN:VCARD".into(),
                })));
                current = Some((line, Vec::new(), None));
            }
            (Some((_, lines, error)), _, _) => match parsed {
                Ok(parsed) => lines.push(parsed),
                Err(e) => {
                    error.get_or_insert(e);
                }
            },
        }
    }
    if let Some((begin, _, error)) = current {
        cards.push(Err(error.unwrap_or(CardError { line: begin, reason: "has no END:VCARD".into() })));
    }
    cards
}

/// Apple's labels of grouped properties (`item1.X-ABLabel:_$!<Other>!$_`) as types, by group.
fn group_labels(lines: &[ContentLine]) -> Result<Vec<(String, String)>, CardError> {
    let mut labels = Vec::new();
    for line in lines.iter().filter(|l| l.name == "X-ABLABEL" && !l.group.is_empty()) {
        let text = line.text()?;
        let label = text.trim().trim_start_matches("_$!<").trim_end_matches(">!$_").to_ascii_lowercase();
        labels.push((line.group.clone(), label));
    }
    Ok(labels)
}

fn card(begin: u64, lines: &[ContentLine]) -> Result<Card, CardError> {
    let mut card = Card { line: begin, ..Card::default() };
    let labels = group_labels(lines)?;
    for line in lines {
        match line.name.as_str() {
            "N" => {
                let parts = components(&line.text()?, ';');
                card.family_name = parts.first().cloned().unwrap_or_default().trim().to_string();
                card.given_name = parts.get(1).cloned().unwrap_or_default().trim().to_string();
            }
            "FN" => card.formatted_name = unescape(&line.text()?).trim().to_string(),
            "ORG" => card.organization = components(&line.text()?, ';').swap_remove(0).trim().to_string(),
            "TITLE" => card.title = unescape(&line.text()?).trim().to_string(),
            "NOTE" => card.note = unescape(&line.text()?).trim().to_string(),
            "EMAIL" | "TEL" | "URL" => {
                let value = unescape(&line.text()?).trim().to_string();
                let value = match line.name.as_str() {
                    "EMAIL" => value.strip_prefix("mailto:").unwrap_or(&value).to_string(),
                    "TEL" => value.strip_prefix("tel:").unwrap_or(&value).to_string(),
                    _ => value,
                };
                if value.is_empty() {
                    continue;
                }
                let mut types = line.types();
                types.extend(labels.iter().filter(|(group, _)| *group == line.group).map(|(_, label)| label.clone()));
                let typed = Typed { types, value, preferred: line.preferred() };
                match line.name.as_str() {
                    "EMAIL" => card.emails.push(typed),
                    "TEL" => card.phones.push(typed),
                    _ => card.urls.push(typed),
                }
            }
            "ADR" => {
                let parts = components(&line.text()?, ';');
                let part = |n: usize| parts.get(n).map_or(String::new(), |p| p.trim().to_string());
                // Post office box and extended address go before the street, as one line each.
                let street: Vec<String> = [part(0), part(1), part(2)].into_iter().filter(|p| !p.is_empty()).collect();
                let address = Address {
                    types: line.types(),
                    preferred: line.preferred(),
                    street: street.join("\n"),
                    city: part(3),
                    region: part(4),
                    postcode: part(5),
                    country: part(6),
                };
                if address
                    != (Address { types: address.types.clone(), preferred: address.preferred, ..Address::default() })
                {
                    card.addresses.push(address);
                }
            }
            "CATEGORIES" => card.categories.extend(
                components(&line.text()?, ',').into_iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
            ),
            "KIND" | "X-ADDRESSBOOKSERVER-KIND" => {
                let kind = line.text()?.trim().to_ascii_lowercase();
                card.is_organization = kind == "org" || kind == "organization";
            }
            "X-ABSHOWAS" => card.is_organization = line.text()?.trim().eq_ignore_ascii_case("COMPANY"),
            "PHOTO" | "LOGO" if card.photo.is_none() || line.name == "PHOTO" => card.photo = photo(line)?,
            _ => {}
        }
    }
    Ok(card)
}

/// PHOTO as 3.0 writes it (`ENCODING=b`), as 4.0 does (a `data:` URI) or as a link.
fn photo(line: &ContentLine) -> Result<Option<Photo>, CardError> {
    let fail = |reason: &str| CardError { line: line.line, reason: reason.to_string() };
    let value: Vec<u8> = line.value.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let base64 = |data: &[u8]| {
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map(|bytes| Some(Photo::Embedded(bytes)))
            .map_err(|_| fail("has a PHOTO that is not valid base64"))
    };
    if line.is_base64() {
        return base64(&value);
    }
    let text = String::from_utf8_lossy(&value).into_owned();
    if let Some(data) = text.strip_prefix("data:") {
        let (kind, data) = data.split_once(',').ok_or_else(|| fail("has a PHOTO data: URI without data"))?;
        if !kind.ends_with(";base64") {
            return Err(fail("has a PHOTO data: URI that is not base64"));
        }
        return base64(data.as_bytes());
    }
    Ok((!text.is_empty()).then_some(Photo::Link(text)))
}

/// The vCard versions written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V3,
    V4,
}

/// Escapes text for a value (`\`, `,`, `;`, newlines).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes `name:value` folded at 75 octets (on character boundaries), ending in CRLF.
fn push_line(out: &mut String, name: &str, value: &str) {
    let mut width = 0;
    for c in name.chars().chain([':']).chain(value.chars()) {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn type_param(version: Version, typed_types: &[String], preferred: bool) -> String {
    let mut types: Vec<&str> = typed_types.iter().map(String::as_str).filter(|t| *t != "pref").collect();
    match version {
        Version::V3 if preferred => types.push("pref"),
        _ => {}
    }
    let mut param = if types.is_empty() { String::new() } else { format!(";TYPE={}", types.join(",")) };
    if version == Version::V4 && preferred {
        param.push_str(";PREF=1");
    }
    param
}

/// Appends one card in `version`.
pub fn write(out: &mut String, card: &Card, version: Version) {
    push_line(out, "BEGIN", "VCARD");
    push_line(
        out,
        "VERSION",
        match version {
            Version::V3 => "3.0",
            Version::V4 => "4.0",
        },
    );
    if card.is_organization {
        match version {
            Version::V3 => push_line(out, "X-ABShowAs", "COMPANY"),
            Version::V4 => push_line(out, "KIND", "org"),
        }
    }
    push_line(out, "N", &format!("{};{};;;", escape(&card.family_name), escape(&card.given_name)));
    push_line(out, "FN", &escape(&card.formatted_name));
    if !card.organization.is_empty() {
        push_line(out, "ORG", &escape(&card.organization));
    }
    for (name, text) in [("TITLE", &card.title), ("NOTE", &card.note)] {
        if !text.is_empty() {
            push_line(out, name, &escape(text));
        }
    }
    for (name, list) in [("EMAIL", &card.emails), ("TEL", &card.phones), ("URL", &card.urls)] {
        for typed in list {
            push_line(
                out,
                &format!("{name}{}", type_param(version, &typed.types, typed.preferred)),
                &escape(&typed.value),
            );
        }
    }
    for address in &card.addresses {
        let value = ["", "", &address.street, &address.city, &address.region, &address.postcode, &address.country]
            .map(escape)
            .join(";");
        push_line(out, &format!("ADR{}", type_param(version, &address.types, address.preferred)), &value);
    }
    if !card.categories.is_empty() {
        let categories: Vec<String> = card.categories.iter().map(|c| escape(c)).collect();
        push_line(out, "CATEGORIES", &categories.join(","));
    }
    if let Some(Photo::Embedded(bytes)) = &card.photo {
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        let kind = if bytes.starts_with(b"\x89PNG") { "png" } else { "jpeg" };
        match version {
            Version::V3 => push_line(out, &format!("PHOTO;ENCODING=b;TYPE={}", kind.to_uppercase()), &data),
            Version::V4 => push_line(out, "PHOTO", &format!("data:image/{kind};base64,{data}")),
        }
    }
    push_line(out, "END", "VCARD");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Card {
        let mut cards = read(text.as_bytes());
        assert_eq!(cards.len(), 1, "{cards:?}");
        cards.remove(0).expect("a card")
    }

    #[test]
    fn folded_lines_and_escapes_are_read() {
        let card = one("BEGIN:VCARD\r\nVERSION:4.0\r\nN:M\\;ller;Anna\\, Maria;;;\r\nFN:Anna Maria\r\n  Müller\r\n\
             NOTE:line one\\nline two\\, still\r\nCATEGORIES:a\\,b,c\r\nEND:VCARD\r\n");
        assert_eq!(card.family_name, "M;ller");
        assert_eq!(card.given_name, "Anna, Maria");
        assert_eq!(card.formatted_name, "Anna Maria Müller");
        assert_eq!(card.note, "line one\nline two, still");
        assert_eq!(card.categories, ["a,b", "c"]);
    }

    #[test]
    fn quoted_printable_in_a_charset_is_read() {
        let card = one(
            "BEGIN:VCARD\nVERSION:3.0\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FC=\nrgen\nEND:VCARD\n",
        );
        assert_eq!((card.family_name.as_str(), card.given_name.as_str()), ("Müller", "Jürgen"));
    }

    #[test]
    fn an_unknown_charset_is_reported_at_its_line() {
        let cards = read(b"BEGIN:VCARD\nVERSION:3.0\nFN:A\nN;CHARSET=X-KLINGON:a;b\nEND:VCARD\n");
        assert_eq!(cards, [Err(CardError { line: 4, reason: "unknown character set \"X-KLINGON\"".into() })]);
    }

    #[test]
    fn a_card_without_end_is_reported_and_the_next_is_read() {
        let cards = read(b"BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\n");
        assert_eq!(cards[0].as_ref().unwrap_err().line, 1);
        assert_eq!(cards[1].as_ref().unwrap().formatted_name, "B");
    }

    #[test]
    fn written_cards_read_back_equal_in_both_versions() {
        let card = Card {
            line: 1,
            given_name: "Zoë".into(),
            family_name: "O'Brien; Jr".into(),
            formatted_name: "Zoë O'Brien; Jr".into(),
            organization: "Acme, Inc.".into(),
            title: "Head of everything and a title long enough to be folded over two lines at least".into(),
            note: "two\nlines".into(),
            emails: vec![Typed { types: vec!["work".into()], value: "zoe@example.com".into(), preferred: true }],
            phones: vec![Typed { types: vec!["cell".into()], value: "+1 555 0100".into(), preferred: false }],
            urls: vec![Typed { types: vec![], value: "https://example.com/a,b".into(), preferred: false }],
            addresses: vec![Address {
                types: vec!["home".into()],
                preferred: false,
                street: "1 Main St".into(),
                city: "Springfield".into(),
                region: "IL".into(),
                postcode: "62701".into(),
                country: "USA".into(),
            }],
            categories: vec!["vip".into(), "a,b".into()],
            photo: Some(Photo::Embedded(vec![0xff, 0xd8, 1, 2, 3])),
            is_organization: false,
        };
        for version in [Version::V3, Version::V4] {
            let mut out = String::new();
            write(&mut out, &card, version);
            assert!(out.lines().all(|l| l.len() <= 75), "{out}");
            let mut back = one(&out);
            back.emails[0].types.retain(|t| t != "pref");
            assert_eq!(back, card, "{version:?}\n{out}");
        }
    }

    #[test]
    fn photos_embedded_as_3_0_and_4_0_write_them_and_links_are_kept_as_links() {
        let v3 = one("BEGIN:VCARD\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/\n AQ==\nEND:VCARD\n");
        assert_eq!(v3.photo, Some(Photo::Embedded(vec![0xff, 0xd8, 0xff, 0x01])));
        let v4 = one("BEGIN:VCARD\nPHOTO:data:image/jpeg;base64,/9j/AQ==\nEND:VCARD\n");
        assert_eq!(v4.photo, v3.photo);
        let link = one("BEGIN:VCARD\nPHOTO;VALUE=uri:https://example.com/a.jpg\nEND:VCARD\n");
        assert_eq!(link.photo, Some(Photo::Link("https://example.com/a.jpg".into())));
    }
}
