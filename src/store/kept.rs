//! What a server on a SQLite file keeps between requests: the user each token resolves to, and
//! users by id (the creators and managers every contact shows).
//!
//! Triggers (migration 0023) raise a portal's caller stamp in every transaction that changes a
//! token, a user, an administrator or the owner, in whatever process it runs. Everything here
//! was read in one statement with the stamp, and is answered only while the stamp a request
//! reads is the same: one row read on the calling thread instead of the token, the users and
//! their roles. On PostgreSQL reading the stamp would be a round trip as long as the reads it
//! saves, so nothing is kept there.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use crate::model::ids::{PortalId, UserId};
use crate::model::people::User;

/// How many callers, and how many users of a portal, are kept; past it, keeping starts again
/// from none. Only what exists is kept (valid tokens, live users), so no request can fill it
/// with made-up keys.
const MAX_KEPT: usize = 10_000;

#[derive(Default)]
pub(super) struct Kept {
    callers: Mutex<HashMap<String, KeptCaller>>,
    users: Mutex<HashMap<PortalId, KeptUsers>>,
}

struct KeptCaller {
    portal: PortalId,
    stamp: i64,
    expires_at: i64,
    user: User,
}

/// A portal's users as read at one stamp.
struct KeptUsers {
    stamp: i64,
    by_id: HashMap<UserId, User>,
}

impl Kept {
    /// The user kept for the token, if read at `stamp` and not expired at `now` (ticks).
    pub(super) fn caller(&self, portal: PortalId, token_hash: &str, stamp: i64, now: i64) -> Option<User> {
        let callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        callers
            .get(token_hash)
            .filter(|caller| caller.portal == portal && caller.stamp == stamp && caller.expires_at > now)
            .map(|caller| caller.user.clone())
    }

    pub(super) fn keep_caller(&self, portal: PortalId, token_hash: &str, stamp: i64, expires_at: i64, user: &User) {
        let mut callers = self.callers.lock().unwrap_or_else(PoisonError::into_inner);
        if callers.len() >= MAX_KEPT && !callers.contains_key(token_hash) {
            callers.clear();
        }
        callers.insert(token_hash.to_string(), KeptCaller { portal, stamp, expires_at, user: user.clone() });
    }

    /// The users of `ids` kept at `stamp`, and the ids not kept.
    pub(super) fn users(&self, portal: PortalId, stamp: i64, ids: &[UserId]) -> (HashMap<UserId, User>, Vec<UserId>) {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = users.get(&portal).filter(|kept| kept.stamp == stamp);
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = HashSet::new();
        for id in ids {
            match kept.and_then(|kept| kept.by_id.get(id)) {
                Some(user) => {
                    found.insert(*id, user.clone());
                }
                None => {
                    missing.insert(*id);
                }
            }
        }
        (found, missing.into_iter().collect())
    }

    /// Keeps users read at `stamp`; those kept at another stamp are let go.
    pub(super) fn keep_users(&self, portal: PortalId, stamp: i64, read: &[User]) {
        if read.len() > MAX_KEPT {
            return;
        }
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = users.entry(portal).or_insert_with(|| KeptUsers { stamp, by_id: HashMap::new() });
        if kept.stamp != stamp || kept.by_id.len() + read.len() > MAX_KEPT {
            *kept = KeptUsers { stamp, by_id: HashMap::new() };
        }
        kept.by_id.extend(read.iter().map(|user| (user.id, user.clone())));
    }
}
