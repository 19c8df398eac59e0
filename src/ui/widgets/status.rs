//! The status bar: each source and its health, gateway reachability, what lanetop is doing.
//! When the full text does not fit, details are dropped in two steps: first the details of
//! healthy sources and the RPC URL (causes of trouble stay: `✗ log dir gone: /x`, `rpc ✗
//! connection lost mid-call (sessions.abort)`), then everything but names and marks. Failing
//! sources come first, then waiting ones, so the end of the line that gets cut is the healthy.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::fact::SourceHealth;
use crate::ui::state::UiState;
use crate::ui::widgets::fmt;

/// Most cells a cause of trouble takes when details are cut to the causes.
const CAUSE_WIDTH: usize = 48;

/// How much detail: every detail, causes of trouble only, or names and marks only.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    Marks,
    Causes,
    Full,
}

fn spans<'a>(model: &Model, ui: &UiState, theme: &Theme, level: Detail) -> Vec<Span<'a>> {
    let detailed = level == Detail::Full;
    let muted = theme.style(Role::Muted);
    let mut spans: Vec<Span> = Vec::new();
    let sep = || Span::styled(" · ", muted);
    // Failing sources first, then waiting ones, then healthy ones: a cut line keeps the causes.
    let mut sources: Vec<_> = model.sources.iter().collect();
    sources.sort_by_key(|(_, st)| match st.health {
        SourceHealth::Error { .. } => 0,
        SourceHealth::Waiting { .. } => 1,
        SourceHealth::Ok { .. } => 2,
    });
    for (name, st) in sources {
        if !spans.is_empty() {
            spans.push(sep());
        }
        let (mark, role, detail) = match &st.health {
            SourceHealth::Ok { detail } => ("✓", Role::Ok, detail.as_str()),
            SourceHealth::Waiting { detail } => ("…", Role::Warn, detail.as_str()),
            SourceHealth::Error { message } => ("✗", Role::Crit, message.as_str()),
        };
        spans.push(Span::styled(format!("{name} "), theme.style(Role::Text)));
        spans.push(Span::styled(mark, theme.style(role)));
        let trouble = !matches!(st.health, SourceHealth::Ok { .. });
        if detailed {
            spans.push(Span::styled(
                format!(" {detail} {}", fmt::age(model.now, Some(st.at))),
                muted,
            ));
        } else if trouble && level == Detail::Causes {
            // Each cause at most this long, so one long cause cannot hide the others.
            spans.push(Span::styled(
                format!(" {}", fmt::trunc(detail, CAUSE_WIDTH)),
                theme.style(role),
            ));
        }
    }
    if !spans.is_empty() {
        spans.push(sep());
    }
    let g = &model.gateway;
    let url = g.rpc_url.as_deref().unwrap_or("");
    let why = g.rpc_detail.as_deref().filter(|d| !d.is_empty());
    let (gw, role) = match (g.reachable, g.rpc_trouble.as_deref(), level) {
        (Some(true), Some(t), Detail::Full) => (format!("rpc ! {url}: {t}"), Role::Warn),
        (Some(true), Some(t), Detail::Causes) => (format!("rpc ! {t}"), Role::Warn),
        (Some(true), Some(_), Detail::Marks) => ("rpc !".to_string(), Role::Warn),
        (Some(true), None, Detail::Full) => (format!("rpc ✓ {url}"), Role::Ok),
        (Some(true), None, _) => ("rpc ✓".to_string(), Role::Ok),
        (Some(false), _, Detail::Full) => match why {
            Some(w) => (format!("rpc ✗ {url}: {w} · showing files"), Role::Crit),
            None => (format!("rpc ✗ {url}: showing files"), Role::Crit),
        },
        (Some(false), _, Detail::Causes) => match why {
            Some(w) => (format!("rpc ✗ {w}"), Role::Crit),
            None => ("rpc ✗".to_string(), Role::Crit),
        },
        (Some(false), _, Detail::Marks) => ("rpc ✗".to_string(), Role::Crit),
        (None, _, _) => ("rpc -".to_string(), Role::Muted),
    };
    spans.push(Span::styled(gw, theme.style(role)));
    if model.corrupt.count > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!("{} corrupt", model.corrupt.count),
            theme.style(Role::Warn),
        ));
    }
    let marked = ui.marked_sessions.len() + ui.marked_cron.len();
    if marked > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!("{marked} marked"),
            theme.style(Role::Warn),
        ));
    }
    if !ui.push_dead.is_empty() {
        spans.push(sep());
        let text = if detailed {
            format!("push ✗ {}", ui.push_dead.join(", "))
        } else {
            "push ✗".to_string()
        };
        spans.push(Span::styled(text, theme.style(Role::Crit)));
    }
    if !ui.activity.is_empty() {
        spans.push(sep());
        spans.push(Span::styled(ui.activity.clone(), theme.style(Role::Accent)));
    }
    spans
}

/// Draw the status bar into one line.
pub fn render(f: &mut Frame, area: Rect, model: &Model, ui: &UiState, theme: &Theme) {
    let fits = |l: &Line| l.width() <= area.width as usize;
    let full = Line::from(spans(model, ui, theme, Detail::Full));
    let line = if fits(&full) {
        full
    } else {
        let causes = Line::from(spans(model, ui, theme, Detail::Causes));
        let marks = Line::from(spans(model, ui, theme, Detail::Marks));
        // Causes of trouble are worth more than the activity text: keep them even if the line
        // is cut at the right edge, unless there is no trouble to show.
        if fits(&causes) || causes.width() > marks.width() {
            causes
        } else {
            marks
        }
    };
    f.render_widget(Paragraph::new(line), area);
}
