//! Currencies: the portal's default currency and the exchange rates its users keep. Rates live
//! in the database only; nothing is fetched from outside (the original downloads them daily).

use super::access;
use super::people::require_admin;
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::ids::RateId;
use crate::store::Store;

pub use crate::model::crm_settings::{all_currencies, currency_of, CurrencyInfo, CurrencyRate, DEFAULT_CURRENCY};

/// The largest rate the original accepts (its column is decimal(10,2)).
pub const MAX_RATE: f64 = 99_999_999.99;

/// A known currency by code (any case), else a 400 naming `param`.
pub fn known(code: &str, param: &str) -> ApiResult<&'static CurrencyInfo> {
    if code.trim().is_empty() {
        return Err(ApiError::missing(param));
    }
    currency_of(code)
        .ok_or_else(|| ApiError::invalid(param, format!("'{}' is not a currency this server knows", code.trim())))
}

fn check_rate(rate: f64) -> ApiResult<f64> {
    if !(0.0..=MAX_RATE).contains(&rate) {
        return Err(ApiError::invalid("rate", format!("must be between 0 and {MAX_RATE}")));
    }
    Ok(rate)
}

/// Rounded to 4 decimal places, halves away from zero (as the original's Math.Round).
fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// `PUT crm/settings/currency`: sets the portal's default currency (admins only).
pub async fn set_default(store: &Store, caller: &Caller, code: &str) -> ApiResult<&'static CurrencyInfo> {
    access::require_crm(caller)?;
    require_admin(caller)?;
    let currency = known(code, "currency")?;
    let mut tx = store.begin_write().await?;
    store.set_default_currency(tx.conn(), caller.portal, currency.abbreviation).await?;
    tx.commit().await?;
    Ok(currency)
}

/// What one `from` is worth in `to` by the portal's rates: the pair's rate, else the inverse of
/// the reverse pair's; `None` when neither is kept.
fn rate_between(rates: &[CurrencyRate], from: &str, to: &str) -> Option<f64> {
    if from == to {
        return Some(1.0);
    }
    if let Some(direct) = rates.iter().find(|r| r.from == from && r.to == to) {
        return Some(direct.rate);
    }
    rates.iter().find(|r| r.from == to && r.to == from && r.rate > 0.0).map(|r| 1.0 / r.rate)
}

/// `GET crm/settings/currency/convert`: `amount` in `from` expressed in `to`, rounded to 4
/// places. Either currency left out, or both the same: the amount as is (as the original).
/// A pair without a kept rate is a 400 naming `tocurrency` (the original fails with a 500).
pub async fn convert(store: &Store, caller: &Caller, amount: f64, from: &str, to: &str) -> ApiResult<f64> {
    access::require_crm(caller)?;
    if from.trim().is_empty() || to.trim().is_empty() || from.trim().eq_ignore_ascii_case(to.trim()) {
        return Ok(amount);
    }
    let (from, to) = (known(from, "fromcurrency")?, known(to, "tocurrency")?);
    let rates = store.currency_rates(caller.portal).await?;
    let rate = rate_between(&rates, from.abbreviation, to.abbreviation).ok_or_else(|| {
        ApiError::invalid("tocurrency", format!("no rate from {} to {} is kept", from.abbreviation, to.abbreviation))
    })?;
    Ok(round4(amount * rate))
}

/// `GET crm/settings/currency/summarytable`: every currency one `currency` converts to, with
/// what one `currency` is worth in it (itself at 1); currencies without a rate are left out.
pub async fn summary(store: &Store, caller: &Caller, code: &str) -> ApiResult<Vec<(&'static CurrencyInfo, f64)>> {
    access::require_crm(caller)?;
    let base = known(code, "currency")?;
    let rates = store.currency_rates(caller.portal).await?;
    Ok(all_currencies()
        .into_iter()
        .filter_map(|c| rate_between(&rates, base.abbreviation, c.abbreviation).map(|rate| (c, rate)))
        .collect())
}

/// `GET crm/currency/rates`.
pub async fn rates(store: &Store, caller: &Caller) -> ApiResult<Vec<CurrencyRate>> {
    access::require_crm(caller)?;
    Ok(store.currency_rates(caller.portal).await?)
}

/// `GET crm/currency/rates/{id}`: 404 for a rate the portal does not have (the original fails
/// with a 500).
pub async fn rate(store: &Store, caller: &Caller, id: RateId) -> ApiResult<CurrencyRate> {
    access::require_crm(caller)?;
    rates(store, caller)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("Currency rate not found"))
}

/// `GET crm/currency/rates/{fromCurrency}/{toCurrency}`: the pair's rate as kept (not the
/// reverse one inverted); 404 when the portal keeps none (the original fails with a 500).
pub async fn rate_of_pair(store: &Store, caller: &Caller, from: &str, to: &str) -> ApiResult<CurrencyRate> {
    access::require_crm(caller)?;
    let (from, to) = (known(from, "fromCurrency")?, known(to, "toCurrency")?);
    rates(store, caller)
        .await?
        .into_iter()
        .find(|r| r.from == from.abbreviation && r.to == to.abbreviation)
        .ok_or_else(|| ApiError::not_found("Currency rate not found"))
}

/// A rate from its inputs, checked: known currencies (stored upper-case), a rate in range.
fn draft(from: &str, to: &str, rate: f64, id: RateId) -> ApiResult<CurrencyRate> {
    let rate = check_rate(rate)?;
    let (from, to) = (known(from, "fromCurrency")?, known(to, "toCurrency")?);
    Ok(CurrencyRate { id, from: from.abbreviation.to_string(), to: to.abbreviation.to_string(), rate })
}

/// `POST crm/currency/rates`: adds the pair's rate, or changes it when the portal keeps one;
/// a rate of 0 for a kept pair deletes it, as the original's SaveOrUpdate does.
pub async fn create(store: &Store, caller: &Caller, from: &str, to: &str, rate: f64) -> ApiResult<CurrencyRate> {
    access::require_crm(caller)?;
    let mut rate = draft(from, to, rate, RateId::UNSAVED)?;
    let mut tx = store.begin_write().await?;
    let kept = store.currency_rates_in(tx.conn(), caller.portal).await?;
    match kept.iter().find(|r| r.from == rate.from && r.to == rate.to) {
        Some(existing) if rate.rate == 0.0 => {
            store.delete_currency_rate(tx.conn(), caller.portal, existing.id).await?;
            rate.id = existing.id;
        }
        _ => rate.id = store.upsert_currency_rate(tx.conn(), caller.portal, &rate).await?,
    }
    tx.commit().await?;
    Ok(rate)
}

/// `PUT crm/currency/rates/{id}`: changes a rate's pair and value. A rate the portal does not
/// have is a 404 (the original answers 400); moving it onto a pair another rate holds is a
/// 400 naming `fromCurrency`.
pub async fn update(
    store: &Store,
    caller: &Caller,
    id: RateId,
    from: &str,
    to: &str,
    rate: f64,
) -> ApiResult<CurrencyRate> {
    access::require_crm(caller)?;
    let rate = draft(from, to, rate, id)?;
    let mut tx = store.begin_write().await?;
    if store.currency_rate_in(tx.conn(), caller.portal, id).await?.is_none() {
        return Err(ApiError::not_found("Currency rate not found"));
    }
    let kept = store.currency_rates_in(tx.conn(), caller.portal).await?;
    if kept.iter().any(|r| r.id != id && r.from == rate.from && r.to == rate.to) {
        return Err(ApiError::invalid("fromCurrency", "another rate holds this pair; change that one"));
    }
    store.update_currency_rate(tx.conn(), caller.portal, &rate).await?;
    tx.commit().await?;
    Ok(rate)
}

/// `DELETE crm/currency/rates/{id}`: 404 for a rate the portal does not have (the original
/// answers 400).
pub async fn delete(store: &Store, caller: &Caller, id: RateId) -> ApiResult<CurrencyRate> {
    access::require_crm(caller)?;
    let mut tx = store.begin_write().await?;
    let rate = store
        .currency_rate_in(tx.conn(), caller.portal, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Currency rate not found"))?;
    store.delete_currency_rate(tx.conn(), caller.portal, id).await?;
    tx.commit().await?;
    Ok(rate)
}

/// What a bulk rate change sends: `(fromCurrency, toCurrency, rate)` for each pair.
pub struct RateDraft {
    pub from: String,
    pub to: String,
    pub rate: f64,
}

/// Checked drafts, each pair once (the last value sent wins).
fn drafts(rates: &[RateDraft]) -> ApiResult<Vec<CurrencyRate>> {
    let mut checked: Vec<CurrencyRate> = Vec::with_capacity(rates.len());
    for r in rates {
        let rate = draft(&r.from, &r.to, r.rate, RateId::UNSAVED)?;
        match checked.iter_mut().find(|c| c.from == rate.from && c.to == rate.to) {
            Some(same) => same.rate = rate.rate,
            None => checked.push(rate),
        }
    }
    Ok(checked)
}

/// `POST crm/currency/setrates` (admins): the portal's rates become exactly `rates`, and its
/// default currency `currency`. Returns the rates kept.
pub async fn set_rates(
    store: &Store,
    caller: &Caller,
    currency: &str,
    rates: &[RateDraft],
) -> ApiResult<Vec<CurrencyRate>> {
    access::require_crm(caller)?;
    require_admin(caller)?;
    let currency = known(currency, "currency")?;
    let rates = drafts(rates)?;
    let mut tx = store.begin_write().await?;
    store.set_default_currency(tx.conn(), caller.portal, currency.abbreviation).await?;
    store.delete_currency_rates(tx.conn(), caller.portal, None).await?;
    store.upsert_currency_rates(tx.conn(), caller.portal, &rates).await?;
    let kept = store.currency_rates_in(tx.conn(), caller.portal).await?;
    tx.commit().await?;
    Ok(kept)
}

/// `POST crm/currency/addrates` (admins): adds or changes the rate of each pair sent (a rate
/// of 0 for a kept pair deletes it, as one at a time). Returns every rate kept.
pub async fn add_rates(store: &Store, caller: &Caller, rates: &[RateDraft]) -> ApiResult<Vec<CurrencyRate>> {
    access::require_crm(caller)?;
    require_admin(caller)?;
    let rates = drafts(rates)?;
    let mut tx = store.begin_write().await?;
    let kept = store.currency_rates_in(tx.conn(), caller.portal).await?;
    let (zero, set): (Vec<CurrencyRate>, Vec<CurrencyRate>) = rates.into_iter().partition(|r| r.rate == 0.0);
    let gone: Vec<RateId> =
        kept.iter().filter(|k| zero.iter().any(|z| z.from == k.from && z.to == k.to)).map(|k| k.id).collect();
    let new_zero: Vec<CurrencyRate> =
        zero.into_iter().filter(|z| !kept.iter().any(|k| z.from == k.from && z.to == k.to)).collect();
    store.delete_currency_rates(tx.conn(), caller.portal, Some(&gone)).await?;
    store.upsert_currency_rates(tx.conn(), caller.portal, &[set, new_zero].concat()).await?;
    let kept = store.currency_rates_in(tx.conn(), caller.portal).await?;
    tx.commit().await?;
    Ok(kept)
}
