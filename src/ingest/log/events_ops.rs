//! Template matching for lanes (`diagnostic`), stuck sessions, restart recovery, cron,
//! heartbeat and gateway lifecycle. See `events.rs` for the entry point.

use super::events::{ALL_FAILED, Input, MAX_EVENT_TEXT, chain_exhausted};
use super::kv::{kv, kv_num, kv_quoted, leading_num, truncate};
use super::meta::{num, owned, s};
use crate::fact::{GatewayEvent, LogEvent, ModelRef, RestartRecovery};

const TAKEOVER: &str = "EmbeddedAttemptSessionTakeoverError";

/// `diagnostic` subsystem: lane lines and stuck-session lines.
pub fn diagnostic(i: &Input) -> Option<LogEvent> {
    let t = i.text;
    if let Some(rest) = t.strip_prefix("lane ") {
        return lane(t, rest);
    }
    if t.starts_with("stuck session recovery: ") || t.starts_with("stuck session: ") {
        // 5.20+: `stuck session recovery: sessionId=… sessionKey=… age=612s action=… aborted=… drained=… released=N`
        // 3.x:   `stuck session: sessionId=… sessionKey=… state=processing age=131s queueDepth=2`
        return Some(LogEvent::StuckSession {
            session_id: kv(t, "sessionId").map(str::to_owned),
            session_key: kv(t, "sessionKey").map(str::to_owned),
            age_s: kv_num(t, "age").unwrap_or(0),
            action: kv(t, "action").map(str::to_owned),
            released: kv_num(t, "released"),
        });
    }
    None
}

fn lane(t: &str, rest: &str) -> Option<LogEvent> {
    let name = || kv(t, "lane").map(str::to_owned);
    if rest.starts_with("enqueue: ") {
        return Some(LogEvent::LaneEnqueued {
            lane: name()?,
            queue_size: kv_num(t, "queueSize")?,
        });
    }
    if rest.starts_with("dequeue: ") {
        return Some(LogEvent::LaneDequeued {
            lane: name()?,
            wait_ms: kv_num(t, "waitMs")?,
            queue_size: kv_num(t, "queueSize")?,
        });
    }
    if rest.starts_with("wait exceeded: ") {
        return Some(LogEvent::LaneWaitExceeded {
            lane: name()?,
            waited_ms: kv_num(t, "waitedMs")?,
            queue_ahead: kv_num(t, "queueAhead")?,
            active_ahead: kv_num(t, "activeAhead"),
            active_now: kv_num(t, "activeNow"),
            queue_behind: kv_num(t, "queueBehind"),
        });
    }
    if rest.starts_with("task done: ") {
        return Some(LogEvent::LaneTaskDone {
            lane: name()?,
            duration_ms: kv_num(t, "durationMs")?,
            active: kv_num(t, "active")?,
            queued: kv_num(t, "queued")?,
        });
    }
    if rest.starts_with("task error: ") {
        let error = kv_quoted(t, "error").unwrap_or_default();
        if let Some(p) = error.find(TAKEOVER) {
            // `…: session file changed while embedded prompt lock was released: <path>`
            let path = error[p..]
                .rsplit_once("released: ")
                .map(|(_, p)| p.trim().to_owned());
            return Some(LogEvent::SessionTakeover { lane: name(), path });
        }
        return Some(LogEvent::LaneTaskError {
            lane: name()?,
            duration_ms: kv_num(t, "durationMs").unwrap_or(0),
            error: truncate(error, MAX_EVENT_TEXT).to_owned(),
        });
    }
    None
}

/// Every subsystem other than `model-fallback*`, `agent/embedded`, `diagnostic`, `gateway/ws`.
pub fn other(i: &Input) -> Option<LogEvent> {
    match i.sub {
        "gateway" => gateway(i),
        "cron" => cron(i),
        "gateway/heartbeat" => {
            let t = i.text;
            let what = t
                .strip_prefix("heartbeat: ")
                .or_else(|| t.strip_prefix("heartbeat "))
                .unwrap_or(t);
            Some(LogEvent::Heartbeat {
                what: what.to_owned(),
                interval_ms: i.meta.and_then(|m| num(&m.interval_ms)),
            })
        }
        "main-session-restart-recovery" | "subagent-orphan-recovery" => recovery(i.text),
        "gateway/shutdown" if i.text.ends_with("started: gateway restarting") => {
            Some(LogEvent::Gateway(GatewayEvent::Restarting))
        }
        "gateway/shutdown" if i.text.starts_with("shutdown completed cleanly") => {
            Some(LogEvent::Gateway(GatewayEvent::Stopped))
        }
        _ => None,
    }
}

fn recovery(t: &str) -> Option<LogEvent> {
    let rr = |r| Some(LogEvent::RestartRecovery(r));
    if let Some(rest) = t.strip_prefix("marked ") {
        // `marked N startup-orphaned|interrupted main session(s) for restart recovery[ (…)]`,
        // `marked N interrupted main session(s) from stale transcript locks`
        return rr(RestartRecovery::Marked {
            count: leading_num(rest)?,
        });
    }
    for (prefix, lane) in [
        ("started interrupted main session: ", "main"),
        ("resumed interrupted main session: ", "main"),
        ("resumed orphaned session: ", "subagent"),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            let key = rest.split(' ').next().unwrap_or(rest);
            return rr(RestartRecovery::Resumed {
                session_key: key.to_owned(),
                lane: lane.to_owned(),
            });
        }
    }
    if t.contains("recovery startup complete: ") || t.contains("recovery complete: ") {
        // 9.6: `started= settled= failed= skipped=`; 5.20 / orphan recovery: `recovered= failed= skipped=`.
        let started = kv_num(t, "started")
            .or_else(|| kv_num(t, "recovered"))
            .unwrap_or(0);
        return rr(RestartRecovery::Complete {
            started,
            failed: kv_num(t, "failed").unwrap_or(0),
            skipped: kv_num(t, "skipped").unwrap_or(0),
        });
    }
    if t.contains("restart recovery terminal: ") {
        return rr(RestartRecovery::Terminal {
            session_key: kv(t, "session")?.to_owned(),
            status: kv(t, "status")?.to_owned(),
        });
    }
    None
}

/// Cron module lines (`{"module":"cron"}`: `cron: started`, `cron: job run returned error
/// status` …) and `gateway` `cron: job added|updated|removed|created`. A `job run returned
/// error status` whose meta `error` holds `All models failed (N)` is a chain exhaustion
/// ([`LogEvent::ChainExhausted`] with the job id) instead.
fn cron(i: &Input) -> Option<LogEvent> {
    let what = i.text.strip_prefix("cron: ")?;
    let m = i.meta;
    let error = m.and_then(|m| s(&m.error));
    let job_id = m.and_then(|m| owned(&m.job_id));
    if let Some(e) = error
        && let Some(p) = e.find(ALL_FAILED)
    {
        let attempts = e
            .get(p + ALL_FAILED.len()..)
            .and_then(leading_num)
            .unwrap_or(0);
        return Some(LogEvent::ChainExhausted {
            attempts,
            session_key: None,
            job_id,
        });
    }
    Some(LogEvent::Cron {
        what: what.to_owned(),
        job_id,
        job_name: m.and_then(|m| owned(&m.job_name)),
        error: error.map(|e| truncate(e, MAX_EVENT_TEXT).to_owned()),
    })
}

/// `gateway` subsystem: lifecycle and gateway-RPC cron lines. Console shows `gateway ready` as
/// `[gateway] ready`.
fn gateway(i: &Input) -> Option<LogEvent> {
    let t = i.text;
    let g = |e| Some(LogEvent::Gateway(e));
    match t {
        "loading configuration…" | "loading configuration..." => {
            return g(GatewayEvent::Starting);
        }
        "gateway ready" | "ready" => return g(GatewayEvent::Ready),
        "gateway restarting" => return g(GatewayEvent::Restarting),
        _ => {}
    }
    if t.starts_with("cron: job ") {
        return cron(i);
    }
    if t.starts_with("listening on ") {
        return g(GatewayEvent::Ready);
    }
    if let Some(rest) = t.strip_prefix("signal ")
        && let Some(sig) = rest.strip_suffix(" received")
    {
        return g(GatewayEvent::Signal {
            signal: sig.to_owned(),
        });
    }
    if let Some(rest) = t.strip_prefix("received ") {
        if rest.ends_with("; restarting") {
            return g(GatewayEvent::Restarting);
        }
        if rest.ends_with("; shutting down") {
            return g(GatewayEvent::ShuttingDown);
        }
    }
    if t.starts_with("restart mode: ") {
        return g(GatewayEvent::Restarting);
    }
    if let Some(rest) = t.strip_prefix("agent model: ") {
        let m = rest.split(' ').next()?;
        return g(GatewayEvent::AgentModel {
            model: ModelRef::parse(m)?,
        });
    }
    chain_exhausted(i)
}
