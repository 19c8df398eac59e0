//! **model-drift**: the configured primary no longer serves. Two shapes:
//! - per agent: over the last `drift_hours` (the agent's turns must span all of it), at least
//!   `drift_min_turns` assistant turns, of which the agent's configured primary
//!   (`openclaw.json` chain) answered less than `drift_primary_share`. Subject `agent:<id>`;
//!   evidence: the transcript lines of the turns another model answered; USD: their spend.
//! - per session: a fallback model of the chain stuck as the session's model override
//!   (`providerOverride`/`modelOverride`). Subject: the session key; evidence: its row.
//!
//! Warning. Remedy: `pin-model`.

use std::collections::BTreeMap;

use super::util::hours_ago;
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::domain::session::TurnKind;
use crate::fact::{ConfigFacts, ModelChain};

/// The model chain of an agent: its own entry, else `agents.defaults.model`.
pub fn chain_of<'a>(config: &'a ConfigFacts, agent: &str) -> &'a ModelChain {
    config
        .agent_chains
        .iter()
        .find(|(a, c)| a == agent && c.primary.is_some())
        .map_or(&config.default_chain, |(_, c)| c)
}

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let (Some(now), Some(from)) = (model.now, hours_ago(model, cfg.drift_hours)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // agent → (earliest turn ever, total in window, primary in window, off-primary turns)
    type Acc<'a> = (
        Option<chrono::DateTime<chrono::Utc>>,
        u32,
        u32,
        Vec<&'a crate::domain::Turn>,
        f64,
    );
    let mut by: BTreeMap<&str, Acc> = BTreeMap::new();
    for s in model.sessions.by_key.values() {
        let chain = chain_of(&model.config, &s.agent_id);
        let Some(primary) = chain.primary.as_ref() else {
            continue;
        };
        if let (Some(o), Some(p)) = (s.model_override.as_ref(), s.configured_model.as_ref())
            && o != p
            && chain.fallbacks.contains(o)
        {
            out.push(Alert {
                kind: AlertKind::ModelDrift,
                severity: Severity::Warn,
                subject: s.key.clone(),
                cause: format!(
                    "fallback {o} is stuck as the model override of {} (primary {p})",
                    s.key
                ),
                evidence: s.origin.iter().cloned().collect(),
                usd: Some(s.cost_usd),
                remedy: Some(Remedy::PinModel),
                since: s.last_activity,
            });
        }
        let acc = by.entry(s.agent_id.as_str()).or_default();
        for t in &s.turns {
            let TurnKind::Assistant {
                model: m, cost_usd, ..
            } = &t.kind
            else {
                continue;
            };
            acc.0 = Some(acc.0.map_or(t.at, |e| e.min(t.at)));
            if t.at < from || t.at > now {
                continue;
            }
            acc.1 += 1;
            if m == primary {
                acc.2 += 1;
            } else {
                acc.3.push(t);
                acc.4 += cost_usd.unwrap_or(0.0);
            }
        }
    }
    for (agent, (earliest, total, primary_n, mut off, usd)) in by {
        if earliest.is_none_or(|e| e > from) || total < cfg.drift_min_turns.max(1) {
            continue;
        }
        let share = f64::from(primary_n) / f64::from(total);
        if share >= cfg.drift_primary_share {
            continue;
        }
        let primary = chain_of(&model.config, agent)
            .primary
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default();
        off.sort_by_key(|t| t.at);
        out.push(Alert {
            kind: AlertKind::ModelDrift,
            severity: Severity::Warn,
            subject: format!("agent:{agent}"),
            cause: format!(
                "agent {agent}: primary {primary} answered {primary_n} of {total} turns ({:.0} %) in the last {} h",
                share * 100.0,
                cfg.drift_hours
            ),
            since: off.first().map(|t| t.at),
            evidence: off.iter().map(|t| t.origin.clone()).collect(),
            usd: Some(usd),
            remedy: Some(Remedy::PinModel),
        });
    }
    out
}
