//! Contact import and export through the API (`crm/contact/import/*`, `crm/import/*`,
//! `crm/export/partial/*`), as background tasks (see `domain::tasks`) running the same code as
//! `portald import contacts` and `portald export contacts`.
//!
//! Files live in the database (server processes keep nothing of their own): an upload is stored
//! by `crm/import/uploadfake` under a name the client passes back as `csvFileURI`; an export is
//! written page by page, one step and one chunk a page, and downloaded from
//! `crm/export/partial/download` when done. An import is one step, so one transaction: it is
//! imported wholly or not at all, and reports its outcome on its file.

use serde::Deserialize;
use serde_json::json;

use super::contacts;
use super::tasks::{self, Task, TaskKind};
use super::{access, Caller};
use crate::error::{ApiError, ApiResult};
use crate::export::{self, ExportFormat, PAGE};
use crate::import::{self, CsvOptions, Duplicates, Format, ImportOptions, ImportReport, Input};
use crate::model::contacts::ContactFilter;
use crate::model::ids::{parse_guid, ContactId, UserId};
use crate::model::ShareType;
use crate::store::{Conn, Cost, Store, TransferFile};

/// The subject of a portal's contact import (one at a time, as in the original).
const IMPORT_SUBJECT: &str = "contact";
/// Rows shown by `crm/import/samplerow` and `uploadfake`.
const SAMPLE_ROWS: usize = 5;

/// A task as its status shows it, with the file it reads or writes.
pub struct Progress {
    pub task: Task,
    pub file: String,
    /// An import's outcome, when done.
    pub report: Option<serde_json::Value>,
}

/// The original's import settings (ImportCSVSettings), all optional here, with portald's
/// `strict` and `format`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Settings {
    has_header: Option<bool>,
    delimiter_character: Option<u32>,
    quote_character: Option<u32>,
    /// A Windows code page (65001 UTF-8, 1252, 28591 ...).
    encoding: Option<u32>,
    /// Column positions and the fields they hold, either way round.
    column_mapping: Option<serde_json::Map<String, serde_json::Value>>,
    /// 1 skip, 2 overwrite (here: merge), anything else import as new.
    removing_duplicates_behavior: Option<i64>,
    is_private: Option<bool>,
    access_list: Option<Vec<String>>,
    share_type: Option<i64>,
    contact_managers: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    strict: Option<bool>,
    format: Option<String>,
}

fn settings_error(why: impl std::fmt::Display) -> ApiError {
    ApiError::invalid("jsonSettings", why)
}

/// The encoding of a Windows code page, as the original's settings name it.
fn code_page(n: u32) -> Option<&'static encoding_rs::Encoding> {
    let label = match n {
        65001 | 0 => "utf-8",
        1200 => "utf-16le",
        1201 => "utf-16be",
        866 => "ibm866",
        874 => "windows-874",
        932 => "shift_jis",
        936 => "gbk",
        949 => "euc-kr",
        950 => "big5",
        1250..=1258 => return encoding_rs::Encoding::for_label(format!("windows-{n}").as_bytes()),
        20866 => "koi8-r",
        21866 => "koi8-u",
        20127 | 28591 => "iso-8859-1",
        28592..=28606 => return encoding_rs::Encoding::for_label(format!("iso-8859-{}", n - 28590).as_bytes()),
        _ => return None,
    };
    encoding_rs::Encoding::for_label(label.as_bytes())
}

fn guids(list: &Option<Vec<String>>) -> ApiResult<Vec<UserId>> {
    list.iter()
        .flatten()
        .map(|id| parse_guid(id).map(UserId).ok_or_else(|| settings_error(format!("{id:?} is not a user id"))))
        .collect()
}

impl Settings {
    fn parse(json: &str) -> ApiResult<Settings> {
        serde_json::from_str(json).map_err(|e| settings_error(format!("not the import settings JSON: {e}")))
    }

    fn character(value: Option<u32>, default: u8, name: &str) -> ApiResult<u8> {
        match value {
            None => Ok(default),
            Some(n) => u8::try_from(n)
                .ok()
                .filter(u8::is_ascii)
                .ok_or_else(|| settings_error(format!("{name} must be an ASCII character code"))),
        }
    }

    /// Column names by position from `column_mapping`.
    fn mapping(&self) -> ApiResult<Option<Vec<String>>> {
        let Some(map) = &self.column_mapping else { return Ok(None) };
        let mut names: Vec<String> = Vec::new();
        for (key, value) in map {
            let (position, name) = match (key.parse::<usize>(), value) {
                (Ok(position), serde_json::Value::String(name)) => (position, name.clone()),
                (_, value) => match value.as_u64().or_else(|| value.as_str().and_then(|v| v.parse().ok())) {
                    Some(position) => (position as usize, key.clone()),
                    None => return Err(settings_error(format!("column_mapping {key:?} names no column position"))),
                },
            };
            if position > 1000 {
                return Err(settings_error("column_mapping names a column past the 1000th"));
            }
            if names.len() <= position {
                names.resize(position + 1, String::new());
            }
            names[position] = name;
        }
        Ok(Some(names))
    }

    fn options(&self) -> ApiResult<(ImportOptions, &'static encoding_rs::Encoding)> {
        let encoding = match self.encoding {
            None => encoding_rs::UTF_8,
            Some(n) => code_page(n).ok_or_else(|| settings_error(format!("unknown encoding (code page) {n}")))?,
        };
        let share_type = match (self.is_private, self.share_type) {
            (Some(true), _) => ShareType::None,
            (_, Some(n)) => {
                ShareType::from_number(n).ok_or_else(|| settings_error(format!("unknown share_type {n}")))?
            }
            _ => ShareType::ReadWrite,
        };
        let mut managers = guids(&self.access_list)?;
        managers.extend(guids(&self.contact_managers)?);
        let format = match self.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("csv") => Some(Format::Csv),
            Some("vcard" | "vcf") => Some(Format::Vcard),
            Some(other) => return Err(settings_error(format!("unknown format {other:?}: csv or vcard"))),
        };
        let options = ImportOptions {
            share_type,
            managers,
            tags: self.tags.clone().unwrap_or_default(),
            strict: self.strict.unwrap_or(false),
            format,
            duplicates: match self.removing_duplicates_behavior {
                Some(1) => Duplicates::Skip,
                Some(2) => Duplicates::Merge,
                _ => Duplicates::Import,
            },
            csv: CsvOptions {
                delimiter: Self::character(self.delimiter_character, b',', "delimiter_character")?,
                quote: Self::character(self.quote_character, b'"', "quote_character")?,
                has_header: self.has_header.unwrap_or(true),
                mapping: self.mapping()?,
            },
        };
        Ok((options, encoding))
    }
}

/// A file's bytes as UTF-8 text in the settings' encoding.
fn decoded(bytes: Vec<u8>, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    if encoding == encoding_rs::UTF_8 {
        return bytes;
    }
    encoding.decode(&bytes).0.into_owned().into_bytes()
}

/// `POST crm/import/uploadfake`: stores an uploaded file for import; answers its name (to
/// pass as `csvFileURI`) and its first rows.
pub async fn upload(
    store: &Store,
    caller: &Caller,
    bytes: Vec<u8>,
    settings: Option<&str>,
) -> ApiResult<(String, Vec<Vec<String>>)> {
    access::require_crm(caller)?;
    let settings = settings.map(Settings::parse).transpose()?.unwrap_or_default();
    let (options, encoding) = settings.options()?;
    let name = format!("import-{}", uuid::Uuid::new_v4().simple());
    let mut tx = store.begin_write_costing(Cost::Long).await?;
    let file = store.create_transfer_file(tx.conn(), caller.portal, &name, caller.user.id).await?;
    store.append_transfer_chunk(tx.conn(), file, 0, &bytes).await?;
    tx.commit().await?;
    let rows = sample_rows(&decoded(bytes, encoding), &options.csv, SAMPLE_ROWS);
    Ok((name, rows))
}

/// The first `count` rows of a CSV file, cells as text (a vCard file shows none).
fn sample_rows(bytes: &[u8], csv: &CsvOptions, count: usize) -> Vec<Vec<String>> {
    if Format::detect(None, &bytes[..bytes.len().min(64)]) == Format::Vcard {
        return Vec::new();
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(csv.delimiter)
        .quote(csv.quote)
        .from_reader(bytes);
    reader
        .byte_records()
        .take(count)
        .filter_map(Result::ok)
        .map(|record| record.iter().map(|cell| String::from_utf8_lossy(cell).into_owned()).collect())
        .collect()
}

/// An uploaded file of the portal, or a 400 naming `csvFileURI`.
async fn uploaded(store: &Store, caller: &Caller, name: &str) -> ApiResult<TransferFile> {
    store
        .transfer_file_of(caller.portal, name.trim())
        .await?
        .filter(|file| file.name.starts_with("import-"))
        .ok_or_else(|| {
            ApiError::invalid("csvFileURI", "no uploaded file of that name (upload it with import/uploadfake)")
        })
}

/// `GET crm/import/samplerow`: row `index` of an uploaded file (0 the first), as its cells.
pub async fn sample_row(
    store: &Store,
    caller: &Caller,
    name: &str,
    index: usize,
    settings: Option<&str>,
) -> ApiResult<Vec<String>> {
    access::require_crm(caller)?;
    let settings = settings.map(Settings::parse).transpose()?.unwrap_or_default();
    let (options, encoding) = settings.options()?;
    let file = uploaded(store, caller, name).await?;
    let bytes = store.transfer_bytes_of(file.id).await?;
    let rows = sample_rows(&decoded(bytes, encoding), &options.csv, index.saturating_add(1));
    Ok(rows.into_iter().nth(index).unwrap_or_default())
}

/// `POST crm/contact/import/start`: queues the import of an uploaded file with the settings;
/// an import already running in the portal is answered instead.
pub async fn start_import(store: &Store, caller: &Caller, name: &str, settings: &str) -> ApiResult<Progress> {
    access::require_crm(caller)?;
    let (options, _) = Settings::parse(settings)?.options()?;
    let known = store.users_by_ids(caller.portal, &options.managers).await?;
    if let Some(unknown) = options.managers.iter().find(|id| !known.iter().any(|u| u.id == **id)) {
        return Err(settings_error(format!("the managers name no user {unknown}")));
    }
    let file = uploaded(store, caller, name).await?;
    let params = json!({"file": file.name, "settings": settings});
    let mut tx = store.begin_write().await?;
    let task = tasks::enqueue(
        store,
        tx.conn(),
        caller.portal,
        TaskKind::ImportContacts,
        IMPORT_SUBJECT,
        &params,
        1,
        caller.user.id,
    )
    .await?;
    tx.commit().await?;
    progress_of(store, caller, task).await
}

/// `GET crm/contact/import/status`: the portal's latest import.
pub async fn import_status(store: &Store, caller: &Caller) -> ApiResult<Option<Progress>> {
    latest_progress(store, caller, TaskKind::ImportContacts, IMPORT_SUBJECT).await
}

/// The latest task of `kind` about `subject`, as its status shows it.
async fn latest_progress(store: &Store, caller: &Caller, kind: TaskKind, subject: &str) -> ApiResult<Option<Progress>> {
    access::require_crm(caller)?;
    match tasks::latest(store, caller.portal, kind, subject).await? {
        Some(task) => progress_of(store, caller, task).await.map(Some),
        None => Ok(None),
    }
}

/// A task's text parameter.
fn param(task: &Task, name: &str) -> ApiResult<String> {
    match tasks::param(task, name)? {
        serde_json::Value::String(text) => Ok(text),
        other => Ok(other.to_string()),
    }
}

async fn progress_of(store: &Store, caller: &Caller, task: Task) -> ApiResult<Progress> {
    let file = param(&task, "file")?;
    let report = match store.transfer_file_of(caller.portal, &file).await? {
        Some(TransferFile { report: Some(report), .. }) => serde_json::from_str(&report).ok(),
        _ => None,
    };
    Ok(Progress { task, file, report })
}

/// The user a task acts for, as its caller, with his rights as they are now.
async fn task_caller(store: &Store, mut conn: Conn<'_>, task: &Task) -> ApiResult<Caller> {
    let user = store
        .user_by_id_in(conn.re(), task.portal, task.created_by)
        .await?
        .ok_or_else(|| ApiError::bad_request("the user who started it no longer exists"))?;
    let caller = Caller { portal: task.portal, user, token_hash: None };
    access::require_crm(&caller)?;
    Ok(caller)
}

/// An import's or export's error: the database's as it is (a busy database retries the step),
/// anything else as a bad request with its message.
fn task_error(err: anyhow::Error) -> ApiError {
    match err.downcast::<sqlx::Error>() {
        Ok(err) => err.into(),
        Err(err) => ApiError::bad_request(format!("{err:#}")),
    }
}

fn report_json(report: &ImportReport) -> serde_json::Value {
    let lines = |list: &[import::Rejection]| -> Vec<serde_json::Value> {
        list.iter().map(|r| json!({"line": r.line, "reason": r.reason})).collect()
    };
    json!({
        "persons": report.persons, "companies": report.companies, "companiesCreated": report.companies_created,
        "skipped": report.skipped, "merged": report.merged,
        "rejected": lines(&report.rejected), "notes": lines(&report.notes),
        "ignoredColumns": report.ignored_columns,
    })
}

/// The one step of an import: the whole file in the step's transaction.
pub(super) async fn import_step(store: &Store, mut conn: Conn<'_>, task: &Task) -> ApiResult<()> {
    let caller = task_caller(store, conn.re(), task).await?;
    let name = param(task, "file")?;
    let (options, encoding) = Settings::parse(&param(task, "settings")?)?.options()?;
    let file = store
        .transfer_file(conn.re(), task.portal, &name)
        .await?
        .ok_or_else(|| ApiError::bad_request("the uploaded file is gone"))?;
    let bytes = decoded(store.transfer_bytes(conn.re(), file.id).await?, encoding);
    let report = import::import_contacts(store, conn.re(), &caller, Input::Bytes(&bytes), &options, &mut |_, _, _| {})
        .await
        .map_err(task_error)?;
    if options.strict && !report.rejected.is_empty() {
        let first: Vec<String> =
            report.rejected.iter().take(5).map(|r| format!("line {}: {}", r.line, r.reason)).collect();
        return Err(ApiError::bad_request(format!(
            "{} rows rejected and strict given, nothing was imported ({})",
            report.rejected.len(),
            first.join("; ")
        )));
    }
    // The upload's content is no longer needed; its report stays for the status.
    store.set_transfer_report(conn.re(), file.id, &report_json(&report).to_string()).await?;
    store.delete_transfer_chunks(conn.re(), file.id).await?;
    Ok(())
}

/// The subject of a user's export (one at a time per user).
fn export_subject(caller: &Caller) -> String {
    caller.user.id.to_string()
}

fn format_name(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Vcard(crate::vcard::Version::V3) => "vcard3",
        ExportFormat::Vcard(crate::vcard::Version::V4) => "vcard4",
    }
}

fn parse_format(name: &str) -> Option<ExportFormat> {
    match name {
        "csv" => Some(ExportFormat::Csv),
        "vcard" | "vcard3" => Some(ExportFormat::Vcard(crate::vcard::Version::V3)),
        "vcard4" => Some(ExportFormat::Vcard(crate::vcard::Version::V4)),
        _ => None,
    }
}

/// `POST crm/export/partial/contact/start`: queues the export of what `filter` selects that
/// the caller may read, one step a page; an export of his already running is answered instead.
pub async fn start_export(store: &Store, caller: &Caller, filter: &ContactFilter, format: &str) -> ApiResult<Progress> {
    let format = parse_format(&format.to_ascii_lowercase())
        .ok_or_else(|| ApiError::invalid("format", "use csv, vcard (3.0) or vcard4"))?;
    let (_, total) = contacts::filter(store, caller, filter, 0, 0).await?;
    let steps = total.div_ceil(PAGE).max(1) as i64;
    let extension = if format == ExportFormat::Csv { "csv" } else { "vcf" };
    let name = format!("contacts-{}.{extension}", uuid::Uuid::new_v4().simple());
    let filter = serde_json::to_string(filter).map_err(|e| ApiError::Internal(e.into()))?;
    let params = json!({"file": name, "filter": filter, "format": format_name(format)});
    let mut tx = store.begin_write().await?;
    let task = tasks::enqueue(
        store,
        tx.conn(),
        caller.portal,
        TaskKind::ExportContacts,
        &export_subject(caller),
        &params,
        steps,
        caller.user.id,
    )
    .await?;
    if param(&task, "file")? == name {
        // A new export replaces the caller's earlier ones.
        store.delete_transfer_files(tx.conn(), caller.portal, "contacts-", caller.user.id).await?;
        store.create_transfer_file(tx.conn(), caller.portal, &name, caller.user.id).await?;
    }
    tx.commit().await?;
    progress_of(store, caller, task).await
}

/// `GET crm/export/partial/status`: the caller's latest export.
pub async fn export_status(store: &Store, caller: &Caller) -> ApiResult<Option<Progress>> {
    latest_progress(store, caller, TaskKind::ExportContacts, &export_subject(caller)).await
}

/// `PUT crm/export/partial/cancel`: stops the caller's export; its status says so.
pub async fn cancel_export(store: &Store, caller: &Caller) -> ApiResult<Option<Progress>> {
    access::require_crm(caller)?;
    tasks::terminate(store, caller.portal, TaskKind::ExportContacts, &export_subject(caller)).await?;
    export_status(store, caller).await
}

/// One page of an export, after the last contact written; the last step writes the rest.
pub(super) async fn export_step(store: &Store, mut conn: Conn<'_>, task: &Task, step: i64) -> ApiResult<()> {
    let caller = task_caller(store, conn.re(), task).await?;
    let name = param(task, "file")?;
    let filter: ContactFilter = serde_json::from_str(&param(task, "filter")?)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("task {} filter: {e}", task.id)))?;
    let format = parse_format(&param(task, "format")?)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("task {} format", task.id)))?;
    let file = store
        .transfer_file(conn.re(), task.portal, &name)
        .await?
        .ok_or_else(|| ApiError::bad_request("the export's file is gone"))?;
    let after = ContactId(store.transfer_last_id(conn.re(), file.id).await?);
    let pages = if step + 1 == task.steps { u64::MAX } else { 1 };
    let (bytes, last) =
        export::export_pages(store, &caller, &filter, format, after, pages, step == 0).await.map_err(task_error)?;
    store.append_transfer_chunk(conn.re(), file.id, last.0, &bytes).await?;
    Ok(())
}

/// The file of the caller's finished export, for download: its name and a reader of its
/// chunks in order.
pub async fn export_file(
    store: &Store,
    caller: &Caller,
) -> ApiResult<(String, impl futures_util::Stream<Item = Result<Vec<u8>, sqlx::Error>>)> {
    let progress = export_status(store, caller).await?.ok_or_else(|| ApiError::not_found("No export"))?;
    if progress.task.status != tasks::TaskStatus::Done {
        return Err(ApiError::not_found("The export is not done"));
    }
    let file =
        store.transfer_file_of(caller.portal, &progress.file).await?.ok_or_else(|| ApiError::not_found("No export"))?;
    // A chunk (a page of contacts) at a time, so that a large file never sits in memory whole.
    let store = store.clone();
    let chunks = futures_util::stream::unfold(Some(0i64), move |seq| {
        let store = store.clone();
        async move {
            let seq = seq?;
            match store.transfer_chunk(file.id, seq).await {
                Ok(Some(data)) => Some((Ok(data), Some(seq + 1))),
                Ok(None) => None,
                Err(err) => Some((Err(err), None)),
            }
        }
    });
    Ok((file.name, chunks))
}
