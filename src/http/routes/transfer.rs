//! Contact import and export: `crm/import/uploadfake`, `crm/import/samplerow`,
//! `crm/contact/import/start|status`, `crm/export/partial/contact/start`,
//! `crm/export/partial/status|cancel`, and `crm/export/partial/download` (a portald addition,
//! where a finished export's `fileUrl` leads).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::crm::{bulk_filter, BulkFilter};
use crate::app::App;
use crate::domain::transfer::{self, Progress};
use crate::error::{ApiError, ApiResult};
use crate::http::binding::Params;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In, Param, Upload};
use crate::http::openapi::Ty;
use crate::http::request::Call;
use crate::http::wire::transfer::{FileUploadResult, TransferProgress};

/// The file to import: the name `uploadfake` answered (`csvFileURI`), or a file uploaded in
/// the same request as multipart `file`.
#[derive(Debug)]
pub enum ImportFile {
    Uploaded(Vec<u8>),
    Named(String),
}

impl Param for ImportFile {
    const TY: Ty = Ty::Text;
    const REQUIRED: bool = true;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        if let Some(Upload(bytes)) = Option::<Upload>::bind(params, "file")? {
            return Ok(ImportFile::Uploaded(bytes));
        }
        let named = params.get::<String>(name)?.filter(|n| !n.trim().is_empty());
        named.map(ImportFile::Named).ok_or_else(|| ApiError::missing(name))
    }
}

inputs! {
    /// A file to store (or one stored before) and the import settings JSON.
    pub struct UploadFake {
        file: ImportFile = "csvFileURI",
        json_settings: Option<String> = "jsonSettings",
    }

    pub struct SampleRow {
        csv_file_uri: String = "csvFileURI",
        index_row: Option<i64> = "indexRow",
        json_settings: Option<String> = "jsonSettings",
    }

    /// The uploaded file (by the name `uploadfake` answered, or uploaded here as `file`) and
    /// the import settings JSON.
    pub struct ImportStart {
        file: ImportFile = "csvFileURI",
        json_settings: String = "jsonSettings",
    }

    /// The contacts to export, selected as `crm/contact/filter` does, and the file's format.
    pub struct ExportStart {
        filter: BulkFilter,
        format: Option<String> = "format",
    }
}

fn status_reply(progress: Option<Progress>, export: bool) -> ApiResult<Reply> {
    match progress {
        Some(progress) => Reply::of(TransferProgress::new(progress, export)),
        None => Ok(Reply::void()),
    }
}

/// `POST crm/import/uploadfake`: stores the upload; its name and first rows.
pub async fn upload_fake(State(app): State<Arc<App>>, In(call, input): In<UploadFake>) -> ApiResult<Reply> {
    let settings = input.json_settings.as_deref();
    let (name, rows) = match input.file {
        ImportFile::Uploaded(bytes) => transfer::upload(&app.store, &call.caller, bytes, settings).await?,
        ImportFile::Named(name) => {
            let first = transfer::sample_row(&app.store, &call.caller, &name, 0, settings).await?;
            (name, vec![first])
        }
    };
    Reply::of(FileUploadResult::new(name, rows))
}

/// `GET crm/import/samplerow`: the cells of row `indexRow` (0 the first) of an uploaded file.
pub async fn sample_row(State(app): State<Arc<App>>, In(call, input): In<SampleRow>) -> ApiResult<Reply> {
    let index = usize::try_from(input.index_row.unwrap_or(0))
        .map_err(|_| ApiError::invalid("indexRow", "must not be negative"))?;
    let settings = input.json_settings.as_deref();
    Reply::list(&transfer::sample_row(&app.store, &call.caller, &input.csv_file_uri, index, settings).await?)
}

/// `POST crm/contact/import/start`: queues the import; its status.
pub async fn import_start(State(app): State<Arc<App>>, In(call, input): In<ImportStart>) -> ApiResult<Reply> {
    let name = match input.file {
        ImportFile::Uploaded(bytes) => {
            transfer::upload(&app.store, &call.caller, bytes, Some(&input.json_settings)).await?.0
        }
        ImportFile::Named(name) => name,
    };
    let progress = transfer::start_import(&app.store, &call.caller, &name, &input.json_settings).await?;
    app.tasks.wake();
    status_reply(Some(progress), false)
}

/// `GET crm/contact/import/status`.
pub async fn import_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    status_reply(transfer::import_status(&app.store, &call.caller).await?, false)
}

/// `POST crm/export/partial/contact/start`: queues the export of what the filter selects.
pub async fn export_start(State(app): State<Arc<App>>, In(call, input): In<ExportStart>) -> ApiResult<Reply> {
    let filter = bulk_filter(&call, input.filter)?;
    let format = input.format.unwrap_or_else(|| "csv".to_string());
    let progress = transfer::start_export(&app.store, &call.caller, &filter, &format).await?;
    app.tasks.wake();
    status_reply(Some(progress), true)
}

/// `GET crm/export/partial/status`.
pub async fn export_status(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    status_reply(transfer::export_status(&app.store, &call.caller).await?, true)
}

/// `PUT crm/export/partial/cancel`: the status after the cancel.
pub async fn export_cancel(State(app): State<Arc<App>>, call: Call) -> ApiResult<Reply> {
    status_reply(transfer::cancel_export(&app.store, &call.caller).await?, true)
}

/// `GET crm/export/partial/download`: the caller's finished export, streamed a chunk (a page
/// of contacts) at a time.
pub async fn export_download(State(app): State<Arc<App>>, call: Call) -> ApiResult<Response> {
    let (name, chunks) = transfer::export_file(&app.store, &call.caller).await?;
    let kind = if name.ends_with(".csv") { "text/csv; charset=utf-8" } else { "text/vcard; charset=utf-8" };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}
