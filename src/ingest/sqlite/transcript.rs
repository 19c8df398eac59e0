//! One pi transcript entry (SQLite `transcript_events.event_json`, legacy `<sessionId>.jsonl`
//! line) → at most one typed fact. FORMATS.md §2.5, FORMATS-LEGACY.md §2.1, OBSERVED*.md.
//!
//! | entry | fact |
//! |---|---|
//! | `message` with `role:"assistant"` | [`FactKind::Usage`] (`usage.cost.total` USD, tokens, `__openclaw.runId`) |
//! | `message` with `role:"user"` | [`FactKind::UserTurn`] (`heartbeat` when the text is `[OpenClaw heartbeat poll]` or `provenance.sourceTool == "heartbeat"`) |
//! | `model_change` `{provider, modelId}` | [`FactKind::TranscriptModelChange`] |
//! | `custom` `customType:"model-snapshot"` `data:{provider, modelId}` | [`FactKind::TranscriptModelChange`] |
//!
//! Assistant messages from `provider:"openclaw"` (`delivery-mirror`, `gateway-injected`) carry
//! zero usage and are not model turns: they produce nothing (FORMATS-LEGACY.md §2.1).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::fact::{FactKind, ModelRef, UsageRecord};
use crate::ingest::sqlite::util::{as_u64, f64_at, i64_at, iso_to_utc, ms_to_utc, str_at, u64_at};

/// The text of a heartbeat poll user message.
pub(crate) const HEARTBEAT_POLL: &str = "[OpenClaw heartbeat poll]";

/// Which session an entry belongs to.
pub(crate) struct EntryContext<'a> {
    pub agent_id: &'a str,
    pub session_id: &'a str,
    pub session_key: Option<&'a str>,
}

/// A decoded entry: its own time, its id, and the fact it yields (if any).
pub(crate) struct Decoded {
    /// Entry `timestamp` (ISO), else `message.timestamp` (epoch ms), else `None`.
    pub at: Option<DateTime<Utc>>,
    /// Entry `id` (UUID in v4, 8 hex chars in v3).
    pub id: Option<String>,
    pub kind: Option<FactKind>,
}

/// Decode one entry from its JSON bytes.
pub(crate) fn decode(bytes: &[u8], ctx: &EntryContext<'_>) -> Result<Decoded, serde_json::Error> {
    let v: Value = serde_json::from_slice(bytes)?;
    Ok(decode_value(&v, ctx))
}

/// Decode one already parsed entry.
pub(crate) fn decode_value(v: &Value, ctx: &EntryContext<'_>) -> Decoded {
    let message = v.get("message");
    let at = v
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(iso_to_utc)
        .or_else(|| {
            message
                .and_then(|m| i64_at(m, "timestamp"))
                .and_then(ms_to_utc)
        });
    let id = str_at(v, "id");
    let kind = match v.get("type").and_then(Value::as_str) {
        Some("message") => message.and_then(|m| message_fact(m, ctx)),
        Some("model_change") => model_fact(v, ctx),
        Some("custom") if v.get("customType").and_then(Value::as_str) == Some("model-snapshot") => {
            v.get("data").and_then(|d| model_fact(d, ctx))
        }
        _ => None,
    };
    Decoded { at, id, kind }
}

fn message_fact(m: &Value, ctx: &EntryContext<'_>) -> Option<FactKind> {
    match m.get("role").and_then(Value::as_str)? {
        "user" => Some(FactKind::UserTurn {
            agent_id: ctx.agent_id.to_owned(),
            session_id: ctx.session_id.to_owned(),
            session_key: ctx.session_key.map(str::to_owned),
            heartbeat: is_heartbeat(m),
        }),
        "assistant" => usage_fact(m, ctx).map(|u| FactKind::Usage(Box::new(u))),
        _ => None,
    }
}

/// Largest token count one turn's usage may report (10^12); larger values are clamped to it, so
/// sums over up to 18 million turns cannot overflow a `u64`.
pub const MAX_TURN_TOKENS: u64 = 1_000_000_000_000;

fn usage_fact(m: &Value, ctx: &EntryContext<'_>) -> Option<UsageRecord> {
    let provider = str_at(m, "provider").unwrap_or_default();
    if provider == "openclaw" {
        return None;
    }
    let model = str_at(m, "model").unwrap_or_default();
    let null = Value::Null;
    let usage = m.get("usage").unwrap_or(&null);
    // Counts are clamped to MAX_TURN_TOKENS: a bigger one is nonsense, and unclamped ones near
    // u64::MAX overflowed the sum below and the model's totals (fuzzing finding,
    // `tests/fuzz_regressions.rs::token_counts_near_u64_max_saturate`).
    let count = |k: &str| u64_at(usage, k).unwrap_or(0).min(MAX_TURN_TOKENS);
    let (input, output) = (count("input"), count("output"));
    let (cache_read, cache_write) = (count("cacheRead"), count("cacheWrite"));
    let total_tokens = usage
        .get("totalTokens")
        .and_then(as_u64)
        .map_or(input + output + cache_read + cache_write, |t| {
            t.min(MAX_TURN_TOKENS)
        });
    Some(UsageRecord {
        agent_id: ctx.agent_id.to_owned(),
        session_id: ctx.session_id.to_owned(),
        session_key: ctx.session_key.map(str::to_owned),
        run_id: m.get("__openclaw").and_then(|o| str_at(o, "runId")),
        model: ModelRef::new(provider, model),
        input,
        output,
        cache_read,
        cache_write,
        total_tokens,
        cost_usd: usage.get("cost").and_then(|c| f64_at(c, "total")),
        stop_reason: str_at(m, "stopReason"),
        error: str_at(m, "errorMessage"),
    })
}

fn model_fact(v: &Value, ctx: &EntryContext<'_>) -> Option<FactKind> {
    let provider = str_at(v, "provider")?;
    let model = str_at(v, "modelId")?;
    Some(FactKind::TranscriptModelChange {
        agent_id: ctx.agent_id.to_owned(),
        session_id: ctx.session_id.to_owned(),
        session_key: ctx.session_key.map(str::to_owned),
        model: ModelRef::new(provider, model),
    })
}

/// A heartbeat poll: content is exactly [`HEARTBEAT_POLL`] (a string, or text parts joined), or
/// `provenance.sourceTool == "heartbeat"` (2026.9.6).
fn is_heartbeat(m: &Value) -> bool {
    if m.get("provenance")
        .and_then(|p| p.get("sourceTool"))
        .and_then(Value::as_str)
        == Some("heartbeat")
    {
        return true;
    }
    match m.get("content") {
        Some(Value::String(s)) => s.trim() == HEARTBEAT_POLL,
        Some(Value::Array(parts)) => {
            let text: String = parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            text.trim() == HEARTBEAT_POLL
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: EntryContext<'static> = EntryContext {
        agent_id: "main",
        session_id: "s",
        session_key: Some("k"),
    };

    #[test]
    fn assistant_usage() {
        let line = br#"{"type":"message","id":"a","timestamp":"2026-11-22T01:58:02.092Z","message":{"role":"assistant","provider":"p","model":"m","usage":{"input":10,"output":2,"cacheRead":1,"cacheWrite":0,"totalTokens":13,"cost":{"total":0.25}},"stopReason":"stop","__openclaw":{"runId":"r1"}}}"#;
        let d = decode(line, &CTX).unwrap();
        let Some(FactKind::Usage(u)) = d.kind else {
            panic!("no usage")
        };
        assert_eq!(
            (u.input, u.output, u.cache_read, u.total_tokens),
            (10, 2, 1, 13)
        );
        assert_eq!(u.cost_usd, Some(0.25));
        assert_eq!(u.run_id.as_deref(), Some("r1"));
        assert_eq!(u.model, ModelRef::new("p", "m"));
        assert_eq!(d.at.map(|t| t.timestamp_millis()), Some(1_795_312_682_092));
    }

    #[test]
    fn heartbeat_forms() {
        let a = br#"{"type":"message","message":{"role":"user","content":[{"type":"text","text":"[OpenClaw heartbeat poll]"}],"timestamp":1795314790782}}"#;
        let b = br#"{"type":"message","message":{"role":"user","content":"x","provenance":{"sourceTool":"heartbeat"}}}"#;
        let c = br#"{"type":"message","message":{"role":"user","content":"hello"}}"#;
        for (line, want) in [(&a[..], true), (&b[..], true), (&c[..], false)] {
            let d = decode(line, &CTX).unwrap();
            let Some(FactKind::UserTurn { heartbeat, .. }) = d.kind else {
                panic!("no turn")
            };
            assert_eq!(heartbeat, want);
        }
        let d = decode(a, &CTX).unwrap();
        assert_eq!(d.at.map(|t| t.timestamp_millis()), Some(1_795_314_790_782));
    }

    #[test]
    fn model_snapshot_and_mirror() {
        let s = br#"{"type":"custom","customType":"model-snapshot","data":{"provider":"p","modelId":"m"}}"#;
        assert!(matches!(
            decode(s, &CTX).unwrap().kind,
            Some(FactKind::TranscriptModelChange { .. })
        ));
        let m = br#"{"type":"message","message":{"role":"assistant","provider":"openclaw","model":"delivery-mirror"}}"#;
        assert!(decode(m, &CTX).unwrap().kind.is_none());
        assert!(decode(b"{not json", &CTX).is_err());
    }

    #[test]
    fn token_counts_are_clamped() {
        let line = br#"{"type":"message","id":"a","message":{"role":"assistant","provider":"p","model":"m","usage":{"input":18446744073709551615,"output":15}}}"#;
        let Some(FactKind::Usage(u)) = decode(line, &CTX).unwrap().kind else {
            panic!("usage")
        };
        assert_eq!(
            (u.input, u.output, u.total_tokens),
            (MAX_TURN_TOKENS, 15, MAX_TURN_TOKENS + 15)
        );
    }
}
