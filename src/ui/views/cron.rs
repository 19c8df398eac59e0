//! Cron: jobs with schedule, enabled, last status and duration, cost, next run, runs by status.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, TableState};

use crate::config::{Role, Theme};
use crate::domain::{CronJob, Model};
use crate::fact::Schedule;
use crate::ui::views::{block, clamp};
use crate::ui::widgets::fmt;

/// Jobs in table order: by name.
pub fn job_rows(model: &Model) -> Vec<&CronJob> {
    let mut v: Vec<&CronJob> = model.cron.jobs.values().collect();
    v.sort_by(|a, b| {
        a.row
            .name
            .cmp(&b.row.name)
            .then_with(|| a.row.id.cmp(&b.row.id))
    });
    v
}

/// Human schedule: `every 1m`, `cron * * * * *`, `at …`.
pub fn schedule(s: &Schedule) -> String {
    match s {
        Schedule::Every { every_ms } => {
            format!("every {}", fmt::age_secs((*every_ms / 1000) as i64))
        }
        Schedule::Cron { expr, .. } => format!("cron {expr}"),
        Schedule::At { at } => format!("at {at}"),
        Schedule::Other { name } => name.clone(),
    }
}

/// Draw the Cron view.
/// Draw the cron table; `marked` job ids get a `*` before the name.
pub fn render(
    f: &mut Frame,
    area: Rect,
    model: &Model,
    selected: usize,
    marked: &std::collections::BTreeSet<String>,
    theme: &Theme,
) {
    let jobs = job_rows(model);
    let wide = area.width >= 100;
    let header = if wide {
        Row::new(vec![
            "NAME", "AGENT", "SCHEDULE", "ON", "LAST", "DUR", "COST", "NEXT", "RUNS",
        ])
    } else {
        Row::new(vec!["NAME", "SCHEDULE", "LAST", "COST", "NEXT", "RUNS"])
    }
    .style(theme.style(Role::Title));
    let body: Vec<Row> = jobs
        .iter()
        .map(|j| {
            let r = &j.row;
            let (last, role) = match r.last_run_status.as_deref() {
                Some("ok") => ("ok", Role::Ok),
                Some("error") => ("error", Role::Crit),
                Some(s) => (s, Role::Muted),
                None => ("-", Role::Muted),
            };
            let next = match (model.now, r.next_run_at_ms.and_then(fmt::from_ms)) {
                (Some(now), Some(t)) if t >= now => {
                    format!("in {}", fmt::age_secs((t - now).num_seconds()))
                }
                (Some(now), Some(t)) => format!("{} late", fmt::age_secs((now - t).num_seconds())),
                _ => "-".into(),
            };
            let runs: Vec<String> = j
                .runs_by_status
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let name = if marked.contains(&r.id) {
                format!("* {}", r.name)
            } else {
                r.name.clone()
            };
            if !wide {
                return Row::new(vec![
                    Cell::from(name),
                    Cell::from(schedule(&r.schedule)),
                    Cell::from(Span::styled(last.to_string(), theme.style(role))),
                    Cell::from(Span::styled(fmt::usd(j.cost_usd), theme.style(Role::Spend))),
                    Cell::from(next),
                    Cell::from(runs.join(" ")),
                ]);
            }
            Row::new(vec![
                Cell::from(name),
                Cell::from(r.agent_id.clone().unwrap_or_else(|| "-".into())),
                Cell::from(schedule(&r.schedule)),
                Cell::from(if r.enabled {
                    Span::styled("yes", theme.style(Role::Ok))
                } else {
                    Span::styled("no", theme.style(Role::Muted))
                }),
                Cell::from(Span::styled(last.to_string(), theme.style(role))),
                Cell::from(r.last_duration_ms.map_or("-".into(), fmt::millis)),
                Cell::from(Span::styled(fmt::usd(j.cost_usd), theme.style(Role::Spend))),
                Cell::from(next),
                Cell::from(runs.join(" ")),
            ])
        })
        .collect();
    let narrow = [
        Constraint::Fill(2),
        Constraint::Length(14),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    let widths = [
        Constraint::Fill(2),
        Constraint::Length(8),
        Constraint::Length(15),
        Constraint::Length(3),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    let t = if wide {
        Table::new(body, widths)
    } else {
        Table::new(body, narrow)
    };
    let t = t
        .header(header)
        .block(block(format!("Cron jobs ({})", jobs.len()), theme))
        .style(theme.style(Role::Text))
        .row_highlight_style(theme.style(Role::Selection));
    let mut st = TableState::default()
        .with_selected((!jobs.is_empty()).then(|| clamp(selected, jobs.len())));
    f.render_stateful_widget(t, area, &mut st);
}
