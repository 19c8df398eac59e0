//! `openclaw.json` (JSON5) → [`ConfigFacts`]. FORMATS.md §3-4, FORMATS-LEGACY.md §4.2,
//! OBSERVED-LEGACY.md §0 (5.20 keeps agents in `agents.list[]`).
//!
//! Read: `agents.defaults.model` (`{primary, fallbacks}` or a `"provider/model"` string),
//! per-agent `model` from `agents.entries.<id>` (2026.6+) and `agents.list[]` (≤ 2026.5),
//! prices `models.providers.<p>.models[].cost` (USD per 1M tokens), `agents.defaults.maxConcurrent`,
//! `agents.defaults.subagents.maxConcurrent`, heartbeat `every` (defaults and per agent),
//! `gateway.port`, `logging.file`, `logging.level`. Secrets (`gateway.auth.*`, provider
//! `apiKey`) are never copied: [`ConfigFacts`] has no field for them.

use std::path::Path;

use serde_json::Value;

use crate::fact::{ConfigFacts, ModelChain, ModelRef, Price};
use crate::ingest::sqlite::util::{f64_at, str_at, u64_at};
use crate::ingest::store::StoreError;

/// Parse the text of an `openclaw.json`. A syntax error becomes a [`StoreError::Format`] with
/// the path and the parser's 1-based line and column.
///
/// Text nested deeper than [`MAX_DEPTH`] is refused before parsing: the `json5` crate recurses
/// once per level with no limit, and 50,000 nested `[` overflowed the stack (SIGSEGV; found
/// while writing the `config` fuzz target, confirmed with it; `tests/fuzz_regressions.rs`).
pub fn parse_config(text: &str, path: &Path) -> Result<ConfigFacts, StoreError> {
    if nesting_exceeds(text, MAX_DEPTH) {
        return Err(StoreError::Format {
            path: path.display().to_string(),
            message: format!("invalid JSON5: nested deeper than {MAX_DEPTH} levels"),
        });
    }
    let root: Value = json5::from_str(text).map_err(|e| StoreError::Format {
        path: path.display().to_string(),
        // json5's message ends with "at line L column C" (1-based) when it knows the place.
        message: match e.position() {
            Some(_) => format!("invalid JSON5: {e}"),
            None => format!("invalid JSON5 (no position): {e}"),
        },
    })?;
    if !root.is_object() {
        return Err(StoreError::Format {
            path: path.display().to_string(),
            message: "the config is not a JSON5 object".into(),
        });
    }
    Ok(facts(&root))
}

/// Deepest `[`/`{` nesting [`parse_config`] accepts (serde_json's own limit; a real
/// `openclaw.json` is about 6 deep).
pub const MAX_DEPTH: usize = 128;

/// True when `[`/`{` outside JSON5 strings (`"…"`, `'…'`, with `\` escapes) and comments
/// (`// …`, `/* … */`) nest deeper than `limit`. Linear, no recursion.
fn nesting_exceeds(text: &str, limit: usize) -> bool {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    false
}

/// Read and parse an `openclaw.json` file.
pub fn load_config(path: &Path) -> Result<ConfigFacts, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    parse_config(&text, path)
}

fn facts(root: &Value) -> ConfigFacts {
    let null = Value::Null;
    let agents = root.get("agents").unwrap_or(&null);
    let defaults = agents.get("defaults").unwrap_or(&null);
    let declared = declared_agents(agents);
    ConfigFacts {
        default_chain: defaults.get("model").map(chain).unwrap_or_default(),
        agent_chains: declared
            .iter()
            .filter_map(|(id, a)| Some((id.clone(), chain(a.get("model")?))))
            .collect(),
        agents: declared.iter().map(|(id, _)| id.clone()).collect(),
        prices: prices(root),
        main_max_concurrent: u64_at(defaults, "maxConcurrent").map(clamp_u32),
        subagent_max_concurrent: defaults
            .get("subagents")
            .and_then(|s| u64_at(s, "maxConcurrent"))
            .map(clamp_u32),
        heartbeat_every_ms: heartbeats(defaults, &declared),
        gateway_port: root
            .get("gateway")
            .and_then(|g| u64_at(g, "port"))
            .and_then(|p| u16::try_from(p).ok()),
        log_file: root.get("logging").and_then(|l| str_at(l, "file")),
        log_level: root.get("logging").and_then(|l| str_at(l, "level")),
    }
}

fn clamp_u32(n: u64) -> u32 {
    n.min(u64::from(u32::MAX)) as u32
}

/// Agents in declaration order: `agents.entries` keys, then `agents.list[].id` not seen yet.
fn declared_agents(agents: &Value) -> Vec<(String, &Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    if let Some(entries) = agents.get("entries").and_then(Value::as_object) {
        out.extend(entries.iter().map(|(k, v)| (k.clone(), v)));
    }
    if let Some(list) = agents.get("list").and_then(Value::as_array) {
        for a in list {
            if let Some(id) = str_at(a, "id")
                && !out.iter().any(|(k, _)| *k == id)
            {
                out.push((id, a));
            }
        }
    }
    out
}

/// `"p/m"` or `{primary, fallbacks}`.
fn chain(v: &Value) -> ModelChain {
    match v {
        Value::String(s) => ModelChain {
            primary: ModelRef::parse(s),
            fallbacks: Vec::new(),
        },
        Value::Object(_) => ModelChain {
            primary: str_at(v, "primary").as_deref().and_then(ModelRef::parse),
            fallbacks: v
                .get("fallbacks")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter_map(ModelRef::parse)
                        .collect()
                })
                .unwrap_or_default(),
        },
        _ => ModelChain::default(),
    }
}

/// `models.providers.<p>.models[]` with a `cost` object → (`p/<id>`, price per 1M tokens).
fn prices(root: &Value) -> Vec<(ModelRef, Price)> {
    let mut out = Vec::new();
    let Some(providers) = root
        .get("models")
        .and_then(|m| m.get("providers"))
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (provider, p) in providers {
        for m in p
            .get("models")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(id), Some(cost)) = (str_at(m, "id"), m.get("cost")) else {
                continue;
            };
            let price = Price {
                input: f64_at(cost, "input").unwrap_or(0.0),
                output: f64_at(cost, "output").unwrap_or(0.0),
                cache_read: f64_at(cost, "cacheRead").unwrap_or(0.0),
                cache_write: f64_at(cost, "cacheWrite").unwrap_or(0.0),
            };
            out.push((ModelRef::new(provider.clone(), id), price));
        }
    }
    out
}

/// Heartbeat interval per agent. When any declared agent has its own `heartbeat` block, only
/// those agents run heartbeats (OBSERVED.md "Heartbeat", FORMATS-LEGACY.md §4.2), each with its
/// own `every` or the default's; otherwise every declared agent (or `main` when none is
/// declared) uses `agents.defaults.heartbeat.every`. Disabled (`0m`) or unparsable → omitted.
fn heartbeats(defaults: &Value, declared: &[(String, &Value)]) -> Vec<(String, u64)> {
    let default = defaults
        .get("heartbeat")
        .and_then(every_of)
        .and_then(duration_ms);
    let any_own = declared.iter().any(|(_, a)| a.get("heartbeat").is_some());
    let ids: Vec<(String, Option<&Value>)> = if declared.is_empty() {
        vec![("main".to_owned(), None)]
    } else {
        declared
            .iter()
            .map(|(id, a)| (id.clone(), a.get("heartbeat")))
            .collect()
    };
    ids.into_iter()
        .filter_map(|(id, own)| {
            let ms = match own {
                Some(hb) => every_of(hb).map_or(default, duration_ms),
                None if any_own => None,
                None => default,
            }?;
            (ms > 0).then_some((id, ms))
        })
        .collect()
}

fn every_of(hb: &Value) -> Option<&Value> {
    hb.get("every")
}

/// `"30m"`, `"1h"`, `"1h30m"`, `"45s"`, `"500ms"`, `"2d"` → ms. A bare number counts as
/// minutes (assumption: OpenClaw's heartbeat default unit), a JSON number too.
pub fn duration_ms(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| *f >= 0.0)
            .map(|m| (m * 60_000.0) as u64),
        Value::String(s) => parse_duration(s),
        _ => None,
    }
}

fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(m) = s.parse::<f64>() {
        return (m >= 0.0).then_some((m * 60_000.0) as u64);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_end);
        let n: f64 = num.parse().ok()?;
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_end);
        let factor = match unit.trim() {
            "ms" => 1.0,
            "s" | "sec" => 1_000.0,
            "m" | "min" => 60_000.0,
            "h" | "hr" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        };
        total += n * factor;
        rest = next;
    }
    Some(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (s, ms) in [
            ("30m", 1_800_000),
            ("1h", 3_600_000),
            ("0m", 0),
            ("1h30m", 5_400_000),
            ("45s", 45_000),
            ("500ms", 500),
            ("2", 120_000),
        ] {
            assert_eq!(parse_duration(s), Some(ms), "{s}");
        }
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5y"), None);
    }

    #[test]
    fn string_model_and_disabled_heartbeat() {
        let c = parse_config(
            "{agents:{defaults:{model:'a/b', heartbeat:{every:'0m'}}}, gateway:{port:70000}}",
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(c.default_chain.primary, Some(ModelRef::new("a", "b")));
        assert!(c.heartbeat_every_ms.is_empty());
        assert_eq!(c.gateway_port, None, "out of range");
    }
}
