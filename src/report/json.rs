//! [`build`]: the report's data from a [`Model`] (types in `types.rs`).

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};

use crate::domain::Model;
use crate::fact::SourceHealth;

use super::round_usd;
use super::types::*;

fn ms(ms: Option<i64>) -> Time {
    ms.and_then(|m| Utc.timestamp_millis_opt(m).single())
}

/// USD of a bucket; `None` (JSON `null`, "unknown") when it holds only unpriced tokens, so an
/// unpriced model never reads as $0.
fn usd_of(b: &crate::domain::spend::SpendBucket) -> Option<f64> {
    (b.usd != 0.0 || b.unpriced_tokens == 0).then(|| round_usd(b.usd))
}

fn usd_map<K: ToString>(
    m: &BTreeMap<K, crate::domain::spend::SpendBucket>,
) -> BTreeMap<String, Option<f64>> {
    m.iter().map(|(k, b)| (k.to_string(), usd_of(b))).collect()
}

/// Build the report from the model (pure; the clock is `model.now`).
pub fn build(model: &Model) -> Report {
    let (bound, unbound): (Vec<_>, Vec<_>) = model
        .sessions
        .by_key
        .values()
        .partition(|s| s.row_source.is_some());
    let out = |s: &&crate::domain::Session| SessionOut {
        key: s.key.clone(),
        agent: s.agent_id.clone(),
        session_id: s.session_id.clone(),
        kind: s.kind,
        state: s.state,
        status: s.status.clone(),
        label: s.label.clone(),
        model: s.current_model.as_ref().map(ToString::to_string),
        configured_model: s.configured_model.as_ref().map(ToString::to_string),
        model_override: s.model_override.as_ref().map(ToString::to_string),
        last_activity: s.last_activity,
        tokens: s.shown_tokens(),
        cost_usd: round_usd(s.cost_usd),
        unpriced_tokens: s.unpriced_tokens,
        cron_job: s.cron_job_id.clone(),
        queued: s.queued,
        active_runs: s.active_runs.len(),
        fallback_episodes: s.fallback_episodes,
        turns: s.turns.len(),
    };
    let by_cost = |a: &SessionOut, b: &SessionOut| {
        b.cost_usd
            .total_cmp(&a.cost_usd)
            .then_with(|| a.key.cmp(&b.key))
    };
    let mut sessions: Vec<SessionOut> = bound.iter().map(out).collect();
    sessions.sort_by(by_cost);
    let mut unbound_sessions: Vec<SessionOut> = unbound.iter().map(out).collect();
    unbound_sessions.sort_by(by_cost);

    let lanes = model
        .lanes
        .by_name
        .values()
        .map(|l| LaneOut {
            name: l.name.clone(),
            limit: l.limit,
            active: l.active,
            queued: l.queued,
            wait_p50_ms: l.wait_p50_ms(),
            wait_max_ms: l.wait_max_ms(),
            wait_exceeded: l.wait_exceeded,
            tasks_done: l.tasks_done,
            task_errors: l.task_errors,
            last_seen: l.last_seen,
        })
        .collect();

    let c = &model.cascades.counters;
    let fallbacks = FallbacksOut {
        decisions: c.decisions,
        by_reason: c.by_reason.clone(),
        by_decision: c.by_decision.clone(),
        same_model_retries: c.same_model_retries,
        chain_exhausted: c.chain_exhausted,
        model_switches: c.model_switches,
        episodes: model.cascades.episodes.len(),
        replayed_after_boot: model
            .cascades
            .episodes
            .iter()
            .filter(|e| e.replayed_after_boot)
            .count(),
    };
    let cascades = model
        .cascades
        .episodes
        .iter()
        .map(|e| EpisodeOut {
            id: e.id,
            session: e
                .session_id
                .as_deref()
                .and_then(|s| model.sessions.resolve(s))
                .map(str::to_string)
                .or_else(|| e.session.clone()),
            session_id: e.session_id.clone(),
            run_id: e.run_id.clone(),
            lane: e.lane.clone(),
            boot: e.boot,
            started: e.started,
            ended: e.ended,
            outcome: e.outcome.clone(),
            replayed_after_boot: e.replayed_after_boot,
            steps: e
                .steps
                .iter()
                .map(|s| StepOut {
                    at: s.at,
                    decision: s.decision.clone(),
                    from: s.from.as_ref().map(ToString::to_string),
                    to: s.to.as_ref().map(ToString::to_string),
                    reason: s.reason.clone(),
                    status: s.status,
                })
                .collect(),
        })
        .collect();

    let sp = &model.spend;
    let mut models: Vec<ModelSpendOut> = sp
        .by_model
        .iter()
        .map(|(m, b)| {
            let price = model.prices.resolve(&model.config, m);
            ModelSpendOut {
                model: m.clone(),
                usd: round_usd(b.usd),
                tokens: b.tokens,
                unpriced_tokens: b.unpriced_tokens,
                turns: b.turns,
                price_source: price.map(|r| r.source().name()),
                price_key: price.and_then(|r| r.key().map(str::to_string)),
                priced_by: sp.priced_by.get(m).copied().unwrap_or_default(),
            }
        })
        .collect();
    models.sort_by(|a, b| b.usd.total_cmp(&a.usd).then_with(|| a.model.cmp(&b.model)));
    let spend = SpendOut {
        total_usd: round_usd(sp.total.usd),
        total_tokens: sp.total.tokens,
        unpriced_tokens: sp.total.unpriced_tokens,
        turns: sp.total.turns,
        burn_rate_usd_per_h: round_usd(sp.burn_rate_usd_per_h(model.now)),
        by_model: usd_map(&sp.by_model),
        by_agent: usd_map(&sp.by_agent),
        by_day: sp
            .by_day
            .iter()
            .map(|(d, b)| (d.format("%Y-%m-%d").to_string(), usd_of(b)))
            .collect(),
        by_cron_job: usd_map(&sp.by_cron_job),
        models,
    };

    let mut jobs: Vec<CronJobOut> = model
        .cron
        .jobs
        .values()
        .map(|j| {
            let r = &j.row;
            CronJobOut {
                id: r.id.clone(),
                name: r.name.clone(),
                agent: r.agent_id.clone(),
                enabled: r.enabled,
                schedule: r.schedule.clone(),
                payload_kind: r.payload_kind.clone(),
                heartbeat: crate::domain::cron::is_heartbeat_job(r),
                last_status: r.last_run_status.clone(),
                last_run_at: ms(r.last_run_at_ms),
                last_duration_ms: r.last_duration_ms,
                last_run_cost_usd: crate::domain::run_cost::last_run_cost(model, j).map(round_usd),
                last_error: r.last_error.clone(),
                next_run_at: ms(r.next_run_at_ms),
                consecutive_errors: r.consecutive_errors,
                runs_by_status: j.runs_by_status.clone(),
                cost_usd: round_usd(j.cost_usd),
            }
        })
        .collect();
    jobs.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));

    let g = &model.gateway;
    Report {
        schema: "lanetop.report/1",
        generated_at: model.now,
        generation: model.generation,
        sources: model
            .sources
            .iter()
            .map(|(name, s)| {
                let (status, detail) = match &s.health {
                    SourceHealth::Ok { detail } => ("ok", detail.clone()),
                    SourceHealth::Waiting { detail } => ("waiting", detail.clone()),
                    SourceHealth::Error { message } => ("error", message.clone()),
                };
                SourceOut {
                    name: name.clone(),
                    path: s.path.clone(),
                    status,
                    detail,
                    at: s.at,
                }
            })
            .collect(),
        corrupt_lines: CorruptOut {
            count: model.corrupt.count,
            recent: model
                .corrupt
                .recent
                .iter()
                .map(|(file, line, error, excerpt)| CorruptLineOut {
                    file: file.clone(),
                    line: *line,
                    error: error.clone(),
                    excerpt: excerpt.clone(),
                })
                .collect(),
        },
        gateway: GatewayOut {
            state: g.state,
            last_seen: g.last_seen,
            default_model: g.default_model.as_ref().map(ToString::to_string),
            hostname: g.hostname.clone(),
            version: g.version.clone(),
            reachable: g.reachable,
            boots: g.boots.len(),
            boot_details: g
                .boots
                .iter()
                .map(|b| BootOut {
                    started_at: b.started_at,
                    ready_at: b.ready_at,
                    ended_at: b.ended_at,
                    outcome: b.outcome.clone(),
                    reason: b.reason.clone(),
                    pid: b.pid,
                    boot_id: b.boot_id.clone(),
                    seen_in_log: b.seen_in_log,
                })
                .collect(),
        },
        sessions,
        unbound_sessions,
        lanes,
        fallbacks,
        cascades,
        spend,
        cron: CronOut {
            jobs,
            orphan_runs: model.cron.orphan_runs.clone(),
        },
        warnings: WarningsOut {
            count: model.logs.warnings_total,
            recent: model
                .logs
                .warnings
                .iter()
                .rev()
                .take(20)
                .rev()
                .map(|w| WarningOut {
                    at: w.at,
                    level: w.level,
                    text: w.text.clone(),
                })
                .collect(),
        },
        logs: LogsOut {
            lines: model.logs.total,
            buffered: model.logs.len(),
        },
        alerts: super::alerts::alerts(model),
        overnight: super::alerts::overnight(model),
        budgets: super::alerts::budgets(model),
    }
}
