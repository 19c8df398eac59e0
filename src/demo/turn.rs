//! One agent run ("turn") as the 2026.9.6 gateway logs it and the 5.20 store records it.
//!
//! Log sequence copied from `captured/logs/openclaw.log` (a healthy run at lines 80-110, the
//! cascade at 2226-2336): lane enqueue/dequeue (`diagnostic`, DEBUG), `embedded run start`, per
//! failed candidate `embedded run agent end` + `embedded run failover decision` (WARN meta),
//! `lane task error` (ERROR), `model fallback decision` (WARN meta), same-model retries, then
//! `embedded run done`, `lane task done`, `[agent] run … ended with stopReason=…`. The
//! transcript gets the user message, one assistant message per attempt (errors with
//! `stopReason:"error"`), `model-snapshot` entries at switches, and `usage.cost` in USD.

use super::json::J;
use super::messages as m;
use super::record::{Level, LogRecord, Trace};
use super::sim::Sim;
use super::turn_end::{assistant, finish, reply_text, user_entry};
use super::world::{Cost, ModelDef};

/// How one candidate attempt ends.
#[derive(Debug, Clone)]
pub enum Outcome {
    Ok,
    /// HTTP status, failure reason (`rate_limit`, `overloaded`, …), provider error text.
    Fail {
        status: i64,
        reason: &'static str,
        preview: String,
    },
}

/// One candidate of the fallback chain tried in a run.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub model: &'static ModelDef,
    pub outcome: Outcome,
    /// Transient same-model retries before the outcome (each re-sends and bills the prompt).
    pub retries: u32,
}

/// What started the run.
#[derive(Debug, Clone)]
pub enum Trigger {
    User(String),
    Heartbeat,
    Cron {
        job_id: String,
        name: &'static str,
        message: &'static str,
    },
    /// Restart recovery resuming an interrupted turn.
    Resume,
}

/// Where the run happens.
#[derive(Debug, Clone)]
pub struct Target {
    pub agent: &'static str,
    /// Session key used for the session lane (`session:<key>`).
    pub lane_key: String,
    /// `sessions.json` key the entry lives under.
    pub store_key: String,
    pub session_id: String,
    pub chat_type: &'static str,
    pub channel: &'static str,
    /// `label` of the entry (`Cron: <name>` for isolated cron runs).
    pub label: Option<String>,
    /// Whether the transcript must be created first.
    pub new_transcript: bool,
}

/// A run to simulate.
#[derive(Debug, Clone)]
pub struct TurnSpec {
    pub target: Target,
    pub trigger: Trigger,
    /// The outer lane: `main` for inbound turns, `cron-nested` for cron and heartbeats.
    pub outer_lane: &'static str,
    pub attempts: Vec<Attempt>,
    /// Fresh prompt tokens; `cached` tokens are read from (or written to) the cache.
    pub fresh: i64,
    pub cached: i64,
    /// Whether `cached` is a cache write (cold cache) rather than a read.
    pub cache_write: bool,
    pub output: i64,
    /// Queue wait on the outer lane (ms) and the queue shape for `lane wait exceeded`.
    pub wait_ms: i64,
    pub queue_ahead: i64,
    pub queue_behind: i64,
    /// Log `live session model switch requested during active attempt` at the 2nd attempt.
    pub live_switch: bool,
    /// Extra provider latency per attempt (ms): a slow model keeps the run in flight.
    pub slow_ms: i64,
    /// The run is aborted (restart drain) at this simulated time if still in flight.
    pub abort_at: Option<i64>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct TurnResult {
    /// Simulated ms the run ended (or was cut off).
    pub end: i64,
    pub ok: bool,
    pub aborted: bool,
    pub cost: f64,
    pub model: &'static ModelDef,
    pub input: i64,
    pub output: i64,
    /// `All models failed (n): …` when the chain was exhausted.
    pub failure: Option<String>,
    pub run_id: String,
    /// Trace ids shared by the run's records.
    pub trace: Trace,
}

/// Simulate one run starting at `start`; returns when and how it ended.
pub fn run(sim: &mut Sim, start: i64, spec: &TurnSpec) -> TurnResult {
    let tg = &spec.target;
    let run_id = sim.rng.uuid();
    let trace = sim.trace();
    let first = spec
        .attempts
        .first()
        .map(|a| a.model)
        .unwrap_or(&super::world::MODELS[0]);
    let mut t = start;
    if tg.new_transcript {
        sim.open_transcript(t, tg.agent, &tg.session_id, first);
    }
    user_entry(sim, t, spec);
    let sid = tg.session_id.clone();
    let session_lane = format!("session:{}", tg.lane_key);
    let dbg = |s: String| {
        LogRecord::text(
            Level::Debug,
            super::record::Binding::Subsystem("diagnostic"),
            s,
        )
    };
    sim.log(
        t,
        dbg(format!("lane enqueue: lane={session_lane} queueSize=1")).traced(Some(&trace)),
    );
    t += sim.rng.range(1, 4);
    sim.log(
        t,
        dbg(format!(
            "lane dequeue: lane={session_lane} waitMs=2 queueSize=0"
        ))
        .traced(Some(&trace)),
    );
    let outer = spec.outer_lane;
    sim.log(
        t,
        dbg(format!(
            "lane enqueue: lane={outer} queueSize={}",
            spec.queue_ahead + 1
        ))
        .traced(Some(&trace)),
    );
    t += spec.wait_ms.max(0);
    if spec.wait_ms >= 2000 {
        sim.log(
            t,
            m::lane_wait_exceeded(outer, spec.wait_ms, spec.queue_ahead, spec.queue_behind)
                .traced(Some(&trace)),
        );
    }
    sim.log(
        t,
        dbg(format!(
            "lane dequeue: lane={outer} waitMs={} queueSize={}",
            spec.wait_ms.max(0),
            spec.queue_behind
        ))
        .traced(Some(&trace)),
    );
    let wall_start = sim.wall(t);
    let mut begin = J::obj()
        .with("sessionId", J::s(&sid))
        .with("updatedAt", J::n(wall_start));
    if tg.new_transcript {
        begin.set("sessionStartedAt", J::n(wall_start));
    }
    if tg.label.is_none() {
        // Isolated cron base keys carry no run status (OBSERVED-LEGACY.md §2).
        begin.set("status", J::s("running"));
        begin.set("startedAt", J::n(wall_start));
    }
    sim.session_patch(t, tg.agent, &tg.store_key, begin);
    sim.log(
        t,
        m::harness_selected(tg.agent, &tg.lane_key, first).traced(Some(&trace)),
    );
    sim.log(
        t,
        m::run_start(&run_id, &sid, first, tg.channel).traced(Some(&trace)),
    );
    sim.text(t, Level::Debug, "diagnostic", format!("session state: sessionId={sid} sessionKey={} prev=idle new=processing reason=\"run_started\" queueDepth=0", tg.lane_key), Some(&trace));
    sim.text(
        t,
        Level::Debug,
        "diagnostic",
        format!("run registered: sessionId={sid} totalActive=1"),
        Some(&trace),
    );
    let run_start = t;
    let prompt = spec.fresh + spec.cached;
    let mut failed: Vec<(&'static ModelDef, i64, &'static str, String)> = Vec::new();
    let mut result = TurnResult {
        end: t,
        ok: false,
        aborted: false,
        cost: 0.0,
        model: first,
        input: 0,
        output: 0,
        failure: None,
        run_id: run_id.clone(),
        trace: trace.clone(),
    };
    let total = spec.attempts.len() as i64;
    let cut = |t_next: i64| spec.abort_at.filter(|a| t_next >= *a);
    'attempts: for (i, att) in spec.attempts.iter().enumerate() {
        if i > 0 {
            sim.snapshot(t, tg.agent, &sid, att.model);
            if spec.live_switch && i == 1 {
                let prev = spec.attempts[0].model;
                sim.log(
                    t,
                    m::live_switch(&sid, prev, att.model).traced(Some(&trace)),
                );
            }
        }
        result.model = att.model;
        sim.log(
            t,
            m::prompt_start(&run_id, &sid, att.model).traced(Some(&trace)),
        );
        sim.log(t, m::fetch_start(att.model).traced(Some(&trace)));
        for r in 1..=att.retries {
            let next = t + sim.rng.range(3_000, 9_000) + spec.slow_ms;
            if let Some(a) = cut(next) {
                t = a;
                result.aborted = true;
                break 'attempts;
            }
            t = next;
            let delay = sim.rng.range(800, 6_000);
            sim.log(
                t,
                m::same_model_retry(r, att.model, delay).traced(Some(&trace)),
            );
            // The retried call re-sent the whole prompt and was billed for it.
            let c = Cost::of(att.model, prompt, 0, 0, 0);
            result.cost += c.total();
            assistant(
                sim,
                t,
                tg.agent,
                &sid,
                att.model,
                Some("503 upstream overloaded: stream interrupted"),
                (prompt, 0, 0, 0),
                c,
                None,
            );
            t += delay;
        }
        if att.retries > 0 {
            sim.log(
                t,
                m::retry_window_elapsed(att.model, att.retries).traced(Some(&trace)),
            );
        }
        match &att.outcome {
            Outcome::Fail {
                status,
                reason,
                preview,
            } => {
                let next = t + sim.rng.range(200, 1_800) + spec.slow_ms;
                if let Some(a) = cut(next) {
                    t = a;
                    result.aborted = true;
                    break 'attempts;
                }
                t = next;
                sim.log(
                    t,
                    m::fetch_response(att.model, *status, t - run_start).traced(Some(&trace)),
                );
                assistant(
                    sim,
                    t,
                    tg.agent,
                    &sid,
                    att.model,
                    Some(preview),
                    (0, 0, 0, 0),
                    Cost::default(),
                    None,
                );
                sim.log(
                    t,
                    m::agent_end_error(&run_id, att.model, reason, preview).traced(Some(&trace)),
                );
                sim.log(
                    t,
                    m::failover_decision(
                        &run_id,
                        att.model,
                        Some((reason, *status, preview)),
                        i as i64,
                    )
                    .traced(Some(&trace)),
                );
                let dur = t - run_start;
                let user_err = m::user_error(att.model, preview);
                sim.log(
                    t,
                    m::lane_task_error(outer, dur, &user_err).traced(Some(&trace)),
                );
                sim.log(
                    t,
                    m::lane_task_error(&session_lane, dur, &user_err).traced(Some(&trace)),
                );
                let next = spec.attempts.get(i + 1).map(|a| a.model);
                let rec = m::fallback_failed(
                    &run_id,
                    &sid,
                    first,
                    att.model,
                    i as i64 + 1,
                    total,
                    reason,
                    *status,
                    preview,
                    next,
                );
                sim.log(t, rec.session(&sid).traced(Some(&trace)));
                failed.push((att.model, *status, reason, preview.clone()));
            }
            Outcome::Ok => {
                let next = t + sim.rng.range(2_000, 14_000) + spec.slow_ms;
                if let Some(a) = cut(next) {
                    t = a;
                    result.aborted = true;
                    break 'attempts;
                }
                t = next;
                sim.log(
                    t,
                    m::fetch_response(att.model, 200, t - run_start).traced(Some(&trace)),
                );
                sim.text(
                    t,
                    Level::Debug,
                    "agent/embedded",
                    format!("embedded run agent end: runId={run_id} isError=false"),
                    Some(&trace),
                );
                sim.log(
                    t,
                    m::failover_decision(&run_id, att.model, None, i as i64).traced(Some(&trace)),
                );
                let (cache_read, cache_write) = if spec.cache_write {
                    (0, spec.cached)
                } else {
                    (spec.cached, 0)
                };
                let c = Cost::of(att.model, spec.fresh, spec.output, cache_read, cache_write);
                result.cost += c.total();
                result.input = prompt;
                result.output = spec.output;
                let reply = reply_text(spec, att.model);
                let resp = format!("msg_{}", sim.rng.hex(24));
                assistant(
                    sim,
                    t,
                    tg.agent,
                    &sid,
                    att.model,
                    None,
                    (spec.fresh, spec.output, cache_read, cache_write),
                    c,
                    Some((&reply, &resp)),
                );
                if i > 0 {
                    let rec = m::fallback_succeeded(
                        &run_id,
                        &sid,
                        first,
                        att.model,
                        i as i64 + 1,
                        total,
                        &failed,
                    );
                    sim.log(t, rec.session(&sid).traced(Some(&trace)));
                    if let Some((prev, ..)) = failed.last() {
                        sim.log(
                            t,
                            m::fell_back_summary(prev, att.model).traced(Some(&trace)),
                        );
                    }
                }
                result.ok = true;
                break;
            }
        }
    }
    if !result.aborted {
        t += sim.rng.range(5, 60);
    }
    finish(sim, start, spec, t, run_start, wall_start, &failed, result)
}
