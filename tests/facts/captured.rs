//! Small converters from the REAL captured artifacts to facts, for reducer tests over real
//! data. Deliberately minimal (only what the assertions need): they are not the real parsers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use lanetop::fact::*;
use regex::Regex;
use serde_json::Value;

/// `../shared/openclaw/<rel>` (or under `LANETOP_SHARED`).
pub fn openclaw(rel: &str) -> PathBuf {
    std::env::var_os("LANETOP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("openclaw")
        .join(rel)
}

fn kv<'a>(re: &Regex, text: &'a str) -> Option<regex::Captures<'a>> {
    re.captures(text)
}

fn model_of(meta: &Value, p: &str, m: &str) -> Option<ModelRef> {
    Some(ModelRef::new(
        meta.get(p)?.as_str()?,
        meta.get(m)?.as_str()?,
    ))
}

fn convert(line_no: u64, line: &str, path: &Arc<str>, res: &[Regex]) -> Option<Fact> {
    let v: Value = serde_json::from_str(line).ok()?;
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339(v.get("time")?.as_str()?)
        .ok()?
        .with_timezone(&Utc);
    let level = match v["_meta"]["logLevelName"].as_str().unwrap_or("INFO") {
        "DEBUG" => Level::Debug,
        "WARN" => Level::Warn,
        "ERROR" => Level::Error,
        "FATAL" => Level::Fatal,
        "TRACE" => Level::Trace,
        _ => Level::Info,
    };
    let subsystem = v["0"]
        .as_str()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|b| b["subsystem"].as_str().map(str::to_string))
        .unwrap_or_else(|| "openclaw".into());
    let msg = v["message"].as_str().unwrap_or("").to_string();
    let meta = &v["1"];
    let u = |c: &regex::Captures, i: usize| {
        c.get(i)
            .and_then(|m| m.as_str().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let event = if msg == "model fallback decision" {
        Some(LogEvent::FallbackDecision(Box::new(FallbackDecision {
            run_id: meta["runId"].as_str().map(Into::into),
            session_id: meta["sessionId"].as_str().map(Into::into),
            decision: meta["decision"].as_str().unwrap_or("").into(),
            candidate: model_of(meta, "candidateProvider", "candidateModel"),
            next: model_of(meta, "nextCandidateProvider", "nextCandidateModel"),
            reason: meta["reason"].as_str().map(Into::into),
            status: meta["status"].as_u64().map(|s| s as u16),
            attempt: meta["attempt"].as_u64().map(|s| s as u32),
            total: meta["total"].as_u64().map(|s| s as u32),
            final_outcome: meta["fallbackStepFinalOutcome"].as_str().map(Into::into),
            ..FallbackDecision::default()
        })))
    } else if let Some(c) = kv(&res[0], &msg) {
        Some(LogEvent::LaneWaitExceeded {
            lane: c[1].into(),
            waited_ms: u(&c, 2),
            queue_ahead: u(&c, 3) as u32,
            active_ahead: Some(u(&c, 4) as u32),
            active_now: Some(u(&c, 5) as u32),
            queue_behind: Some(u(&c, 6) as u32),
        })
    } else if let Some(c) = kv(&res[1], &msg) {
        Some(LogEvent::LaneEnqueued {
            lane: c[1].into(),
            queue_size: u(&c, 2) as u32,
        })
    } else if let Some(c) = kv(&res[2], &msg) {
        Some(LogEvent::LaneDequeued {
            lane: c[1].into(),
            wait_ms: u(&c, 2),
            queue_size: u(&c, 3) as u32,
        })
    } else if let Some(c) = kv(&res[3], &msg) {
        Some(LogEvent::LaneTaskDone {
            lane: c[1].into(),
            duration_ms: u(&c, 2),
            active: u(&c, 3) as u32,
            queued: u(&c, 4) as u32,
        })
    } else if let Some(c) = kv(&res[4], &msg) {
        Some(LogEvent::LaneTaskError {
            lane: c[1].into(),
            duration_ms: u(&c, 2),
            error: String::new(),
        })
    } else if let Some(c) = kv(&res[5], &msg) {
        Some(LogEvent::RunStarted {
            run_id: c[1].into(),
            session_id: c[2].into(),
            model: Some(ModelRef::new(&c[3], &c[4])),
            channel: None,
        })
    } else if let Some(c) = kv(&res[6], &msg) {
        Some(LogEvent::RunDone {
            run_id: c[1].into(),
            session_id: c[2].into(),
            duration_ms: u(&c, 3),
            aborted: &c[4] == "true",
        })
    } else if let Some(c) = kv(&res[7], &msg) {
        Some(LogEvent::RunEnded {
            run_id: c[1].into(),
            stop_reason: c[2].into(),
        })
    } else if msg.starts_with("transient same-model retry") {
        Some(LogEvent::SameModelRetry {
            model: ModelRef::default(),
            attempt: 0,
            max: 8,
            reason: String::new(),
            delay_ms: None,
        })
    } else if msg.contains("All models failed (") {
        Some(LogEvent::ChainExhausted {
            attempts: 3,
            session_key: None,
            job_id: None,
        })
    } else if msg == "loading configuration…" {
        Some(LogEvent::Gateway(GatewayEvent::Starting))
    } else if msg == "gateway ready" {
        Some(LogEvent::Gateway(GatewayEvent::Ready))
    } else if msg == "signal SIGTERM received" {
        Some(LogEvent::Gateway(GatewayEvent::Signal {
            signal: "SIGTERM".into(),
        }))
    } else {
        None
    };
    Some(Fact {
        at,
        origin: Origin::line(SourceKind::Log, path.clone(), line_no),
        kind: FactKind::Log(Box::new(LogFact {
            level,
            subsystem,
            message: msg,
            session: v["session_id"].as_str().map(Into::into),
            agent_id: v["agent_id"].as_str().map(Into::into),
            hostname: None,
            event,
        })),
    })
}

/// Every line of `captured/logs/openclaw.log` as a fact (typed where this converter knows the
/// event).
pub fn log_facts() -> Vec<Fact> {
    let path = openclaw("captured/logs/openclaw.log");
    let text = std::fs::read_to_string(&path).expect("captured log");
    let p: Arc<str> = Arc::from(path.display().to_string());
    let res: Vec<Regex> = [
        r"^lane wait exceeded: lane=(\S+) waitedMs=(\d+) queueAhead=(\d+) activeAhead=(\d+) activeNow=(\d+) queueBehind=(\d+)",
        r"^lane enqueue: lane=(\S+) queueSize=(\d+)",
        r"^lane dequeue: lane=(\S+) waitMs=(\d+) queueSize=(\d+)",
        r"^lane task done: lane=(\S+) durationMs=(\d+) active=(\d+) queued=(\d+)",
        r"^lane task error: lane=(\S+) durationMs=(\d+)",
        r"^embedded run start: runId=(\S+) sessionId=(\S+) provider=(\S+) model=(\S+)",
        r"^embedded run done: runId=(\S+) sessionId=(\S+) durationMs=(\d+) aborted=(\w+)",
        r"^\[agent\] run (\S+) ended with stopReason=(\w+)",
    ]
    .iter()
    .map(|r| Regex::new(r).expect("regex"))
    .collect();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| convert(i as u64 + 1, l, &p, &res))
        .collect()
}

fn ms_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Per agent of `captured/state/agents/<id>`: one `SessionsSnapshot` (`session_nodes`), then
/// `UserTurn` / `Usage` facts from `transcript_events` (keys from `session_windows`).
pub fn store_facts() -> Vec<Fact> {
    let mut out = Vec::new();
    for agent in ["main", "ops", "research"] {
        let path = openclaw(&format!(
            "captured/state/agents/{agent}/agent/openclaw-agent.sqlite"
        ));
        let p: Arc<str> = Arc::from(path.display().to_string());
        let db = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("captured agent db");
        let mut rows = Vec::new();
        let mut newest = 0i64;
        let mut st = db
            .prepare("select session_key, current_session_id, status, created_via, label, updated_at, last_interaction_at, last_activity_at, parent_session_key from session_nodes")
            .expect("session_nodes");
        let it = st
            .query_map([], |r| {
                Ok(SessionRow {
                    agent_id: agent.into(),
                    key: r.get(0)?,
                    session_id: r.get(1)?,
                    status: r.get(2)?,
                    created_via: r.get(3)?,
                    label: r.get(4)?,
                    updated_at_ms: r.get(5)?,
                    last_interaction_at_ms: r.get(6)?,
                    last_activity_at_ms: r.get(7)?,
                    parent_session_key: r.get(8)?,
                    ..SessionRow::default()
                })
            })
            .expect("rows");
        for row in it.flatten() {
            newest = newest.max(row.updated_at_ms.unwrap_or(0));
            rows.push(row);
        }
        out.push(Fact {
            at: ms_time(newest),
            origin: Origin::new(SourceKind::AgentDb, p.clone()),
            kind: FactKind::SessionsSnapshot {
                agent_id: agent.into(),
                rows,
            },
        });
        let keys: std::collections::HashMap<String, String> = db
            .prepare("select session_id, session_key from session_windows")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("session_windows");
        let mut st = db
            .prepare("select session_id, seq, created_at, event_json from transcript_events order by created_at, seq")
            .expect("transcript_events");
        let events: Vec<(String, i64, i64, Option<String>)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("events")
            .flatten()
            .collect();
        for (sid, seq, created, json) in events {
            let Some(e) = json.and_then(|j| serde_json::from_str::<Value>(&j).ok()) else {
                continue;
            };
            let msg = &e["message"];
            if e["type"] != "message" {
                continue;
            }
            let origin = Origin::row(
                SourceKind::AgentDb,
                p.clone(),
                "transcript_events",
                &format!("{sid}:{seq}"),
            );
            let key = keys.get(&sid).cloned();
            let kind = match msg["role"].as_str() {
                Some("user") => FactKind::UserTurn {
                    agent_id: agent.into(),
                    session_id: sid.clone(),
                    session_key: key,
                    heartbeat: msg["content"]
                        .to_string()
                        .contains("[OpenClaw heartbeat poll]"),
                },
                Some("assistant") if msg["usage"].is_object() => {
                    let u = &msg["usage"];
                    let n = |k: &str| u[k].as_u64().unwrap_or(0);
                    FactKind::Usage(UsageRecord {
                        agent_id: agent.into(),
                        session_id: sid.clone(),
                        session_key: key,
                        run_id: None,
                        model: ModelRef::new(
                            msg["provider"].as_str().unwrap_or("?"),
                            msg["model"].as_str().unwrap_or("?"),
                        ),
                        input: n("input"),
                        output: n("output"),
                        cache_read: n("cacheRead"),
                        cache_write: n("cacheWrite"),
                        total_tokens: n("totalTokens"),
                        cost_usd: u["cost"]["total"].as_f64(),
                        stop_reason: msg["stopReason"].as_str().map(Into::into),
                        error: msg["errorMessage"].as_str().map(Into::into),
                    })
                }
                _ => continue,
            };
            out.push(Fact {
                at: ms_time(created),
                origin,
                kind,
            });
        }
    }
    out
}
