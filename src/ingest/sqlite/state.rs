//! [`StateDbReader`]: the shared state store `state/openclaw.sqlite` (2026.6+).
//!
//! Per poll (skipped when `PRAGMA data_version` did not move), inside one read transaction:
//! - `cron_jobs` (`job_json` + `state_json`) → [`FactKind::CronJobsSnapshot`], on the first poll
//!   and whenever the rows differ;
//! - `cron_run_receipts` → one [`FactKind::CronRun`] per receipt, enriched from `task_runs`
//!   (`run_id = "cron:<jobId>:<startedAtMs>:<receiptId>"`: `child_session_key`, and
//!   `detail_json.provider/model/usage.total_tokens`). New receipts are found by `rowid`;
//!   receipts last sent as `running` are re-read each poll and sent again when their status
//!   changed (e.g. `running` → `ok`). The consumer must therefore de-duplicate by
//!   [`crate::fact::CronRunRow::run_id`] (the receipt id) and keep the newest;
//! - `gateway_boot_lifecycle` → one [`FactKind::GatewayBoot`] per boot, sent again when the row
//!   changes (a boot gets `completed_at_ms`/`outcome` when it stops; a killed boot never does);
//! - `schema_meta.app_version` (the OpenClaw release that last migrated the store, e.g.
//!   `2026.9.6`) → [`FactKind::StoreVersion`], when it first shows or changes: the gateway's
//!   version without an RPC link (the log never names it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use rusqlite::Connection;
use serde_json::Value;

use crate::fact::{BootRow, CronJobRow, CronRunRow, Fact, FactKind, ModelRef, Origin, SourceKind};
use crate::ingest::sqlite::conn::{RoDb, sql_err};
use crate::ingest::sqlite::cron_job::job_row;
use crate::ingest::sqlite::entry::model_pair;
use crate::ingest::sqlite::util::{ms_to_utc, str_at, u64_at};
use crate::ingest::store::{StoreError, StoreReader};

/// Reads the shared state store incrementally.
pub struct StateDbReader {
    db: RoDb,
    path: Arc<str>,
    last_jobs: Option<Vec<CronJobRow>>,
    /// Highest `cron_run_receipts.rowid` already read.
    receipt_rowid: i64,
    /// Receipts last sent with status `running`: receipt id → that status.
    running: HashMap<String, String>,
    boots: HashMap<String, BootRow>,
    /// `schema_meta.app_version` last sent.
    version: Option<String>,
    /// Facts of a poll that failed half-way, delivered by the next poll.
    carry: Vec<Fact>,
}

impl StateDbReader {
    /// Open `db_path` read-only (see `sqlite::conn` for the WAL rules).
    pub fn open(db_path: &Path) -> Result<Self, StoreError> {
        let db = RoDb::open(db_path)?;
        Ok(Self {
            path: db.name(),
            db,
            last_jobs: None,
            receipt_rowid: 0,
            running: HashMap::new(),
            boots: HashMap::new(),
            version: None,
            carry: Vec::new(),
        })
    }

    /// Append what changed to `out`. Every fact pushed is accounted for in the reader's state
    /// at once, so after an error `poll` keeps `out` for the next call and nothing is lost or
    /// sent twice.
    fn read(&mut self, out: &mut Vec<Fact>) -> Result<(), StoreError> {
        let Some(conn) = self.db.changed()? else {
            return Ok(());
        };
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_err(&path, &e);
        let tx = conn.unchecked_transaction().map_err(err)?;

        let jobs = load_jobs(&tx).map_err(err)?;
        if self.last_jobs.as_ref() != Some(&jobs) {
            out.push(Fact {
                at: Utc::now(),
                origin: Origin::row(SourceKind::StateDb, self.path.clone(), "cron_jobs", "*"),
                kind: FactKind::CronJobsSnapshot { jobs: jobs.clone() },
            });
            self.last_jobs = Some(jobs);
        }

        let pending: Vec<&String> = self.running.keys().collect();
        let pending = serde_json::to_string(&pending).unwrap_or_else(|_| "[]".to_owned());
        for (rowid, run) in load_receipts(&tx, self.receipt_rowid, &pending).map_err(err)? {
            let is_new = rowid > self.receipt_rowid;
            let changed = self
                .running
                .get(&run.run_id)
                .is_some_and(|s| *s != run.status);
            if run.status == "running" {
                self.running.insert(run.run_id.clone(), run.status.clone());
            } else {
                self.running.remove(&run.run_id);
            }
            if is_new || changed {
                let at = run.finished_at_ms.unwrap_or(run.started_at_ms);
                out.push(Fact {
                    at: ms_to_utc(at).unwrap_or_else(Utc::now),
                    origin: Origin::row(
                        SourceKind::StateDb,
                        self.path.clone(),
                        "cron_run_receipts",
                        &run.run_id,
                    ),
                    kind: FactKind::CronRun(Box::new(run)),
                });
            }
            self.receipt_rowid = self.receipt_rowid.max(rowid);
        }

        for boot in load_boots(&tx).map_err(err)? {
            if self.boots.get(&boot.boot_id) == Some(&boot) {
                continue;
            }
            self.boots.insert(boot.boot_id.clone(), boot.clone());
            let at = boot.completed_at_ms.unwrap_or(boot.started_at_ms);
            out.push(Fact {
                at: ms_to_utc(at).unwrap_or_else(Utc::now),
                origin: Origin::row(
                    SourceKind::StateDb,
                    self.path.clone(),
                    "gateway_boot_lifecycle",
                    &boot.boot_id,
                ),
                kind: FactKind::GatewayBoot(Box::new(boot)),
            });
        }

        if let Some(v) = load_version(&tx)
            && self.version.as_ref() != Some(&v)
        {
            out.push(Fact {
                at: Utc::now(),
                origin: Origin::row(SourceKind::StateDb, self.path.clone(), "schema_meta", "*"),
                kind: FactKind::StoreVersion { version: v.clone() },
            });
            self.version = Some(v);
        }
        drop(tx);
        Ok(())
    }
}

impl StoreReader for StateDbReader {
    fn name(&self) -> String {
        "state-db".to_owned()
    }

    fn watch_paths(&self) -> Vec<PathBuf> {
        self.db.watch_paths()
    }

    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        let mut out = std::mem::take(&mut self.carry);
        match self.read(&mut out) {
            Ok(()) => Ok(out),
            Err(e) => {
                self.carry = out;
                self.db.invalidate();
                Err(e)
            }
        }
    }
}

/// All cron jobs in store order. Column values fill what `job_json` lacks.
fn load_jobs(conn: &Connection) -> rusqlite::Result<Vec<CronJobRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT job_id, job_json, state_json, name, enabled, agent_id, payload_kind, declaration_key \
         FROM cron_jobs ORDER BY store_key, sort_order, job_id",
    )?;
    let rows = stmt.query_map([], |r| {
        let job_id: String = r.get(0)?;
        let job: Value = serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or(Value::Null);
        let state: Value = serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or(Value::Null);
        let mut job = if job.is_object() {
            job
        } else {
            serde_json::json!({})
        };
        if let Some(o) = job.as_object_mut() {
            o.entry("id").or_insert_with(|| Value::String(job_id));
            let cols: [(&str, Option<Value>); 4] = [
                ("name", r.get::<_, Option<String>>(3)?.map(Value::String)),
                (
                    "enabled",
                    r.get::<_, Option<i64>>(4)?.map(|e| Value::Bool(e != 0)),
                ),
                ("agentId", r.get::<_, Option<String>>(5)?.map(Value::String)),
                (
                    "declarationKey",
                    r.get::<_, Option<String>>(7)?.map(Value::String),
                ),
            ];
            for (k, v) in cols {
                if let Some(v) = v {
                    o.entry(k).or_insert(v);
                }
            }
            if !o.contains_key("payload")
                && let Some(kind) = r.get::<_, Option<String>>(6)?
            {
                o.insert("payload".into(), serde_json::json!({ "kind": kind }));
            }
        }
        Ok(job_row(&job, Some(&state)))
    })?;
    rows.filter_map(Result::transpose).collect()
}

/// Receipts with `rowid > after` or whose id is in the JSON array `pending`, with their task run.
fn load_receipts(
    conn: &Connection,
    after: i64,
    pending: &str,
) -> rusqlite::Result<Vec<(i64, CronRunRow)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.rowid, r.receipt_id, r.job_id, r.agent_id, r.status, r.started_at_ms, r.finished_at_ms, \
         r.error_text, t.child_session_key, t.detail_json \
         FROM cron_run_receipts r \
         LEFT JOIN task_runs t ON t.run_id = 'cron:' || r.job_id || ':' || r.started_at_ms || ':' || r.receipt_id \
         WHERE r.rowid > ?1 OR r.receipt_id IN (SELECT value FROM json_each(?2)) \
         ORDER BY r.rowid",
    )?;
    let rows = stmt.query_map((after, pending), |r| {
        let detail: Option<String> = r.get(9)?;
        let detail: Value = detail
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null);
        let run = CronRunRow {
            run_id: r.get(1)?,
            job_id: r.get(2)?,
            agent_id: r.get(3)?,
            status: r.get(4)?,
            started_at_ms: r.get(5)?,
            finished_at_ms: r.get(6)?,
            error: r.get(7)?,
            session_key: r
                .get::<_, Option<String>>(8)?
                .or_else(|| str_at(&detail, "sessionKey")),
            session_id: None,
            model: detail_model(&detail),
            total_tokens: detail.get("usage").and_then(|u| u64_at(u, "total_tokens")),
        };
        Ok((r.get(0)?, run))
    })?;
    rows.collect()
}

/// `detail_json.provider` + `model` (the model that answered the cron turn).
fn detail_model(detail: &Value) -> Option<ModelRef> {
    model_pair(detail, "provider", "model")
}

/// The release in `schema_meta.app_version`: the `primary` row's, else the newest row's, first
/// line only (the migration rows append a count, a date and hashes on further lines, as in
/// `captured/state/state/openclaw.sqlite`), and only when it looks like a release (`2026.9.6`).
/// `None` when the table or column is missing or nothing matches: the version is a nicety,
/// never a reason to fail a poll.
fn load_version(conn: &Connection) -> Option<String> {
    let raw: String = conn
        .query_row(
            "SELECT app_version FROM schema_meta WHERE app_version IS NOT NULL \
             ORDER BY meta_key = 'primary' DESC, updated_at DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok()?;
    let v = raw.lines().next()?.trim();
    // `YYYY.M.D…`: three dot-separated parts, each starting with a digit.
    let parts: Vec<&str> = v.split('.').collect();
    let release = parts.len() >= 3
        && parts[..3]
            .iter()
            .all(|p| p.bytes().next().is_some_and(|b| b.is_ascii_digit()));
    (release && v.len() <= 40).then(|| v.to_owned())
}

/// All boots, oldest first.
fn load_boots(conn: &Connection) -> rusqlite::Result<Vec<BootRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT boot_id, pid, started_at_ms, completed_at_ms, outcome, reason \
         FROM gateway_boot_lifecycle ORDER BY started_at_ms, boot_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(BootRow {
            boot_id: r.get(0)?,
            pid: r.get(1)?,
            started_at_ms: r.get(2)?,
            completed_at_ms: r.get(3)?,
            outcome: r.get(4)?,
            reason: r.get(5)?,
        })
    })?;
    rows.collect()
}
