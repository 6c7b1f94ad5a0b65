//! The mail sender: a background task that hands the outbox's messages to the SMTP server.
//!
//! It claims due messages for a lease, sends each, and marks it sent right after the server
//! accepted it; a failed attempt is retried with a growing delay (1 s, 2 s, 4 s, ... at most
//! 10 minutes), and a permanent refusal (5xx, or an address that cannot be written) is given
//! up and logged. A crash between the server's acceptance and the mark leaves the message
//! claimed until its lease ends, and it is then sent again with the same Message-ID: the one
//! window in which a message can arrive twice (see docs/reliability.md).

use std::time::Duration;

use anyhow::{bail, Context};
use chrono::Utc;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::watch;

use crate::config::MailArgs;
use crate::store::{OutboxMessage, Store};

/// How long a claimed message is reserved for the sender that claimed it.
const LEASE: Duration = Duration::from_secs(120);
/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the outbox is looked at without being woken (retries, other processes' mail).
const POLL: Duration = Duration::from_secs(1);
/// Messages claimed at once.
const BATCH: i64 = 20;
/// The longest delay between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// The configured sender; without an SMTP server, mail waits in the outbox.
pub struct Mailer {
    from: Mailbox,
    smtp: Option<(String, u16)>,
}

impl Mailer {
    /// Checks the configuration (at startup, so a bad one stops the server).
    pub fn new(args: &MailArgs) -> anyhow::Result<Mailer> {
        let from: Mailbox = args
            .mail_from
            .parse()
            .with_context(|| format!("--mail-from {:?} is not a mail address", args.mail_from))?;
        let smtp = args.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(parse_smtp_url).transpose()?;
        Ok(Mailer { from, smtp })
    }

    /// Starts the sender until `stop` (or says once that mail is kept, with no SMTP server).
    pub fn spawn(self, store: Store, stop: watch::Receiver<bool>) {
        let Some((host, port)) = self.smtp else {
            tracing::warn!("no SMTP server configured (--smtp-url, PORTALD_SMTP_URL): mail is kept in the outbox");
            return;
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let sender = Sender { store, transport, from: self.from, id: uuid::Uuid::new_v4().to_string() };
        tokio::spawn(sender.run(stop));
    }
}

/// The address links in mail point to: `--public-url` (checked), or the address served.
pub fn public_url(args: &MailArgs, served: std::net::SocketAddr) -> anyhow::Result<String> {
    let Some(text) = args.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(format!("http://{served}"));
    };
    let url = url::Url::parse(text).with_context(|| format!("--public-url {text:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        bail!("--public-url {text:?}: use http(s)://HOST[:PORT]");
    }
    Ok(text.trim_end_matches('/').to_string())
}

/// `smtp://HOST[:PORT]`.
fn parse_smtp_url(text: &str) -> anyhow::Result<(String, u16)> {
    let url = url::Url::parse(text).with_context(|| format!("--smtp-url {text:?} is not a URL"))?;
    if url.scheme() != "smtp" {
        bail!("--smtp-url {text:?}: only smtp://HOST[:PORT] (plain SMTP) is supported");
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("--smtp-url {text:?}: credentials are not sent over plain SMTP; use a relay that needs none");
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(host) => host.to_string(),
        None => bail!("--smtp-url {text:?} names no host"),
    };
    Ok((host, url.port().unwrap_or(25)))
}

struct Sender {
    store: Store,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// This sender's claim on the rows it holds.
    id: String,
}

/// What became of one attempt.
enum Outcome {
    Sent,
    Retry(String),
    GiveUp(String),
}

impl Sender {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            let claimed = match self.claim().await {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::warn!(error = %err, "reading the mail outbox");
                    Vec::new()
                }
            };
            let full = claimed.len() as i64 == BATCH;
            for message in claimed {
                self.deliver(message).await;
            }
            if full {
                continue;
            }
            tokio::select! {
                _ = self.store.mail_wait() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }

    async fn claim(&self) -> Result<Vec<OutboxMessage>, sqlx::Error> {
        let now = Utc::now();
        if !self.store.mail_due(now).await? {
            return Ok(Vec::new());
        }
        self.store.claim_mail(&self.id, now, now + LEASE, BATCH).await
    }

    async fn deliver(&self, message: OutboxMessage) {
        let outcome = self.attempt(&message).await;
        let now = Utc::now();
        let recorded = match &outcome {
            Outcome::Sent => self.store.mail_sent(message.id, &self.id, now).await,
            Outcome::Retry(error) => {
                let delay = backoff(message.attempts);
                tracing::warn!(message_id = %message.message_id, attempt = message.attempts + 1, retry_in = ?delay,
                    error = %error, "mail not sent; will retry");
                let retry_at = now + chrono::Duration::from_std(delay).unwrap_or_default();
                self.store.mail_failed(message.id, &self.id, error, now, Some(retry_at)).await
            }
            Outcome::GiveUp(error) => {
                tracing::error!(message_id = %message.message_id, error = %error, "mail refused; given up");
                self.store.mail_failed(message.id, &self.id, error, now, None).await
            }
        };
        if let Err(err) = recorded {
            // The row stays claimed until its lease ends, then is tried again.
            tracing::warn!(message_id = %message.message_id, error = %err, "recording a mail attempt");
        }
    }

    async fn attempt(&self, message: &OutboxMessage) -> Outcome {
        let mail = &message.mail;
        let to: Mailbox = match mail.recipient.parse() {
            Ok(to) => to,
            Err(err) => return Outcome::GiveUp(format!("recipient {:?}: {err}", mail.recipient)),
        };
        let built = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .message_id(Some(message.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone());
        let built = match built {
            Ok(built) => built,
            Err(err) => return Outcome::GiveUp(err.to_string()),
        };
        match self.transport.send(built).await {
            Ok(_) => Outcome::Sent,
            Err(err) if err.is_permanent() => Outcome::GiveUp(err.to_string()),
            Err(err) => Outcome::Retry(err.to_string()),
        }
    }
}

/// The delay after a message's `attempts`-th failed attempt (0 for the first): doubling from
/// a second, at most [`MAX_BACKOFF`].
fn backoff(attempts: i64) -> Duration {
    let exponent = attempts.clamp(0, 20) as u32;
    Duration::from_secs(1u64 << exponent).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_name_a_host_and_a_port() {
        assert_eq!(parse_smtp_url("smtp://127.0.0.1:2525").unwrap(), ("127.0.0.1".into(), 2525));
        assert_eq!(parse_smtp_url("smtp://mail.example.com").unwrap(), ("mail.example.com".into(), 25));
        assert_eq!(parse_smtp_url("smtp://[::1]:2525").unwrap(), ("::1".into(), 2525));
        assert!(parse_smtp_url("smtps://mail.example.com").is_err());
        assert!(parse_smtp_url("smtp://user:secret@mail.example.com").is_err());
        assert!(parse_smtp_url("not a url").is_err());
    }

    #[test]
    fn links_point_to_the_public_url_or_the_address_served() {
        let served: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(public_url(&MailArgs::default(), served).unwrap(), "http://127.0.0.1:8080");
        let args = |url: &str| MailArgs { public_url: Some(url.into()), ..MailArgs::default() };
        assert_eq!(public_url(&args("https://portal.example.com/"), served).unwrap(), "https://portal.example.com");
        assert!(public_url(&args("ftp://portal.example.com"), served).is_err());
        assert!(public_url(&args("portal.example.com"), served).is_err());
    }

    #[test]
    fn retries_back_off_up_to_ten_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }

    #[test]
    fn a_bad_sender_address_stops_the_start() {
        let args = MailArgs { mail_from: "not an address".into(), ..MailArgs::default() };
        assert!(Mailer::new(&args).is_err());
        assert!(Mailer::new(&MailArgs::default()).is_ok());
    }
}
