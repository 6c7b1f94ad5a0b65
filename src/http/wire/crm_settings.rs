//! Shapes of the CRM settings area: currency rates, the summary table, and the mail-merge
//! contacts.

use schemars::JsonSchema;
use serde::Serialize;

use super::crm::{ContactBaseWrapper, ContactInfoWrapper, CurrencyInfoWrapper};
use super::WireCtx;
use crate::domain::contacts::{Contact, ContactView};
use crate::domain::currencies::{CurrencyInfo, CurrencyRate};
use crate::domain::Caller;
use crate::model::contacts::INFO_EMAIL;

/// CurrencyRateWrapper: `{id, fromCurrency, toCurrency, rate}`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyRateWrapper {
    pub id: i64,
    pub from_currency: String,
    pub to_currency: String,
    pub rate: f64,
}

impl CurrencyRateWrapper {
    pub fn new(rate: &CurrencyRate) -> Self {
        CurrencyRateWrapper {
            id: rate.id.0,
            from_currency: rate.from.clone(),
            to_currency: rate.to.clone(),
            rate: rate.rate,
        }
    }
}

/// CurrencyRateInfoWrapper: a currency and what one of the asked currency is worth in it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyRateInfoWrapper {
    #[serde(flatten)]
    pub currency: CurrencyInfoWrapper,
    pub rate: f64,
}

impl CurrencyRateInfoWrapper {
    pub fn new(currency: &'static CurrencyInfo, rate: f64) -> Self {
        CurrencyRateInfoWrapper { currency: CurrencyInfoWrapper::new(currency), rate }
    }
}

/// ContactBaseWithEmailWrapper: the base shape and the first primary email.
#[derive(Serialize, JsonSchema)]
pub struct ContactBaseWithEmailWrapper {
    #[serde(flatten)]
    pub base: ContactBaseWrapper,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<ContactInfoWrapper>,
}

impl ContactBaseWithEmailWrapper {
    pub fn new(contact: &Contact, caller: &Caller, view: &ContactView, ctx: &WireCtx) -> Self {
        let email = view
            .details
            .infos
            .get(&contact.id)
            .and_then(|infos| infos.iter().find(|i| i.info_type == INFO_EMAIL && i.is_primary))
            .map(ContactInfoWrapper::new);
        ContactBaseWithEmailWrapper { base: ContactBaseWrapper::new(contact, caller, view, ctx), email }
    }
}
