//! Lanes: OpenClaw's command queues (`main`, `cron`, `cron-nested`, `subagent`, `session:<key>`).
//!
//! Fed by the `diagnostic` log lines (FORMATS.md §1.3 #3–#6): `lane enqueue` / `lane dequeue`
//! (DEBUG), `lane wait exceeded` (WARN), `lane task done` (DEBUG), `lane task error` (ERROR).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};

use crate::fact::ConfigFacts;

/// At most this many recent waits are kept per lane.
pub const WAITS_CAP: usize = 256;

/// One lane.
#[derive(Debug, Clone, Default)]
pub struct Lane {
    pub name: String,
    /// Concurrency limit (config `maxConcurrent` for `main`; 1 for `session:*`), when known.
    pub limit: Option<u32>,
    /// Tasks running now (from `lane task done active=` / enqueue-dequeue bookkeeping).
    pub active: u32,
    /// Tasks waiting now.
    pub queued: u32,
    /// Recent waits (time, ms), newest last, bounded.
    pub recent_waits: VecDeque<(DateTime<Utc>, u64)>,
    /// Count of `lane wait exceeded` records.
    pub wait_exceeded: u64,
    pub tasks_done: u64,
    pub task_errors: u64,
    pub last_seen: Option<DateTime<Utc>>,
}

impl Lane {
    /// Median of the recent waits, ms (the lower median for an even count).
    pub fn wait_p50_ms(&self) -> Option<u64> {
        if self.recent_waits.is_empty() {
            return None;
        }
        let mut v: Vec<u64> = self.recent_waits.iter().map(|(_, w)| *w).collect();
        v.sort_unstable();
        v.get((v.len() - 1) / 2).copied()
    }

    /// Largest recent wait, ms.
    pub fn wait_max_ms(&self) -> Option<u64> {
        self.recent_waits.iter().map(|(_, w)| *w).max()
    }

    /// Record one wait sample (bounded).
    pub fn push_wait(&mut self, at: DateTime<Utc>, ms: u64) {
        self.recent_waits.push_back((at, ms));
        while self.recent_waits.len() > WAITS_CAP {
            self.recent_waits.pop_front();
        }
    }
}

/// The concurrency limit of a lane by name (FORMATS.md §1.3 "Lanes"): `main` = config
/// `agents.defaults.maxConcurrent` (unknown when unset: the default depends on the host's CPUs);
/// `session:*` = 1; `subagent` = config `subagents.maxConcurrent`, else 8; any other lane = 1.
pub fn lane_limit(name: &str, config: &ConfigFacts) -> Option<u32> {
    if name == "main" {
        config.main_max_concurrent
    } else if name == "subagent" {
        Some(config.subagent_max_concurrent.unwrap_or(8))
    } else {
        Some(1)
    }
}

/// All lanes by name.
#[derive(Debug, Default)]
pub struct Lanes {
    pub by_name: BTreeMap<String, Lane>,
    /// Lane → `waitedMs` of a `lane wait exceeded` whose matching `lane dequeue` (same wait,
    /// logged right after it) has not been seen yet: that dequeue is the same wait and the same
    /// task start, so it is not counted again.
    pub pending_exceeded: HashMap<String, u64>,
    /// Lanes touched since the last gateway boot: a superset of those with `active` or
    /// `queued` above 0, so a boot resets them without visiting every lane (`update::lanes`).
    pub touched: HashSet<String>,
}
