//! Legacy (≤ 2026.5) store readers. STUB on branch `tail`: replaced by the real readers at merge.

use std::path::{Path, PathBuf};

use crate::fact::Fact;
use crate::ingest::store::{StoreError, StoreReader};

/// Reader of `agents/<id>/sessions/` (stub).
pub struct LegacyAgentReader {
    agent_id: String,
    sessions_dir: PathBuf,
}

impl LegacyAgentReader {
    /// Open an agent's legacy sessions dir.
    pub fn open(agent_id: &str, sessions_dir: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            agent_id: agent_id.to_string(),
            sessions_dir: sessions_dir.to_path_buf(),
        })
    }
}

impl StoreReader for LegacyAgentReader {
    fn name(&self) -> String {
        format!("sessions.json:{}", self.agent_id)
    }
    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.sessions_dir.join("sessions.json")]
    }
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        Ok(Vec::new())
    }
}

/// Reader of `cron/` (stub).
pub struct LegacyCronReader {
    cron_dir: PathBuf,
}

impl LegacyCronReader {
    /// Open the legacy cron dir.
    pub fn open(cron_dir: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            cron_dir: cron_dir.to_path_buf(),
        })
    }
}

impl StoreReader for LegacyCronReader {
    fn name(&self) -> String {
        "cron".into()
    }
    fn watch_paths(&self) -> Vec<PathBuf> {
        vec![self.cron_dir.join("jobs.json")]
    }
    fn poll(&mut self) -> Result<Vec<Fact>, StoreError> {
        Ok(Vec::new())
    }
}
