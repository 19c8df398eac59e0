//! Shared test helpers.
#![allow(dead_code)]
use std::path::PathBuf;

/// `../shared` beside the project root (or `LANETOP_SHARED`).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("LANETOP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// `../shared/openclaw/<rel>`.
pub fn openclaw(rel: &str) -> PathBuf {
    shared_dir().join("openclaw").join(rel)
}
