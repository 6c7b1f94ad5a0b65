//! The status of contact imports and exports, and the answer to an upload.

use base64::Engine;
use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::tasks::TaskStatus;
use crate::domain::transfer::Progress;

/// The path a finished export downloads from (a portald addition: the original mails a link).
pub const DOWNLOAD_PATH: &str = "/api/2.0/crm/export/partial/download";

/// The original's IProgressItem of an import or export (`id` the portal, as the original's),
/// with the file it reads or writes, where a finished export downloads from, and a finished
/// import's outcome: counts, and the rows rejected with their lines.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    pub id: i64,
    /// Queued 0, Started 1, Done 2, Failed 3.
    pub status: i64,
    pub error: Option<String>,
    pub percentage: f64,
    pub is_completed: bool,
    pub file_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}

impl TransferProgress {
    pub fn new(progress: Progress, export: bool) -> Self {
        let task = progress.task;
        let done = task.status == TaskStatus::Done;
        TransferProgress {
            id: task.portal.0,
            status: task.status.number(),
            percentage: task.percentage(),
            is_completed: task.status.is_finished(),
            error: task.error,
            file_url: (export && done).then(|| DOWNLOAD_PATH.to_string()),
            file_name: progress.file,
            report: progress.report,
        }
    }
}

/// The original's FileUploadResult of `import/uploadfake`: `data` is the base64 of a JSON
/// object with `assignedPath` (the name to pass as `csvFileURI`) and `data`, the first rows;
/// both are also given as they are.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileUploadResult {
    pub success: bool,
    pub data: String,
    pub assigned_path: String,
    pub rows: Vec<Vec<String>>,
}

impl FileUploadResult {
    pub fn new(name: String, rows: Vec<Vec<String>>) -> Self {
        let info = serde_json::json!({"assignedPath": name, "data": rows});
        FileUploadResult {
            success: true,
            data: base64::engine::general_purpose::STANDARD.encode(info.to_string()),
            assigned_path: name,
            rows,
        }
    }
}
