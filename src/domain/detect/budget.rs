//! **budget**: today's spend (UTC day of the model clock; priced USD as `spend.by_day`) against
//! the daily budgets of `lanetop.toml`: the total (`subject = "total"`) and each agent with a
//! budget (`subject = "agent:<id>"`). Warning at `warn_ratio` (80 %), critical at `crit_ratio`
//! (100 %). USD: spent today. No evidence lines (the spend tables are the evidence); remedy:
//! none (pause the biggest cron job: see the Spend view).

use super::{Alert, AlertKind, DetectConfig, Severity};
use crate::domain::Model;

/// One budget meter: subject, spent today (USD), budget (USD).
#[derive(Debug, Clone, PartialEq)]
pub struct Meter {
    pub subject: String,
    pub spent_usd: f64,
    pub budget_usd: f64,
}

impl Meter {
    /// spent / budget (0 when the budget is not positive).
    pub fn ratio(&self) -> f64 {
        if self.budget_usd > 0.0 {
            self.spent_usd / self.budget_usd
        } else {
            0.0
        }
    }
}

/// Every configured budget with today's spend (total first, then agents by id).
pub fn meters(model: &Model, cfg: &DetectConfig) -> Vec<Meter> {
    let Some(today) = model.now.map(|n| n.date_naive()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(b) = cfg.budgets.daily_usd {
        out.push(Meter {
            subject: "total".into(),
            spent_usd: model.spend.by_day.get(&today).map_or(0.0, |b| b.usd),
            budget_usd: b,
        });
    }
    for (agent, b) in &cfg.budgets.agents {
        out.push(Meter {
            subject: format!("agent:{agent}"),
            spent_usd: model
                .spend
                .by_agent_day
                .get(&(agent.clone(), today))
                .map_or(0.0, |b| b.usd),
            budget_usd: *b,
        });
    }
    out
}

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let mut out = Vec::new();
    for m in meters(model, cfg) {
        let r = m.ratio();
        let severity = if r >= cfg.budgets.crit_ratio {
            Severity::Crit
        } else if r >= cfg.budgets.warn_ratio {
            Severity::Warn
        } else {
            continue;
        };
        out.push(Alert {
            kind: AlertKind::Budget,
            severity,
            cause: format!(
                "{}: ${:.2} spent today of a ${:.2} daily budget ({:.0} %)",
                m.subject,
                m.spent_usd,
                m.budget_usd,
                r * 100.0
            ),
            subject: m.subject,
            evidence: Vec::new(),
            usd: Some(m.spent_usd),
            remedy: None,
            since: None,
        });
    }
    out
}
