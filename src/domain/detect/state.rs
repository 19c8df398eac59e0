//! Evidence the detectors need that the other aggregates do not keep: bounded rings of the
//! log events behind same-model retries, takeovers, restart-recovery resumes, lane waits,
//! stuck-session recoveries and live model switches, each with its [`Origin`]. Filled by
//! `update::detect` (pure).

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::fact::Origin;

/// At most this many events are kept per ring.
pub const RING_CAP: usize = 512;

/// One remembered event: when, about what (session key / id, lane or job), and where it was
/// logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Ev {
    pub at: DateTime<Utc>,
    /// The session key (or session id when the key is unknown) the event concerns, if any.
    pub subject: Option<String>,
    /// A lane name (`main`, `session:<key>`), when the event names one.
    pub lane: Option<String>,
    /// A number the event carries: wait ms, `released=` count, …
    pub value: u64,
    pub origin: Origin,
}

/// The evidence rings.
#[derive(Debug, Default, Clone)]
pub struct DetectState {
    /// `transient same-model retry` lines, attributed to the open fallback episode of the same
    /// model (subject = its session), else unattributed.
    pub retries: VecDeque<Ev>,
    /// `EmbeddedAttemptSessionTakeoverError` lane errors (one per lane; subject = the session
    /// key of a `session:<key>` lane, or the session id of the transcript path).
    pub takeovers: VecDeque<Ev>,
    /// Restart-recovery `resumed/started interrupted main session: <key>` (lane = `main` or
    /// `subagent`).
    pub resumes: VecDeque<Ev>,
    /// Restart-recovery `marked N startup-orphaned|interrupted main session(s) …` (value = N,
    /// lane = `main`): how many sessions one boot's recovery took on, before it resumes them
    /// one by one.
    pub marked: VecDeque<Ev>,
    /// `lane wait exceeded` (value = waitedMs).
    pub waits: VecDeque<Ev>,
    /// `stuck session recovery` lines (value = `released=`, `u64::MAX` when absent).
    pub stuck: VecDeque<Ev>,
    /// `live session model switch` lines (subject = session key or id).
    pub switches: VecDeque<Ev>,
}

impl DetectState {
    /// Append to a ring, dropping the oldest beyond [`RING_CAP`].
    pub fn push(ring: &mut VecDeque<Ev>, ev: Ev) {
        ring.push_back(ev);
        while ring.len() > RING_CAP {
            ring.pop_front();
        }
    }
}
