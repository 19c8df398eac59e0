//! Cron runs of the demo: the `inbox-triage` job bound to `sessionKey:"agent:main:main"`
//! (incident 1 when failing), isolated `ops-status` / `research-digest` runs, and what each run
//! leaves behind — a `cron/runs/<jobId>.jsonl` line and a `jobs-state.json` update
//! (`OBSERVED-LEGACY.md` §5), plus the cron logger's error/backoff/timer lines.

use super::json::J;
use super::lifecycle as lc;
use super::scenario::{MIN, incident_chain, long_target, mark_busy, ok, reserve, spec};
use super::sim::{Op, Sim};
use super::turn::{self, Target, Trigger};
use super::world::{self, JobDef};

pub(super) fn init_cron_state(sim: &mut Sim, t: i64) {
    let wall = sim.wall(t);
    let jobs = sim.jobs.clone();
    for j in &jobs {
        let ident = J::obj()
            .with("version", J::n(1))
            .with("enabled", J::b(true))
            .with(
                "schedule",
                J::obj()
                    .with("kind", J::s("every"))
                    .with("everyMs", J::n(j.every_ms))
                    .with("anchorMs", J::n(wall)),
            )
            .compact();
        let patch = J::obj()
            .with("updatedAtMs", J::n(wall))
            .with("scheduleIdentity", J::s(&ident))
            .with(
                "state",
                J::obj().with("nextRunAtMs", J::n(wall + j.every_ms)),
            );
        sim.push(
            t,
            Op::CronState {
                job_id: j.id.clone(),
                patch,
            },
        );
    }
}

pub(super) fn triage_job(sim: &Sim) -> JobDef {
    sim.jobs[0].clone()
}

/// One `inbox-triage` run in `agent:main:main`; `failing` = during the incident.
pub(super) fn triage_tick(sim: &mut Sim, at: i64, failing: bool) -> Option<turn::TurnResult> {
    let job = triage_job(sim);
    let key = job.session_key.unwrap_or("agent:main:main");
    let start = reserve(sim, key, at, 90_000);
    let tg = long_target(sim, key)?;
    let attempts = if failing {
        let n = sim.rng.range(3, 6) as u32;
        incident_chain(sim, n)
    } else {
        vec![ok(world::agent("main").chain[0])]
    };
    let trig = Trigger::Cron {
        job_id: job.id.clone(),
        name: job.name,
        message: job.message,
    };
    let mut sp = spec(tg, trig, "cron-nested", attempts);
    let ctx = sim.sessions[sim.sess_index(key)?].context;
    if failing {
        sp.fresh = ctx; // the whole ~60k prompt is re-sent uncached on every walk
    } else {
        sp.fresh = 1_500;
        sp.cached = ctx;
    }
    sp.output = sim.rng.range(200, 700);
    let r = turn::run(sim, start, &sp);
    mark_busy(sim, key, start, r.end);
    cron_finished(sim, &job, key, &tg_sid(sim, key), start, &r);
    Some(r)
}

pub(super) fn tg_sid(sim: &Sim, key: &str) -> String {
    sim.sess_index(key)
        .map(|i| sim.sessions[i].session_id.clone())
        .unwrap_or_default()
}

/// `cron/runs/<jobId>.jsonl` line, `jobs-state.json` update, and the cron log lines.
pub(super) fn cron_finished(
    sim: &mut Sim,
    job: &JobDef,
    session_key: &str,
    sid: &str,
    start: i64,
    r: &turn::TurnResult,
) {
    let t = r.end + 3;
    let wall = sim.wall(t);
    let run_at = sim.wall(start);
    let errors = if r.ok {
        0
    } else {
        sim.job_errors.get(&job.id).copied().unwrap_or(0) + 1
    };
    sim.job_errors.insert(job.id.clone(), errors);
    let backoff = 3 * MIN;
    let next_run = if r.ok {
        run_at + job.every_ms
    } else {
        wall + backoff
    };
    let mut line = J::obj()
        .with("ts", J::n(wall))
        .with("jobId", J::s(&job.id))
        .with("action", J::s("finished"))
        .with("status", J::s(if r.ok { "ok" } else { "error" }));
    if let Some(f) = &r.failure {
        line.set("error", J::s(&format!("FallbackSummaryError: {f}")));
    }
    let summary = if r.ok {
        format!("{}: done, nothing urgent", job.name)
    } else {
        r.failure.clone().unwrap_or_default()
    };
    line.set("summary", J::s(&summary));
    line.set("deliveryStatus", J::s("not-requested"));
    line.set(
        "delivery",
        J::obj()
            .with(
                "intended",
                J::obj()
                    .with("channel", J::s("last"))
                    .with("to", J::null())
                    .with("source", J::s("last")),
            )
            .with("fallbackUsed", J::b(false))
            .with("delivered", J::b(false)),
    );
    line.set("sessionId", J::s(sid));
    line.set("sessionKey", J::s(session_key));
    line.set("runAtMs", J::n(run_at));
    line.set("durationMs", J::n(wall - run_at));
    line.set("nextRunAtMs", J::n(next_run));
    line.set("model", J::s(r.model.id));
    line.set("provider", J::s(r.model.provider));
    line.set(
        "usage",
        J::obj()
            .with("input_tokens", J::n(r.input))
            .with("output_tokens", J::n(r.output))
            .with("total_tokens", J::n(r.input + r.output)),
    );
    sim.push(
        t,
        Op::CronRun {
            job_id: job.id.clone(),
            line,
        },
    );
    let status = if r.ok { "ok" } else { "error" };
    let mut state = J::obj()
        .with("nextRunAtMs", J::n(next_run))
        .with("lastRunAtMs", J::n(run_at))
        .with("lastRunStatus", J::s(status))
        .with("lastStatus", J::s(status))
        .with("lastDurationMs", J::n(wall - run_at))
        .with("lastDeliveryStatus", J::s("not-requested"))
        .with(
            "lastFailureNotificationDeliveryStatus",
            J::s("not-requested"),
        )
        .with("consecutiveErrors", J::n(errors))
        .with("consecutiveSkipped", J::n(0));
    if let Some(f) = &r.failure {
        state.set("lastError", J::s(&format!("FallbackSummaryError: {f}")));
        state.set("lastErrorReason", J::s("rate_limit"));
    }
    let patch = J::obj()
        .with("updatedAtMs", J::n(wall))
        .with("state", state);
    sim.push(
        t,
        Op::CronState {
            job_id: job.id.clone(),
            patch,
        },
    );
    if let Some(f) = &r.failure {
        lc::cron_error(sim, t, &job.id, job.name, f, errors, backoff);
        lc::timer_armed(sim, t + 1, backoff);
    } else {
        lc::timer_armed(sim, t + 1, (next_run - wall).max(1_000));
    }
}

/// An isolated cron run of job `idx` (new session per run, base key re-pointed).
pub(super) fn isolated_cron(sim: &mut Sim, idx: usize, at: i64) {
    let Some(job) = sim.jobs.get(idx).cloned() else {
        return;
    };
    let sid = sim.rng.uuid();
    let agent = world::agent(job.agent);
    let base = format!("agent:{}:cron:{}", agent.id, job.id);
    let lane_key = format!("{base}:run:{sid}");
    let tg = Target {
        agent: agent.id,
        lane_key: lane_key.clone(),
        store_key: base,
        session_id: sid.clone(),
        chat_type: "direct",
        channel: "cron",
        label: Some(format!("Cron: {}", job.name)),
        new_transcript: true,
    };
    let m = job.model.unwrap_or(agent.chain[0]);
    let trig = Trigger::Cron {
        job_id: job.id.clone(),
        name: job.name,
        message: job.message,
    };
    let mut sp = spec(tg, trig, "cron-nested", vec![ok(m)]);
    sp.fresh = sim.rng.range(3_000, 7_000);
    sp.output = sim.rng.range(150, 600);
    let r = turn::run(sim, at, &sp);
    cron_finished(sim, &job, &lane_key, &sid, at, &r);
}
