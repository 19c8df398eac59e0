//! The one action runner: every change lanetop makes to a gateway goes through
//! [`Runner::run`]. The read-only gate is enforced here, in one place; every attempt (refused,
//! failed or applied) gets one audit record.
//!
//! RPCs (FORMATS.md §5, FORMATS-LEGACY.md §6): kill = `sessions.abort {key, clearQueued:true}`
//! (`chat.abort {sessionKey}` when the hello lacks `sessions.abort`); reset =
//! `sessions.reset {key, reason:"reset", expectedSessionId}`; prune = `sessions.delete {key,
//! expectedSessionId}` (2026.9.6 archives the transcript of a deleted session in
//! `session_transcript_archives`), or, for a binding whose session is gone, `sessions.cleanup
//! {agent, fixMissing:true}` where the hello lists it (2026.5.20+); pause/resume = `cron.update {id, patch:{enabled}}`; pin =
//! `sessions.patch {key, model, expectedSessionId}`. Fields the ≤ 2026.5 schemas lack
//! (`clearQueued`, `expectedSessionId`) are left out for those servers (closed schemas).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;

use super::audit::{AuditLog, Record};
use super::client::Client;
use super::error::RpcError;

mod task;
pub use task::{SHUTDOWN_GRACE, spawn};

/// One change to make on the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Abort the session's active run and drop its queued followups.
    KillRun { key: String },
    /// Start a fresh session id for the key, only if it still has `expected_session_id`.
    ResetSession {
        key: String,
        expected_session_id: Option<String>,
    },
    /// Delete a stale binding; `reason` is the prune rule that selected it.
    PruneSession {
        key: String,
        reason: String,
        expected_session_id: Option<String>,
    },
    /// Pause (`enabled:false`) or resume a cron job. `all` marks the pause-all kill switch.
    SetCronEnabled {
        id: String,
        enabled: bool,
        all: bool,
    },
    /// Set the session's model override (`provider/model`).
    PinModel {
        key: String,
        model: String,
        expected_session_id: Option<String>,
    },
}

/// Who asked for an effect: the audit record's `by` (`operator`, or `guard:<rule>` with the
/// rule's reason).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Initiator {
    /// A keystroke confirmed in the console (also a watch hook that names no rule).
    #[default]
    Operator,
    /// An opt-in guard rule of `lanetop watch` ([`crate::guard::Rule::name`]) and its reason
    /// (one line, with the numbers).
    Guard { rule: &'static str, reason: String },
}

impl Initiator {
    /// `operator` / `guard:pause_cron_over_budget`.
    pub fn name(&self) -> String {
        match self {
            Initiator::Operator => "operator".into(),
            Initiator::Guard { rule, .. } => format!("guard:{rule}"),
        }
    }

    /// The guard's reason, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Initiator::Operator => None,
            Initiator::Guard { reason, .. } => Some(reason),
        }
    }
}

/// What the runner task receives: an effect and who asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub effect: Effect,
    pub by: Initiator,
}

impl From<Effect> for Request {
    /// An operator's request.
    fn from(effect: Effect) -> Self {
        Self {
            effect,
            by: Initiator::Operator,
        }
    }
}

impl Effect {
    /// The keymap action name this effect came from (audit `action`).
    pub fn action(&self) -> &'static str {
        match self {
            Effect::KillRun { .. } => "kill-run",
            Effect::ResetSession { .. } => "reset-session",
            Effect::PruneSession { .. } => "prune-stale",
            Effect::SetCronEnabled { all: true, .. } => "pause-all-cron",
            Effect::SetCronEnabled { enabled: false, .. } => "pause-cron",
            Effect::SetCronEnabled { enabled: true, .. } => "resume-cron",
            Effect::PinModel { .. } => "pin-model",
        }
    }
    /// The session key or cron job id acted on.
    pub fn target(&self) -> &str {
        match self {
            Effect::KillRun { key }
            | Effect::ResetSession { key, .. }
            | Effect::PruneSession { key, .. }
            | Effect::PinModel { key, .. } => key,
            Effect::SetCronEnabled { id, .. } => id,
        }
    }
}

/// What happened to one effect.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub action: &'static str,
    pub target: String,
    /// The RPC method used (`None` when refused before sending).
    pub method: Option<String>,
    pub ok: bool,
    /// One line for the status bar (never holds a secret).
    pub summary: String,
    /// The gateway's payload, or the error as JSON.
    pub answer: Value,
}

/// The current connection, shared with the live poller ([`super::live`]).
pub type Link = watch::Receiver<Option<Arc<Client>>>;

/// Runs effects against the connected gateway.
#[derive(Debug, Clone)]
pub struct Runner {
    pub read_only: bool,
    link: Link,
    audit: Option<AuditLog>,
    pub timeout: Duration,
    /// Legacy state dir (≤ 2026.5): with no RPC link, prune edits `sessions.json` directly.
    offline: Option<std::path::PathBuf>,
    /// The gateway version known from the files (log), for the offline edit rule.
    offline_version: Option<String>,
}

/// `2026.M.D…` → (year, month); `None` when not that shape.
fn release(version: Option<&str>) -> Option<(u32, u32)> {
    let mut it = version?.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// True when the server is 2026.6 or newer (or unknown): the newer, larger schemas apply.
fn modern(client: &Client) -> bool {
    release(client.hello.server_version.as_deref()).is_none_or(|v| v >= (2026, 6))
}

/// The method and params for an effect on this server; `Err` when it has no RPC for it.
pub fn plan(effect: &Effect, client: &Client) -> Result<(&'static str, Value), String> {
    let modern = modern(client);
    let with_expected = |mut v: Value, exp: &Option<String>| {
        if let (true, Some(e)) = (modern, exp) {
            v["expectedSessionId"] = json!(e);
        }
        v
    };
    Ok(match effect {
        Effect::KillRun { key } if client.has_method("sessions.abort") => {
            let mut p = json!({"key": key});
            if modern {
                p["clearQueued"] = json!(true);
            }
            ("sessions.abort", p)
        }
        Effect::KillRun { key } => ("chat.abort", json!({"sessionKey": key})),
        Effect::ResetSession {
            key,
            expected_session_id,
        } => (
            "sessions.reset",
            with_expected(json!({"key": key, "reason": "reset"}), expected_session_id),
        ),
        Effect::PruneSession { key, reason, .. }
            if reason.starts_with(SESSION_GONE) && client.has_method("sessions.cleanup") =>
        {
            // The gateway's own repair for bindings whose transcript is gone (`fixMissing`),
            // scoped to the key's agent (2026.5.20+; closed schema: only these keys).
            let agent = key
                .strip_prefix("agent:")
                .and_then(|r| r.split(':').next())
                .unwrap_or("main");
            (
                "sessions.cleanup",
                json!({"agent": agent, "fixMissing": true}),
            )
        }
        Effect::PruneSession {
            key,
            expected_session_id,
            ..
        } => (
            "sessions.delete",
            with_expected(json!({"key": key}), expected_session_id),
        ),
        Effect::SetCronEnabled { id, enabled, .. } => (
            "cron.update",
            json!({"id": id, "patch": {"enabled": enabled}}),
        ),
        Effect::PinModel { .. } if !client.has_method("sessions.patch") || !modern => {
            return Err("this gateway has no RPC to set a session's model override".into());
        }
        Effect::PinModel {
            key,
            model,
            expected_session_id,
        } => (
            "sessions.patch",
            with_expected(json!({"key": key, "model": model}), expected_session_id),
        ),
    })
}

/// The prune reason of the "binding whose session is gone" rule (`crate::ui::actions`): such
/// a binding is repaired with `sessions.cleanup {agent, fixMissing:true}` where the gateway has
/// it (the gateway drops the entries whose transcript is missing, and nothing it still has).
pub const SESSION_GONE: &str = "session gone";

/// `sessions.abort` answers `{ok, status:"aborted"|"no-active-run", abortedRunId, …}` (2026.9.6,
/// observed); any queue counters it adds are shown too.
fn kill_text(t: &str, method: &str, v: &Value) -> String {
    let status = v.get("status").and_then(Value::as_str).unwrap_or("done");
    let mut s = format!("kill {t} via {method}: {status}");
    if let Some(run) = v.get("abortedRunId").and_then(Value::as_str) {
        s.push_str(&format!(", aborted run {run}"));
    }
    if let Some(o) = v.as_object() {
        for (k, x) in o {
            if k.to_ascii_lowercase().contains("queue") || k.contains("dropped") {
                s.push_str(&format!(", {k}={x}"));
            }
        }
    }
    s
}

/// A session id named in a `session-changed` rejection's details, if any.
fn changed_to(err: &RpcError) -> Option<String> {
    let RpcError::Rejected {
        details: Some(d), ..
    } = err
    else {
        return None;
    };
    let obj = d.as_object()?;
    ["currentSessionId", "actualSessionId", "sessionId"]
        .iter()
        .find_map(|k| obj.get(*k)?.as_str().map(String::from))
}

impl Runner {
    /// A runner over `link`; `audit` is where records go (`None`: no audit, tests only).
    pub fn new(read_only: bool, link: Link, audit: Option<AuditLog>) -> Self {
        Self {
            read_only,
            link,
            audit,
            timeout: Duration::from_secs(15),
            offline: None,
            offline_version: None,
        }
    }

    /// Enable the offline legacy prune for the state dir of a ≤ 2026.5 install
    /// ([`crate::offline`]): used only while there is no RPC link.
    pub fn with_offline(mut self, state_dir: std::path::PathBuf) -> Self {
        self.offline = Some(state_dir);
        self
    }

    /// The gateway version the files show (e.g. the log's), which decides the offline edit
    /// rule before the on-disk evidence does ([`crate::offline::release::detect`]).
    pub fn with_offline_version(mut self, version: Option<String>) -> Self {
        self.offline_version = version;
        self
    }

    /// Prune one entry from `<state>/agents/<agent>/sessions/sessions.json` (gateway stopped).
    async fn offline_prune(
        &self,
        state_dir: &std::path::Path,
        effect: &Effect,
        key: &str,
        expected: Option<&String>,
        by: &Initiator,
    ) -> Outcome {
        use crate::offline::{LegacyRelease, Removal, remove_entries, store_edit};
        let Some(agent) = key.strip_prefix("agent:").and_then(|r| r.split(':').next()) else {
            return self.refused(
                effect,
                "gateway not connected (offline edit needs an agent:<id>:… key)",
                by,
            );
        };
        let store = state_dir
            .join("agents")
            .join(agent)
            .join("sessions/sessions.json");
        if !store.is_file() {
            return self.refused(effect, "gateway not connected", by);
        }
        let removal = Removal {
            key: key.to_string(),
            expected_session_id: expected.cloned(),
        };
        // The edit rule by release: 2026.3 edits under `sessions.json.lock` (the gateway honours
        // it); 2026.5 (or unknown) refuses while any gateway process is alive.
        let detected = crate::offline::release::detect(state_dir, self.offline_version.as_deref());
        let rule = match detected.release {
            LegacyRelease::Locking => "store lock (2026.3)",
            LegacyRelease::Unlocked => "no store lock: gateway must be stopped (2026.5)",
        };
        let params = json!({"store": store.display().to_string(), "key": key,
                            "expectedSessionId": expected, "rule": rule,
                            "release": detected.why});
        let path = store.clone();
        let release = detected.release;
        let res = tokio::task::spawn_blocking(move || {
            remove_entries(
                &path,
                &[removal],
                release,
                store_edit::gateway_process_alive(),
            )
        })
        .await;
        let (ok, answer, summary) = match res {
            Ok(Ok(r)) if !r.removed.is_empty() => (
                true,
                json!({"removed": r.removed, "backup": r.backup.map(|b| b.display().to_string())}),
                format!(
                    "pruned {key} offline from {} (backup kept; {rule}: {})",
                    store.display(),
                    detected.why
                ),
            ),
            Ok(Ok(r)) => {
                let why = r
                    .skipped
                    .first()
                    .map_or("nothing to do".into(), |(_, w)| w.clone());
                (
                    false,
                    json!({"skipped": why}),
                    format!("prune-stale {key}: kept: {why}"),
                )
            }
            Ok(Err(e)) => (
                false,
                json!({"error": e.to_string()}),
                format!("prune-stale {key}: {e}"),
            ),
            Err(e) => (
                false,
                json!({"error": e.to_string()}),
                format!("prune-stale {key}: {e}"),
            ),
        };
        let o = Outcome {
            action: effect.action(),
            target: key.to_string(),
            method: Some("offline:sessions.json".into()),
            ok,
            summary,
            answer,
        };
        self.record(&o, &params, by)
    }

    fn record(&self, o: &Outcome, params: &Value, by: &Initiator) -> Outcome {
        let mut o = o.clone();
        if let Some(a) = &self.audit {
            let r = Record {
                action: o.action,
                target: &o.target,
                method: o.method.as_deref(),
                params,
                ok: o.ok,
                answer: &o.answer,
                by,
            };
            if let Err(e) = a.append(&r) {
                tracing::warn!("audit log {}: {e}", a.path().display());
                o.summary
                    .push_str(&format!(" (audit log not written: {e})"));
            }
        }
        o
    }

    /// Audit an effect that lanetop gave up on at exit (`why`: not sent, or no answer yet).
    fn interrupted(&self, effect: &Effect, why: &str, by: &Initiator) {
        let o = Outcome {
            action: effect.action(),
            target: effect.target().to_string(),
            method: None,
            ok: false,
            summary: format!("{} {}: {why}", effect.action(), effect.target()),
            answer: json!({"interrupted": why}),
        };
        if !self.read_only {
            self.record(&o, &Value::Null, by);
        }
    }

    fn refused(&self, effect: &Effect, why: &str, by: &Initiator) -> Outcome {
        let o = Outcome {
            action: effect.action(),
            target: effect.target().to_string(),
            method: None,
            ok: false,
            summary: format!("{} {}: refused: {why}", effect.action(), effect.target()),
            answer: json!({"refused": why}),
        };
        self.record(&o, &Value::Null, by)
    }

    /// Run one operator's effect ([`Self::run_by`]).
    pub async fn run(&self, effect: &Effect) -> Outcome {
        self.run_by(effect, &Initiator::Operator).await
    }

    /// Run one effect: the read-only gate, the connection check, the RPC with a timeout, the
    /// audit record (naming `by`). Never retries.
    pub async fn run_by(&self, effect: &Effect, by: &Initiator) -> Outcome {
        if self.read_only {
            // Read-only means nothing reaches the gateway or the disk: not even an audit record
            // (the refusal is shown and goes to lanetop's in-memory log).
            tracing::info!(action = effect.action(), target = %effect.target(), "refused: read-only mode");
            return Outcome {
                action: effect.action(),
                target: effect.target().to_string(),
                method: None,
                ok: false,
                summary: format!(
                    "{} {}: refused: read-only mode",
                    effect.action(),
                    effect.target()
                ),
                answer: json!({"refused": "read-only mode"}),
            };
        }
        let client = self.link.borrow().clone();
        let Some(client) = client.filter(|c| !c.is_closed()) else {
            if let (
                Some(dir),
                Effect::PruneSession {
                    key,
                    expected_session_id,
                    ..
                },
            ) = (&self.offline, effect)
            {
                return self
                    .offline_prune(dir, effect, key, expected_session_id.as_ref(), by)
                    .await;
            }
            return self.refused(effect, "gateway not connected", by);
        };
        let (method, params) = match plan(effect, &client) {
            Ok(p) => p,
            Err(why) => return self.refused(effect, &why, by),
        };
        let res = client.call(method, params.clone(), self.timeout).await;
        let (ok, answer, summary) = match &res {
            Ok(v) => (true, v.clone(), self.success_text(effect, method, v)),
            Err(e) => (
                false,
                e.to_json(),
                self.failure_text(effect, e, &client).await,
            ),
        };
        let o = Outcome {
            action: effect.action(),
            target: effect.target().to_string(),
            method: Some(method.to_string()),
            ok,
            summary,
            answer,
        };
        self.record(&o, &params, by)
    }

    fn success_text(&self, effect: &Effect, method: &str, v: &Value) -> String {
        let t = effect.target();
        match effect {
            Effect::KillRun { .. } => kill_text(t, method, v),
            Effect::ResetSession {
                expected_session_id,
                ..
            } => {
                let new = v
                    .pointer("/entry/sessionId")
                    .or_else(|| v.get("sessionId"))
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                // 2026.9.6 (observed) resets `agent:<id>:main` in place: same session id, a
                // fresh row (tokens 0, new `sessionStartedAt` and `lifecycleRevision`).
                if expected_session_id.as_deref() == Some(new) {
                    format!("reset {t}: fresh start, session id {new} kept")
                } else {
                    format!("reset {t}: new session {new}")
                }
            }
            Effect::PruneSession { reason, .. } if method == "sessions.cleanup" => {
                let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
                format!(
                    "pruned {t} ({reason}) via sessions.cleanup: {} missing binding(s) fixed, {} → {} entries",
                    n("missing"),
                    n("beforeCount"),
                    n("afterCount")
                )
            }
            Effect::PruneSession { reason, .. } => format!("pruned {t} ({reason})"),
            Effect::SetCronEnabled { enabled, .. } => {
                format!("cron {t}: enabled={enabled}")
            }
            Effect::PinModel { model, .. } => format!("pinned {t} to {model}"),
        }
    }

    async fn failure_text(&self, effect: &Effect, e: &RpcError, client: &Client) -> String {
        let t = effect.target();
        if e.reason() == Some("session-changed") {
            let now = match changed_to(e) {
                Some(id) => Some(id),
                None => current_session_id(client, t, self.timeout).await,
            };
            let now = match now {
                Some(id) => format!("now session {id}"),
                None => "no longer listed by the gateway".into(),
            };
            return format!(
                "{} {t}: session changed since you looked ({now}); not retried",
                effect.action()
            );
        }
        if let Some(scope) = e.missing_scope() {
            return format!(
                "{} {t}: gateway refused: missing scope {scope}",
                effect.action()
            );
        }
        format!("{} {t}: {e}", effect.action())
    }
}

/// The key's current session id per `sessions.list` (used to explain a `session-changed`).
async fn current_session_id(client: &Client, key: &str, timeout: Duration) -> Option<String> {
    let v = client
        .call(
            "sessions.list",
            json!({"search": key, "limit": 20}),
            timeout,
        )
        .await
        .ok()?;
    v.get("sessions")?
        .as_array()?
        .iter()
        .find(|r| r.get("key").and_then(Value::as_str) == Some(key))?
        .get("sessionId")?
        .as_str()
        .map(String::from)
}
