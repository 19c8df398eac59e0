//! Sessions reducer: one [`Session`] per session key, fused from store rows, transcripts and
//! the log.
//!
//! **Keys.** Transcripts and the log often name only a session *id*. Such an id is mapped to
//! its key via `Sessions::key_by_session_id` (filled by rows and by usage records that carry
//! `session_key`). While the key is unknown the session is kept under its id with
//! `placeholder = true`; as soon as a row names the key, the placeholder (turns, usage, spend,
//! active runs) is merged into the real session. When two keys claim one id (a cron binding
//! `agent:<a>:cron:<job>` re-pointed to its newest run), the `…:run:<id>` key wins.
//!
//! Transcript and log events about sessions are folded in `session_events.rs`.
//!
//! **Snapshot replacement.** A `SessionsSnapshot` replaces the rows of that agent from that
//! source kind: a session that the same agent+source listed before and no longer lists is
//! removed, unless it has other evidence ([`Session::has_other_evidence`]: usage, user turns,
//! active runs, queued inputs, fallback episodes). Survivors lose `row_source` and `status`.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::keys::{lane_session_key, parse_key};
use crate::domain::session::ACTIVE_RUNS_CAP;
use crate::domain::{Model, Session, SessionKind, Turn};
use crate::fact::{ConfigFacts, Fact, ModelRef, SessionRow};

use super::spend;

/// The configured primary model of an agent: the agent's own chain primary from
/// `openclaw.json`, else `agents.defaults.model` primary.
pub fn configured_model(config: &ConfigFacts, agent: &str) -> Option<ModelRef> {
    config
        .agent_chains
        .iter()
        .find(|(a, _)| a == agent)
        .and_then(|(_, c)| c.primary.clone())
        .or_else(|| config.default_chain.primary.clone())
}

pub(super) fn ms_to_time(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

/// Make sure a session exists under `key`; returns it.
pub(super) fn ensure<'a>(
    model: &'a mut Model,
    key: &str,
    agent_hint: Option<&str>,
) -> &'a mut Session {
    let hint = agent_hint.filter(|a| !a.is_empty());
    let config = &model.config;
    let s = model
        .sessions
        .by_key
        .entry(key.to_string())
        .or_insert_with(|| {
            let info = parse_key(key);
            let agent = info.agent.or(hint.map(str::to_string)).unwrap_or_default();
            Session {
                key: key.to_string(),
                configured_model: configured_model(config, &agent),
                agent_id: agent,
                kind: info.kind,
                cron_job_id: info.cron_job,
                ..Session::default()
            }
        });
    if s.agent_id.is_empty()
        && let Some(a) = hint
    {
        s.agent_id = a.to_string();
    }
    s
}

/// Where facts that name neither a session id nor a key are booked.
pub const UNKNOWN_SESSION: &str = "(unknown)";

/// True when the log's "session id" is in fact a session key (the top-level `session_id` of a
/// log record may be either, FORMATS.md §1.2).
fn looks_like_key(id: &str) -> bool {
    id.starts_with("agent:") || id.starts_with("cron:") || id.starts_with("hook:")
}

/// The key to fold a fact about `session_id` (and maybe `key`) into, creating a placeholder
/// keyed by the id when the key is unknown.
pub(super) fn locate(
    model: &mut Model,
    agent: Option<&str>,
    session_id: &str,
    key: Option<&str>,
) -> String {
    if let Some(k) = key.filter(|k| !k.is_empty()) {
        if !session_id.is_empty() {
            link(model, session_id, k, agent);
        }
        ensure(model, k, agent);
        return k.to_string();
    }
    if session_id.is_empty() {
        ensure(model, UNKNOWN_SESSION, agent);
        return UNKNOWN_SESSION.to_string();
    }
    if let Some(k) = model.sessions.resolve(session_id) {
        return k.to_string();
    }
    if looks_like_key(session_id) {
        ensure(model, session_id, agent);
        return session_id.to_string();
    }
    let s = ensure(model, session_id, agent);
    s.placeholder = true;
    s.session_id = session_id.to_string();
    model
        .sessions
        .key_by_session_id
        .insert(session_id.to_string(), session_id.to_string());
    session_id.to_string()
}

/// Record that `session_id` belongs to `key`, merging a placeholder kept under the id.
pub(super) fn link(model: &mut Model, session_id: &str, key: &str, agent: Option<&str>) {
    if session_id == key {
        return;
    }
    match model.sessions.key_by_session_id.get(session_id) {
        Some(k) if k == key => return,
        Some(k)
            if k != session_id
                && k.ends_with(&format!(":run:{session_id}"))
                && model.sessions.by_key.contains_key(k) =>
        {
            return;
        }
        _ => {}
    }
    model
        .sessions
        .key_by_session_id
        .insert(session_id.to_string(), key.to_string());
    model.cascades.needs_recompute = true;
    let is_placeholder = model
        .sessions
        .by_key
        .get(session_id)
        .is_some_and(|s| s.placeholder);
    if is_placeholder && let Some(p) = model.sessions.by_key.remove(session_id) {
        merge_placeholder(model, p, key, agent);
    }
}

fn merge_placeholder(model: &mut Model, p: Session, key: &str, agent: Option<&str>) {
    let agent = agent.or(Some(p.agent_id.as_str())).map(str::to_string);
    if !p.active_runs.is_empty() {
        model.sessions.running.insert(key.to_string());
    }
    let s = ensure(model, key, agent.as_deref());
    s.usage_turns += p.usage_turns;
    s.usage_tokens = s.usage_tokens.saturating_add(p.usage_tokens);
    s.cost_usd += p.cost_usd;
    s.unpriced_tokens = s.unpriced_tokens.saturating_add(p.unpriced_tokens);
    s.user_turns += p.user_turns;
    s.heartbeat_turns += p.heartbeat_turns;
    s.fallback_episodes += p.fallback_episodes;
    s.queued = s.queued.max(p.queued);
    for r in p.active_runs {
        if !s.active_runs.contains(&r) {
            s.active_runs.push(r);
        }
    }
    let excess = s.active_runs.len().saturating_sub(ACTIVE_RUNS_CAP);
    s.active_runs.drain(..excess);
    if let Some(at) = p.last_activity {
        s.touch(at);
    }
    if let (Some(m), Some(at)) = (p.current_model, p.current_model_at) {
        s.set_current_model(m, at);
    }
    if s.session_id.is_empty() {
        s.session_id = p.session_id.clone();
    }
    let mut turns: Vec<Turn> = s.turns.drain(..).chain(p.turns).collect();
    turns.sort_by_key(|t| t.at);
    for t in turns {
        s.push_turn(t);
    }
    let cron_job = s.cron_job_id.clone();
    spend::rekey_session(&mut model.spend, &p.key, key, cron_job.as_deref());
    if let Some(job) = &cron_job {
        spend::refresh_job_cost(model, job);
    }
    reclassify(model, key);
    super::cron::on_session_turn(model, key, None);
}

/// Re-derive the kind and the configured model of one session: key grammar; `subagent` for
/// a spawned session (`parent_session_key` / `created_via = spawn`); `heartbeat` when the owning
/// cron job is a heartbeat job, when a heartbeat job names the key as its `sessionKey` (a main
/// session keeps `main`), or when every user turn of a main/other session is a heartbeat poll.
/// The configured model is the owning cron job's `payload.model` when set, else the agent's
/// chain primary.
pub(super) fn reclassify(model: &mut Model, key: &str) {
    let Some(s) = model.sessions.by_key.get(key) else {
        return;
    };
    let job = s.cron_job_id.as_ref().and_then(|j| model.cron.jobs.get(j));
    let heartbeat_job = job.is_some_and(|j| crate::domain::cron::is_heartbeat_job(&j.row))
        || model.cron.jobs.values().any(|j| {
            j.row.session_key.as_deref() == Some(key)
                && crate::domain::cron::is_heartbeat_job(&j.row)
        });
    let configured = job
        .and_then(|j| j.row.model.as_deref())
        .and_then(ModelRef::parse)
        .or_else(|| configured_model(&model.config, &s.agent_id));
    let Some(s) = model.sessions.by_key.get_mut(key) else {
        return;
    };
    s.configured_model = configured;
    let mut kind = if s.placeholder {
        SessionKind::Other
    } else {
        parse_key(&s.key).kind
    };
    if kind == SessionKind::Other
        && (s.parent_key.is_some() || s.created_via.as_deref() == Some("spawn"))
    {
        kind = SessionKind::Subagent;
    }
    let only_polls = s.heartbeat_turns > 0 && s.user_turns == s.heartbeat_turns;
    if (heartbeat_job && kind != SessionKind::Main)
        || (matches!(kind, SessionKind::Main | SessionKind::Other) && only_polls)
    {
        kind = SessionKind::Heartbeat;
    }
    s.kind = kind;
}

/// Re-derive every session's kind (after a cron job set changed).
pub(super) fn reclassify_all(model: &mut Model) {
    let keys: Vec<String> = model.sessions.by_key.keys().cloned().collect();
    for k in keys {
        reclassify(model, &k);
    }
}

/// Tasks queued on the session's own lane `session:<key>` (0 when it has none); `name` is a
/// scratch buffer for the lane name, so a loop allocates it once.
fn queued_on(lanes: &crate::domain::Lanes, name: &mut String, key: &str) -> u32 {
    name.clear();
    name.push_str("session:");
    name.push_str(key);
    lanes.by_name.get(name.as_str()).map_or(0, |l| l.queued)
}

/// Recompute the state of one session.
pub(super) fn restate(model: &mut Model, key: &str) {
    let lane_queued = queued_on(&model.lanes, &mut String::new(), key);
    let now = model.now;
    let boot = model.gateway.boots.last().and_then(|b| b.started_at);
    if let Some(s) = model.sessions.by_key.get_mut(key) {
        s.tokens = s.shown_tokens();
        s.state = s.derive_state(now, lane_queued, boot);
    }
}

/// Recompute every session's state.
pub(super) fn restate_all(model: &mut Model) {
    let now = model.now;
    let boot = model.gateway.boots.last().and_then(|b| b.started_at);
    let mut name = String::new();
    for (key, s) in model.sessions.by_key.iter_mut() {
        let lane_queued = queued_on(&model.lanes, &mut name, key);
        s.tokens = s.shown_tokens();
        s.state = s.derive_state(now, lane_queued, boot);
    }
}

/// A log line named a session (id or key): raise its last activity if it is known.
pub(super) fn touch_named(model: &mut Model, id_or_key: &str, at: DateTime<Utc>) {
    let Some(key) = model.sessions.resolve(id_or_key).map(str::to_string) else {
        return;
    };
    if let Some(s) = model.sessions.by_key.get_mut(&key) {
        s.touch(at);
    }
    restate(model, &key);
}

/// A lane event on `session:<key>`: touch that session. A run's lane names its key
/// `agent:<a>:cron:<job>:run:<sessionId>`: a session known so far only by that id (a
/// placeholder made from a transcript or from log lines that name the id alone, e.g. a 5.20
/// isolated run no store lists) takes the key, and with it its agent and cron job; on a legacy
/// store an id not known at all starts that session under its key.
pub(super) fn touch_lane(model: &mut Model, lane: &str, at: DateTime<Utc>) {
    let Some(key) = lane_session_key(lane) else {
        return;
    };
    if let Some((_, id)) = key.rsplit_once(":run:") {
        if model.sessions.by_key.get(id).is_some_and(|s| s.placeholder) {
            let agent = parse_key(key).agent;
            link(model, id, key, agent.as_deref());
        } else if model.generation == Some(crate::fact::Generation::Legacy)
            && looks_like_session_id(id)
            && !model.sessions.key_by_session_id.contains_key(id)
        {
            // ≤ 2026.5 lists only a job's newest run in `sessions.json`: an older run (or one
            // killed before its transcript) is a session of its own that no store lists.
            let agent = parse_key(key).agent;
            ensure(model, key, agent.as_deref()).session_id = id.to_string();
            model
                .sessions
                .key_by_session_id
                .insert(id.to_string(), key.to_string());
        }
    }
    touch_named(model, key, at);
}

/// A UUID-shaped session id (`8b394e45-3639-45b5-9567-005c05aa5519`), not the `<runAtMs>` of a
/// legacy `systemEvent` run key.
fn looks_like_session_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().filter(|b| *b == b'-').count() == 4
}

pub(super) fn on_snapshot(model: &mut Model, fact: &Fact, agent_id: &str, rows: &[SessionRow]) {
    let source = fact.origin.kind;
    let listed: HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    for row in rows {
        upsert_row(model, fact, agent_id, row);
    }
    let vanished: Vec<String> = model
        .sessions
        .by_key
        .values()
        .filter(|s| {
            s.agent_id == agent_id
                && s.row_source == Some(source)
                && !listed.contains(s.key.as_str())
        })
        .map(|s| s.key.clone())
        .collect();
    for key in vanished {
        let keep = model
            .sessions
            .by_key
            .get(&key)
            .is_some_and(Session::has_other_evidence);
        if keep {
            if let Some(s) = model.sessions.by_key.get_mut(&key) {
                s.row_source = None;
                s.status = None;
            }
            restate(model, &key);
        } else {
            model.sessions.by_key.remove(&key);
            model.sessions.key_by_session_id.retain(|_, k| *k != key);
        }
    }
}

fn upsert_row(model: &mut Model, fact: &Fact, agent_id: &str, row: &SessionRow) {
    if row.key.is_empty() {
        return;
    }
    let agent = if row.agent_id.is_empty() {
        agent_id
    } else {
        row.agent_id.as_str()
    };
    if !row.session_id.is_empty() {
        link(model, &row.session_id, &row.key, Some(agent));
    }
    let s = ensure(model, &row.key, Some(agent));
    s.placeholder = false;
    if !row.session_id.is_empty() {
        s.session_id = row.session_id.clone();
    }
    s.status = row.status.clone();
    s.label = row.label.clone().or(s.label.take());
    s.created_via = row.created_via.clone();
    s.session_gone = row.transcript_missing;
    s.parent_key = row.parent_session_key.clone();
    s.model_override = row.model_override.clone();
    s.row_tokens = row
        .total_tokens
        .or(match (row.input_tokens, row.output_tokens) {
            (None, None) => None,
            (i, o) => Some(i.unwrap_or(0) + o.unwrap_or(0)),
        });
    let activity = row
        .last_activity_at_ms
        .into_iter()
        .chain(row.last_interaction_at_ms)
        .max()
        .or(row.updated_at_ms);
    if let Some(at) = activity.and_then(ms_to_time) {
        s.touch(at);
    }
    if let Some(m) = &row.model {
        let at = row.updated_at_ms.and_then(ms_to_time).unwrap_or(fact.at);
        s.set_current_model(m.clone(), at);
    }
    s.origin = Some(fact.origin.clone());
    s.row_source = Some(fact.origin.kind);
    let key = row.key.clone();
    reclassify(model, &key);
    restate(model, &key);
}
