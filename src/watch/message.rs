//! Push messages and their three wire forms (generic webhook JSON, ntfy, Slack).
//!
//! Webhook body, schema 1 (documented in the README, "lanetop watch"):
//! ```text
//! incident: {"schema":1, "type":"incident", "kind":"retry-storm", "subject":"<job id|session key|…>",
//!            "severity":"info|warn|crit", "state":"firing|repeat|resolved", "usd":12.34|null,
//!            "cause":"…", "evidence":[{"file","line"}|{"file","table","key"}], "remedy":"pause-cron"|null,
//!            "host":"…", "first_seen":RFC3339, "last_seen":RFC3339, "sent_at":RFC3339}
//! action:   {"schema":1, "type":"action", "action":"pause-cron", "target":"…", "ok":bool,
//!            "summary":"…", "severity":…, "host":"…", "sent_at":RFC3339}
//! digest:   {"schema":1, "type":"digest", "severity":"info", "since":RFC3339|null,
//!            "until":RFC3339, "total_usd":…, "text":"<markdown>", "host":"…", "sent_at":RFC3339}
//! ```
//! `usd` is the detector's USD at stake (burned in its window, per day, or projected), rounded
//! to cents; `null` when unpriced. Times are UTC.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::config::TargetKind;
use crate::domain::detect::{Alert, Severity};
use crate::report::alerts::EvidenceOut;

/// Webhook body schema version.
pub const SCHEMA: u32 = 1;

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// First message of the incident.
    Firing,
    /// Still firing after `repeat_minutes`.
    Repeat,
    /// Quiet for `resolve_grace_minutes`.
    Resolved,
}

impl State {
    /// `firing`, `repeat`, `resolved`.
    pub fn name(self) -> &'static str {
        match self {
            State::Firing => "firing",
            State::Repeat => "repeat",
            State::Resolved => "resolved",
        }
    }
}

/// One incident message: the alert as last seen, and where the incident is.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub state: State,
    /// The alert (for `resolved`: as it was last seen firing).
    pub alert: Alert,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// Anything `lanetop watch` pushes.
#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    Incident(Incident),
    /// An effect's outcome from the runner (guard actions).
    Action {
        action: String,
        target: String,
        ok: bool,
        summary: String,
    },
    /// The morning digest.
    Digest {
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
        total_usd: f64,
        markdown: String,
    },
}

fn usd2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

impl Push {
    /// The severity targets filter on: the alert's (resolved messages keep it, so whoever got
    /// the firing message gets the resolution), `warn` for an action (done or failed), `info`
    /// for the digest (`[watch.digest] min_severity` overrides it, see [`super::deliver`]).
    pub fn severity(&self) -> Severity {
        match self {
            Push::Incident(i) => i.alert.severity,
            Push::Action { .. } => Severity::Warn,
            Push::Digest { .. } => Severity::Info,
        }
    }

    /// One-line title (ntfy `Title`, Slack first line, log line).
    pub fn title(&self) -> String {
        match self {
            Push::Incident(i) => {
                let a = &i.alert;
                let usd = a
                    .usd
                    .map_or(String::new(), |u| format!(" (${:.2})", usd2(u)));
                let tag = match i.state {
                    State::Firing => a.severity.name().to_uppercase(),
                    State::Repeat => format!("STILL {}", a.severity.name().to_uppercase()),
                    State::Resolved => "RESOLVED".into(),
                };
                format!("[{tag}] {} {}{usd}", a.kind.name(), a.subject)
            }
            Push::Action {
                action, target, ok, ..
            } => format!(
                "[ACTION {}] {action} {target}",
                if *ok { "OK" } else { "FAILED" }
            ),
            Push::Digest { total_usd, .. } => {
                format!(
                    "lanetop digest: ${:.2} since the last one",
                    usd2(*total_usd)
                )
            }
        }
    }

    /// Plain text body (ntfy body, Slack text after the title).
    pub fn text(&self, host: &str) -> String {
        match self {
            Push::Incident(i) => {
                let a = &i.alert;
                let mut s = format!("{}\nhost {host}", a.cause);
                if let Some(r) = a.remedy {
                    s.push_str(&format!(", remedy: {}", r.action_name()));
                }
                s.push_str(&format!(
                    "\nfirst seen {}, last seen {}",
                    i.first_seen.to_rfc3339(),
                    i.last_seen.to_rfc3339()
                ));
                if let Some(e) = a.evidence.first() {
                    let e = EvidenceOut::of(e);
                    let at = e.line.map_or_else(
                        || {
                            format!(
                                "{}:{}",
                                e.table.unwrap_or_default(),
                                e.key.unwrap_or_default()
                            )
                        },
                        |l| l.to_string(),
                    );
                    s.push_str(&format!("\nevidence: {}:{at}", e.file));
                }
                s
            }
            Push::Action { summary, .. } => format!("{summary}\nhost {host}"),
            Push::Digest { markdown, .. } => markdown.clone(),
        }
    }

    /// The generic webhook JSON body (schema [`SCHEMA`]).
    pub fn webhook_json(&self, host: &str, sent_at: DateTime<Utc>) -> Value {
        match self {
            Push::Incident(i) => {
                let a = &i.alert;
                json!({
                    "schema": SCHEMA, "type": "incident",
                    "kind": a.kind.name(), "subject": a.subject,
                    "severity": a.severity.name(), "state": i.state.name(),
                    "usd": a.usd.map(usd2), "cause": a.cause,
                    "evidence": a.evidence.iter().map(EvidenceOut::of).collect::<Vec<_>>(),
                    "remedy": a.remedy.map(|r| r.action_name()),
                    "host": host,
                    "first_seen": i.first_seen, "last_seen": i.last_seen, "sent_at": sent_at,
                })
            }
            Push::Action {
                action,
                target,
                ok,
                summary,
            } => json!({
                "schema": SCHEMA, "type": "action", "action": action, "target": target,
                "ok": ok, "summary": summary, "severity": self.severity().name(),
                "host": host, "sent_at": sent_at,
            }),
            Push::Digest {
                since,
                until,
                total_usd,
                markdown,
            } => json!({
                "schema": SCHEMA, "type": "digest", "severity": "info",
                "since": since, "until": until,
                "total_usd": crate::report::round_usd(*total_usd),
                "text": markdown, "host": host, "sent_at": sent_at,
            }),
        }
    }

    /// ntfy priority: 5 (max) for crit firing, 4 warn, 3 info/resolved/digest.
    pub fn ntfy_priority(&self) -> u8 {
        match self {
            Push::Incident(i) if i.state == State::Resolved => 3,
            Push::Incident(i) => match i.alert.severity {
                Severity::Crit => 5,
                Severity::Warn => 4,
                Severity::Info => 3,
            },
            Push::Action { ok: false, .. } => 4,
            _ => 3,
        }
    }

    /// ntfy tags (emoji shortcodes + kind).
    pub fn ntfy_tags(&self) -> String {
        match self {
            Push::Incident(i) => {
                let e = match (i.state, i.alert.severity) {
                    (State::Resolved, _) => "white_check_mark",
                    (_, Severity::Crit) => "rotating_light",
                    (_, Severity::Warn) => "warning",
                    _ => "information_source",
                };
                format!("{e},{}", i.alert.kind.name())
            }
            Push::Action { ok, .. } => if *ok { "robot,action" } else { "x,action" }.into(),
            Push::Digest { .. } => "sunrise,digest".into(),
        }
    }

    /// The body for a target kind: (content type, bytes, extra headers).
    pub fn wire(
        &self,
        kind: TargetKind,
        host: &str,
        sent_at: DateTime<Utc>,
    ) -> (&'static str, Vec<u8>, Vec<(&'static str, String)>) {
        match kind {
            TargetKind::Webhook => (
                "application/json",
                self.webhook_json(host, sent_at).to_string().into_bytes(),
                Vec::new(),
            ),
            TargetKind::Ntfy => (
                "text/plain; charset=utf-8",
                self.text(host).into_bytes(),
                vec![
                    // ntfy headers must be ASCII-safe: titles are ours, but a subject may not be.
                    ("Title", ascii(&self.title())),
                    ("Priority", self.ntfy_priority().to_string()),
                    ("Tags", self.ntfy_tags()),
                ],
            ),
            TargetKind::Slack => {
                let text = format!("*{}*\n{}", self.title(), self.text(host));
                (
                    "application/json",
                    json!({ "text": text }).to_string().into_bytes(),
                    Vec::new(),
                )
            }
        }
    }
}

/// Non-ASCII and control characters replaced by `?` (HTTP header values).
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// This host's name (the `host` field), `unknown` when the OS does not say.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `len` bytes into the buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown".into();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
