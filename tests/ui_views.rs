//! Snapshots of every view at 120×40 and 80×24 with a fixed clock, from the fixture model.

#[path = "common/fixture_model/mod.rs"]
mod fixture_model;

use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::ui::state::{Mode, SpendTab, UiState, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(model: &Model, ui: &UiState, w: u16, h: u16) -> Terminal<TestBackend> {
    let theme = Theme::builtin("dark").expect("dark theme");
    let keymap = Keymap::load("default", None).expect("default keymap");
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| lanetop::ui::render(f, model, ui, &theme, &keymap))
        .expect("draw");
    term
}

fn ui_for(view: View) -> UiState {
    UiState {
        view,
        activity: "following 1 log(s), 3 agent(s)".into(),
        ..UiState::default()
    }
}

fn snap(name: &str, ui: &UiState) {
    let model = fixture_model::fixture_model();
    for (w, h) in [(120, 40), (80, 24)] {
        let term = draw(&model, ui, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), term.backend());
    }
}

#[test]
fn overview() {
    snap("overview", &ui_for(View::Overview));
}

#[test]
fn logs() {
    snap("logs", &ui_for(View::Logs));
}

#[test]
fn logs_search_paused_wrapped() {
    let mut ui = ui_for(View::Logs);
    ui.logs.search = Some("fallback".into());
    ui.logs.follow = false;
    ui.logs.wrap = true;
    ui.logs.end_seq = Some(1009);
    ui.logs.cursor = Some(1008);
    snap("logs_search", &ui);
}

#[test]
fn logs_follow_wrapped_keeps_the_newest_line_at_the_bottom() {
    let mut ui = ui_for(View::Logs);
    ui.logs.wrap = true;
    let term = draw(&fixture_model::fixture_model(), &ui, 60, 16);
    let buf = term.backend().buffer();
    // Row 12 is the last row inside the logs block (header, border, 11 rows, border at 13).
    let row: String = (0..60).map(|x| buf[(x, 12)].symbol()).collect();
    assert!(row.contains("7 sessions, 0 pruned"), "{row}");
}

#[test]
fn sessions() {
    snap("sessions", &ui_for(View::Sessions));
}

#[test]
fn timeline() {
    let mut ui = ui_for(View::Timeline("agent:main:main".into()));
    ui.history.push(View::Sessions);
    snap("timeline", &ui);
}

#[test]
fn lanes() {
    snap("lanes", &ui_for(View::Lanes));
}

#[test]
fn cascades() {
    snap("cascades", &ui_for(View::Cascades));
}

#[test]
fn spend_by_model() {
    snap("spend_model", &ui_for(View::Spend));
}

#[test]
fn spend_by_cron_job() {
    let mut ui = ui_for(View::Spend);
    ui.spend_tab = SpendTab::CronJob;
    snap("spend_cron", &ui);
}

#[test]
fn cron() {
    snap("cron", &ui_for(View::Cron));
}

#[test]
fn help_overlay() {
    let mut ui = ui_for(View::Logs);
    ui.mode = Mode::Help;
    snap("help_logs", &ui);
}

#[test]
fn command_line() {
    let mut ui = ui_for(View::Overview);
    ui.mode = Mode::Command("cascades".into());
    let term = draw(&fixture_model::fixture_model(), &ui, 80, 24);
    insta::assert_snapshot!("command_line_80x24", term.backend());
}

#[test]
fn empty_model_does_not_panic_at_tiny_sizes() {
    let model = Model::default();
    for view in View::CYCLE {
        for (w, h) in [(20, 6), (80, 24), (1, 1)] {
            let _ = draw(&model, &ui_for(view.clone()), w, h);
        }
    }
}

/// The fixture with budgets set and the detectors run: the Alerts view (alerts, evidence,
/// budget meters, overnight projection), the header count and the Overview's alert panel.
#[test]
fn alerts_view_and_overview_with_alerts() {
    let mut model = fixture_model::fixture_model();
    model.detect_config.budgets.daily_usd = Some(2.0);
    model
        .detect_config
        .budgets
        .agents
        .insert("main".into(), 0.5);
    lanetop::update::refresh_alerts(&mut model);
    assert!(!model.alerts.is_empty());
    for (name, view) in [
        ("alerts", View::Alerts),
        ("overview_alerts", View::Overview),
    ] {
        for (w, h) in [(120, 40), (80, 24)] {
            let term = draw(&model, &ui_for(view.clone()), w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), term.backend());
        }
    }
}
