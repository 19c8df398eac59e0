//! Failure-mode detectors: the incidents OpenClaw operators hit, named from the model state
//! that `update` keeps (no I/O, no system clock: ages are against `Model::now`).
//!
//! [`evaluate`] runs every detector (one file each) over a [`Model`] and returns the
//! [`Alert`]s, most severe first. `update::refresh` calls it after every fact batch and tick
//! (each detector is a cheap pass over sessions, episodes, cron jobs and the bounded evidence
//! rings of [`DetectState`]) and stores the result in `Model::alerts`.
//!
//! Thresholds come from [`DetectConfig`] (`Model::detect_config`), which `lanetop.toml`
//! (`crate::config::settings`) fills; every key has a default.

pub mod budget;
pub mod chain_replay;
pub mod config;
pub mod cron_main_binding;
pub mod idle_heartbeat;
pub mod model_drift;
pub mod resume_flood;
pub mod retry_storm;
pub mod state;
pub mod takeover_race;
pub mod unpriced_usage;
pub mod util;
pub mod zombie_run;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::Model;
use crate::fact::Origin;

pub use config::{Budgets, DetectConfig};
pub use state::DetectState;

/// How bad an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Crit,
}

impl Severity {
    /// `info`, `warn`, `crit`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Crit => "crit",
        }
    }
    /// Parse `info | warn | crit` (also `warning`, `critical`).
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warn" | "warning" => Some(Severity::Warn),
            "crit" | "critical" => Some(Severity::Crit),
            _ => None,
        }
    }
}

/// Which incident an alert names (the `kind` of `report.alerts[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    RetryStorm,
    ChainReplay,
    CronMainBinding,
    IdleHeartbeat,
    ResumeFlood,
    TakeoverRace,
    ModelDrift,
    ZombieRun,
    UnpricedUsage,
    Budget,
}

impl AlertKind {
    /// The kebab-case name (`retry-storm`, …).
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::RetryStorm => "retry-storm",
            AlertKind::ChainReplay => "chain-replay",
            AlertKind::CronMainBinding => "cron-main-binding",
            AlertKind::IdleHeartbeat => "idle-heartbeat",
            AlertKind::ResumeFlood => "resume-flood",
            AlertKind::TakeoverRace => "takeover-race",
            AlertKind::ModelDrift => "model-drift",
            AlertKind::ZombieRun => "zombie-run",
            AlertKind::UnpricedUsage => "unpriced-usage",
            AlertKind::Budget => "budget",
        }
    }
}

/// The remedy an alert suggests: an action name of the keymap vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Remedy {
    PauseCron,
    KillRun,
    PinModel,
    ResetSession,
    PruneStale,
}

impl Remedy {
    /// The keymap action name (`pause-cron`, `kill-run`, `pin-model`, `reset-session`,
    /// `prune-stale`).
    pub fn action_name(self) -> &'static str {
        match self {
            Remedy::PauseCron => "pause-cron",
            Remedy::KillRun => "kill-run",
            Remedy::PinModel => "pin-model",
            Remedy::ResetSession => "reset-session",
            Remedy::PruneStale => "prune-stale",
        }
    }
}

/// One detected incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    /// A session key, a cron job id, a lane name (`resume-flood`), a `provider/model`
    /// (`unpriced-usage`), or `total` / `agent:<id>` (`budget`).
    pub subject: String,
    /// One line: what happens, with the numbers.
    pub cause: String,
    /// The log lines and store rows that show it (file + line, or table + key), oldest first,
    /// at most [`EVIDENCE_CAP`].
    pub evidence: Vec<Origin>,
    /// USD at stake (burned in the window, per day, or projected), when priced.
    pub usd: Option<f64>,
    /// The action that stops it.
    pub remedy: Option<Remedy>,
    /// When the incident started, as far as the evidence shows.
    pub since: Option<DateTime<Utc>>,
}

/// At most this many evidence origins per alert.
pub const EVIDENCE_CAP: usize = 24;

impl Alert {
    /// Identity across evaluations: kind and subject.
    pub fn id(&self) -> (AlertKind, &str) {
        (self.kind, self.subject.as_str())
    }
}

/// Run every detector over `model` (thresholds from `model.detect_config`). Alerts are ordered
/// by severity (crit first), then kind, then subject.
pub fn evaluate(model: &Model) -> Vec<Alert> {
    let cfg = &model.detect_config;
    let mut out = Vec::new();
    out.extend(retry_storm::detect(model, cfg));
    out.extend(chain_replay::detect(model, cfg));
    out.extend(cron_main_binding::detect(model, cfg));
    out.extend(idle_heartbeat::detect(model, cfg));
    out.extend(resume_flood::detect(model, cfg));
    out.extend(takeover_race::detect(model, cfg));
    out.extend(model_drift::detect(model, cfg));
    out.extend(zombie_run::detect(model, cfg));
    out.extend(unpriced_usage::detect(model, cfg));
    out.extend(budget::detect(model, cfg));
    for a in &mut out {
        a.evidence.truncate(EVIDENCE_CAP);
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    out
}

/// Number of alerts at or above `min`.
pub fn count_at_least(alerts: &[Alert], min: Severity) -> usize {
    alerts.iter().filter(|a| a.severity >= min).count()
}
