//! A portal's CRM settings and the currencies and exchange rates its admins keep.

use super::ids::RateId;

/// A currency this server knows.
#[derive(Debug, Clone, Copy)]
pub struct CurrencyInfo {
    pub title: &'static str,
    pub symbol: &'static str,
    pub abbreviation: &'static str,
    pub culture_name: &'static str,
    pub is_basic: bool,
}

const fn currency(
    title: &'static str,
    symbol: &'static str,
    abbreviation: &'static str,
    culture_name: &'static str,
    is_basic: bool,
) -> CurrencyInfo {
    CurrencyInfo { title, symbol, abbreviation, culture_name, is_basic }
}

/// The currencies this server knows.
pub const CURRENCIES: [CurrencyInfo; 12] = [
    currency("United States Dollar", "$", "USD", "US", true),
    currency("Euro", "€", "EUR", "EU", true),
    currency("Pound Sterling", "£", "GBP", "GB", true),
    currency("Japanese Yen", "¥", "JPY", "JP", true),
    currency("Chinese Yuan", "¥", "CNY", "CN", false),
    currency("Russian Ruble", "₽", "RUB", "RU", true),
    currency("Swiss Franc", "Fr", "CHF", "CH", true),
    currency("Canadian Dollar", "$", "CAD", "CA", true),
    currency("Australian Dollar", "$", "AUD", "AU", true),
    currency("Indian Rupee", "₹", "INR", "IN", false),
    currency("Brazilian Real", "R$", "BRL", "BR", false),
    currency("Swedish Krona", "kr", "SEK", "SE", true),
];

/// The portal's currency until an admin sets another.
pub const DEFAULT_CURRENCY: &str = "USD";

/// A known currency by its code, any case.
pub fn currency_of(code: &str) -> Option<&'static CurrencyInfo> {
    CURRENCIES.iter().find(|c| c.abbreviation.eq_ignore_ascii_case(code.trim()))
}

/// Every known currency, by abbreviation.
pub fn all_currencies() -> Vec<&'static CurrencyInfo> {
    let mut all: Vec<_> = CURRENCIES.iter().collect();
    all.sort_by_key(|c| c.abbreviation);
    all
}

/// An exchange rate: one `from` is worth `rate` of `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencyRate {
    pub id: RateId,
    pub from: String,
    pub to: String,
    pub rate: f64,
}

/// The yes/no settings of a portal's CRM: the two that say whether a change to a company also
/// changes its persons (`None`: the web client asks each time), and one for mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrmFlag {
    /// `changeContactStatusGroupAuto`: a company's new status goes to its persons.
    ChangeStatus,
    /// `addTagToContactGroupAuto`: a tag put on a company goes to its persons.
    AddTag,
    /// `writeMailToHistoryAuto`: mail sent to a contact is written to its history.
    WriteMailToHistory,
}

/// A portal's CRM settings as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrmSettings {
    pub change_contact_status_group_auto: Option<bool>,
    pub add_tag_to_contact_group_auto: Option<bool>,
    pub write_mail_to_history_auto: Option<bool>,
    pub default_currency: Option<String>,
}
