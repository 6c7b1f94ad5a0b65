//! portald: a server that speaks the ONLYOFFICE Community Server REST API 2.0 for CRM
//! contacts, people and projects.
//!
//! Layers: [`http`] (routing, negotiation, envelope, binding, auth, errors) calls [`domain`]
//! (rules), which calls [`store`] (SQL, migrations per backend).

pub mod app;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod import;
pub mod seed;
pub mod store;
