//! The `[watch]` section of `lanetop.toml` (same file as the detector settings,
//! `crate::config::settings`; that parser skips `[watch]`, this one reads it).
//!
//! ```toml
//! [watch]
//! repeat_minutes = 60          # a still-firing incident is repeated at most this often
//! resolve_grace_minutes = 10   # quiet this long before "resolved" is sent (no flapping spam)
//! queue = 256                  # pending deliveries kept; beyond it the oldest is dropped
//!
//! [[watch.targets]]            # as many as you like; every one gets every message ≥ min_severity
//! kind = "webhook"             # webhook | ntfy | slack
//! url = "https://example.org/hook"
//! min_severity = "warn"        # info | warn | crit (default warn)
//! name = "ops-hook"            # shown in logs and the status bar (default: the URL's host)
//!
//! [watch.digest]
//! hour = 7                     # local hour (0-23) of the morning digest; no digest unless set
//! min_severity = "info"        # digests go to targets whose min_severity ≤ this (default info)
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::domain::detect::Severity;

/// A push target's protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// Generic webhook: POST of the JSON body documented in the README (schema 1).
    Webhook,
    /// ntfy: POST of the text to the topic URL, `Title`, `Priority`, `Tags` headers.
    Ntfy,
    /// Slack-compatible incoming webhook: POST `{"text": …}`.
    Slack,
}

impl TargetKind {
    /// `webhook`, `ntfy`, `slack`.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Webhook => "webhook",
            TargetKind::Ntfy => "ntfy",
            TargetKind::Slack => "slack",
        }
    }
}

/// One `[[watch.targets]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub kind: TargetKind,
    /// http(s) URL.
    pub url: String,
    /// Least severity sent to this target (`info | warn | crit`, default `warn`).
    #[serde(default = "default_min", deserialize_with = "severity")]
    pub min_severity: Severity,
    /// Display name (default: the URL's host and port).
    #[serde(default)]
    pub name: Option<String>,
}

impl Target {
    /// The name for logs and the status bar: `name`, else `kind:host[:port]`.
    pub fn label(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        let host = reqwest::Url::parse(&self.url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
            })
            .unwrap_or_else(|| "?".into());
        format!("{}:{host}", self.kind.name())
    }
}

/// `[watch.digest]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    /// Local hour (0–23) at which the digest is sent.
    pub hour: u32,
    /// The digest's severity for the targets' `min_severity` filter (default `info`: only
    /// targets with `min_severity = "info"` get it). Set `warn` to send it to every `warn`
    /// target too.
    #[serde(default = "default_digest_sev", deserialize_with = "severity")]
    pub min_severity: Severity,
}

/// The whole `[watch]` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    /// Minutes between two messages about the same still-firing incident (60).
    #[serde(default = "default_repeat")]
    pub repeat_minutes: i64,
    /// Minutes an incident must stay quiet before "resolved" is sent (10).
    #[serde(default = "default_grace")]
    pub resolve_grace_minutes: i64,
    /// Pending deliveries kept per target (256).
    #[serde(default = "default_queue")]
    pub queue: usize,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub digest: Option<DigestConfig>,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            repeat_minutes: default_repeat(),
            resolve_grace_minutes: default_grace(),
            queue: default_queue(),
            targets: Vec::new(),
            digest: None,
        }
    }
}

fn default_min() -> Severity {
    Severity::Warn
}
fn default_digest_sev() -> Severity {
    Severity::Info
}
fn default_repeat() -> i64 {
    60
}
fn default_grace() -> i64 {
    10
}
fn default_queue() -> usize {
    256
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    let s = String::deserialize(d)?;
    Severity::parse(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown severity `{s}` (info|warn|crit)")))
}

/// Parse the `[watch]` section out of the whole `lanetop.toml` text (defaults when absent).
/// Errors name the file and what is wrong (unknown key, bad URL, hour out of range).
pub fn parse(file: &str, text: &str) -> Result<WatchConfig, String> {
    #[derive(Deserialize)]
    struct Root {
        #[serde(default)]
        watch: Option<WatchConfig>,
    }
    let root: Root = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    let cfg = root.watch.unwrap_or_default();
    validate(&cfg).map_err(|e| format!("{file}: [watch]: {e}"))?;
    Ok(cfg)
}

fn validate(cfg: &WatchConfig) -> Result<(), String> {
    if cfg.repeat_minutes < 1 || cfg.resolve_grace_minutes < 0 {
        return Err("repeat_minutes must be ≥ 1 and resolve_grace_minutes ≥ 0".into());
    }
    if cfg.queue == 0 {
        return Err("queue must be ≥ 1".into());
    }
    if let Some(d) = &cfg.digest
        && d.hour > 23
    {
        return Err(format!("digest.hour must be 0-23, not {}", d.hour));
    }
    for t in &cfg.targets {
        let u = reqwest::Url::parse(&t.url).map_err(|e| format!("target url `{}`: {e}", t.url))?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(format!("target url `{}` must be http or https", t.url));
        }
    }
    Ok(())
}

/// Read `<config_dir>/lanetop.toml` and parse `[watch]`; a missing file or dir gives the
/// defaults (no targets).
pub fn load(config_dir: Option<&Path>) -> Result<WatchConfig, String> {
    let Some(path) = config_dir.map(|d| d.join(crate::config::settings::FILE)) else {
        return Ok(WatchConfig::default());
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&path.display().to_string(), &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WatchConfig::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets_and_digest() {
        let text = r#"
read_only = true
[watch]
repeat_minutes = 30
[[watch.targets]]
kind = "ntfy"
url = "http://127.0.0.1:9/topic"
min_severity = "crit"
[[watch.targets]]
kind = "webhook"
url = "https://example.org/h"
[watch.digest]
hour = 7
"#;
        let c = parse("t", text).unwrap();
        assert_eq!(c.repeat_minutes, 30);
        assert_eq!(c.resolve_grace_minutes, 10);
        assert_eq!(c.targets.len(), 2);
        assert_eq!(c.targets[0].min_severity, Severity::Crit);
        assert_eq!(c.targets[1].min_severity, Severity::Warn);
        assert_eq!(c.targets[0].label(), "ntfy:127.0.0.1:9");
        assert_eq!(c.digest.unwrap().hour, 7);
    }

    #[test]
    fn rejects_bad_values() {
        let bad = [
            "[watch]\nrepeat = 3\n",
            "[[watch.targets]]\nkind = \"mail\"\nurl = \"http://x\"\n",
            "[[watch.targets]]\nkind = \"slack\"\nurl = \"ftp://x\"\n",
            "[[watch.targets]]\nkind = \"slack\"\nurl = \"http://x\"\nmin_severity = \"loud\"\n",
            "[watch.digest]\nhour = 24\n",
        ];
        for b in bad {
            assert!(parse("t", b).is_err(), "{b}");
        }
        assert_eq!(parse("t", "").unwrap(), WatchConfig::default());
    }
}
