//! lanetop: a live terminal operations console for OpenClaw gateways.
//!
//! Data flows one way (see `../shared/design/ARCHITECTURE.md`):
//! sources ([`ingest`]) → typed [`fact::Fact`]s → [`update`] → [`domain::Model`] → [`ui`] render,
//! and the same model → [`report`].

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod fact;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod guard;
pub mod ingest;
pub mod msg;
pub mod offline;
pub mod prices;
pub mod report;
pub mod screenshot;
pub mod stats;
pub mod terminal;
pub mod ui;
pub mod update;
pub mod watch;
