//! The demo script: one 90-minute (simulated) cycle, replayed forever, deterministic per seed.
//!
//! Offsets inside a cycle (minutes):
//! - all along: a healthy baseline of user turns on `main`, `ops` and `research` (usage/cost in
//!   transcripts), a diagnostic pulse every minute, cron `ops-status` (every 15) and
//!   `research-digest` (every 30), isolated;
//! - 5, 35, 65: incident 3, idle heartbeat drain: a heartbeat turn on `agent:ops:main`, a
//!   session nobody talks to, each with a cold-cache ~45k-token prompt that costs money;
//! - 2, 12, 22, 32: cron `inbox-triage` (bound to `sessionKey:"agent:main:main"`) healthy;
//! - 40 … 61 every 3: incident 1, that job walks the fallback chain (429 → 503 with same-model
//!   retries, each re-sending and billing a ~60k-token prompt → 429), error backoff, again;
//! - 64: incident 2 + 4, a SIGTERM drain cuts the walk and in-flight turns, a new boot, restart
//!   recovery resumes the stale sessions onto lane `main` (maxConcurrent 2), `lane wait
//!   exceeded` while user messages queue behind; two entries stay `running` +
//!   `abortedLastRun`; the resumed `agent:main:main` walks the same chain again with
//!   `live session model switch requested during active attempt`;
//! - 76: the provider recovers.
//!
//! The first cycle starts [`BACKLOG_MS`] before the demo starts, so the backlog holds a boot and
//! the whole incident set.

use super::json::J;
use super::lifecycle as lc;
use super::rng::Rng;
use super::sim::{Ev, Sim};
use super::turn::{self, Attempt, Outcome, Target, Trigger, TurnSpec};
use super::world::{self, JobDef};

/// Length of one scenario cycle (simulated ms).
pub const CYCLE_MS: i64 = 90 * 60_000;
/// How far before the start the first cycle begins (the backlog written at start).
pub const BACKLOG_MS: i64 = 120 * 60_000;
const MIN: i64 = 60_000;

/// Simulated start time of cycle `k`.
pub fn cycle_start(k: u64) -> i64 {
    -BACKLOG_MS + k as i64 * CYCLE_MS
}

/// Generate cycle `k` (0 = the first, which also boots the gateway). Events are sorted.
pub fn cycle(sim: &mut Sim, k: u64) -> Vec<Ev> {
    let start = cycle_start(k);
    let end = start + CYCLE_MS;
    sim.rng = Rng::new(sim.seed, k + 1);
    for s in &mut sim.sessions {
        s.busy.retain(|b| b.1 >= start - 10 * MIN);
    }
    if k == 0 {
        let t = lc::boot(sim, start);
        init_cron_state(sim, t);
        let long: Vec<(&'static str, String)> = sim
            .sessions
            .iter()
            .map(|s| (s.def.agent, s.session_id.clone()))
            .collect();
        for (agent, sid) in long {
            sim.open_transcript(t, agent, &sid, world::model(world::agent(agent).chain[0]));
        }
    }
    let sig = start + 64 * MIN;
    let down = (sig - MIN, sig + MIN);
    // Incidents first: they reserve the main-agent sessions.
    for off in [2, 12, 22, 32] {
        triage_tick(sim, start + off * MIN, false);
    }
    for i in 0..8 {
        triage_tick(sim, start + (40 + 3 * i) * MIN, true);
    }
    restart(sim, sig);
    for off in [70, 73] {
        triage_tick(sim, start + off * MIN, true);
    }
    for off in [76, 86] {
        triage_tick(sim, start + off * MIN, false);
    }
    for off in [5, 35, 65] {
        let jitter = sim.rng.range(0, 20_000);
        heartbeat(sim, start + off * MIN + jitter);
    }
    for n in 0..6 {
        isolated_cron(sim, 1, start + (7 + 15 * n) * MIN);
    }
    for n in 0..3 {
        isolated_cron(sim, 2, start + (11 + 30 * n) * MIN);
    }
    let mut t = start + 30_000;
    while t < end {
        if t < down.0 || t > down.1 {
            lc::diag_pulse(sim, t, 0, 0);
        }
        t += MIN;
    }
    baseline(sim, start, end, down, (start + 39 * MIN, start + 80 * MIN));
    sim.drain_sorted()
}

fn init_cron_state(sim: &mut Sim, t: i64) {
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
            super::sim::Op::CronState {
                job_id: j.id.clone(),
                patch,
            },
        );
    }
}

fn model(full: &str) -> &'static world::ModelDef {
    world::model(full)
}

fn ok(m: &str) -> Attempt {
    Attempt {
        model: model(m),
        outcome: Outcome::Ok,
        retries: 0,
    }
}

fn rate_limited(m: &str) -> Attempt {
    let md = model(m);
    Attempt {
        model: md,
        outcome: Outcome::Fail {
            status: 429,
            reason: "rate_limit",
            preview: format!(
                "429 Rate limit reached for {}.; Retry-After: 3600 seconds",
                md.id
            ),
        },
        retries: 0,
    }
}

fn overloaded(m: &str, retries: u32) -> Attempt {
    Attempt {
        model: model(m),
        outcome: Outcome::Fail {
            status: 503,
            reason: "overloaded",
            preview: "503 The server is overloaded. Service unavailable.".to_owned(),
        },
        retries,
    }
}

/// The main agent's chain walk during the incident: 429 → 503 (+ retries) → 429 or success.
fn incident_chain(sim: &mut Sim, retries: u32) -> Vec<Attempt> {
    let chain = world::agent("main").chain;
    let last = if sim.rng.chance(0.3) {
        ok(chain[2])
    } else {
        rate_limited(chain[2])
    };
    vec![rate_limited(chain[0]), overloaded(chain[1], retries), last]
}

fn long_target(sim: &Sim, key: &str) -> Option<Target> {
    let s = &sim.sessions[sim.sess_index(key)?];
    Some(Target {
        agent: s.def.agent,
        lane_key: s.def.key.clone(),
        store_key: s.def.key.clone(),
        session_id: s.session_id.clone(),
        chat_type: s.def.chat_type,
        channel: s.def.channel,
        label: None,
        new_transcript: false,
    })
}

fn spec(target: Target, trigger: Trigger, outer: &'static str, attempts: Vec<Attempt>) -> TurnSpec {
    TurnSpec {
        target,
        trigger,
        outer_lane: outer,
        attempts,
        fresh: 1_000,
        cached: 0,
        cache_write: false,
        output: 400,
        wait_ms: 0,
        queue_ahead: 0,
        queue_behind: 0,
        live_switch: false,
        slow_ms: 0,
        abort_at: None,
    }
}

/// Reserve a slot on a long-lived session: the first start ≥ `t` clear of its busy intervals.
fn reserve(sim: &mut Sim, key: &str, t: i64, est: i64) -> i64 {
    let Some(i) = sim.sess_index(key) else {
        return t;
    };
    let mut s = t;
    loop {
        let clash = sim.sessions[i]
            .busy
            .iter()
            .find(|(b0, b1)| s < *b1 && s + est > *b0)
            .copied();
        match clash {
            Some((_, b1)) => s = b1 + 1_000,
            None => return s,
        }
    }
}

fn mark_busy(sim: &mut Sim, key: &str, from: i64, to: i64) {
    if let Some(i) = sim.sess_index(key) {
        sim.sessions[i].busy.push((from, to));
    }
}

fn triage_job(sim: &Sim) -> JobDef {
    sim.jobs[0].clone()
}

/// One `inbox-triage` run in `agent:main:main`; `failing` = during the incident.
fn triage_tick(sim: &mut Sim, at: i64, failing: bool) -> Option<turn::TurnResult> {
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

fn tg_sid(sim: &Sim, key: &str) -> String {
    sim.sess_index(key)
        .map(|i| sim.sessions[i].session_id.clone())
        .unwrap_or_default()
}

/// `cron/runs/<jobId>.jsonl` line, `jobs-state.json` update, and the cron log lines.
fn cron_finished(
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
        super::sim::Op::CronRun {
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
        super::sim::Op::CronState {
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

/// Incident 3: a heartbeat turn on the idle `agent:ops:main`.
fn heartbeat(sim: &mut Sim, at: i64) {
    let key = "agent:ops:main";
    let Some(tg) = long_target(sim, key) else {
        return;
    };
    let start = reserve(sim, key, at, 60_000);
    let mut sp = spec(
        tg,
        Trigger::Heartbeat,
        "cron-nested",
        vec![ok(world::agent("ops").chain[0])],
    );
    sp.fresh = sim.rng.range(300, 700);
    sp.cached = sim.rng.range(42_000, 48_000);
    sp.cache_write = true; // 30 min apart: the prompt cache is always cold
    sp.output = sim.rng.range(6, 20);
    let r = turn::run(sim, start, &sp);
    mark_busy(sim, key, start, r.end);
}

/// An isolated cron run of job `idx` (new session per run, base key re-pointed).
fn isolated_cron(sim: &mut Sim, idx: usize, at: i64) {
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

const PROMPTS: &[(&str, &[&str])] = &[
    (
        "main",
        &[
            "what's on my calendar tomorrow?",
            "draft a reply to the landlord about the boiler",
            "summarise the thread with Priya",
            "remind me to renew the passport next week",
            "find the invoice from March and forward it to accounting",
        ],
    ),
    (
        "ops",
        &[
            "is the deploy queue healthy?",
            "why did the nightly backup take 40 minutes?",
            "restart the staging worker pool",
            "show disk usage on the build hosts",
        ],
    ),
    (
        "research",
        &[
            "compare the two retrieval papers from this morning",
            "what are the open questions in the eval doc?",
            "pull citations for the caching section",
            "rewrite the abstract in plain language",
        ],
    ),
];

fn prompt(sim: &mut Sim, agent: &str) -> String {
    let list: &[&str] = PROMPTS
        .iter()
        .find(|(a, _)| *a == agent)
        .map(|(_, l)| *l)
        .unwrap_or(&["hello"]);
    sim.rng.pick(list).copied().unwrap_or("hello").to_owned()
}

/// Healthy user turns across the cycle. Skips the gateway-down window and, during the
/// incident window, the main agent's sessions (the restart flood owns them).
fn baseline(sim: &mut Sim, start: i64, end: i64, down: (i64, i64), incident: (i64, i64)) {
    let keys: Vec<(String, &'static str, u32)> = sim
        .sessions
        .iter()
        .filter(|s| s.def.key != "agent:ops:main")
        .map(|s| {
            let w = match s.def.key.as_str() {
                "agent:main:main" => 6,
                "agent:research:main" => 5,
                "agent:ops:slack:channel:c07ops" => 5,
                _ => 1,
            };
            (s.def.key.clone(), s.def.agent, w)
        })
        .collect();
    let total: u32 = keys.iter().map(|k| k.2).sum();
    let mut t = start + sim.rng.range(5_000, 20_000);
    while t < end - 60_000 {
        let mut roll = sim.rng.range(0, i64::from(total) - 1) as u32;
        let mut pick = 0;
        for (i, k) in keys.iter().enumerate() {
            if roll < k.2 {
                pick = i;
                break;
            }
            roll -= k.2;
        }
        let (key, agent, _) = keys[pick].clone();
        let in_down = t >= down.0 && t <= down.1;
        let in_incident = agent == "main" && t >= incident.0 && t <= incident.1;
        if !in_down && !in_incident && !sim.is_stale(&key, t) {
            baseline_turn(sim, &key, agent, t);
        }
        t += sim.rng.range(12_000, 45_000);
    }
}

fn baseline_turn(sim: &mut Sim, key: &str, agent: &'static str, at: i64) {
    let Some(tg) = long_target(sim, key) else {
        return;
    };
    let Some(i) = sim.sess_index(key) else { return };
    let start = reserve(sim, key, at, 30_000);
    let chain = world::agent(agent).chain;
    let attempts = if sim.rng.chance(0.05) {
        vec![rate_limited(chain[0]), ok(chain[1])]
    } else {
        vec![ok(chain[0])]
    };
    let text = prompt(sim, agent);
    let mut sp = spec(tg, Trigger::User(text), "main", attempts);
    let ctx = sim.sessions[i].context;
    let idle = sim.sessions[i]
        .busy
        .last()
        .map(|b| start - b.1 > 5 * MIN)
        .unwrap_or(true);
    sp.fresh = sim.rng.range(300, 3_000);
    sp.cached = ctx;
    sp.cache_write = idle;
    sp.output = sim.rng.range(150, 1_500);
    let r = turn::run(sim, start, &sp);
    mark_busy(sim, key, start, r.end);
    let s = &mut sim.sessions[i];
    s.context += sp.fresh + sp.output;
    if s.context > 120_000 {
        s.context = 24_000; // compaction
    }
}

/// Incidents 2 and 4: SIGTERM during the walk, new boot, recovery flood on lane `main`, and the
/// chain replayed on the resumed `agent:main:main`.
fn restart(sim: &mut Sim, sig: i64) {
    let abort = sig + 20_100;
    let main_keys: Vec<String> = sim
        .sessions
        .iter()
        .filter(|s| s.def.agent == "main")
        .map(|s| s.def.key.clone())
        .collect();
    // The cron walk in flight on agent:main:main.
    let job = triage_job(sim);
    let mut stale: Vec<(&'static str, String)> = Vec::new();
    if let Some(tg) = long_target(sim, "agent:main:main") {
        let start = reserve(sim, "agent:main:main", sig - 45_000, 70_000);
        let attempts = incident_chain(sim, 6);
        let trig = Trigger::Cron {
            job_id: job.id.clone(),
            name: job.name,
            message: job.message,
        };
        let mut sp = spec(tg, trig, "cron-nested", attempts);
        sp.fresh = sim.sessions[0].context;
        sp.abort_at = Some(abort);
        let r = turn::run(sim, start, &sp);
        mark_busy(sim, "agent:main:main", start, r.end);
        stale.push(("main", tg_sid(sim, "agent:main:main")));
    }
    // User turns in flight on the channel bindings, on a slow provider.
    for key in main_keys.iter().skip(1) {
        if sim.is_stale(key, sig) {
            stale.push(("main", tg_sid(sim, key)));
            continue;
        }
        let Some(tg) = long_target(sim, key) else {
            continue;
        };
        let at = sig - sim.rng.range(2_000, 30_000);
        let text = prompt(sim, "main");
        let mut sp = spec(
            tg,
            Trigger::User(text),
            "main",
            vec![ok(world::agent("main").chain[0])],
        );
        sp.fresh = sim.rng.range(500, 2_000);
        sp.cached = sim.rng.range(20_000, 40_000);
        sp.slow_ms = 90_000;
        sp.abort_at = Some(abort);
        let r = turn::run(sim, at, &sp);
        mark_busy(sim, key, at, r.end);
        stale.push(("main", tg_sid(sim, key)));
    }
    let gone = lc::sigterm_stop(sim, sig, stale.len());
    let up = lc::boot(sim, gone + 8_000);
    lc::cron_after_restart(sim, up + 40, &job.id, sim.wall(sig - 45_000));
    // Resume all but the two oldest channel bindings: those stay `running` + `abortedLastRun`.
    let resumed: Vec<String> = main_keys
        .iter()
        .take(main_keys.len().saturating_sub(2))
        .cloned()
        .collect();
    let skipped = main_keys.len() - resumed.len();
    for key in main_keys.iter().skip(resumed.len()) {
        if !sim.is_stale(key, sig) {
            sim.stale.push((key.clone(), sig - 60_000));
        }
    }
    let rec_done = lc::recovery(sim, up + 300, &stale, &resumed, skipped);
    flood(sim, rec_done + 5, &resumed);
}

/// The resumed runs plus queued user messages on lane `main` (concurrency 2).
fn flood(sim: &mut Sim, t0: i64, resumed: &[String]) {
    let mut queue: Vec<(i64, String, Trigger)> = resumed
        .iter()
        .enumerate()
        .map(|(i, k)| (t0 + i as i64 * 3, k.clone(), Trigger::Resume))
        .collect();
    for (i, k) in resumed.iter().enumerate().skip(1) {
        let text = prompt(sim, "main");
        queue.push((
            t0 + 20_000 + i as i64 * sim.rng.range(5_000, 15_000),
            k.clone(),
            Trigger::User(format!("hello? are you there? {text}")),
        ));
    }
    queue.sort_by_key(|q| q.0);
    let mut slots = [t0, t0];
    let n = queue.len() as i64;
    for (idx, (arrive, key, trig)) in queue.into_iter().enumerate() {
        let Some(tg) = long_target(sim, &key) else {
            continue;
        };
        let slot = if slots[0] <= slots[1] { 0 } else { 1 };
        let begin = reserve(sim, &key, arrive.max(slots[slot]), 60_000);
        let wait = begin - arrive;
        let is_main = key == "agent:main:main";
        let chain = world::agent("main").chain;
        let attempts = if is_main && matches!(trig, Trigger::Resume) {
            incident_chain(sim, 2)
        } else {
            vec![
                rate_limited(chain[0]),
                overloaded(chain[1], 0),
                ok(chain[2]),
            ]
        };
        let mut sp = spec(tg, trig, "main", attempts);
        sp.wait_ms = wait;
        sp.queue_ahead = idx as i64;
        sp.queue_behind = (n - idx as i64 - 1).max(0);
        sp.live_switch = is_main;
        sp.fresh = if is_main {
            sim.sessions[0].context
        } else {
            sim.rng.range(800, 2_500)
        };
        sp.cached = if is_main {
            0
        } else {
            sim.rng.range(20_000, 40_000)
        };
        sp.slow_ms = sim.rng.range(8_000, 25_000);
        let r = turn::run(sim, arrive, &sp);
        mark_busy(sim, &key, arrive, r.end);
        slots[slot] = r.end;
    }
}
