//! The UI-state reducer: keys → (keymap) → [`Action`] → [`UiState`] changes. Never touches the
//! domain model (that changes only through `crate::update::update`).

mod input;
mod logs;

pub use input::{handle_key, run_command};

use crate::config::Action;
use crate::domain::Model;
use crate::fact::Level;
use crate::ui::state::{Mode, SpendTab, UiState, View};
use crate::ui::views::{cascades, cron};
use crate::ui::{actions, data};

/// Rows a page-up/page-down moves.
const PAGE: usize = 10;

/// Switch view, remembering the current one for `back`.
pub fn go(ui: &mut UiState, v: View) {
    if ui.view != v {
        let prev = std::mem::replace(&mut ui.view, v);
        ui.history.push(prev);
        if ui.history.len() > 50 {
            ui.history.remove(0);
        }
    }
}

fn move_sel(sel: &mut usize, len: usize, delta: isize) {
    let max = len.saturating_sub(1) as isize;
    *sel = (*sel as isize + delta).clamp(0, max.max(0)) as usize;
}

fn list_len(ui: &UiState, model: &Model) -> usize {
    match &ui.view {
        View::Sessions => data::session_rows(model, &ui.sessions).len(),
        View::Lanes => model.lanes.by_name.len(),
        View::Cascades => model.cascades.episodes.len(),
        View::Cron => model.cron.jobs.len(),
        View::Alerts => model.alerts.len(),
        View::Timeline(k) => model.sessions.by_key.get(k).map_or(0, |s| s.turns.len()),
        _ => 0,
    }
}

fn move_view(ui: &mut UiState, model: &Model, delta: isize) {
    if ui.view == View::Logs {
        let n = delta.unsigned_abs();
        logs::scroll(ui, model, delta < 0, n);
        return;
    }
    let len = list_len(ui, model);
    let sel = match &ui.view {
        View::Sessions => &mut ui.sessions.selected,
        View::Lanes => &mut ui.lanes_selected,
        View::Cascades => &mut ui.cascades_selected,
        View::Cron => &mut ui.cron_selected,
        View::Alerts => &mut ui.alerts_selected,
        View::Timeline(_) => &mut ui.timeline_scroll,
        _ => return,
    };
    move_sel(sel, len, delta);
}

/// Apply one action to the UI state.
pub fn apply(ui: &mut UiState, model: &Model, action: Action) {
    match action {
        Action::Quit => ui.quit = true,
        Action::ToggleHelp => {
            ui.help_scroll = 0;
            ui.mode = if ui.mode == Mode::Help {
                Mode::Normal
            } else {
                Mode::Help
            };
        }
        Action::CommandMode => ui.mode = Mode::Command(String::new()),
        Action::Back => {
            if let Some(v) = ui.history.pop() {
                ui.view = v;
            }
        }
        Action::ViewOverview => go(ui, View::Overview),
        Action::ViewLogs => go(ui, View::Logs),
        Action::ViewSessions => go(ui, View::Sessions),
        Action::ViewLanes => go(ui, View::Lanes),
        Action::ViewCascades => go(ui, View::Cascades),
        Action::ViewSpend => go(ui, View::Spend),
        Action::ViewCron => go(ui, View::Cron),
        Action::ViewAlerts => go(ui, View::Alerts),
        Action::NextView | Action::PrevView => {
            let i = View::CYCLE.iter().position(|v| *v == ui.view).unwrap_or(0);
            let n = View::CYCLE.len();
            let j = if action == Action::NextView {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            go(ui, View::CYCLE[j].clone());
        }
        Action::Up => move_view(ui, model, -1),
        Action::Down => move_view(ui, model, 1),
        Action::PageUp => move_view(ui, model, -(PAGE as isize)),
        Action::PageDown => move_view(ui, model, PAGE as isize),
        Action::Top => {
            if ui.view == View::Logs {
                logs::top(ui, model);
            } else {
                move_view(ui, model, isize::MIN / 2);
            }
        }
        Action::Bottom => {
            if ui.view == View::Logs {
                logs::bottom(ui);
            } else {
                move_view(ui, model, isize::MAX / 2);
            }
        }
        Action::Open => open(ui, model),
        Action::Filter => {
            let current = match ui.view {
                View::Logs => ui.logs.search.clone().unwrap_or_default(),
                View::Sessions => ui.sessions.filter.clone(),
                _ => {
                    go(ui, View::Sessions);
                    String::new()
                }
            };
            ui.mode = Mode::Filter(current);
        }
        Action::ClearFilter => match ui.view {
            View::Logs => {
                ui.logs.search = None;
                ui.logs.subsystem = None;
                ui.logs.min_level = None;
                ui.logs.cursor = None;
            }
            _ => ui.sessions.filter.clear(),
        },
        Action::SortNext => {
            ui.sessions.sort = ui.sessions.sort.next();
            ui.sessions.selected = 0;
        }
        Action::SortReverse => ui.sessions.reverse = !ui.sessions.reverse,
        Action::ToggleFollow => {
            ui.logs.follow = !ui.logs.follow;
            ui.logs.cursor = None;
            ui.logs.end_seq = if ui.logs.follow {
                None
            } else {
                Some(model.logs.total)
            };
        }
        Action::ToggleWrap => ui.logs.wrap = !ui.logs.wrap,
        Action::CycleLevel => {
            ui.logs.min_level = match ui.logs.min_level {
                None => Some(Level::Info),
                Some(Level::Trace | Level::Debug | Level::Info) => Some(Level::Warn),
                Some(Level::Warn) => Some(Level::Error),
                Some(_) => None,
            }
        }
        Action::CycleSubsystem => {
            let subs = data::subsystems(model);
            ui.logs.subsystem = match &ui.logs.subsystem {
                None => subs.first().cloned(),
                Some(cur) => subs
                    .iter()
                    .position(|s| s == cur)
                    .and_then(|i| subs.get(i + 1))
                    .cloned(),
            };
        }
        Action::SearchNext => logs::search(ui, model, true),
        Action::SearchPrev => logs::search(ui, model, false),
        Action::JumpTime => ui.mode = Mode::Command("time ".into()),
        Action::NextTab | Action::PrevTab => {
            let i = SpendTab::ALL
                .iter()
                .position(|t| *t == ui.spend_tab)
                .unwrap_or(0);
            let n = SpendTab::ALL.len();
            let j = if action == Action::NextTab {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            ui.spend_tab = SpendTab::ALL[j];
        }
        Action::ToggleLogPane => ui.show_log_pane = !ui.show_log_pane,
        Action::Mark => mark(ui, model),
        Action::KillRun
        | Action::ResetSession
        | Action::PinModel
        | Action::PruneStale
        | Action::PauseCron
        | Action::ResumeCron
        | Action::PauseAllCron => match actions::plan(ui, model, action) {
            Ok(p) => {
                ui.pending = Some(p);
                ui.mode = Mode::Confirm;
            }
            Err(msg) => ui.flash = Some(msg),
        },
        Action::Confirm => ui.flash = Some("nothing to confirm".into()),
        Action::Cancel => {
            let n = ui.marked_sessions.len() + ui.marked_cron.len();
            ui.marked_sessions.clear();
            ui.marked_cron.clear();
            ui.flash = Some(format!("cleared {n} mark(s)"));
        }
    }
}

/// Toggle the mark on the selected row (Sessions, Cron) and move down one row.
fn mark(ui: &mut UiState, model: &Model) {
    match ui.view {
        View::Sessions => {
            let rows = data::session_rows(model, &ui.sessions);
            if let Some(s) = rows.get(ui.sessions.selected) {
                let k = s.key.clone();
                if !ui.marked_sessions.remove(&k) {
                    ui.marked_sessions.insert(k);
                }
            }
        }
        View::Cron => {
            let jobs = cron::job_rows(model);
            if let Some(j) = jobs.get(ui.cron_selected) {
                let id = j.row.id.clone();
                if !ui.marked_cron.remove(&id) {
                    ui.marked_cron.insert(id);
                }
            }
        }
        _ => {
            ui.flash = Some("mark: rows can be marked in Sessions and Cron".into());
            return;
        }
    }
    move_view(ui, model, 1);
}

/// A key while the confirm dialog is open: `confirm` hands the effects to the runner (via
/// `ui.outbox`); any other key cancels. Nothing is sent without the confirm key.
pub fn confirm_key(ui: &mut UiState, action: Option<Action>) {
    ui.mode = Mode::Normal;
    let Some(p) = ui.pending.take() else { return };
    if action == Some(Action::Confirm) {
        ui.flash = Some(format!(
            "{}: sending {} change(s)…",
            p.action.name(),
            p.effects.len()
        ));
        ui.outbox.extend(p.effects);
        ui.marked_sessions.clear();
        ui.marked_cron.clear();
    } else {
        ui.flash = Some(format!("{}: cancelled, nothing sent", p.action.name()));
    }
}

fn open(ui: &mut UiState, model: &Model) {
    match ui.view {
        View::Sessions => {
            let rows = data::session_rows(model, &ui.sessions);
            if let Some(s) = rows.get(ui.sessions.selected.min(rows.len().saturating_sub(1))) {
                let key = s.key.clone();
                ui.timeline_scroll = 0;
                go(ui, View::Timeline(key));
            }
        }
        View::Cascades => {
            let eps = cascades::episode_rows(model);
            let ep = eps.get(ui.cascades_selected.min(eps.len().saturating_sub(1)));
            let key = ep.and_then(|e| e.session.as_deref()).and_then(|s| {
                if model.sessions.by_key.contains_key(s) {
                    Some(s.to_string())
                } else {
                    model.sessions.key_by_session_id.get(s).cloned()
                }
            });
            if let Some(k) = key {
                ui.timeline_scroll = 0;
                go(ui, View::Timeline(k));
            }
        }
        View::Alerts => open_alert(ui, model),
        View::Cron => {
            let jobs = cron::job_rows(model);
            if let Some(j) = jobs.get(ui.cron_selected.min(jobs.len().saturating_sub(1))) {
                let key = model
                    .sessions
                    .by_key
                    .values()
                    .filter(|s| s.cron_job_id.as_deref() == Some(j.row.id.as_str()))
                    .max_by_key(|s| s.last_activity)
                    .map(|s| s.key.clone());
                if let Some(k) = key {
                    ui.timeline_scroll = 0;
                    go(ui, View::Timeline(k));
                }
            }
        }
        _ => {}
    }
}

/// Enter on an alert: the first evidence line still in the log buffer (Logs view, pinned on
/// it), else the subject's session timeline, else the subject's cron job in the Cron view.
fn open_alert(ui: &mut UiState, model: &Model) {
    let Some(a) = model
        .alerts
        .get(ui.alerts_selected.min(model.alerts.len().saturating_sub(1)))
    else {
        return;
    };
    let first = data::first_seq(model);
    let hit = a
        .evidence
        .iter()
        .find_map(|o| model.logs.entries().iter().position(|e| e.origin == *o));
    if let Some(i) = hit {
        go(ui, View::Logs);
        logs::pin(ui, first + i as u64);
        return;
    }
    if let Some(k) = model.sessions.resolve(&a.subject).map(str::to_string) {
        ui.timeline_scroll = 0;
        go(ui, View::Timeline(k));
        return;
    }
    let jobs = cron::job_rows(model);
    if let Some(i) = jobs.iter().position(|j| j.row.id == a.subject) {
        ui.cron_selected = i;
        go(ui, View::Cron);
    }
}
