//! UI state: which view, the view history, input mode, per-view selection and filters.
//! Changed only by [`crate::ui::reduce`]; data changes go through `crate::update` instead.

use std::collections::BTreeSet;

use crate::config::{Action, Scope};
use crate::fact::Level;
use crate::gateway::runner::Effect;

/// A screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Overview,
    Logs,
    Sessions,
    /// The timeline of one session (by session key).
    Timeline(String),
    Lanes,
    Cascades,
    Spend,
    Cron,
    /// Failure-mode alerts, budgets, overnight projection.
    Alerts,
}

impl View {
    /// The views `next-view` cycles through, in order.
    pub const CYCLE: [View; 8] = [
        View::Overview,
        View::Logs,
        View::Sessions,
        View::Lanes,
        View::Cascades,
        View::Spend,
        View::Cron,
        View::Alerts,
    ];

    /// The keymap scope of this view.
    pub fn scope(&self) -> Scope {
        match self {
            View::Overview => Scope::Overview,
            View::Logs => Scope::Logs,
            View::Sessions => Scope::Sessions,
            View::Timeline(_) => Scope::Timeline,
            View::Lanes => Scope::Lanes,
            View::Cascades => Scope::Cascades,
            View::Spend => Scope::Spend,
            View::Cron => Scope::Cron,
            View::Alerts => Scope::Alerts,
        }
    }

    /// Title shown in the header.
    pub fn title(&self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Logs => "Logs",
            View::Sessions => "Sessions",
            View::Timeline(_) => "Timeline",
            View::Lanes => "Lanes",
            View::Cascades => "Cascades",
            View::Spend => "Spend",
            View::Cron => "Cron",
            View::Alerts => "Alerts",
        }
    }
}

/// How keys are read right now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Keys go through the keymap.
    #[default]
    Normal,
    /// Typing a `:` command.
    Command(String),
    /// Typing a `/` filter (sessions) or search (logs).
    Filter(String),
    /// The `?` help overlay is open.
    Help,
    /// A confirm dialog with a dry-run preview is open (`ui.pending`).
    Confirm,
}

/// An action waiting for confirmation: what it will do, shown before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub action: Action,
    /// Dialog title (`Kill 2 runs`).
    pub title: String,
    /// The dry-run preview, one line per change (what, target, from which source).
    pub preview: Vec<String>,
    /// What the runner gets on confirm.
    pub effects: Vec<Effect>,
}

/// Logs view state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsUi {
    /// Follow the newest lines.
    pub follow: bool,
    pub wrap: bool,
    /// Minimum level shown (`None` = all).
    pub min_level: Option<Level>,
    /// Only this subsystem (`None` = all).
    pub subsystem: Option<String>,
    /// The `/` search text (highlighted; `n`/`N` jump between matches).
    pub search: Option<String>,
    /// While paused: show lines with sequence number < this (sequence = index since start).
    pub end_seq: Option<u64>,
    /// The line the last jump landed on (drawn selected).
    pub cursor: Option<u64>,
}

impl Default for LogsUi {
    fn default() -> Self {
        Self {
            follow: true,
            wrap: false,
            min_level: None,
            subsystem: None,
            search: None,
            end_seq: None,
            cursor: None,
        }
    }
}

/// Sort columns of the sessions table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionSort {
    #[default]
    LastActivity,
    Cost,
    Tokens,
    Agent,
    State,
    Key,
}

impl SessionSort {
    /// The next column (`sort-next`).
    pub fn next(self) -> Self {
        match self {
            SessionSort::LastActivity => SessionSort::Cost,
            SessionSort::Cost => SessionSort::Tokens,
            SessionSort::Tokens => SessionSort::Agent,
            SessionSort::Agent => SessionSort::State,
            SessionSort::State => SessionSort::Key,
            SessionSort::Key => SessionSort::LastActivity,
        }
    }
    /// Column heading.
    pub fn label(self) -> &'static str {
        match self {
            SessionSort::LastActivity => "LAST",
            SessionSort::Cost => "COST",
            SessionSort::Tokens => "TOKENS",
            SessionSort::Agent => "AGENT",
            SessionSort::State => "STATE",
            SessionSort::Key => "KEY",
        }
    }
}

/// Sessions view state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionsUi {
    pub sort: SessionSort,
    pub reverse: bool,
    /// Case-insensitive substring over key, agent, model, label.
    pub filter: String,
    pub selected: usize,
}

/// Spend breakdown tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpendTab {
    #[default]
    Model,
    Agent,
    Session,
    CronJob,
    Day,
}

impl SpendTab {
    /// All tabs in order.
    pub const ALL: [SpendTab; 5] = [
        SpendTab::Model,
        SpendTab::Agent,
        SpendTab::Session,
        SpendTab::CronJob,
        SpendTab::Day,
    ];
    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            SpendTab::Model => "model",
            SpendTab::Agent => "agent",
            SpendTab::Session => "session",
            SpendTab::CronJob => "cron job",
            SpendTab::Day => "day",
        }
    }
}

/// All UI state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiState {
    pub view: View,
    /// Views to return to with `back` (newest last).
    pub history: Vec<View>,
    pub mode: Mode,
    pub show_log_pane: bool,
    pub quit: bool,
    /// A one-line message for the bottom line (cleared by the next key).
    pub flash: Option<String>,
    /// What lanetop is doing (`following 3 sources`, `demo`, …), shown in the status bar.
    pub activity: String,
    pub read_only: bool,
    pub logs: LogsUi,
    pub sessions: SessionsUi,
    pub lanes_selected: usize,
    pub cascades_selected: usize,
    pub cron_selected: usize,
    pub alerts_selected: usize,
    /// `Model::new_crit` when last seen: a larger value flashes the newest critical alert.
    pub crit_seen: u64,
    pub spend_tab: SpendTab,
    /// Scroll offset of the timeline (rows from the top).
    pub timeline_scroll: usize,
    /// Scroll offset of the `?` help (rows from the top).
    pub help_scroll: usize,
    /// Session keys marked with `mark` (space) in the Sessions view.
    pub marked_sessions: BTreeSet<String>,
    /// Cron job ids marked in the Cron view.
    pub marked_cron: BTreeSet<String>,
    /// The open confirm dialog.
    pub pending: Option<Pending>,
    /// Confirmed effects not yet handed to the runner (the app loop drains this).
    pub outbox: Vec<Effect>,
    /// Prune rule: a session idle longer than this many hours is a candidate.
    pub prune_idle_hours: u32,
    /// Results of the last actions (newest last, bounded), shown in the confirm area.
    pub outcomes: Vec<String>,
    /// Push alerts (`[[watch.targets]]` in lanetop.toml): the notifier the app loop ticks.
    pub push: Option<crate::watch::tui::PushHandle>,
    /// Push targets whose last message failed every try (status bar `push ✗ …`).
    pub push_dead: Vec<String>,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            view: View::Overview,
            history: Vec::new(),
            mode: Mode::Normal,
            show_log_pane: false,
            quit: false,
            flash: None,
            activity: String::new(),
            read_only: false,
            logs: LogsUi::default(),
            sessions: SessionsUi::default(),
            lanes_selected: 0,
            cascades_selected: 0,
            cron_selected: 0,
            alerts_selected: 0,
            crit_seen: 0,
            spend_tab: SpendTab::Model,
            timeline_scroll: 0,
            help_scroll: 0,
            marked_sessions: BTreeSet::new(),
            marked_cron: BTreeSet::new(),
            pending: None,
            outbox: Vec::new(),
            prune_idle_hours: 24,
            push: None,
            push_dead: Vec::new(),
            outcomes: Vec::new(),
        }
    }
}

impl UiState {
    /// The scope keys are looked up in.
    pub fn scope(&self) -> Scope {
        self.view.scope()
    }
}
