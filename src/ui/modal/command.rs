//! The `:` command line: parse a command (with k9s-style aliases) into a [`Command`].

use chrono::NaiveTime;

use crate::fact::Level;
use crate::ui::state::View;

/// A parsed `:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:overview`/`:o`, `:logs`/`:l`, `:sessions`/`:s`, `:lanes`, `:cascades`/`:c`, `:spend`/`:$`,
    /// `:cron`, `:alerts`/`:a`.
    Go(View),
    /// `:q`, `:quit`.
    Quit,
    /// `:time HH:MM` (Logs): jump to the first line at or after that UTC time of day.
    Time(NaiveTime),
    /// `:sub NAME` (Logs subsystem filter); `:sub` alone clears it.
    Subsystem(Option<String>),
    /// `:level warn` (minimum level); `:level all` clears it.
    Level(Option<Level>),
    /// `:help`.
    Help,
}

/// Every command name with its aliases, for help.
pub const COMMANDS: &[(&str, &str)] = &[
    ("overview, o", "Overview"),
    ("logs, l", "Logs"),
    ("sessions, s", "Sessions"),
    ("lanes", "Lanes"),
    ("cascades, c", "Cascades"),
    ("spend, $", "Spend"),
    ("cron", "Cron jobs"),
    ("alerts, a", "Alerts, budgets, overnight spend"),
    ("time HH:MM", "Logs: jump to a UTC time"),
    ("sub NAME", "Logs: subsystem filter (none clears)"),
    (
        "level LEVEL",
        "Logs: minimum level (all|debug|info|warn|error)",
    ),
    ("q, quit", "Quit"),
];

/// Parse the text typed after `:`.
pub fn parse(input: &str) -> Result<Command, String> {
    let mut parts = input.split_whitespace();
    let head = parts.next().unwrap_or("");
    let arg = parts.next();
    Ok(match head {
        "overview" | "o" => Command::Go(View::Overview),
        "logs" | "l" | "log" => Command::Go(View::Logs),
        "sessions" | "s" | "session" => Command::Go(View::Sessions),
        "lanes" | "lane" => Command::Go(View::Lanes),
        "cascades" | "c" | "cascade" => Command::Go(View::Cascades),
        "spend" | "$" => Command::Go(View::Spend),
        "cron" => Command::Go(View::Cron),
        "alerts" | "a" | "alert" => Command::Go(View::Alerts),
        "q" | "quit" | "q!" => Command::Quit,
        "help" | "h" => Command::Help,
        "time" | "t" => {
            let a = arg.ok_or("usage: :time HH:MM")?;
            let t = NaiveTime::parse_from_str(a, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(a, "%H:%M:%S"))
                .map_err(|_| format!("bad time `{a}` (use HH:MM)"))?;
            Command::Time(t)
        }
        "sub" | "subsystem" => Command::Subsystem(arg.map(str::to_owned)),
        "level" => Command::Level(match arg.unwrap_or("all") {
            "all" => None,
            "trace" => Some(Level::Trace),
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" => Some(Level::Warn),
            "error" => Some(Level::Error),
            other => return Err(format!("unknown level `{other}`")),
        }),
        "" => return Err("empty command".into()),
        other => return Err(format!("unknown command `:{other}`")),
    })
}
