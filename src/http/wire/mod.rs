//! Wire shapes: one type per JSON shape of the API, built from domain models. The XML form is
//! derived from the same JSON value by the envelope.

pub mod auth;
pub mod crm;
pub mod crm_settings;
pub mod groups;
pub mod people;
pub mod photos;
pub mod projects;
pub mod system;
pub mod transfer;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::datetime::ApiDateTime;
use super::request::RequestInfo;

/// What building a wrapper needs to know about the request.
pub struct WireCtx<'a> {
    pub tz: Tz,
    pub base_url: &'a str,
}

impl<'a> WireCtx<'a> {
    pub fn of(info: &'a RequestInfo) -> Self {
        WireCtx { tz: info.tz, base_url: &info.base_url }
    }

    pub fn date(&self, at: DateTime<Utc>) -> ApiDateTime {
        ApiDateTime::new(at, self.tz)
    }
}

/// HttpUtility.HtmlEncode, which the original applies to display names.
pub fn html_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
