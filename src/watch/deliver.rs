//! Delivery: one task per push target, each with its own bounded queue, so a dead or slow
//! endpoint delays nobody: [`Notifier::push`] never waits (a full queue drops the new message,
//! logged), ingest and the loop never block on HTTP.
//!
//! Each message is POSTed (reqwest, rustls) with a per-request timeout; a failure (connect
//! error, timeout, non-2xx) is retried with exponential backoff and full jitter
//! (`base · 2^n`, capped, times a random factor in [0.5, 1)), up to `attempts` tries. A target
//! whose last message failed every try is *dead*: logged as such in the watch log, and shown by
//! [`Notifier::status`] (the TUI's status bar). Its next success makes it live again.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::config::Target;
use super::message::Push;
use crate::domain::detect::Severity;

/// Retry and timeout tuning.
#[derive(Debug, Clone, Copy)]
pub struct DeliverOptions {
    /// Budget for one POST (connect + response).
    pub timeout: Duration,
    /// Tries per message (first try included).
    pub attempts: u32,
    /// First backoff; doubles per failure.
    pub backoff: Duration,
    /// Longest backoff.
    pub backoff_max: Duration,
}

impl Default for DeliverOptions {
    fn default() -> Self {
        DeliverOptions {
            timeout: Duration::from_secs(10),
            attempts: 5,
            backoff: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }
}

/// A target's delivery health.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetHealth {
    /// Messages delivered.
    pub sent: u64,
    /// Messages given up on (every try failed) or dropped (queue full).
    pub lost: u64,
    /// True after a message failed every try, until the next success.
    pub dead: bool,
    /// The last error, if any.
    pub last_error: Option<String>,
}

type Health = Arc<Mutex<BTreeMap<String, TargetHealth>>>;

struct Lane {
    target: Target,
    label: String,
    tx: mpsc::Sender<Push>,
}

/// The running delivery tasks.
pub struct Notifier {
    lanes: Vec<Lane>,
    tasks: Vec<JoinHandle<()>>,
    health: Health,
    stopping: watch::Sender<bool>,
    /// The digest's severity for the targets' filter.
    pub digest_severity: Severity,
}

/// The exponential backoff before try `n + 1` (n ≥ 1 failures so far), with jitter.
pub fn backoff(opts: &DeliverOptions, failures: u32, jitter01: f64) -> Duration {
    let exp = opts
        .backoff
        .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16)));
    let d = exp.min(opts.backoff_max);
    d.mul_f64(0.5 + 0.5 * jitter01.clamp(0.0, 1.0))
}

fn jitter() -> f64 {
    use rand_core::RngCore;
    f64::from(rand_core::OsRng.next_u32()) / f64::from(u32::MAX)
}

/// The HTTP client (rustls with the ring provider, installed process-wide once).
fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("lanetop/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())
}

impl Notifier {
    /// Start one task per target; `queue` is each target's capacity.
    pub fn start(targets: &[Target], queue: usize, opts: DeliverOptions) -> Notifier {
        let health: Health = Arc::default();
        let (stopping, stop_rx) = watch::channel(false);
        let host = super::message::hostname();
        let http = client(opts.timeout);
        let mut lanes = Vec::new();
        let mut tasks = Vec::new();
        for t in targets {
            let label = t.label();
            let (tx, rx) = mpsc::channel(queue.max(1));
            if let Ok(mut h) = health.lock() {
                h.insert(label.clone(), TargetHealth::default());
            }
            match &http {
                Ok(c) => tasks.push(tokio::spawn(run_target(
                    c.clone(),
                    t.clone(),
                    label.clone(),
                    rx,
                    health.clone(),
                    stop_rx.clone(),
                    opts,
                    host.clone(),
                ))),
                Err(e) => tracing::error!("push target {label}: no HTTP client: {e}"),
            }
            lanes.push(Lane {
                target: t.clone(),
                label,
                tx,
            });
        }
        Notifier {
            lanes,
            tasks,
            health,
            stopping,
            digest_severity: Severity::Info,
        }
    }

    /// The lowest `min_severity` over the targets (`warn` when there is none): alerts below it
    /// are not incidents (an ended storm that stays as `info` counts as resolved).
    pub fn floor(&self) -> Severity {
        self.lanes
            .iter()
            .map(|l| l.target.min_severity)
            .min()
            .unwrap_or(Severity::Warn)
    }

    /// Number of targets.
    pub fn targets(&self) -> usize {
        self.lanes.len()
    }

    /// Queue `msg` for every target whose `min_severity` it meets (an action's outcome: every
    /// target). Never waits.
    pub fn push(&self, msg: &Push) {
        // A guard action's outcome goes to every target, whatever its min_severity.
        let sev = match msg {
            Push::Digest { .. } => self.digest_severity,
            Push::Action { .. } => Severity::Crit,
            m => m.severity(),
        };
        tracing::info!("push: {}", msg.title());
        for l in self.lanes.iter().filter(|l| sev >= l.target.min_severity) {
            if let Err(e) = l.tx.try_send(msg.clone()) {
                tracing::warn!(
                    "push target {}: queue full or closed ({e}); message dropped: {}",
                    l.label,
                    msg.title()
                );
                self.note(&l.label, |h| h.lost += 1);
            }
        }
    }

    fn note(&self, label: &str, f: impl FnOnce(&mut TargetHealth)) {
        if let Ok(mut h) = self.health.lock()
            && let Some(x) = h.get_mut(label)
        {
            f(x);
        }
    }

    /// Every target's health, by label.
    pub fn status(&self) -> BTreeMap<String, TargetHealth> {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Labels of the dead targets (for a status line).
    pub fn dead(&self) -> Vec<String> {
        self.status()
            .into_iter()
            .filter(|(_, h)| h.dead)
            .map(|(l, _)| l)
            .collect()
    }

    /// Stop: no new messages; pending ones get one more try each (no backoff waits) within
    /// `within`; whatever is still pending then is abandoned (logged).
    pub async fn shutdown(self, within: Duration) {
        let _ = self.stopping.send(true);
        drop(self.lanes);
        let all = futures_util::future::join_all(self.tasks);
        if tokio::time::timeout(within, all).await.is_err() {
            tracing::warn!("push: deliveries still pending after {within:?}; abandoned");
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_target(
    http: reqwest::Client,
    target: Target,
    label: String,
    mut rx: mpsc::Receiver<Push>,
    health: Health,
    mut stop: watch::Receiver<bool>,
    opts: DeliverOptions,
    host: String,
) {
    let note = |f: &dyn Fn(&mut TargetHealth)| {
        if let Ok(mut h) = health.lock()
            && let Some(x) = h.get_mut(&label)
        {
            f(x);
        }
    };
    while let Some(msg) = rx.recv().await {
        let title = msg.title();
        let mut failures = 0u32;
        loop {
            let stopping = *stop.borrow();
            match post(&http, &target, &msg, &host).await {
                Ok(()) => {
                    let was_dead = health
                        .lock()
                        .ok()
                        .and_then(|h| h.get(&label).map(|x| x.dead))
                        .unwrap_or(false);
                    if was_dead {
                        tracing::info!("push target {label}: delivering again");
                    }
                    note(&|h| {
                        h.sent += 1;
                        h.dead = false;
                    });
                    break;
                }
                Err(e) => {
                    failures += 1;
                    let err = e.clone();
                    note(&|h| h.last_error = Some(err.clone()));
                    if failures >= opts.attempts || stopping {
                        tracing::error!(
                            "push target {label}: DEAD: {title}: gave up after {failures} tries: {e}"
                        );
                        note(&|h| {
                            h.lost += 1;
                            h.dead = true;
                        });
                        break;
                    }
                    let wait = backoff(&opts, failures, jitter());
                    tracing::warn!(
                        "push target {label}: try {failures}/{} failed: {e}; retry in {:.1} s",
                        opts.attempts,
                        wait.as_secs_f64()
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stop.wait_for(|s| *s) => {}
                    }
                }
            }
        }
    }
}

/// One POST of `msg` in `target`'s wire form; `Err` with a short reason otherwise.
async fn post(
    http: &reqwest::Client,
    target: &Target,
    msg: &Push,
    host: &str,
) -> Result<(), String> {
    let (ctype, body, headers) = msg.wire(target.kind, host, Utc::now());
    let mut req = http
        .post(&target.url)
        .header(reqwest::header::CONTENT_TYPE, ctype)
        .body(body);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.map_err(|e| {
        if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            format!("connect failed: {}", root_cause(&e))
        } else {
            root_cause(&e)
        }
    })?;
    let status = resp.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {status}"))
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(s) = cur.source() {
        cur = s;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let o = DeliverOptions {
            backoff: Duration::from_secs(1),
            backoff_max: Duration::from_secs(10),
            ..DeliverOptions::default()
        };
        assert_eq!(backoff(&o, 1, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(&o, 2, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(&o, 3, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(&o, 9, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(&o, 40, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(&o, 2, 0.0), Duration::from_secs(1));
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }
}
