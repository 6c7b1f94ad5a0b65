//! A portal's CRM settings: whether a company's status or tag change also reaches its persons.
//! As in the original, any CRM user may change them (they steer the web client's questions).

use super::access;
use super::Caller;
use crate::error::ApiResult;
use crate::store::Store;

pub use crate::model::crm_settings::{CrmSettings, GroupSetting};

/// The portal's settings.
pub async fn get(store: &Store, caller: &Caller) -> ApiResult<CrmSettings> {
    access::require_crm(caller)?;
    Ok(store.crm_settings(caller.portal).await?)
}

/// `PUT crm/contact/status/settings` and `PUT crm/contact/tag/settings`: stores the value
/// (`None`: ask each time) and answers it.
pub async fn set_group_setting(
    store: &Store,
    caller: &Caller,
    setting: GroupSetting,
    value: Option<bool>,
) -> ApiResult<Option<bool>> {
    access::require_crm(caller)?;
    let mut tx = store.begin_write().await?;
    store.set_group_setting(tx.conn(), caller.portal, setting, value).await?;
    tx.commit().await?;
    Ok(value)
}
