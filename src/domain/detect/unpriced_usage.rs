//! **unpriced-usage**: tokens no price covers (no `usage.cost.total` in the transcript and no
//! `models.providers.<p>.models[].cost` in `openclaw.json`). They are shown as unpriced, never
//! as $0. One alert per `provider/model` (the subject): the model to price. Evidence: the
//! transcript lines of unpriced turns. USD: `null`. Warning; no remedy key (add the price).

use super::{Alert, AlertKind, DetectConfig, Severity};
use crate::domain::Model;
use crate::domain::session::TurnKind;

/// Run the detector.
pub fn detect(model: &Model, _cfg: &DetectConfig) -> Vec<Alert> {
    let mut out = Vec::new();
    for (m, b) in &model.spend.by_model {
        if b.unpriced_tokens == 0 {
            continue;
        }
        let mut turns: Vec<_> = model
            .sessions
            .by_key
            .values()
            .flat_map(|s| s.turns.iter())
            .filter(|t| {
                matches!(&t.kind, TurnKind::Assistant { model: tm, cost_usd: None, .. } if tm.to_string() == *m)
            })
            .collect();
        turns.sort_by_key(|t| t.at);
        out.push(Alert {
            kind: AlertKind::UnpricedUsage,
            severity: Severity::Warn,
            subject: m.clone(),
            cause: format!(
                "{} tokens of {m} have no price (add models.providers cost to openclaw.json)",
                b.unpriced_tokens
            ),
            since: turns.first().map(|t| t.at),
            evidence: turns.iter().map(|t| t.origin.clone()).collect(),
            usd: None,
            remedy: None,
        });
    }
    out
}
