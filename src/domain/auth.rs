//! Logins, tokens and the throttling of failed logins.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::people::User;
use super::{password, Caller};
use crate::error::{ApiError, ApiResult};
use crate::store::{LoginScope, Store};

/// Failed logins counted in this window decide throttling.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins allowed per account name within the window.
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
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
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
    portal: i64,
    login_name: Option<&str>,
    password: Option<&str>,
    address: &str,
    lifetime: Duration,
) -> ApiResult<IssuedToken> {
    let login_name = required(login_name, "userName", MAX_LOGIN)?;
    let password = required(password, "password", MAX_PASSWORD)?;
    let user = checked_credentials(store, portal, login_name, password, address).await?;
    let token = new_token();
    let expires = Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::days(365));
    store.insert_token(portal, user.id, &token_hash(&token), expires).await?;
    Ok(IssuedToken { token, expires })
}

/// The user a token belongs to, if the token is live and the user active.
pub async fn authenticate_token(store: &Store, portal: i64, token: &str) -> ApiResult<Option<Caller>> {
    let hash = token_hash(token);
    let user = store.user_by_token(portal, &hash, Utc::now()).await?;
    Ok(user.filter(User::is_active).map(|user| Caller { portal, user, token_hash: Some(hash) }))
}

/// HTTP Basic `user:password`, throttled like a login.
pub async fn authenticate_basic(
    store: &Store,
    portal: i64,
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

/// Checks credentials under throttling. Whatever fails (unknown account, wrong password,
/// disabled user) gives the same answer after the same work, so a caller cannot tell which.
async fn checked_credentials(
    store: &Store,
    portal: i64,
    login_name: &str,
    password: &str,
    address: &str,
) -> ApiResult<User> {
    let scopes = [LoginScope::Account(login_name.to_lowercase()), LoginScope::Address(address.to_string())];
    let now = Utc::now();
    let since = now - chrono::Duration::from_std(FAILURE_WINDOW).unwrap_or_default();
    for (scope, limit) in scopes.iter().zip([ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT]) {
        let (failures, oldest) = store.login_failures_since(portal, scope, since).await?;
        if failures >= limit {
            let free_at = oldest.unwrap_or(now) + chrono::Duration::from_std(FAILURE_WINDOW).unwrap_or_default();
            let retry_after_secs = (free_at - now).num_seconds().max(1) as u64;
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
    }
    let stored = store.credentials_by_login(portal, login_name).await?;
    let password = password.to_string();
    let (stored, matches) = tokio::task::spawn_blocking(move || match stored {
        Some(stored) => {
            let matches = password::verify(&password, &stored.password_hash);
            (Some(stored.user), matches)
        }
        None => {
            password::verify_against_nothing(&password);
            (None, false)
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    match stored {
        Some(user) if matches && user.is_active() => {
            store.clear_login_failures(portal, &scopes[0]).await?;
            Ok(user)
        }
        _ => {
            store.record_login_failure(portal, &scopes, now).await?;
            Err(ApiError::LoginFailed)
        }
    }
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
