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

use super::cron_runs::{init_cron_state, isolated_cron, triage_tick};
use super::json::J;
use super::lifecycle as lc;
use super::restart::restart;
use super::rng::Rng;
use super::sim::{Ev, Sim};
use super::turn::{self, Attempt, Outcome, Target, Trigger, TurnSpec};
use super::world;

/// Length of one scenario cycle (simulated ms).
pub const CYCLE_MS: i64 = 90 * 60_000;
/// How far before the start the first cycle begins (the backlog written at start).
pub const BACKLOG_MS: i64 = 120 * 60_000;
pub(super) const MIN: i64 = 60_000;

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
        let long: Vec<(&'static str, String, String, &'static str)> = sim
            .sessions
            .iter()
            .map(|s| {
                (
                    s.def.agent,
                    s.session_id.clone(),
                    s.def.key.clone(),
                    s.def.chat_type,
                )
            })
            .collect();
        for (agent, sid, key, chat) in long {
            sim.open_transcript(t, agent, &sid, world::model(world::agent(agent).chain[0]));
            let wall = sim.wall(t);
            let file = sim.session_file(agent, &sid);
            let entry = J::obj()
                .with("sessionId", J::s(&sid))
                .with("updatedAt", J::n(wall))
                .with("sessionStartedAt", J::n(wall))
                .with("systemSent", J::b(false))
                .with("sessionFile", J::s(&file))
                .with("chatType", J::s(chat));
            sim.session_patch(t, agent, &key, entry);
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

pub(super) fn model(full: &str) -> &'static world::ModelDef {
    world::model(full)
}

pub(super) fn ok(m: &str) -> Attempt {
    Attempt {
        model: model(m),
        outcome: Outcome::Ok,
        retries: 0,
    }
}

pub(super) fn rate_limited(m: &str) -> Attempt {
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

pub(super) fn overloaded(m: &str, retries: u32) -> Attempt {
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
pub(super) fn incident_chain(sim: &mut Sim, retries: u32) -> Vec<Attempt> {
    let chain = world::agent("main").chain;
    let last = if sim.rng.chance(0.3) {
        ok(chain[2])
    } else {
        rate_limited(chain[2])
    };
    vec![rate_limited(chain[0]), overloaded(chain[1], retries), last]
}

pub(super) fn long_target(sim: &Sim, key: &str) -> Option<Target> {
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

pub(super) fn spec(
    target: Target,
    trigger: Trigger,
    outer: &'static str,
    attempts: Vec<Attempt>,
) -> TurnSpec {
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
pub(super) fn reserve(sim: &mut Sim, key: &str, t: i64, est: i64) -> i64 {
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

pub(super) fn mark_busy(sim: &mut Sim, key: &str, from: i64, to: i64) {
    if let Some(i) = sim.sess_index(key) {
        sim.sessions[i].busy.push((from, to));
    }
}

/// Incident 3: a heartbeat turn on the idle `agent:ops:main`.
pub(super) fn heartbeat(sim: &mut Sim, at: i64) {
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

pub(super) fn prompt(sim: &mut Sim, agent: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::record::Clock;
    use crate::demo::sim::Op;

    fn texts(evs: &[Ev]) -> Vec<String> {
        evs.iter()
            .filter_map(|e| match &e.op {
                Op::Log(r) => Some(r.text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_cycle_holds_every_incident_once() {
        let clock = Clock {
            anchor_ms: 1_795_312_186_364,
            speed: 1.0,
        };
        let mut sim = Sim::new(9, clock, "/s/state".into());
        let first = texts(&cycle(&mut sim, 0));
        let second = cycle(&mut sim, 1);
        let t2 = texts(&second);
        let count = |v: &[String], p: &str| v.iter().filter(|t| t.starts_with(p)).count();
        // Cycle 0 boots at its start and again after the SIGTERM; later cycles only restart.
        assert_eq!(count(&first, "gateway ready"), 2);
        assert_eq!(count(&t2, "gateway ready"), 1);
        assert_eq!(count(&t2, "signal SIGTERM received"), 1);
        assert_eq!(
            count(
                &t2,
                "main-session restart recovery complete: recovered=4 failed=0 skipped=2"
            ),
            1
        );
        assert_eq!(
            count(
                &t2,
                "live session model switch requested during active attempt for "
            ),
            1
        );
        // Four resumed runs + three queued user messages wait on lane main (concurrency 2).
        assert!(count(&t2, "lane wait exceeded: lane=main ") >= 4);
        // Heartbeats at minutes 5, 35, 65 on the idle ops session.
        let polls = second
            .iter()
            .filter(|e| matches!(&e.op, Op::Transcript { line, .. } if line.compact().contains("[OpenClaw heartbeat poll]")))
            .count();
        assert_eq!(polls, 3);
        // Eleven failing walks of the incident job on lane cron-nested (8 before the restart,
        // the one the restart cuts, 2 after it), each starting with a 429 on the primary.
        let primary_429 = t2
            .iter()
            .filter(|t| {
                t.starts_with("lane task error: lane=cron-nested")
                    && t.contains("Rate limit reached for claude-opus-4-6")
            })
            .count();
        assert_eq!(primary_429, 11);
        let starts = second.iter().map(|e| e.at).collect::<Vec<_>>();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "sorted");
        assert!(starts[0] >= cycle_start(1));
    }
}
