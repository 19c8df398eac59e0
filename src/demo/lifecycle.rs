//! Gateway lifecycle, restart recovery, cron-module and heartbeat records, copied from the real
//! boots and shutdowns of `captured/logs/openclaw.log` (lines 6-66, 2059-2066) and the 5.20
//! recovery in `captured-legacy/recovery-supplement/logs/openclaw.log` (lines 427, 453-461).

use super::json::J;
use super::record::{Binding, Level, LogRecord, iso_local, local_date};
use super::sim::Sim;

const GW: &str = "gateway";

/// A gateway boot: `loading configuration…` … `gateway ready`, then `heartbeat: started` and
/// `cron: started`. Returns the simulated time the boot finished.
pub fn boot(sim: &mut Sim, start: i64) -> i64 {
    let mut t = start;
    let pid = sim.rng.range(2_000, 60_000);
    let name = format!("openclaw-{}.log", local_date(sim.wall(start)));
    let log_file = sim
        .state_dir
        .parent()
        .map(|d| d.join("logs").join(&name))
        .unwrap_or_default();
    let lines: Vec<(i64, &'static str, String)> = vec![
        (0, GW, "loading configuration…".to_owned()),
        (190, GW, "resolving authentication…".to_owned()),
        (17, GW, "starting...".to_owned()),
        (193, GW, "shutdown budget at startup: drain=315000ms shutdown=325000ms reserve=10000ms exitMargin=5000ms; source=Gateway stop policy=330000ms".to_owned()),
        (110, GW, format!("spawn broker ready pid={pid}")),
        (1_700, GW, "starting HTTP server...".to_owned()),
        (630, GW, "agent model: anthropic/claude-opus-4-6 (thinking=off, fast=off)".to_owned()),
        (1, GW, "http server listening (5 plugins: anthropic, memory-core, minimax, openai, zhipu; 2.4s)".to_owned()),
        (3, GW, format!("log file: {}", log_file.to_string_lossy())),
        (40, GW, "starting channels and sidecars...".to_owned()),
        (1_860, GW, "gateway startup outcomes: internal-hooks=skipped (not-configured); internal-startup-hook=skipped (no-handlers-loaded); gateway-start-hooks=scheduled; gmail-watcher=skipped (hooks-disabled); gmail-model=skipped (not-configured)".to_owned()),
        (7, GW, "gateway ready".to_owned()),
    ];
    for (dt, sub, text) in lines {
        t += dt;
        sim.text(t, Level::Info, sub, text, None);
    }
    t += 100;
    sim.log(
        t,
        LogRecord::meta(
            Level::Info,
            Binding::Subsystem("gateway/heartbeat"),
            J::obj().with("intervalMs", J::n(1_800_000)),
            "heartbeat: started",
        ),
    );
    t += 650;
    let next = sim.wall(t) + 60_000;
    let cron = sim.cron_binding();
    let jobs = sim.jobs.len() as i64;
    sim.log(
        t,
        LogRecord::meta(
            Level::Info,
            cron,
            J::obj()
                .with("enabled", J::b(true))
                .with("jobs", J::n(jobs))
                .with("nextWakeAtMs", J::n(next)),
            "cron: started",
        ),
    );
    timer_armed(sim, t, 60_000);
    t
}

/// DEBUG `cron: timer armed` `{nextAt,nextAtIso,delayMs,clamped}`.
pub fn timer_armed(sim: &mut Sim, t: i64, delay_ms: i64) {
    let next = sim.wall(t) + delay_ms;
    let cron = sim.cron_binding();
    sim.log(
        t,
        LogRecord::meta(
            Level::Debug,
            cron,
            J::obj()
                .with("nextAt", J::n(next))
                .with("nextAtIso", J::s(&iso_local(next)))
                .with("delayMs", J::n(delay_ms))
                .with("clamped", J::b(false)),
            "cron: timer armed",
        ),
    );
}

/// A SIGTERM stop whose drain times out on `interrupted` main-session runs: the signal, the
/// drain, `marked N interrupted main session(s) for restart recovery (gateway restart drain
/// timeout)`, and a clean shutdown. Returns the time the process is gone.
pub fn sigterm_stop(sim: &mut Sim, start: i64, interrupted: usize) -> i64 {
    let mut t = start;
    sim.log(
        t,
        LogRecord::text(
            Level::Debug,
            Binding::Subsystem(GW),
            "signal SIGTERM received",
        ),
    );
    t += 22;
    sim.text(
        t,
        Level::Info,
        "gateway/admission",
        "admission closed: stop (SIGTERM)".to_owned(),
        None,
    );
    sim.text(
        t,
        Level::Info,
        GW,
        "received SIGTERM; shutting down".to_owned(),
        None,
    );
    t += 13;
    sim.text(t, Level::Info, GW, "shutdown budget at shutdown: drain=315000ms shutdown=325000ms reserve=10000ms exitMargin=5000ms; source=Gateway stop policy=330000ms".to_owned(), None);
    t += 20_000;
    sim.text(
        t,
        Level::Warn,
        "diagnostic",
        format!(
            "wait for active embedded runs timed out: activeRuns={interrupted} timeoutMs=20000"
        ),
        None,
    );
    t += 3;
    sim.text(
        t,
        Level::Warn,
        GW,
        "active embedded run drain grace reached; aborting active run(s) before restart".to_owned(),
        None,
    );
    t += 5;
    sim.text(
        t,
        Level::Warn,
        GW,
        "drain timeout reached; proceeding with restart".to_owned(),
        None,
    );
    t += 40;
    sim.text(
        t,
        Level::Warn,
        "main-session-restart-recovery",
        format!("marked {interrupted} interrupted main session(s) for restart recovery (gateway restart drain timeout)"),
        None,
    );
    t += 4;
    sim.text(
        t,
        Level::Info,
        GW,
        "active-work drain settled; beginning server close".to_owned(),
        None,
    );
    sim.text(
        t,
        Level::Debug,
        "gateway/shutdown",
        "shutdown started: gateway stopping".to_owned(),
        None,
    );
    t += 226;
    sim.text(
        t,
        Level::Info,
        "gateway/shutdown",
        "shutdown completed cleanly in 226ms".to_owned(),
        None,
    );
    t
}

/// Restart recovery after a fresh boot: stale locks removed, sessions marked, then each of
/// `resumed` keys resumed (with pending payload). Returns the time recovery completed.
pub fn recovery(
    sim: &mut Sim,
    start: i64,
    stale: &[(&'static str, String)],
    resumed: &[String],
    skipped: usize,
) -> i64 {
    let mut t = start;
    for (agent, sid) in stale {
        t += 2;
        let lock = format!("{}.lock", sim.session_file(agent, sid));
        sim.text(
            t,
            Level::Warn,
            GW,
            format!("removed stale session lock: {lock} (dead-pid)"),
            None,
        );
    }
    t += 1;
    sim.text(
        t,
        Level::Warn,
        "main-session-restart-recovery",
        format!(
            "marked {} interrupted main session(s) from stale transcript locks",
            stale.len()
        ),
        None,
    );
    t += 5_200;
    for key in resumed {
        t += 1;
        sim.text(
            t,
            Level::Info,
            "main-session-restart-recovery",
            format!("resumed interrupted main session: {key} (with pending payload)"),
            None,
        );
    }
    t += 4;
    sim.text(
        t,
        Level::Info,
        "main-session-restart-recovery",
        format!(
            "main-session restart recovery complete: recovered={} failed=0 skipped={skipped}",
            resumed.len()
        ),
        None,
    );
    t
}

/// WARN `cron: job run returned error status` and INFO `cron: applying error backoff`.
pub fn cron_error(
    sim: &mut Sim,
    t: i64,
    job_id: &str,
    name: &str,
    summary: &str,
    errors: i64,
    backoff_ms: i64,
) {
    let cron = sim.cron_binding();
    sim.log(
        t,
        LogRecord::meta(
            Level::Warn,
            cron.clone(),
            J::obj()
                .with("jobId", J::s(job_id))
                .with("jobName", J::s(name))
                .with("error", J::s(&format!("FallbackSummaryError: {summary}")))
                .with("diagnosticsSummary", J::s(summary)),
            "cron: job run returned error status",
        ),
    );
    let next = sim.wall(t) + backoff_ms;
    sim.log(
        t,
        LogRecord::meta(
            Level::Info,
            cron,
            J::obj()
                .with("jobId", J::s(job_id))
                .with("consecutiveErrors", J::n(errors))
                .with("backoffMs", J::n(backoff_ms))
                .with("nextRunAtMs", J::n(next)),
            "cron: applying error backoff",
        ),
    );
}

/// After a restart: `cron: marking interrupted running job failed on startup` and
/// `cron: running missed jobs after restart`.
pub fn cron_after_restart(sim: &mut Sim, t: i64, job_id: &str, running_at_wall: i64) {
    let cron = sim.cron_binding();
    sim.log(
        t,
        LogRecord::meta(
            Level::Warn,
            cron.clone(),
            J::obj()
                .with("jobId", J::s(job_id))
                .with("runningAtMs", J::n(running_at_wall)),
            "cron: marking interrupted running job failed on startup",
        ),
    );
    sim.log(
        t + 2,
        LogRecord::meta(
            Level::Info,
            cron,
            J::obj()
                .with("count", J::n(1))
                .with("jobIds", J::Arr(vec![J::s(job_id)])),
            "cron: running missed jobs after restart",
        ),
    );
}

/// DEBUG diagnostic pulse `heartbeat: webhooks=0/0/0 active=N waiting=N queued=N`.
pub fn diag_pulse(sim: &mut Sim, t: i64, active: i64, queued: i64) {
    sim.text(
        t,
        Level::Debug,
        "diagnostic",
        format!("heartbeat: webhooks=0/0/0 active={active} waiting=0 queued={queued}"),
        None,
    );
}
