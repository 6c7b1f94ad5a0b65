//! The floor below `domain` and `store`: the entities both speak of, and their typed ids. It
//! imports neither.

pub mod ids;

pub use ids::{ContactId, FieldId, GroupId, InfoId, ListItemId, PortalId, ProjectId, ShareType, UserId};
