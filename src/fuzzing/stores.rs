//! Harnesses for the store, config and RPC parsers (see the table in [`super`]).

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Value, json};

use crate::fact::FactKind;
use crate::gateway::frame::{Frame, FrameError, decode_frame, hello_from};
use crate::ingest::config::parse_config;
use crate::ingest::legacy::parse_store;
use crate::ingest::sqlite::event_bytes;
use crate::ingest::sqlite::transcript::{self, EntryContext};

const CTX: EntryContext<'static> = EntryContext {
    agent_id: "main",
    session_id: "fuzz-session",
    session_key: Some("agent:main:main"),
};

/// `sessions.json` bytes → rows. Checks: the result is an error exactly when the bytes are not
/// a JSON object; otherwise one row per distinct key, sorted by key, every row of agent `main`,
/// and the session-id index points only at existing keys and covers every non-empty
/// `sessionId`.
pub fn sessions_json(data: &[u8]) {
    let independent: Option<Value> = serde_json::from_slice(data).ok();
    let parsed = parse_store("main", data);
    let Some(Value::Object(map)) = independent else {
        assert!(parsed.is_err(), "not an object, yet parsed");
        return;
    };
    let (rows, index) = parsed.unwrap_or_else(|e| panic!("a JSON object was rejected: {e}"));
    assert_eq!(rows.len(), map.len(), "one row per key");
    assert!(
        rows.windows(2).all(|w| w[0].key < w[1].key),
        "sorted, unique"
    );
    let keys: HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    for row in &rows {
        assert_eq!(row.agent_id, "main");
        if !row.session_id.is_empty() {
            assert!(index.contains_key(&row.session_id), "session id indexed");
        }
    }
    assert!(
        index.values().all(|k| keys.contains(k.as_str())),
        "index → keys"
    );
}

/// Transcript JSONL (one entry per line) → facts. Checks: a line decodes iff it is JSON; the
/// decoded `id` is the entry's non-empty string `id`; facts are only user turns, usage and model changes,
/// for the context's agent and session.
pub fn transcript(data: &[u8]) {
    for line in data.split(|b| *b == b'\n') {
        check_entry(line);
    }
}

fn check_entry(bytes: &[u8]) {
    let independent: Option<Value> = serde_json::from_slice(bytes).ok();
    let decoded = transcript::decode(bytes, &CTX);
    let (Some(v), Ok(d)) = (&independent, &decoded) else {
        assert_eq!(independent.is_some(), decoded.is_ok(), "decodes iff JSON");
        return;
    };
    // An empty `id` is no id (`str_at` skips empty strings; fuzzing finding, see
    // `tests/fuzz_regressions.rs`).
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    assert_eq!(d.id.as_deref(), id, "id");
    match &d.kind {
        None => {}
        Some(FactKind::UserTurn {
            agent_id,
            session_id,
            ..
        })
        | Some(FactKind::TranscriptModelChange {
            agent_id,
            session_id,
            ..
        }) => assert_eq!(
            (agent_id.as_str(), session_id.as_str()),
            ("main", "fuzz-session")
        ),
        Some(FactKind::Usage(u)) => assert_eq!(u.agent_id, "main"),
        Some(other) => panic!("a transcript entry gave {other:?}"),
    }
}

/// `openclaw.json` text (JSON5) → config facts. Not UTF-8 is skipped (the file is read with
/// `read_to_string`, which rejects it first). Checks: parsing is deterministic, and the declared
/// agents are distinct.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("openclaw.json");
    let first = parse_config(text, path);
    if let Ok(c) = &first {
        let distinct: HashSet<&String> = c.agents.iter().collect();
        assert_eq!(distinct.len(), c.agents.len(), "agents distinct");
        assert!(
            c.agent_chains.iter().all(|(a, _)| distinct.contains(a)),
            "chains only for declared agents"
        );
    }
    let again = parse_config(text, path);
    assert_eq!(format!("{first:?}"), format!("{again:?}"), "deterministic");
}

/// One WebSocket text frame → [`Frame`]. Non-UTF-8 is skipped (a text frame is UTF-8 by the
/// WebSocket protocol). Checks: `NotJson` iff not JSON, `NotObject` iff JSON but no object; a
/// response's id is the frame's string `id`; an event survives re-encoding unchanged; the
/// `hello-ok` reduction of any payload does not panic.
pub fn rpc_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let independent: Option<Value> = serde_json::from_str(text).ok();
    let frame = decode_frame(text);
    match (&independent, &frame) {
        (None, Err(FrameError::NotJson(_))) => {}
        (Some(v), Err(FrameError::NotObject)) => assert!(!v.is_object()),
        (Some(v), Ok(Frame::Response { id, result })) => {
            assert_eq!(Some(id.as_str()), v.get("id").and_then(Value::as_str));
            if let Ok(p) = result {
                hello_from(p);
            }
        }
        (Some(_), Ok(Frame::Event(ev))) => {
            let again = json!({"type": "event", "event": ev.event, "payload": ev.payload});
            match decode_frame(&again.to_string()) {
                Ok(Frame::Event(e2)) => {
                    assert_eq!(e2.event, ev.event);
                    assert!(near(&e2.payload, &ev.payload), "{e2:?} vs {ev:?}");
                }
                other => panic!("event did not survive re-encoding: {other:?}"),
            }
        }
        (Some(v), Ok(Frame::Other { kind })) => {
            assert_eq!(kind.as_deref(), v.get("type").and_then(Value::as_str));
        }
        (v, f) => panic!("decode_frame disagrees with serde_json: {v:?} vs {f:?}"),
    }
}

/// Equal JSON, except that floats may differ by a few ULPs: serde_json (without its
/// `float_roundtrip` feature) parses numbers of more than 17 significant digits up to 1 ULP
/// off, so printing and re-parsing can move them (fuzzing finding, `tests/fuzz_regressions.rs`).
fn near(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| near(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| near(v, w)))
        }
        _ => a == b,
    }
}

/// A `transcript_events` row: the first byte picks the column (even: `event_json` text, odd:
/// `event_zstd` blob), the rest is its content. Checks: decoding the column and then the entry
/// never panics, and a JSON column decodes exactly like a transcript line.
pub fn sqlite_event(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let (json, blob) = if sel % 2 == 0 {
        match std::str::from_utf8(rest) {
            Ok(s) => (Some(s.to_owned()), None),
            Err(_) => return,
        }
    } else {
        (None, Some(rest.to_vec()))
    };
    match event_bytes(json, blob) {
        Ok(bytes) => check_entry(&bytes),
        Err((error, _)) => assert!(error.starts_with("zstd"), "{error}"),
    }
}

/// The decompressed length of an `event_zstd` blob as the agent-store reader decodes it, or
/// its error message (for regression tests of the decompression bound).
pub fn zstd_event_len(blob: &[u8]) -> Result<usize, String> {
    event_bytes(None, Some(blob.to_vec()))
        .map(|b| b.len())
        .map_err(|(e, _)| e)
}
