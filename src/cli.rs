//! Command-line options (clap derive).
//!
//! ```text
//! lanetop [--state-dir DIR] [--log PATH]... [--profile NAME] [--demo] [--read-only]
//!         [--gateway-url URL] [--token TOKEN] [--no-gateway] [--prune-idle-hours N]
//!         [--theme NAME] [--keymap NAME] [--print-keymap] [--no-color]
//! lanetop watch [--log-file PATH] [--clock wall|facts] [--read-only] [--no-gateway] [--gateway-url URL] [--token TOKEN]
//! lanetop report [--json|--markdown] [--check [--min-severity warn|crit]] [--state-dir DIR] [--log PATH]... [--profile NAME]
//! ```

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::ingest::discover::DiscoverOptions;

/// A live terminal operations console for OpenClaw gateways.
#[derive(Debug, Parser)]
#[command(name = "lanetop", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Run against a built-in simulator writing real-format files to a temporary dir.
    #[arg(long)]
    pub demo: bool,
    /// Never change anything (every mutating action is refused). Also `read_only = true` in
    /// `<config dir>/lanetop.toml`.
    #[arg(long)]
    pub read_only: bool,
    /// Gateway WebSocket URL (default `ws://127.0.0.1:<gateway.port>` from openclaw.json).
    #[arg(long, value_name = "URL")]
    pub gateway_url: Option<String>,
    /// Gateway token (default: OPENCLAW_GATEWAY_TOKEN, then gateway.auth.token). Never shown.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Do not connect to the gateway at all (files only; every action is refused).
    #[arg(long)]
    pub no_gateway: bool,
    /// Prune rule: sessions idle longer than this many hours are candidates.
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub prune_idle_hours: u32,
    /// Theme: dark, light, high-contrast, or a file `<config>/themes/NAME.toml`.
    #[arg(long, value_name = "NAME", default_value = "dark")]
    pub theme: String,
    /// Keymap: default, vim, or a file `<config>/keymaps/NAME.toml`.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub keymap: String,
    /// Print the keymap (scope, key, action, description) and exit.
    #[arg(long)]
    pub print_keymap: bool,
    /// No colours at all (also when NO_COLOR is set).
    #[arg(long)]
    pub no_color: bool,
    /// Rewrite this file once a second with ingest figures (for `scripts/soak.sh`; see
    /// `lanetop::stats`).
    #[arg(long, value_name = "PATH", hide = true)]
    pub stats_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the OpenClaw files are (shared by the TUI and `report`).
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// The OpenClaw state dir (default: discovered, e.g. ~/.openclaw).
    #[arg(long, value_name = "DIR", global = true)]
    pub state_dir: Option<PathBuf>,
    /// A gateway log file or directory (repeatable).
    #[arg(long = "log", value_name = "PATH", global = true)]
    pub logs: Vec<PathBuf>,
    /// The OpenClaw profile (`openclaw --profile NAME`).
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,
}

impl SourceArgs {
    /// The discovery options these flags give.
    pub fn discover_options(&self) -> DiscoverOptions {
        DiscoverOptions {
            state_dir: self.state_dir.clone(),
            logs: self.logs.clone(),
            profile: self.profile.clone(),
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every source once and print a report (no terminal UI).
    Report(ReportArgs),
    /// Headless overnight guard: follow the sources, push alerts and a morning digest (no TUI).
    Watch(WatchArgs),
    /// Render every view of the model read from the sources to SVG files (for `screenshots/`).
    #[command(hide = true)]
    Screenshot(ScreenshotArgs),
}

/// `lanetop watch` options. Exit codes: 0 stopped (SIGTERM/SIGINT), 1 nothing to watch or a
/// bad `lanetop.toml`, 2 usage. SIGHUP reloads `lanetop.toml`.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// The watch log (default `<state dir>/watch.log`, state dir `$LANETOP_STATE_DIR` or
    /// `~/.local/state/lanetop`).
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Model clock: `wall` (watch a live gateway) or `facts` (the newest fact's time: replay
    /// past files as if live).
    #[arg(long, value_name = "wall|facts", default_value = "wall", value_parser = ["wall", "facts"])]
    pub clock: String,
    /// Never change anything (guard actions are refused). Also `read_only = true` in lanetop.toml.
    #[arg(long)]
    pub read_only: bool,
    /// Do not connect to the gateway (files only).
    #[arg(long)]
    pub no_gateway: bool,
    /// Gateway WebSocket URL (default `ws://127.0.0.1:<gateway.port>` from openclaw.json).
    #[arg(long, value_name = "URL")]
    pub gateway_url: Option<String>,
    /// Gateway token (default: OPENCLAW_GATEWAY_TOKEN, then gateway.auth.token). Never shown.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// `lanetop screenshot` options (hidden; used by `scripts/screenshots.sh`).
#[derive(Debug, Clone, Args)]
pub struct ScreenshotArgs {
    /// Directory the `<view>.svg` files are written to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Terminal width in cells.
    #[arg(long, default_value_t = 120)]
    pub cols: u16,
    /// Terminal height in cells.
    #[arg(long, default_value_t = 40)]
    pub rows: u16,
}

/// `lanetop report` options.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// JSON output (the default).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Markdown output.
    #[arg(long)]
    pub markdown: bool,
    /// Exit non-zero when an alert at or above `--min-severity` fires: 3 = a warning (no
    /// critical), 4 = a critical alert; 0 = none. The report is printed either way.
    #[arg(long)]
    pub check: bool,
    /// The least severity `--check` counts: `warn` (default) or `crit`.
    #[arg(long, value_name = "warn|crit", default_value = "warn", value_parser = ["info", "warn", "crit"])]
    pub min_severity: String,
    /// Limit spend and alerts to facts at or after this time: RFC 3339
    /// (`2026-11-22T07:00:00Z`) or `last-digest` (when `lanetop watch` last sent its digest).
    #[arg(long, value_name = "TIME|last-digest")]
    pub since: Option<String>,
}

/// `report --check` exit code when a warning (and no critical alert) fires.
pub const EXIT_WARN: i32 = 3;
/// `report --check` exit code when a critical alert fires.
pub const EXIT_CRIT: i32 = 4;

impl ReportArgs {
    /// The exit code of `--check` for these alerts: 0, [`EXIT_WARN`] or [`EXIT_CRIT`].
    pub fn check_code(&self, alerts: &[crate::domain::detect::Alert]) -> i32 {
        use crate::domain::detect::Severity;
        let min = Severity::parse(&self.min_severity).unwrap_or(Severity::Warn);
        let worst = alerts
            .iter()
            .map(|a| a.severity)
            .filter(|s| *s >= min)
            .max();
        match worst {
            Some(Severity::Crit) => EXIT_CRIT,
            Some(_) => EXIT_WARN,
            None => 0,
        }
    }
}

/// Report output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Markdown,
}

impl ReportArgs {
    /// The chosen format (JSON unless `--markdown`).
    pub fn format(&self) -> ReportFormat {
        if self.markdown {
            ReportFormat::Markdown
        } else {
            ReportFormat::Json
        }
    }
}
