//! The floor below `domain` and `store`: the entities both speak of, and their typed ids. It
//! imports neither.

pub mod access;
pub mod contacts;
pub mod crm_settings;
pub mod custom_fields;
pub mod groups;
pub mod ids;
pub mod login;
pub mod people;
pub mod photos;
pub mod projects;
pub mod tasks;

pub use ids::{
    CompanyId, ContactId, FieldId, GroupId, InfoId, ListItemId, PortalId, ProjectId, RateId, ShareType, UserId,
};
