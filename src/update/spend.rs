//! Spend reducer: prices one usage record and books it into every bucket; re-prices unpriced
//! usage when a config with prices arrives (rules in [`crate::domain::spend`]).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::domain::Model;
use crate::domain::spend::{
    MINUTES_KEPT, SESSION_IDS_CAP, Spend, SpendBucket, TokenCounts, UnpricedKey,
};
use crate::fact::UsageRecord;
use crate::prices::PriceSource;

/// What one usage record was booked as.
pub(super) struct Booked {
    /// Tokens of the record: `totalTokens`, else input + output + cache read + cache write.
    pub tokens: u64,
    /// USD when priced; `None` = unpriced.
    pub usd: Option<f64>,
}

/// How one record was priced: recorded by OpenClaw, or a computed price and its source.
#[derive(Clone, Copy, PartialEq)]
enum How {
    Recorded,
    Computed(PriceSource),
    Unpriced,
}

fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}

/// Price one usage record (record cost, else config, refreshed or bundled price, else
/// unpriced: [`crate::prices`]) and add it to the total, model, agent, session, cron-job, day,
/// hour and minute buckets.
pub(super) fn book(
    model: &mut Model,
    at: DateTime<Utc>,
    u: &UsageRecord,
    agent: &str,
    session: &str,
    cron_job: Option<&str>,
) -> Booked {
    let counts = TokenCounts {
        input: u.input,
        output: u.output,
        cache_read: u.cache_read,
        cache_write: u.cache_write,
        total: if u.total_tokens > 0 {
            u.total_tokens
        } else {
            u.input + u.output + u.cache_read + u.cache_write
        },
        turns: 1,
    };
    let model_name = u.model.to_string();
    let (usd, how) = match u.cost_usd.filter(|c| c.is_finite()) {
        Some(c) => (Some(c), How::Recorded),
        None => match model.prices.resolve(&model.config, &model_name) {
            Some(r) => match r.cost_usd(u.input, u.output, u.cache_read, u.cache_write) {
                Some(x) => (Some(x), How::Computed(r.source())),
                None => (None, How::Unpriced),
            },
            None => (None, How::Unpriced),
        },
    };
    let add = SpendBucket {
        usd: usd.unwrap_or(0.0),
        tokens: counts.total,
        unpriced_tokens: if usd.is_some() { 0 } else { counts.total },
        turns: 1,
    };
    let sp = &mut model.spend;
    let tally = sp.priced_by.entry(model_name.clone()).or_default();
    match how {
        How::Recorded => tally.recorded += 1,
        How::Computed(src) => *tally.of(Some(src)) += 1,
        How::Unpriced => tally.unpriced += 1,
    }
    let hour = hour_of(at);
    for b in buckets(sp, &model_name, agent, session, cron_job, hour) {
        add_to(b, &add);
    }
    if let Some(b) = session_id_bucket(sp, &u.session_id) {
        add_to(b, &add);
    }
    add_to(&mut sp.total, &add);
    match usd {
        Some(x) => {
            let minute = at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at);
            *sp.by_minute.entry(minute).or_default() += x;
            while sp.by_minute.len() > MINUTES_KEPT {
                sp.by_minute.pop_first();
            }
        }
        None => {
            let key = UnpricedKey {
                model: model_name,
                agent: agent.to_string(),
                session: session.to_string(),
                session_id: u.session_id.clone(),
                cron_job: cron_job.map(str::to_string),
                hour,
            };
            let e = sp.unpriced.entry(key).or_default();
            e.input += counts.input;
            e.output += counts.output;
            e.cache_read += counts.cache_read;
            e.cache_write += counts.cache_write;
            e.total += counts.total;
            e.turns += counts.turns;
        }
    }
    if let Some(job) = cron_job {
        refresh_job_cost(model, job);
    }
    Booked {
        tokens: counts.total,
        usd,
    }
}

fn add_to(b: &mut SpendBucket, add: &SpendBucket) {
    b.usd += add.usd;
    b.tokens = b.tokens.saturating_add(add.tokens);
    b.unpriced_tokens = b.unpriced_tokens.saturating_add(add.unpriced_tokens);
    b.turns += add.turns;
}

/// The `by_session_id` bucket of `id` (created, evicting the oldest id past
/// [`SESSION_IDS_CAP`]); `None` for an empty id.
fn session_id_bucket<'a>(sp: &'a mut Spend, id: &str) -> Option<&'a mut SpendBucket> {
    if id.is_empty() {
        return None;
    }
    if !sp.by_session_id.contains_key(id) {
        sp.session_id_order.push_back(id.to_string());
        while sp.session_id_order.len() > SESSION_IDS_CAP {
            if let Some(old) = sp.session_id_order.pop_front() {
                sp.by_session_id.remove(&old);
            }
        }
    }
    Some(sp.by_session_id.entry(id.to_string()).or_default())
}

/// The per-dimension buckets of one record (all but `total`).
fn buckets<'a>(
    sp: &'a mut Spend,
    model: &str,
    agent: &str,
    session: &str,
    cron_job: Option<&str>,
    hour: DateTime<Utc>,
) -> Vec<&'a mut SpendBucket> {
    let mut v = vec![
        sp.by_model.entry(model.to_string()).or_default(),
        sp.by_agent.entry(agent.to_string()).or_default(),
        sp.by_session.entry(session.to_string()).or_default(),
        sp.by_day.entry(hour.date_naive()).or_default(),
        sp.by_agent_day
            .entry((agent.to_string(), hour.date_naive()))
            .or_default(),
        sp.by_hour.entry(hour).or_default(),
    ];
    if let Some(job) = cron_job {
        v.push(sp.by_cron_job.entry(job.to_string()).or_default());
    }
    v
}

/// Keep `CronJob::cost_usd` equal to the spend booked for the job's sessions.
pub(super) fn refresh_job_cost(model: &mut Model, job: &str) {
    let usd = model.spend.by_cron_job.get(job).map_or(0.0, |b| b.usd);
    if let Some(j) = model.cron.jobs.get_mut(job) {
        j.cost_usd = usd;
    }
}

/// A placeholder session (keyed by its session id) became `to`: move its bucket, and credit its
/// cron job, which was unknown while the key was.
pub(super) fn rekey_session(sp: &mut Spend, from: &str, to: &str, cron_job: Option<&str>) {
    let Some(b) = sp.by_session.remove(from) else {
        return;
    };
    add_to(sp.by_session.entry(to.to_string()).or_default(), &b);
    if let Some(job) = cron_job {
        add_to(sp.by_cron_job.entry(job.to_string()).or_default(), &b);
    }
    let moved: Vec<(UnpricedKey, TokenCounts)> = {
        let keys: Vec<UnpricedKey> = sp
            .unpriced
            .keys()
            .filter(|k| k.session == from)
            .cloned()
            .collect();
        keys.into_iter()
            .filter_map(|k| sp.unpriced.remove(&k).map(|c| (k, c)))
            .collect()
    };
    for (mut k, c) in moved {
        k.session = to.to_string();
        k.cron_job = cron_job.map(str::to_string).or(k.cron_job);
        let e = sp.unpriced.entry(k).or_default();
        e.input += c.input;
        e.output += c.output;
        e.cache_read += c.cache_read;
        e.cache_write += c.cache_write;
        e.total += c.total;
        e.turns += c.turns;
    }
}

/// Move unpriced usage of models that now have a price (a config arrived, or a refreshed
/// table) into USD, in every bucket and in the sessions. (The burn-rate minute buckets are not
/// back-filled.) Usage of a model whose table price has a prompt-size tier stays unpriced: the
/// counts are sums over records, and the tier is per record.
pub(super) fn reprice(model: &mut Model) {
    let priced: Vec<(UnpricedKey, f64, PriceSource)> = model
        .spend
        .unpriced
        .iter()
        .filter_map(|(k, c)| {
            let r = model.prices.resolve(&model.config, &k.model)?;
            if r.per_record_only() && c.turns > 1 {
                return None;
            }
            let usd = r.cost_usd(c.input, c.output, c.cache_read, c.cache_write)?;
            Some((k.clone(), usd, r.source()))
        })
        .collect();
    let mut jobs = Vec::new();
    for (k, usd, source) in priced {
        let Some(c) = model.spend.unpriced.remove(&k) else {
            continue;
        };
        let sp = &mut model.spend;
        let tally = sp.priced_by.entry(k.model.clone()).or_default();
        tally.unpriced = tally.unpriced.saturating_sub(c.turns);
        *tally.of(Some(source)) += c.turns;
        let fix = |b: &mut SpendBucket| {
            b.usd += usd;
            b.unpriced_tokens = b.unpriced_tokens.saturating_sub(c.total);
        };
        for b in buckets(
            sp,
            &k.model,
            &k.agent,
            &k.session,
            k.cron_job.as_deref(),
            k.hour,
        ) {
            fix(b);
        }
        fix(&mut sp.total);
        if let Some(b) = sp.by_session_id.get_mut(&k.session_id) {
            fix(b);
        }
        if let Some(s) = model.sessions.by_key.get_mut(&k.session) {
            s.cost_usd += usd;
            s.unpriced_tokens = s.unpriced_tokens.saturating_sub(c.total);
        }
        if let Some(j) = k.cron_job {
            jobs.push(j);
        }
    }
    for j in jobs {
        refresh_job_cost(model, &j);
    }
}
