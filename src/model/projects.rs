//! Projects.

use super::ids::{ProjectId, UserId};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Project {
    pub id: ProjectId,
    pub title: String,
    pub description: Option<String>,
    pub status: i64,
    pub responsible: UserId,
    pub is_private: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    pub last_modified: DateTime<Utc>,
    pub last_modified_by: UserId,
    /// Team members (the responsible among them).
    pub team: Vec<UserId>,
    pub tags: Vec<String>,
}

/// A project to create.
pub struct NewProject {
    pub title: String,
    pub description: Option<String>,
    pub responsible: UserId,
    pub is_private: bool,
    pub team: Vec<UserId>,
    pub tags: Vec<String>,
}

/// What an update sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProjectChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub responsible: Option<UserId>,
    pub status: Option<i64>,
    pub is_private: Option<bool>,
    pub team: Option<Vec<UserId>>,
    pub tags: Option<Vec<String>>,
}
