//! Session rows of an agent store: `session_nodes` ⟕ `session_windows` (FORMATS.md §2.2,
//! OBSERVED.md §4), with the `SessionEntry` fields pulled out of `entry_json` by SQLite.
//!
//! `entry_json` holds large blobs lanetop does not need (`skillsSnapshot`,
//! `systemPromptReport`: several KB per row), so the fields are extracted in SQL with one
//! multi-path `json_extract` (a small JSON array per row) instead of parsing whole entries.

use std::time::Duration;

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::fact::{ModelRef, SessionRow};
use crate::ingest::sqlite::entry::row_from_entry;

/// Upper bound on how long a sessions snapshot may lag a change the fingerprint misses.
pub(crate) const FULL_REREAD: Duration = Duration::from_secs(30);

/// `SessionEntry` keys read from `entry_json` (see [`row_from_entry`]).
const ENTRY_KEYS: [&str; 19] = [
    "sessionId",
    "status",
    "createdVia",
    "label",
    "chatType",
    "updatedAt",
    "lastInteractionAt",
    "lastActivityAt",
    "modelProvider",
    "model",
    "providerOverride",
    "modelOverride",
    "inputTokens",
    "outputTokens",
    "totalTokens",
    "estimatedCostUsd",
    "abortedLastRun",
    "archivedAt",
    "parentSessionKey",
];

/// A digest of both tables: row counts and sums of their timestamps and status lengths.
/// Every gateway write of a session bumps `updated_at`; a change that moves none of these
/// is picked up by the periodic full re-read.
pub(crate) type Fingerprint = [i64; 7];

/// Compute the [`Fingerprint`] (aggregate scans, no JSON).
pub(crate) fn fingerprint(conn: &Connection) -> rusqlite::Result<Fingerprint> {
    let mut stmt = conn.prepare_cached(
        "SELECT (SELECT count(*) FROM session_nodes), \
                (SELECT coalesce(sum(updated_at), 0) FROM session_nodes), \
                (SELECT coalesce(sum(coalesce(last_activity_at, 0) + coalesce(last_interaction_at, 0)), 0) FROM session_nodes), \
                (SELECT coalesce(sum(length(coalesce(status, '')) + length(current_session_id)), 0) FROM session_nodes), \
                (SELECT count(*) FROM session_windows), \
                (SELECT coalesce(sum(updated_at), 0) FROM session_windows), \
                (SELECT coalesce(sum(length(coalesce(status, '')) + coalesce(ended_at, 0) % 1000003), 0) FROM session_windows)",
    )?;
    stmt.query_row([], |r| {
        Ok([
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ])
    })
}

/// All session rows of `agent_id`, by key. `session_nodes` columns win, then `entry_json`,
/// then the current window (`status`, `model_provider`/`model`, `chat_type`).
pub(crate) fn load(conn: &Connection, agent_id: &str) -> rusqlite::Result<Vec<SessionRow>> {
    let paths: Vec<String> = ENTRY_KEYS.iter().map(|k| format!("'$.{k}'")).collect();
    let sql = format!(
        "SELECT n.session_key, n.current_session_id, \
         CASE WHEN json_valid(n.entry_json) THEN json_extract(n.entry_json, {}) END, \
         n.status, n.created_via, n.label, n.updated_at, n.last_interaction_at, n.last_activity_at, \
         n.parent_session_key, n.archived_at, w.status, w.model_provider, w.model, w.chat_type, \
         w.session_id IS NULL AND NOT EXISTS (SELECT 1 FROM transcript_events t \
           WHERE t.session_id = n.current_session_id) \
         FROM session_nodes n LEFT JOIN session_windows w ON w.session_id = n.current_session_id \
         ORDER BY n.session_key",
        paths.join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |r| {
        let key: String = r.get(0)?;
        let values: Option<String> = r.get(2)?;
        let entry = entry_object(values.as_deref());
        let mut row = row_from_entry(agent_id, &key, &entry);
        row.session_id = r.get(1)?;
        let pick = |col: Option<String>, cur: Option<String>| col.or(cur);
        row.status = pick(r.get(3)?, row.status.take()).or(r.get(11)?);
        row.created_via = pick(r.get(4)?, row.created_via.take());
        row.label = pick(r.get(5)?, row.label.take());
        row.updated_at_ms = r.get::<_, Option<i64>>(6)?.or(row.updated_at_ms);
        row.last_interaction_at_ms = r.get::<_, Option<i64>>(7)?.or(row.last_interaction_at_ms);
        row.last_activity_at_ms = r.get::<_, Option<i64>>(8)?.or(row.last_activity_at_ms);
        row.parent_session_key = pick(r.get(9)?, row.parent_session_key.take());
        row.archived |= r.get::<_, Option<i64>>(10)?.is_some();
        if row.model.is_none() {
            let (p, m): (Option<String>, Option<String>) = (r.get(12)?, r.get(13)?);
            row.model = p.zip(m).map(|(p, m)| ModelRef::new(p, m));
        }
        if row.chat_type.is_none() {
            row.chat_type = r.get(14)?;
        }
        row.transcript_missing = r.get::<_, Option<bool>>(15)?.unwrap_or(false);
        Ok(row)
    })?;
    rows.collect()
}

/// The JSON array from the multi-path `json_extract` → an object keyed by [`ENTRY_KEYS`].
fn entry_object(values: Option<&str>) -> Value {
    let Some(Value::Array(values)) = values.and_then(|v| serde_json::from_str(v).ok()) else {
        return Value::Null;
    };
    let map: Map<String, Value> = ENTRY_KEYS
        .iter()
        .zip(values)
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| ((*k).to_owned(), v))
        .collect();
    Value::Object(map)
}
