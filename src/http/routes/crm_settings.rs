//! `api/2.0/crm/...` list management, settings, currencies and the mail-merge contacts.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;

use super::crm::entity_type;
use crate::app::App;
use crate::domain::contacts::{self, LIST_CONTACT_STATUS, LIST_CONTACT_TYPE};
use crate::domain::crm_settings::{self, CrmFlag};
use crate::domain::currencies::RateDraft;
use crate::domain::custom_fields::{self, ENTITY_COMPANY};
use crate::domain::{contact_mail, currencies, list_items, tags};
use crate::error::ApiResult;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In, Objects};
use crate::http::request::Call;
use crate::http::wire::crm::{CurrencyInfoWrapper, CustomFieldBaseWrapper, ListItemWrapper};
use crate::http::wire::crm_settings::{ContactBaseWithEmailWrapper, CurrencyRateInfoWrapper, CurrencyRateWrapper};
use crate::http::wire::WireCtx;
use crate::model::{ContactId, FieldId, ListItemId, RateId};

inputs! {
    pub struct ItemColor {
        id: ListItemId = "id",
        color: String = "color",
    }

    pub struct Titles {
        titles: Vec<String> = "titles",
    }

    pub struct FieldOrder {
        fieldids: Vec<FieldId> = "fieldids",
    }

    pub struct StatusSetting {
        value: Option<bool> = "changeContactStatusGroupAuto",
    }

    pub struct TagSetting {
        value: Option<bool> = "addTagToContactGroupAuto",
    }

    pub struct MailSetting {
        value: Option<bool> = "writeMailToHistoryAuto",
    }

    pub struct GroupTag {
        contact: ContactId = "contactid",
        tag_name: String = "tagName",
    }

    pub struct Convert {
        amount: Option<f64> = "amount",
        from: Option<String> = "fromcurrency",
        to: Option<String> = "tocurrency",
    }

    pub struct CurrencyCode {
        currency: String = "currency",
    }

    pub struct RateRef {
        id: RateId = "id",
    }

    pub struct Pair {
        from: String = "fromCurrency",
        to: String = "toCurrency",
    }

    pub struct RateFields {
        from: String = "fromCurrency",
        to: String = "toCurrency",
        rate: f64 = "rate",
    }

    pub struct RateEdit {
        id: RateId = "id",
        fields: RateFields,
    }

    pub struct SetRates {
        currency: String = "currency",
        rates: Objects<RateFields> = "rates",
    }

    pub struct AddRates {
        rates: Objects<RateFields> = "rates",
    }

    pub struct MailContacts {
        contactids: Vec<ContactId> = "contactids",
    }
}

/// `PUT crm/contact/status/{id}/color`.
pub async fn status_color(State(app): State<Arc<App>>, In(call, input): In<ItemColor>) -> ApiResult<Reply> {
    let item = list_items::set_color(&app.store, &call.caller, LIST_CONTACT_STATUS, input.id, &input.color).await?;
    Reply::of(ListItemWrapper::full(&item))
}

async fn reorder_items(app: &App, call: &Call, list_type: i64, titles: &[String]) -> ApiResult<Reply> {
    let items = list_items::reorder(&app.store, &call.caller, list_type, titles).await?;
    Reply::list(&items.iter().map(ListItemWrapper::full).collect::<Vec<_>>())
}

/// `PUT crm/contact/status/reorder` with `titles`.
pub async fn reorder_statuses(State(app): State<Arc<App>>, In(call, input): In<Titles>) -> ApiResult<Reply> {
    reorder_items(&app, &call, LIST_CONTACT_STATUS, &input.titles).await
}

/// `PUT crm/contact/type/reorder` with `titles`.
pub async fn reorder_types(State(app): State<Arc<App>>, In(call, input): In<Titles>) -> ApiResult<Reply> {
    reorder_items(&app, &call, LIST_CONTACT_TYPE, &input.titles).await
}

/// `PUT crm/{contact|person|company}/customfield/reorder` with `fieldids`: the definitions in
/// their new order, as the original's base wrappers of a definition (entity -1, value " ").
pub async fn reorder_fields(
    State(app): State<Arc<App>>,
    uri: Uri,
    In(call, input): In<FieldOrder>,
) -> ApiResult<Reply> {
    let fields = custom_fields::reorder(&app.store, &call.caller, entity_type(uri.path()), &input.fieldids).await?;
    Reply::list(&fields.iter().map(|f| CustomFieldBaseWrapper::new(f, -1, " ")).collect::<Vec<_>>())
}

fn setting_reply(value: Option<bool>) -> ApiResult<Reply> {
    match value {
        Some(value) => Reply::of(value),
        None => Ok(Reply::void()),
    }
}

/// `PUT crm/contact/status/settings`: the value stored, `{}` for none (ask each time).
pub async fn status_settings(State(app): State<Arc<App>>, In(call, input): In<StatusSetting>) -> ApiResult<Reply> {
    setting_reply(crm_settings::set_flag(&app.store, &call.caller, CrmFlag::ChangeStatus, input.value).await?)
}

/// `PUT crm/contact/tag/settings`.
pub async fn tag_settings(State(app): State<Arc<App>>, In(call, input): In<TagSetting>) -> ApiResult<Reply> {
    setting_reply(crm_settings::set_flag(&app.store, &call.caller, CrmFlag::AddTag, input.value).await?)
}

/// `PUT crm/contact/mailtohistory/settings`: a yes or no; left out is no, as the original binds
/// it.
pub async fn mail_settings(State(app): State<Arc<App>>, In(call, input): In<MailSetting>) -> ApiResult<Reply> {
    let value = Some(input.value.unwrap_or(false));
    setting_reply(crm_settings::set_flag(&app.store, &call.caller, CrmFlag::WriteMailToHistory, value).await?)
}

/// `POST crm/{company|person}/{contactid}/tag/group`.
pub async fn add_group_tag(State(app): State<Arc<App>>, uri: Uri, In(call, input): In<GroupTag>) -> ApiResult<Reply> {
    let is_company = entity_type(uri.path()) == ENTITY_COMPANY;
    Reply::of(tags::add_to_group(&app.store, &call.caller, input.contact, is_company, &input.tag_name).await?)
}

/// `DELETE crm/{company|person}/{contactid}/tag/group`.
pub async fn remove_group_tag(
    State(app): State<Arc<App>>,
    uri: Uri,
    In(call, input): In<GroupTag>,
) -> ApiResult<Reply> {
    let is_company = entity_type(uri.path()) == ENTITY_COMPANY;
    Reply::of(tags::remove_from_group(&app.store, &call.caller, input.contact, is_company, &input.tag_name).await?)
}

/// `GET crm/settings/currency/convert?amount=&fromcurrency=&tocurrency=`.
pub async fn convert(State(app): State<Arc<App>>, In(call, input): In<Convert>) -> ApiResult<Reply> {
    let (from, to) = (input.from.unwrap_or_default(), input.to.unwrap_or_default());
    Reply::of(currencies::convert(&app.store, &call.caller, input.amount.unwrap_or(0.0), &from, &to).await?)
}

/// `GET crm/settings/currency/summarytable?currency=`.
pub async fn summary_table(State(app): State<Arc<App>>, In(call, input): In<CurrencyCode>) -> ApiResult<Reply> {
    let table = currencies::summary(&app.store, &call.caller, &input.currency).await?;
    Reply::list(&table.into_iter().map(|(c, rate)| CurrencyRateInfoWrapper::new(c, rate)).collect::<Vec<_>>())
}

/// `PUT crm/settings/currency`: the portal's default currency.
pub async fn set_default_currency(State(app): State<Arc<App>>, In(call, input): In<CurrencyCode>) -> ApiResult<Reply> {
    Reply::of(CurrencyInfoWrapper::new(currencies::set_default(&app.store, &call.caller, &input.currency).await?))
}

/// `GET crm/currency/rates`.
pub async fn rates(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    let rates = currencies::rates(&app.store, &call.caller).await?;
    Reply::list(&rates.iter().map(CurrencyRateWrapper::new).collect::<Vec<_>>())
}

/// `GET crm/currency/rates/{id}`.
pub async fn rate(State(app): State<Arc<App>>, In(call, input): In<RateRef>) -> ApiResult<Reply> {
    Reply::of(CurrencyRateWrapper::new(&currencies::rate(&app.store, &call.caller, input.id).await?))
}

/// `GET crm/currency/rates/{fromCurrency}/{toCurrency}`.
pub async fn rate_of_pair(State(app): State<Arc<App>>, In(call, input): In<Pair>) -> ApiResult<Reply> {
    Reply::of(CurrencyRateWrapper::new(
        &currencies::rate_of_pair(&app.store, &call.caller, &input.from, &input.to).await?,
    ))
}

/// `POST crm/currency/rates` with `fromCurrency`, `toCurrency`, `rate`.
pub async fn create_rate(State(app): State<Arc<App>>, In(call, input): In<RateFields>) -> ApiResult<Reply> {
    let rate = currencies::create(&app.store, &call.caller, &input.from, &input.to, input.rate).await?;
    Reply::of(CurrencyRateWrapper::new(&rate))
}

/// `PUT crm/currency/rates/{id}`.
pub async fn update_rate(State(app): State<Arc<App>>, In(call, input): In<RateEdit>) -> ApiResult<Reply> {
    let RateEdit { id, fields } = input;
    let rate = currencies::update(&app.store, &call.caller, id, &fields.from, &fields.to, fields.rate).await?;
    Reply::of(CurrencyRateWrapper::new(&rate))
}

/// `DELETE crm/currency/rates/{id}`.
pub async fn delete_rate(State(app): State<Arc<App>>, In(call, input): In<RateRef>) -> ApiResult<Reply> {
    Reply::of(CurrencyRateWrapper::new(&currencies::delete(&app.store, &call.caller, input.id).await?))
}

fn rate_drafts(rates: Objects<RateFields>) -> Vec<RateDraft> {
    rates.0.into_iter().map(|r| RateDraft { from: r.from, to: r.to, rate: r.rate }).collect()
}

fn rates_reply(rates: &[currencies::CurrencyRate]) -> ApiResult<Reply> {
    Reply::list(&rates.iter().map(CurrencyRateWrapper::new).collect::<Vec<_>>())
}

/// `POST crm/currency/setrates` with `currency` and `rates` (objects of `fromCurrency`,
/// `toCurrency`, `rate`): the portal's rates become exactly these.
pub async fn set_rates(State(app): State<Arc<App>>, In(call, input): In<SetRates>) -> ApiResult<Reply> {
    let drafts = rate_drafts(input.rates);
    rates_reply(&currencies::set_rates(&app.store, &call.caller, &input.currency, &drafts).await?)
}

/// `POST crm/currency/addrates` with `rates`: every rate kept afterwards.
pub async fn add_rates(State(app): State<Arc<App>>, In(call, input): In<AddRates>) -> ApiResult<Reply> {
    rates_reply(&currencies::add_rates(&app.store, &call.caller, &rate_drafts(input.rates)).await?)
}

/// `GET crm/contact/mail?contactids=`: the readable contacts listed, each with its first primary
/// email.
pub async fn mail_contacts(State(app): State<Arc<App>>, In(call, input): In<MailContacts>) -> ApiResult<Reply> {
    let found = contact_mail::recipients(&app.store, &call.caller, &input.contactids).await?;
    let view = contacts::view(&app.store, &call.caller, &found).await?;
    let ctx = WireCtx::of(&call.info);
    Reply::list(
        &found.iter().map(|c| ContactBaseWithEmailWrapper::new(c, &call.caller, &view, &ctx)).collect::<Vec<_>>(),
    )
}
