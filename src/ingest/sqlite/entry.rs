//! `SessionEntry` JSON (SQLite `session_nodes.entry_json`, legacy `sessions.json` values) →
//! [`SessionRow`] fields. FORMATS.md §2.4, FORMATS-LEGACY.md §1.2, OBSERVED-LEGACY.md §2.

use serde_json::Value;

use crate::fact::{ModelRef, SessionRow};
use crate::ingest::sqlite::util::{bool_at, f64_at, i64_at, str_at, u64_at};

/// Build a [`SessionRow`] from one `SessionEntry` object.
///
/// Fields: `sessionId`, `status`, `createdVia`, `label`, `chatType`, `updatedAt`,
/// `lastInteractionAt`, `lastActivityAt` (epoch ms), `modelProvider`/`model` (model that last
/// answered), `providerOverride`/`modelOverride`, `inputTokens`/`outputTokens`/`totalTokens`,
/// `estimatedCostUsd` (USD), `abortedLastRun`, `archivedAt`, `parentSessionKey`. Unknown or
/// mistyped fields are ignored; a non-object gives a row with only `agent_id` and `key`.
pub(crate) fn row_from_entry(agent_id: &str, key: &str, e: &Value) -> SessionRow {
    SessionRow {
        agent_id: agent_id.to_owned(),
        key: key.to_owned(),
        session_id: str_at(e, "sessionId").unwrap_or_default(),
        status: str_at(e, "status"),
        created_via: str_at(e, "createdVia"),
        label: str_at(e, "label"),
        chat_type: str_at(e, "chatType"),
        updated_at_ms: i64_at(e, "updatedAt"),
        last_interaction_at_ms: i64_at(e, "lastInteractionAt"),
        last_activity_at_ms: i64_at(e, "lastActivityAt"),
        model: model_pair(e, "modelProvider", "model"),
        model_override: model_pair(e, "providerOverride", "modelOverride"),
        input_tokens: u64_at(e, "inputTokens"),
        output_tokens: u64_at(e, "outputTokens"),
        total_tokens: u64_at(e, "totalTokens"),
        estimated_cost_usd: f64_at(e, "estimatedCostUsd"),
        aborted_last_run: bool_at(e, "abortedLastRun").unwrap_or(false),
        archived: e.get("archivedAt").is_some_and(|v| !v.is_null()),
        parent_session_key: str_at(e, "parentSessionKey"),
        transcript_missing: false,
    }
}

/// `provider` + `model` fields → [`ModelRef`]; a model already written `p/m` with no provider
/// is split.
pub(crate) fn model_pair(e: &Value, provider_key: &str, model_key: &str) -> Option<ModelRef> {
    let model = str_at(e, model_key)?;
    match str_at(e, provider_key) {
        Some(p) => Some(ModelRef::new(p, model)),
        None => ModelRef::parse(&model),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_fields() {
        let e: Value = serde_json::json!({
            "sessionId": "s1", "updatedAt": 5, "modelProvider": "p", "model": "m",
            "modelOverride": "q/n", "inputTokens": 10, "estimatedCostUsd": 0.5,
            "abortedLastRun": true, "archivedAt": 9, "status": "running"
        });
        let r = row_from_entry("main", "agent:main:main", &e);
        assert_eq!(r.session_id, "s1");
        assert_eq!(r.model, Some(ModelRef::new("p", "m")));
        assert_eq!(r.model_override, Some(ModelRef::new("q", "n")));
        assert_eq!(r.input_tokens, Some(10));
        assert_eq!(r.estimated_cost_usd, Some(0.5));
        assert!(r.aborted_last_run && r.archived);
        assert_eq!(r.status.as_deref(), Some("running"));
    }

    #[test]
    fn non_object_is_empty_row() {
        let r = row_from_entry("a", "k", &Value::String("x".into()));
        assert_eq!(r.key, "k");
        assert!(r.session_id.is_empty() && r.model.is_none());
    }
}
