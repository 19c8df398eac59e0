//! Detector evidence reducer: remembers the log events the failure-mode detectors
//! (`crate::domain::detect`) need and no other aggregate keeps, in the bounded rings of
//! [`DetectState`](crate::domain::detect::DetectState). Pure: no I/O.
//!
//! | event | ring | subject |
//! |---|---|---|
//! | `transient same-model retry` | `retries` | the open fallback episode trying that model (its last step's `next` or `candidate`), else the only open episode, else none |
//! | `EmbeddedAttemptSessionTakeoverError` lane error | `takeovers` | `<key>` of lane `session:<key>`, else the session id of the transcript path |
//! | restart-recovery `resumed/started … session: <key>` | `resumes` | `<key>` (lane `main` / `subagent`) |
//! | restart-recovery `marked N … main session(s) …` | `marked` | – (lane `main`, value N) |
//! | `lane wait exceeded` | `waits` | the lane's session key for `session:<key>` lanes |
//! | `stuck session recovery` | `stuck` | the session key, else id (value = `released=`, `u64::MAX` when absent) |
//! | `live session model switch` | `switches` | the session id |

use crate::domain::Model;
use crate::domain::detect::DetectState;
use crate::domain::detect::state::Ev;
use crate::domain::keys::lane_session_key;
use crate::fact::{Fact, LogEvent, RestartRecovery};

fn ev(fact: &Fact, subject: Option<String>, lane: Option<String>, value: u64) -> Ev {
    Ev {
        at: fact.at,
        subject,
        lane,
        value,
        origin: fact.origin.clone(),
    }
}

/// Fold one typed log event.
pub(super) fn on_event(model: &mut Model, fact: &Fact, log_session: Option<&str>, e: &LogEvent) {
    match e {
        LogEvent::SameModelRetry {
            model: m, attempt, ..
        } => {
            let open: Vec<u64> = model.cascades.open.values().copied().collect();
            let eps: Vec<_> = model
                .cascades
                .episodes
                .iter()
                .filter(|e| open.contains(&e.id))
                .collect();
            let by_model = eps.iter().rev().find(|e| {
                e.steps
                    .last()
                    .is_some_and(|s| s.to.as_ref() == Some(m) || s.from.as_ref() == Some(m))
            });
            let pick = by_model.or(if eps.len() == 1 { eps.first() } else { None });
            let subject = pick
                .and_then(|e| e.session.clone())
                .or_else(|| log_session.map(str::to_string));
            let v = ev(fact, subject, None, u64::from(*attempt));
            DetectState::push(&mut model.detect.retries, v);
        }
        LogEvent::SessionTakeover { lane, path } => {
            let subject = lane
                .as_deref()
                .and_then(lane_session_key)
                .map(str::to_string)
                .or_else(|| {
                    path.as_deref()
                        .and_then(|p| p.rsplit('/').next())
                        .and_then(|f| f.strip_suffix(".jsonl"))
                        .map(|id| model.sessions.resolve(id).unwrap_or(id).to_string())
                })
                .or_else(|| log_session.map(str::to_string));
            let v = ev(fact, subject, lane.clone(), 0);
            DetectState::push(&mut model.detect.takeovers, v);
        }
        LogEvent::RestartRecovery(RestartRecovery::Marked { count }) => {
            let v = ev(fact, None, Some("main".to_string()), u64::from(*count));
            DetectState::push(&mut model.detect.marked, v);
        }
        LogEvent::RestartRecovery(RestartRecovery::Resumed { session_key, lane }) => {
            let v = ev(fact, Some(session_key.clone()), Some(lane.clone()), 0);
            DetectState::push(&mut model.detect.resumes, v);
        }
        LogEvent::LaneWaitExceeded {
            lane, waited_ms, ..
        } => {
            let subject = lane_session_key(lane).map(str::to_string);
            let v = ev(fact, subject, Some(lane.clone()), *waited_ms);
            DetectState::push(&mut model.detect.waits, v);
        }
        LogEvent::StuckSession {
            session_id,
            session_key,
            released,
            ..
        } => {
            let subject = session_key.clone().or_else(|| session_id.clone());
            let v = ev(fact, subject, None, released.map_or(u64::MAX, u64::from));
            DetectState::push(&mut model.detect.stuck, v);
        }
        LogEvent::ModelSwitch { session_id, .. } => {
            let v = ev(fact, Some(session_id.clone()), None, 0);
            DetectState::push(&mut model.detect.switches, v);
        }
        _ => {}
    }
}
