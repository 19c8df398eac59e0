//! `CronJob` JSON (SQLite `cron_jobs.job_json` + `state_json`, legacy `cron/jobs.json` +
//! `jobs-state.json` or inline `state`) → [`CronJobRow`]. FORMATS.md §3, FORMATS-LEGACY.md §4.1.

use serde_json::Value;

use crate::fact::{CronJobRow, Schedule};
use crate::ingest::sqlite::util::{bool_at, i64_at, str_at, u64_at};

/// Build a row from a job object and its runtime state.
///
/// `state` is the separate state object (SQLite `state_json`, 5.20 `jobs-state.json`
/// `jobs[id].state`); when it is absent or empty the job's inline `state` (3.x) is used.
/// Returns `None` when the job has no string `id`.
pub(crate) fn job_row(job: &Value, state: Option<&Value>) -> Option<CronJobRow> {
    let id = str_at(job, "id")?;
    let inline = job.get("state");
    let state = match state {
        Some(s) if s.as_object().is_some_and(|o| !o.is_empty()) => s,
        _ => inline.unwrap_or(&Value::Null),
    };
    let payload = job.get("payload").unwrap_or(&Value::Null);
    let status = str_at(state, "lastRunStatus").or_else(|| str_at(state, "lastStatus"));
    Some(CronJobRow {
        name: str_at(job, "name")
            .or_else(|| str_at(job, "displayName"))
            .unwrap_or_else(|| id.clone()),
        id,
        agent_id: str_at(job, "agentId"),
        enabled: bool_at(job, "enabled").unwrap_or(true),
        schedule: schedule(job.get("schedule").unwrap_or(&Value::Null)),
        session_target: str_at(job, "sessionTarget"),
        session_key: str_at(job, "sessionKey"),
        payload_kind: str_at(payload, "kind").unwrap_or_default(),
        model: str_at(payload, "model"),
        declaration_key: str_at(job, "declarationKey"),
        next_run_at_ms: i64_at(state, "nextRunAtMs"),
        last_run_at_ms: i64_at(state, "lastRunAtMs"),
        last_run_status: status,
        last_duration_ms: u64_at(state, "lastDurationMs"),
        last_error: str_at(state, "lastError"),
        consecutive_errors: u64_at(state, "consecutiveErrors")
            .map(|n| n.min(u64::from(u32::MAX)) as u32),
        running_at_ms: i64_at(state, "runningAtMs"),
    })
}

/// `{kind:"every",everyMs}` | `{kind:"cron",expr,tz?}` | `{kind:"at",at}` | other kinds by name.
pub(crate) fn schedule(s: &Value) -> Schedule {
    let kind = str_at(s, "kind").unwrap_or_default();
    match kind.as_str() {
        "every" => match u64_at(s, "everyMs") {
            Some(every_ms) => Schedule::Every { every_ms },
            None => Schedule::Other { name: kind },
        },
        "cron" => match str_at(s, "expr") {
            Some(expr) => Schedule::Cron {
                expr,
                tz: str_at(s, "tz"),
            },
            None => Schedule::Other { name: kind },
        },
        "at" => match s.get("at") {
            Some(Value::String(at)) => Schedule::At { at: at.clone() },
            Some(Value::Number(n)) => Schedule::At { at: n.to_string() },
            _ => Schedule::Other { name: kind },
        },
        _ => Schedule::Other { name: kind },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn separate_state_wins_over_empty_inline() {
        let job = json!({"id":"j","name":"n","enabled":false,"schedule":{"kind":"cron","expr":"* * * * *","tz":"UTC"},
            "payload":{"kind":"agentTurn","model":"p/m"},"state":{}});
        let st = json!({"lastStatus":"error","consecutiveErrors":3,"lastError":"boom"});
        let r = job_row(&job, Some(&st)).unwrap();
        assert!(!r.enabled);
        assert_eq!(
            r.schedule,
            Schedule::Cron {
                expr: "* * * * *".into(),
                tz: Some("UTC".into())
            }
        );
        assert_eq!(r.last_run_status.as_deref(), Some("error"));
        assert_eq!(r.consecutive_errors, Some(3));
        assert_eq!(r.model.as_deref(), Some("p/m"));
    }

    #[test]
    fn inline_state_and_missing_id() {
        let job = json!({"id":"j","schedule":{"kind":"on-exit"},"state":{"runningAtMs":7}});
        let r = job_row(&job, None).unwrap();
        assert_eq!(r.running_at_ms, Some(7));
        assert_eq!(
            r.schedule,
            Schedule::Other {
                name: "on-exit".into()
            }
        );
        assert!(job_row(&json!({"name":"x"}), None).is_none());
    }
}
