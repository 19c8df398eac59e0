//! Fallback cascades reducer (`model-fallback/decision` records, FORMATS.md §1.3 #1–#2,
//! OBSERVED.md §3 "Model fallback").
//!
//! **Episodes.** Decisions are grouped by run id (else by session, else one anonymous group):
//! consecutive decisions of a group form one episode, which ends with `candidate_succeeded`
//! (outcome `succeeded`), with `fallbackStepFinalOutcome = chain_exhausted` or a last candidate
//! failing with no next (`exhausted`), with `All models failed` for its session (`exhausted`),
//! with `model fallback chain stopped` (`stopped`), or with a gateway boot (`interrupted`). A
//! `candidate_failed` at `attempt = 1` while the group already has an open episode closes that one
//! (`abandoned`) and starts a new one. Each step is `candidate → next`.
//!
//! **Replay after boot.** An episode is `replayed_after_boot` when the same session walked the
//! same chain (the same ordered list of failing models) in an earlier gateway boot. The boot of an
//! episode is the boot running at its first decision ([`crate::domain::Gateway::boot_index_at`]);
//! both are recomputed over the kept episodes when boots or session keys change.
//!
//! **Counters.** `decisions` = number of decision records; `by_reason` counts the records that
//! carry a `reason` (success records carry none); `chain_exhausted` counts exhaustions once
//! although one exhaustion logs several records (the decision, `⇄ res ✗ … All models failed`,
//! `All models failed (3): …`, the cron job's `job run returned error status`), each matched
//! against the exhaustions counted lately ([`crate::domain::cascade::Exhaustion`]):
//! - a record naming a session is the same exhaustion as one of that session within
//!   [`EXHAUST_DEDUP`], or claims one that named no session yet;
//! - a record naming no session is the same as any within [`EXHAUST_DEDUP`];
//! - a cron job's error is the same as one of that job's sessions (`…:cron:<jobId>…`) within
//!   [`EXHAUST_JOB_DEDUP`]: the job reports the failure when its run ends, seconds later
//!   (17 s in `captured-legacy`, lines 1256 and 1292).
//!
//! Two sessions exhausted in the same seconds count twice (the fresh 5.20 lab run, lines 1128
//! and 1232, 11 s apart with the cron error between them).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::cascade::EPISODES_CAP;
use crate::domain::session::TurnKind;
use crate::domain::{Episode, FallbackStep, Model, Turn};
use crate::fact::{Fact, FallbackDecision, ModelRef};

use super::{session_events, sessions};

/// Exhaustion records this close together (same or unknown session) count once.
pub const EXHAUST_DEDUP: TimeDelta = TimeDelta::seconds(10);

/// A cron job's `All models failed` error this soon after an exhaustion of one of its sessions
/// is that exhaustion.
pub const EXHAUST_JOB_DEDUP: TimeDelta = TimeDelta::minutes(10);

pub(super) fn on_decision(
    model: &mut Model,
    fact: &Fact,
    d: &FallbackDecision,
    log_session: Option<&str>,
    agent: Option<&str>,
) {
    let c = &mut model.cascades.counters;
    c.decisions += 1;
    *c.by_decision.entry(d.decision.clone()).or_default() += 1;
    if let Some(r) = d.reason.as_ref().filter(|r| !r.is_empty()) {
        *c.by_reason.entry(r.clone()).or_default() += 1;
    }

    let sid = d
        .session_id
        .clone()
        .or_else(|| log_session.map(str::to_string))
        .or_else(|| {
            d.run_id
                .as_ref()
                .and_then(|r| model.sessions.session_id_by_run.get(r).cloned())
        });
    let key = sid
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| sessions::locate(model, agent, s, None));
    let group = match (&d.run_id, &key) {
        (Some(r), _) => format!("run:{r}"),
        (None, Some(k)) => format!("session:{k}"),
        (None, None) => "?".to_string(),
    };

    if d.decision == "candidate_failed"
        && d.attempt == Some(1)
        && let Some(id) = model.cascades.open.get(&group).copied()
    {
        close(model, id, "abandoned", fact.at);
    }
    let id = match model.cascades.open.get(&group).copied() {
        Some(id) => id,
        None => open_episode(model, &group, fact.at, key.clone(), sid.clone(), d),
    };
    // A success moves nowhere: its record still names the chain's next candidate
    // (`nextCandidateModel`, captured lines 810 and 1747), which is no step.
    let succeeded = d.decision == "candidate_succeeded";
    let step = FallbackStep {
        at: fact.at,
        decision: d.decision.clone(),
        from: d.candidate.clone(),
        to: if succeeded { None } else { d.next.clone() },
        reason: d.reason.clone(),
        status: d.status,
        origin: fact.origin.clone(),
    };
    if let Some(e) = model.cascades.get_mut(id) {
        e.steps.push(step);
        if e.steps.len() > 64 {
            e.steps.remove(0);
        }
    }
    if let Some(k) = &key
        && let Some(s) = model.sessions.by_key.get_mut(k)
    {
        s.touch(fact.at);
        if !succeeded {
            s.push_turn(Turn {
                at: fact.at,
                kind: TurnKind::Fallback {
                    from: d.candidate.clone(),
                    to: d.next.clone(),
                    reason: d.reason.clone(),
                    status: d.status,
                },
                origin: fact.origin.clone(),
            });
        }
    }

    let exhausted = d.final_outcome.as_deref() == Some("chain_exhausted")
        || (d.decision == "candidate_failed"
            && d.next.is_none()
            && d.attempt.is_some()
            && d.attempt == d.total);
    if d.decision == "candidate_succeeded" || d.final_outcome.as_deref() == Some("succeeded") {
        close(model, id, "succeeded", fact.at);
    } else if exhausted {
        count_exhausted(model, fact.at, key.as_deref(), None);
        close(model, id, "exhausted", fact.at);
        // An exhausted run logs no `embedded run done` (captured line 2332, run 73a04918).
        if let Some(run) = &d.run_id {
            session_events::on_run_finished(model, fact, run, sid.as_deref(), "exhausted");
        }
    } else {
        update_replay(model, id);
    }
}

fn open_episode(
    model: &mut Model,
    group: &str,
    at: DateTime<Utc>,
    key: Option<String>,
    sid: Option<String>,
    d: &FallbackDecision,
) -> u64 {
    let cs = &mut model.cascades;
    let id = cs.next_id;
    cs.next_id += 1;
    cs.episodes.push_back(Episode {
        id,
        session: key.clone().or(sid.clone()),
        run_id: d.run_id.clone(),
        steps: Vec::new(),
        outcome: None,
        started: Some(at),
        ended: None,
        boot: model.gateway.boot_index_at(at),
        replayed_after_boot: false,
        session_id: sid,
        lane: d.lane.clone(),
    });
    while cs.episodes.len() > EPISODES_CAP {
        if let Some(old) = cs.episodes.pop_front()
            && old.is_open()
        {
            cs.open.retain(|_, v| *v != old.id);
        }
    }
    cs.open.insert(group.to_string(), id);
    if let Some(k) = key
        && let Some(s) = model.sessions.by_key.get_mut(&k)
    {
        s.fallback_episodes += 1;
    }
    id
}

fn close(model: &mut Model, id: u64, outcome: &str, at: DateTime<Utc>) {
    model.cascades.open.retain(|_, v| *v != id);
    let Some(e) = model.cascades.get_mut(id) else {
        return;
    };
    if e.outcome.is_none() {
        e.outcome = Some(outcome.to_string());
        e.ended = Some(at);
    }
    update_replay(model, id);
    let cs = &mut model.cascades;
    let Some(e) = cs.get_mut(id) else { return };
    let sig = e.failing_models();
    if let Some(s) = e.session.clone().filter(|_| !sig.is_empty()) {
        let boot = e.boot;
        let min = cs.signatures.entry((s, sig)).or_insert(boot);
        *min = (*min).min(boot);
    }
}

fn update_replay(model: &mut Model, id: u64) {
    let cs = &mut model.cascades;
    let Some(e) = cs.get_mut(id) else { return };
    let sig = e.failing_models();
    let Some(s) = e.session.clone().filter(|_| !sig.is_empty()) else {
        return;
    };
    let boot = e.boot;
    let replayed = cs.signatures.get(&(s, sig)).is_some_and(|b| *b < boot);
    if let Some(e) = cs.get_mut(id) {
        e.replayed_after_boot = replayed;
    }
}

/// Count one exhaustion record unless it is one already counted (module docs). `job`: the cron
/// job whose error reported it.
fn count_exhausted(model: &mut Model, at: DateTime<Utc>, session: Option<&str>, job: Option<&str>) {
    use crate::domain::cascade::{Exhaustion, RECENT_EXHAUSTIONS};
    let recent = &mut model.cascades.recent_exhausted;
    let near = |e: &Exhaustion, w: TimeDelta| (at - e.at).abs() <= w;
    let dup = if let Some(job) = job {
        let tag = format!(":cron:{job}");
        recent.iter().any(|e| {
            near(e, EXHAUST_JOB_DEDUP) && e.session.as_deref().is_some_and(|s| s.contains(&tag))
        }) || (session.is_none() && recent.iter().any(|e| near(e, EXHAUST_DEDUP)))
    } else if let Some(s) = session {
        if recent
            .iter()
            .any(|e| near(e, EXHAUST_DEDUP) && e.session.as_deref() == Some(s))
        {
            true
        } else if let Some(e) = recent
            .iter_mut()
            .rev()
            .find(|e| (at - e.at).abs() <= EXHAUST_DEDUP && e.session.is_none())
        {
            e.session = Some(s.to_string());
            true
        } else {
            false
        }
    } else {
        recent.iter().any(|e| near(e, EXHAUST_DEDUP))
    };
    if dup {
        return;
    }
    model.cascades.counters.chain_exhausted += 1;
    if recent.len() == RECENT_EXHAUSTIONS {
        recent.pop_front();
    }
    recent.push_back(Exhaustion {
        at,
        session: session.map(str::to_string),
    });
}

fn open_for_session(model: &Model, key: Option<&str>) -> Option<u64> {
    let key = key?;
    model
        .cascades
        .open
        .values()
        .copied()
        .filter(|id| {
            model
                .cascades
                .episodes
                .iter()
                .any(|e| e.id == *id && (e.session.as_deref() == Some(key)))
        })
        .max()
}

/// `All models failed (N): …` (`job`: the cron job whose error says so).
pub(super) fn on_chain_exhausted(
    model: &mut Model,
    fact: &Fact,
    session: Option<&str>,
    job: Option<&str>,
) {
    let at = fact.at;
    let key = session
        .and_then(|s| model.sessions.resolve(s))
        .map(str::to_string)
        .or(session.map(str::to_string));
    count_exhausted(model, at, key.as_deref(), job);
    if let Some(id) = open_for_session(model, key.as_deref()) {
        close(model, id, "exhausted", at);
        end_run_of(model, fact, id, "exhausted");
    }
}

/// `model fallback chain stopped`.
pub(super) fn on_chain_stopped(
    model: &mut Model,
    fact: &Fact,
    session: Option<&str>,
    reason: &str,
    candidate: Option<&ModelRef>,
) {
    let key = session
        .and_then(|s| model.sessions.resolve(s))
        .map(str::to_string);
    let Some(id) = open_for_session(model, key.as_deref()) else {
        return;
    };
    if let Some(e) = model.cascades.get_mut(id) {
        e.steps.push(FallbackStep {
            at: fact.at,
            decision: "chain_stopped".into(),
            from: candidate.cloned(),
            to: None,
            reason: Some(reason.to_string()),
            status: None,
            origin: fact.origin.clone(),
        });
    }
    close(model, id, "stopped", fact.at);
    end_run_of(model, fact, id, "stopped");
}

/// The run of episode `id` is over (the chain ended without an `embedded run done`).
fn end_run_of(model: &mut Model, fact: &Fact, id: u64, outcome: &str) {
    let Some(e) = model.cascades.get_mut(id) else {
        return;
    };
    let (run, sid) = (e.run_id.clone(), e.session_id.clone());
    if let Some(run) = run {
        session_events::on_run_finished(model, fact, &run, sid.as_deref(), outcome);
    }
}

/// A gateway boot ends every open episode (`interrupted`).
pub(super) fn interrupt_open(model: &mut Model, at: DateTime<Utc>) {
    let ids: Vec<u64> = model.cascades.open.values().copied().collect();
    for id in ids {
        close(model, id, "interrupted", at);
    }
}

/// Recompute boot indices, session keys and replay flags of the kept episodes when boots or
/// session keys changed since the last call.
pub(super) fn recompute_if_needed(model: &mut Model) {
    if !model.cascades.needs_recompute {
        return;
    }
    model.cascades.needs_recompute = false;
    let mut sigs: HashMap<(String, Vec<String>), usize> = HashMap::new();
    for i in 0..model.cascades.episodes.len() {
        let (started, sid) = {
            let e = &model.cascades.episodes[i];
            (e.started, e.session_id.clone())
        };
        let boot = started.map_or(0, |t| model.gateway.boot_index_at(t));
        let key = sid
            .as_deref()
            .and_then(|s| model.sessions.resolve(s))
            .map(str::to_string);
        let e = &mut model.cascades.episodes[i];
        e.boot = boot;
        if let Some(k) = key {
            e.session = Some(k);
        }
        let sig = e.failing_models();
        if !e.is_open()
            && let Some(s) = e.session.clone().filter(|_| !sig.is_empty())
        {
            let min = sigs.entry((s, sig)).or_insert(boot);
            *min = (*min).min(boot);
        }
    }
    for e in model.cascades.episodes.iter_mut() {
        let sig = e.failing_models();
        e.replayed_after_boot = e
            .session
            .clone()
            .filter(|_| !sig.is_empty())
            .is_some_and(|s| sigs.get(&(s, sig)).is_some_and(|b| *b < e.boot));
    }
    model.cascades.signatures = sigs;
}
