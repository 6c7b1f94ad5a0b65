//! The contacts the original's mail-merge screen reads (`GET crm/contact/mail`); sending mail
//! is not served.

use std::collections::{HashMap, HashSet};

use super::access;
use super::contacts::{Contact, MAX_BATCH};
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::ContactId;
use crate::store::Store;

/// The listed contacts the caller may read, in the order listed, each once; ids that are not
/// positive, missing or hidden are skipped, as the original skips what it cannot find.
pub async fn recipients(store: &Store, caller: &Caller, ids: &[ContactId]) -> ApiResult<Vec<Contact>> {
    access::require_crm(caller)?;
    let mut seen = HashSet::new();
    let wanted: Vec<ContactId> = ids.iter().copied().filter(|id| id.0 > 0 && seen.insert(*id)).collect();
    if wanted.len() > MAX_BATCH {
        return Err(ApiError::invalid("contactids", format!("at most {MAX_BATCH} ids")));
    }
    let mut found: HashMap<ContactId, Contact> =
        store.contacts_by_ids(caller.portal, &wanted).await?.into_iter().map(|c| (c.id, c)).collect();
    Ok(wanted.iter().filter_map(|id| found.remove(id)).filter(|c| access::can_read(caller, c)).collect())
}
