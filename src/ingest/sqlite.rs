//! SQLite store readers (2026.6+). STUB on branch `tail`: replaced by the real readers at merge.

use std::path::{Path, PathBuf};

use crate::fact::Fact;
use crate::ingest::store::{StoreError, StoreReader};

/// Reader of `agents/<id>/agent/openclaw-agent.sqlite` (stub).
pub struct AgentDbReader {
    agent_id: String,
    db_path: PathBuf,
}

impl AgentDbReader {
    /// Open the per-agent DB read-only.
    pub fn open(agent_id: &str, db_path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            agent_id: agent_id.to_string(),
            db_path: db_path.to_path_buf(),
        })
    }
}

impl StoreReader for AgentDbReader {
    fn name(&self) -> String {
        format!("agent-db:{}", self.agent_id)
    }
    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.db_path.clone()]
    }
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        Ok(Vec::new())
    }
}

/// Reader of `state/openclaw.sqlite` (stub).
pub struct StateDbReader {
    db_path: PathBuf,
}

impl StateDbReader {
    /// Open the shared state DB read-only.
    pub fn open(db_path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            db_path: db_path.to_path_buf(),
        })
    }
}

impl StoreReader for StateDbReader {
    fn name(&self) -> String {
        "state-db".into()
    }
    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.db_path.clone()]
    }
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        Ok(Vec::new())
    }
}
