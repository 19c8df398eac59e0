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
use super::record::{Level, LogRecord, prompt_stamp};
use super::sim::Sim;
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
    if tg.label.is_none() {
        // Isolated cron base keys carry no run status (OBSERVED-LEGACY.md §2).
        begin.set("status", J::s("running"));
        begin.set("startedAt", J::n(wall_start));
    }
    sim.session_patch(t, tg.agent, &tg.store_key, begin);
    sim.log(
        t,
        m::run_start(&run_id, &sid, first, tg.channel).traced(Some(&trace)),
    );
    sim.text(t, Level::Debug, "diagnostic", format!("session state: sessionId={sid} sessionKey={} prev=idle new=processing reason=\"run_started\" queueDepth=0", tg.lane_key), Some(&trace));
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
    let dur = t - run_start;
    let wall_end = sim.wall(t);
    if result.aborted {
        sim.text(
            t,
            Level::Debug,
            "diagnostic",
            format!("aborting run: sessionId={sid}"),
            Some(&trace),
        );
        sim.text(
            t,
            Level::Debug,
            "agent/embedded",
            format!(
                "embedded run done: runId={run_id} sessionId={sid} durationMs={dur} aborted=true"
            ),
            Some(&trace),
        );
        sim.entry(
            t,
            tg.agent,
            &sid,
            "custom",
            J::obj()
                .with("customType", J::s("openclaw:prompt-error"))
                .with(
                    "data",
                    J::obj()
                        .with("runId", J::s(&run_id))
                        .with("sessionId", J::s(&sid))
                        .with("provider", J::s(result.model.provider))
                        .with("model", J::s(result.model.id))
                        .with("api", J::s(result.model.api))
                        .with("error", J::s("This operation was aborted")),
                ),
        );
        sim.session_patch(
            t,
            tg.agent,
            &tg.store_key,
            J::obj()
                .with("updatedAt", J::n(wall_end))
                .with("abortedLastRun", J::b(true)),
        );
        result.end = t;
        return result;
    }
    if !result.ok {
        let summary = m::all_failed_summary(&failed);
        sim.log(
            t,
            LogRecord::text(
                Level::Error,
                super::record::Binding::Root,
                format!("Embedded agent failed before reply: {summary}"),
            )
            .traced(Some(&trace)),
        );
        result.failure = Some(summary);
    }
    sim.text(
        t,
        Level::Debug,
        "agent/embedded",
        format!("embedded run done: runId={run_id} sessionId={sid} durationMs={dur} aborted=false"),
        Some(&trace),
    );
    sim.text(
        t,
        Level::Debug,
        "diagnostic",
        format!(
            "lane task done: lane={outer} durationMs={dur} active=0 queued={}",
            spec.queue_behind
        ),
        Some(&trace),
    );
    sim.text(
        t,
        Level::Debug,
        "diagnostic",
        format!("lane task done: lane={session_lane} durationMs={dur} active=0 queued=0"),
        Some(&trace),
    );
    let stop = if result.ok { "stop" } else { "error" };
    sim.log(
        t,
        LogRecord::text(
            Level::Info,
            super::record::Binding::Subsystem("agents/agent-command"),
            format!("[agent] run {run_id} ended with stopReason={stop}"),
        )
        .traced(Some(&trace)),
    );
    sim.text(t, Level::Debug, "diagnostic", format!("session state: sessionId={sid} sessionKey={} prev=processing new=idle reason=\"run_completed\" queueDepth=0", tg.lane_key), Some(&trace));
    let mut patch = J::obj()
        .with("sessionId", J::s(&sid))
        .with("updatedAt", J::n(wall_end));
    if let Some(label) = &tg.label {
        patch.set("label", J::s(label));
    }
    if matches!(spec.trigger, Trigger::User(_)) {
        patch.set("lastInteractionAt", J::n(sim.wall(start)));
    }
    patch.set("systemSent", J::b(true));
    patch.set("sessionFile", J::s(&sim.session_file(tg.agent, &sid)));
    if tg.label.is_none() {
        patch.set("status", J::s(if result.ok { "done" } else { "failed" }));
        patch.set("endedAt", J::n(wall_end));
        patch.set("runtimeMs", J::n(wall_end - wall_start));
        patch.set("abortedLastRun", J::b(false));
    }
    let (cr, cw) = if spec.cache_write {
        (0, spec.cached)
    } else {
        (spec.cached, 0)
    };
    patch.set("contextTokens", J::n(result.model.context_window));
    patch.set("modelProvider", J::s(result.model.provider));
    patch.set("model", J::s(result.model.id));
    patch.set("agentHarnessId", J::s("pi"));
    patch.set("inputTokens", J::n(if result.ok { spec.fresh } else { 0 }));
    patch.set("outputTokens", J::n(result.output));
    patch.set("totalTokens", J::n(if result.ok { prompt } else { 0 }));
    patch.set("totalTokensFresh", J::b(true));
    patch.set("cacheRead", J::n(if result.ok { cr } else { 0 }));
    patch.set("cacheWrite", J::n(if result.ok { cw } else { 0 }));
    patch.set("estimatedCostUsd", J::f(result.cost));
    patch.set("chatType", J::s(tg.chat_type));
    sim.session_patch(t, tg.agent, &tg.store_key, patch);
    result.end = t;
    result
}

fn user_entry(sim: &mut Sim, t: i64, spec: &TurnSpec) {
    let tg = &spec.target;
    let ts = sim.wall(t);
    let text_msg = |text: &str| {
        J::obj().with(
            "message",
            J::obj()
                .with("role", J::s("user"))
                .with(
                    "content",
                    J::Arr(vec![
                        J::obj().with("type", J::s("text")).with("text", J::s(text)),
                    ]),
                )
                .with("timestamp", J::n(ts)),
        )
    };
    match &spec.trigger {
        Trigger::User(text) => {
            let body = text_msg(&format!("[{}] {text}", prompt_stamp(ts)));
            sim.entry(t, tg.agent, &tg.session_id, "message", body);
        }
        Trigger::Heartbeat => {
            let mut body = text_msg("[OpenClaw heartbeat poll]");
            if let J::Obj(fields) = &mut body
                && let Some((_, msg)) = fields.first_mut()
            {
                msg.set(
                    "provenance",
                    J::obj()
                        .with("kind", J::s("internal_system"))
                        .with("sourceTool", J::s("heartbeat")),
                );
            }
            sim.entry(t, tg.agent, &tg.session_id, "message", body);
        }
        Trigger::Cron {
            job_id,
            name,
            message,
        } => {
            let body = text_msg(&format!("[cron:{job_id} {name}] {message}"));
            sim.entry(t, tg.agent, &tg.session_id, "message", body);
        }
        Trigger::Resume => {
            let body = text_msg(
                "[System] Your previous turn was interrupted by a gateway restart while OpenClaw was waiting on tool/model work. Continue from the existing transcript and finish the interrupted response.",
            );
            sim.entry(t, tg.agent, &tg.session_id, "message", body);
        }
    }
}

/// Append an assistant message; `error` makes it a failed attempt (`stopReason:"error"`).
#[allow(clippy::too_many_arguments)]
fn assistant(
    sim: &mut Sim,
    t: i64,
    agent: &'static str,
    sid: &str,
    model: &ModelDef,
    error: Option<&str>,
    tokens: (i64, i64, i64, i64),
    cost: Cost,
    reply: Option<(&str, &str)>,
) {
    let (input, output, cache_read, cache_write) = tokens;
    let text = match (error, reply) {
        (Some(_), _) => "[assistant turn failed before producing content]",
        (None, Some((r, _))) => r,
        (None, None) => "",
    };
    let usage = J::obj()
        .with("input", J::n(input))
        .with("output", J::n(output))
        .with("cacheRead", J::n(cache_read))
        .with("cacheWrite", J::n(cache_write))
        .with(
            "totalTokens",
            J::n(input + output + cache_read + cache_write),
        )
        .with(
            "cost",
            J::obj()
                .with("input", J::f(cost.input))
                .with("output", J::f(cost.output))
                .with("cacheRead", J::f(cost.cache_read))
                .with("cacheWrite", J::f(cost.cache_write))
                .with("total", J::f(cost.total())),
        );
    let mut msg = J::obj()
        .with("role", J::s("assistant"))
        .with(
            "content",
            J::Arr(vec![
                J::obj().with("type", J::s("text")).with("text", J::s(text)),
            ]),
        )
        .with("api", J::s(model.api))
        .with("provider", J::s(model.provider))
        .with("model", J::s(model.id))
        .with("usage", usage)
        .with(
            "stopReason",
            J::s(if error.is_some() { "error" } else { "stop" }),
        )
        .with("timestamp", J::n(sim.wall(t)));
    if let Some(e) = error {
        msg.set("errorMessage", J::s(e));
    }
    if let Some((_, resp)) = reply {
        msg.set("responseId", J::s(resp));
    }
    sim.entry(t, agent, sid, "message", J::obj().with("message", msg));
}

fn reply_text(spec: &TurnSpec, model: &ModelDef) -> String {
    match &spec.trigger {
        Trigger::Heartbeat => "HEARTBEAT_OK".to_owned(),
        Trigger::Cron { name, .. } => format!("{name}: done, nothing urgent ({})", model.id),
        Trigger::Resume => "Resuming where I left off: the summary is below.".to_owned(),
        Trigger::User(_) => format!("Here is what I found ({}).", model.name),
    }
}
