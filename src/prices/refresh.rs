//! The optional price refresh: when `[prices] refresh_url` is set, fetch a LiteLLM-format table
//! with reqwest (rustls) on a tokio task (never on the UI thread, never blocking ingest), keep
//! it in the cache dir (`$LANETOP_CACHE_DIR`, else the XDG cache dir, `~/.cache/lanetop/`) as
//! `prices-refreshed.json`, and hand it to `update` as [`Msg::Prices`]. At start the cached copy
//! is read (a local file) so the refreshed prices apply from the first record; the network is
//! only asked when the copy is older than `refresh_hours`, then every `refresh_hours`.
//! Without `refresh_url` nothing is fetched and the cache is not read.
//!
//! A failed fetch or a body that is not a price table is logged (`tracing::warn!`) and changes
//! nothing: the previous table (or the bundled one) stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;

use super::{PriceBook, PriceSettings, PriceTable};
use crate::msg::Msg;

/// Environment variable overriding the cache dir.
pub const CACHE_DIR_ENV: &str = "LANETOP_CACHE_DIR";

/// File name of the cached refreshed table in the cache dir.
pub const CACHE_FILE: &str = "prices-refreshed.json";

/// Wait before retrying a failed fetch (or `refresh_hours`, when shorter).
const RETRY: Duration = Duration::from_secs(15 * 60);

/// Largest body accepted, bytes (the full upstream table is ~3 MB).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// The cache dir: `$LANETOP_CACHE_DIR`, else `ProjectDirs::from("ai", "openclaw", "lanetop")`
/// cache dir (`~/.cache/lanetop` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(CACHE_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("ai", "openclaw", "lanetop").map(|p| p.cache_dir().to_path_buf())
}

/// The tables to start with: the bundled one unless `bundled = false`, and the cached refreshed
/// copy when `refresh_url` is set and the copy parses. Reads one local file at most.
pub fn startup_book(settings: &PriceSettings, cache_dir: Option<&Path>) -> PriceBook {
    let mut book = PriceBook::default();
    if !settings.bundled {
        book.bundled = None;
    }
    if settings.refresh_url.is_some()
        && let Some(dir) = cache_dir
    {
        book.refreshed = load_cached(&dir.join(CACHE_FILE)).map(|(t, _)| Arc::new(t));
    }
    book
}

/// The cached table and its modification time, when the file exists and parses.
pub fn load_cached(path: &Path) -> Option<(PriceTable, SystemTime)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    match PriceTable::parse(&text) {
        Ok(t) => Some((t, mtime)),
        Err(e) => {
            tracing::warn!("prices: cached table {} unusable: {e}", path.display());
            None
        }
    }
}

/// Fetch `url`, check that it is a price table, write it to `cache` (atomically: a temp file
/// then a rename) and return it. Errors are messages for the log.
pub async fn fetch_and_cache(url: &str, cache: Option<&Path>) -> Result<PriceTable, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("lanetop/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("http client: {e}"))?;
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("GET {url}: HTTP {status}"));
    }
    if resp.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
        return Err(format!("GET {url}: body larger than {MAX_BYTES} bytes"));
    }
    let body = resp.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
    if body.len() > MAX_BYTES {
        return Err(format!("GET {url}: body larger than {MAX_BYTES} bytes"));
    }
    let text = std::str::from_utf8(&body).map_err(|e| format!("GET {url}: not UTF-8: {e}"))?;
    let table = PriceTable::parse(text).map_err(|e| format!("GET {url}: {e}"))?;
    if let Some(path) = cache {
        write_cache(path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(table)
}

fn write_cache(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Start the refresh task when `refresh_url` is set (else `None`, and nothing happens). It
/// fetches when the cached copy is missing or older than `refresh_hours`, then every
/// `refresh_hours`, sending each good table as [`Msg::Prices`]; it ends when `tx` closes.
pub fn spawn(
    settings: &PriceSettings,
    cache_dir: Option<PathBuf>,
    tx: mpsc::Sender<Msg>,
) -> Option<tokio::task::JoinHandle<()>> {
    let url = settings.refresh_url.clone()?;
    let every = Duration::from_secs(settings.refresh_hours.saturating_mul(3600));
    let cache = cache_dir.map(|d| d.join(CACHE_FILE));
    Some(tokio::spawn(async move {
        let age = cache
            .as_deref()
            .and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .and_then(|m| SystemTime::now().duration_since(m).ok());
        let mut wait = match age {
            Some(a) if a < every => every - a,
            _ => Duration::ZERO,
        };
        loop {
            tokio::time::sleep(wait).await;
            wait = match fetch_and_cache(&url, cache.as_deref()).await {
                Ok(t) => {
                    tracing::info!("prices: refreshed {} models from {url}", t.len());
                    if tx.send(Msg::Prices(Arc::new(t))).await.is_err() {
                        return;
                    }
                    every
                }
                Err(e) => {
                    tracing::warn!("prices: refresh failed (retry in ≤ 15 min): {e}");
                    every.min(RETRY)
                }
            };
            if tx.is_closed() {
                return;
            }
        }
    }))
}
