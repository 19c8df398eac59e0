//! **chain-replay**: a session walks the same fallback chain again after a gateway boot
//! (episodes flagged `replayed_after_boot` by `update::cascades`: same session, same ordered
//! failing models, an earlier boot) at least `replay_episodes` times, or logs
//! `live session model switch` at least `replay_switches` times in the storm window. Critical
//! at three replays.
//!
//! Evidence: the first decision line of each replayed episode and of the earlier walk it
//! repeats; the switch lines. USD: the session's spend since the first replay. Remedy:
//! `pin-model` (pin the session to its last working model).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::util::{session, session_usd_between, window_start};
use super::{Alert, AlertKind, DetectConfig, Remedy, Severity};
use crate::domain::Model;
use crate::fact::Origin;

#[derive(Default)]
struct Acc {
    replays: u32,
    switches: u32,
    since: Option<DateTime<Utc>>,
    evidence: Vec<(DateTime<Utc>, Origin)>,
    last_ok: Option<String>,
}

/// Run the detector.
pub fn detect(model: &Model, cfg: &DetectConfig) -> Vec<Alert> {
    let Some(now) = model.now else {
        return Vec::new();
    };
    let mut by: BTreeMap<String, Acc> = BTreeMap::new();
    let eps = &model.cascades.episodes;
    for e in eps.iter().filter(|e| e.replayed_after_boot) {
        let Some(s) = e.session.clone() else { continue };
        let acc = by.entry(s.clone()).or_default();
        acc.replays += 1;
        if let Some(st) = e.steps.first() {
            acc.since = Some(acc.since.map_or(st.at, |t| t.min(st.at)));
            acc.evidence.push((st.at, st.origin.clone()));
        }
        // The earlier walk it repeats.
        let sig = e.failing_models();
        if let Some(first) = eps.iter().find(|o| {
            o.session.as_deref() == Some(s.as_str()) && o.boot < e.boot && o.failing_models() == sig
        }) && let Some(st) = first.steps.first()
            && !acc.evidence.iter().any(|(_, o)| *o == st.origin)
        {
            acc.evidence.push((st.at, st.origin.clone()));
        }
    }
    for e in eps.iter().filter(|e| e.session.is_some()) {
        if let Some(acc) = e.session.as_ref().and_then(|s| by.get_mut(s))
            && let Some(ok) = e
                .steps
                .iter()
                .rev()
                .find(|s| s.decision == "candidate_succeeded")
        {
            acc.last_ok = ok.from.as_ref().map(|m| m.to_string());
        }
    }
    if let Some(from) = window_start(model, cfg.storm_window_min) {
        for sw in model.detect.switches.iter().filter(|s| s.at >= from) {
            let Some(s) = sw.subject.as_deref() else {
                continue;
            };
            let key = model.sessions.resolve(s).unwrap_or(s).to_string();
            let acc = by.entry(key).or_default();
            acc.switches += 1;
            acc.since = Some(acc.since.map_or(sw.at, |t| t.min(sw.at)));
            acc.evidence.push((sw.at, sw.origin.clone()));
        }
    }
    let mut out = Vec::new();
    for (subject, mut acc) in by {
        let fires = (cfg.replay_episodes > 0 && acc.replays >= cfg.replay_episodes)
            || (cfg.replay_switches > 0 && acc.switches >= cfg.replay_switches);
        if !fires {
            continue;
        }
        let s = session(model, &subject);
        let usd = match (s, acc.since) {
            (Some(s), Some(since)) => session_usd_between(s, since, now).0,
            _ => 0.0,
        };
        let pin = acc.last_ok.clone().or_else(|| {
            s.and_then(|s| s.current_model.as_ref())
                .map(|m| m.to_string())
        });
        acc.evidence.sort_by_key(|(t, _)| *t);
        out.push(Alert {
            kind: AlertKind::ChainReplay,
            severity: if acc.replays >= 3 { Severity::Crit } else { Severity::Warn },
            cause: format!(
                "session {subject} walked the same fallback chain again after a restart {}×, {} live model switches; pin it to {}",
                acc.replays,
                acc.switches,
                pin.as_deref().unwrap_or("its last working model")
            ),
            subject,
            evidence: acc.evidence.into_iter().map(|(_, o)| o).collect(),
            usd: Some(usd),
            remedy: Some(Remedy::PinModel),
            since: acc.since,
        });
    }
    out
}
