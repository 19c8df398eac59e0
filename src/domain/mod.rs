//! The domain model: what lanetop knows about the gateway, folded from [`crate::fact::Fact`]s by
//! `crate::update`. No ratatui, crossterm, tokio or I/O in here.
//!
//! [`Model`] is the single state the views render and `lanetop report` serialises.

pub mod cascade;
pub mod cron;
pub mod cronexpr;
pub mod detect;
pub mod gateway;
pub mod keys;
pub mod lane;
pub mod logbuf;
pub mod overnight;
pub mod run_cost;
pub mod session;
pub mod spend;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::fact::{ConfigFacts, Generation, SourceHealth};

pub use cascade::{Cascades, Episode, FallbackCounters, FallbackStep};
pub use cron::{Cron, CronJob};
pub use gateway::{Boot, Gateway};
pub use lane::{Lane, Lanes};
pub use logbuf::{LogBuffer, LogEntry, Warning};
pub use session::{Session, SessionKind, SessionState, Sessions, Turn};
pub use spend::Spend;

/// Everything lanetop derived so far. Every aggregate is kept incrementally by `update`.
#[derive(Debug, Default)]
pub struct Model {
    /// The clock as `update` last saw it (from `Msg::Tick`, or the newest fact time in report
    /// mode). Views compute ages against this, never against the system clock.
    pub now: Option<DateTime<Utc>>,
    pub generation: Option<Generation>,
    pub config: ConfigFacts,
    pub gateway: Gateway,
    pub sessions: Sessions,
    pub lanes: Lanes,
    pub cascades: Cascades,
    pub spend: Spend,
    pub cron: Cron,
    pub logs: LogBuffer,
    /// Health of each source by name (`log`, `agent-db:main`, `state-db`, `config`, ...).
    pub sources: BTreeMap<String, SourceStatus>,
    /// Lines that could not be parsed, in total, and the newest few.
    pub corrupt: CorruptStats,
    /// Time of the newest fact folded so far.
    pub newest_fact: Option<DateTime<Utc>>,
    /// True once a `Msg::Tick` was seen: from then on only ticks move `now`. Until then (and
    /// always in `lanetop report`, which sends no ticks) `now` is the newest fact time.
    pub live_clock: bool,
    /// Thresholds, budgets and the overnight horizon (`lanetop.toml`; defaults otherwise).
    pub detect_config: detect::DetectConfig,
    /// Evidence rings the detectors read (kept by `update::detect`).
    pub detect: detect::DetectState,
    /// The refreshed and bundled price tables (config prices are in `config`): see
    /// [`crate::prices`].
    pub prices: crate::prices::PriceBook,
    /// The current alerts (re-evaluated by `update::refresh`), most severe first.
    pub alerts: Vec<detect::Alert>,
    /// Every (kind, subject) that has been critical so far.
    pub crit_seen: std::collections::HashSet<(detect::AlertKind, String)>,
    /// Number of critical alerts raised so far (a new one increments it: the TUI flashes).
    pub new_crit: u64,
    /// Facts folded without a refresh since the last eviction check (`update`'s bookkeeping:
    /// a big model under a live clock defers its refresh to the tick, but not its eviction).
    pub facts_since_bound: usize,
}

/// One source's last known health.
#[derive(Debug, Clone)]
pub struct SourceStatus {
    pub path: String,
    pub health: SourceHealth,
    pub at: DateTime<Utc>,
}

/// At most this many corrupt lines are kept in [`CorruptStats::recent`].
pub const CORRUPT_RECENT_CAP: usize = 50;

/// Corrupt-line bookkeeping (never fatal; shown in the status bar and Logs view).
#[derive(Debug, Default, Clone)]
pub struct CorruptStats {
    pub count: u64,
    /// Newest first, at most 50: (file, line, error, excerpt).
    pub recent: std::collections::VecDeque<(String, Option<u64>, String, String)>,
}
