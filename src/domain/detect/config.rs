//! Detector thresholds, budgets and the overnight horizon. Filled from `lanetop.toml`
//! (`crate::config::settings`, which documents every key); [`Default`] holds the defaults.

use std::collections::BTreeMap;

/// Daily budgets in USD (UTC days, as the spend buckets are).
#[derive(Debug, Clone, PartialEq)]
pub struct Budgets {
    /// Total daily budget over every agent, USD; `None` = no budget.
    pub daily_usd: Option<f64>,
    /// Daily budget per agent id, USD.
    pub agents: BTreeMap<String, f64>,
    /// Fraction of a budget that raises a warning (0.8).
    pub warn_ratio: f64,
    /// Fraction that raises a critical alert (1.0).
    pub crit_ratio: f64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            daily_usd: None,
            agents: BTreeMap::new(),
            warn_ratio: 0.8,
            crit_ratio: 1.0,
        }
    }
}

/// Every threshold the detectors and the overnight projection use.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectConfig {
    /// retry-storm: the window, minutes (30).
    pub storm_window_min: i64,
    /// retry-storm: failed attempts (fallback `candidate_failed` steps + same-model retries)
    /// in the window that make a storm (40).
    pub storm_attempts: u32,
    /// retry-storm: chain exhaustions in the window that make a storm (3).
    pub storm_exhaustions: u32,
    /// chain-replay: episodes replayed after a boot that fire (1).
    pub replay_episodes: u32,
    /// chain-replay: live-session model switches of one session in the storm window (3).
    pub replay_switches: u32,
    /// idle-heartbeat: hours without a non-heartbeat user turn (1.0).
    pub idle_hours: f64,
    /// idle-heartbeat: heartbeat polls since the last user turn (3).
    pub idle_polls: u32,
    /// idle-heartbeat: USD per day at which it turns critical (5.0).
    pub idle_crit_usd_per_day: f64,
    /// resume-flood: sessions resumed onto a lane after one boot (3).
    pub flood_resumed: u32,
    /// resume-flood: a `lane wait exceeded` on that lane at least this long, ms (30 000).
    pub flood_wait_ms: u64,
    /// resume-flood: how long after the boot it is looked for, minutes (30).
    pub flood_window_min: i64,
    /// takeover-race: takeovers of one subject in the window (2).
    pub takeover_repeats: u32,
    /// takeover-race: the window, minutes (60).
    pub takeover_window_min: i64,
    /// model-drift: the window, hours (1.0): the primary served less than
    /// `drift_primary_share` of an agent's turns over all of it.
    pub drift_hours: f64,
    /// model-drift: the share below which the primary has drifted (0.5).
    pub drift_primary_share: f64,
    /// model-drift: assistant turns in the window needed to judge (6).
    pub drift_min_turns: u32,
    /// zombie-run: a run started this long ago with no done or timeout, minutes (30).
    pub zombie_after_min: i64,
    /// Budgets.
    pub budgets: Budgets,
    /// Overnight projection: the local hour of the morning (0–23, default 8).
    pub morning_hour: u32,
    /// Offset of the local time from UTC, minutes (set from the host at start; 0 in tests).
    pub utc_offset_min: i32,
    /// Overnight projection: runs averaged for the cost per run (10).
    pub trailing_runs: usize,
    /// `[prices]`: the refresh URL and the bundled table switch ([`crate::prices`]).
    pub prices: crate::prices::PriceSettings,
    /// `[guard.*]`: the opt-in guard rules ([`crate::guard`]), all off by default.
    pub guard: crate::guard::GuardConfig,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            storm_window_min: 30,
            storm_attempts: 40,
            storm_exhaustions: 3,
            replay_episodes: 1,
            replay_switches: 3,
            idle_hours: 1.0,
            idle_polls: 3,
            idle_crit_usd_per_day: 5.0,
            flood_resumed: 3,
            flood_wait_ms: 30_000,
            flood_window_min: 30,
            takeover_repeats: 2,
            takeover_window_min: 60,
            drift_hours: 1.0,
            drift_primary_share: 0.5,
            drift_min_turns: 6,
            zombie_after_min: 30,
            budgets: Budgets::default(),
            morning_hour: 8,
            utc_offset_min: 0,
            trailing_runs: 10,
            prices: crate::prices::PriceSettings::default(),
            guard: crate::guard::GuardConfig::default(),
        }
    }
}
