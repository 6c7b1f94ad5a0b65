//! Groups (departments) of users.

use super::ids::{GroupId, UserId};

#[derive(Debug, Clone)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub manager: Option<UserId>,
}
