//! Themes: the shipped ones parse with every role; errors are located; NO_COLOR has no colours.

#[path = "common/fixture_model/mod.rs"]
mod fixture_model;

use lanetop::config::theme::{BUILTIN, parse_theme};
use lanetop::config::{Keymap, Role, Theme};
use lanetop::ui::state::{Mode, UiState, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

#[test]
fn every_shipped_theme_parses_and_has_every_role() {
    assert_eq!(BUILTIN.len(), 3);
    for (name, file, text) in BUILTIN {
        let roles = parse_theme(file, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for r in Role::ALL {
            assert!(roles.contains_key(r), "{name} lacks role {}", r.name());
        }
        Theme::builtin(name).expect("builtin");
    }
}

#[test]
fn theme_errors_name_file_and_line() {
    let e = parse_theme(
        "t.toml",
        "[roles]\nok = { fg = \"green\" }\nbogus = { fg = \"red\" }\n",
    )
    .expect_err("role")
    .to_string();
    assert!(e.starts_with("t.toml:3:1: unknown role `bogus`"), "{e}");
    let e = parse_theme("t.toml", "[roles]\nok = { fg = \"greeen\" }\n")
        .expect_err("colour")
        .to_string();
    assert!(e.starts_with("t.toml:2:13: unknown colour `greeen`"), "{e}");
    let e = parse_theme("t.toml", "[roles]\nok = { modifiers = [\"blink-fast\"] }\n")
        .expect_err("modifier")
        .to_string();
    assert!(e.starts_with("t.toml:2:21: unknown modifier"), "{e}");
}

#[test]
fn user_theme_overlays_and_adds() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("themes")).expect("mkdir");
    std::fs::write(
        dir.path().join("themes/dark.toml"),
        "[roles]\nok = { fg = \"#00ff00\" }\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("themes/mine.toml"),
        "[roles]\ncrit = { fg = \"magenta\" }\n",
    )
    .expect("write");
    let dark = Theme::load("dark", Some(dir.path()), false).expect("dark");
    assert_eq!(dark.style(Role::Ok).fg, Some(Color::Rgb(0, 255, 0)));
    let mine = Theme::load("mine", Some(dir.path()), false).expect("mine");
    assert_eq!(mine.style(Role::Crit).fg, Some(Color::Magenta));
    assert_eq!(
        mine.style(Role::Warn),
        Theme::builtin("dark").expect("dark").style(Role::Warn)
    );
    assert!(Theme::load("absent", Some(dir.path()), false).is_err());
}

fn render(theme: &Theme, ui: &UiState) -> Buffer {
    let model = fixture_model::fixture_model();
    let keymap = Keymap::load("default", None).expect("keymap");
    let mut term = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    term.draw(|f| lanetop::ui::render(f, &model, ui, theme, &keymap))
        .expect("draw");
    term.backend().buffer().clone()
}

fn views() -> Vec<UiState> {
    let mut v: Vec<UiState> = View::CYCLE
        .iter()
        .map(|view| UiState {
            view: view.clone(),
            ..UiState::default()
        })
        .collect();
    v.push(UiState {
        view: View::Timeline("agent:main:main".into()),
        ..UiState::default()
    });
    v.push(UiState {
        view: View::Logs,
        mode: Mode::Help,
        ..UiState::default()
    });
    let mut search = UiState {
        view: View::Logs,
        ..UiState::default()
    };
    search.logs.search = Some("lane".into());
    v.push(search);
    v.push(UiState {
        view: View::Overview,
        show_log_pane: true,
        ..UiState::default()
    });
    v
}

#[test]
fn no_color_renders_without_any_colour_but_with_modifiers() {
    let theme = Theme::load("dark", None, true).expect("no-color");
    assert!(theme.no_color);
    let mut reversed = 0;
    for ui in views() {
        let buf = render(&theme, &ui);
        for cell in buf.content() {
            assert_eq!(
                (cell.fg, cell.bg),
                (Color::Reset, Color::Reset),
                "colour in {:?} at {:?}",
                ui.view,
                cell.symbol()
            );
            if cell.modifier.contains(Modifier::REVERSED) {
                reversed += 1;
            }
        }
    }
    assert!(reversed > 0, "selection and header still stand out");
}

#[test]
fn colour_themes_do_colour() {
    for (name, _, _) in BUILTIN {
        let theme = Theme::builtin(name).expect("theme");
        let buf = render(&theme, &UiState::default());
        assert!(
            buf.content().iter().any(|c| c.fg != Color::Reset),
            "{name} draws colours"
        );
    }
}
