//! Fetching a photo from a URL a client gives (`changephotobyurl`, a profile photo by URL). The
//! server makes the request, so a client could aim it at what only the server reaches: the
//! fetch goes only to hosts an administrator named, never to a private, loopback or link-local
//! address unless allowed, follows no redirects, and is bounded in size and time.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::error::{ApiError, ApiResult};

/// Where photos may be fetched from, and how much may be read.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Host names allowed (`example.com`, or `*.example.com` for its subdomains); none: no
    /// fetching at all.
    pub hosts: Vec<String>,
    /// Whether addresses in private, loopback and link-local ranges may be reached.
    pub allow_private: bool,
    /// The longest a fetch may take, connecting and reading.
    pub timeout: Duration,
    /// The largest body read.
    pub max_bytes: usize,
}

impl FetchPolicy {
    fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.iter().any(|allowed| match allowed.strip_prefix("*.") {
            Some(domain) => {
                host.len() > domain.len() && host.ends_with(domain) && host[..host.len() - domain.len()].ends_with('.')
            }
            None => *allowed == host,
        })
    }

    /// The body at `url`, read within the policy; a 400 naming `param` says what stopped it.
    pub async fn fetch(&self, url: &str, param: &str) -> ApiResult<Vec<u8>> {
        let refuse = |why: String| ApiError::invalid(param, why);
        let parsed = reqwest::Url::parse(url.trim()).map_err(|e| refuse(format!("not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(refuse("only http and https URLs are fetched".into()));
        }
        let host = parsed.host_str().ok_or_else(|| refuse("the URL names no host".into()))?.to_string();
        let bare_host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        if !self.allows_host(&bare_host) {
            return Err(refuse(format!(
                "photos are not fetched from {bare_host}: the server's administrator lists the hosts allowed in \
                 PORTALD_PHOTO_URL_HOSTS"
            )));
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let address = self.resolve(&bare_host, port).await.map_err(refuse)?;
        // The connection goes to the address checked above, not to a second look-up's answer.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(self.timeout)
            .timeout(self.timeout)
            .resolve(&bare_host, address)
            .build()
            .map_err(|e| ApiError::Internal(e.into()))?;
        let mut response = client.get(parsed).send().await.map_err(|e| refuse(describe(&e)))?;
        if !response.status().is_success() {
            return Err(refuse(format!("the server answered {}", response.status())));
        }
        let too_large = || refuse(format!("the image is larger than {} bytes", self.max_bytes));
        if response.content_length().is_some_and(|length| length > self.max_bytes as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| refuse(describe(&e)))? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The first address of `host` the policy allows; every address must be allowed, so that a
    /// name cannot mix a public address with a private one.
    async fn resolve(&self, host: &str, port: u16) -> Result<SocketAddr, String> {
        let found = tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| format!("looking up {host} took longer than {:?}", self.timeout))?
            .map_err(|e| format!("{host} could not be looked up: {e}"))?;
        let addresses: Vec<SocketAddr> = found.collect();
        if let Some(private) = addresses.iter().find(|a| !self.allow_private && !is_public(a.ip())) {
            return Err(format!("{host} is at {}, a private address, which is not fetched from", private.ip()));
        }
        addresses.first().copied().ok_or_else(|| format!("{host} has no address"))
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the server took too long to answer".into()
    } else if error.is_connect() {
        "the server could not be reached".into()
    } else {
        format!("the image could not be read: {error}")
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (carrier NAT), unspecified, multicast, broadcast or documentation space.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
                    || first == 0x2001 && v6.segments()[1] == 0x0db8)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn hosts_match_exactly_or_as_subdomains() {
        let policy = FetchPolicy {
            hosts: vec!["example.com".into(), "*.cdn.net".into()],
            allow_private: false,
            timeout: Duration::from_secs(1),
            max_bytes: 10,
        };
        assert!(policy.allows_host("example.com"));
        assert!(policy.allows_host("EXAMPLE.com."));
        assert!(!policy.allows_host("www.example.com"));
        assert!(!policy.allows_host("evilexample.com"));
        assert!(policy.allows_host("img.cdn.net"));
        assert!(!policy.allows_host("cdn.net"));
        assert!(!policy.allows_host("evilcdn.net"));
    }
}
