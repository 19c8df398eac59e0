//! Render bench (`cargo bench --bench render`, harness = false): the time to draw the Sessions
//! view of a 10,000-session store at 120×40 through ratatui's `TestBackend` (issue 6 item 5).
//!
//! The state dir is real-shaped (`support/store.rs`: the captured 2026.9.6 state with its agent
//! stores grown to `LANETOP_BENCH_SESSIONS` sessions, default 10,000), read with the captured
//! log through the real pipeline (discovery → `collect_once` → `update`) into a [`Model`]; then
//! `lanetop::ui::render` draws the Sessions view (the table sorts and lays out every row each
//! frame) `LANETOP_BENCH_FRAMES` times (default 200) after 10 warm-up frames, and the Overview
//! and Lanes views (with `LANETOP_BENCH_LANES` `session:*` lanes, default 4,000) for comparison. Prints per-frame p50 / mean / max in ms. Asserts only that
//! the model holds the sessions and that the screen shows the table.

#[path = "support/store.rs"]
mod store;

use std::path::PathBuf;
use std::time::Instant;

use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::msg::Msg;
use lanetop::ui::state::{UiState, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn shared() -> PathBuf {
    std::env::var_os("LANETOP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let sessions = env_num("LANETOP_BENCH_SESSIONS", 10_000);
    let frames = env_num("LANETOP_BENCH_FRAMES", 200).max(1);
    let tmp = tempfile::tempdir().expect("temp dir");
    let state = tmp.path().join("state");
    let captured = shared().join("openclaw/captured");
    if let Err(e) = store::build(&captured.join("state"), &state, sessions) {
        eprintln!("render bench: cannot build the store: {e}");
        return;
    }
    let d = discover(&DiscoverOptions {
        state_dir: Some(state),
        logs: vec![captured.join("logs/openclaw.log")],
        profile: None,
    })
    .expect("discover");
    let (t0, mut model) = (Instant::now(), Model::default());
    lanetop::ingest::collect_once(&d, &mut |facts| {
        lanetop::update::update(&mut model, Msg::Facts(facts));
    });
    println!(
        "model: {} sessions (read and folded in {:.2} s)",
        model.sessions.by_key.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        model.sessions.by_key.len() >= sessions,
        "store sessions missing"
    );
    // One `session:<key>` lane per stored session, each enqueued and dequeued once (what a
    // busy host's log names; the soak's model held 4,000+ of them), capped as the model caps
    // idle session lanes.
    let lanes = lane_facts(&model, env_num("LANETOP_BENCH_LANES", 4_000));
    lanetop::update::update(&mut model, Msg::Facts(lanes));
    println!("model: {} lanes", model.lanes.by_name.len());
    let theme = Theme::builtin("dark").expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    for (name, view) in [
        ("sessions", View::Sessions),
        ("overview", View::Overview),
        ("lanes", View::Lanes),
    ] {
        let ui = UiState {
            view,
            activity: "bench".into(),
            ..UiState::default()
        };
        let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        let mut draw = || {
            let t0 = Instant::now();
            t.draw(|f| lanetop::ui::render(f, &model, &ui, &theme, &keymap))
                .expect("draw");
            t0.elapsed().as_secs_f64() * 1e3
        };
        for _ in 0..10 {
            draw();
        }
        let mut ms: Vec<f64> = (0..frames).map(|_| draw()).collect();
        ms.sort_by(f64::total_cmp);
        println!(
            "render {name:<8} 120x40, {} sessions, {} lanes: p50 {:.2} ms, mean {:.2} ms, max {:.2} ms ({frames} frames)",
            model.sessions.by_key.len(),
            model.lanes.by_name.len(),
            ms[ms.len() / 2],
            ms.iter().sum::<f64>() / ms.len() as f64,
            ms[ms.len() - 1]
        );
        if name == "sessions" {
            let screen = format!("{:?}", t.backend());
            assert!(
                screen.contains(":run:"),
                "the table shows cron-run sessions"
            );
        }
    }
}

/// Lane enqueue/dequeue log facts (the captured log's `diagnostic` lane lines) for `n` of the
/// model's session keys.
fn lane_facts(model: &Model, n: usize) -> Vec<lanetop::fact::Fact> {
    use lanetop::fact::{Fact, FactKind, Level, LogEvent, LogFact, Origin, SourceKind};
    let at = model.newest_fact.unwrap_or_default();
    let path: std::sync::Arc<str> = std::sync::Arc::from("bench/lanes.log");
    let fact = |line: u64, text: String, event: LogEvent| Fact {
        at,
        origin: Origin::line(SourceKind::Log, path.clone(), line),
        kind: FactKind::Log(Box::new(LogFact {
            level: Level::Debug,
            subsystem: "diagnostic".into(),
            message: text,
            session: None,
            agent_id: None,
            hostname: None,
            event: Some(Box::new(event)),
        })),
    };
    let mut out = Vec::new();
    for (i, key) in model.sessions.by_key.keys().take(n).enumerate() {
        let lane = format!("session:{key}");
        let line = 2 * i as u64 + 1;
        out.push(fact(
            line,
            format!("lane enqueue: lane={lane} queueSize=1"),
            LogEvent::LaneEnqueued {
                lane: lane.clone(),
                queue_size: 1,
            },
        ));
        out.push(fact(
            line + 1,
            format!("lane dequeue: lane={lane} waitMs=3 queueSize=0"),
            LogEvent::LaneDequeued {
                lane,
                wait_ms: 3,
                queue_size: 0,
            },
        ));
    }
    out
}
