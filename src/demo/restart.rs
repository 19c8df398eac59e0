//! Incidents 2 and 4: a SIGTERM drain cuts the chain walk and in-flight turns, a new boot,
//! restart recovery resumes the stale sessions onto lane `main` (the flood), user messages
//! queue behind, and the resumed `agent:main:main` walks the same fallback chain again.

use super::cron_runs::{tg_sid, triage_job};
use super::lifecycle as lc;
use super::scenario::{
    incident_chain, long_target, mark_busy, ok, overloaded, prompt, rate_limited, reserve, spec,
};
use super::sim::Sim;
use super::turn::{self, Trigger};
use super::world;

/// Incidents 2 and 4: SIGTERM during the walk, new boot, recovery flood on lane `main`, and the
/// chain replayed on the resumed `agent:main:main`.
pub(super) fn restart(sim: &mut Sim, sig: i64) {
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
pub(super) fn flood(sim: &mut Sim, t0: i64, resumed: &[String]) {
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
