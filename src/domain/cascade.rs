//! Fallback cascades: ordered failover steps per session/run, grouped into episodes.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::fact::{ModelRef, Origin};

/// One step of a fallback chain walk (one `model fallback decision` record).
#[derive(Debug, Clone)]
pub struct FallbackStep {
    pub at: DateTime<Utc>,
    /// `candidate_failed | candidate_succeeded | …`.
    pub decision: String,
    /// The candidate tried.
    pub from: Option<ModelRef>,
    /// The next candidate after a failure; `None` for a success and at the chain's end.
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
    /// The session id the log named (the key may become known only later).
    pub session_id: Option<String>,
    /// Lane of the decisions (5.20+ meta `lane`), when logged.
    pub lane: Option<String>,
}

impl Episode {
    /// The chain walked, as the ordered list of models that failed (`candidate_failed` steps):
    /// the signature compared across boots for `replayed_after_boot`.
    pub fn failing_models(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| s.decision == "candidate_failed")
            .filter_map(|s| s.from.as_ref().map(|m| m.to_string()))
            .collect()
    }

    /// True while the episode has not ended.
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// At most this many episodes are kept (oldest dropped).
pub const EPISODES_CAP: usize = 500;

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
    /// Open episode id by grouping key (`run:<runId>`, else `session:<key or id>`, else `?`).
    pub open: HashMap<String, u64>,
    /// Id of the next episode.
    pub next_id: u64,
    /// The chain exhaustions counted lately, oldest first, at most
    /// [`RECENT_EXHAUSTIONS`]: to de-duplicate the several records one exhaustion produces (the
    /// decision with `chain_exhausted`, the `All models failed` lines, the cron job's error).
    pub recent_exhausted: VecDeque<Exhaustion>,
    /// (session, failing models) → lowest boot index it was walked in (closed episodes).
    pub signatures: HashMap<(String, Vec<String>), usize>,
    /// Set when boots or session keys changed: boot indices, sessions and replay flags of the
    /// kept episodes are recomputed on the next `update::refresh`.
    pub needs_recompute: bool,
}

/// How many counted exhaustions [`Cascades::recent_exhausted`] keeps.
pub const RECENT_EXHAUSTIONS: usize = 16;

/// One counted chain exhaustion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exhaustion {
    pub at: DateTime<Utc>,
    /// Session key (or id) of the exhausted run; `None` while no record of it named one.
    pub session: Option<String>,
}

impl Cascades {
    /// The episode with this id, when still kept.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Episode> {
        let front = self.episodes.front()?.id;
        let idx = usize::try_from(id.checked_sub(front)?).ok()?;
        self.episodes.get_mut(idx).filter(|e| e.id == id)
    }
}
