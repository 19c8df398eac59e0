//! Decoding of one incoming WebSocket text frame of the gateway RPC (FORMATS.md §5,
//! FORMATS-LEGACY.md §6) into a [`Frame`]. Pure: no I/O, no state; the client
//! ([`super::client`]) and the fuzz harness ([`crate::fuzzing`]) share it.
//!
//! Shapes read:
//! - `{"type":"res","id":"<string>","ok":true,"payload":…}` → [`Frame::Response`] with `Ok(payload)`
//!   (`null` when absent);
//! - `{"type":"res","id":"<string>","ok":false,"error":{"code","message","details"?}}` (or `ok`
//!   absent / not `true`) → [`Frame::Response`] with [`RpcError::Rejected`] (`code` `UNKNOWN`
//!   and an empty message when missing);
//! - `{"type":"event","event":"<name>","payload":…}` → [`Frame::Event`] (name `""` when absent,
//!   payload `null` when absent);
//! - any other JSON object (a `res` without a string `id`, another or no `type`) →
//!   [`Frame::Other`].
//!
//! Text that is not JSON, or JSON that is not an object, is a [`FrameError`]: the caller skips
//! the frame (never fatal).

use serde_json::Value;

use super::client::{Event, Hello};
use super::error::RpcError;

/// One decoded incoming frame.
#[derive(Debug, Clone)]
pub enum Frame {
    /// The answer to the request with this `id`.
    Response {
        id: String,
        result: Result<Value, RpcError>,
    },
    /// A server-pushed event.
    Event(Event),
    /// A JSON object that is neither a response with an id nor an event; `kind` is its `type`
    /// when that is a string.
    Other { kind: Option<String> },
}

/// Why a text frame is not a [`Frame`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Not JSON (serde_json's message, with line and column).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// Valid JSON, but not an object.
    #[error("JSON but not an object")]
    NotObject,
}

/// Decode one incoming text frame.
pub fn decode_frame(text: &str) -> Result<Frame, FrameError> {
    let v: Value = serde_json::from_str(text).map_err(|e| FrameError::NotJson(e.to_string()))?;
    if !v.is_object() {
        return Err(FrameError::NotObject);
    }
    Ok(frame_from_value(v))
}

/// [`decode_frame`] for an already parsed object.
fn frame_from_value(mut v: Value) -> Frame {
    let kind = v.get("type").and_then(Value::as_str).map(str::to_owned);
    match kind.as_deref() {
        Some("res") => match v.get("id").and_then(Value::as_str) {
            Some(id) => Frame::Response {
                id: id.to_owned(),
                result: response_result(&v),
            },
            None => Frame::Other { kind },
        },
        Some("event") => {
            let event = v
                .get("event")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let payload = v.get_mut("payload").map(Value::take).unwrap_or(Value::Null);
            Frame::Event(Event { event, payload })
        }
        _ => Frame::Other { kind },
    }
}

/// `{ok:true, payload}` → payload; `{ok:false, error}` → [`RpcError::Rejected`].
pub(crate) fn response_result(v: &Value) -> Result<Value, RpcError> {
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(v.get("payload").cloned().unwrap_or(Value::Null));
    }
    let e = v.get("error").cloned().unwrap_or(Value::Null);
    Err(RpcError::Rejected {
        code: e
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("UNKNOWN")
            .into(),
        message: e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .into(),
        details: e.get("details").cloned(),
    })
}

/// The `hello-ok` payload (the `connect` response) reduced to a [`Hello`]: `protocol` (0 when
/// absent), `server.version`, `features.methods`, `auth.scopes` (non-strings skipped).
pub fn hello_from(payload: &Value) -> Hello {
    let strs = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    Hello {
        protocol: payload.get("protocol").and_then(Value::as_u64).unwrap_or(0),
        server_version: payload
            .pointer("/server/version")
            .and_then(Value::as_str)
            .map(String::from),
        methods: strs(payload.pointer("/features/methods")),
        scopes: strs(payload.pointer("/auth/scopes")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ok = decode_frame(r#"{"type":"res","id":"7","ok":true,"payload":{"a":1}}"#);
        assert!(
            matches!(ok, Ok(Frame::Response { ref id, result: Ok(ref p) }) if id == "7" && p["a"] == 1)
        );
        let err = decode_frame(
            r#"{"type":"res","id":"8","ok":false,"error":{"code":"FORBIDDEN","message":"no"}}"#,
        );
        assert!(
            matches!(err, Ok(Frame::Response { result: Err(RpcError::Rejected { ref code, .. }), .. }) if code == "FORBIDDEN")
        );
        let ev = decode_frame(r#"{"type":"event","event":"tick"}"#);
        assert!(matches!(ev, Ok(Frame::Event(ref e)) if e.event == "tick" && e.payload.is_null()));
        assert!(matches!(
            decode_frame(r#"{"type":"res","id":9}"#),
            Ok(Frame::Other { kind: Some(ref k) }) if k == "res"
        ));
        assert_eq!(decode_frame("[1]").err(), Some(FrameError::NotObject));
        assert!(matches!(decode_frame("{"), Err(FrameError::NotJson(_))));
    }
}
