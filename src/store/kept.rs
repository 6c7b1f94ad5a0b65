//! What a server keeps between requests: the user each token resolves to, users by id (the
//! creators and managers every contact shows), and each portal's contact statuses and custom
//! field definitions (which every contact view shows).
//!
//! Each is kept with a *stamp* and answered only while the stamp a request reads is the same:
//! - On a SQLite file, triggers (migration 0023) raise a portal's stamp in every transaction
//!   that changes a token, a user, an administrator, the owner, a list item or a custom field
//!   definition, in whatever process it runs. Everything here was read in one statement with the
//!   stamp; a request reads it again (one row, on the calling thread) instead of the token, the
//!   users and their roles, the statuses and the fields.
//! - On PostgreSQL the stamp is the generation of the database's change notices as this process
//!   has heard them ([`changes`](super::changes)), taken before the reads it guards: no round
//!   trip at all.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use super::{Arg, Args, Store};
use crate::model::contacts::ListItem;
use crate::model::custom_fields::FieldDefinition;
use crate::model::ids::{PortalId, UserId};
use crate::model::people::User;

/// The stamp of the portal bound as `$1` (0 before its first change).
const PORTAL_STAMP: &str = "COALESCE((SELECT s.version FROM portal_stamps s WHERE s.portal_id = $1), 0)";

/// How many callers, and how many users (of all portals together), are kept; past it, keeping
/// starts again from none. Only what exists is kept (valid tokens, live users), so no request
/// can fill it with made-up keys.
const MAX_KEPT: usize = 10_000;

impl Store {
    /// The portal's stamp: on a SQLite file as the triggers of migration 0023 keep it, read once
    /// per request read transaction, whose snapshot cannot see it change; on PostgreSQL the
    /// generation of change notices now.
    pub(super) async fn portal_stamp(&self, portal: PortalId) -> Result<i64, sqlx::Error> {
        if let Some(changes) = &self.changes {
            return Ok(changes.stamp());
        }
        if let Some(stamp) = self.request_stamp(portal) {
            return Ok(stamp);
        }
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        let sql = format!("SELECT {PORTAL_STAMP} AS stamp");
        let stamp = self.read_rows(&sql, &args, |row| row.int("stamp")).await?.pop().unwrap_or_default();
        self.note_request_stamp(portal, stamp);
        Ok(stamp)
    }

    /// A column giving the stamp of the portal bound as `$1` where it is read along with what it
    /// guards (a SQLite file), 0 elsewhere.
    pub(super) fn stamp_column(&self) -> &'static str {
        if self.stamps_read_along() {
            PORTAL_STAMP
        } else {
            "0"
        }
    }

    /// Whether the stamp of what is kept is read in the statement that reads it (a SQLite file).
    pub(super) fn stamps_read_along(&self) -> bool {
        self.kept.is_some() && self.changes.is_none()
    }

    /// The stamp to keep what a statement read with: the one it read along, or else the one
    /// taken before it ran (`before`, from [`Store::portal_stamp`]).
    pub(super) fn stamp_of_read(&self, read_along: i64, before: i64) -> i64 {
        if self.stamps_read_along() {
            read_along
        } else {
            before
        }
    }
}

#[derive(Default)]
pub(super) struct Kept {
    callers: Mutex<HashMap<String, KeptCaller>>,
    users: Mutex<HashMap<PortalId, KeptUsers>>,
    contact_settings: Mutex<HashMap<PortalId, ContactSettings>>,
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

/// What every contact view shows of its portal: the contact statuses and the custom field
/// definitions of contacts, persons and companies, as read at one stamp.
#[derive(Clone)]
pub(super) struct ContactSettings {
    pub(super) stamp: i64,
    pub(super) statuses: Vec<ListItem>,
    pub(super) fields: Vec<FieldDefinition>,
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

    /// The portal's contact settings, if kept at `stamp`.
    pub(super) fn contact_settings(&self, portal: PortalId, stamp: i64) -> Option<ContactSettings> {
        let kept = self.contact_settings.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(&portal).filter(|settings| settings.stamp == stamp).cloned()
    }

    /// Keeps a portal's contact settings in place of any kept before. One entry per portal,
    /// and portals are made only by the server's administrators.
    pub(super) fn keep_contact_settings(&self, portal: PortalId, settings: ContactSettings) {
        let mut kept = self.contact_settings.lock().unwrap_or_else(PoisonError::into_inner);
        kept.insert(portal, settings);
    }

    /// Keeps users read at `stamp`; those kept at another stamp are let go.
    pub(super) fn keep_users(&self, portal: PortalId, stamp: i64, read: &[User]) {
        if read.len() > MAX_KEPT {
            return;
        }
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if users.get(&portal).is_some_and(|kept| kept.stamp != stamp) {
            users.remove(&portal);
        }
        // The bound holds over all portals of the server together.
        if users.values().map(|kept| kept.by_id.len()).sum::<usize>() + read.len() > MAX_KEPT {
            users.clear();
        }
        let kept = users.entry(portal).or_insert_with(|| KeptUsers { stamp, by_id: HashMap::new() });
        kept.by_id.extend(read.iter().map(|user| (user.id, user.clone())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User::for_tests(false, false)
    }

    #[test]
    fn a_caller_is_answered_only_at_its_stamp_in_its_portal_before_it_expires() {
        let kept = Kept::default();
        let ann = user();
        kept.keep_caller(PortalId(1), "hash", 7, 1_000, &ann);
        assert_eq!(kept.caller(PortalId(1), "hash", 7, 999).map(|u| u.id), Some(ann.id));
        assert!(kept.caller(PortalId(1), "hash", 8, 999).is_none(), "the stamp moved");
        assert!(kept.caller(PortalId(2), "hash", 7, 999).is_none(), "another portal");
        assert!(kept.caller(PortalId(1), "hash", 7, 1_000).is_none(), "expired");
        assert!(kept.caller(PortalId(1), "other", 7, 999).is_none());
    }

    #[test]
    fn users_are_answered_at_their_stamp_and_the_rest_are_asked_for_once() {
        let kept = Kept::default();
        let (ann, bob) = (user(), user());
        kept.keep_users(PortalId(1), 3, std::slice::from_ref(&ann));
        let (found, missing) = kept.users(PortalId(1), 3, &[ann.id, bob.id, bob.id]);
        assert_eq!(found.keys().collect::<Vec<_>>(), [&ann.id]);
        assert_eq!(missing, [bob.id]);
        let (found, missing) = kept.users(PortalId(1), 4, &[ann.id]);
        assert!(found.is_empty());
        assert_eq!(missing, [ann.id]);
        // Keeping at a new stamp lets the old ones go.
        kept.keep_users(PortalId(1), 4, std::slice::from_ref(&bob));
        assert_eq!(kept.users(PortalId(1), 4, &[ann.id]).1, [ann.id]);
    }

    #[test]
    fn what_is_kept_stays_within_the_bound_over_all_portals() {
        let kept = Kept::default();
        for portal in 1..=3 {
            let read: Vec<User> = (0..MAX_KEPT / 2).map(|_| user()).collect();
            kept.keep_users(PortalId(portal), 1, &read);
            let total: usize = kept.users.lock().unwrap().values().map(|k| k.by_id.len()).sum();
            assert!(total <= MAX_KEPT, "{total} users kept");
        }
        let too_many: Vec<User> = (0..=MAX_KEPT).map(|_| user()).collect();
        kept.keep_users(PortalId(9), 1, &too_many);
        assert!(kept.users.lock().unwrap().get(&PortalId(9)).is_none());
        for n in 0..=MAX_KEPT {
            kept.keep_caller(PortalId(1), &n.to_string(), 1, 10, &too_many[0]);
        }
        assert!(kept.callers.lock().unwrap().len() <= MAX_KEPT);
    }
}
