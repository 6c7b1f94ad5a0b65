//! Background tasks as stored.

use chrono::{DateTime, Utc};

use super::ids::{PortalId, UserId};

/// The original's ProgressStatus: Queued = 0, Started = 1, Done = 2, Failed = 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Queued,
    Started,
    Done,
    Failed,
}

impl TaskStatus {
    pub fn number(self) -> i64 {
        match self {
            TaskStatus::Queued => 0,
            TaskStatus::Started => 1,
            TaskStatus::Done => 2,
            TaskStatus::Failed => 3,
        }
    }

    /// A stored number; anything unknown reads as failed, never as running.
    pub fn from_number(n: i64) -> Self {
        match n {
            0 => TaskStatus::Queued,
            1 => TaskStatus::Started,
            2 => TaskStatus::Done,
            _ => TaskStatus::Failed,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Failed)
    }
}

/// A background task: `steps` numbered steps of a `kind`, `step` of them done.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub portal: PortalId,
    pub kind: String,
    /// What the task is about, unique among unfinished tasks of its kind (a user's id, say).
    pub subject: String,
    /// The kind's parameters, as JSON.
    pub params: String,
    pub status: TaskStatus,
    pub step: i64,
    pub steps: i64,
    pub error: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub claimed_by: Option<String>,
    pub attempts: i64,
}

impl Task {
    /// Percent of the steps done.
    pub fn percentage(&self) -> f64 {
        if self.steps <= 0 {
            return 100.0;
        }
        (self.step as f64 * 100.0 / self.steps as f64).round()
    }
}
