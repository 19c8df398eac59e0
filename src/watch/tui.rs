//! The TUI's push alerts: when `lanetop.toml` has `[[watch.targets]]`, the console runs the same
//! incident state machine ([`super::incidents`]) and delivery ([`super::deliver`]) as
//! `lanetop watch` on its own model (wall clock), and its status bar names a dead target
//! (`push ✗ webhook:host:port`). No digest, no hooks: those are `lanetop watch`'s.

use std::sync::{Arc, Mutex};

use super::Settle;
use super::config::WatchConfig;
use super::deliver::{DeliverOptions, Notifier};
use super::incidents::{Incidents, Policy};
use super::message::Push;
use crate::domain::Model;

struct Inner {
    notifier: Notifier,
    incidents: Incidents,
    settle: Settle,
    facts: usize,
}

/// A shared handle on the TUI's notifier (kept in `UiState`, so it compares by identity).
#[derive(Clone)]
pub struct PushHandle(Arc<Mutex<Inner>>);

impl std::fmt::Debug for PushHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PushHandle")
    }
}

impl PartialEq for PushHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PushHandle {}

impl PushHandle {
    /// Start delivery for `cfg`'s targets; `None` when it has none. Needs a tokio runtime.
    pub fn start(cfg: &WatchConfig) -> Option<PushHandle> {
        Self::start_with(cfg, DeliverOptions::default())
    }

    /// [`PushHandle::start`] with explicit retry tuning.
    pub fn start_with(cfg: &WatchConfig, opts: DeliverOptions) -> Option<PushHandle> {
        if cfg.targets.is_empty() {
            return None;
        }
        let notifier = Notifier::start(&cfg.targets, cfg.queue, opts);
        Some(PushHandle(Arc::new(Mutex::new(Inner {
            notifier,
            incidents: Incidents::new(Policy::minutes(
                cfg.repeat_minutes,
                cfg.resolve_grace_minutes,
            )),
            settle: Settle::default(),
            facts: 0,
        }))))
    }

    /// Count facts folded since the last tick (for [`Settle`]).
    pub fn note_facts(&self, n: usize) {
        if let Ok(mut i) = self.0.lock() {
            i.facts += n;
        }
    }

    /// On a tick: once settled, feed the model's alerts to the state machine and queue its
    /// messages (never waits). Returns the labels of the dead targets.
    pub fn tick(&self, model: &Model) -> Vec<String> {
        let Ok(mut i) = self.0.lock() else {
            return Vec::new();
        };
        let facts = std::mem::take(&mut i.facts);
        let settled = i.settle.tick(false, facts);
        if let (true, Some(now)) = (settled, model.now) {
            let floor = i.notifier.floor();
            let firing: Vec<_> = model
                .alerts
                .iter()
                .filter(|a| a.severity >= floor)
                .cloned()
                .collect();
            for m in i.incidents.step(&firing, now) {
                i.notifier.push(&Push::Incident(m));
            }
        }
        i.notifier.dead()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::detect::{Alert, AlertKind, Severity};

    #[tokio::test]
    async fn a_refusing_target_is_reported_dead_after_its_tries() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let text =
            format!("[[watch.targets]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{port}/h\"\n");
        let cfg = crate::watch::config::parse("t", &text).unwrap();
        let fast = DeliverOptions {
            timeout: Duration::from_secs(2),
            attempts: 2,
            backoff: Duration::from_millis(10),
            backoff_max: Duration::from_millis(20),
        };
        let p = PushHandle::start_with(&cfg, fast).unwrap();
        let mut model = Model {
            now: chrono::DateTime::from_timestamp(1_800_000_000, 0),
            ..Model::default()
        };
        model.alerts.push(Alert {
            kind: AlertKind::ZombieRun,
            severity: Severity::Crit,
            subject: "agent:main:main".into(),
            cause: "c".into(),
            evidence: Vec::new(),
            usd: None,
            remedy: None,
            since: None,
        });
        let mut dead = Vec::new();
        for _ in 0..100 {
            dead = p.tick(&model);
            if !dead.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(dead, vec![format!("webhook:127.0.0.1:{port}")]);
        // Nothing is pushed before the model settles, and the incident is pushed once.
        let status = p.0.lock().unwrap().notifier.status();
        assert_eq!(status.values().map(|h| h.lost).sum::<u64>(), 1);
    }
}
