//! A portal's CRM settings: whether a company's status or tag change also reaches its persons,
//! and whether mail is written to a contact's history. As in the original, any CRM user may
//! change them (they steer the web client's questions).

use super::access;
use super::Caller;
use crate::error::ApiResult;
use crate::store::Store;

pub use crate::model::crm_settings::{CrmFlag, CrmSettings};

/// The portal's settings.
pub async fn get(store: &Store, caller: &Caller) -> ApiResult<CrmSettings> {
    access::require_crm(caller)?;
    Ok(store.crm_settings(caller.portal).await?)
}

/// `PUT crm/contact/status/settings`, `PUT crm/contact/tag/settings` and
/// `PUT crm/contact/mailtohistory/settings`: stores the value
/// (`None`: ask each time) and answers it.
pub async fn set_flag(
    store: &Store,
    caller: &Caller,
    setting: CrmFlag,
    value: Option<bool>,
) -> ApiResult<Option<bool>> {
    access::require_crm(caller)?;
    let mut tx = store.begin_write().await?;
    store.set_flag(tx.conn(), caller.portal, setting, value).await?;
    tx.commit().await?;
    Ok(value)
}
