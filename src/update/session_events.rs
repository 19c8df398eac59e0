//! Session facts from transcripts and the log: usage, user turns, model changes, pending
//! inputs, run lifecycle (`embedded run start/done/timeout`, `[agent] run … ended`), live model
//! switches. Key resolution and placeholders are in `sessions.rs`.

use crate::domain::Model;
use crate::domain::Turn;
use crate::domain::session::{ACTIVE_RUNS_CAP, TurnKind};
use crate::fact::{Fact, ModelRef, UsageRecord};

use super::sessions::{ensure, locate, reclassify, restate};
use super::spend;

pub(super) fn on_usage(model: &mut Model, fact: &Fact, u: &UsageRecord) {
    let agent = Some(u.agent_id.as_str()).filter(|a| !a.is_empty());
    let key = locate(model, agent, &u.session_id, u.session_key.as_deref());
    if let Some(run) = &u.run_id {
        model.sessions.remember_run(run, &u.session_id);
    }
    let (s_agent, cron_job) = match model.sessions.by_key.get(&key) {
        Some(s) => (s.agent_id.clone(), s.cron_job_id.clone()),
        None => return,
    };
    let agent = agent.map(str::to_string).unwrap_or(s_agent);
    let booked = spend::book(model, fact.at, u, &agent, &key, cron_job.as_deref());
    let Some(s) = model.sessions.by_key.get_mut(&key) else {
        return;
    };
    s.usage_turns += 1;
    s.usage_tokens = s.usage_tokens.saturating_add(booked.tokens);
    match booked.usd {
        Some(usd) => s.cost_usd += usd,
        None => s.unpriced_tokens = s.unpriced_tokens.saturating_add(booked.tokens),
    }
    s.set_current_model(u.model.clone(), fact.at);
    s.touch(fact.at);
    s.tokens = s.shown_tokens();
    s.push_turn(Turn {
        at: fact.at,
        kind: TurnKind::Assistant {
            model: u.model.clone(),
            tokens: booked.tokens,
            cost_usd: booked.usd,
            stop_reason: u.stop_reason.clone(),
            error: u.error.clone(),
        },
        origin: fact.origin.clone(),
    });
    restate(model, &key);
    super::cron::on_session_turn(model, &key, Some(fact.at));
}

pub(super) fn on_user_turn(
    model: &mut Model,
    fact: &Fact,
    agent: &str,
    session_id: &str,
    session_key: Option<&str>,
    heartbeat: bool,
) {
    let key = locate(model, Some(agent), session_id, session_key);
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        s.user_turns += 1;
        s.heartbeat_turns += u64::from(heartbeat);
        s.touch(fact.at);
        s.push_turn(Turn {
            at: fact.at,
            kind: TurnKind::User { heartbeat },
            origin: fact.origin.clone(),
        });
    }
    reclassify(model, &key);
    restate(model, &key);
}

pub(super) fn on_model_change(
    model: &mut Model,
    fact: &Fact,
    agent: &str,
    session_id: &str,
    session_key: Option<&str>,
    m: &ModelRef,
) {
    let key = locate(model, Some(agent), session_id, session_key);
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        s.set_current_model(m.clone(), fact.at);
        s.push_turn(Turn {
            at: fact.at,
            kind: TurnKind::ModelChange { model: m.clone() },
            origin: fact.origin.clone(),
        });
    }
}

pub(super) fn on_pending(model: &mut Model, agent: &str, queued: &[(String, u32)]) {
    for s in model
        .sessions
        .by_key
        .values_mut()
        .filter(|s| s.agent_id == agent)
    {
        s.queued = 0;
    }
    for (key, n) in queued {
        if key.is_empty() {
            continue;
        }
        ensure(model, key, Some(agent)).queued = *n;
    }
    let keys: Vec<String> = model
        .sessions
        .by_key
        .values()
        .filter(|s| s.agent_id == agent)
        .map(|s| s.key.clone())
        .collect();
    for k in keys {
        restate(model, &k);
    }
}

pub(super) fn on_config(model: &mut Model) {
    super::sessions::reclassify_all(model);
}

pub(super) fn on_model_switch(
    model: &mut Model,
    fact: &Fact,
    session_id: &str,
    agent: Option<&str>,
    to: &ModelRef,
) {
    let key = locate(model, agent, session_id, None);
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        s.set_current_model(to.clone(), fact.at);
        s.touch(fact.at);
        s.push_turn(Turn {
            at: fact.at,
            kind: TurnKind::ModelChange { model: to.clone() },
            origin: fact.origin.clone(),
        });
    }
}

pub(super) fn on_run_started(
    model: &mut Model,
    fact: &Fact,
    run_id: &str,
    session_id: &str,
    agent: Option<&str>,
    m: Option<&ModelRef>,
) {
    if session_id.is_empty() {
        return;
    }
    model.sessions.remember_run(run_id, session_id);
    let key = locate(model, agent, session_id, None);
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        if !s.active_runs.iter().any(|r| r == run_id) {
            s.active_runs.push(run_id.to_string());
            model.sessions.running.insert(key.clone());
            if s.active_runs.len() > ACTIVE_RUNS_CAP {
                s.active_runs.remove(0);
            }
            s.push_turn(Turn {
                at: fact.at,
                kind: TurnKind::RunStarted {
                    run_id: run_id.to_string(),
                },
                origin: fact.origin.clone(),
            });
        }
        if let Some(m) = m {
            s.set_current_model(m.clone(), fact.at);
        }
        s.touch(fact.at);
    }
    restate(model, &key);
}

fn key_of_run(model: &Model, run_id: &str, session_id: Option<&str>) -> Option<String> {
    let sid = session_id
        .map(str::to_string)
        .or_else(|| model.sessions.session_id_by_run.get(run_id).cloned())?;
    model.sessions.resolve(&sid).map(str::to_string)
}

/// `embedded run done` / `[agent] run … ended`: the run is no longer active.
pub(super) fn on_run_finished(
    model: &mut Model,
    fact: &Fact,
    run_id: &str,
    session_id: Option<&str>,
    outcome: &str,
) {
    let Some(key) = key_of_run(model, run_id, session_id) else {
        return;
    };
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        let was_active = s.active_runs.iter().any(|r| r == run_id);
        s.active_runs.retain(|r| r != run_id);
        if was_active {
            s.push_turn(Turn {
                at: fact.at,
                kind: TurnKind::RunEnded {
                    run_id: run_id.to_string(),
                    outcome: outcome.to_string(),
                },
                origin: fact.origin.clone(),
            });
        }
        s.touch(fact.at);
    }
    restate(model, &key);
}

pub(super) fn on_run_timeout(model: &mut Model, fact: &Fact, run_id: &str, session_id: &str) {
    let Some(key) = key_of_run(model, run_id, Some(session_id)) else {
        return;
    };
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        s.push_turn(Turn {
            at: fact.at,
            kind: TurnKind::RunEnded {
                run_id: run_id.to_string(),
                outcome: "timeout".into(),
            },
            origin: fact.origin.clone(),
        });
        s.touch(fact.at);
    }
}

/// A successful `embedded run agent end` names the model that answered.
pub(super) fn on_run_model(model: &mut Model, fact: &Fact, run_id: &str, m: &ModelRef) {
    let Some(key) = key_of_run(model, run_id, None) else {
        return;
    };
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        s.set_current_model(m.clone(), fact.at);
    }
}

/// The gateway process restarted: no run of the previous process is still active.
/// Only the sessions in `sessions.running` are visited: no other has an active run.
pub(super) fn clear_active_runs(model: &mut Model) {
    let sessions = &mut model.sessions;
    for key in sessions.running.drain() {
        if let Some(s) = sessions.by_key.get_mut(&key) {
            s.active_runs.clear();
        }
    }
    debug_assert!(
        sessions.by_key.values().all(|s| s.active_runs.is_empty()),
        "an active run was added without marking its session in `sessions.running`"
    );
}
