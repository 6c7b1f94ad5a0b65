//! Mail the portal sends, and the one-time links it carries.
//!
//! A message is queued in the outbox inside the transaction of the change that causes it (an
//! invitation with the new user, an email confirmation with the new address), so the change and
//! its mail are kept or lost together; the sender (`crate::mailer`) delivers it later. Each
//! link carries a random token that the database keeps only as a hash, used once, until it
//! expires; `POST people/confirm` consumes it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::auth::{self, new_token, token_hash};
use super::people::{self, activation, normalize_email, require_admin, Profile, User};
use super::{password, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{PortalId, UserId};
use crate::model::login::LoginScope;
use crate::store::{Conn, OutgoingMail, Store, UserLink};

/// What a one-time link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Sets the first password of an invited user and activates him.
    Invite,
    /// Sets a new password (the reminder).
    Password,
    /// Confirms the account's (new) email address.
    Email,
    /// Deletes the user's own profile (`PUT people/self/delete` sends it).
    DeleteProfile,
}

/// The kinds of link that set a password: a password set any other way voids them.
pub const PASSWORD_LINKS: [&str; 2] = [LinkPurpose::Invite.name(), LinkPurpose::Password.name()];

impl LinkPurpose {
    const fn name(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Password => "password",
            LinkPurpose::Email => "email",
            LinkPurpose::DeleteProfile => "delete_profile",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [LinkPurpose::Invite, LinkPurpose::Password, LinkPurpose::Email, LinkPurpose::DeleteProfile]
            .into_iter()
            .find(|p| p.name() == name)
    }

    /// How long a link works.
    pub fn lifetime(self) -> Duration {
        match self {
            LinkPurpose::Invite | LinkPurpose::Email => Duration::from_secs(7 * 86_400),
            LinkPurpose::Password | LinkPurpose::DeleteProfile => Duration::from_secs(2 * 3_600),
        }
    }

    /// Whether consuming the link sets a password.
    fn sets_password(self) -> bool {
        matches!(self, LinkPurpose::Invite | LinkPurpose::Password)
    }
}

/// The path links point to, below the server's public address.
pub const CONFIRM_PATH: &str = "/api/2.0/people/confirm";

/// The answer of `POST people/password`, the same whether or not the address has an account.
pub fn reminder_answer(email: &str) -> String {
    format!(
        "If a user with the {email} email exists, the password change instruction has been sent to this email address."
    )
}

/// Queues a mail with a new one-time link for `user` to `recipient`, in `conn`'s transaction.
/// `base` is the server's public address (`scheme://host[:port]`).
pub async fn queue_link(
    store: &Store,
    mut conn: Conn<'_>,
    portal: PortalId,
    user: &User,
    purpose: LinkPurpose,
    recipient: &str,
    base: &str,
) -> ApiResult<()> {
    let token = new_token();
    let expires = Utc::now() + chrono::Duration::from_std(purpose.lifetime()).unwrap_or_default();
    store.insert_user_link(conn.re(), portal, &token_hash(&token), user.id, purpose.name(), recipient, expires).await?;
    let mail = compose(purpose, user, recipient, base, &token, expires);
    let message_id = format!("<{}@portald.outbox>", uuid::Uuid::new_v4().simple());
    store.queue_mail(conn.re(), portal, &message_id, &mail).await?;
    Ok(())
}

fn compose(
    purpose: LinkPurpose,
    user: &User,
    recipient: &str,
    base: &str,
    token: &str,
    expires: DateTime<Utc>,
) -> OutgoingMail {
    let base = base.trim_end_matches('/');
    let (subject, intro, action) = match purpose {
        LinkPurpose::Invite => (
            "You are invited to the portal",
            format!("You have been invited to join the portal at {base}."),
            "set your password and activate your account",
        ),
        LinkPurpose::Password => (
            "Password change instructions",
            format!(
                "A password change was asked for your account on {base}.\n\
                 If you did not ask for it, ignore this message: your password stays as it is."
            ),
            "set a new password",
        ),
        LinkPurpose::Email => (
            "Confirm your email address",
            format!("This address was given as the email of your account on {base}."),
            "confirm it",
        ),
        LinkPurpose::DeleteProfile => (
            "Deleting your profile",
            format!(
                "Deleting your profile on {base} was asked for.\n\
                 If you did not ask for it, ignore this message: your profile stays as it is."
            ),
            "delete your profile and sign out everywhere",
        ),
    };
    let password = if purpose.sets_password() { " with your new password (password)" } else { "" };
    let body = format!(
        "Hello {name},\n\n{intro}\n\nTo {action}, open this link in a client of the portal:\n{base}{CONFIRM_PATH}?token={token}\n\n\
         or send its token{password} to POST {base}{CONFIRM_PATH}:\n\ntoken: {token}\n\n\
         The link works once, until {expires} UTC.\n",
        name = user.display_name(),
        expires = expires.format("%Y-%m-%d %H:%M"),
    );
    OutgoingMail { recipient: recipient.to_string(), subject: subject.to_string(), body }
}

/// `PUT people/invite`: an admin sends the listed users whose account is not activated a new
/// invitation (pending users) or email confirmation (users whose new address awaits it).
/// Activated and disabled users get nothing. Answers the profiles of the listed users.
pub async fn resend_invites(store: &Store, caller: &Caller, ids: &[UserId], base: &str) -> ApiResult<Vec<Profile>> {
    require_admin(caller)?;
    let mut tx = store.begin_write().await?;
    let users = store.users_by_ids(caller.portal, ids).await?;
    for user in &users {
        if user.activation_status & activation::ACTIVATED != 0 || !user.is_active() {
            continue;
        }
        let purpose =
            if user.activation_status & activation::PENDING != 0 { LinkPurpose::Invite } else { LinkPurpose::Email };
        queue_link(store, tx.conn(), caller.portal, user, purpose, &user.email, base).await?;
    }
    tx.commit().await?;
    store.mail_queued();
    super::people::profiles(store, caller.portal, users).await
}

/// `POST people/password` (anonymous): mails a password link to the active account with this
/// email, if there is one. The answer, and the throttling (per address typed and per client,
/// like logins), are the same whether or not there is.
pub async fn remind_password(
    store: &Store,
    portal: PortalId,
    email: &str,
    client: &str,
    base: &str,
) -> ApiResult<String> {
    let email = normalize_email(email)?;
    let scopes = [LoginScope::Reminder(email.to_lowercase()), LoginScope::ReminderAddress(client.to_string())];
    auth::count_attempt(store, portal, &scopes).await?;
    let mut tx = store.begin_write().await?;
    let user = store.user_by_email(portal, &email).await?;
    if let Some(user) = user.filter(|u| u.is_active() && !u.is_ldap() && !u.is_sso()) {
        queue_link(store, tx.conn(), portal, &user, LinkPurpose::Password, &user.email, base).await?;
    }
    tx.commit().await?;
    store.mail_queued();
    Ok(reminder_answer(&email))
}

/// The link of a token if it can still be used: 400 naming `token` otherwise.
fn usable(link: Option<UserLink>, now: DateTime<Utc>) -> ApiResult<(UserLink, LinkPurpose)> {
    let link = link.ok_or_else(|| ApiError::invalid("token", "no such link"))?;
    if link.used_at.is_some() {
        return Err(ApiError::invalid("token", "this link was already used"));
    }
    if link.expires_at <= now {
        return Err(ApiError::invalid("token", "this link has expired"));
    }
    let purpose = LinkPurpose::parse(&link.purpose)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown link purpose {:?}", link.purpose)))?;
    Ok((link, purpose))
}

/// `POST people/confirm` (anonymous): consumes a link's token. An invitation or password link
/// sets `password` (required) and activates the account, and signs the user out everywhere;
/// an email link confirms the address it was sent to; a profile deletion link deletes the
/// profile (the answer shows it as it was). Using one invalidates the user's other
/// links of the same kind. Returns the user.
pub async fn confirm(store: &Store, portal: PortalId, token: &str, new_password: Option<&str>) -> ApiResult<User> {
    let hash = token_hash(token.trim());
    // A cheap look first, so a bad token costs no password hashing.
    let mut tx = store.begin_write().await?;
    let (_, purpose) = usable(store.user_link(tx.conn(), portal, &hash).await?, Utc::now())?;
    drop(tx);
    let password_hash = if purpose.sets_password() {
        let new_password = new_password.filter(|p| !p.is_empty()).ok_or_else(|| ApiError::missing("password"))?;
        password::check_policy(new_password)?;
        Some(password::hash_in_turn(new_password).await?)
    } else {
        None
    };
    let mut tx = store.begin_write().await?;
    // Again under the token's lock: of two uses at once, one finds it used.
    let (link, purpose) = usable(store.user_link(tx.conn(), portal, &hash).await?, Utc::now())?;
    store.lock_user(tx.conn(), portal, link.user).await?;
    let user = store
        .user_by_id_in(tx.conn(), portal, link.user)
        .await?
        .filter(User::is_active)
        .ok_or_else(|| ApiError::invalid("token", "the account of this link is disabled or deleted"))?;
    if purpose == LinkPurpose::DeleteProfile {
        store.use_user_links(tx.conn(), portal, user.id, &[LinkPurpose::DeleteProfile.name()]).await?;
        people::delete_own_profile(store, tx.conn(), portal, user.clone()).await?;
        tx.commit().await?;
        return Ok(user);
    }
    match password_hash {
        Some(hash) => {
            store.set_password_hash(tx.conn(), portal, user.id, &hash).await?;
            store.revoke_user_tokens(tx.conn(), portal, user.id).await?;
            store.use_user_links(tx.conn(), portal, user.id, &PASSWORD_LINKS).await?;
        }
        None => {
            if !user.email.eq_ignore_ascii_case(&link.email) {
                return Err(ApiError::invalid("token", "the account's email changed after this link was sent"));
            }
            store.use_user_links(tx.conn(), portal, user.id, &[LinkPurpose::Email.name()]).await?;
        }
    }
    let activated = (user.activation_status & activation::AUTO_GENERATED) | activation::ACTIVATED;
    store.set_activation_status(tx.conn(), portal, user.id, activated).await?;
    tx.commit().await?;
    store.user_by_id(portal, user.id).await?.ok_or_else(|| ApiError::not_found("User not found"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_only_email_links_set_no_password() {
        for purpose in [LinkPurpose::Invite, LinkPurpose::Password, LinkPurpose::Email] {
            assert_eq!(LinkPurpose::parse(purpose.name()), Some(purpose));
        }
        assert_eq!(LinkPurpose::parse("other"), None);
        assert!(!LinkPurpose::Email.sets_password());
        assert!(LinkPurpose::Password.lifetime() < LinkPurpose::Invite.lifetime());
    }

    #[test]
    fn used_and_expired_links_are_400_naming_the_token() {
        let now = Utc::now();
        let link = |used: bool, expires: DateTime<Utc>| UserLink {
            user: UserId(uuid::Uuid::nil()),
            purpose: "invite".into(),
            email: "a@b.c".into(),
            expires_at: expires,
            used_at: used.then_some(now),
        };
        let hour = chrono::Duration::hours(1);
        assert!(usable(Some(link(false, now + hour)), now).is_ok());
        let used = usable(Some(link(true, now + hour)), now).unwrap_err().to_string();
        assert!(used.contains("'token'") && used.contains("already used"), "{used}");
        let expired = usable(Some(link(false, now - hour)), now).unwrap_err().to_string();
        assert!(expired.contains("expired"), "{expired}");
        assert!(usable(None, now).unwrap_err().to_string().contains("no such link"));
    }
}
