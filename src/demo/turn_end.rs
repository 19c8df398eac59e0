//! The end of a run (`finish`) and the transcript entries of a run (user prompt, assistant
//! messages with `usage.cost`), shapes from `captured-legacy/state/agents/main/sessions/
//! 568d898c-….jsonl` (5.20 transcript, version 3).

use super::json::J;
use super::messages as m;
use super::record::{Level, LogRecord, prompt_stamp};
use super::sim::Sim;
use super::turn::{Trigger, TurnResult, TurnSpec};
use super::world::{Cost, ModelDef};

/// Close a run: the abort trail or the done/lane/stop records, and the `sessions.json` patch.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    sim: &mut Sim,
    start: i64,
    spec: &TurnSpec,
    t: i64,
    run_start: i64,
    wall_start: i64,
    failed: &[(&'static ModelDef, i64, &'static str, String)],
    mut result: TurnResult,
) -> TurnResult {
    let tg = &spec.target;
    let sid = tg.session_id.clone();
    let run_id = result.run_id.clone();
    let outer = spec.outer_lane;
    let session_lane = format!("session:{}", tg.lane_key);
    let trace = result.trace.clone();
    let prompt = spec.fresh + spec.cached;
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
        let summary = m::all_failed_summary(failed);
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
    if result.ok {
        sim.text(
            t,
            Level::Debug,
            "agent/embedded",
            format!("embedded run prompt end: runId={run_id} sessionId={sid} durationMs={dur}"),
            Some(&trace),
        );
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
    sim.text(
        t,
        Level::Debug,
        "diagnostic",
        format!("run cleared: sessionId={sid} totalActive=0"),
        Some(&trace),
    );
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

pub(super) fn user_entry(sim: &mut Sim, t: i64, spec: &TurnSpec) {
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
pub(super) fn assistant(
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

pub(super) fn reply_text(spec: &TurnSpec, model: &ModelDef) -> String {
    match &spec.trigger {
        Trigger::Heartbeat => "HEARTBEAT_OK".to_owned(),
        Trigger::Cron { name, .. } => format!("{name}: done, nothing urgent ({})", model.id),
        Trigger::Resume => "Resuming where I left off: the summary is below.".to_owned(),
        Trigger::User(_) => format!("Here is what I found ({}).", model.name),
    }
}
