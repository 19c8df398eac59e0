//! Logs view navigation: pinning, search jumps, scrolling by visible lines.

use super::PAGE;
use crate::domain::Model;
use crate::ui::data;
use crate::ui::state::UiState;

/// Pause the log view so that `seq` is the bottom line, and mark it.
pub(super) fn pin(ui: &mut UiState, seq: u64) {
    ui.logs.follow = false;
    ui.logs.end_seq = Some(seq + 1);
    ui.logs.cursor = Some(seq);
}

pub(super) fn search(ui: &mut UiState, model: &Model, older: bool) {
    if ui.logs.search.is_none() {
        ui.flash = Some("no search: press / first".into());
        return;
    }
    let from = ui.logs.cursor.unwrap_or(if older {
        data::log_end(model, &ui.logs)
    } else {
        model.logs.total
    });
    match data::find_match(model, &ui.logs, from, older) {
        Some(s) => pin(ui, s),
        None => ui.flash = Some("no more matches".into()),
    }
}

pub(super) fn scroll(ui: &mut UiState, model: &Model, up: bool, n: usize) {
    let end = data::log_end(model, &ui.logs);
    ui.logs.cursor = None;
    if up {
        let rows = data::visible_before(model, &ui.logs, end, n + 1);
        if rows.len() > 1 {
            ui.logs.follow = false;
            ui.logs.end_seq = Some(rows[rows.len() - 1 - n.min(rows.len() - 1)].0 + 1);
        } else {
            ui.logs.follow = false;
            ui.logs.end_seq = Some(end);
        }
    } else if !ui.logs.follow {
        let mut e = end;
        for _ in 0..n {
            let next = (e..model.logs.total).find(|s| {
                data::entry_at(model, *s)
                    .is_some_and(|x| data::log_visible(&model.logs, x, &ui.logs))
            });
            match next {
                Some(s) => e = s + 1,
                None => {
                    e = model.logs.total;
                    break;
                }
            }
        }
        ui.logs.end_seq = Some(e);
    }
}

/// Show the oldest page: end after the first 2×PAGE visible lines.
pub(super) fn top(ui: &mut UiState, model: &Model) {
    let first = data::first_seq(model);
    let end = (first..model.logs.total)
        .filter(|s| {
            data::entry_at(model, *s).is_some_and(|e| data::log_visible(&model.logs, e, &ui.logs))
        })
        .nth(PAGE * 2 - 1)
        .map_or(model.logs.total, |s| s + 1);
    ui.logs.follow = false;
    ui.logs.cursor = None;
    ui.logs.end_seq = Some(end);
}

/// Follow the newest lines again.
pub(super) fn bottom(ui: &mut UiState) {
    ui.logs.follow = true;
    ui.logs.end_seq = None;
    ui.logs.cursor = None;
}
