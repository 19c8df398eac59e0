//! Readers for the SQLite stores of OpenClaw 2026.6+ (FORMATS.md §2-3, OBSERVED.md §4).
//!
//! - [`AgentDbReader`]: `agents/<id>/agent/openclaw-agent.sqlite` → sessions snapshot, usage,
//!   user turns, model changes, pending inputs.
//! - [`StateDbReader`]: `state/openclaw.sqlite` → cron jobs, cron runs, gateway boots.
//!
//! Both open the database strictly read-only (see `conn` for the exact behaviour on WAL
//! databases) and skip a poll cheaply when `PRAGMA data_version` did not move.
//!
//! The JSON decoders for transcript entries (`transcript`), `SessionEntry` (`entry`) and
//! `CronJob` (`cron_job`) are shared with the legacy readers (`crate::ingest::legacy`), since
//! the 2026.6+ rows hold the same JSON as the older files.

mod agent;
pub(crate) mod conn;
pub(crate) mod cron_job;
pub(crate) mod entry;
mod sessions;
mod state;
pub(crate) mod transcript;
pub(crate) mod util;

pub use agent::AgentDbReader;
pub(crate) use agent::event_bytes;
pub use state::StateDbReader;
