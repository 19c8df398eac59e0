//! Spend: tokens and USD by model, agent, session, cron job, day and hour.
//!
//! Pricing rule (applied by `update::spend`): `usage.cost.total` of the transcript record when
//! present, else the config price of the record's `provider/model` ([`crate::fact::Price`],
//! USD per 1M tokens), else the refreshed, else the bundled price table ([`crate::prices`]),
//! else the tokens are *unpriced* (counted in `unpriced_tokens`, never as $0). Unpriced token
//! counts are kept per (model, agent, session, cron job, hour) in [`Spend::unpriced`], so when
//! a config or a refreshed table with a price for that model arrives later they are re-priced
//! into every bucket (the burn-rate minute buckets excepted). How each model's turns were
//! priced is counted in [`Spend::priced_by`].

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Tokens and USD for one bucket. `unpriced_tokens` are tokens with no price: never counted as $0.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SpendBucket {
    pub usd: f64,
    pub tokens: u64,
    pub unpriced_tokens: u64,
    pub turns: u64,
}

/// Token counts of unpriced usage, by token class.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TokenCounts {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    /// The tokens these counted in `unpriced_tokens` (the record's total).
    pub total: u64,
    /// Usage records (turns) these counts sum.
    pub turns: u64,
}

/// How a model's turns were priced (turn counts): `usage.cost.total` recorded by OpenClaw,
/// a config, refreshed or bundled price, or none.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PricedBy {
    pub recorded: u64,
    pub config: u64,
    pub refreshed: u64,
    pub bundled: u64,
    pub unpriced: u64,
}

impl PricedBy {
    /// The counter of a price source.
    pub fn of(&mut self, source: Option<crate::prices::PriceSource>) -> &mut u64 {
        use crate::prices::PriceSource;
        match source {
            Some(PriceSource::Config) => &mut self.config,
            Some(PriceSource::Refreshed) => &mut self.refreshed,
            Some(PriceSource::Bundled) => &mut self.bundled,
            None => &mut self.unpriced,
        }
    }
}

/// Where unpriced tokens were booked, so that a later price can move them to USD.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnpricedKey {
    /// `provider/model`.
    pub model: String,
    pub agent: String,
    /// The `by_session` key (session key, or session id while the key is unknown).
    pub session: String,
    /// The `by_session_id` key: the transcript session id of the record (may be empty).
    pub session_id: String,
    pub cron_job: Option<String>,
    /// Start of the UTC hour.
    pub hour: DateTime<Utc>,
}

/// How many minute buckets are kept for the burn rate.
pub const MINUTES_KEPT: usize = 120;

/// How many session ids [`Spend::by_session_id`] keeps (a minute cron job makes 1,440 a day;
/// every job keeps at most [`crate::domain::cron::RUNS_PER_JOB`] runs to price).
pub const SESSION_IDS_CAP: usize = 16_384;

/// All spend aggregates.
#[derive(Debug, Default)]
pub struct Spend {
    pub total: SpendBucket,
    /// Key: `provider/model`.
    pub by_model: BTreeMap<String, SpendBucket>,
    pub by_agent: BTreeMap<String, SpendBucket>,
    /// Key: session key (or session id when the key is unknown).
    pub by_session: BTreeMap<String, SpendBucket>,
    /// Key: transcript session id ([`crate::fact::UsageRecord::session_id`]): one session
    /// window, whatever key it is booked under. A cron binding (`agent:<a>:cron:<job>`) is
    /// one session key over many session ids, one per isolated run, so this is what prices a
    /// single run (its key `…:run:<sessionId>` names the id:
    /// [`crate::domain::run_cost::run_cost`]). Bounded to the [`SESSION_IDS_CAP`] ids first
    /// booked most recently (`session_id_order`, oldest first): an older run's cost becomes
    /// unknown, never wrong.
    pub by_session_id: HashMap<String, SpendBucket>,
    /// Insertion order of `by_session_id`, for eviction.
    pub session_id_order: VecDeque<String>,
    pub by_cron_job: BTreeMap<String, SpendBucket>,
    /// Gateway-local day is not known; days are UTC.
    pub by_day: BTreeMap<NaiveDate, SpendBucket>,
    /// (agent, UTC day): the per-agent daily budgets.
    pub by_agent_day: BTreeMap<(String, NaiveDate), SpendBucket>,
    /// Start of the UTC hour.
    pub by_hour: BTreeMap<DateTime<Utc>, SpendBucket>,
    /// Priced USD per UTC minute (start of minute), the newest [`MINUTES_KEPT`] minutes: the
    /// burn-rate window.
    pub by_minute: BTreeMap<DateTime<Utc>, f64>,
    /// Unpriced usage awaiting a price (see the module doc).
    pub unpriced: BTreeMap<UnpricedKey, TokenCounts>,
    /// Key: `provider/model`: how its turns were priced.
    pub priced_by: BTreeMap<String, PricedBy>,
}

impl Spend {
    /// USD per hour over the 60 minutes before `now` (the model clock): the sum of the minute
    /// buckets that start after `now - 60 min` and not after `now`.
    pub fn burn_rate_usd_per_h(&self, now: Option<DateTime<Utc>>) -> f64 {
        let Some(now) = now else { return 0.0 };
        let Some(from) = now.checked_sub_signed(TimeDelta::minutes(60)) else {
            return 0.0;
        };
        self.by_minute
            .range(..=now)
            .filter(|(m, _)| **m > from)
            .map(|(_, usd)| usd)
            .sum()
    }
}
