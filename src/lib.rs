//! portald: a server that speaks the ONLYOFFICE Community Server REST API 2.0 for CRM
//! contacts, people and projects.
//!
//! Layers: [`http`] (routing, negotiation, envelope, binding, auth, errors) calls [`domain`]
//! (rules and the read models answers need), which calls [`store`] (SQL, migrations per
//! backend); both stand on [`model`] (entities and typed ids), which imports neither.

pub mod app;
pub mod backup;
pub mod config;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod import;
pub mod mailer;
pub mod migrate;
pub mod model;
pub mod seed;
pub mod store;
pub mod vcard;
