//! Lanes reducer (`diagnostic` lane lines, FORMATS.md §1.3 #3–#6; OBSERVED.md §3 "Lanes").
//!
//! - `lane enqueue` sets `queued = queueSize`.
//! - `lane dequeue` records the wait sample `waitMs`, sets `queued = queueSize` and starts a
//!   task (`active += 1`).
//! - `lane wait exceeded` counts `wait_exceeded`, records `waitedMs`, and (it is logged as the
//!   task starts) sets `active = activeNow + 1`, `queued = queueBehind`. The `lane dequeue` the
//!   gateway logs right after it for the same start (same wait) is not counted twice.
//! - `lane task done` counts a task and sets `active`/`queued` from the record.
//! - `lane task error` counts an error and ends a task (`active -= 1`).
//!
//! A gateway boot resets every lane's `active`/`queued` (the process that held them is gone).

use chrono::{DateTime, Utc};

use crate::domain::Model;
use crate::domain::lane::{Lane, lane_limit};
use crate::fact::LogEvent;

use super::sessions;

/// The lane named `name` (created on first sight), marked as touched since the last boot.
/// A known lane is found without allocating its name (the log names a lane on every lane line).
fn lane<'a>(model: &'a mut Model, name: &str, at: DateTime<Utc>) -> &'a mut Lane {
    let lanes = &mut model.lanes;
    if !lanes.touched.contains(name) {
        lanes.touched.insert(name.to_string());
    }
    if !lanes.by_name.contains_key(name) {
        let lane = Lane {
            name: name.to_string(),
            limit: lane_limit(name, &model.config),
            ..Lane::default()
        };
        lanes.by_name.insert(name.to_string(), lane);
    }
    let l = lanes
        .by_name
        .get_mut(name)
        .expect("inserted above when missing");
    if l.last_seen.is_none_or(|t| at > t) {
        l.last_seen = Some(at);
    }
    l
}

pub(super) fn on_lane_event(model: &mut Model, at: DateTime<Utc>, ev: &LogEvent) {
    let name = match ev {
        LogEvent::LaneEnqueued {
            lane: name,
            queue_size,
        } => {
            lane(model, name, at).queued = *queue_size;
            name
        }
        LogEvent::LaneDequeued {
            lane: name,
            wait_ms,
            queue_size,
        } => {
            let pending = model.lanes.pending_exceeded.remove(name);
            let l = lane(model, name, at);
            l.queued = *queue_size;
            if pending != Some(*wait_ms) {
                l.push_wait(at, *wait_ms);
                l.active += 1;
            }
            name
        }
        LogEvent::LaneWaitExceeded {
            lane: name,
            waited_ms,
            active_now,
            queue_behind,
            ..
        } => {
            model
                .lanes
                .pending_exceeded
                .insert(name.clone(), *waited_ms);
            let l = lane(model, name, at);
            l.wait_exceeded += 1;
            l.push_wait(at, *waited_ms);
            l.active = active_now.unwrap_or(l.active) + 1;
            if let Some(q) = queue_behind {
                l.queued = *q;
            }
            name
        }
        LogEvent::LaneTaskDone {
            lane: name,
            active,
            queued,
            ..
        } => {
            let l = lane(model, name, at);
            l.tasks_done += 1;
            l.active = *active;
            l.queued = *queued;
            name
        }
        // A takeover is a `lane task error` line too (typed apart for its detector).
        LogEvent::LaneTaskError { lane: name, .. }
        | LogEvent::SessionTakeover {
            lane: Some(name), ..
        } => {
            let l = lane(model, name, at);
            l.task_errors += 1;
            l.active = l.active.saturating_sub(1);
            name
        }
        _ => return,
    };
    let name = name.clone();
    sessions::touch_lane(model, &name, at);
}

/// Config changed: recompute every lane's limit.
pub(super) fn on_config(model: &mut Model) {
    for l in model.lanes.by_name.values_mut() {
        l.limit = lane_limit(&l.name, &model.config);
    }
}

/// The gateway (re)started: nothing is running or queued in the new process yet.
/// Only the lanes touched since the previous boot are visited: the others are idle already.
pub(super) fn reset(model: &mut Model) {
    let lanes = &mut model.lanes;
    for name in lanes.touched.drain() {
        if let Some(l) = lanes.by_name.get_mut(&name) {
            l.active = 0;
            l.queued = 0;
        }
    }
    lanes.pending_exceeded.clear();
    debug_assert!(
        lanes
            .by_name
            .values()
            .all(|l| l.active == 0 && l.queued == 0),
        "a lane changed outside `lane()`"
    );
}
