//! Ingest: find the sources, read and follow them, turn them into [`crate::fact::Fact`]s.
//! Runs off the UI task; memory is bounded.

pub mod config;
pub mod discover;
pub mod legacy;
pub mod log;
pub mod sqlite;
pub mod store;
pub mod tail;
pub mod watch;

use crate::fact::Fact;
use crate::ingest::discover::Discovery;

/// Read every source once (log backlog of the last 24 h and all stores) and hand the facts to
/// `sink` in batches, in order per source. Used by `lanetop report`.
pub fn collect_once(_discovery: &Discovery, _sink: &mut dyn FnMut(Vec<Fact>)) {}

/// Handle to the running ingest tasks; dropping it stops them.
pub struct IngestHandle {
    _private: (),
}

/// Start following every source of `discovery`; batches of facts are sent on `tx`
/// (backlog first, then live).
pub fn spawn(_discovery: &Discovery, _tx: tokio::sync::mpsc::Sender<crate::msg::Msg>) -> IngestHandle {
    IngestHandle { _private: () }
}
