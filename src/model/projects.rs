//! Projects.

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub status: i64,
    pub responsible: Uuid,
    pub is_private: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub last_modified: DateTime<Utc>,
    pub last_modified_by: Uuid,
    /// Team members (the responsible among them).
    pub team: Vec<Uuid>,
    pub tags: Vec<String>,
}

/// A project to create.
pub struct NewProject {
    pub title: String,
    pub description: Option<String>,
    pub responsible: Uuid,
    pub is_private: bool,
    pub team: Vec<Uuid>,
    pub tags: Vec<String>,
}

/// What an update sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProjectChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub responsible: Option<Uuid>,
    pub status: Option<i64>,
    pub is_private: Option<bool>,
    pub team: Option<Vec<Uuid>>,
    pub tags: Option<Vec<String>>,
}
