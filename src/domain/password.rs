//! Password hashing (Argon2id) and generation.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;

use crate::error::{ApiError, ApiResult};

/// Shortest password accepted for an account.
pub const MIN_LENGTH: usize = 8;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same work as a real check, for logins of accounts that do not exist, so that
/// response time does not tell whether an account exists.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
    let _ = verify(password, dummy);
}

/// A random password for accounts created without one.
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut OsRng, 20)
}

/// The password policy: long enough, and not only spaces.
pub fn check_policy(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_LENGTH || password.trim().is_empty() {
        return Err(ApiError::invalid("password", format!("must have at least {MIN_LENGTH} characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse").unwrap();
        let b = hash("correct horse").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse", &a));
        assert!(!verify("wrong horse", &a));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn policy_needs_eight_characters() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("        ").is_err());
        assert!(check_policy("12345678").is_ok());
        assert_eq!(generate().len(), 20);
    }
}
