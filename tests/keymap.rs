//! Keymaps: the shipped ones parse, errors name FILE:LINE, overlays, `--print-keymap`.

use crossterm::event::{KeyCode, KeyModifiers};
use lanetop::config::keymap::{BUILTIN, parse_keymap};
use lanetop::config::{Action, KeyChord, Keymap, Scope};

fn chord(s: &str) -> KeyChord {
    KeyChord::parse(s).expect("chord")
}

#[test]
fn every_shipped_keymap_parses_and_loads() {
    for (name, file, text) in BUILTIN {
        let b = parse_keymap(file, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!b.is_empty(), "{name} has bindings");
        Keymap::load(name, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn action_names_are_the_serde_vocabulary() {
    for a in Action::ALL {
        let parsed: Action =
            serde_json::from_str(&format!("\"{}\"", a.name())).expect("serde name");
        assert_eq!(parsed, *a);
        assert_eq!(Action::from_name(a.name()), Some(*a));
    }
    for future in [
        "kill-run",
        "reset-session",
        "prune-stale",
        "pause-cron",
        "resume-cron",
        "pause-all-cron",
        "pin-model",
        "mark",
        "confirm",
        "cancel",
    ] {
        let a = Action::from_name(future).unwrap_or_else(|| panic!("{future} missing"));
        // Implemented in issue 4: bound in the default keymap, described without a placeholder.
        assert!(!a.description().contains("not available"), "{future}");
        let km = lanetop::config::Keymap::load("default", None).expect("keymap");
        assert!(
            lanetop::config::Scope::ALL
                .iter()
                .any(|s| km.scope_bindings(*s).iter().any(|b| b.action == a)),
            "{future} is bound somewhere"
        );
    }
}

#[test]
fn duplicate_binding_fails_with_file_and_line() {
    let text =
        "[global]\nq = \"quit\"\n\n[logs]\nC = \"toggle-wrap\"\n\"shift-c\" = \"toggle-follow\"\n";
    let e = parse_keymap("my.toml", text)
        .expect_err("duplicate must fail")
        .to_string();
    assert!(e.starts_with("my.toml:6:1: "), "{e}");
    assert!(
        e.contains("bound twice in scope `logs`") && e.contains("first at line 5"),
        "{e}"
    );
}

#[test]
fn same_key_in_different_scopes_is_fine() {
    let text = "[global]\nl = \"open\"\n[logs]\nl = \"cycle-level\"\n";
    assert_eq!(parse_keymap("ok.toml", text).expect("valid").len(), 2);
}

#[test]
fn unknown_action_fails_with_file_and_line() {
    let text = "# comment\n[global]\nq = \"quitt\"\n";
    let e = parse_keymap("user/keymap.toml", text)
        .expect_err("unknown action")
        .to_string();
    assert!(
        e.starts_with("user/keymap.toml:3:5: unknown action `quitt`"),
        "{e}"
    );
}

#[test]
fn unknown_scope_bad_key_and_syntax_errors_are_located() {
    let e = parse_keymap("k.toml", "[global]\nq = \"quit\"\n[nope]\nx = \"quit\"\n")
        .expect_err("scope")
        .to_string();
    assert!(e.starts_with("k.toml:3:2: unknown scope `nope`"), "{e}");
    let e = parse_keymap("k.toml", "[global]\n\"ctrl-nothing\" = \"quit\"\n")
        .expect_err("key")
        .to_string();
    assert!(e.starts_with("k.toml:2:1: unknown key"), "{e}");
    let e = parse_keymap("k.toml", "[global]\nq = \n")
        .expect_err("syntax")
        .to_string();
    assert!(e.starts_with("k.toml:2:"), "{e}");
}

#[test]
fn chords_normalise_shift_and_round_trip() {
    assert_eq!(chord("G"), chord("shift-g"));
    assert_eq!(
        chord("shift-tab"),
        KeyChord::new(KeyCode::BackTab, KeyModifiers::SHIFT)
    );
    assert_eq!(
        chord("ctrl-c"),
        KeyChord::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
    );
    assert_eq!(
        chord("?"),
        KeyChord::new(KeyCode::Char('?'), KeyModifiers::SHIFT)
    );
    for s in [
        "q",
        "G",
        "ctrl-c",
        "alt-x",
        "enter",
        "esc",
        "pageup",
        "f5",
        "space",
        "shift-tab",
        "/",
    ] {
        assert_eq!(chord(&chord(s).to_string()), chord(s), "{s}");
    }
}

#[test]
fn lookup_prefers_the_view_scope_then_global() {
    let km = Keymap::load("default", None).expect("default");
    assert_eq!(
        km.lookup(Scope::Logs, chord("f")),
        Some(Action::ToggleFollow)
    );
    assert_eq!(km.lookup(Scope::Sessions, chord("f")), None);
    assert_eq!(km.lookup(Scope::Sessions, chord("q")), Some(Action::Quit));
    let vim = Keymap::load("vim", None).expect("vim");
    assert_eq!(vim.lookup(Scope::Sessions, chord("j")), Some(Action::Down));
    assert_eq!(vim.lookup(Scope::Overview, chord("l")), Some(Action::Open));
    assert_eq!(
        vim.lookup(Scope::Logs, chord("l")),
        Some(Action::CycleLevel)
    );
    assert_eq!(
        vim.lookup(Scope::Logs, chord("down")),
        Some(Action::Down),
        "vim keeps the default keys"
    );
}

#[test]
fn user_overlay_replaces_bindings_and_errors_name_the_user_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[global]\nq = \"toggle-help\"\nZ = \"quit\"\n",
    )
    .expect("write");
    let km = Keymap::load("default", Some(dir.path())).expect("overlay");
    assert_eq!(
        km.lookup(Scope::Overview, chord("q")),
        Some(Action::ToggleHelp)
    );
    assert_eq!(km.lookup(Scope::Overview, chord("Z")), Some(Action::Quit));
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[global]\n\nq = \"explode\"\n",
    )
    .expect("write");
    let e = Keymap::load("default", Some(dir.path()))
        .expect_err("bad overlay")
        .to_string();
    assert!(
        e.contains("keymap.toml:3:5: unknown action `explode`"),
        "{e}"
    );
    let e = Keymap::load("nosuch", Some(dir.path()))
        .expect_err("unknown keymap")
        .to_string();
    assert!(e.contains("unknown keymap `nosuch`"), "{e}");
}

#[test]
fn print_keymap_lists_every_binding() {
    let km = Keymap::load("default", None).expect("default");
    let table = km.print_table();
    assert_eq!(table.lines().count(), km.bindings().len() + 1);
    assert!(
        table.lines().any(
            |l| l.split_whitespace().collect::<Vec<_>>()[..3] == ["logs", "f", "toggle-follow"]
        )
    );
}

#[test]
fn print_keymap_cli_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .arg("--print-keymap")
        .env("LANETOP_CONFIG_DIR", dir.path())
        .output()
        .expect("run lanetop");
    assert!(out.status.success());
    insta::assert_snapshot!("print_keymap_default", String::from_utf8_lossy(&out.stdout));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lanetop"))
        .args(["--keymap", "nope", "--print-keymap"])
        .env("LANETOP_CONFIG_DIR", dir.path())
        .output()
        .expect("run lanetop");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown keymap `nope`"));
}
