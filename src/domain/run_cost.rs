//! What one cron run cost (USD), for `cron.jobs[].last_run_cost_usd` and the overnight
//! per-run samples ([`crate::domain::overnight::run_costs`]).
//!
//! A run's cost is resolved, first match wins:
//!
//! 1. `running`: unknown; `skipped`: 0 (the gateway did not call a model).
//! 2. **Its own session, by id.** An isolated run runs in a fresh session whose id the run
//!    names: the `<sessionId>` of `agent:<a>:cron:<job>:run:<sessionId>` (SQLite
//!    `task_runs.child_session_key`, legacy run-log `sessionKey`) or the legacy run-log
//!    `sessionId` ([`run_session_id`]). The store lists that transcript under the job's binding
//!    `agent:<a>:cron:<job>` (2026.9.6 `session_windows.session_key`; legacy `sessions.json`
//!    for the newest run), never under the `…:run:<id>` key, so the key resolves to no session;
//!    the spend is taken from [`crate::domain::Spend::by_session_id`] instead: every priced
//!    usage record of that transcript.
//! 3. **Its own session, by key.** A `…:run:<id>` key that names no session id (legacy
//!    `systemEvent` runs: `…:run:<runAtMs>`, listed in `sessions.json`) is a session of the run
//!    alone: the whole session's spend (by the session id the store lists for the key, else
//!    [`crate::domain::Spend::by_session`]). Its turn may come seconds after the run log's `ts`
//!    (the wake answers the event later), so no time window.
//! 4. **A shared session.** A heartbeat job's run names no session (2026.9.6: empty
//!    `child_session_key`); it answers in the job's session ([`heartbeat_session`], the agent's
//!    main session). Its cost is the answer to the heartbeat poll it wrote there
//!    ([`heartbeat_answer`]; the answer credited for the run when there is one, see below, so
//!    it stays known after the poll left the bounded timeline). Another job's run that names a
//!    shared session (a job bound to `agent:<a>:main`, or a session id another kept run of the
//!    job names too) costs that session's priced turns from 1 s before its start to 5 s after
//!    its end.
//!
//! A cost is known when at least one usage record was booked for the run and all of them are
//! priced (unpriced tokens never read as $0).
//!
//! **Heartbeat answers in the job totals.** A heartbeat answer is booked under the session it
//! ran in (`agent:<a>:main`), which no job owns, so `spend.by_cron_job` never saw it and the
//! heartbeat job's `cost_usd` stayed 0. `update::cron` credits each such answer to the job
//! (and only the answer: [`heartbeat_answer`]) when, and only when, this cannot count a turn
//! twice in the job totals:
//! - the poll is the run's own input (`[OpenClaw heartbeat poll]` /
//!   `provenance.sourceTool = "heartbeat"`) inside the run's `[started, finished]`, and the
//!   answer is the assistant turns after it, before the next user turn and not after
//!   `finished`: the session lane runs one turn at a time, so an operator's turn in that
//!   session is a user turn of its own and ends the answer; a bound job's turn there starts
//!   with its own (non-poll) user turn;
//! - each run credits at most its one poll, and the credit is replaced, never added, when the
//!   run is re-read (run id → credited bucket in [`crate::domain::CronJob::credited_runs`]);
//! - the session is owned by no job (`Session::cron_job_id` is `None`): an owned session's
//!   usage is already booked for its owner, so nothing is credited (and what was credited
//!   before it got an owner stays: it was booked for no job then);
//! - only answers whose every usage record is priced are credited.
//!
//! Pure: reads the model only.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::cron::is_heartbeat_job;
use crate::domain::detect::util::{session, session_usd_between};
use crate::domain::keys::parse_key;
use crate::domain::session::TurnKind;
use crate::domain::spend::SpendBucket;
use crate::domain::{CronJob, Model, Session, SessionKind};
use crate::fact::{CronJobRow, CronRunRow};

/// The transcript session id of a run's own session: the run's `session_id` (legacy run-log
/// `sessionId`), else the `<id>` of a `…:run:<id>` session key. For a legacy `systemEvent` run
/// that `<id>` is the run's `runAtMs`, which names no transcript (so it matches no
/// [`crate::domain::Spend::by_session_id`] entry).
pub fn run_session_id(run: &CronRunRow) -> Option<&str> {
    run.session_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            run.session_key
                .as_deref()
                .and_then(|k| k.rsplit_once(":run:"))
                .map(|(_, id)| id)
                .filter(|id| !id.is_empty())
        })
}

/// The session key a heartbeat job's runs answer in when a run names none: the job's
/// `sessionKey`, else its `sessionTarget: "session:<key>"`, else the agent's main session
/// `agent:<agentId>:main` (`sessionTarget: "main"`, OBSERVED.md §3 "Heartbeat"). `None` for a
/// job with no agent.
pub fn heartbeat_session(row: &CronJobRow) -> Option<String> {
    if let Some(k) = row.session_key.as_deref().filter(|k| !k.is_empty()) {
        return Some(k.to_string());
    }
    if let Some(k) = row
        .session_target
        .as_deref()
        .and_then(|t| t.strip_prefix("session:"))
        .filter(|k| !k.is_empty())
    {
        return Some(k.to_string());
    }
    row.agent_id
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(|a| format!("agent:{a}:main"))
}

/// The USD of a spend bucket when it is a known cost: at least one usage record, none of them
/// unpriced.
pub fn known_usd(b: &SpendBucket) -> Option<f64> {
    (b.turns > 0 && b.unpriced_tokens == 0).then_some(b.usd)
}

fn ms_time(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

/// The answer to a heartbeat run's poll in session `s`: the first heartbeat poll (user turn)
/// at or after the run's start and not after its end, then the assistant turns after it, up to
/// the next user turn and not after the run's end. USD (priced turns), tokens, and
/// `unpriced_tokens` of the unpriced ones; `turns` counts the assistant turns. `None` when the
/// run has not finished, no poll is in its window, or no assistant turn answered it.
pub fn heartbeat_answer(s: &Session, run: &CronRunRow) -> Option<SpendBucket> {
    let start = ms_time(run.started_at_ms)?;
    let end = ms_time(run.finished_at_ms?)?;
    let from = s.turns.partition_point(|t| t.at < start);
    let mut window = s.turns.range(from..).take_while(|t| t.at <= end);
    window.find(|t| matches!(t.kind, TurnKind::User { heartbeat: true }))?;
    let mut b = SpendBucket::default();
    for t in window {
        match &t.kind {
            TurnKind::User { .. } => break,
            TurnKind::Assistant {
                tokens, cost_usd, ..
            } => {
                b.turns += 1;
                b.tokens = b.tokens.saturating_add(*tokens);
                match cost_usd {
                    Some(c) => b.usd += c,
                    None => b.unpriced_tokens = b.unpriced_tokens.saturating_add(*tokens),
                }
            }
            _ => {}
        }
    }
    (b.turns > 0).then_some(b)
}

/// True when `key` names a session of one run alone (`…:cron:<job>:run:<id>`).
fn is_run_key(key: &str) -> bool {
    parse_key(key).kind == SessionKind::CronRun
}

/// Where a run ran.
enum RanIn<'a> {
    /// A session of its own: named by a `…:run:<id>` key, or by a session id alone.
    Own {
        id: Option<&'a str>,
        key: Option<&'a str>,
    },
    /// A session other turns share (a main session, a job binding), by key or id; `None` when
    /// the run names none (a heartbeat run).
    Shared(Option<&'a str>),
}

/// Where `run` of `job` ran. A session id that another kept run of the job names too is not
/// one run's own session (each is then priced as in a shared session).
fn ran_in<'a>(job: &CronJob, run: &'a CronRunRow) -> RanIn<'a> {
    let key = run.session_key.as_deref().filter(|k| !k.is_empty());
    let id = run_session_id(run);
    let own = match key {
        Some(k) => is_run_key(k),
        None => id.is_some(),
    };
    let reused = id.is_some_and(|id| {
        job.runs
            .iter()
            .any(|r| r.run_id != run.run_id && run_session_id(r) == Some(id))
    });
    if own && !reused {
        RanIn::Own { id, key }
    } else {
        RanIn::Shared(key.or(id))
    }
}

/// A heartbeat job's run that ran in a shared session (it names none, or names a session that
/// is not its own): that session's key and the run's answer there ([`heartbeat_answer`]).
/// `None` for other jobs and runs, or when the answer is not (yet) seen.
pub fn heartbeat_run_answer(
    model: &Model,
    job: &CronJob,
    run: &CronRunRow,
) -> Option<(String, SpendBucket)> {
    if !is_heartbeat_job(&job.row) {
        return None;
    }
    let key = match ran_in(job, run) {
        RanIn::Own { .. } => return None,
        RanIn::Shared(Some(k)) => k.to_string(),
        RanIn::Shared(None) => heartbeat_session(&job.row)?,
    };
    let s = session(model, &key)?;
    heartbeat_answer(s, run).map(|b| (s.key.clone(), b))
}

/// What one run of `job` cost in USD, when known (resolution order: module doc).
pub fn run_cost(model: &Model, job: &CronJob, run: &CronRunRow) -> Option<f64> {
    match run.status.as_str() {
        "running" => return None,
        "skipped" => return Some(0.0),
        _ => {}
    }
    match ran_in(job, run) {
        RanIn::Own { id, key } => {
            let by_id = |id: &str| model.spend.by_session_id.get(id);
            let listed = key.and_then(|k| session(model, k));
            match id
                .and_then(by_id)
                .or_else(|| listed.and_then(|s| by_id(&s.session_id)))
            {
                Some(b) => known_usd(b),
                None => key
                    .and_then(|k| model.spend.by_session.get(k))
                    .and_then(known_usd),
            }
        }
        RanIn::Shared(_) if is_heartbeat_job(&job.row) => {
            match job.credited_runs.get(&run.run_id) {
                Some(b) => known_usd(b),
                None => heartbeat_run_answer(model, job, run).and_then(|(_, b)| known_usd(&b)),
            }
        }
        RanIn::Shared(named) => {
            let s = session(model, named?).or_else(|| session(model, run_session_id(run)?))?;
            let start = ms_time(run.started_at_ms)?.checked_sub_signed(TimeDelta::seconds(1))?;
            let end = ms_time(run.finished_at_ms?)?.checked_add_signed(TimeDelta::seconds(5))?;
            let (usd, any) = session_usd_between(s, start, end);
            any.then_some(usd)
        }
    }
}

/// The cost of the newest finished run of `job` whose cost is known ([`run_cost`]).
pub fn last_run_cost(model: &Model, job: &CronJob) -> Option<f64> {
    job.runs.iter().rev().find_map(|r| run_cost(model, job, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(key: Option<&str>, id: Option<&str>) -> CronRunRow {
        CronRunRow {
            session_key: key.map(str::to_string),
            session_id: id.map(str::to_string),
            ..CronRunRow::default()
        }
    }

    #[test]
    fn session_id_of_a_run() {
        let k = "agent:ops:cron:007ab091-ffcc-493b-979a-d1207036802e:run:b319cf07-36d3";
        assert_eq!(run_session_id(&run(Some(k), None)), Some("b319cf07-36d3"));
        assert_eq!(run_session_id(&run(Some(k), Some("x"))), Some("x"));
        assert_eq!(run_session_id(&run(Some("agent:main:main"), None)), None);
        assert_eq!(run_session_id(&run(None, Some(""))), None);
    }

    /// A poll inside the run, its answer, then an operator's turn and its answer still inside
    /// the run's window: only the poll's answer is the run's; a turn after the run's end is not.
    #[test]
    fn heartbeat_answer_ends_at_the_next_user_turn() {
        use crate::domain::Turn;
        use crate::fact::{Origin, SourceKind};
        let at = |ms: i64| ms_time(ms).unwrap();
        let turn = |ms: i64, kind: TurnKind| Turn {
            at: at(ms),
            kind,
            origin: Origin::new(SourceKind::AgentDb, "db".into()),
        };
        let answer = |ms: i64, usd: Option<f64>| {
            turn(
                ms,
                TurnKind::Assistant {
                    model: crate::fact::ModelRef::parse("p/m").unwrap(),
                    tokens: 100,
                    cost_usd: usd,
                    stop_reason: None,
                    error: None,
                },
            )
        };
        let mut s = Session::default();
        for t in [
            answer(900, Some(5.0)),
            turn(1_100, TurnKind::User { heartbeat: true }),
            answer(1_200, Some(0.25)),
            answer(1_300, Some(0.5)),
            turn(1_400, TurnKind::User { heartbeat: false }),
            answer(1_500, Some(7.0)),
        ] {
            s.push_turn(t);
        }
        let run = |start: i64, end: i64| CronRunRow {
            started_at_ms: start,
            finished_at_ms: Some(end),
            ..CronRunRow::default()
        };
        let b = heartbeat_answer(&s, &run(1_000, 2_000)).unwrap();
        assert_eq!((b.usd, b.turns, b.tokens), (0.75, 2, 200));
        let b = heartbeat_answer(&s, &run(1_000, 1_250)).unwrap();
        assert_eq!((b.usd, b.turns), (0.25, 1));
        assert!(
            heartbeat_answer(&s, &run(1_150, 2_000)).is_none(),
            "no poll"
        );
        s.push_turn(answer(1_350, None));
        assert_eq!(
            known_usd(&heartbeat_answer(&s, &run(1_000, 2_000)).unwrap()),
            None
        );
    }

    #[test]
    fn heartbeat_session_of_a_job() {
        let row = |key: Option<&str>, target: Option<&str>| CronJobRow {
            agent_id: Some("ops".into()),
            session_key: key.map(str::to_string),
            session_target: target.map(str::to_string),
            id: "hb".into(),
            name: "heartbeat-ops".into(),
            enabled: true,
            schedule: crate::fact::Schedule::Every { every_ms: 60_000 },
            payload_kind: "heartbeat".into(),
            model: None,
            declaration_key: Some("heartbeat:ops".into()),
            next_run_at_ms: None,
            last_run_at_ms: None,
            last_run_status: None,
            last_duration_ms: None,
            last_error: None,
            consecutive_errors: None,
            running_at_ms: None,
        };
        assert_eq!(
            heartbeat_session(&row(None, Some("main"))).as_deref(),
            Some("agent:ops:main")
        );
        assert_eq!(
            heartbeat_session(&row(None, Some("session:agent:ops:x"))).as_deref(),
            Some("agent:ops:x")
        );
        assert_eq!(
            heartbeat_session(&row(Some("agent:ops:y"), Some("main"))).as_deref(),
            Some("agent:ops:y")
        );
    }
}
