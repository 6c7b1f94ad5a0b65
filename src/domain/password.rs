//! Password hashing (Argon2id) and generation.
//!
//! Argon2 needs 19 MiB of working memory per check. Allocating it for every check let glibc
//! keep each thread's copy (32 concurrent logins left 1 GiB resident), and with mimalloc a
//! check on another thread soon after did not reuse the last one's memory either, so checks run
//! on a few buffers kept for reuse, at most one check per core at a time; a login that waits
//! too long for a turn is refused with a 503 rather than queued without end. The buffers are
//! freed once no check has ended for 2 s: kept for good, they held 19 MiB per
//! core for the life of the process after a single login.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// Shortest password accepted for an account.
pub const MIN_LENGTH: usize = 8;

/// Longest a login waits for a turn to check its password before it is refused with a 503.
pub const CHECK_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Stored hashes asking for more memory than this (64 MiB) are not checked: this server never
/// makes them, and one would let a stored value decide how much memory a login takes.
const MAX_MEMORY_BLOCKS: usize = 64 * 1024;

/// How long the working memory of password checks is kept once they stop: the logins of a burst
/// reuse it, an idle server gives it back.
const KEEP_MEMORY_IDLE: Duration = Duration::from_secs(2);

/// The turns and working memory of password checks, shared by the whole process.
struct Checks {
    /// One permit per core: a check is pure computation.
    turns: Arc<Semaphore>,
    kept: Mutex<KeptMemory>,
    buffers: usize,
}

/// Working memory kept for reuse, at most one buffer per permit.
#[derive(Default)]
struct KeptMemory {
    buffers: Vec<Vec<Block>>,
    /// How many checks have ended: a planned release frees nothing if one ended since.
    ended: u64,
}

fn checks() -> &'static Checks {
    static CHECKS: OnceLock<Checks> = OnceLock::new();
    CHECKS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Checks { turns: Arc::new(Semaphore::new(cores)), kept: Mutex::default(), buffers: cores }
    })
}

impl Checks {
    fn checks_ended(&self) -> u64 {
        self.kept.lock().map(|kept| kept.ended).unwrap_or_default()
    }

    /// Frees the kept buffers unless a check has ended since `ended` were.
    fn release_unless_used_since(&self, ended: u64) {
        if let Ok(mut kept) = self.kept.lock() {
            if kept.ended == ended {
                kept.buffers = Vec::new();
            }
        }
    }
}

/// Runs `work` on `blocks` blocks of reused working memory.
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let checks = checks();
    let mut memory = checks.kept.lock().ok().and_then(|mut kept| kept.buffers.pop()).unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    let result = work(&mut memory[..blocks]);
    if let Ok(mut kept) = checks.kept.lock() {
        kept.ended += 1;
        if kept.buffers.len() < checks.buffers {
            kept.buffers.push(memory);
        }
    }
    result
}

/// A new salted Argon2id hash in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("decoding a salt: {e}"))?;
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
    })
    .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("hash parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("hash output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if super::original_password::is_original(stored) {
        return super::original_password::verify(password, stored);
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let (Ok(salt), Ok(algorithm), Ok(version), Ok(params)) = (
        salt.decode_b64(&mut salt_bytes),
        Algorithm::try_from(parsed.algorithm),
        parsed.version.map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    if params.block_count() > MAX_MEMORY_BLOCKS {
        return false;
    }
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let computed = with_memory(blocks, |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
    });
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

/// Spends the same work as a real check, for logins of accounts that do not exist, so that
/// response time does not tell whether an account exists.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
    let _ = verify(password, dummy);
}

/// Runs a password's hashing work off the async runtime when a turn comes free: 503 if none
/// does within [`CHECK_QUEUE_WAIT`]. Logins and new passwords share the turns, one per core.
async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let turn = tokio::time::timeout(CHECK_QUEUE_WAIT, checks().turns.clone().acquire_owned())
        .await
        .map_err(|_| ApiError::Overloaded)?
        .map_err(|e| ApiError::Internal(e.into()))?;
    let runtime = tokio::runtime::Handle::current();
    // The turn moves into the task, so a client that goes away does not free it early; for the
    // same reason the task itself plans the release of the memory.
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let done = work();
        let ended = checks().checks_ended();
        runtime.spawn(async move {
            tokio::time::sleep(KEEP_MEMORY_IDLE).await;
            checks().release_unless_used_since(ended);
        });
        done
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))
}

/// Checks a login's password against its account's hash (or, for no account, against nothing,
/// with the same work).
pub async fn check_login(password: &str, stored: Option<String>) -> ApiResult<bool> {
    let password = password.to_string();
    in_turn(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify_against_nothing(&password);
            false
        }
    })
    .await
}

/// Hashes a new password, as [`hash`] does, in a turn off the async runtime.
pub async fn hash_in_turn(password: &str) -> ApiResult<String> {
    let password = password.to_string();
    Ok(in_turn(move || hash(&password)).await??)
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
    fn hashes_are_the_argon2_crates_own_format_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse", &salt).unwrap().to_string();
        assert!(verify("correct horse", &theirs), "hashes stored before still verify");
        assert!(!verify("correct horsf", &theirs));
        let ours = hash("correct horse").unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &PasswordHash::new(&ours).unwrap()).is_ok());
        assert_eq!(ours.split('$').nth(3), Some("m=19456,t=2,p=1"));
    }

    #[test]
    fn policy_needs_eight_characters() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("        ").is_err());
        assert!(check_policy("12345678").is_ok());
        assert_eq!(generate().len(), 20);
    }
}
