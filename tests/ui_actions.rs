//! Action planning and the confirm flow: keys → (mark) → confirm dialog with the dry-run
//! preview → effects handed over only on `confirm`. Prune candidates on the REAL captured
//! stores.

mod facts;
#[path = "common/fixture_model/mod.rs"]
mod fixture_model;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lanetop::config::{Action, Keymap};
use lanetop::domain::Model;
use lanetop::gateway::runner::Effect;
use lanetop::msg::Msg;
use lanetop::ui::reduce::handle_key;
use lanetop::ui::state::{Mode, UiState};

fn key(ui: &mut UiState, model: &Model, km: &Keymap, code: KeyCode, m: KeyModifiers) {
    handle_key(ui, model, km, KeyEvent::new(code, m));
}

fn keys(ui: &mut UiState, model: &Model, km: &Keymap, s: &str) {
    for c in s.chars() {
        key(ui, model, km, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

#[test]
fn kill_opens_a_preview_and_sends_only_on_confirm() {
    let model = fixture_model::fixture_model();
    let km = Keymap::load("default", None).expect("keymap");
    let mut ui = UiState::default();
    keys(&mut ui, &model, &km, "3");
    key(
        &mut ui,
        &model,
        &km,
        KeyCode::Char('k'),
        KeyModifiers::CONTROL,
    );
    assert_eq!(ui.mode, Mode::Confirm);
    let p = ui.pending.clone().expect("pending");
    assert_eq!(p.action, Action::KillRun);
    assert_eq!(p.effects.len(), 1);
    let Effect::KillRun { key: target } = &p.effects[0] else {
        panic!("{:?}", p.effects)
    };
    assert!(p.preview[0].contains(target.as_str()), "{:?}", p.preview);
    assert!(ui.outbox.is_empty(), "nothing before confirm");
    // Any other key cancels and sends nothing.
    keys(&mut ui, &model, &km, "x");
    assert_eq!(ui.mode, Mode::Normal);
    assert!(ui.pending.is_none() && ui.outbox.is_empty());
    assert!(ui.flash.as_deref().unwrap_or("").contains("cancelled"));
    // Again, then confirm.
    key(
        &mut ui,
        &model,
        &km,
        KeyCode::Char('k'),
        KeyModifiers::CONTROL,
    );
    keys(&mut ui, &model, &km, "y");
    assert_eq!(
        ui.outbox,
        vec![Effect::KillRun {
            key: target.clone()
        }]
    );
}

#[test]
fn marks_select_the_targets_and_clear_after_confirm() {
    let model = fixture_model::fixture_model();
    let km = Keymap::load("default", None).expect("keymap");
    let mut ui = UiState::default();
    keys(&mut ui, &model, &km, "3");
    key(&mut ui, &model, &km, KeyCode::Char(' '), KeyModifiers::NONE);
    key(&mut ui, &model, &km, KeyCode::Char(' '), KeyModifiers::NONE);
    assert_eq!(ui.marked_sessions.len(), 2, "space marks and moves down");
    keys(&mut ui, &model, &km, "R");
    let p = ui.pending.clone().expect("pending");
    assert_eq!(p.effects.len(), 2);
    for e in &p.effects {
        let Effect::ResetSession {
            key,
            expected_session_id,
        } = e
        else {
            panic!("{e:?}")
        };
        assert!(ui.marked_sessions.contains(key));
        assert_eq!(
            expected_session_id.as_deref(),
            Some(model.sessions.by_key[key].session_id.as_str()),
            "reset is guarded by the session id shown"
        );
    }
    keys(&mut ui, &model, &km, "y");
    assert_eq!(ui.outbox.len(), 2);
    assert!(ui.marked_sessions.is_empty());
}

#[test]
fn pause_all_previews_every_enabled_user_job_and_skips_system_ones() {
    let model = fixture_model::fixture_model();
    let km = Keymap::load("default", None).expect("keymap");
    let mut ui = UiState::default();
    keys(&mut ui, &model, &km, "7P");
    let user: Vec<&String> = model
        .cron
        .jobs
        .values()
        .filter(|j| j.row.enabled && j.row.declaration_key.is_none())
        .map(|j| &j.row.id)
        .collect();
    let system = model
        .cron
        .jobs
        .values()
        .filter(|j| j.row.enabled && j.row.declaration_key.is_some())
        .count();
    match &ui.pending {
        Some(p) => {
            assert_eq!(p.effects.len(), user.len());
            for e in &p.effects {
                assert!(
                    matches!(e, Effect::SetCronEnabled { enabled: false, all: true, id } if user.contains(&id))
                );
            }
            if system > 0 {
                assert!(
                    p.preview
                        .iter()
                        .any(|l| l.contains(&format!("skip {system} system-owned")))
                );
            }
        }
        None => assert!(user.is_empty(), "{:?}", ui.flash),
    }
}

#[test]
fn read_only_says_so_in_the_dialog() {
    let model = fixture_model::fixture_model();
    let km = Keymap::load("default", None).expect("keymap");
    let mut ui = UiState {
        read_only: true,
        ..UiState::default()
    };
    keys(&mut ui, &model, &km, "3R");
    let p = ui.pending.clone().expect("pending");
    assert!(
        p.title.contains("read-only: will be refused"),
        "{}",
        p.title
    );
}

/// The captured 2026.9.6 stores + log: checked with sqlite3 over the same files, the only
/// session with `status='running'` is the main cron run below (`updated_at` 1795312450055), and
/// the last boot started at 1795312508973 (`gateway_boot_lifecycle`), after it: a stale
/// binding. Every other row is `done` or a cron binding with no status; no cron job set is
/// loaded here, so the deleted-job rule stays off (main sessions are never candidates).
#[test]
fn prune_candidates_on_the_captured_stores() {
    let mut model = Model::default();
    let mut all = facts::captured::log_facts();
    all.extend(facts::captured::store_facts());
    for chunk in all.chunks(200) {
        lanetop::update::update(&mut model, Msg::Facts(chunk.to_vec()));
    }
    let km = Keymap::load("default", None).expect("keymap");
    let mut ui = UiState::default();
    keys(&mut ui, &model, &km, "3P");
    let p = ui.pending.clone().expect("prune preview");
    let mut keys_: Vec<String> = p
        .effects
        .iter()
        .map(|e| match e {
            Effect::PruneSession { key, reason, .. } => format!("{key} {reason}"),
            other => panic!("{other:?}"),
        })
        .collect();
    keys_.sort();
    assert_eq!(keys_, EXPECTED_PRUNE, "{:#?}", p.preview);
}

const EXPECTED_PRUNE: &[&str] = &[
    "agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce stale: marked running, no activity",
];

/// A preview longer than the screen still shows the prompt and says how many lines are hidden.
#[test]
fn a_long_preview_keeps_the_prompt_visible() {
    use lanetop::config::Theme;
    use lanetop::ui::state::Pending;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let km = Keymap::load("default", None).expect("keymap");
    let effects: Vec<Effect> = (0..40)
        .map(|i| Effect::KillRun {
            key: format!("agent:main:k{i}"),
        })
        .collect();
    let p = Pending {
        action: Action::KillRun,
        title: "Kill".into(),
        preview: (0..40).map(|i| format!("abort agent:main:k{i}")).collect(),
        effects,
    };
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    t.draw(|f| {
        lanetop::ui::modal::confirm::render(f, f.area(), &p, &km, &Theme::no_color());
    })
    .expect("draw");
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(text.contains("y confirm · any other key cancels"));
    assert!(text.contains("abort agent:main:k0"));
    assert!(!text.contains("abort agent:main:k39"));
    let shown = (0..40)
        .filter(|i| text.contains(&format!("abort agent:main:k{i} ")))
        .count();
    assert!(
        text.contains(&format!("… and {} more (all 40 are applied)", 40 - shown)),
        "{shown}"
    );
}
