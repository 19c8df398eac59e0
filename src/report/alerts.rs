//! `alerts[]`, `overnight` and `budgets[]` of the report (see the schema in the module doc of
//! `crate::report`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::round_usd;
use crate::domain::Model;
use crate::domain::detect::{Alert, budget};
use crate::domain::overnight::{self, Overnight};
use crate::fact::{Locator, Origin};

/// One evidence item: a file line, or a table row by key.
#[derive(Debug, Serialize)]
pub struct EvidenceOut {
    pub file: String,
    /// 1-based line, for log and transcript lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Table (`cron_jobs`, `jobs`, `session_nodes`, …) and key, for store rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl EvidenceOut {
    /// From a fact origin.
    pub fn of(o: &Origin) -> Self {
        let (line, table, key) = match &o.locator {
            Locator::None => (None, None, None),
            Locator::Line { line } => (Some(*line), None, None),
            Locator::Row(row) => (None, Some(row.table.to_string()), Some(row.key.to_string())),
        };
        EvidenceOut {
            file: o.path.to_string(),
            line,
            table,
            key,
        }
    }
}

/// One alert (`alerts[]`).
#[derive(Debug, Serialize)]
pub struct AlertOut {
    pub kind: &'static str,
    pub severity: &'static str,
    pub subject: String,
    pub cause: String,
    pub usd: Option<f64>,
    pub remedy: Option<&'static str>,
    pub since: Option<DateTime<Utc>>,
    pub evidence: Vec<EvidenceOut>,
}

impl AlertOut {
    /// From a domain alert.
    pub fn of(a: &Alert) -> Self {
        AlertOut {
            kind: a.kind.name(),
            severity: a.severity.name(),
            subject: a.subject.clone(),
            cause: a.cause.clone(),
            usd: a.usd.map(round_usd),
            remedy: a.remedy.map(|r| r.action_name()),
            since: a.since,
            evidence: a.evidence.iter().map(EvidenceOut::of).collect(),
        }
    }
}

/// One budget meter (`budgets[]`).
#[derive(Debug, Serialize)]
pub struct BudgetOut {
    pub subject: String,
    pub spent_usd: f64,
    pub budget_usd: f64,
    pub ratio: f64,
}

/// The alerts of `model` (already evaluated by `update::refresh`).
pub fn alerts(model: &Model) -> Vec<AlertOut> {
    model.alerts.iter().map(AlertOut::of).collect()
}

/// The overnight projection, USD rounded.
pub fn overnight(model: &Model) -> Option<Overnight> {
    let mut o = overnight::project(model, &model.detect_config)?;
    o.total_usd = round_usd(o.total_usd);
    for j in &mut o.jobs {
        j.usd_per_run = j.usd_per_run.map(round_usd);
        j.projected_usd = j.projected_usd.map(round_usd);
        j.drift_usd_per_run = j.drift_usd_per_run.map(round_usd);
    }
    Some(o)
}

/// The configured budgets with today's spend.
pub fn budgets(model: &Model) -> Vec<BudgetOut> {
    budget::meters(model, &model.detect_config)
        .into_iter()
        .map(|m| BudgetOut {
            ratio: (m.ratio() * 1e4).round() / 1e4,
            spent_usd: round_usd(m.spent_usd),
            budget_usd: round_usd(m.budget_usd),
            subject: m.subject,
        })
        .collect()
}
