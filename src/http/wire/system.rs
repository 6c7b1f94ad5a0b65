//! Capabilities.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub ldap_enabled: bool,
    pub oauth_enabled: bool,
    pub providers: Vec<String>,
    pub sso_label: String,
    pub sso_url: String,
}

impl Capabilities {
    /// This server has no LDAP, OAuth providers or SSO: it says so.
    pub fn of_this_server() -> Self {
        Capabilities {
            ldap_enabled: false,
            oauth_enabled: false,
            providers: Vec::new(),
            sso_label: String::new(),
            sso_url: String::new(),
        }
    }
}
