//! RPC errors (FORMATS.md §5 response frame `error:{code, message, details?}`).

use serde_json::Value;

/// Why a request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RpcError {
    /// TCP / WebSocket failure (connection refused, upgrade failed).
    #[error("transport: {0}")]
    Transport(String),
    /// No response within the budget.
    #[error("{method}: no answer within {ms} ms")]
    Timeout { method: String, ms: u64 },
    /// The socket closed before the answer.
    #[error("connection closed")]
    Closed,
    /// The socket closed while this request was waiting for its answer (the gateway died or
    /// dropped the connection mid-call): whether the request took effect is unknown.
    #[error("connection lost mid-call ({method})")]
    LostMidCall { method: String },
    /// Not the protocol we expect.
    #[error("protocol: {0}")]
    Protocol(String),
    /// The gateway answered `ok:false`.
    #[error("{code}: {message}")]
    Rejected {
        code: String,
        message: String,
        details: Option<Value>,
    },
    /// Refused by lanetop before anything was sent (read-only, no connection, …).
    #[error("refused: {0}")]
    Refused(String),
}

impl RpcError {
    /// `error.details.reason` (`session-changed`, `startup-sidecars`, …).
    pub fn reason(&self) -> Option<&str> {
        match self {
            RpcError::Rejected { details, .. } => details.as_ref()?.get("reason")?.as_str(),
            _ => None,
        }
    }
    /// `details.missingScope` of a `FORBIDDEN`/`MISSING_SCOPE` answer.
    pub fn missing_scope(&self) -> Option<&str> {
        match self {
            RpcError::Rejected { details, .. } => {
                let d = details.as_ref()?;
                (d.get("code")?.as_str()? == "MISSING_SCOPE")
                    .then(|| d.get("missingScope")?.as_str())?
            }
            _ => None,
        }
    }
    /// The error as JSON for the audit log.
    pub fn to_json(&self) -> Value {
        match self {
            RpcError::Rejected {
                code,
                message,
                details,
            } => serde_json::json!({"code": code, "message": message, "details": details}),
            other => serde_json::json!({"code": "CLIENT", "message": other.to_string()}),
        }
    }
}
