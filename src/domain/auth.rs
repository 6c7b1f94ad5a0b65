//! Logins, tokens and the throttling of failed logins.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::people::User;
use super::{original_password, password, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::ids::PortalId;
use crate::model::login::LoginScope;
use crate::store::Store;

/// Failed logins counted in this window decide throttling.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins allowed per account (whichever of its names is typed) within the window.
pub const ACCOUNT_FAILURE_LIMIT: i64 = 5;
/// Failed logins allowed per client address within the window.
pub const ADDRESS_FAILURE_LIMIT: i64 = 30;

/// A token handed to a client, and when it stops working.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires: DateTime<Utc>,
}

/// Tokens are stored only as this hash, so a copy of the database grants no access.
pub fn token_hash(token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    // Two digits a byte without a `format!` each: this runs on every request.
    digest.iter().flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]).map(char::from).collect()
}

/// The CSRF token of a session: derived from its (secret) token, so it needs no storage and a
/// page on another site, which cannot read the session's cookie, cannot know it.
pub fn csrf_token(token: &str) -> String {
    let digest = Sha256::digest(format!("csrf:{token}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..18])
}

/// Whether `presented` is the CSRF token of the session `token`, compared in constant time.
pub fn csrf_matches(token: &str, presented: &str) -> bool {
    let expected = csrf_token(token);
    expected.len() == presented.len()
        && expected.bytes().zip(presented.bytes()).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Longest accepted login name and password: nothing longer is real, and failures are stored.
const MAX_LOGIN: usize = 255;
const MAX_PASSWORD: usize = 1024;

fn required<'a>(value: Option<&'a str>, name: &str, max: usize) -> ApiResult<&'a str> {
    let value = value.filter(|v| !v.is_empty()).ok_or_else(|| ApiError::missing(name))?;
    if value.chars().count() > max {
        return Err(ApiError::invalid(name, format!("at most {max} characters")));
    }
    Ok(value)
}

/// `POST authentication`: checks the credentials and issues a token.
pub async fn login(
    store: &Store,
    portal: impl Into<PortalId>,
    login_name: Option<&str>,
    password: Option<&str>,
    address: &str,
    lifetime: Duration,
) -> ApiResult<IssuedToken> {
    let portal = portal.into();
    let login_name = required(login_name, "userName", MAX_LOGIN)?;
    let password = required(password, "password", MAX_PASSWORD)?;
    let user = checked_credentials(store, portal, login_name, password, address).await?;
    let token = new_token();
    let expires = Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::days(365));
    store.insert_token(portal, user.id, &token_hash(&token), expires).await?;
    Ok(IssuedToken { token, expires })
}

/// The user a token belongs to, if the token is live and the user active.
pub async fn authenticate_token(store: &Store, portal: PortalId, token: &str) -> ApiResult<Option<Caller>> {
    let hash = token_hash(token);
    let user = store.user_by_token(portal, &hash, Utc::now()).await?;
    Ok(user.filter(User::is_active).map(|user| Caller { portal, user, token_hash: Some(hash) }))
}

/// HTTP Basic `user:password`, throttled like a login.
pub async fn authenticate_basic(
    store: &Store,
    portal: PortalId,
    login_name: &str,
    password: &str,
    address: &str,
) -> ApiResult<Caller> {
    if login_name.chars().count() > MAX_LOGIN || password.chars().count() > MAX_PASSWORD {
        return Err(ApiError::LoginFailed);
    }
    let user = checked_credentials(store, portal, login_name, password, address).await?;
    Ok(Caller { portal, user, token_hash: None })
}

/// Revokes the token the request came with.
pub async fn logout(store: &Store, caller: &Caller) -> ApiResult<()> {
    if let Some(hash) = &caller.token_hash {
        store.revoke_token(caller.portal, hash).await?;
    }
    Ok(())
}

/// Checks a signed-in user's own password before a change that needs it (his email), counted
/// and throttled like a login: 403 when it is wrong, 429 past the limit.
pub async fn confirm_own_password(store: &Store, caller: &Caller, password: &str, address: &str) -> ApiResult<()> {
    let password = required(Some(password), "password", MAX_PASSWORD)?;
    match checked_credentials(store, caller.portal, &caller.user.email, password, address).await {
        Ok(user) if user.id == caller.user.id => Ok(()),
        Ok(_) | Err(ApiError::LoginFailed) => {
            Err(ApiError::forbidden("Access denied: the password is not the current password of the user"))
        }
        Err(err) => Err(err),
    }
}

/// Checks credentials under throttling. Whatever fails (unknown account, wrong password,
/// disabled user) gives the same answer after the same work, so a caller cannot tell which.
async fn checked_credentials(
    store: &Store,
    portal: PortalId,
    login_name: &str,
    password: &str,
    address: &str,
) -> ApiResult<User> {
    let stored = store.credentials_by_login(portal, login_name).await?;
    // An account has one budget whichever of its names is typed.
    let account = match &stored {
        Some(stored) => LoginScope::User(stored.user.id),
        None => LoginScope::Account(login_name.to_lowercase()),
    };
    let scopes = [account, LoginScope::Address(address.to_string())];
    let attempt = count_attempt(store, portal, &scopes).await?;
    let (user, hash) = stored.map(|s| (s.user, s.password_hash)).unzip();
    let moved_in = hash.as_deref().is_some_and(original_password::is_original);
    let matches = match password::check_login(password, hash).await {
        Ok(matches) => matches,
        Err(err) => {
            // Refused before its password was checked: the attempt does not count.
            store.forget_login_attempts(portal, &attempt).await?;
            return Err(err);
        }
    };
    match user {
        Some(user) if matches && user.is_active() => {
            if moved_in {
                // A hash moved in from the original is checked its way once, then replaced.
                let hash = password::hash_in_turn(password).await?;
                let mut tx = store.begin_write().await?;
                store.set_password_hash(tx.conn(), portal, user.id, &hash).await?;
                tx.commit().await?;
            }
            store.clear_login_failures(portal, &scopes[0]).await?;
            store.forget_login_attempts(portal, &attempt).await?;
            Ok(user)
        }
        _ => Err(ApiError::LoginFailed),
    }
}

/// Counts a login attempt against its account and address before its password is checked, in
/// one step with the check of their limits, so concurrent attempts cannot all pass a count
/// taken before any of them was recorded. Returns the ids of the counted attempt, or 429 when a
/// limit is reached.
pub(crate) async fn count_attempt(store: &Store, portal: PortalId, scopes: &[LoginScope; 2]) -> ApiResult<Vec<i64>> {
    let now = Utc::now();
    let window = chrono::Duration::from_std(FAILURE_WINDOW).unwrap_or_default();
    let mut tx = store.begin_write().await?;
    store.lock_login_scopes(tx.conn(), portal, scopes).await?;
    for (scope, limit) in scopes.iter().zip([ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT]) {
        let (attempts, oldest) = store.login_attempts_since(tx.conn(), portal, scope, now - window).await?;
        if attempts >= limit {
            let free_at = oldest.unwrap_or(now) + window;
            let retry_after_secs = (free_at - now).num_seconds().max(1) as u64;
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
    }
    let ids = store.record_login_attempt(tx.conn(), portal, scopes, now).await?;
    tx.commit().await?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_header_safe() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(token_hash("abc").len(), 64);
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }
}
