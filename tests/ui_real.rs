//! `TestBackend` snapshots of every view rendered from the REAL captured artifacts through the
//! real pipeline (discovery → ingest → update → ui::render), at 120×40 and 80×24. The model clock
//! is the newest fact time (as in `lanetop report`), so the screens are deterministic.

mod common;

use lanetop::config::{Keymap, Theme};
use lanetop::domain::Model;
use lanetop::ingest::discover::{DiscoverOptions, discover};
use lanetop::msg::Msg;
use lanetop::ui::state::{UiState, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn captured_model() -> Model {
    let d = discover(&DiscoverOptions {
        state_dir: Some(common::openclaw("captured/state")),
        logs: vec![common::openclaw("captured/logs/openclaw.log")],
        profile: None,
    })
    .expect("discover");
    let mut model = Model::default();
    lanetop::ingest::collect_once(&d, &mut |facts| {
        lanetop::update::update(&mut model, Msg::Facts(facts));
    });
    // Source health carries wall-clock read times; pin them so the status bar is stable.
    let now = model.now.expect("clock from facts");
    for s in model.sources.values_mut() {
        s.at = now;
        s.path = s.path.rsplit('/').next().unwrap_or_default().to_string();
    }
    model
}

fn screen(model: &Model, view: View, cols: u16, rows: u16) -> String {
    let theme = Theme::builtin("dark").expect("theme");
    let keymap = Keymap::load("default", None).expect("keymap");
    let ui = UiState {
        view,
        activity: "test".into(),
        ..UiState::default()
    };
    let mut t = Terminal::new(TestBackend::new(cols, rows)).expect("terminal");
    t.draw(|f| lanetop::ui::render(f, model, &ui, &theme, &keymap))
        .expect("draw");
    format!("{:?}", t.backend())
}

#[test]
fn every_view_on_the_real_capture() {
    let model = captured_model();
    for (cols, rows) in [(120, 40), (80, 24)] {
        for (name, view) in [
            ("overview", View::Overview),
            ("logs", View::Logs),
            ("sessions", View::Sessions),
            ("timeline", View::Timeline("agent:main:main".into())),
            ("lanes", View::Lanes),
            ("cascades", View::Cascades),
            ("spend", View::Spend),
            ("cron", View::Cron),
        ] {
            insta::assert_snapshot!(
                format!("real_{name}_{cols}x{rows}"),
                screen(&model, view, cols, rows)
            );
        }
    }
}
