//! Sessions: one per session key, fused from the stores (rows, transcripts) and the log.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};

use crate::fact::{ModelRef, Origin, SourceKind};

/// What a session is for, derived from its key and row (`agent:<id>:main`, `…:cron:<job>`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    /// `agent:<id>:main`: the agent's main interactive session.
    Main,
    /// `agent:<id>:<channel>:direct:<peer>`.
    Direct,
    /// `…:group:<id>`, `…:channel:<id>`, `…:room:<id>`.
    Group,
    /// `agent:<id>:cron:<jobId>` or `cron:<jobId>`: the binding a cron job reuses.
    CronJob,
    /// `agent:<id>:cron:<jobId>:run:<sessionId|runAtMs>`: one isolated cron run.
    CronRun,
    /// A session driven by a heartbeat job.
    Heartbeat,
    /// Spawned by another session (`spawnedBy` / `parent_session_key`, `…:subagent:…`).
    Subagent,
    #[default]
    Other,
}

/// What the session is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionState {
    Running,
    Queued,
    #[default]
    Idle,
    /// Marked `running` in the store but with no activity for long: a stale binding.
    Stale,
    Failed,
}

/// One entry of a session timeline.
#[derive(Debug, Clone)]
pub struct Turn {
    pub at: DateTime<Utc>,
    pub kind: TurnKind,
    pub origin: Origin,
}

/// What happened in one timeline entry.
#[derive(Debug, Clone)]
pub enum TurnKind {
    User {
        heartbeat: bool,
    },
    Assistant {
        model: ModelRef,
        tokens: u64,
        cost_usd: Option<f64>,
        stop_reason: Option<String>,
        error: Option<String>,
    },
    Fallback {
        from: Option<ModelRef>,
        to: Option<ModelRef>,
        reason: Option<String>,
        status: Option<u16>,
    },
    ModelChange {
        model: ModelRef,
    },
    RunStarted {
        run_id: String,
    },
    RunEnded {
        run_id: String,
        outcome: String,
    },
}

/// One session (one session key).
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub key: String,
    pub agent_id: String,
    pub session_id: String,
    pub kind: SessionKind,
    pub state: SessionState,
    /// Raw store status (`running | done | failed | killed | timeout`).
    pub status: Option<String>,
    pub label: Option<String>,
    /// The agent's configured primary model (from `openclaw.json`).
    pub configured_model: Option<ModelRef>,
    /// The model that answered last.
    pub current_model: Option<ModelRef>,
    pub model_override: Option<ModelRef>,
    pub last_activity: Option<DateTime<Utc>>,
    /// Tokens in + out (+ cache) over the session's transcripts.
    pub tokens: u64,
    /// Priced spend in USD.
    pub cost_usd: f64,
    /// Tokens with no price anywhere (never counted as $0).
    pub unpriced_tokens: u64,
    /// The cron job that owns this session, when it is a cron binding or run.
    pub cron_job_id: Option<String>,
    /// Queued followups (pending inputs), from the store.
    pub queued: u32,
    /// Runs started and not yet done, by run id.
    pub active_runs: Vec<String>,
    /// `hasActiveRun` from the live `sessions.list` (None: not seen over RPC).
    pub live_active: Option<bool>,
    /// Number of fallback episodes seen for this session.
    pub fallback_episodes: u32,
    /// Timeline, oldest first, bounded.
    pub turns: VecDeque<Turn>,
    /// Where the row came from.
    pub origin: Option<Origin>,
    /// Assistant turns with usage folded into `tokens`/`cost_usd`/`unpriced_tokens`.
    pub usage_turns: u64,
    /// Tokens summed over usage records (`tokens` shows this once any usage was seen).
    pub usage_tokens: u64,
    /// `totalTokens` of the store row (shown in `tokens` only while no usage was seen).
    pub row_tokens: Option<u64>,
    /// User turns seen (transcripts), and how many of them were heartbeat polls.
    pub user_turns: u64,
    pub heartbeat_turns: u64,
    /// Time of the fact that set `current_model` (older facts do not override it).
    pub current_model_at: Option<DateTime<Utc>>,
    /// The source kind of the snapshot that last carried this session's row; `None` when the
    /// session is known only from other evidence (usage, log, pending inputs).
    pub row_source: Option<SourceKind>,
    /// `parent_session_key` / `spawnedBy` of the row.
    pub parent_key: Option<String>,
    /// `created_via` of the row (`operator | spawn | channel | cron | …`).
    pub created_via: Option<String>,
    /// The row's binding points at a session that no longer exists (no transcript / window;
    /// [`crate::fact::SessionRow::transcript_missing`]).
    pub session_gone: bool,
    /// True while the key is unknown and the session is keyed by its session id (log or
    /// transcript named only the id). Merged into the real key as soon as a row names it.
    pub placeholder: bool,
}

/// A session whose store status says `running` but with no activity for longer than this is
/// [`SessionState::Stale`] (30 min).
pub const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(30);

/// At most this many active runs are tracked per session (a run whose `embedded run done` was
/// never logged must not grow memory; the oldest is dropped).
pub const ACTIVE_RUNS_CAP: usize = 32;

/// At most this many timeline entries are kept per session (oldest dropped).
pub const TURNS_CAP: usize = 500;

impl Session {
    /// Derive the state: running (an active run from the log, or store status `running` with
    /// activity within [`STALE_AFTER`]) > queued (pending inputs or the `session:<key>` lane has
    /// queued tasks) > failed (`failed | killed | timeout`) > stale (`running` without activity
    /// for [`STALE_AFTER`], or with no activity since `boot_started`, the start of the current
    /// gateway process: the process that ran it is gone) > idle.
    pub fn derive_state(
        &self,
        now: Option<DateTime<Utc>>,
        lane_queued: u32,
        boot_started: Option<DateTime<Utc>>,
    ) -> SessionState {
        if !self.active_runs.is_empty() || self.live_active == Some(true) {
            return SessionState::Running;
        }
        if self.queued > 0 || lane_queued > 0 {
            return SessionState::Queued;
        }
        match self.status.as_deref() {
            Some("failed" | "killed" | "timeout") => SessionState::Failed,
            Some("running") => {
                let recent = match (now, self.last_activity) {
                    (Some(now), Some(last)) => now - last <= STALE_AFTER,
                    (None, _) => true,
                    (Some(_), None) => false,
                };
                let before_boot = match (boot_started, self.last_activity) {
                    (Some(boot), Some(last)) => last < boot,
                    _ => false,
                };
                if recent && !before_boot {
                    SessionState::Running
                } else {
                    SessionState::Stale
                }
            }
            _ => SessionState::Idle,
        }
    }

    /// Tokens to show: the usage sum once any usage record was folded, else the row's
    /// `totalTokens`.
    pub fn shown_tokens(&self) -> u64 {
        if self.usage_turns > 0 {
            self.usage_tokens
        } else {
            self.row_tokens.unwrap_or(0)
        }
    }

    /// Add a timeline entry in time order, dropping the oldest beyond [`TURNS_CAP`].
    pub fn push_turn(&mut self, turn: Turn) {
        // Sources arrive in any order (stores first, then the log backlog): keep the timeline
        // sorted by time; equal times keep arrival order. Usually an append (the search is
        // only paid when an older entry arrives late).
        let at = turn.at;
        if self.turns.len() == self.turns.capacity() {
            // Grow by a quarter, not double: 3,400 sessions at 1 GB of log held ~44 % unused
            // slots (2.3 MB) with doubling.
            self.turns
                .reserve_exact((self.turns.len() / 4).clamp(1, TURNS_CAP / 4));
        }
        if self.turns.back().is_none_or(|last| last.at <= at) {
            self.turns.push_back(turn);
        } else {
            let idx = self.turns.partition_point(|t| t.at <= at);
            self.turns.insert(idx, turn);
        }
        while self.turns.len() > TURNS_CAP {
            self.turns.pop_front();
        }
    }

    /// Raise `last_activity` to `at` (never lowers it).
    pub fn touch(&mut self, at: DateTime<Utc>) {
        if self.last_activity.is_none_or(|l| at > l) {
            self.last_activity = Some(at);
        }
    }

    /// Set the current model when `at` is not older than the fact that set it last.
    pub fn set_current_model(&mut self, model: ModelRef, at: DateTime<Utc>) {
        if self.current_model_at.is_none_or(|t| at >= t) {
            self.current_model = Some(model);
            self.current_model_at = Some(at);
        }
    }

    /// True when something other than a store row proves the session exists (usage, user
    /// turns, active runs, queued inputs, fallback episodes): such sessions survive a snapshot
    /// that no longer lists them.
    pub fn has_other_evidence(&self) -> bool {
        self.usage_turns > 0
            || self.user_turns > 0
            || !self.active_runs.is_empty()
            || self.queued > 0
            || self.fallback_episodes > 0
    }
}

/// All sessions by key, plus the session-id → key index the log needs (logs name session ids).
#[derive(Debug, Default)]
pub struct Sessions {
    pub by_key: BTreeMap<String, Session>,
    pub key_by_session_id: HashMap<String, String>,
    /// Run id → session id, from `embedded run start` (bounded: the newest [`RUN_INDEX_CAP`]).
    pub session_id_by_run: HashMap<String, String>,
    /// Insertion order of `session_id_by_run`, for eviction.
    pub run_order: VecDeque<String>,
    /// Keys of the sessions given an active run since the last gateway boot: a superset of
    /// those with a non-empty `active_runs`, so a boot clears them without visiting every
    /// session (`update::session_events::clear_active_runs`).
    pub running: HashSet<String>,
}

/// How many run id → session id mappings are remembered.
pub const RUN_INDEX_CAP: usize = 4096;

impl Sessions {
    /// The session key for a session id or key the log names: a known key as is, else the key
    /// the id maps to.
    pub fn resolve(&self, id_or_key: &str) -> Option<&str> {
        if let Some((k, _)) = self.by_key.get_key_value(id_or_key) {
            return Some(k.as_str());
        }
        self.key_by_session_id.get(id_or_key).map(String::as_str)
    }

    /// Remember which session a run belongs to (bounded).
    pub fn remember_run(&mut self, run_id: &str, session_id: &str) {
        if self
            .session_id_by_run
            .insert(run_id.to_string(), session_id.to_string())
            .is_none()
        {
            self.run_order.push_back(run_id.to_string());
            while self.run_order.len() > RUN_INDEX_CAP {
                if let Some(old) = self.run_order.pop_front() {
                    self.session_id_by_run.remove(&old);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::*;

    fn turn(secs: i64) -> Turn {
        Turn {
            at: Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap(),
            kind: TurnKind::User { heartbeat: false },
            origin: Origin::line(SourceKind::Log, Arc::from("t.log"), secs as u64),
        }
    }

    #[test]
    fn timeline_stays_sorted_bounded_and_tight() {
        let mut s = Session::default();
        for i in 0..(TURNS_CAP as i64 + 50) {
            // Every tenth entry arrives late (one second before the previous one).
            let at = if i % 10 == 9 { i - 2 } else { i };
            s.push_turn(turn(at));
            let n = s.turns.len();
            // Growth by a quarter: never more than ~25 % of the slots unused.
            assert!(
                s.turns.capacity() <= n + n / 4 + 1,
                "{n} in {}",
                s.turns.capacity()
            );
        }
        assert_eq!(s.turns.len(), TURNS_CAP);
        assert!(
            s.turns
                .iter()
                .zip(s.turns.iter().skip(1))
                .all(|(a, b)| a.at <= b.at)
        );
        // The newest: i = TURNS_CAP + 48 (the last i, TURNS_CAP + 49, arrived late).
        assert_eq!(
            s.turns.back().map(|t| t.at.timestamp() - 1_700_000_000),
            Some(TURNS_CAP as i64 + 48)
        );
    }
}
