//! Facts from the REAL captured artifacts (`../shared/openclaw/captured`), made by lanetop's own
//! readers: the log parser for `logs/openclaw.log` and the SQLite readers for the agent and state
//! stores. Reducer tests over these are end-to-end checks of parse + fold on real data.

use std::path::PathBuf;
use std::sync::Arc;

use lanetop::fact::Fact;
use lanetop::ingest::log::LineParser;
use lanetop::ingest::sqlite::{AgentDbReader, StateDbReader};
use lanetop::ingest::store::StoreReader;

/// `../shared/openclaw/<rel>`.
pub fn openclaw(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/openclaw")
        .join(rel)
}

/// One fact per line of the captured gateway log, parsed by the real parser.
pub fn log_facts() -> Vec<Fact> {
    let path = openclaw("captured/logs/openclaw.log");
    let bytes = std::fs::read(&path).expect("captured log");
    let name: Arc<str> = Arc::from(path.display().to_string());
    let mut out = Vec::new();
    LineParser::new().parse_chunk(&bytes, &name, 1, &mut out);
    out
}

/// Everything the real SQLite readers read from the captured stores: the three agent DBs
/// (sessions, transcripts with usage, pending inputs) and the state DB (cron jobs, runs, boots).
pub fn store_facts() -> Vec<Fact> {
    let mut readers: Vec<Box<dyn StoreReader>> = ["main", "ops", "research"]
        .iter()
        .map(|a| {
            let db = openclaw(&format!(
                "captured/state/agents/{a}/agent/openclaw-agent.sqlite"
            ));
            Box::new(AgentDbReader::open(a, &db).expect("agent db")) as Box<dyn StoreReader>
        })
        .collect();
    readers.push(Box::new(
        StateDbReader::open(&openclaw("captured/state/state/openclaw.sqlite")).expect("state db"),
    ));
    readers
        .iter_mut()
        .flat_map(|r| r.poll().expect("poll"))
        .collect()
}
