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
    /// Team members (the responsible among them), those who left excluded.
    pub team: Vec<UserId>,
    /// The members with restrictions: ProjectTeamSecurity flags, a set bit hiding that part of
    /// a private project from him.
    pub restrictions: Vec<(UserId, i64)>,
    pub tags: Vec<String>,
}

/// A team row: a member of a project, or one who left it.
#[derive(Debug, Clone)]
pub struct Member {
    pub project: ProjectId,
    pub user: UserId,
    /// ProjectTeamSecurity restriction flags.
    pub security: i64,
    pub removed: bool,
}

/// A project to create.
pub struct NewProject {
    pub title: String,
    pub description: Option<String>,
    pub responsible: UserId,
    pub is_private: bool,
    pub team: Vec<UserId>,
    /// Restrictions of team members (`withSecurity`).
    pub restrictions: Vec<(UserId, i64)>,
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
    /// Restrictions to set for members of the (new) team (`withSecurityInfo`).
    pub restrictions: Vec<(UserId, i64)>,
    pub tags: Option<Vec<String>>,
}
