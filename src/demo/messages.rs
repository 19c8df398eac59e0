//! Constructors for the run-level log records, each copied from a real record of
//! `captured/logs/openclaw.log` (2026.9.6) — meta keys in the same order, same levels, same
//! text templates (`FORMATS.md` §1.3 gives the source templates).

use super::json::J;
use super::record::{Binding, Level, LogRecord};
use super::world::ModelDef;

const DIAG: Binding = Binding::Subsystem("diagnostic");
const EMBEDDED: Binding = Binding::Subsystem("agent/embedded");

/// `sha256:<12 hex>`-shaped fingerprint of an error text (FNV-1a; the demo only needs stable ids).
pub fn error_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("sha256:{:012x}", h & 0xffff_ffff_ffff)
}

/// WARN `lane wait exceeded: lane=… waitedMs=… queueAhead=… activeAhead=… activeNow=… queueBehind=…`.
pub fn lane_wait_exceeded(
    lane: &str,
    waited: i64,
    queue_ahead: i64,
    queue_behind: i64,
) -> LogRecord {
    LogRecord::text(
        Level::Warn,
        DIAG,
        format!(
            "lane wait exceeded: lane={lane} waitedMs={waited} queueAhead={queue_ahead} activeAhead=1 activeNow=0 queueBehind={queue_behind}"
        ),
    )
}

/// DEBUG `embedded run start: runId=… sessionId=… provider=… model=… thinking=off messageChannel=…`.
pub fn run_start(run_id: &str, sid: &str, model: &ModelDef, channel: &str) -> LogRecord {
    LogRecord::text(
        Level::Debug,
        EMBEDDED,
        format!(
            "embedded run start: runId={run_id} sessionId={sid} provider={} model={} thinking=off messageChannel={channel}",
            model.provider, model.id
        ),
    )
}

/// DEBUG `agent harness selected` on `agents/harness` with the top-level `agent_id` and
/// `session_id` (= the session key), as captured line 84.
pub fn harness_selected(agent: &str, session_key: &str, model: &ModelDef) -> LogRecord {
    let meta = J::obj()
        .with("provider", J::s(model.provider))
        .with("modelId", J::s(model.id))
        .with("sessionKey", J::s(session_key))
        .with("agentId", J::s(agent))
        .with("selectedHarnessId", J::s("openclaw"))
        .with("selectedReason", J::s("forced_openclaw"))
        .with("runtime", J::s("openclaw"))
        .with("candidates", J::Arr(Vec::new()));
    LogRecord::meta(
        Level::Debug,
        Binding::Subsystem("agents/harness"),
        meta,
        "agent harness selected",
    )
    .agent(agent)
    .session(session_key)
}

/// DEBUG `embedded run prompt start: runId=… sessionId=… provider=… api=… endpoint=… route=… policy=none`.
pub fn prompt_start(run_id: &str, sid: &str, model: &ModelDef) -> LogRecord {
    LogRecord::text(
        Level::Debug,
        EMBEDDED,
        format!(
            "embedded run prompt start: runId={run_id} sessionId={sid} provider={} api={} endpoint=remote route=direct policy=none",
            model.provider, model.api
        ),
    )
}

/// DEBUG `[model-fetch] start provider=… api=… model=… method=POST url=… timeoutMs=… proxy=none policy=custom`.
pub fn fetch_start(model: &ModelDef) -> LogRecord {
    LogRecord::text(
        Level::Debug,
        Binding::Subsystem("provider-transport-fetch"),
        format!(
            "[model-fetch] start provider={p} api={} model={} method=POST url=https://api.{p}.example/v1/messages timeoutMs=600000 proxy=none policy=custom",
            model.api,
            model.id,
            p = model.provider
        ),
    )
}

/// INFO `live session model switch requested during active attempt for <sid>: a -> b`.
pub fn live_switch(sid: &str, from: &ModelDef, to: &ModelDef) -> LogRecord {
    LogRecord::text(
        Level::Info,
        EMBEDDED,
        format!(
            "live session model switch requested during active attempt for {sid}: {} -> {}",
            from.full(),
            to.full()
        ),
    )
    .session(sid)
}

/// WARN `transient same-model retry N/8 for p/m reason=server_error: delayMs=D`.
pub fn same_model_retry(n: u32, model: &ModelDef, delay: i64) -> LogRecord {
    LogRecord::text(
        Level::Warn,
        EMBEDDED,
        format!(
            "transient same-model retry {n}/8 for {} reason=server_error: delayMs={delay}",
            model.full()
        ),
    )
}

/// WARN `transient retry window elapsed for p/m after N/8 retries; stopping same-model retries`.
pub fn retry_window_elapsed(model: &ModelDef, n: u32) -> LogRecord {
    LogRecord::text(
        Level::Warn,
        EMBEDDED,
        format!(
            "transient retry window elapsed for {} after {n}/8 retries; stopping same-model retries",
            model.full()
        ),
    )
}

/// `[model-fetch] response …` on `provider-transport-fetch` (INFO for non-2xx, else DEBUG).
pub fn fetch_response(model: &ModelDef, status: i64, elapsed: i64) -> LogRecord {
    let level = if status >= 300 {
        Level::Info
    } else {
        Level::Debug
    };
    LogRecord::text(
        level,
        Binding::Subsystem("provider-transport-fetch"),
        format!(
            "[model-fetch] response provider={} api={} model={} status={status} elapsedMs={elapsed} dispatcher=reused contentType=application/json",
            model.provider, model.api, model.id
        ),
    )
}

/// The user-facing error text (`⚠️ …`) of a failed attempt.
pub fn user_error(model: &ModelDef, preview: &str) -> String {
    match preview.split_once(' ') {
        Some((code, rest)) if code.chars().all(|c| c.is_ascii_digit()) => format!("⚠️ {rest}"),
        _ => format!("⚠️ {} failed: {preview}", model.id),
    }
}

/// WARN `embedded run agent end` with `event:"embedded_run_agent_end"` meta.
pub fn agent_end_error(run_id: &str, model: &ModelDef, reason: &str, preview: &str) -> LogRecord {
    let meta = J::obj()
        .with("event", J::s("embedded_run_agent_end"))
        .with(
            "tags",
            J::Arr(vec![
                J::s("error_handling"),
                J::s("lifecycle"),
                J::s("agent_end"),
                J::s("assistant_error"),
            ]),
        )
        .with("runId", J::s(run_id))
        .with("isError", J::b(true))
        .with("error", J::s(&user_error(model, preview)))
        .with("failoverReason", J::s(reason))
        .with("model", J::s(model.id))
        .with("provider", J::s(model.provider))
        .with("rawErrorPreview", J::s(preview))
        .with("rawErrorHash", J::s(&error_hash(preview)))
        .with("providerRuntimeFailureKind", J::s(reason));
    LogRecord::meta(Level::Warn, EMBEDDED, meta, "embedded run agent end")
}

/// `embedded run failover decision`: DEBUG `continue_normal` on success, WARN `fallback_model`
/// with the failure (`reason`, HTTP status, preview) otherwise.
pub fn failover_decision(
    run_id: &str,
    model: &ModelDef,
    failure: Option<(&str, i64, &str)>,
    attempt_idx: i64,
) -> LogRecord {
    let decision = if failure.is_some() {
        "fallback_model"
    } else {
        "continue_normal"
    };
    let reason = failure.map(|f| J::s(f.0)).unwrap_or_else(J::null);
    let mut meta = J::obj()
        .with("event", J::s("embedded_run_failover_decision"))
        .with(
            "tags",
            J::Arr(vec![
                J::s("error_handling"),
                J::s("failover"),
                J::s("assistant"),
                J::s(decision),
            ]),
        )
        .with("runId", J::s(run_id))
        .with("stage", J::s("assistant"))
        .with("decision", J::s(decision))
        .with("failoverReason", reason.clone())
        .with("profileFailureReason", reason)
        .with("provider", J::s(model.provider))
        .with("model", J::s(model.id))
        .with("sourceProvider", J::s(model.provider))
        .with("sourceModel", J::s(model.id))
        .with("fallbackConfigured", J::b(true))
        .with("timedOut", J::b(false))
        .with("aborted", J::b(false));
    if let Some((reason, status, preview)) = failure {
        meta.set("status", J::n(status));
        meta.set("rawErrorPreview", J::s(preview));
        meta.set("rawErrorHash", J::s(&error_hash(preview)));
        meta.set("providerRuntimeFailureKind", J::s(reason));
    }
    meta.set("retryCount", J::n(0));
    meta.set("profileRotationCount", J::n(0));
    meta.set("attemptCount", J::n(attempt_idx + 1));
    let level = if failure.is_some() {
        Level::Warn
    } else {
        Level::Debug
    };
    LogRecord::meta(level, EMBEDDED, meta, "embedded run failover decision")
}

/// ERROR `lane task error: lane=… durationMs=… error="…"` with `{"errorName":"FailoverError"}`.
pub fn lane_task_error(lane: &str, duration: i64, error: &str) -> LogRecord {
    LogRecord::meta(
        Level::Error,
        DIAG,
        J::obj().with("errorName", J::s("FailoverError")),
        format!("lane task error: lane={lane} durationMs={duration} error=\"{error}\""),
    )
}

fn fallback_head(
    run_id: &str,
    sid: &str,
    decision: &str,
    requested: &ModelDef,
    cand: &ModelDef,
    attempt: i64,
    total: i64,
) -> J {
    J::obj()
        .with("event", J::s("model_fallback_decision"))
        .with(
            "tags",
            J::Arr(vec![
                J::s("error_handling"),
                J::s("model_fallback"),
                J::s(decision),
            ]),
        )
        .with("runId", J::s(run_id))
        .with("sessionId", J::s(sid))
        .with("decision", J::s(decision))
        .with("requestedProvider", J::s(requested.provider))
        .with("requestedModel", J::s(requested.id))
        .with("candidateProvider", J::s(cand.provider))
        .with("candidateModel", J::s(cand.id))
        .with(
            "candidateRouteOrigin",
            J::s(if attempt == 1 {
                "requested"
            } else {
                "configured-fallback"
            }),
        )
        .with("candidateRouteResolution", J::s("resolved"))
        .with("attempt", J::n(attempt))
        .with("total", J::n(total))
}

/// WARN `model fallback decision`, `decision:"candidate_failed"`; `next` is the next candidate,
/// `None` when the chain is exhausted (`fallbackStepFinalOutcome:"chain_exhausted"`).
#[allow(clippy::too_many_arguments)]
pub fn fallback_failed(
    run_id: &str,
    sid: &str,
    requested: &ModelDef,
    cand: &ModelDef,
    attempt: i64,
    total: i64,
    reason: &str,
    status: i64,
    preview: &str,
    next: Option<&ModelDef>,
) -> LogRecord {
    let mut meta = fallback_head(
        run_id,
        sid,
        "candidate_failed",
        requested,
        cand,
        attempt,
        total,
    )
    .with("reason", J::s(reason))
    .with("status", J::n(status))
    .with("errorPreview", J::s(preview))
    .with("errorHash", J::s(&error_hash(preview)))
    .with("fallbackStepType", J::s("fallback_step"))
    .with("fallbackStepFromModel", J::s(&cand.full()))
    .with(
        "fallbackStepToModel",
        next.map(|n| J::s(&n.full())).unwrap_or_else(J::null),
    )
    .with("fallbackStepFromFailureReason", J::s(reason))
    .with("fallbackStepFromFailureDetail", J::s(preview))
    .with("fallbackStepChainPosition", J::n(attempt))
    .with(
        "fallbackStepFinalOutcome",
        J::s(if next.is_some() {
            "next_fallback"
        } else {
            "chain_exhausted"
        }),
    );
    if let Some(n) = next {
        meta.set("nextCandidateProvider", J::s(n.provider));
        meta.set("nextCandidateModel", J::s(n.id));
        meta.set("nextCandidateRouteOrigin", J::s("configured-fallback"));
        meta.set("nextCandidateRouteResolution", J::s("resolved"));
    }
    meta.set("isPrimary", J::b(attempt == 1));
    meta.set("requestedModelMatched", J::b(attempt == 1));
    meta.set("fallbackConfigured", J::b(true));
    LogRecord::meta(
        Level::Warn,
        Binding::Subsystem("model-fallback/decision"),
        meta,
        "model fallback decision",
    )
}

/// WARN `model fallback decision`, `decision:"candidate_succeeded"` with `previousAttempts`.
pub fn fallback_succeeded(
    run_id: &str,
    sid: &str,
    requested: &ModelDef,
    cand: &ModelDef,
    attempt: i64,
    total: i64,
    failed: &[(&'static ModelDef, i64, &'static str, String)],
) -> LogRecord {
    let (from, from_reason, from_detail) = failed
        .last()
        .map(|(m, _, r, p)| (m.full(), *r, p.clone()))
        .unwrap_or_else(|| (requested.full(), "unknown", String::new()));
    let prev = failed
        .iter()
        .map(|(m, status, reason, preview)| {
            J::obj()
                .with("provider", J::s(m.provider))
                .with("model", J::s(m.id))
                .with("reason", J::s(reason))
                .with("status", J::n(*status))
                .with("errorPreview", J::s(preview))
                .with("errorHash", J::s(&error_hash(preview)))
        })
        .collect();
    let meta = fallback_head(
        run_id,
        sid,
        "candidate_succeeded",
        requested,
        cand,
        attempt,
        total,
    )
    .with("fallbackStepType", J::s("fallback_step"))
    .with("fallbackStepFromModel", J::s(&from))
    .with("fallbackStepToModel", J::s(&cand.full()))
    .with("fallbackStepFromFailureReason", J::s(from_reason))
    .with("fallbackStepFromFailureDetail", J::s(&from_detail))
    .with("fallbackStepChainPosition", J::n(attempt))
    .with("fallbackStepFinalOutcome", J::s("succeeded"))
    .with("isPrimary", J::b(false))
    .with("requestedModelMatched", J::b(false))
    .with("fallbackConfigured", J::b(true))
    .with("previousAttempts", J::Arr(prev));
    LogRecord::meta(
        Level::Warn,
        Binding::Subsystem("model-fallback/decision"),
        meta,
        "model fallback decision",
    )
}

/// WARN on `model-fallback`: `Model "a" not found. Fell back to "b".` (the captured text, used
/// whatever the first failure was).
pub fn fell_back_summary(from: &ModelDef, to: &ModelDef) -> LogRecord {
    LogRecord::text(
        Level::Warn,
        Binding::Subsystem("model-fallback"),
        format!(
            "Model \"{}\" not found. Fell back to \"{}\".",
            from.full(),
            to.full()
        ),
    )
}

/// `All models failed (n): p/m: <preview> (<reason>) | …`.
pub fn all_failed_summary(failed: &[(&'static ModelDef, i64, &'static str, String)]) -> String {
    let parts: Vec<String> = failed
        .iter()
        .map(|(m, _, reason, preview)| format!("{}: {preview} ({reason})", m.full()))
        .collect();
    format!(
        "All models failed ({}): {}",
        failed.len(),
        parts.join(" | ")
    )
}
