//! Groups (departments) of users.

use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub manager: Option<Uuid>,
}
