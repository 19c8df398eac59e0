//! `update`: folds facts into the [`Model`]. Pure and fast: no I/O, no system clock (time comes
//! from the facts and from [`Msg::Tick`]). One reducer per area:
//!
//! | file | folds |
//! |---|---|
//! | `sessions.rs` | `SessionsSnapshot`, session keys and placeholders, kinds, states |
//! | `session_events.rs` | `Usage`, `UserTurn`, `TranscriptModelChange`, `PendingInputs`, run lifecycle log events |
//! | `lanes.rs` | `lane enqueue/dequeue/wait exceeded/task done/task error` |
//! | `cascades.rs` | fallback decisions, chain stopped/exhausted, same-model retries, model switches |
//! | `spend.rs` | pricing and the spend buckets (called from `session_events.rs`), re-pricing on `Config` |
//! | `cron.rs` | `CronJobsSnapshot`, `CronRun` |
//! | `gateway.rs` | `GatewayBoot`, gateway lifecycle log events |
//! | `detect.rs` | evidence rings for the failure-mode detectors (retries, takeovers, resumes, waits, stuck, switches) |
//! | `live.rs` | `GatewayLink`, `LiveSessions`, `LiveCron` (lanetop's own RPC reads) |
//! | `logs.rs` | every `Log` line, `CorruptLine`, `SourceHealth` |
//!
//! **Clock.** `model.now` is set by `Msg::Tick`. Until the first tick (and always in
//! `lanetop report`, which sends none) `model.now` follows the newest *event* time instead: log
//! lines, transcript entries (usage, user turns, model changes), cron runs and boots. Snapshots,
//! pending inputs, config, generation, source-health and corrupt-line facts do not move it (they
//! may carry read times).
//!
//! Every aggregate is incremental and bounded: ring buffers (log lines, warnings, waits, turns,
//! episodes) and maps keyed by sessions, lanes, models, cron jobs, days and hours.

mod cascades;
mod cron;
mod detect;
mod evict;
mod gateway;
mod lanes;
mod live;
mod logs;
mod session_events;
mod sessions;
mod spend;

use crate::domain::Model;
use crate::fact::{Fact, FactKind, LogEvent};
use crate::msg::Msg;

pub use evict::{EVICTED_SESSIONS, LOG_ONLY_SESSIONS_CAP, SESSION_LANES_CAP};
pub use logs::source_name;
pub use sessions::configured_model;

/// Sessions in the model above which, once `Tick`s drive the clock (the TUI, `lanetop watch`),
/// a batch of facts is folded without [`refresh`]; the next `Tick` (every second) refreshes.
/// Small models, and models without ticks (reports, tests), refresh after every batch.
pub const DEFER_REFRESH_SESSIONS: usize = 2_000;

/// Facts folded between two eviction checks (`evict`) while the refresh is deferred to the
/// tick (each check counts the log-only sessions: O(sessions)).
pub const BOUND_EVERY_FACTS: usize = 16_384;

/// Apply one message to the model. Returns true when something visible changed.
pub fn update(model: &mut Model, msg: Msg) -> bool {
    match msg {
        Msg::Facts(facts) => {
            let any = !facts.is_empty();
            let n = facts.len();
            for f in facts {
                apply_owned(model, f);
            }
            // A big model under a live clock is refreshed by the next `Tick` (≤ 1 s) rather
            // than after every batch: a refresh walks every session and runs every detector,
            // and per batch it cost a whole core at 5,000 lines/s with 14k sessions (soak).
            let defer = model.live_clock && model.sessions.by_key.len() > DEFER_REFRESH_SESSIONS;
            if any && !defer {
                refresh(model);
            } else if defer {
                // Eviction still runs every BOUND_EVERY_FACTS facts: a backlog folds hundreds
                // of thousands of lines between two ticks, and the sessions and lanes they name
                // grew unbounded until the next one (TUI peak RSS on 1 GB: 69 vs 43 MB).
                model.facts_since_bound += n;
                if model.facts_since_bound >= BOUND_EVERY_FACTS {
                    model.facts_since_bound = 0;
                    evict::bound(model);
                }
            }
            any
        }
        // Outcomes are UI state (the app loop shows them); the model learns the effect from
        // the next live read.
        Msg::ActionDone(_) => false,
        Msg::Prices(table) => {
            model.prices.refreshed = Some(table);
            spend::reprice(model);
            refresh(model);
            true
        }
        Msg::Tick(now) => {
            model.live_clock = true;
            model.now = Some(now);
            refresh(model);
            true
        }
    }
}

/// Facts folded by a [`BacklogFold`] between two [`refresh`]es.
pub const BACKLOG_REFRESH_FACTS: usize = 65_536;

/// Folds a one-shot backlog read (`lanetop report`, the digest: every batch of
/// [`crate::ingest::collect_once`]) without a [`refresh`] after every batch: a refresh walks
/// every session and runs every detector, and at 1 GB of log (3,000+ sessions, 330 batches) the
/// per-batch refresh was ~12 % of the pipeline's CPU. It refreshes every
/// [`BACKLOG_REFRESH_FACTS`] facts (which also keeps eviction bounding the sessions) and once
/// more in [`finish`](Self::finish). The derived state is recomputed from the folded data on
/// every refresh, so the final model is the one per-batch [`update`]s give
/// (`tests/update_bounded.rs::backlog_fold_equals_update_per_batch`).
#[derive(Debug, Default)]
pub struct BacklogFold {
    since_refresh: usize,
}

impl BacklogFold {
    /// Fold one batch; refresh when [`BACKLOG_REFRESH_FACTS`] facts have been folded since
    /// the last refresh.
    pub fn fold(&mut self, model: &mut Model, facts: Vec<Fact>) {
        self.since_refresh += facts.len();
        for f in facts {
            apply_owned(model, f);
        }
        if self.since_refresh >= BACKLOG_REFRESH_FACTS {
            refresh(model);
            self.since_refresh = 0;
        }
    }

    /// The last refresh, after the last batch.
    pub fn finish(self, model: &mut Model) {
        refresh(model);
    }
}

/// Recompute the clock-dependent derived state: every session's state (stale detection
/// depends on `now`) and, when boots or session keys changed, the cascade boot indices and
/// `replayed_after_boot` flags. Called after every batch and every tick; cost O(sessions).
pub fn refresh(model: &mut Model) {
    model.facts_since_bound = 0;
    evict::bound(model);
    sessions::restate_all(model);
    cascades::recompute_if_needed(model);
    refresh_alerts(model);
}

/// Re-run the failure-mode detectors ([`crate::domain::detect::evaluate`]) and count the
/// critical alerts not seen before (`Model::new_crit`, which the TUI flashes on).
pub fn refresh_alerts(model: &mut Model) {
    let alerts = crate::domain::detect::evaluate(model);
    for a in alerts
        .iter()
        .filter(|a| a.severity == crate::domain::detect::Severity::Crit)
    {
        let id = (a.kind, a.subject.clone());
        if model.crit_seen.insert(id) {
            model.new_crit += 1;
        }
    }
    model.alerts = alerts;
}

/// Fold one fact into the model. Call [`refresh`] after a run of `apply` calls (as
/// [`update`] does after each batch) to bring clock-dependent states up to date.
pub fn apply(model: &mut Model, fact: &Fact) {
    apply_inner(model, fact);
    if let FactKind::Log(log) = &fact.kind {
        logs::push_entry(model, fact.at, fact.origin.clone(), log.as_ref().clone());
    }
}

/// [`apply`] taking the fact by value: a log line's strings move into the log buffer instead
/// of being copied (the hot path of a backlog).
fn apply_owned(model: &mut Model, fact: Fact) {
    apply_inner(model, &fact);
    if let FactKind::Log(log) = fact.kind {
        logs::push_entry(model, fact.at, fact.origin, *log);
    }
}

/// Everything [`apply`] does except adding a log line to the log buffer.
fn apply_inner(model: &mut Model, fact: &Fact) {
    observe_time(model, fact);
    match &fact.kind {
        FactKind::Log(log) => {
            logs::on_log(model, fact, log);
            gateway::seen(model, fact.at);
            if let Some(h) = &log.hostname {
                model.gateway.hostname = Some(h.clone());
            }
            match &log.event {
                Some(ev) => on_event(
                    model,
                    fact,
                    log.session.as_deref(),
                    log.agent_id.as_deref(),
                    ev,
                ),
                None => {
                    if let Some(s) = &log.session {
                        sessions::touch_named(model, s, fact.at);
                    }
                }
            }
        }
        FactKind::PlainLines { lines } => {
            model.logs.total += lines;
            gateway::seen(model, fact.at);
        }
        FactKind::CorruptLine { error, excerpt } => logs::on_corrupt(model, fact, error, excerpt),
        FactKind::SessionsSnapshot { agent_id, rows } => {
            sessions::on_snapshot(model, fact, agent_id, rows)
        }
        FactKind::Usage(u) => session_events::on_usage(model, fact, u),
        FactKind::UserTurn {
            agent_id,
            session_id,
            session_key,
            heartbeat,
        } => session_events::on_user_turn(
            model,
            fact,
            agent_id,
            session_id,
            session_key.as_deref(),
            *heartbeat,
        ),
        FactKind::TranscriptModelChange {
            agent_id,
            session_id,
            session_key,
            model: m,
        } => session_events::on_model_change(
            model,
            fact,
            agent_id,
            session_id,
            session_key.as_deref(),
            m,
        ),
        FactKind::PendingInputs {
            agent_id,
            queued_by_session_key,
        } => session_events::on_pending(model, agent_id, queued_by_session_key),
        FactKind::CronJobsSnapshot { jobs } => cron::on_jobs(model, fact, jobs),
        FactKind::CronRun(run) => cron::on_run(model, fact, run),
        FactKind::GatewayBoot(row) => gateway::on_boot_row(model, row),
        FactKind::StoreVersion { version } => gateway::on_store_version(model, version),
        FactKind::Config(cfg) => {
            model.config = (**cfg).clone();
            session_events::on_config(model);
            lanes::on_config(model);
            spend::reprice(model);
        }
        FactKind::Generation(g) => model.generation = Some(*g),
        FactKind::SourceHealth { health } => logs::on_source_health(model, fact, health),
        FactKind::GatewayLink(link) => live::on_link(model, link),
        FactKind::LiveSessions { rows } => live::on_sessions(model, fact, rows),
        FactKind::LiveCron { jobs } => live::on_cron(model, fact, jobs),
        FactKind::LiveHealth { ok } => model.gateway.live_health = Some(*ok),
    }
}

/// Only records of something that happened move the clock: log lines, transcript entries, cron
/// runs, boots. Snapshots, pending inputs, config, generation, source health and corrupt lines
/// may be stamped with the time they were read (or none), which would make a report of old files
/// look current.
fn observe_time(model: &mut Model, fact: &Fact) {
    let event = matches!(
        fact.kind,
        FactKind::Log(_)
            | FactKind::PlainLines { .. }
            | FactKind::Usage(_)
            | FactKind::UserTurn { .. }
            | FactKind::TranscriptModelChange { .. }
            | FactKind::CronRun(_)
            | FactKind::GatewayBoot(_)
    );
    if !event || fact.origin.kind == crate::fact::SourceKind::Lanetop {
        return;
    }
    if model.newest_fact.is_none_or(|t| fact.at > t) {
        model.newest_fact = Some(fact.at);
        if !model.live_clock {
            model.now = Some(fact.at);
        }
    }
}

fn on_event(
    model: &mut Model,
    fact: &Fact,
    session: Option<&str>,
    agent: Option<&str>,
    ev: &LogEvent,
) {
    detect::on_event(model, fact, session, ev);
    match ev {
        LogEvent::FallbackDecision(d) => cascades::on_decision(model, fact, d, session, agent),
        LogEvent::FallbackChainStopped {
            session_id,
            reason,
            candidate,
            ..
        } => cascades::on_chain_stopped(
            model,
            fact,
            session_id.as_deref().or(session),
            reason,
            candidate.as_ref(),
        ),
        LogEvent::ChainExhausted {
            session_key,
            job_id,
            ..
        } => cascades::on_chain_exhausted(
            model,
            fact,
            session_key.as_deref().or(session),
            job_id.as_deref(),
        ),
        LogEvent::SameModelRetry { .. } => model.cascades.counters.same_model_retries += 1,
        LogEvent::ModelSwitch {
            session_id,
            from: _,
            to,
        } => {
            model.cascades.counters.model_switches += 1;
            session_events::on_model_switch(model, fact, session_id, agent, to);
        }
        LogEvent::RunStarted {
            run_id,
            session_id,
            model: m,
            ..
        } => session_events::on_run_started(model, fact, run_id, session_id, agent, m.as_ref()),
        LogEvent::RunDone {
            run_id,
            session_id,
            aborted,
            ..
        } => session_events::on_run_finished(
            model,
            fact,
            run_id,
            Some(session_id),
            if *aborted { "aborted" } else { "done" },
        ),
        LogEvent::RunEnded {
            run_id,
            stop_reason,
        } => session_events::on_run_finished(
            model,
            fact,
            run_id,
            None,
            &format!("ended: {stop_reason}"),
        ),
        LogEvent::RunTimedOut {
            run_id, session_id, ..
        } => session_events::on_run_timeout(model, fact, run_id, session_id),
        LogEvent::AgentEnd {
            run_id: Some(run_id),
            is_error: false,
            model: Some(m),
            ..
        } => session_events::on_run_model(model, fact, run_id, m),
        LogEvent::LaneEnqueued { .. }
        | LogEvent::LaneDequeued { .. }
        | LogEvent::LaneWaitExceeded { .. }
        | LogEvent::LaneTaskDone { .. }
        | LogEvent::LaneTaskError { .. }
        | LogEvent::SessionTakeover { .. } => lanes::on_lane_event(model, fact.at, ev),
        LogEvent::Gateway(g) => gateway::on_event(model, fact.at, g),
        _ => {
            if let Some(s) = session {
                sessions::touch_named(model, s, fact.at);
            }
        }
    }
}
