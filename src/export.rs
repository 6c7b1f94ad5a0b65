//! `portald export contacts`: the CRM contacts a filter selects that the user may read, as CSV
//! (the columns `portald import contacts` reads) or vCard 3.0 or 4.0, written as they are read:
//! pages of [`PAGE`] contacts by id, each in a fixed number of statements, so memory stays flat
//! whatever the number of contacts.

use std::io::Write;

use crate::domain::contacts::{self, ContactView};
use crate::domain::Caller;
use crate::import::{vcard_types, INFO_WEBSITE};
use crate::model::contacts::{Contact, ContactFilter, ContactInfo, INFO_ADDRESS, INFO_EMAIL, INFO_PHONE};
use crate::model::photos::CONTACT_SIZES;
use crate::model::ContactId;
use crate::store::Store;
use crate::vcard::{self, Card, Typed};

/// Contacts read and written at a time.
pub const PAGE: u64 = 1_000;

/// The formats written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Vcard(vcard::Version),
}

/// The CSV header: names `portald import contacts` maps back to the same columns.
const CSV_HEADER: [&str; 11] =
    ["kind", "first name", "last name", "company", "title", "about", "industry", "email", "phone", "website", "tags"];

/// Writes every contact `filter` selects that `caller` may read to `out`; `progress` hears how
/// many are written and how many there are. Returns how many were written.
pub async fn export_contacts(
    store: &Store,
    caller: &Caller,
    filter: &ContactFilter,
    format: ExportFormat,
    out: &mut (dyn Write + Send),
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> anyhow::Result<u64> {
    let (_, total) = contacts::filter(store, caller, filter, 0, 0).await?;
    out.write_all(&header(format)?)?;
    let mut after = ContactId(0);
    let mut written = 0;
    while let Some((last, count)) = write_page(store, caller, filter, format, after, out).await? {
        after = last;
        written += count as u64;
        progress(written, total.max(written));
    }
    out.flush()?;
    Ok(written)
}

/// Up to `pages` pages of contacts after `after` (with the CSV header first when `first`), and
/// the last contact written (`after` when none was): an export task's step.
pub async fn export_pages(
    store: &Store,
    caller: &Caller,
    filter: &ContactFilter,
    format: ExportFormat,
    after: ContactId,
    pages: u64,
    first: bool,
) -> anyhow::Result<(Vec<u8>, ContactId)> {
    let mut out = if first { header(format)? } else { Vec::new() };
    let mut last = after;
    for _ in 0..pages {
        match write_page(store, caller, filter, format, last, &mut out).await? {
            Some((page_last, _)) => last = page_last,
            None => break,
        }
    }
    Ok((out, last))
}

/// What a file starts with: the CSV header, nothing for vCards.
fn header(format: ExportFormat) -> anyhow::Result<Vec<u8>> {
    match format {
        ExportFormat::Csv => csv_lines([CSV_HEADER.map(String::from).to_vec()]),
        ExportFormat::Vcard(_) => Ok(Vec::new()),
    }
}

/// Writes the page of contacts after `after`, in a fixed number of statements; returns its
/// last contact and its size, or `None` when there are no more.
async fn write_page(
    store: &Store,
    caller: &Caller,
    filter: &ContactFilter,
    format: ExportFormat,
    after: ContactId,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Option<(ContactId, usize)>> {
    let page = contacts::filter_after(store, caller, filter, after, PAGE).await?;
    let Some(last) = page.last().map(|c| c.id) else { return Ok(None) };
    let view = contacts::view(store, caller, &page).await?;
    match format {
        ExportFormat::Csv => out.write_all(&csv_lines(page.iter().map(|c| csv_record(c, &view)))?)?,
        ExportFormat::Vcard(version) => {
            let ids: Vec<ContactId> = page.iter().map(|c| c.id).collect();
            let mut photos: std::collections::HashMap<ContactId, Vec<u8>> =
                store.contact_photos(caller.portal, &ids, CONTACT_SIZES[0]).await?.into_iter().collect();
            let mut text = String::new();
            for contact in &page {
                let mut card = card_of(contact, &view);
                card.photo = photos.remove(&contact.id).map(vcard::Photo::Embedded);
                vcard::write(&mut text, &card, version);
            }
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(Some((last, page.len())))
}

fn csv_lines(records: impl IntoIterator<Item = Vec<String>>) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(record)?;
    }
    Ok(writer.into_inner()?)
}

fn infos_of<'v>(view: &'v ContactView, contact: &Contact, info_type: i64) -> impl Iterator<Item = &'v ContactInfo> {
    let infos = view.details.infos.get(&contact.id).map(Vec::as_slice).unwrap_or_default();
    infos.iter().filter(move |i| i.info_type == info_type)
}

fn tags_of<'v>(view: &'v ContactView, contact: &Contact) -> &'v [String] {
    view.details.tags.get(&contact.id).map(Vec::as_slice).unwrap_or_default()
}

/// A person's company as the caller may see it.
fn company_name<'v>(view: &'v ContactView, contact: &'v Contact) -> &'v str {
    if contact.is_company {
        return &contact.company_name;
    }
    contact.company_id.and_then(|id| view.companies.get(&id.contact())).map_or("", |c| c.company_name.as_str())
}

fn csv_record(contact: &Contact, view: &ContactView) -> Vec<String> {
    let joined = |info_type| infos_of(view, contact, info_type).map(|i| i.data.as_str()).collect::<Vec<_>>().join("; ");
    let (first, last) =
        if contact.is_company { ("", "") } else { (contact.first_name.as_str(), contact.last_name.as_str()) };
    vec![
        if contact.is_company { "company" } else { "person" }.to_string(),
        first.to_string(),
        last.to_string(),
        company_name(view, contact).to_string(),
        contact.title.clone().unwrap_or_default(),
        contact.about.clone().unwrap_or_default(),
        contact.industry.clone().unwrap_or_default(),
        joined(INFO_EMAIL),
        joined(INFO_PHONE),
        joined(INFO_WEBSITE),
        tags_of(view, contact).join("; "),
    ]
}

fn typed(view: &ContactView, contact: &Contact, info_type: i64) -> Vec<Typed> {
    infos_of(view, contact, info_type)
        .map(|i| Typed { types: vcard_types(info_type, i.category), value: i.data.clone(), preferred: i.is_primary })
        .collect()
}

/// A contact as a card; details of other types than those vCard has properties for are left out.
fn card_of(contact: &Contact, view: &ContactView) -> Card {
    let text = |field: &str, address: &serde_json::Value| address[field].as_str().unwrap_or_default().to_string();
    let addresses = infos_of(view, contact, INFO_ADDRESS)
        .filter_map(|i| {
            let address: serde_json::Value = serde_json::from_str(&i.data).ok()?;
            Some(vcard::Address {
                types: vcard_types(INFO_ADDRESS, i.category),
                preferred: i.is_primary,
                street: text("street", &address),
                city: text("city", &address),
                region: text("state", &address),
                postcode: text("zip", &address),
                country: text("country", &address),
            })
        })
        .collect();
    let (given_name, family_name) =
        if contact.is_company { Default::default() } else { (contact.first_name.clone(), contact.last_name.clone()) };
    Card {
        line: 0,
        given_name,
        family_name,
        formatted_name: contact.display_name().trim().to_string(),
        organization: company_name(view, contact).to_string(),
        is_organization: contact.is_company,
        title: contact.title.clone().unwrap_or_default(),
        note: contact.about.clone().unwrap_or_default(),
        emails: typed(view, contact, INFO_EMAIL),
        phones: typed(view, contact, INFO_PHONE),
        urls: typed(view, contact, INFO_WEBSITE),
        addresses,
        categories: tags_of(view, contact).to_vec(),
        photo: None,
    }
}
