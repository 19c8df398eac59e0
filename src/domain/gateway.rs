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
}

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
    pub default_model: Option<ModelRef>,
}
