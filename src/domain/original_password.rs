//! Password hashes moved in from ONLYOFFICE Community Server, checked the original's way once
//! and then replaced by our own Argon2 hash.
//!
//! The original derives `core_usersecurity.pwdhash` from the password, the user's id and the
//! installation's machine key (`core.machinekey`):
//!
//! - salt: PBKDF2-HMAC-SHA-256 of the machine key, salted with the SHA-256 of a fixed GUID
//!   string, 100,000 rounds, 32 bytes, as lower-case hex;
//! - client hash: PBKDF2-HMAC-SHA-256 of the password, salted with that hex text, 100,000
//!   rounds, 32 bytes, as lower-case hex (the browser computes it and sends it instead of the
//!   password);
//! - stored: base64 of the SHA-512 of client hash + user id (lower-case, hyphenated) + machine
//!   key.
//!
//! A moved-in hash is kept as `$onlyoffice$<salt hex>$<machine key, base64>$<user id>$<hash>`:
//! everything a check needs, the salt computed once for the installation.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

const PREFIX: &str = "$onlyoffice$";
const ROUNDS: u32 = 100_000;
/// The text the original hashes into the salt of its machine-key derivation.
const SALT_SEED: &str = "{9450BEF7-7D9F-4E4F-A18A-971D8681722D}";

/// PBKDF2-HMAC-SHA-256 with a 32-byte output (one block). (HMAC takes keys of any length: the
/// `None` never comes.)
fn pbkdf2_sha256(secret: &[u8], salt: &[u8], rounds: u32) -> Option<[u8; 32]> {
    let mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    let mut first = mac.clone();
    first.update(salt);
    first.update(&1u32.to_be_bytes());
    let mut block: [u8; 32] = first.finalize().into_bytes().into();
    let mut out = block;
    for _ in 1..rounds {
        let mut next = mac.clone();
        next.update(&block);
        block = next.finalize().into_bytes().into();
        out.iter_mut().zip(block.iter()).for_each(|(o, b)| *o ^= b);
    }
    Some(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The salt an installation with this machine key gives its client hashes (slow: computed once
/// per migration).
pub fn installation_salt(machine_key: &str) -> Option<String> {
    let seed = Sha256::digest(SALT_SEED.as_bytes());
    pbkdf2_sha256(machine_key.as_bytes(), &seed, ROUNDS).map(|salt| hex(&salt))
}

/// The original's `pwdhash` of a password, for a user of an installation.
pub fn original_hash(salt: &str, machine_key: &str, user_id: &str, password: &str) -> Option<String> {
    let client = hex(&pbkdf2_sha256(password.as_bytes(), salt.as_bytes(), ROUNDS)?);
    let digest = Sha512::digest(format!("{client}{}{machine_key}", user_id.to_lowercase()).as_bytes());
    Some(base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The stored form of a moved-in hash.
pub fn stored(salt: &str, machine_key: &str, user_id: &str, pwdhash: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD.encode(machine_key.as_bytes());
    format!("{PREFIX}{salt}${key}${}${pwdhash}", user_id.to_lowercase())
}

/// Whether a stored hash is a moved-in one, to be replaced after its first good check.
pub fn is_original(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// Checks a password against a moved-in hash; a malformed one never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return false;
    };
    let mut parts = rest.splitn(4, '$');
    let (Some(salt), Some(key), Some(user), Some(expected)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(key) = base64::engine::general_purpose::STANDARD.decode(key).ok().and_then(|k| String::from_utf8(k).ok())
    else {
        return false;
    };
    let Some(computed) = original_hash(salt, &key, user, password) else {
        return false;
    };
    // Compared in constant time: the lengths are public, the bytes are not.
    computed.len() == expected.len()
        && computed.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_matches_rfc_7914() {
        // RFC 7914, section 11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1), first 32 bytes.
        assert_eq!(
            hex(&pbkdf2_sha256(b"passwd", b"salt", 1).unwrap()),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn a_moved_in_hash_checks_its_password_only() {
        let salt = "00ff";
        let stored = stored(
            salt,
            "key",
            "0C92C034-EDC0-11F1-9F2C-02FC00000001",
            &original_hash(salt, "key", "0c92c034-edc0-11f1-9f2c-02fc00000001", "secret-1").unwrap(),
        );
        assert!(is_original(&stored));
        assert!(verify("secret-1", &stored));
        assert!(!verify("secret-2", &stored));
        assert!(!verify("secret-1", "$onlyoffice$broken"));
    }
}
