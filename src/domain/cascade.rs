//! Fallback cascades: ordered failover steps per session/run, grouped into episodes.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::fact::{ModelRef, Origin};

/// One step of a fallback chain walk (one `model fallback decision` record).
#[derive(Debug, Clone)]
pub struct FallbackStep {
    pub at: DateTime<Utc>,
    /// `candidate_failed | candidate_succeeded | …`.
    pub decision: String,
    pub from: Option<ModelRef>,
    pub to: Option<ModelRef>,
    pub reason: Option<String>,
    pub status: Option<u16>,
    pub origin: Origin,
}

/// One walk of a fallback chain (a run that failed over, until it succeeded or the chain ran out).
#[derive(Debug, Clone, Default)]
pub struct Episode {
    pub id: u64,
    /// Session key when known, else the session id the log names.
    pub session: Option<String>,
    pub run_id: Option<String>,
    pub steps: Vec<FallbackStep>,
    /// `succeeded`, `exhausted`, or `None` while open.
    pub outcome: Option<String>,
    pub started: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    /// Index (0-based) of the gateway boot this episode happened in.
    pub boot: usize,
    /// True when the same session walked the same chain in an earlier boot.
    pub replayed_after_boot: bool,
}

/// Counters over all fallback-related records (the contract of `report.fallbacks`).
#[derive(Debug, Default, Clone)]
pub struct FallbackCounters {
    /// Number of `model fallback decision` records.
    pub decisions: u64,
    /// Failure reason → count (decision records with a reason).
    pub by_reason: BTreeMap<String, u64>,
    /// Decision → count.
    pub by_decision: BTreeMap<String, u64>,
    pub same_model_retries: u64,
    pub chain_exhausted: u64,
    pub model_switches: u64,
}

/// All episodes (bounded, newest last) and the counters.
#[derive(Debug, Default)]
pub struct Cascades {
    pub episodes: VecDeque<Episode>,
    pub counters: FallbackCounters,
}
