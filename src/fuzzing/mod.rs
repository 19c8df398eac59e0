//! Fuzz harness bodies, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, nightly)
//! and the stable corpus replay test (`tests/fuzz_corpus.rs`), so CI replays every committed
//! corpus and regression input through exactly the code the fuzzer ran.
//!
//! Each harness takes arbitrary bytes, feeds them to one parser, and checks invariants beyond
//! "no panic"; a violated invariant panics (that is how a fuzzer reports a finding). The
//! parsers themselves never panic on any input: a panic here is a bug in lanetop.
//!
//! | target | parser | input |
//! |---|---|---|
//! | `log_lines` | [`LineParser`](crate::ingest::log::LineParser) (tslog JSONL, console text, journald) | a chunk of log lines |
//! | `sessions_json` | legacy `sessions.json` | the whole file |
//! | `transcript` | pi transcript entries (legacy `.jsonl`, SQLite `event_json`) | JSONL lines |
//! | `config` | `openclaw.json` (JSON5) | the whole file |
//! | `rpc_frame` | [`decode_frame`](crate::gateway::frame::decode_frame) | one WebSocket text frame |
//! | `sqlite_event` | `transcript_events` columns (`event_json` / `event_zstd`) | 1 selector byte + column |

mod log;
mod stores;

pub use log::log_lines;
pub use stores::{config, rpc_frame, sessions_json, sqlite_event, transcript, zstd_event_len};

/// A harness: bytes in, panics only when an invariant is violated.
pub type Harness = fn(&[u8]);

/// Every target by its name (= the `fuzz/fuzz_targets/<name>.rs` file and the
/// `fuzz/corpus/<name>/` directory).
pub const TARGETS: &[(&str, Harness)] = &[
    ("log_lines", log_lines),
    ("sessions_json", sessions_json),
    ("transcript", transcript),
    ("config", config),
    ("rpc_frame", rpc_frame),
    ("sqlite_event", sqlite_event),
];

/// The harness named `name`, if any.
pub fn harness(name: &str) -> Option<Harness> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}
