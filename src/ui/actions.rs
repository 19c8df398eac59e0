//! Action planning: the selected or marked rows → a [`Pending`] confirm dialog with the dry-run
//! preview (what will change, on which target, read from which source) and the
//! [`Effect`]s the runner gets on confirm. Pure: reads the model and the UI state, sends nothing.
//!
//! Prune rules (a candidate matches one; `main` sessions and sessions with a run are never
//! candidates): a binding whose session is gone (no transcript / session window for its
//! session id: [`Session::session_gone`]); a `running` binding gone stale; status
//! `failed`/`killed`/`timeout`; a finished cron-run session; a cron binding whose job no
//! longer exists; idle longer than `ui.prune_idle_hours`.

use crate::config::Action;
use crate::domain::session::{SessionKind, SessionState, TurnKind};
use crate::domain::{Model, Session};
use crate::fact::SourceKind;
use crate::gateway::runner::Effect;
use crate::ui::data;
use crate::ui::state::{Pending, UiState, View};
use crate::ui::views::cron;

fn source(s: &Session) -> String {
    let file = s.origin.as_ref().map_or("log", |o| match o.kind {
        SourceKind::AgentDb => "agent-db",
        SourceKind::LegacySessions => "sessions.json",
        SourceKind::Log => "log",
        _ => "files",
    });
    match s.live_active {
        Some(_) => format!("{file} + rpc sessions.list"),
        None => file.to_string(),
    }
}

/// The sessions an action applies to: the marked ones, else the selected row (or the open
/// timeline's session).
pub fn target_sessions<'m>(ui: &UiState, model: &'m Model) -> Vec<&'m Session> {
    if !ui.marked_sessions.is_empty() {
        return ui
            .marked_sessions
            .iter()
            .filter_map(|k| model.sessions.by_key.get(k))
            .collect();
    }
    match &ui.view {
        View::Timeline(k) => model.sessions.by_key.get(k).into_iter().collect(),
        View::Sessions => {
            let rows = data::session_rows(model, &ui.sessions);
            rows.get(ui.sessions.selected.min(rows.len().saturating_sub(1)))
                .copied()
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The cron job ids an action applies to: the marked ones, else the selected row.
pub fn target_jobs(ui: &UiState, model: &Model) -> Vec<String> {
    if !ui.marked_cron.is_empty() {
        return ui.marked_cron.iter().cloned().collect();
    }
    if ui.view != View::Cron {
        return Vec::new();
    }
    let jobs = cron::job_rows(model);
    jobs.get(ui.cron_selected.min(jobs.len().saturating_sub(1)))
        .map(|j| vec![j.row.id.clone()])
        .unwrap_or_default()
}

fn expected(s: &Session) -> Option<String> {
    (!s.session_id.is_empty()).then(|| s.session_id.clone())
}

/// The model of the newest assistant turn without an error, else the current model.
pub fn last_working_model(s: &Session) -> Option<String> {
    s.turns
        .iter()
        .rev()
        .find_map(|t| match &t.kind {
            TurnKind::Assistant {
                model, error: None, ..
            } => Some(model.to_string()),
            _ => None,
        })
        .or_else(|| s.current_model.as_ref().map(ToString::to_string))
}

/// Why a session is a prune candidate, or `None`.
pub fn prune_reason(model: &Model, s: &Session, idle_hours: u32) -> Option<String> {
    if s.kind == SessionKind::Main || !s.active_runs.is_empty() || s.live_active == Some(true) {
        return None;
    }
    // Only rows a store holds can be deleted; a key seen only in the log has nothing to prune.
    let stored = s
        .origin
        .as_ref()
        .is_some_and(|o| matches!(o.kind, SourceKind::AgentDb | SourceKind::LegacySessions));
    if !stored && s.live_active.is_none() {
        return None;
    }
    if s.session_gone {
        return Some(format!(
            "{}: no transcript for session id {}",
            crate::gateway::runner::SESSION_GONE,
            s.session_id
        ));
    }
    if s.state == SessionState::Stale {
        return Some("stale: marked running, no activity".into());
    }
    if let Some(st @ ("failed" | "killed" | "timeout")) = s.status.as_deref() {
        return Some(format!("status {st}"));
    }
    // An isolated cron-run session with no run in flight is finished (its row may carry no
    // status: 2026.9.6 `sessions.list` shows none for finished runs).
    if s.kind == SessionKind::CronRun && s.status.as_deref() != Some("running") {
        return Some("finished cron run".into());
    }
    if let Some(job) = &s.cron_job_id
        && !model.cron.jobs.is_empty()
        && !model.cron.jobs.contains_key(job)
    {
        return Some(format!("cron job {job} no longer exists"));
    }
    if let (Some(now), Some(last)) = (model.now, s.last_activity) {
        let idle = now - last;
        if idle > chrono::TimeDelta::hours(i64::from(idle_hours)) {
            return Some(format!("idle {}h (> {idle_hours}h)", idle.num_hours()));
        }
    }
    None
}

fn pending(action: Action, title: String, preview: Vec<String>, effects: Vec<Effect>) -> Pending {
    Pending {
        action,
        title,
        preview,
        effects,
    }
}

/// Build the confirm dialog for `action`, or a message saying why there is nothing to do.
pub fn plan(ui: &UiState, model: &Model, action: Action) -> Result<Pending, String> {
    let mut preview = Vec::new();
    let mut effects = Vec::new();
    match action {
        Action::KillRun | Action::ResetSession | Action::PinModel => {
            let targets = target_sessions(ui, model);
            if targets.is_empty() {
                return Err(format!(
                    "{}: select a session (Sessions view)",
                    action.name()
                ));
            }
            for s in targets {
                let src = source(s);
                match action {
                    Action::KillRun => {
                        let runs = if s.active_runs.is_empty() {
                            "no active run known".to_string()
                        } else {
                            format!("runs {}", s.active_runs.join(", "))
                        };
                        preview.push(format!(
                            "abort {}: {runs}; drop {} queued followup(s) [{src}]",
                            s.key, s.queued
                        ));
                        effects.push(Effect::KillRun { key: s.key.clone() });
                    }
                    Action::ResetSession => {
                        preview.push(format!(
                            "reset {}: session {} → a new session id, only if still {} [{src}]",
                            s.key, s.session_id, s.session_id
                        ));
                        effects.push(Effect::ResetSession {
                            key: s.key.clone(),
                            expected_session_id: expected(s),
                        });
                    }
                    _ => {
                        let Some(m) = last_working_model(s) else {
                            preview.push(format!("skip {}: no working model seen", s.key));
                            continue;
                        };
                        let old = s
                            .model_override
                            .as_ref()
                            .map_or("none".to_string(), ToString::to_string);
                        preview.push(format!(
                            "pin {}: model override {old} → {m} (last working model) [{src}]",
                            s.key
                        ));
                        effects.push(Effect::PinModel {
                            key: s.key.clone(),
                            model: m,
                            expected_session_id: expected(s),
                        });
                    }
                }
            }
        }
        Action::PruneStale => {
            let pool: Vec<&Session> = if ui.marked_sessions.is_empty() {
                model.sessions.by_key.values().collect()
            } else {
                target_sessions(ui, model)
            };
            for s in pool {
                if let Some(why) = prune_reason(model, s, ui.prune_idle_hours) {
                    let how = if s.session_gone {
                        " (sessions.cleanup fixMissing where the gateway has it)"
                    } else {
                        ""
                    };
                    preview.push(format!("delete {}: {why} [{}]{how}", s.key, source(s)));
                    effects.push(Effect::PruneSession {
                        key: s.key.clone(),
                        reason: why,
                        expected_session_id: expected(s),
                    });
                }
            }
            if effects.is_empty() {
                return Err("prune-stale: no stale binding matches the prune rules".into());
            }
        }
        Action::PauseCron | Action::ResumeCron | Action::PauseAllCron => {
            let enable = action == Action::ResumeCron;
            let ids = if action == Action::PauseAllCron {
                model.cron.jobs.keys().cloned().collect()
            } else {
                target_jobs(ui, model)
            };
            let mut system = 0;
            for id in ids {
                let Some(j) = model.cron.jobs.get(&id) else {
                    continue;
                };
                if j.row.enabled == enable {
                    continue;
                }
                // System-owned jobs (heartbeat, skill review: `declarationKey` set) are refused
                // by the gateway ("system-owned monitor jobs cannot be edited by cron clients").
                if let Some(decl) = &j.row.declaration_key {
                    if action == Action::PauseAllCron {
                        system += 1;
                        continue;
                    }
                    preview.push(format!(
                        "note: {} is system-owned ({decl}); the gateway may refuse",
                        j.row.name
                    ));
                }
                let src = if model.gateway.live_at.is_some() {
                    "cron store + rpc cron.list"
                } else {
                    "cron store"
                };
                preview.push(format!(
                    "{} {} ({}): enabled {} → {} [{src}]",
                    if enable { "resume" } else { "pause" },
                    j.row.name,
                    id,
                    j.row.enabled,
                    enable
                ));
                effects.push(Effect::SetCronEnabled {
                    id,
                    enabled: enable,
                    all: action == Action::PauseAllCron,
                });
            }
            if system > 0 {
                preview.push(format!(
                    "skip {system} system-owned job(s) (heartbeat / declared monitors)"
                ));
            }
            if effects.is_empty() {
                return Err(format!(
                    "{}: no cron job to change (select one in the Cron view)",
                    action.name()
                ));
            }
        }
        _ => return Err(format!("{}: not an action", action.name())),
    }
    if effects.is_empty() {
        return Err(format!("{}: nothing to do", action.name()));
    }
    let title = format!(
        "{} — {} change(s){}",
        action.description(),
        effects.len(),
        if ui.read_only {
            " (read-only: will be refused)"
        } else {
            ""
        }
    );
    Ok(pending(action, title, preview, effects))
}
