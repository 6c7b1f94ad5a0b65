//! Configuration: flags with environment-variable fallbacks, shared by every subcommand.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use chrono_tz::Tz;
use clap::Args;

/// Where the default SQLite database lives, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portald.db";

/// Options every subcommand that opens the database understands.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH` (created with its folder) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Largest number of pooled database connections.
    #[arg(long, env = "PORTALD_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: u32,
}

impl DatabaseArgs {
    /// The same database, opened only if it exists: a SQLite file is not created.
    pub fn existing(&self) -> DatabaseArgs {
        let mut url = self.database_url.clone();
        if url.starts_with("sqlite:") && !url.contains("mode=") {
            let separator = if url.contains('?') { '&' } else { '?' };
            url = format!("{url}{separator}mode=rw");
        }
        DatabaseArgs { database_url: url, ..self.clone() }
    }
}

/// Options of `portald serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "PORTALD_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub portal: PortalArgs,

    /// Lifetime of an authentication token: a number with s, m, h or d (default one year).
    #[arg(long, env = "PORTALD_TOKEN_LIFETIME", default_value = "365d", value_parser = parse_duration)]
    pub token_lifetime: Duration,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PORTALD_MAX_BODY", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Longest time a request may take before it is answered 503.
    #[arg(long, env = "PORTALD_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Log lines as JSON instead of text.
    #[arg(long, env = "PORTALD_LOG_JSON")]
    pub log_json: bool,

    #[command(flatten)]
    pub photo_fetch: PhotoFetchArgs,

    #[command(flatten)]
    pub mail: MailArgs,

    #[command(flatten)]
    pub upgrade: UpgradeArgs,

    #[command(flatten)]
    pub backup: BackupScheduleArgs,
}

/// What happens before migrations upgrade an existing database.
#[derive(Debug, Clone, Args)]
pub struct UpgradeArgs {
    /// Before migrations change an existing SQLite database, a backup of it is written beside it
    /// (`FILE.before-NNNN.bak`); this many of them are kept, the oldest removed. 0: none written.
    #[arg(long, env = "PORTALD_UPGRADE_BACKUPS", default_value_t = 3)]
    pub upgrade_backups: usize,
}

impl Default for UpgradeArgs {
    fn default() -> Self {
        UpgradeArgs { upgrade_backups: 3 }
    }
}

/// Backups the server writes itself, while it serves.
#[derive(Debug, Clone, Args)]
pub struct BackupScheduleArgs {
    /// Write a backup this often (`24h`, `30m`); unset: the server writes none.
    #[arg(long, env = "PORTALD_BACKUP_EVERY", value_parser = parse_duration)]
    pub backup_every: Option<Duration>,

    /// The folder the scheduled backups go to (created if missing).
    #[arg(long, env = "PORTALD_BACKUP_DIR", default_value = "backups")]
    pub backup_dir: PathBuf,

    /// How many scheduled backups are kept; older ones are removed.
    #[arg(long, env = "PORTALD_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_keep: u64,
}

impl Default for BackupScheduleArgs {
    fn default() -> Self {
        BackupScheduleArgs { backup_every: None, backup_dir: "backups".into(), backup_keep: 7 }
    }
}

/// Where the server may fetch photos from when a client gives a URL (`changephotobyurl`, a
/// profile photo by URL): the server makes that request, so by default it makes none.
#[derive(Debug, Clone, Args, Default)]
pub struct PhotoFetchArgs {
    /// Hosts photos may be fetched from, separated by commas (`example.com`, `*.example.com`).
    #[arg(long, env = "PORTALD_PHOTO_URL_HOSTS", value_delimiter = ',', default_value = "")]
    pub photo_url_hosts: Vec<String>,

    /// Also fetch from private, loopback and link-local addresses (an intranet's image server).
    #[arg(long, env = "PORTALD_PHOTO_URL_PRIVATE")]
    pub photo_url_private: bool,

    /// Longest a photo fetch may take.
    #[arg(long, env = "PORTALD_PHOTO_URL_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub photo_url_timeout: Duration,
}

/// The sender of invitations, password reminders and email confirmations.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// SMTP server to send mail through, `smtp://HOST[:PORT]` (plain SMTP, port 25 by default:
    /// a relay on this host or a trusted network). Unset: mail waits in the outbox.
    #[arg(long, env = "PORTALD_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of the mail, `Name <address>` or an address.
    #[arg(long, env = "PORTALD_MAIL_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub mail_from: String,

    /// The address links in mail point to, `scheme://host[:port]` (default: the address served).
    #[arg(long, env = "PORTALD_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// The sender when none is configured.
pub const DEFAULT_MAIL_FROM: &str = "portald <noreply@localhost>";

impl Default for MailArgs {
    fn default() -> Self {
        MailArgs { smtp_url: None, mail_from: DEFAULT_MAIL_FROM.into(), public_url: None }
    }
}

/// Options that describe the portals (tenants) this server hosts.
#[derive(Debug, Clone, Args)]
pub struct PortalArgs {
    /// Email of the portal owner created on first start.
    #[arg(long, env = "PORTALD_OWNER_EMAIL", default_value = "admin@example.com")]
    pub owner_email: String,

    /// Password of the portal owner created on first start (generated and printed once if unset).
    #[arg(long, env = "PORTALD_OWNER_PASSWORD", hide_env_values = true)]
    pub owner_password: Option<String>,

    /// The portals' time zone (IANA name such as `Europe/Berlin`); dates are shown in it.
    #[arg(long, env = "PORTALD_TIME_ZONE", default_value = "UTC", value_parser = parse_time_zone)]
    pub time_zone: Tz,

    /// Host-to-portal map, `host=id` pairs separated by commas. Empty: every host is portal 1.
    #[arg(long, env = "PORTALD_HOSTS", default_value = "", value_parser = HostMap::parse)]
    pub hosts: HostMap,
}

/// Which portal a request's `Host` belongs to.
#[derive(Debug, Clone, Default)]
pub struct HostMap(HashMap<String, i64>);

impl HostMap {
    /// The portal of `host` (its port ignored); `None` when a map is configured and lacks it.
    pub fn portal_for(&self, host: Option<&str>) -> Option<i64> {
        if self.0.is_empty() {
            return Some(1);
        }
        let host = host?.to_ascii_lowercase();
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host.as_str(),
        };
        self.0.get(name).copied()
    }

    /// Every portal id the configuration names (portal 1 alone in single-portal mode).
    pub fn portal_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.0.values().copied().collect();
        if ids.is_empty() {
            ids.push(1);
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl HostMap {
    /// Parses `host=id` pairs separated by commas; an empty text is single-portal mode.
    pub fn parse(text: &str) -> anyhow::Result<HostMap> {
        let mut map = HashMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (host, id) = pair.split_once('=').ok_or_else(|| anyhow!("expected host=portal_id, got {pair:?}"))?;
            let id: i64 = id.trim().parse().with_context(|| format!("portal id in {pair:?}"))?;
            if id < 1 {
                bail!("portal id in {pair:?} must be 1 or more");
            }
            map.insert(host.trim().to_ascii_lowercase(), id);
        }
        Ok(HostMap(map))
    }
}

fn parse_time_zone(text: &str) -> anyhow::Result<Tz> {
    text.parse::<Tz>().map_err(|_| anyhow!("unknown time zone {text:?}; use an IANA name such as Europe/Berlin"))
}

/// Parses `90`, `90s`, `15m`, `12h` or `365d`.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().with_context(|| format!("duration {text:?} must start with a number"))?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("duration {text:?}: unit must be s, m, h or d"),
    };
    Ok(Duration::from_secs(number * seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert!(parse_duration("2w").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn host_map_picks_portal_by_host_without_port() {
        let map = HostMap::parse("a.example.com=1, B.example.com=2").unwrap();
        assert_eq!(map.portal_for(Some("b.example.com:8080")), Some(2));
        assert_eq!(map.portal_for(Some("A.EXAMPLE.COM")), Some(1));
        assert_eq!(map.portal_for(Some("c.example.com")), None);
        assert_eq!(map.portal_for(None), None);
        assert_eq!(map.portal_ids(), vec![1, 2]);
    }

    #[test]
    fn empty_host_map_is_single_portal() {
        let map = HostMap::parse("").unwrap();
        assert_eq!(map.portal_for(Some("anything")), Some(1));
        assert_eq!(map.portal_for(None), Some(1));
        assert!(HostMap::parse("x=0").is_err());
        assert!(HostMap::parse("x").is_err());
    }
}
