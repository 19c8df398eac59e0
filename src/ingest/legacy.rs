//! Readers for the legacy file stores of OpenClaw ≤ 2026.5 (FORMATS-LEGACY.md §1-4,
//! OBSERVED-LEGACY.md).
//!
//! - [`LegacyAgentReader`]: `agents/<id>/sessions/` — `sessions.json` and the pi v3 transcripts
//!   `<sessionId>.jsonl`.
//! - [`LegacyCronReader`]: `cron/` — `jobs.json`, `jobs-state.json` (5.20) and
//!   `runs/<jobId>.jsonl`.
//!
//! Both only ever open files for reading: no lock is taken or looked at (`*.jsonl.lock`), no
//! file is created, renamed or touched. Reading a transcript does not change its size, mtime
//! or ctime, so the 5.20 session-file fence (FORMATS-LEGACY.md §2.3) is not tripped.

mod agent;
mod cron;
mod files;

pub use agent::LegacyAgentReader;
pub(crate) use agent::parse_store;
pub use cron::LegacyCronReader;
