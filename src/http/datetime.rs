//! ApiDateTime: the API's date format. Output has seven fractional digits and the portal's
//! offset (`Z` for UTC); input accepts the ISO round-trip form with any number of fractional
//! digits, the legacy form with `-` between time parts, and a bare date. An input without an
//! offset is a time in the portal's zone.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

/// A point in time as the portal shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDateTime(DateTime<FixedOffset>);

impl ApiDateTime {
    pub fn new(at: DateTime<Utc>, tz: Tz) -> Self {
        // Historic zones have offsets with seconds (local mean time); the format shows whole
        // minutes, so the clock uses the offset the text will show and the text round-trips.
        let seconds = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
        let offset = FixedOffset::east_opt(seconds - seconds % 60).unwrap_or_else(|| Utc.fix());
        ApiDateTime(at.with_timezone(&offset))
    }

    pub fn format(&self) -> String {
        use chrono::{Datelike, Timelike};
        use std::fmt::Write;
        let at = self.0;
        let mut text = String::with_capacity(33);
        if (0..=9999).contains(&at.year()) {
            // Field by field: chrono's `format` parses its pattern on every call, which was 4%
            // of a list page's time. A leap second shows as :60, as chrono writes it.
            let second = at.second() + u32::from(at.nanosecond() >= 1_000_000_000);
            let (date, time) = ((at.year(), at.month(), at.day()), (at.hour(), at.minute(), second));
            let _ = write!(text, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.0, date.1, date.2, time.0, time.1, time.2);
        } else {
            let _ = write!(text, "{}", at.format("%Y-%m-%dT%H:%M:%S"));
        }
        let _ = write!(text, ".{:07}", at.nanosecond() % 1_000_000_000 / 100);
        let seconds = at.offset().local_minus_utc();
        if seconds == 0 {
            text.push('Z');
        } else {
            let sign = if seconds < 0 { '-' } else { '+' };
            let minutes = seconds.abs() / 60;
            let _ = write!(text, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        }
        text
    }
}

impl Serialize for ApiDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.format())
    }
}

/// Documented by its exact output form, which the `date-time` format would loosen.
impl schemars::JsonSchema for ApiDateTime {
    fn schema_name() -> String {
        "ApiDateTime".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                pattern: Some(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}(Z|[+-]\d{2}:\d{2})$".into()),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

/// Parses an ApiDateTime input; the error says what is wrong.
pub fn parse(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let invalid = || format!("'{text}' is not a date (use yyyy-MM-ddTHH:mm:ss.fffffffZ)");
    if text.len() < 10 || !text.is_char_boundary(10) {
        return Err(invalid());
    }
    let date = NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").map_err(|_| invalid())?;
    let rest = &text[10..];
    if rest.is_empty() {
        return local_to_utc(date.and_time(NaiveTime::MIN), tz).ok_or_else(invalid);
    }
    let rest = rest.strip_prefix(['T', ' ']).ok_or_else(invalid)?;
    // Split the zone designator off the clock part.
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, Some(0))
    } else if let Some(at) = rest.rfind(['+', '-']).filter(|&at| at >= 5 && rest[at..].contains(':')) {
        (&rest[..at], Some(parse_offset(&rest[at..]).ok_or_else(invalid)?))
    } else {
        (rest, None)
    };
    let time = parse_clock(clock).ok_or_else(invalid)?;
    let local = date.and_time(time);
    match offset {
        Some(seconds) => {
            let offset = FixedOffset::east_opt(seconds).ok_or_else(invalid)?;
            offset.from_local_datetime(&local).single().map(|at| at.with_timezone(&Utc)).ok_or_else(invalid)
        }
        None => local_to_utc(local, tz).ok_or_else(invalid),
    }
}

/// `HH:mm[:ss[.f…]]`, or the legacy `HH-mm-ss[.f…]`.
fn parse_clock(clock: &str) -> Option<NaiveTime> {
    let (whole, fraction) = match clock.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (clock, None),
    };
    let parts: Vec<&str> = whole.split([':', '-']).collect();
    let number =
        |s: &str| -> Option<u32> { (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())? };
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (number(h)?, number(m)?, 0),
        [h, m, s] => (number(h)?, number(m)?, number(s)?),
        _ => return None,
    };
    let nanos = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    NaiveTime::from_hms_nano_opt(h, m, s, nanos)
}

/// `+hh:mm` / `-hh:mm` in seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let (h, m) = text[1..].split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// A wall-clock time in the portal's zone; a time skipped by a DST change moves forward an hour.
fn local_to_utc(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest().map(|at| at.with_timezone(&Utc))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn formats_with_seven_digits_and_portal_offset() {
        let at = utc("2020-12-08T17:37:04.5916406Z");
        assert_eq!(ApiDateTime::new(at, Tz::UTC).format(), "2020-12-08T17:37:04.5916406Z");
        assert_eq!(ApiDateTime::new(at, Tz::Europe__Moscow).format(), "2020-12-08T20:37:04.5916406+03:00");
        assert_eq!(ApiDateTime::new(at, Tz::America__New_York).format(), "2020-12-08T12:37:04.5916406-05:00");
        assert_eq!(ApiDateTime::new(at, Tz::Asia__Kolkata).format(), "2020-12-08T23:07:04.5916406+05:30");
    }

    #[test]
    fn formats_the_date_and_time_as_chrono_writes_them() {
        for text in ["0005-01-02T03:04:05.0000007Z", "9999-12-31T23:59:59.9999999Z", "1970-01-01T00:00:00Z"] {
            let at = ApiDateTime::new(utc(text), Tz::UTC);
            let chrono_text =
                format!("{}.{:07}Z", at.0.format("%Y-%m-%dT%H:%M:%S"), at.0.timestamp_subsec_nanos() / 100);
            assert_eq!(at.format(), chrono_text);
        }
        let far = Utc.with_ymd_and_hms(12020, 5, 6, 7, 8, 9).single().expect("a date chrono holds");
        assert_eq!(ApiDateTime::new(far, Tz::UTC).format(), "+12020-05-06T07:08:09.0000000Z");
    }

    #[test]
    fn parses_the_accepted_forms() {
        let tz = Tz::Europe__Moscow;
        assert_eq!(parse("2020-12-08T17:37:04.5916406Z", tz).unwrap(), utc("2020-12-08T17:37:04.5916406Z"));
        assert_eq!(parse("2020-12-08T20:37:04.591+03:00", tz).unwrap(), utc("2020-12-08T17:37:04.591Z"));
        assert_eq!(parse("2020-12-08T17:37:04Z", tz).unwrap(), utc("2020-12-08T17:37:04Z"));
        assert_eq!(parse("2008-04-10T06-30-00.000Z", tz).unwrap(), utc("2008-04-10T06:30:00Z"));
        assert_eq!(parse("2020-12-08T20:37:04", tz).unwrap(), utc("2020-12-08T17:37:04Z"), "portal zone");
        assert_eq!(parse("2020-12-08", tz).unwrap(), utc("2020-12-07T21:00:00Z"));
        assert_eq!(parse("2020-12-08T10:00-05:00", Tz::UTC).unwrap(), utc("2020-12-08T15:00:00Z"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2020-13-01",
            "2020-12-08T25:00:00Z",
            "2020-12-08X",
            "2020-12-08T10:00:00.Z",
            "2020-12-08T10:00:00+3",
            "日本語日本語日本語日本語",
        ] {
            assert!(parse(bad, Tz::UTC).is_err(), "{bad}");
        }
    }

    #[test]
    fn dst_gap_moves_forward() {
        // Berlin skipped 02:00-03:00 on 2021-03-28.
        assert_eq!(parse("2021-03-28T02:30:00", Tz::Europe__Berlin).unwrap(), utc("2021-03-28T01:30:00Z"));
    }
}
