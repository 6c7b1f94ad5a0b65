//! `portald import contacts FILE`: persons and companies with their details and tags from a CSV
//! file whose header row names the columns, or from a vCard file (3.0 or 4.0, see
//! [`crate::vcard`]). The whole file is one transaction: it is imported wholly or, on an error
//! or a kill, not at all. Contacts having the email of one the importing user may read are
//! imported, skipped or merged into it, as [`Duplicates`] says.
//!
//! Companies are imported in a first pass over the file and persons in a second, so a person's
//! `company` column finds a company listed anywhere in the file; a name found neither there nor
//! among the portal's companies creates the company.
//!
//! The API's import (`crm/contact/import/start`, see `domain::transfer`) runs the same
//! [`import_contacts`] inside its task step's transaction.

use std::collections::HashMap;
use std::io::Read;

use crate::domain::access;
use crate::domain::contacts::{self, ContactInfo, NewContact, INFO_ADDRESS, INFO_PHONE};
use crate::domain::people::{self, normalize_email};
use crate::domain::{photos, tags, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::access::{Right, Viewer};
use crate::model::contacts::INFO_EMAIL;
use crate::model::photos::PhotoOwner;
use crate::model::{CompanyId, ContactId, InfoId, PortalId, ShareType, UserId};

use crate::store::{Conn, Cost, Store};
use crate::vcard;

pub const INFO_WEBSITE: i64 = 2;
/// Rows are written in chunks of this many, a few statements per chunk.
const CHUNK: usize = 5_000;

/// The columns the importer knows; a header cell names one by any of its aliases, compared
/// case-insensitively and ignoring spaces, dashes and underscores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Kind,
    FirstName,
    LastName,
    Company,
    Title,
    About,
    Industry,
    Email,
    Phone,
    Website,
    Tags,
}

const ALIASES: [(Column, &[&str]); 11] = [
    (Column::Kind, &["kind", "contactkind"]),
    (Column::FirstName, &["firstname", "first", "givenname"]),
    (Column::LastName, &["lastname", "last", "surname", "familyname"]),
    (Column::Company, &["company", "companyname", "organization", "organisation"]),
    (Column::Title, &["title", "jobtitle", "position"]),
    (Column::About, &["about", "notes", "note", "description"]),
    (Column::Industry, &["industry"]),
    (Column::Email, &["email", "emails", "emailaddress"]),
    (Column::Phone, &["phone", "phones", "phonenumber", "telephone", "tel"]),
    (Column::Website, &["website", "web", "url"]),
    (Column::Tags, &["tags", "tag"]),
];

fn column_of(header: &str) -> Option<Column> {
    let key: String = header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    // The original's mapping names details `contactInfo_{type}_{category}`.
    if let Some(info) = key.strip_prefix("contactinfo").filter(|rest| rest.len() >= 2) {
        return match &info[..info.len() - 1] {
            "0" => Some(Column::Phone),
            "1" => Some(Column::Email),
            "2" => Some(Column::Website),
            _ => None,
        };
    }
    ALIASES.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(column, _)| *column)
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The share type of every imported contact; a private one gets the importing user and
    /// `managers` as its managers.
    pub share_type: ShareType,
    pub managers: Vec<UserId>,
    /// Tags given to every imported contact, besides its own.
    pub tags: Vec<String>,
    /// Import nothing when any row is rejected.
    pub strict: bool,
    /// The file's format; told from its name or its first bytes when `None`.
    pub format: Option<Format>,
    pub duplicates: Duplicates,
    pub csv: CsvOptions,
}

/// How a CSV file is laid out.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub quote: u8,
    /// Whether the first row names the columns.
    pub has_header: bool,
    /// Column names by position, instead of the header's (the API's `column_mapping`).
    pub mapping: Option<Vec<String>>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { delimiter: b',', quote: b'"', has_header: true, mapping: None }
    }
}

/// What is imported: a file, or bytes (an upload).
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    File(&'a std::path::Path),
    Bytes(&'a [u8]),
}

impl Input<'_> {
    fn format(&self) -> std::io::Result<Format> {
        Ok(match self {
            Input::File(path) => {
                let mut head = [0u8; 64];
                let read = std::fs::File::open(path)?.read(&mut head)?;
                Format::detect(Some(path), &head[..read])
            }
            Input::Bytes(bytes) => Format::detect(None, &bytes[..bytes.len().min(64)]),
        })
    }

    fn size(&self) -> std::io::Result<u64> {
        match self {
            Input::File(path) => Ok(std::fs::metadata(path)?.len()),
            Input::Bytes(bytes) => Ok(bytes.len() as u64),
        }
    }

    fn csv_reader(&self, options: &CsvOptions) -> std::io::Result<csv::Reader<Box<dyn Read + Send + '_>>> {
        let source: Box<dyn Read + Send + '_> = match self {
            Input::File(path) => Box::new(std::fs::File::open(path)?),
            Input::Bytes(bytes) => Box::new(*bytes),
        };
        Ok(csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(options.delimiter)
            .quote(options.quote)
            .has_headers(options.has_header)
            .from_reader(source))
    }

    fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Input::File(path) => Ok(std::fs::read(path)?.into()),
            Input::Bytes(bytes) => Ok((*bytes).into()),
        }
    }
}

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Vcard,
}

impl Format {
    /// `.vcf` and `.vcard` files, or any whose first text is `BEGIN:VCARD`, are vCards.
    pub fn detect(path: Option<&std::path::Path>, head: &[u8]) -> Format {
        let extension = path.and_then(|p| p.extension()).and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("vcf" | "vcard") => Format::Vcard,
            Some("csv") => Format::Csv,
            _ => {
                let text = String::from_utf8_lossy(head);
                let text = text.trim_start_matches('\u{feff}').trim_start();
                if text.len() >= 11 && text[..11].eq_ignore_ascii_case("BEGIN:VCARD") {
                    Format::Vcard
                } else {
                    Format::Csv
                }
            }
        }
    }
}

/// What becomes of a contact with an email that a contact the importing user may read has
/// (or one imported before it from the same file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Duplicates {
    /// Imported as a new contact all the same.
    #[default]
    Import,
    /// Left out, counted as skipped.
    Skip,
    /// Its details and tags that the existing contact lacks are added to it; only contacts
    /// the user may edit count as duplicates here.
    Merge,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub persons: usize,
    pub companies: usize,
    /// Companies created because a person named one the portal did not have.
    pub companies_created: usize,
    pub rejected: Vec<Rejection>,
    /// Duplicates by email left out, and merged into the contact they duplicate.
    pub skipped: usize,
    pub merged: usize,
    /// What was imported without a part of it (a photo given by link, an unreadable photo).
    pub notes: Vec<Rejection>,
    /// Header cells that name no known column; their values are not imported.
    pub ignored_columns: Vec<String>,
    /// False when `strict` rolled the import back.
    pub committed: bool,
}

/// Which pass over the file is running, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Companies,
    Persons,
}

/// One valid row, ready to write.
#[derive(Clone)]
struct Row {
    /// Its line in the file, for notes.
    line: u64,
    contact: NewContact,
    /// A person's company, by name.
    company: Option<String>,
    infos: Vec<ContactInfo>,
    tags: Vec<String>,
    /// An embedded photo, as the card carries it.
    photo: Option<Vec<u8>>,
}

/// The header's mapping from columns to cell positions.
struct Layout {
    cells: HashMap<Column, usize>,
    width: usize,
}

impl Layout {
    fn read(headers: &csv::ByteRecord) -> ApiResult<(Layout, Vec<String>)> {
        let mut cells = HashMap::new();
        let mut ignored = Vec::new();
        for (n, cell) in headers.iter().enumerate() {
            let header = String::from_utf8_lossy(cell).trim().trim_start_matches('\u{feff}').to_string();
            match column_of(&header) {
                Some(column) if cells.insert(column, n).is_some() => {
                    return Err(ApiError::bad_request(format!("the header names the {column:?} column twice")));
                }
                Some(_) => {}
                None => ignored.push(header),
            }
        }
        if ![Column::FirstName, Column::LastName, Column::Company].iter().any(|c| cells.contains_key(c)) {
            return Err(ApiError::bad_request(
                "the header row names no name column: give firstName and lastName, or company",
            ));
        }
        Ok((Layout { cells, width: headers.len() }, ignored))
    }

    /// A record's cells, if it is text with as many cells as the header.
    fn record(&self, record: &csv::ByteRecord) -> Result<Vec<String>, String> {
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8(c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|_| "not valid UTF-8".to_string())?;
        if cells.len() != self.width {
            return Err(format!("has {} fields where the header has {}", cells.len(), self.width));
        }
        Ok(cells)
    }

    fn cell<'r>(&self, record: &'r [String], column: Column) -> &'r str {
        self.cells.get(&column).and_then(|n| record.get(*n)).map_or("", |v| v.trim())
    }

    /// Whether a record describes a company: its `kind` says so, or it has a company name and
    /// no person's name.
    fn is_company(&self, record: &[String]) -> Result<bool, String> {
        match self.cell(record, Column::Kind).to_lowercase().as_str() {
            "company" | "organization" | "organisation" => Ok(true),
            "person" | "individual" => Ok(false),
            "" => Ok(self.cell(record, Column::FirstName).is_empty()
                && self.cell(record, Column::LastName).is_empty()
                && !self.cell(record, Column::Company).is_empty()),
            other => Err(format!("kind {other:?} is neither person nor company")),
        }
    }

    /// Checks a record with the rules the API applies to a new contact and its details.
    fn row(&self, line: u64, record: &[String], is_company: bool, share_type: ShareType) -> Result<Row, String> {
        let text = |column| Some(self.cell(record, column).to_string()).filter(|v| !v.is_empty());
        let company = self.cell(record, Column::Company);
        let named = if is_company {
            NewContact::company(company)
        } else {
            NewContact::person(self.cell(record, Column::FirstName), self.cell(record, Column::LastName))
        };
        let mut contact = NewContact {
            title: text(Column::Title),
            about: text(Column::About),
            industry: text(Column::Industry),
            share_type,
            ..named
        };
        contacts::check_new(&mut contact).map_err(|e| e.to_string())?;
        // The API takes a person without a last name, as the original does; an import row
        // without one is more likely a broken line, and is still rejected.
        if !is_company && contact.last_name.is_empty() {
            return Err(crate::error::ApiError::missing("lastName").to_string());
        }
        let company = company_of(is_company, company, &contact)?;
        let mut infos = Vec::new();
        for email in split(self.cell(record, Column::Email), &[';', ',']) {
            infos.push(email_detail(email, None, infos.is_empty())?);
        }
        let first_phone = infos.len();
        for phone in split(self.cell(record, Column::Phone), &[';']) {
            infos.push(phone_detail(phone, None, infos.len() == first_phone)?);
        }
        let first_website = infos.len();
        for site in split(self.cell(record, Column::Website), &[';', ' ']) {
            infos.push(detail(INFO_WEBSITE, site.into(), None, infos.len() == first_website));
        }
        let tags: Vec<&str> = split(self.cell(record, Column::Tags), &[';', ',']).collect();
        finish(Row { line, contact, company, infos, tags: Vec::new(), photo: None }, &tags)
    }
}

/// A person's company name, checked as a company's name.
fn company_of(is_company: bool, name: &str, person: &NewContact) -> Result<Option<String>, String> {
    if is_company || name.is_empty() {
        return Ok(None);
    }
    let mut named = NewContact { is_company: true, company_name: name.into(), ..person.clone() };
    contacts::check_new(&mut named).map_err(|e| e.to_string())?;
    Ok(Some(named.company_name))
}

fn email_detail(email: &str, category: Option<&str>, is_primary: bool) -> Result<ContactInfo, String> {
    let data = normalize_email(email).map_err(|_| format!("{email:?} is not an email address"))?;
    Ok(detail(INFO_EMAIL, data, category, is_primary))
}

fn phone_detail(phone: &str, category: Option<&str>, is_primary: bool) -> Result<ContactInfo, String> {
    if !phone.chars().any(|c| c.is_ascii_digit())
        || !phone.chars().all(|c| c.is_ascii_digit() || " +-().,/x#*".contains(c))
    {
        return Err(format!("{phone:?} is not a phone number"));
    }
    Ok(detail(INFO_PHONE, phone.into(), category, is_primary))
}

/// Checks a row's details and tags with the API's rules.
fn finish(mut row: Row, tags: &[&str]) -> Result<Row, String> {
    for info in &row.infos {
        contacts::check_info(info).map_err(|e| e.to_string())?;
    }
    row.tags = tags.iter().map(|tag| tags::check_name(tag).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    Ok(row)
}

/// A card as a row: a company when the card says it is an organisation, or has no person's
/// name but an organisation's; a person otherwise, linked to his ORG.
fn card_row(card: &vcard::Card, share_type: ShareType) -> Result<Row, String> {
    let (mut given, mut family) = (card.given_name.clone(), card.family_name.clone());
    let formatted = card.formatted_name.trim();
    let is_company = card.is_organization
        || (given.is_empty()
            && family.is_empty()
            && !card.organization.is_empty()
            && (formatted.is_empty() || formatted == card.organization));
    if !is_company && given.is_empty() && family.is_empty() {
        // No N: the formatted name's last word is taken for the family name.
        match formatted.rsplit_once(' ') {
            Some((first, last)) => (given, family) = (first.trim().to_string(), last.to_string()),
            None => given = formatted.to_string(),
        }
    }
    if !is_company && given.is_empty() && family.is_empty() {
        return Err("has no name (N, FN or ORG)".into());
    }
    let company_name = if card.organization.is_empty() { formatted } else { card.organization.as_str() };
    let named = if is_company {
        NewContact::company(company_name)
    } else {
        NewContact::person(given.as_str(), family.as_str())
    };
    let text = |t: &str| Some(t.to_string()).filter(|t| !t.is_empty());
    let mut contact = NewContact { title: text(&card.title), about: text(&card.note), share_type, ..named };
    contacts::check_new(&mut contact).map_err(|e| e.to_string())?;
    let company = company_of(is_company, &card.organization, &contact)?;
    let mut infos = Vec::new();
    let primary = |list: &[vcard::Typed], n: usize| list[n].preferred || (n == 0 && !list.iter().any(|t| t.preferred));
    for (n, email) in card.emails.iter().enumerate() {
        infos.push(email_detail(&email.value, category(INFO_EMAIL, &email.types), primary(&card.emails, n))?);
    }
    for (n, phone) in card.phones.iter().enumerate() {
        infos.push(phone_detail(&phone.value, category(INFO_PHONE, &phone.types), primary(&card.phones, n))?);
    }
    for (n, url) in card.urls.iter().enumerate() {
        infos.push(detail(INFO_WEBSITE, url.value.clone(), category(INFO_WEBSITE, &url.types), primary(&card.urls, n)));
    }
    let first_preferred = card.addresses.iter().position(|a| a.preferred).unwrap_or(0);
    for (n, address) in card.addresses.iter().enumerate() {
        let data = serde_json::json!({
            "street": address.street, "city": address.city, "state": address.region,
            "zip": address.postcode, "country": address.country,
        });
        infos.push(detail(
            INFO_ADDRESS,
            data.to_string(),
            category(INFO_ADDRESS, &address.types),
            n == first_preferred,
        ));
    }
    let photo = match &card.photo {
        Some(vcard::Photo::Embedded(bytes)) => Some(bytes.clone()),
        _ => None,
    };
    let tags: Vec<&str> = card.categories.iter().map(String::as_str).collect();
    finish(Row { line: card.line, contact, company, infos, tags: Vec::new(), photo }, &tags)
}

/// A detail's category from vCard types: the first that names one of the info type's
/// categories (`cell` is Mobile, `postal` and `parcel` Postal), else the original's default.
fn category(info_type: i64, types: &[String]) -> Option<&'static str> {
    let names = contacts::categories(info_type);
    types.iter().find_map(|t| {
        let name = match t.as_str() {
            "cell" | "mobile" | "iphone" => "Mobile",
            "parcel" | "postal" | "dom" | "intl" => "Postal",
            other => names.iter().copied().find(|n| n.eq_ignore_ascii_case(other))?,
        };
        names.contains(&name).then_some(name)
    })
}

/// The vCard types of a detail's category, the reverse of [`category`].
pub fn vcard_types(info_type: i64, category: i64) -> Vec<String> {
    let name = contacts::categories(info_type).get(category as usize).copied().unwrap_or("Other");
    vec![match name {
        "Mobile" => "cell".to_string(),
        other => other.to_ascii_lowercase(),
    }]
}

fn split<'a>(cell: &'a str, separators: &'a [char]) -> impl Iterator<Item = &'a str> + 'a {
    cell.split(separators).map(str::trim).filter(|v| !v.is_empty())
}

fn detail(info_type: i64, data: String, category: Option<&str>, is_primary: bool) -> ContactInfo {
    let category = contacts::parse_category(info_type, category).unwrap_or(1);
    ContactInfo { id: InfoId::UNSAVED, info_type, category, data, is_primary }
}

/// Imports a CSV or vCard file for `caller` in one transaction of its own. `progress` hears
/// each pass's position (in bytes for CSV, in cards for vCard) and the whole.
pub async fn import_file(
    store: &Store,
    path: &std::path::Path,
    caller: &Caller,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Pass, u64, u64) + Send),
) -> anyhow::Result<ImportReport> {
    let mut tx = store.begin_write_costing(Cost::Long).await?;
    let mut report = import_contacts(store, tx.conn(), caller, Input::File(path), options, progress).await?;
    if options.strict && !report.rejected.is_empty() {
        return Ok(report);
    }
    tx.commit().await?;
    report.committed = true;
    store.after_bulk_load().await?;
    Ok(report)
}

/// Imports `input` for `caller` inside `conn`'s transaction, which the caller commits, or rolls
/// back when `strict` and a row was rejected. An error leaves the transaction to roll back.
pub async fn import_contacts(
    store: &Store,
    conn: Conn<'_>,
    caller: &Caller,
    input: Input<'_>,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Pass, u64, u64) + Send),
) -> anyhow::Result<ImportReport> {
    access::require_crm(caller).map_err(|e| anyhow::anyhow!("{}: {e}", caller.user.user_name))?;
    let format = match options.format {
        Some(format) => format,
        None => input.format()?,
    };
    let mut import = Importer::new(store, options, caller, conn);
    match format {
        Format::Csv => {
            let size = input.size()?;
            for pass in [Pass::Companies, Pass::Persons] {
                let reader = input.csv_reader(&options.csv)?;
                import.pass(reader, pass, &mut |done| progress(pass, done, size)).await?;
            }
        }
        Format::Vcard => import.cards(&input.bytes()?, progress).await?,
    }
    let mut report = import.report;
    report.rejected.sort_by_key(|r| r.line);
    report.notes.sort_by_key(|r| r.line);
    Ok(report)
}

/// The user a command acts for, by login, or the portal owner; he must have CRM access, and
/// the access rules apply to him as to a request.
pub async fn acting_caller(store: &Store, portal: PortalId, login: Option<&str>) -> anyhow::Result<Caller> {
    let user = match login {
        Some(login) => people::by_login(store, portal, login)
            .await?
            .ok_or_else(|| anyhow::anyhow!("portal {portal} has no user {login:?}"))?,
        None => {
            let owner = store.owner_of(portal).await?.ok_or_else(|| {
                anyhow::anyhow!("portal {portal} has no owner yet: start the server once, or name a user with --as")
            })?;
            store
                .user_by_id(portal, owner)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the owner of portal {portal} is missing"))?
        }
    };
    let caller = Caller { portal, user, token_hash: None };
    access::require_crm(&caller).map_err(|e| anyhow::anyhow!("{}: {e}", caller.user.user_name))?;
    Ok(caller)
}

struct Importer<'a> {
    store: &'a Store,
    options: &'a ImportOptions,
    caller: &'a Caller,
    conn: Conn<'a>,
    report: ImportReport,
    /// Companies by lower-cased name: those of this file, then those looked up or created.
    companies: HashMap<String, CompanyId>,
    tag_ids: HashMap<String, i64>,
}

/// A row's emails, lower-cased, by which duplicates are found.
fn emails_of(row: &Row) -> Vec<String> {
    row.infos.iter().filter(|i| i.info_type == INFO_EMAIL).map(|i| i.data.to_lowercase()).collect()
}

/// Adds to `into` the details and tags of `from` that it lacks (as secondary details).
fn merge_rows(into: &mut Row, from: Row) {
    for info in from.infos {
        if !into.infos.iter().any(|i| i.info_type == info.info_type && i.data.eq_ignore_ascii_case(&info.data)) {
            into.infos.push(ContactInfo { is_primary: false, ..info });
        }
    }
    for tag in from.tags {
        if !into.tags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            into.tags.push(tag);
        }
    }
}

impl<'a> Importer<'a> {
    fn new(store: &'a Store, options: &'a ImportOptions, caller: &'a Caller, conn: Conn<'a>) -> Self {
        Importer {
            store,
            options,
            caller,
            conn,
            report: ImportReport::default(),
            companies: HashMap::new(),
            tag_ids: HashMap::new(),
        }
    }

    fn by(&self) -> UserId {
        self.caller.user.id
    }

    /// Reads every card, then writes the companies and the persons in chunks.
    async fn cards(&mut self, input: &[u8], progress: &mut (dyn FnMut(Pass, u64, u64) + Send)) -> anyhow::Result<()> {
        let (mut companies, mut persons) = (Vec::new(), Vec::new());
        for card in vcard::read(input) {
            let card = match card {
                Ok(card) => card,
                Err(error) => {
                    self.reject(error.line, format!("the card {}", error.reason));
                    continue;
                }
            };
            match card_row(&card, self.options.share_type) {
                Ok(row) if row.contact.is_company => companies.push(row),
                Ok(row) => persons.push(row),
                Err(reason) => {
                    self.reject(card.line, format!("the card {reason}"));
                    continue;
                }
            }
            if let Some(vcard::Photo::Link(url)) = &card.photo {
                self.note(card.line, format!("its PHOTO is a link ({url}), which is not fetched"));
            }
        }
        let total = (companies.len() + persons.len()) as u64;
        let mut done = 0;
        for (pass, rows) in [(Pass::Companies, companies), (Pass::Persons, persons)] {
            for chunk in rows.chunks(CHUNK) {
                self.write(chunk.to_vec()).await?;
                done += chunk.len() as u64;
                progress(pass, done, total);
            }
        }
        Ok(())
    }

    fn note(&mut self, line: u64, reason: String) {
        self.report.notes.push(Rejection { line, reason });
    }

    /// Reads the file once, writing the rows of this pass's kind in chunks; the other kind's
    /// rows are checked in their own pass.
    async fn pass<R: Read>(
        &mut self,
        mut reader: csv::Reader<R>,
        pass: Pass,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> anyhow::Result<()> {
        let headers = match &self.options.csv.mapping {
            Some(names) => csv::ByteRecord::from(names.clone()),
            None if self.options.csv.has_header => reader.byte_headers()?.clone(),
            None => anyhow::bail!("a file without a header row needs a column mapping"),
        };
        let (layout, ignored) = Layout::read(&headers).map_err(|e| anyhow::anyhow!("{e}"))?;
        if pass == Pass::Companies {
            self.report.ignored_columns = ignored;
        }
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut record = csv::ByteRecord::new();
        // The reader is lenient about quoting; what fails here is reading the file itself.
        while reader.read_byte_record(&mut record)? {
            let line = record.position().map_or(0, |p| p.line());
            if let Some(row) = self.check(&layout, &record, line, pass) {
                chunk.push(row);
            }
            if chunk.len() == CHUNK {
                self.write(std::mem::take(&mut chunk)).await?;
                progress(reader.position().byte());
            }
        }
        self.write(chunk).await?;
        progress(reader.position().byte());
        Ok(())
    }

    /// A record's row when it is valid and of this pass's kind; an invalid record is rejected
    /// once, in the pass of its kind (or in the first pass when its kind cannot be told).
    fn check(&mut self, layout: &Layout, record: &csv::ByteRecord, line: u64, pass: Pass) -> Option<Row> {
        match layout.record(record).and_then(|cells| Ok((layout.is_company(&cells)?, cells))) {
            Err(reason) => {
                // A record whose kind cannot be told is rejected once, in the first pass.
                if pass == Pass::Companies {
                    self.reject(line, reason);
                }
                None
            }
            Ok((is_company, _)) if is_company != (pass == Pass::Companies) => None,
            Ok((is_company, cells)) => match layout.row(line, &cells, is_company, self.options.share_type) {
                Ok(row) => Some(row),
                Err(reason) => {
                    self.reject(line, reason);
                    None
                }
            },
        }
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.report.rejected.push(Rejection { line, reason });
    }

    /// Writes a chunk of rows of one kind: contacts, then details, managers and tags, each in
    /// one statement (one more per new tag, two for persons' companies and two for duplicates),
    /// and the photos.
    async fn write(&mut self, rows: Vec<Row>) -> anyhow::Result<()> {
        let mut rows = self.without_duplicates(rows).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let portal = self.caller.portal;
        self.resolve_companies(&mut rows).await?;
        let drafts: Vec<NewContact> = rows.iter().map(|r| r.contact.clone()).collect();
        let by = self.by();
        let ids = self.store.insert_contacts_bulk(self.conn.re(), portal, &drafts, by).await?;
        let mut infos = Vec::new();
        let mut tagged: HashMap<String, Vec<ContactId>> = HashMap::new();
        let mut photos = Vec::new();
        for (id, row) in ids.iter().zip(rows) {
            if row.contact.is_company {
                self.companies.entry(row.contact.company_name.to_lowercase()).or_insert(CompanyId(id.0));
                self.report.companies += 1;
            } else {
                self.report.persons += 1;
            }
            infos.extend(row.infos.into_iter().map(|info| (*id, info)));
            for tag in row.tags.into_iter().chain(self.options.tags.iter().cloned()) {
                tagged.entry(tag).or_default().push(*id);
            }
            if let Some(photo) = row.photo {
                photos.push((*id, row.line, photo));
            }
        }
        self.store.insert_infos_bulk(self.conn.re(), portal, &infos).await?;
        self.add_managers(&ids).await?;
        self.tag(tagged).await?;
        for (id, line, image) in photos {
            match photos::contact_photo_of(image).await {
                Ok(photo) => {
                    self.store.replace_photo(self.conn.re(), portal, PhotoOwner::Contact(id), Some(&photo)).await?
                }
                Err(e) => self.note(line, format!("its PHOTO was left out: {e}")),
            }
        }
        Ok(())
    }

    async fn tag(&mut self, tagged: HashMap<String, Vec<ContactId>>) -> anyhow::Result<()> {
        let portal = self.caller.portal;
        for (tag, contacts) in tagged {
            let tag_id = match self.tag_ids.get(&tag.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let (id, _) = self.store.ensure_tag(self.conn.re(), portal, &tag).await?;
                    self.tag_ids.insert(tag.to_lowercase(), id);
                    id
                }
            };
            self.store.tag_contacts(self.conn.re(), portal, tag_id, &contacts).await?;
        }
        Ok(())
    }

    /// The rows that are not duplicates by email of an earlier row of the chunk or of a
    /// contact the user may read (merging: edit), as the options say; merges are written here.
    async fn without_duplicates(&mut self, rows: Vec<Row>) -> anyhow::Result<Vec<Row>> {
        let merge = match self.options.duplicates {
            Duplicates::Import => return Ok(rows),
            Duplicates::Skip => false,
            Duplicates::Merge => true,
        };
        let mut kept: Vec<Row> = Vec::with_capacity(rows.len());
        let mut by_email: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let emails = emails_of(&row);
            match emails.iter().find_map(|e| by_email.get(e)).copied() {
                Some(earlier) if merge => {
                    merge_rows(&mut kept[earlier], row);
                    self.report.merged += 1;
                }
                Some(_) => self.report.skipped += 1,
                None => {
                    for email in emails {
                        by_email.insert(email, kept.len());
                    }
                    kept.push(row);
                }
            }
        }
        let emails: Vec<String> = by_email.into_keys().collect();
        let right = if merge { Right::Edit } else { Right::Read };
        let viewer = Viewer::of(self.caller);
        let found: HashMap<String, ContactId> = self
            .store
            .contacts_by_emails_in(self.conn.re(), self.caller.portal, viewer, right, &emails)
            .await?
            .into_iter()
            .collect();
        let mut fresh = Vec::with_capacity(kept.len());
        let mut merges = Vec::new();
        for row in kept {
            match emails_of(&row).iter().find_map(|e| found.get(e)) {
                Some(id) if merge => merges.push((*id, row)),
                Some(_) => self.report.skipped += 1,
                None => fresh.push(row),
            }
        }
        self.merge_into(merges).await?;
        Ok(fresh)
    }

    /// Adds to existing contacts the details they lack and the tags of their duplicates.
    async fn merge_into(&mut self, merges: Vec<(ContactId, Row)>) -> anyhow::Result<()> {
        if merges.is_empty() {
            return Ok(());
        }
        let portal = self.caller.portal;
        let ids: Vec<ContactId> = merges.iter().map(|(id, _)| *id).collect();
        let mut present: std::collections::HashSet<(ContactId, i64, String)> =
            self.store.info_keys_in(self.conn.re(), portal, &ids).await?.into_iter().collect();
        let mut infos = Vec::new();
        let mut tagged: HashMap<String, Vec<ContactId>> = HashMap::new();
        for (id, row) in merges {
            for info in row.infos {
                if present.insert((id, info.info_type, info.data.to_lowercase())) {
                    infos.push((id, ContactInfo { is_primary: false, ..info }));
                }
            }
            for tag in row.tags {
                tagged.entry(tag).or_default().push(id);
            }
            self.report.merged += 1;
        }
        self.store.insert_infos_bulk(self.conn.re(), portal, &infos).await?;
        self.tag(tagged).await
    }

    async fn add_managers(&mut self, ids: &[ContactId]) -> anyhow::Result<()> {
        if self.options.share_type == ShareType::None {
            let mut managers = self.options.managers.clone();
            managers.push(self.by());
            managers.sort_unstable();
            managers.dedup();
            let pairs: Vec<(ContactId, UserId)> =
                ids.iter().flat_map(|id| managers.iter().map(move |user| (*id, *user))).collect();
            self.store.insert_managers_bulk(self.conn.re(), self.caller.portal, &pairs).await?;
        }
        Ok(())
    }

    /// Sets persons' company ids from their company names: a company of this file, else the
    /// portal's first of that name, else a new company.
    async fn resolve_companies(&mut self, rows: &mut [Row]) -> anyhow::Result<()> {
        let portal = self.caller.portal;
        let mut unknown: Vec<String> = rows
            .iter()
            .filter_map(|r| r.company.as_ref())
            .map(|name| name.to_lowercase())
            .filter(|key| !self.companies.contains_key(key))
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        for (key, id) in self.store.companies_by_names(self.conn.re(), portal, &unknown).await? {
            self.companies.insert(key, id);
        }
        let mut missing: Vec<NewContact> = Vec::new();
        let mut missing_keys = std::collections::HashSet::new();
        for row in rows.iter() {
            let Some(name) = &row.company else { continue };
            let key = name.to_lowercase();
            if !self.companies.contains_key(&key) && missing_keys.insert(key) {
                missing.push(NewContact { share_type: self.options.share_type, ..NewContact::company(name.clone()) });
            }
        }
        let by = self.by();
        let created = self.store.insert_contacts_bulk(self.conn.re(), portal, &missing, by).await?;
        self.add_managers(&created).await?;
        self.report.companies_created += created.len();
        for (company, id) in missing.iter().zip(created) {
            self.companies.insert(company.company_name.to_lowercase(), CompanyId(id.0));
        }
        for row in rows.iter_mut() {
            if let Some(name) = &row.company {
                row.contact.company_id = self.companies.get(&name.to_lowercase()).copied();
            }
        }
        Ok(())
    }
}
