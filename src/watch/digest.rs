//! The morning digest: spend since the last digest by agent, cron job and model, the top
//! sessions, the incidents that fired and resolved, and the projected spend for the day.
//!
//! Spend since `T` comes from [`read_since`]: every source read once (as `lanetop report`)
//! with the usage records before `T` left out, so the digest and
//! `lanetop report --since T` are the same numbers by construction. "Last digest at" is kept
//! in `<state dir>/last-digest` (one RFC 3339 line); [`Schedule`] decides when one is due.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, Duration as TimeDelta, NaiveTime, Utc};

use super::message::{Incident, Push, State};
use crate::domain::Model;
use crate::domain::detect::{Alert, DetectConfig};
use crate::domain::spend::SpendBucket;
use crate::fact::{Fact, FactKind};
use crate::ingest::discover::Discovery;
use crate::update::BacklogFold;

/// File name of the "last digest at" record in the state dir.
pub const FILE: &str = "last-digest";

/// The `last-digest` path (`<state dir>/last-digest`).
pub fn state_path() -> Option<PathBuf> {
    crate::gateway::audit::state_dir().map(|d| d.join(FILE))
}

/// The recorded last digest time, if any (a missing or unreadable file is `None`).
pub fn last_digest() -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string(state_path()?).ok()?;
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// When the digest is due.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// The last digest sent (from the state file).
    pub last: Option<DateTime<Utc>>,
    /// The first clock reading seen (stands for `last` when there was never a digest, so
    /// starting the watch after the hour does not send one at once).
    pub first: Option<DateTime<Utc>>,
}

/// The most recent local `hour:00` at or before `now` (as UTC), local = UTC + `offset_min`.
pub fn slot(now: DateTime<Utc>, hour: u32, offset_min: i32) -> DateTime<Utc> {
    let off = TimeDelta::minutes(i64::from(offset_min));
    let local = now + off;
    let at = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or_default();
    let today = local.date_naive().and_time(at).and_utc() - off;
    if today <= now {
        today
    } else {
        today - TimeDelta::days(1)
    }
}

impl Schedule {
    /// From the state file.
    pub fn load() -> Self {
        Schedule {
            last: last_digest(),
            first: None,
        }
    }

    /// `Some(since)` when a digest is due at `now`: the last one (or the first reading) is
    /// before the latest slot. `since` is the last digest, else 24 h before the slot.
    pub fn due(&mut self, now: DateTime<Utc>, hour: u32, offset_min: i32) -> Option<DateTime<Utc>> {
        let first = *self.first.get_or_insert(now);
        let s = slot(now, hour, offset_min);
        (self.last.unwrap_or(first) < s).then(|| self.last.unwrap_or(s - TimeDelta::days(1)))
    }

    /// Record a digest sent at `now` (in memory and in the state file).
    pub fn mark(&mut self, now: DateTime<Utc>) -> std::io::Result<()> {
        self.last = Some(now);
        let path = state_path().ok_or_else(|| std::io::Error::other("no state dir"))?;
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(path, format!("{}\n", now.to_rfc3339()))
    }
}

/// An incident message remembered for the digest.
#[derive(Debug, Clone)]
pub struct DigestEvent {
    pub at: DateTime<Utc>,
    pub state: State,
    pub alert: Alert,
}

impl DigestEvent {
    /// From a message sent at `at`.
    pub fn of(i: &Incident, at: DateTime<Utc>) -> Self {
        DigestEvent {
            at,
            state: i.state,
            alert: i.alert.clone(),
        }
    }
}

/// Every source read once, twice folded: `full` with every fact, `since` with the usage
/// records before `since` left out (its spend aggregates cover `[since, newest fact]`). The
/// `since` model's alerts are `full`'s whose incident started at or after `since` (or has no
/// known start), and its cron jobs are `full`'s (cost per run over every run).
pub struct SinceModels {
    pub full: Model,
    pub since: Model,
}

/// Read every source once ([`crate::ingest::collect_once`]) into [`SinceModels`].
pub fn read_since(discovery: &Discovery, cfg: &DetectConfig, since: DateTime<Utc>) -> SinceModels {
    let mk = || Model {
        detect_config: cfg.clone(),
        ..Model::default()
    };
    let (mut full, mut part) = (mk(), mk());
    let (mut fold_full, mut fold_part) = (BacklogFold::default(), BacklogFold::default());
    crate::ingest::collect_once(discovery, &mut |facts: Vec<Fact>| {
        let kept: Vec<Fact> = facts
            .iter()
            .filter(|f| !matches!(f.kind, FactKind::Usage(_)) || f.at >= since)
            .cloned()
            .collect();
        fold_full.fold(&mut full, facts);
        fold_part.fold(&mut part, kept);
    });
    fold_full.finish(&mut full);
    fold_part.finish(&mut part);
    // Cron jobs and their cost per run come from every run (the overnight projection of a
    // `--since` report is the same as without it); `full` keeps the limited ones. A run's cost
    // is its session's spend by session id (`domain::run_cost`): that index comes along (it is
    // no spend aggregate of the report).
    std::mem::swap(&mut part.cron, &mut full.cron);
    std::mem::swap(&mut part.spend.by_session_id, &mut full.spend.by_session_id);
    std::mem::swap(
        &mut part.spend.session_id_order,
        &mut full.spend.session_id_order,
    );
    part.alerts = full
        .alerts
        .iter()
        .filter(|a| a.since.is_none_or(|t| t >= since))
        .cloned()
        .collect();
    SinceModels { full, since: part }
}

fn top(
    out: &mut String,
    title: &str,
    m: &std::collections::BTreeMap<String, SpendBucket>,
    n: usize,
) {
    let mut v: Vec<_> = m
        .iter()
        .filter(|(_, b)| b.usd > 0.0 || b.unpriced_tokens > 0)
        .collect();
    if v.is_empty() {
        return;
    }
    v.sort_by(|a, b| b.1.usd.total_cmp(&a.1.usd).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "\n**{title}**");
    for (k, b) in v.iter().take(n) {
        let unpriced = if b.unpriced_tokens > 0 {
            format!(" + {} unpriced tokens", b.unpriced_tokens)
        } else {
            String::new()
        };
        let _ = writeln!(out, "- {k}: ${:.2} ({} turns{unpriced})", b.usd, b.turns);
    }
}

/// Spend of the local day of `now` so far plus the burn rate over the rest of it (USD), from
/// the live model's hour buckets (UTC hours from local midnight) and its 60-minute burn rate.
pub fn projected_today(model: &Model, now: DateTime<Utc>) -> (f64, f64, f64) {
    let off = TimeDelta::minutes(i64::from(model.detect_config.utc_offset_min));
    let midnight = (now + off).date_naive().and_time(NaiveTime::MIN).and_utc() - off;
    let so_far: f64 = model
        .spend
        .by_hour
        .range(midnight..)
        .map(|(_, b)| b.usd)
        .sum();
    let rate = model.spend.burn_rate_usd_per_h(Some(now));
    let hours_left = (midnight + TimeDelta::days(1) - now).num_seconds().max(0) as f64 / 3600.0;
    (so_far, rate, so_far + rate * hours_left)
}

/// The digest message: spend in `[since, now]` ([`read_since`] over `discovery`), the incident
/// messages in `events`, the projection from `live`. Blocking (reads every source once).
pub fn build(
    discovery: &Discovery,
    live: &Model,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    events: &[DigestEvent],
) -> Push {
    let read = || read_since(discovery, &live.detect_config, since);
    // On a multi-thread runtime (the binary's) the other tasks keep running meanwhile.
    let m = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(read),
        _ => read(),
    };
    let s = &m.since.spend;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "lanetop digest on {}: {} → {}",
        super::message::hostname(),
        since.to_rfc3339(),
        now.to_rfc3339()
    );
    let _ = writeln!(
        md,
        "\nSpend: ${:.2} over {} turns{}",
        s.total.usd,
        s.total.turns,
        if s.total.unpriced_tokens > 0 {
            format!(" (+ {} unpriced tokens)", s.total.unpriced_tokens)
        } else {
            String::new()
        }
    );
    top(&mut md, "By agent", &s.by_agent, 10);
    top(&mut md, "By cron job", &s.by_cron_job, 10);
    top(&mut md, "By model", &s.by_model, 10);
    top(&mut md, "Top sessions", &s.by_session, 5);
    let fired = events.iter().filter(|e| e.state == State::Firing).count();
    let resolved = events.iter().filter(|e| e.state == State::Resolved).count();
    let _ = writeln!(md, "\n**Alerts**: {fired} fired, {resolved} resolved");
    for e in events.iter().filter(|e| e.state != State::Repeat) {
        let usd = e.alert.usd.map_or(String::new(), |u| format!(" ${u:.2}"));
        let _ = writeln!(
            md,
            "- {} {} {} {}{usd}",
            e.at.format("%H:%MZ"),
            e.state.name(),
            e.alert.kind.name(),
            e.alert.subject
        );
    }
    let (so_far, rate, proj) = projected_today(live, now);
    let _ = writeln!(
        md,
        "\n**Projected today**: ${proj:.2} (${so_far:.2} so far, burning ${rate:.2}/h)"
    );
    Push::Digest {
        since: Some(since),
        until: now,
        total_usd: s.total.usd,
        markdown: md,
    }
}

/// `--since` of `lanetop report`: an RFC 3339 time, or `last-digest` (the recorded last
/// digest time; `Err` when none was recorded yet).
pub fn parse_since(spec: &str) -> Result<DateTime<Utc>, String> {
    if spec == "last-digest" {
        return last_digest().ok_or_else(|| {
            let at = state_path().map_or("<state dir>".into(), |p| p.display().to_string());
            format!("--since last-digest: no digest recorded yet ({at})")
        });
    }
    DateTime::parse_from_rfc3339(spec)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("--since {spec}: not an RFC 3339 time or `last-digest`: {e}"))
}

/// Mark a rendered report as limited to `since`: JSON gets a top-level `"since"` key, Markdown
/// a line under the title.
pub fn mark_since(report: String, json: bool, since: DateTime<Utc>) -> String {
    if json {
        match serde_json::from_str::<serde_json::Value>(&report) {
            Ok(serde_json::Value::Object(mut o)) => {
                o.insert("since".into(), serde_json::json!(since));
                serde_json::to_string_pretty(&o).unwrap_or(report)
            }
            _ => report,
        }
    } else {
        let line = format!(
            "Spend and alerts since {} (usage records before it left out).\n\n",
            since.to_rfc3339()
        );
        match report.find("\n\n") {
            Some(i) => format!("{}\n\n{line}{}", &report[..i], &report[i + 2..]),
            None => format!("{line}{report}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn slot_is_the_latest_local_hour() {
        assert_eq!(
            slot(t("2026-11-22T08:00:00Z"), 7, 0),
            t("2026-11-22T07:00:00Z")
        );
        assert_eq!(
            slot(t("2026-11-22T06:59:59Z"), 7, 0),
            t("2026-11-21T07:00:00Z")
        );
        // UTC+1: 07:00 local is 06:00 UTC.
        assert_eq!(
            slot(t("2026-11-22T06:30:00Z"), 7, 60),
            t("2026-11-22T06:00:00Z")
        );
        // UTC-5 near midnight: 23:30 UTC is 18:30 local; 07:00 local today = 12:00 UTC.
        assert_eq!(
            slot(t("2026-11-22T23:30:00Z"), 7, -300),
            t("2026-11-22T12:00:00Z")
        );
    }

    #[test]
    fn due_once_per_day_and_not_at_start() {
        let mut s = Schedule::default();
        assert_eq!(
            s.due(t("2026-11-22T07:30:00Z"), 7, 0),
            None,
            "started after the hour"
        );
        assert_eq!(s.due(t("2026-11-23T06:59:00Z"), 7, 0), None);
        let since = s.due(t("2026-11-23T07:00:00Z"), 7, 0);
        assert_eq!(since, Some(t("2026-11-22T07:00:00Z")));
        s.last = Some(t("2026-11-23T07:00:01Z"));
        assert_eq!(s.due(t("2026-11-23T12:00:00Z"), 7, 0), None);
        assert_eq!(
            s.due(t("2026-11-24T07:00:05Z"), 7, 0),
            Some(t("2026-11-23T07:00:01Z"))
        );
    }
}
