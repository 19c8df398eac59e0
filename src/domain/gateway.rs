//! The gateway process: boots, state, reachability.

use chrono::{DateTime, Utc};

use crate::fact::ModelRef;

/// One gateway boot.
#[derive(Debug, Clone, Default)]
pub struct Boot {
    pub started_at: Option<DateTime<Utc>>,
    pub ready_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// `clean_stop`, a signal name, or `None` (crashed or still running).
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub pid: Option<i64>,
    /// Boot id from `gateway_boot_lifecycle`, when known.
    pub boot_id: Option<String>,
    /// True when the log's `loading configuration…` was seen for this boot.
    pub seen_in_log: bool,
    /// Time of that log line (the DB start time, when known, stays in `started_at`).
    pub log_started_at: Option<DateTime<Utc>>,
}

/// A log `loading configuration…` and a `gateway_boot_lifecycle.started_at_ms` this close
/// together are the same boot (observed: 0.4–0.6 s apart).
pub const BOOT_MATCH_WINDOW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Gateway lifecycle state as seen from the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayState {
    #[default]
    Unknown,
    Starting,
    Up,
    ShuttingDown,
    Down,
}

/// The gateway.
#[derive(Debug, Default)]
pub struct Gateway {
    pub version: Option<String>,
    pub hostname: Option<String>,
    pub boots: Vec<Boot>,
    pub state: GatewayState,
    /// Time of the newest record from the gateway.
    pub last_seen: Option<DateTime<Utc>>,
    /// RPC reachability (None until a client tried).
    pub reachable: Option<bool>,
    /// The RPC URL lanetop connects to (`ws://127.0.0.1:18789`), once a client tried.
    pub rpc_url: Option<String>,
    /// Server version from `hello-ok`, or why the link is down.
    pub rpc_detail: Option<String>,
    /// Trouble on a link that is up (`rpc timeout: health (10000 ms)`, `bad frame: 2 skipped`);
    /// cleared by a clean round of reads or a reconnect.
    pub rpc_trouble: Option<String>,
    /// Scopes granted by the gateway (`hello-ok.auth.scopes`).
    pub rpc_scopes: Vec<String>,
    /// Last live `health.ok`.
    pub live_health: Option<bool>,
    /// Time of the last live `sessions.list` / `cron.list` merge.
    pub live_at: Option<DateTime<Utc>>,
    pub default_model: Option<ModelRef>,
}

impl Gateway {
    /// 0-based index of the boot running at `at`: the last boot started at or before `at`
    /// (0 when none is known).
    pub fn boot_index_at(&self, at: DateTime<Utc>) -> usize {
        self.boots
            .iter()
            .filter(|b| b.started_at.is_some_and(|s| s <= at))
            .count()
            .saturating_sub(1)
    }
}
