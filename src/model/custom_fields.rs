//! Custom fields of CRM contacts: definitions and values.

use super::ids::FieldId;

/// EntityType of the definitions: contact (any), company, person.
pub const ENTITY_CONTACT: i64 = 0;
pub const ENTITY_COMPANY: i64 = 4;
pub const ENTITY_PERSON: i64 = 5;

/// A custom field admins defined for contacts, companies or persons.
#[derive(Debug, Clone)]
pub struct FieldDefinition {
    pub id: FieldId,
    pub entity_type: i64,
    pub label: String,
    pub field_type: i64,
    pub position: i64,
    pub mask: String,
    /// How many values are stored for it.
    pub used_by: i64,
}

/// A contact's value of one custom field.
#[derive(Debug, Clone)]
pub struct FieldValue {
    pub field_id: FieldId,
    pub value: String,
}
