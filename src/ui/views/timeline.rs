//! A session timeline: user turns, assistant turns (model, tokens, cost), fallback steps, model
//! changes, run start/end. Esc goes back.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::config::{Role, Theme};
use crate::domain::Model;
use crate::domain::session::TurnKind;
use crate::ui::views::block;
use crate::ui::views::sessions::{state_name, state_role};
use crate::ui::widgets::fmt;

/// Draw the timeline of session `key`, scrolled by `scroll` rows.
pub fn render(f: &mut Frame, area: Rect, model: &Model, key: &str, scroll: usize, theme: &Theme) {
    let Some(s) = model.sessions.by_key.get(key) else {
        let p = Paragraph::new(format!("session {key} is gone")).block(block("Timeline", theme));
        f.render_widget(p, area);
        return;
    };
    let [head, body] = Layout::vertical([Constraint::Length(5), Constraint::Min(1)]).areas(area);
    let m = theme.style(Role::Muted);
    let summary = vec![
        Line::from(vec![
            Span::styled("agent ", m),
            Span::styled(s.agent_id.clone(), theme.style(Role::Accent)),
            Span::styled("  state ", m),
            Span::styled(state_name(s.state), theme.style(state_role(s.state))),
            Span::styled("  tokens ", m),
            Span::styled(fmt::tokens(s.tokens), theme.style(Role::Text)),
            Span::styled("  cost ", m),
            Span::styled(fmt::usd(s.cost_usd), theme.style(Role::Spend)),
        ]),
        Line::from(vec![
            Span::styled("model ", m),
            Span::styled(
                s.current_model
                    .as_ref()
                    .map_or("-".into(), |x| x.to_string()),
                theme.style(Role::Text),
            ),
            Span::styled("  configured ", m),
            Span::styled(
                s.configured_model
                    .as_ref()
                    .map_or("-".into(), |x| x.to_string()),
                theme.style(Role::Text),
            ),
        ]),
        Line::from(vec![Span::styled(
            format!(
                "fallback episodes {}  queued {}  active runs {}  last {}",
                s.fallback_episodes,
                s.queued,
                s.active_runs.len(),
                fmt::age(model.now, s.last_activity)
            ),
            m,
        )]),
    ];
    f.render_widget(
        Paragraph::new(summary).block(block(format!("Session {}", s.key), theme)),
        head,
    );
    let lines: Vec<Line> = s
        .turns
        .iter()
        .map(|t| {
            let mut spans = vec![Span::styled(format!("{} ", fmt::hms(t.at)), m)];
            match &t.kind {
                TurnKind::User { heartbeat } => {
                    spans.push(Span::styled(
                        if *heartbeat {
                            "heartbeat "
                        } else {
                            "user      "
                        },
                        theme.style(Role::Accent),
                    ));
                }
                TurnKind::Assistant {
                    model: mr,
                    tokens,
                    cost_usd,
                    stop_reason,
                    error,
                } => {
                    spans.push(Span::styled("assistant ", theme.style(Role::Ok)));
                    spans.push(Span::styled(format!("{mr} "), theme.style(Role::Text)));
                    spans.push(Span::styled(format!("{} tok ", fmt::tokens(*tokens)), m));
                    spans.push(match cost_usd {
                        Some(c) => Span::styled(fmt::usd(*c), theme.style(Role::Spend)),
                        None => Span::styled("unpriced", theme.style(Role::Warn)),
                    });
                    if let Some(r) = stop_reason {
                        spans.push(Span::styled(format!(" {r}"), m));
                    }
                    if let Some(e) = error {
                        spans.push(Span::styled(
                            format!(" error: {e}"),
                            theme.style(Role::Crit),
                        ));
                    }
                }
                TurnKind::Fallback {
                    from,
                    to,
                    reason,
                    status,
                } => {
                    spans.push(Span::styled("fallback  ", theme.style(Role::Warn)));
                    spans.push(Span::styled(
                        format!(
                            "{} → {}",
                            from.as_ref().map_or("?".into(), |x| x.to_string()),
                            to.as_ref().map_or("?".into(), |x| x.to_string())
                        ),
                        theme.style(Role::Text),
                    ));
                    if let Some(r) = reason {
                        spans.push(Span::styled(format!(" {r}"), theme.style(Role::Warn)));
                    }
                    if let Some(st) = status {
                        spans.push(Span::styled(format!(" HTTP {st}"), theme.style(Role::Crit)));
                    }
                }
                TurnKind::ModelChange { model: mr } => {
                    spans.push(Span::styled("model     ", theme.style(Role::Accent)));
                    spans.push(Span::styled(mr.to_string(), theme.style(Role::Text)));
                }
                TurnKind::RunStarted { run_id } => {
                    spans.push(Span::styled("run start ", m));
                    spans.push(Span::styled(fmt::trunc(run_id, 13), m));
                }
                TurnKind::RunEnded { run_id, outcome } => {
                    spans.push(Span::styled("run end   ", m));
                    spans.push(Span::styled(
                        format!("{} {outcome}", fmt::trunc(run_id, 13)),
                        m,
                    ));
                }
            }
            Line::from(spans)
        })
        .collect();
    let total = lines.len();
    let p = Paragraph::new(lines)
        .block(block(
            format!("Timeline ({total} entries) · esc back"),
            theme,
        ))
        .scroll((scroll.min(total.saturating_sub(1)) as u16, 0));
    f.render_widget(p, body);
}
