//! `openclaw.json` (JSON5) → [`ConfigFacts`].

use std::path::Path;

use crate::fact::ConfigFacts;
use crate::ingest::store::StoreError;

/// Parse the text of an `openclaw.json`.
pub fn parse_config(_text: &str, path: &Path) -> Result<ConfigFacts, StoreError> {
    Err(StoreError::Format { path: path.display().to_string(), message: "not implemented".into() })
}

/// Read and parse an `openclaw.json` file.
pub fn load_config(path: &Path) -> Result<ConfigFacts, StoreError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| StoreError::Io { path: path.display().to_string(), message: e.to_string() })?;
    parse_config(&text, path)
}
