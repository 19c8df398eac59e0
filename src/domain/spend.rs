//! Spend: tokens and USD by model, agent, session, cron job, day and hour.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

/// Tokens and USD for one bucket. `unpriced_tokens` are tokens with no price: never counted as $0.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SpendBucket {
    pub usd: f64,
    pub tokens: u64,
    pub unpriced_tokens: u64,
    pub turns: u64,
}

/// All spend aggregates.
#[derive(Debug, Default)]
pub struct Spend {
    pub total: SpendBucket,
    /// Key: `provider/model`.
    pub by_model: BTreeMap<String, SpendBucket>,
    pub by_agent: BTreeMap<String, SpendBucket>,
    /// Key: session key (or session id when the key is unknown).
    pub by_session: BTreeMap<String, SpendBucket>,
    pub by_cron_job: BTreeMap<String, SpendBucket>,
    /// Gateway-local day is not known; days are UTC.
    pub by_day: BTreeMap<NaiveDate, SpendBucket>,
    /// Start of the UTC hour.
    pub by_hour: BTreeMap<DateTime<Utc>, SpendBucket>,
}
