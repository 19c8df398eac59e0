//! A real-shaped 2026.9.6 state dir with a big SQLite session store (for the soak generator
//! `examples/soak_gen.rs` and the render bench `benches/render.rs`).
//!
//! [`build`] copies `captured/state` (per-agent `openclaw-agent.sqlite`, shared
//! `state/openclaw.sqlite`, `openclaw.json`), switches the agent DBs to WAL (as the gateway runs
//! them) and adds cron-run sessions until the agents hold the asked number in total: each is a
//! clone of the agent's captured `agent:<id>:cron:<job>` row (`session_nodes` and its current
//! `session_windows` row, every column kept) under the real key shape
//! `agent:<id>:cron:<job>:run:<uuid>` with a fresh session id, its `*_at` times moved back by
//! `i` minutes.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::types::Value;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

pub fn copy_dir(from: &Path, to: &Path) -> Res<()> {
    fs::create_dir_all(to)?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dest)?;
        } else {
            fs::copy(e.path(), &dest)?;
            let mut p = fs::metadata(&dest)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            p.set_readonly(false);
            fs::set_permissions(&dest, p)?;
        }
    }
    Ok(())
}

/// A UUID-shaped id: `base` with its last 8 hex digits replaced by `n`.
fn vary(base: &str, n: u64) -> String {
    format!("{}{:08x}", &base[..28], n & 0xffff_ffff)
}

/// Read one row as (column names, values).
fn row(
    conn: &rusqlite::Connection,
    table: &str,
    col: &str,
    key: &str,
) -> Res<Vec<(String, Value)>> {
    let mut st = conn.prepare(&format!("SELECT * FROM {table} WHERE {col} = ?1"))?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let vals = st.query_row([key], |r| {
        (0..names.len())
            .map(|i| r.get::<_, Value>(i))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(names.into_iter().zip(vals).collect())
}

fn insert(conn: &rusqlite::Connection, table: &str, row: &[(String, Value)]) -> Res<()> {
    let marks: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {table} VALUES ({})", marks.join(","));
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(row.iter().map(|(_, v)| v)))?;
    Ok(())
}

/// Clone the agent's cron-bound session `count` times as cron-run sessions.
fn add_sessions(db: &Path, agent: &str, count: usize, seed: u64) -> Res<Vec<String>> {
    let conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let (key, sid): (String, String) = conn.query_row(
        "SELECT session_key, current_session_id FROM session_nodes \
         WHERE session_key LIKE ?1 AND session_key NOT LIKE '%:run:%' LIMIT 1",
        [format!("agent:{agent}:cron:%")],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let node = row(&conn, "session_nodes", "session_key", &key)?;
    let window = row(&conn, "session_windows", "session_id", &sid)?;
    let tx = conn.unchecked_transaction()?;
    let mut keys = Vec::with_capacity(count);
    for i in 0..count {
        let new_sid = vary(&sid, seed + i as u64);
        let new_key = format!("{key}:run:{new_sid}");
        let back = (i as i64 + 1) * 60_000;
        let fix = |row: &[(String, Value)]| -> Vec<(String, Value)> {
            row.iter()
                .map(|(n, v)| {
                    let v = match (n.as_str(), v) {
                        ("session_key", _) => Value::Text(new_key.clone()),
                        ("current_session_id" | "session_id", _) => Value::Text(new_sid.clone()),
                        ("entry_json", Value::Text(t)) => Value::Text(t.replace(&sid, &new_sid)),
                        (n, Value::Integer(t)) if n.ends_with("_at") && *t > 1_000_000_000_000 => {
                            Value::Integer(t - back)
                        }
                        _ => v.clone(),
                    };
                    (n.clone(), v)
                })
                .collect()
        };
        insert(&tx, "session_nodes", &fix(&node))?;
        insert(&tx, "session_windows", &fix(&window))?;
        keys.push(new_key);
    }
    tx.commit()?;
    Ok(keys)
}

/// Copy the captured state dir `captured` to `state` and grow its agent stores to `sessions`
/// sessions in total; returns (agent DB path, cloned session keys) per agent.
pub fn build(captured: &Path, state: &Path, sessions: usize) -> Res<Vec<(PathBuf, Vec<String>)>> {
    copy_dir(captured, state)?;
    let mut agents: Vec<String> = fs::read_dir(state.join("agents"))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    agents.sort();
    let mut existing = 0;
    for a in &agents {
        let db = state.join(format!("agents/{a}/agent/openclaw-agent.sqlite"));
        let c = rusqlite::Connection::open(&db)?;
        existing += c.query_row("SELECT count(*) FROM session_nodes", [], |r| {
            r.get::<_, i64>(0)
        })? as usize;
    }
    let need = sessions.saturating_sub(existing);
    let mut out = Vec::new();
    for (n, a) in agents.iter().enumerate() {
        let share = need / agents.len() + usize::from(n < need % agents.len());
        let db = state.join(format!("agents/{a}/agent/openclaw-agent.sqlite"));
        let keys = add_sessions(&db, a, share, (n as u64) << 24)?;
        out.push((db, keys));
    }
    println!(
        "store: {} with {} sessions ({existing} captured + {need} cron-run clones) in {} agents",
        state.display(),
        existing + need,
        agents.len()
    );
    Ok(out)
}
