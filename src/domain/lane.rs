//! Lanes: OpenClaw's command queues (`main`, `cron`, `cron-nested`, `subagent`, `session:<key>`).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

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

/// All lanes by name.
#[derive(Debug, Default)]
pub struct Lanes {
    pub by_name: BTreeMap<String, Lane>,
}
