//! `portald import contacts FILE.csv`: persons and companies with emails, phones, websites and
//! tags from a CSV file whose header row names the columns. The whole file is one transaction:
//! it is imported wholly or, on an error or a kill, not at all.
//!
//! Companies are imported in a first pass over the file and persons in a second, so a person's
//! `company` column finds a company listed anywhere in the file; a name found neither there nor
//! among the portal's companies creates the company.

use std::collections::HashMap;
use std::io::Read;

use crate::domain::access;
use crate::domain::contacts::{self, ContactInfo, NewContact, INFO_PHONE};
use crate::domain::people::{self, normalize_email};
use crate::domain::{tags, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::{CompanyId, ContactId, InfoId, PortalId, ShareType, UserId};
use crate::store::{Store, WriteTx};

const INFO_EMAIL: i64 = 1;
const INFO_WEBSITE: i64 = 2;
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
    ALIASES.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(column, _)| *column)
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub portal: PortalId,
    /// The login (email or user name) of the user the contacts are created by; the portal
    /// owner when none.
    pub acting_user: Option<String>,
    /// The share type of every imported contact; a private one gets the acting user as its
    /// manager.
    pub share_type: ShareType,
    /// Import nothing when any row is rejected.
    pub strict: bool,
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
struct Row {
    contact: NewContact,
    /// A person's company, by name.
    company: Option<String>,
    infos: Vec<ContactInfo>,
    tags: Vec<String>,
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
    fn row(&self, record: &[String], is_company: bool, share_type: ShareType) -> Result<Row, String> {
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
        let company = match (is_company, company) {
            (false, name) if !name.is_empty() => {
                let mut named = NewContact { is_company: true, company_name: name.into(), ..contact.clone() };
                contacts::check_new(&mut named).map_err(|e| e.to_string())?;
                Some(named.company_name)
            }
            _ => None,
        };
        let mut infos = Vec::new();
        for email in split(self.cell(record, Column::Email), &[';', ',']) {
            let data = normalize_email(email).map_err(|_| format!("{email:?} is not an email address"))?;
            infos.push(detail(INFO_EMAIL, data, infos.is_empty()));
        }
        let first_phone = infos.len();
        for phone in split(self.cell(record, Column::Phone), &[';']) {
            if !phone.chars().any(|c| c.is_ascii_digit())
                || !phone.chars().all(|c| c.is_ascii_digit() || " +-().,/x#*".contains(c))
            {
                return Err(format!("{phone:?} is not a phone number"));
            }
            infos.push(detail(INFO_PHONE, phone.into(), infos.len() == first_phone));
        }
        let first_website = infos.len();
        for site in split(self.cell(record, Column::Website), &[';', ' ']) {
            infos.push(detail(INFO_WEBSITE, site.into(), infos.len() == first_website));
        }
        for info in &infos {
            contacts::check_info(info).map_err(|e| e.to_string())?;
        }
        let tags = split(self.cell(record, Column::Tags), &[';', ','])
            .map(|tag| tags::check_name(tag).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Row { contact, company, infos, tags })
    }
}

fn split<'a>(cell: &'a str, separators: &'a [char]) -> impl Iterator<Item = &'a str> + 'a {
    cell.split(separators).map(str::trim).filter(|v| !v.is_empty())
}

fn detail(info_type: i64, data: String, is_primary: bool) -> ContactInfo {
    let category = contacts::parse_category(info_type, None).unwrap_or(1);
    ContactInfo { id: InfoId::UNSAVED, info_type, category, data, is_primary }
}

/// Imports a CSV file. `progress` hears each pass's position in bytes and the file's size.
pub async fn import_file(
    store: &Store,
    path: &std::path::Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Pass, u64, u64),
) -> anyhow::Result<ImportReport> {
    let size = std::fs::metadata(path)?.len();
    let open = || -> anyhow::Result<csv::Reader<std::fs::File>> {
        Ok(csv::ReaderBuilder::new().flexible(true).from_path(path)?)
    };
    let mut tx = store.begin_write().await?;
    let by = acting_user(store, &mut tx, options).await?;
    let mut import = Importer::new(store, options, by, tx);
    for pass in [Pass::Companies, Pass::Persons] {
        import.pass(open()?, pass, &mut |done| progress(pass, done, size)).await?;
    }
    let Importer { tx, mut report, .. } = import;
    report.rejected.sort_by_key(|r| r.line);
    if options.strict && !report.rejected.is_empty() {
        return Ok(report);
    }
    tx.commit().await?;
    report.committed = true;
    store.refresh_statistics().await?;
    Ok(report)
}

async fn acting_user(store: &Store, tx: &mut WriteTx, options: &ImportOptions) -> anyhow::Result<UserId> {
    let user = match &options.acting_user {
        Some(login) => people::by_login(store, options.portal, login)
            .await?
            .ok_or_else(|| anyhow::anyhow!("portal {} has no user {login:?}", options.portal))?,
        None => {
            let owner = store.portal_owner(tx.conn(), options.portal).await?.ok_or_else(|| {
                anyhow::anyhow!(
                    "portal {} has no owner yet: start the server once, or name a user with --as",
                    options.portal
                )
            })?;
            store
                .user_by_id(options.portal, owner)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the owner of portal {} is missing", options.portal))?
        }
    };
    // The importer acts for this user: the CRM's access rule applies to him as to a request.
    let caller = Caller { portal: options.portal, user, token_hash: None };
    access::require_crm(&caller).map_err(|e| anyhow::anyhow!("{}: {e}", caller.user.user_name))?;
    Ok(caller.user.id)
}

struct Importer<'a> {
    store: &'a Store,
    options: &'a ImportOptions,
    by: UserId,
    tx: WriteTx,
    report: ImportReport,
    /// Companies by lower-cased name: those of this file, then those looked up or created.
    companies: HashMap<String, CompanyId>,
    tag_ids: HashMap<String, i64>,
}

impl<'a> Importer<'a> {
    fn new(store: &'a Store, options: &'a ImportOptions, by: UserId, tx: WriteTx) -> Self {
        Importer {
            store,
            options,
            by,
            tx,
            report: ImportReport::default(),
            companies: HashMap::new(),
            tag_ids: HashMap::new(),
        }
    }

    /// Reads the file once, writing the rows of this pass's kind in chunks; the other kind's
    /// rows are checked in their own pass.
    async fn pass<R: Read>(
        &mut self,
        mut reader: csv::Reader<R>,
        pass: Pass,
        progress: &mut dyn FnMut(u64),
    ) -> anyhow::Result<()> {
        let (layout, ignored) = Layout::read(reader.byte_headers()?).map_err(|e| anyhow::anyhow!("{e}"))?;
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
            Ok((is_company, cells)) => match layout.row(&cells, is_company, self.options.share_type) {
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
    /// one statement (one more per new tag, and two for persons' companies).
    async fn write(&mut self, mut rows: Vec<Row>) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let portal = self.options.portal;
        self.resolve_companies(&mut rows).await?;
        let drafts: Vec<NewContact> = rows.iter().map(|r| r.contact.clone()).collect();
        let ids = self.store.insert_contacts_bulk(self.tx.conn(), portal, &drafts, self.by).await?;
        let mut infos = Vec::new();
        let mut tagged: HashMap<String, Vec<ContactId>> = HashMap::new();
        for (id, row) in ids.iter().zip(rows) {
            if row.contact.is_company {
                self.companies.entry(row.contact.company_name.to_lowercase()).or_insert(CompanyId(id.0));
                self.report.companies += 1;
            } else {
                self.report.persons += 1;
            }
            infos.extend(row.infos.into_iter().map(|info| (*id, info)));
            for tag in row.tags {
                tagged.entry(tag).or_default().push(*id);
            }
        }
        self.store.insert_infos_bulk(self.tx.conn(), portal, &infos).await?;
        self.add_managers(&ids).await?;
        for (tag, contacts) in tagged {
            let tag_id = match self.tag_ids.get(&tag.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let (id, _) = self.store.ensure_tag(self.tx.conn(), portal, &tag).await?;
                    self.tag_ids.insert(tag.to_lowercase(), id);
                    id
                }
            };
            self.store.tag_contacts(self.tx.conn(), portal, tag_id, &contacts).await?;
        }
        Ok(())
    }

    async fn add_managers(&mut self, ids: &[ContactId]) -> anyhow::Result<()> {
        if self.options.share_type == ShareType::None {
            let pairs: Vec<(ContactId, UserId)> = ids.iter().map(|id| (*id, self.by)).collect();
            self.store.insert_managers_bulk(self.tx.conn(), self.options.portal, &pairs).await?;
        }
        Ok(())
    }

    /// Sets persons' company ids from their company names: a company of this file, else the
    /// portal's first of that name, else a new company.
    async fn resolve_companies(&mut self, rows: &mut [Row]) -> anyhow::Result<()> {
        let portal = self.options.portal;
        let mut unknown: Vec<String> = rows
            .iter()
            .filter_map(|r| r.company.as_ref())
            .map(|name| name.to_lowercase())
            .filter(|key| !self.companies.contains_key(key))
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        for (key, id) in self.store.companies_by_names(self.tx.conn(), portal, &unknown).await? {
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
        let created = self.store.insert_contacts_bulk(self.tx.conn(), portal, &missing, self.by).await?;
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
