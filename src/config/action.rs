//! User intents ([`Action`]) and the key scopes ([`Scope`]) they are bound in.
//!
//! The serde kebab-case names of [`Action`] are the keymap vocabulary (`keymaps/*.toml`):
//! `q = "quit"`. An unknown name fails at load with the file and line.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($( $(#[$m:meta])* $v:ident = $name:literal, $desc:literal; )*) => {
        /// One user intent. Data for an action comes from the current selection, never the key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Action { $( $(#[$m])* #[doc = $desc] $v, )* }

        impl Action {
            /// Every action, in declaration order (used by `?` help and `--print-keymap`).
            pub const ALL: &'static [Action] = &[ $( Action::$v, )* ];
            /// The keymap name (`toggle-follow`).
            pub fn name(self) -> &'static str { match self { $( Action::$v => $name, )* } }
            /// One-line description for help and `--print-keymap`.
            pub fn description(self) -> &'static str { match self { $( Action::$v => $desc, )* } }
            /// Parse a keymap name.
            pub fn from_name(s: &str) -> Option<Action> { match s { $( $name => Some(Action::$v), )* _ => None } }
        }
    };
}

actions! {
    Quit = "quit", "Quit lanetop";
    ToggleHelp = "toggle-help", "Show or hide the key help";
    CommandMode = "command-mode", "Open the : command line";
    Back = "back", "Go back to the previous view";
    ViewOverview = "view-overview", "Show the Overview";
    ViewLogs = "view-logs", "Show the gateway log";
    ViewSessions = "view-sessions", "Show the sessions table";
    ViewLanes = "view-lanes", "Show the lanes table";
    ViewCascades = "view-cascades", "Show the fallback cascades";
    ViewSpend = "view-spend", "Show spend breakdowns";
    ViewCron = "view-cron", "Show cron jobs";
    ViewAlerts = "view-alerts", "Show the failure-mode alerts";
    NextView = "next-view", "Cycle to the next view";
    PrevView = "prev-view", "Cycle to the previous view";
    Up = "up", "Move the selection up / scroll up";
    Down = "down", "Move the selection down / scroll down";
    PageUp = "page-up", "Scroll one page up";
    PageDown = "page-down", "Scroll one page down";
    Top = "top", "Jump to the first row / oldest line";
    Bottom = "bottom", "Jump to the last row / newest line";
    Open = "open", "Open the selected item (session timeline)";
    Filter = "filter", "Start a / filter or search";
    ClearFilter = "clear-filter", "Clear the filter or search";
    SortNext = "sort-next", "Sort by the next column";
    SortReverse = "sort-reverse", "Reverse the sort order";
    ToggleFollow = "toggle-follow", "Follow the newest lines / pause";
    ToggleWrap = "toggle-wrap", "Wrap long lines on/off";
    CycleLevel = "cycle-level", "Cycle the minimum log level";
    CycleSubsystem = "cycle-subsystem", "Cycle the subsystem filter";
    SearchNext = "search-next", "Jump to the next (older) match";
    SearchPrev = "search-prev", "Jump to the previous (newer) match";
    JumpTime = "jump-time", "Jump to a time of day (:time HH:MM)";
    NextTab = "next-tab", "Next breakdown tab";
    PrevTab = "prev-tab", "Previous breakdown tab";
    ToggleLogPane = "toggle-log-pane", "Show or hide lanetop's own log";
    KillRun = "kill-run", "Abort the run of the selected/marked session(s) and drop their queue (sessions.abort)";
    ResetSession = "reset-session", "Reset the selected/marked session(s) (sessions.reset, guarded by session id)";
    PruneStale = "prune-stale", "Prune stale bindings: preview candidates by rule, then sessions.delete";
    PauseCron = "pause-cron", "Pause the selected/marked cron job(s) (cron.update enabled:false)";
    ResumeCron = "resume-cron", "Resume the selected/marked cron job(s) (cron.update enabled:true)";
    PauseAllCron = "pause-all-cron", "Kill switch: pause every enabled cron job (preview first)";
    PinModel = "pin-model", "Pin the session to its last working model (sessions.patch model)";
    Mark = "mark", "Mark/unmark the selected row (actions apply to marked rows)";
    Confirm = "confirm", "Confirm the action in the open dialog";
    Cancel = "cancel", "Cancel the open dialog / clear marks";
}

macro_rules! scopes {
    ($( $v:ident = $name:literal, $desc:literal; )*) => {
        /// Where a binding applies: `global` everywhere, or one view.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Scope { $( #[doc = $desc] $v, )* }
        impl Scope {
            /// Every scope, global first.
            pub const ALL: &'static [Scope] = &[ $( Scope::$v, )* ];
            /// The keymap table name (`[logs]`).
            pub fn name(self) -> &'static str { match self { $( Scope::$v => $name, )* } }
            /// Parse a keymap table name.
            pub fn from_name(s: &str) -> Option<Scope> { match s { $( $name => Some(Scope::$v), )* _ => None } }
        }
    };
}

scopes! {
    Global = "global", "Bindings active in every view";
    Overview = "overview", "The Overview";
    Logs = "logs", "The Logs view";
    Sessions = "sessions", "The Sessions table";
    Timeline = "timeline", "A session timeline";
    Lanes = "lanes", "The Lanes table";
    Cascades = "cascades", "The Cascades list";
    Spend = "spend", "The Spend breakdowns";
    Cron = "cron", "The Cron jobs table";
    Alerts = "alerts", "The Alerts view";
}
