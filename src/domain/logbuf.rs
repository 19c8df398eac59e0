//! The bounded buffer of log lines the Logs view shows, and the warnings list.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::fact::{Level, Origin};

/// One log line as the Logs view shows it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub subsystem: String,
    pub message: String,
    pub origin: Origin,
    /// True when the line was recognised as a typed event.
    pub typed: bool,
}

/// A warning worth showing on the Overview (WARN/ERROR lines and typed incidents).
#[derive(Debug, Clone)]
pub struct Warning {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
    pub origin: Origin,
}

/// Ring buffer of the newest log lines (bounded memory), with totals.
#[derive(Debug)]
pub struct LogBuffer {
    pub entries: VecDeque<LogEntry>,
    pub cap: usize,
    /// Lines seen in total (including those that fell out of the buffer).
    pub total: u64,
    pub warnings: VecDeque<Warning>,
    /// Warnings seen in total (including those that fell out of `warnings`).
    pub warnings_total: u64,
}

/// At most this many warnings are kept (oldest dropped).
pub const WARNINGS_CAP: usize = 200;

impl Default for LogBuffer {
    fn default() -> Self {
        Self {
            entries: VecDeque::new(),
            cap: 20_000,
            total: 0,
            warnings: VecDeque::new(),
            warnings_total: 0,
        }
    }
}
