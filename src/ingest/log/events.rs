//! Template matching: (subsystem, text, meta) → [`LogEvent`]. Shared by the JSON and the
//! console grammars; the console form carries in `key=value` text what the file carries in
//! the `"1"` meta object. Templates: FORMATS.md §1.3, FORMATS-LEGACY.md §5, OBSERVED.md §3,
//! OBSERVED-LEGACY.md §4. Lanes, recovery, cron, heartbeat and lifecycle are in `events_ops`.
//!
//! Dispatch is on the subsystem first (a string compare), then on a text prefix, so the cost
//! for the vast majority of lines (no template) is a few comparisons.

use std::sync::LazyLock;

use memchr::memmem;

use super::events_ops;
use super::kv::{kv, kv_bool, kv_model, kv_num, kv_rest, kv_until, leading_num, truncate};
use super::meta::{Lenient, MetaFields, num, owned, s};
use crate::fact::{FallbackDecision, LogEvent, ModelRef};

/// The chain-exhausted marker (`FallbackSummaryError` text, `dist/model-fallback-*.mjs`).
pub const ALL_FAILED: &str = "All models failed (";

/// Subsystems whose templates read the `"1"` meta object (plus the cron module logger); the
/// record decoder skips meta objects of every other logger. Keep in sync with [`detect`].
pub const META_SUBSYSTEMS: &[&str] = &[
    "model-fallback/decision",
    "agent/embedded",
    "gateway",
    "gateway/heartbeat",
    "cron",
];

/// Longest error/preview text kept inside an event, in bytes.
pub const MAX_EVENT_TEXT: usize = 1024;

/// What a template matcher sees of one line.
pub struct Input<'a, 'm> {
    /// Full subsystem name (`agent/embedded`, `cron`, `openclaw` for the root logger).
    pub sub: &'a str,
    /// The record text (not truncated).
    pub text: &'a str,
    /// The `"1"` meta object (JSON shape only).
    pub meta: Option<&'a MetaFields<'m>>,
    /// Top-level `session_id` (JSON 2026.5+ only).
    pub session: Option<&'a str>,
}

/// The typed event of a line, if it is one lanetop understands.
pub fn detect(i: &Input) -> Option<LogEvent> {
    match i.sub {
        "model-fallback/decision" => fallback(i),
        "model-fallback" => summary(i.text),
        "agent/embedded" => embedded(i),
        "diagnostic" => events_ops::diagnostic(i),
        "gateway/ws" => None,
        _ => events_ops::other(i)
            .or_else(|| run_ended(i))
            .or_else(|| chain_exhausted(i)),
    }
}

fn model(p: &Option<Lenient>, m: &Option<Lenient>) -> Option<ModelRef> {
    match (s(p), s(m)) {
        (Some(p), Some(m)) if !p.is_empty() && !m.is_empty() => Some(ModelRef::new(p, m)),
        _ => None,
    }
}

fn short(v: Option<&str>) -> Option<String> {
    v.filter(|x| !x.is_empty())
        .map(|x| truncate(x, MAX_EVENT_TEXT).to_owned())
}

/// `model-fallback/decision`: the decision record (meta) or its console rendering, and the
/// chain-stop record. Exactly the records whose text is `model fallback decision` count as
/// fallback decisions (one per line).
fn fallback(i: &Input) -> Option<LogEvent> {
    let t = i.text;
    if t == "model fallback decision" {
        let m = i.meta;
        let d = match m {
            Some(m) => FallbackDecision {
                run_id: owned(&m.run_id),
                session_id: owned(&m.session_id).or_else(|| i.session.map(str::to_owned)),
                lane: owned(&m.lane),
                decision: s(&m.decision).unwrap_or_default().to_owned(),
                requested: model(&m.requested_provider, &m.requested_model),
                candidate: model(&m.candidate_provider, &m.candidate_model),
                next: model(&m.next_candidate_provider, &m.next_candidate_model),
                reason: owned(&m.reason),
                status: num(&m.status).and_then(|v| u16::try_from(v).ok()),
                attempt: num(&m.attempt).and_then(|v| u32::try_from(v).ok()),
                total: num(&m.total).and_then(|v| u32::try_from(v).ok()),
                final_outcome: owned(&m.fallback_step_final_outcome),
                error_preview: short(s(&m.error_preview)),
                suppressed_duplicates: num(&m.suppressed_duplicate_count)
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0),
            },
            None => FallbackDecision {
                session_id: i.session.map(str::to_owned),
                ..Default::default()
            },
        };
        return Some(LogEvent::FallbackDecision(Box::new(d)));
    }
    if let Some(rest) = t.strip_prefix("model fallback decision: ") {
        return Some(LogEvent::FallbackDecision(Box::new(console_decision(
            rest, i.session,
        ))));
    }
    if t == "model fallback chain stopped" || t.starts_with("model fallback chain stopped:") {
        let (session_id, lane, reason, candidate) = match i.meta {
            Some(m) => (
                owned(&m.session_id),
                owned(&m.lane),
                owned(&m.reason),
                model(&m.candidate_provider, &m.candidate_model),
            ),
            None => (
                None,
                None,
                kv(t, "reason").map(str::to_owned),
                kv_model(t, "candidate"),
            ),
        };
        let session_id = session_id.or_else(|| i.session.map(str::to_owned));
        return Some(LogEvent::FallbackChainStopped {
            session_id,
            lane,
            reason: reason.unwrap_or_default(),
            candidate,
        });
    }
    None
}

/// Console: `decision=… requested=p/m candidate=p/m reason=…[ providerErrorType=…] next=p/m|none[ detail=…][ (N duplicates suppressed in last Ns)]`.
/// `reason=unknown` on a `candidate_succeeded` record is the console's placeholder for "no
/// reason" (`reason ?? "unknown"`) and becomes `None`, as in the file record.
fn console_decision(t: &str, session: Option<&str>) -> FallbackDecision {
    let decision = kv(t, "decision").unwrap_or_default().to_owned();
    let mut reason = kv(t, "reason").map(str::to_owned);
    if decision == "candidate_succeeded" && reason.as_deref() == Some("unknown") {
        reason = None;
    }
    let dup = |d: &str| {
        d.rfind(" (")
            .filter(|&p| d[p..].contains(" duplicates suppressed"))
    };
    let (detail, suppressed) = match kv_rest(t, "detail") {
        Some(d) => match dup(d) {
            Some(p) => (Some(&d[..p]), leading_num(&d[p + 2..])),
            None => (Some(d), None),
        },
        None => (None, dup(t).and_then(|p| leading_num(&t[p + 2..]))),
    };
    FallbackDecision {
        session_id: session.map(str::to_owned),
        decision,
        requested: kv_model(t, "requested"),
        candidate: kv_model(t, "candidate"),
        next: kv_model(t, "next"),
        reason,
        error_preview: short(detail),
        suppressed_duplicates: suppressed.unwrap_or(0),
        ..Default::default()
    }
}

/// `Model "a/b" not found. Fell back to "c/d".`
fn summary(t: &str) -> Option<LogEvent> {
    let rest = t.strip_prefix("Model \"")?;
    let (from, rest) = rest.split_once('"')?;
    let to = rest.split_once("Fell back to \"")?.1.split('"').next()?;
    Some(LogEvent::FallbackSummary {
        from: ModelRef::parse(from)?,
        to: ModelRef::parse(to)?,
    })
}

/// `agent/embedded` templates.
fn embedded(i: &Input) -> Option<LogEvent> {
    let t = i.text;
    let b = t.as_bytes();
    match b.first()? {
        b'e' if t.starts_with("embedded run ") => embedded_run(i, &t["embedded run ".len()..]),
        b't' if t.starts_with("transient ") => retries(t),
        b'r' if t.starts_with("rate-limit retry floor ") => {
            // `rate-limit retry floor 3600000ms exceeds retry.provider.maxRetryDelayMs=60000 for p/m; failing over`
            let rest = &t["rate-limit retry floor ".len()..];
            let floor_ms = leading_num(rest)?;
            let max_ms = kv_num(rest, "retry.provider.maxRetryDelayMs")?;
            let m = rest.split_once(" for ")?.1;
            let m = m.split([';', ' ']).next()?;
            Some(LogEvent::RateLimitRetryFloor {
                model: ModelRef::parse(m)?,
                floor_ms,
                max_ms,
            })
        }
        b'l' if t.starts_with("live session model switch ") => {
            // `live session model switch <how> for <sessionId>: p/m -> p/m`
            let rest = t.split_once(" for ")?.1;
            let (sid, models) = rest.split_once(": ")?;
            let (from, to) = models.split_once(" -> ")?;
            Some(LogEvent::ModelSwitch {
                session_id: sid.to_owned(),
                from: ModelRef::parse(from)?,
                to: ModelRef::parse(to.trim())?,
            })
        }
        b'a' if t.starts_with("auth profile failure state updated") => Some(match i.meta {
            Some(m) => LogEvent::AuthCooldown {
                provider: owned(&m.provider),
                reason: owned(&m.reason),
            },
            None => LogEvent::AuthCooldown {
                provider: kv(t, "provider").map(str::to_owned),
                reason: kv(t, "reason").map(str::to_owned),
            },
        }),
        _ => None,
    }
}

fn embedded_run(i: &Input, rest: &str) -> Option<LogEvent> {
    let t = i.text;
    let id = |k| kv(t, k).map(str::to_owned);
    if rest.starts_with("start: ") {
        let model = match (kv(t, "provider"), kv(t, "model")) {
            (Some(p), Some(m)) => Some(ModelRef::new(p, m)),
            _ => None,
        };
        return Some(LogEvent::RunStarted {
            run_id: id("runId")?,
            session_id: id("sessionId")?,
            model,
            channel: id("messageChannel"),
        });
    }
    if rest.starts_with("done: ") {
        return Some(LogEvent::RunDone {
            run_id: id("runId")?,
            session_id: id("sessionId")?,
            duration_ms: kv_num(t, "durationMs")?,
            aborted: kv_bool(t, "aborted").unwrap_or(false),
        });
    }
    if rest.starts_with("timeout: ") || rest.starts_with("timeout after compaction grace: ") {
        return Some(LogEvent::RunTimedOut {
            run_id: id("runId")?,
            session_id: id("sessionId")?,
            timeout_ms: kv_num(t, "timeoutMs")?,
        });
    }
    if rest.starts_with("failover decision") {
        return Some(match i.meta {
            Some(m) => LogEvent::FailoverDecision {
                run_id: owned(&m.run_id),
                decision: s(&m.decision).unwrap_or_default().to_owned(),
                reason: owned(&m.failover_reason).or_else(|| owned(&m.reason)),
                model: model(&m.provider, &m.model),
                status: num(&m.status).and_then(|v| u16::try_from(v).ok()),
            },
            // Console: `runId=… stage=… decision=… reason=… … from=p/m profile=… rawError=429 …`.
            None => LogEvent::FailoverDecision {
                run_id: id("runId"),
                decision: kv(t, "decision").unwrap_or_default().to_owned(),
                reason: id("reason"),
                model: kv_model(t, "from"),
                status: kv(t, "rawError")
                    .and_then(leading_num)
                    .filter(|s: &u16| (100..600).contains(s)),
            },
        });
    }
    if rest.starts_with("agent end") {
        return Some(match i.meta {
            Some(m) => LogEvent::AgentEnd {
                run_id: owned(&m.run_id),
                is_error: m
                    .is_error
                    .as_ref()
                    .and_then(Lenient::as_bool)
                    .unwrap_or(false),
                model: model(&m.provider, &m.model),
                error: short(s(&m.error)),
            },
            // DEBUG text `runId=… isError=false`; console `… isError=true model=m provider=p error=… rawError=…`.
            None => LogEvent::AgentEnd {
                run_id: id("runId"),
                is_error: kv_bool(t, "isError").unwrap_or(false),
                model: match (kv(t, "provider"), kv(t, "model")) {
                    (Some(p), Some(m)) => Some(ModelRef::new(p, m)),
                    _ => None,
                },
                error: short(kv_until(t, "error", "rawError")),
            },
        });
    }
    None
}

/// `transient same-model retry 3/8 for p/m reason=server_error: delayMs=5898` and
/// `transient retry window elapsed for p/m after 6/8 retries; stopping same-model retries`.
fn retries(t: &str) -> Option<LogEvent> {
    if let Some(rest) = t.strip_prefix("transient same-model retry ") {
        let (frac, rest) = rest.split_once(" for ")?;
        let (attempt, max) = frac.split_once('/')?;
        let m = rest.split(' ').next()?;
        let reason = kv(rest, "reason")?.trim_end_matches(':');
        return Some(LogEvent::SameModelRetry {
            model: ModelRef::parse(m)?,
            attempt: attempt.parse().ok()?,
            max: max.parse().ok()?,
            reason: reason.to_owned(),
            delay_ms: kv_num(rest, "delayMs"),
        });
    }
    if let Some(rest) = t.strip_prefix("transient retry window elapsed for ") {
        let (m, rest) = rest.split_once(" after ")?;
        let frac = rest.split(' ').next()?;
        let (retries, max) = frac.split_once('/')?;
        return Some(LogEvent::RetryWindowElapsed {
            model: ModelRef::parse(m)?,
            retries: retries.parse().ok()?,
            max: max.parse().ok()?,
        });
    }
    None
}

/// `[agent] run <runId> ended with stopReason=<reason>` (`agents/agent-command`, or the root
/// logger of a CLI embedded run; console root lines show it as `[agent] run …`).
fn run_ended(i: &Input) -> Option<LogEvent> {
    let rest = match i.text.strip_prefix("[agent] run ") {
        Some(r) => r,
        None if i.sub == "agent" => i.text.strip_prefix("run ")?,
        None => return None,
    };
    let (run_id, rest) = rest.split_once(" ended with ")?;
    Some(LogEvent::RunEnded {
        run_id: run_id.to_owned(),
        stop_reason: kv(rest, "stopReason")?.to_owned(),
    })
}

/// `All models failed (N): …` — the fallback chain ran out. Counted once per line, on:
/// the root-logger / CLI error text (`All models failed (3): …`,
/// `Embedded agent failed before reply: All models failed (3): …`) and any other non-lane line
/// whose text carries it. Not counted: `diagnostic` `lane task error` lines (they repeat the
/// same failure once per lane and stay [`LogEvent::LaneTaskError`]), and `gateway/ws`
/// `⇄ res ✗ … errorMessage=All models failed…` (the RPC echo of the same failure). The cron
/// `job run returned error status` record is handled in `events_ops::cron` (meta `error`).
pub fn chain_exhausted(i: &Input) -> Option<LogEvent> {
    static FINDER: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(ALL_FAILED));
    let p = FINDER.find(i.text.as_bytes())?;
    let attempts = leading_num(i.text.get(p + ALL_FAILED.len()..)?)?;
    let session_key = i.session.filter(|s| s.contains(':')).map(str::to_owned);
    Some(LogEvent::ChainExhausted {
        attempts,
        session_key,
        job_id: None,
    })
}
