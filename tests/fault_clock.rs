//! The clock jumping back, on the REAL captured 2026.9.6 artifacts (stores + 2,698-line log):
//! - the wall clock (`Msg::Tick`, the injectable clock of `update`) going back by minutes,
//!   hours and past every event, then forward again;
//! - timestamps in the log going backwards (the captured log fed in reverse line order).
//!
//! Nothing panics, no view fails to render, the burn rate never goes negative, spend never
//! changes with the clock, no age/duration/rate in the JSON report is negative, and the
//! reversed log yields the same counts as the forward one.

mod common;
mod fault_support;

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::ingest::discover::{DiscoverOptions, Discovery, LogTarget};
use lanetop::ingest::tail::TailOptions;
use lanetop::msg::Msg;
use lanetop::ui::UiState;
use lanetop::ui::state::View;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn model_from(log: &Path) -> Model {
    let mut d: Discovery = lanetop::ingest::discover::discover(&DiscoverOptions {
        state_dir: Some(common::openclaw("captured/state")),
        ..Default::default()
    })
    .expect("discover the captured state");
    d.logs = vec![LogTarget::File(log.to_path_buf())];
    let mut model = Model::default();
    let opts = lanetop::ingest::OnceOptions {
        tail: TailOptions {
            backlog_max_age: None,
            ..Default::default()
        },
        ..Default::default()
    };
    lanetop::ingest::collect_once_with(&d, &opts, &mut |facts| {
        lanetop::update::update(&mut model, Msg::Facts(facts));
    });
    model
}

/// Every view renders at 120×40 without a panic.
fn render_every_view(model: &Model) {
    let theme = Theme::no_color();
    let keymap = Keymap::load("default", None).expect("keymap");
    for view in [
        View::Overview,
        View::Logs,
        View::Sessions,
        View::Timeline("agent:main:main".into()),
        View::Lanes,
        View::Cascades,
        View::Spend,
        View::Cron,
        View::Alerts,
    ] {
        let ui = UiState {
            view,
            ..UiState::default()
        };
        let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        t.draw(|f| lanetop::ui::render(f, model, &ui, &theme, &keymap))
            .expect("draw");
    }
}

/// Negative numbers in the JSON report under keys that are ages, durations, rates or amounts.
/// The overnight `drift_usd_per_run` is a signed difference (newer runs cheaper than older
/// ones), not an amount: left out.
fn negatives(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter().filter(|(k, _)| *k != "drift_usd_per_run") {
                negatives(x, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                negatives(x, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Number(n) if n.as_f64().is_some_and(|f| f < 0.0) => {
            out.push(format!("{path} = {n}"));
        }
        _ => {}
    }
}

fn check(model: &Model, total_usd: f64, when: &str) {
    let burn = model.spend.burn_rate_usd_per_h(model.now);
    assert!(burn.is_finite() && burn >= 0.0, "{when}: burn rate {burn}");
    assert!(
        (model.spend.total.usd - total_usd).abs() < 1e-9,
        "{when}: spend moved with the clock"
    );
    render_every_view(model);
    let json: serde_json::Value = serde_json::from_str(&lanetop::report::render(
        model,
        lanetop::report::Format::Json,
    ))
    .expect("report JSON");
    let mut neg = Vec::new();
    negatives(&json, "", &mut neg);
    assert!(neg.is_empty(), "{when}: negative values {neg:?}");
}

#[test]
fn wall_clock_jumping_back_never_panics_or_goes_negative() {
    let mut model = model_from(&common::openclaw("captured/logs/openclaw.log"));
    let newest: DateTime<Utc> = model.newest_fact.expect("facts");
    let total = model.spend.total.usd;
    assert!(total > 0.0, "the capture has priced spend");
    let mut ticks = vec![
        (
            "10 min after the newest fact",
            newest + TimeDelta::minutes(10),
        ),
        ("back 5 min", newest + TimeDelta::minutes(5)),
        ("back 3 h", newest - TimeDelta::hours(3)),
        ("back before every event", newest - TimeDelta::days(400)),
        ("forward again", newest + TimeDelta::minutes(30)),
    ];
    for (when, at) in ticks.drain(..) {
        lanetop::update::update(&mut model, Msg::Tick(at));
        assert_eq!(model.now, Some(at), "{when}: the tick is the clock");
        check(&model, total, when);
    }
}

#[test]
fn log_timestamps_going_backwards_count_the_same() {
    let src = common::openclaw("captured/logs/openclaw.log");
    let text = std::fs::read_to_string(&src).expect("captured log");
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2698);
    lines.reverse();
    let dir = tempfile::tempdir().expect("tempdir");
    let reversed = dir.path().join("openclaw.log");
    std::fs::write(&reversed, lines.join("\n") + "\n").expect("write");

    let forward = model_from(&src);
    let backward = model_from(&reversed);
    assert_eq!(backward.logs.total, forward.logs.total, "log lines");
    assert_eq!(
        backward.logs.warnings_total, forward.logs.warnings_total,
        "warnings"
    );
    assert_eq!(
        backward.corrupt.count, forward.corrupt.count,
        "corrupt lines"
    );
    assert_eq!(
        backward.sessions.by_key.len(),
        forward.sessions.by_key.len(),
        "sessions"
    );
    assert!((backward.spend.total.usd - forward.spend.total.usd).abs() < 1e-9);
    // The report clock follows the newest event, whatever the order.
    assert_eq!(backward.now, forward.now);
    check(&backward, backward.spend.total.usd, "reversed log");
}
