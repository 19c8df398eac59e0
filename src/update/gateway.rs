//! Gateway reducer: boots, lifecycle state, last seen, default model.
//!
//! **Boots.** From `gateway_boot_lifecycle` rows ([`crate::fact::BootRow`]) and/or the log's
//! lifecycle lines. Each `loading configuration…` ([`GatewayEvent::Starting`]) begins a boot; a
//! DB row and a log start within [`BOOT_MATCH_WINDOW`] are the same boot (observed 0.4–0.6 s
//! apart), so the count is right from the DB alone, from the log alone, or from both. Boots are
//! kept sorted by start time.

use chrono::{DateTime, Utc};

use crate::domain::gateway::{BOOT_MATCH_WINDOW, GatewayState};
use crate::domain::{Boot, Model};
use crate::fact::{BootRow, GatewayEvent};

use super::sessions::ms_to_time;
use super::{cascades, lanes, session_events};

/// Two `loading configuration…` records this close are one boot seen twice (a boot takes
/// seconds to get ready; observed 4–8 s from `loading configuration…` to `gateway ready`).
const SAME_LOG_START: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

/// Any gateway record raises `last_seen`.
pub(super) fn seen(model: &mut Model, at: DateTime<Utc>) {
    if model.gateway.last_seen.is_none_or(|t| at > t) {
        model.gateway.last_seen = Some(at);
    }
}

fn near(a: Option<DateTime<Utc>>, b: DateTime<Utc>) -> bool {
    a.is_some_and(|a| (a - b).abs() <= BOOT_MATCH_WINDOW)
}

fn insert_sorted(model: &mut Model, boot: Boot) -> usize {
    let boots = &mut model.gateway.boots;
    let pos = boots
        .iter()
        .position(|b| b.started_at > boot.started_at)
        .unwrap_or(boots.len());
    boots.insert(pos, boot);
    model.cascades.needs_recompute = true;
    pos
}

pub(super) fn on_event(model: &mut Model, at: DateTime<Utc>, ev: &GatewayEvent) {
    match ev {
        GatewayEvent::Starting => {
            let boots = &mut model.gateway.boots;
            if boots.iter().any(|b| {
                b.log_started_at
                    .is_some_and(|s| (s - at).abs() <= SAME_LOG_START)
            }) {
                // the same line read again, or the same boot seen in a second log form
                // (JSONL file and console/journald text)
                return;
            }
            if let Some(b) = boots
                .iter_mut()
                .find(|b| !b.seen_in_log && near(b.started_at, at))
            {
                b.seen_in_log = true;
                b.log_started_at = Some(at);
            } else {
                let boot = Boot {
                    started_at: Some(at),
                    seen_in_log: true,
                    log_started_at: Some(at),
                    ..Boot::default()
                };
                insert_sorted(model, boot);
            }
            model.gateway.state = GatewayState::Starting;
            session_events::clear_active_runs(model);
            lanes::reset(model);
            cascades::interrupt_open(model, at);
        }
        GatewayEvent::Ready => {
            let i = model.gateway.boot_index_at(at);
            if let Some(b) = model.gateway.boots.get_mut(i)
                && b.ready_at.is_none()
            {
                b.ready_at = Some(at);
            }
            model.gateway.state = GatewayState::Up;
        }
        GatewayEvent::Signal { signal } => {
            // SIGUSR1 asks for a restart, in-process when `OPENCLAW_NO_RESPAWN` is set
            // (captured-legacy lines 2647-2671): the process, and so the boot, goes on.
            if signal != "SIGUSR1" {
                let i = model.gateway.boot_index_at(at);
                if let Some(b) = model.gateway.boots.get_mut(i) {
                    b.outcome.get_or_insert_with(|| signal.clone());
                    b.ended_at.get_or_insert(at);
                }
            }
            model.gateway.state = GatewayState::ShuttingDown;
        }
        GatewayEvent::Restarting | GatewayEvent::ShuttingDown => {
            model.gateway.state = GatewayState::ShuttingDown;
        }
        // Down until an in-process restart says `gateway ready`. This also settles the order
        // of a report's reads: the DB's completed boot row is folded before the log's
        // `received SIGTERM; shutting down`, which would otherwise leave it shutting down.
        GatewayEvent::Stopped => model.gateway.state = GatewayState::Down,
        GatewayEvent::AgentModel { model: m } => model.gateway.default_model = Some(m.clone()),
        GatewayEvent::Identity { hostname, version } => {
            if hostname.is_some() {
                model.gateway.hostname = hostname.clone();
            }
            if version.is_some() {
                model.gateway.version = version.clone();
            }
        }
    }
}

/// The store's `schema_meta.app_version` fills the version until the RPC hello gives the
/// running server's (which [`super::live`] then keeps): a store outlives upgrades only until the
/// next boot migrates it.
pub(super) fn on_store_version(model: &mut Model, version: &str) {
    if model.gateway.reachable != Some(true) || model.gateway.version.is_none() {
        model.gateway.version = Some(version.to_owned());
    }
}

pub(super) fn on_boot_row(model: &mut Model, row: &BootRow) {
    let started = ms_to_time(row.started_at_ms);
    let boots = &mut model.gateway.boots;
    let idx = boots
        .iter()
        .position(|b| b.boot_id.as_deref() == Some(row.boot_id.as_str()))
        .or_else(|| {
            started.and_then(|s| {
                boots
                    .iter()
                    .position(|b| b.boot_id.is_none() && near(b.started_at, s))
            })
        });
    let idx = match idx {
        Some(i) => i,
        None => insert_sorted(
            model,
            Boot {
                started_at: started,
                ..Boot::default()
            },
        ),
    };
    let Some(b) = model.gateway.boots.get_mut(idx) else {
        return;
    };
    b.boot_id = Some(row.boot_id.clone());
    b.pid = row.pid.or(b.pid);
    if let Some(end) = row.completed_at_ms.and_then(ms_to_time) {
        b.ended_at = Some(end);
    }
    if row.outcome.is_some() {
        b.outcome = row.outcome.clone();
    }
    if row.reason.is_some() {
        b.reason = row.reason.clone();
    }
    // The newest boot completed in the DB (`completed_at_ms`): the process is gone.
    if matches!(
        model.gateway.state,
        GatewayState::Unknown | GatewayState::ShuttingDown
    ) && let Some(last) = model.gateway.boots.last()
        && last.boot_id.is_some()
        && row.completed_at_ms.is_some()
        && last.boot_id.as_deref() == Some(row.boot_id.as_str())
    {
        model.gateway.state = GatewayState::Down;
    }
}
