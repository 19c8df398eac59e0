//! Ingest: find the sources, read and follow them, turn them into [`crate::fact::Fact`]s.
//! Runs off the UI task; memory is bounded.

pub mod config;
pub mod discover;
pub mod legacy;
pub mod log;
pub mod sqlite;
pub mod tail;
pub mod watch;
