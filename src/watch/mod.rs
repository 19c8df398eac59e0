//! `lanetop watch`: the headless overnight guard. The same discovery, sources
//! ([`crate::ingest::spawn`]), [`crate::update::update`] and detectors as the TUI, plus the
//! gateway live link when reachable; no terminal. Runs until SIGTERM/SIGINT, logs to its own
//! file (`<state dir>/watch.log`, see [`log`]), pushes incident messages ([`incidents`] decides,
//! [`deliver`] sends) and a morning digest ([`digest`]).
//!
//! The loop (one task):
//! - ingest batches → `update` (the model; detectors run there, as in the TUI);
//! - a 1 Hz tick → with [`Clock::Wall`] the model clock follows the wall clock (as in the TUI);
//!   with [`Clock::Facts`] it follows the newest fact (a replay of past files). Once ingest has
//!   caught up (see [`Settle`]), every tick feeds `model.alerts` to the incident state machine
//!   and hands its messages to the delivery task (never waiting on it), runs the [`TickHook`]s,
//!   and checks the digest hour;
//! - [`Msg::ActionDone`] (an effect's outcome from the runner) → logged and pushed;
//! - SIGHUP → `lanetop.toml` is read again (thresholds, budgets, targets, digest); a bad file
//!   keeps the old settings (logged);
//! - SIGTERM / SIGINT → ingest stops, pending deliveries get [`FLUSH`] to finish, exit 0.
//!
//! Exit codes: [`EXIT_STOPPED`] 0, [`EXIT_NOTHING`] 1 (no sources found, or a bad
//! `lanetop.toml` at start), 2 usage (clap).

pub mod config;
pub mod deliver;
pub mod digest;
pub mod incidents;
pub mod link;
pub mod log;
pub mod message;
mod run;
pub mod tui;

use chrono::{DateTime, Utc};

use crate::domain::Model;
use crate::gateway::runner::Request;

pub use run::{WatchOptions, run};

/// Exit code: stopped by a signal (SIGTERM, SIGINT).
pub const EXIT_STOPPED: i32 = 0;
/// Exit code: nothing to watch (no OpenClaw sources found) or a bad `lanetop.toml` at start.
pub const EXIT_NOTHING: i32 = 1;
/// Exit code: bad command line (clap's own code).
pub const EXIT_USAGE: i32 = 2;

/// Longest wait for pending deliveries on SIGTERM/SIGINT.
pub const FLUSH: std::time::Duration = std::time::Duration::from_secs(5);

/// Which clock the model (and so the detectors' windows and the incident timers) follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The wall clock (a 1 Hz tick), as the TUI: for watching a live gateway.
    #[default]
    Wall,
    /// The newest fact's time, as `lanetop report`: for replaying past files (captures,
    /// reproductions) as if they were happening now.
    Facts,
}

/// The one hook the guard plugs into: called on every tick once ingest has caught up, after
/// the incident messages of that tick were queued.
///
/// `model` is the folded model (its `alerts` are the detectors' current output); `now` is the
/// model clock (wall clock, or the newest fact's time with [`Clock::Facts`]). The returned
/// requests (an effect and who asks for it: the audit record's `by`; `Effect::into()` is the
/// operator's) are sent, in order, through the one runner ([`crate::gateway::runner`]): read-only
/// mode refuses them there, every attempt is audited there, and each outcome is logged to the
/// watch log and pushed to the targets as an `action` message. The hook must not block (it
/// runs on the loop task); keep any state it needs (what it already acted on) itself.
pub trait TickHook: Send {
    /// Effects to run now (usually none).
    fn on_tick(&mut self, model: &Model, now: DateTime<Utc>) -> Vec<Request>;
}

/// Has ingest caught up with the backlog? Before that, alerts are not pushed (a half-read
/// backlog can show incidents that the rest of it explains, e.g. a run whose end is in a log
/// not read yet). Settled after two ticks in a row that found no pending ingest message and
/// fewer than [`Settle::QUIET_FACTS`] facts folded since the previous tick, or after
/// [`Settle::MAX_TICKS`] ticks whatever happens (a gateway busy enough never to look quiet).
#[derive(Debug, Clone, Copy, Default)]
pub struct Settle {
    ticks: u64,
    quiet: u32,
    done: bool,
}

impl Settle {
    /// Facts per tick below which a tick counts as quiet.
    pub const QUIET_FACTS: usize = 2_000;
    /// Ticks after which it is settled anyway.
    pub const MAX_TICKS: u64 = 60;

    /// Record one tick; returns true once settled (and from then on).
    pub fn tick(&mut self, pending: bool, facts_since_tick: usize) -> bool {
        self.ticks += 1;
        if !pending && facts_since_tick < Self::QUIET_FACTS {
            self.quiet += 1;
        } else {
            self.quiet = 0;
        }
        self.done |= self.quiet >= 2 || self.ticks >= Self::MAX_TICKS;
        self.done
    }
}

/// `lanetop watch` from the command line: set up the log, run, return the exit code.
/// `read_only` also comes from `read_only = true` in `lanetop.toml`.
pub async fn cli_main(sources: &crate::cli::SourceArgs, args: &crate::cli::WatchArgs) -> i32 {
    let path = match args.log_file.clone().or_else(log::default_path) {
        Some(p) => p,
        None => {
            eprintln!("lanetop watch: no state dir for the log; pass --log-file");
            return EXIT_NOTHING;
        }
    };
    if let Err(e) = log::init(&path) {
        eprintln!("lanetop watch: log file {e}");
        return EXIT_NOTHING;
    }
    let config_dir = crate::config::paths::config_dir();
    let offset = chrono::Local::now().offset().local_minus_utc() / 60;
    let read_only = args.read_only || config_read_only(config_dir.as_deref());
    let opts = WatchOptions {
        discover: sources.discover_options(),
        gateway: link::GatewayOptions {
            url: args.gateway_url.clone(),
            token: args.token.clone(),
            connect: !args.no_gateway,
            read_only,
        },
        clock: if args.clock == "facts" {
            Clock::Facts
        } else {
            Clock::Wall
        },
        config_dir,
        utc_offset_min: offset,
        deliver: deliver::DeliverOptions::default(),
    };
    eprintln!("lanetop watch: logging to {}", path.display());
    run(opts, vec![Box::new(crate::guard::Guard::default())]).await
}

/// `read_only = true` in `<config dir>/lanetop.toml`.
fn config_read_only(dir: Option<&std::path::Path>) -> bool {
    dir.map(|d| d.join(crate::config::settings::FILE))
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("read_only").and_then(toml::Value::as_bool))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::Settle;

    #[test]
    fn settles_after_two_quiet_ticks_or_the_cap() {
        let mut s = Settle::default();
        assert!(!s.tick(false, 0));
        assert!(!s.tick(true, 0), "a pending message resets");
        assert!(!s.tick(false, 10));
        assert!(s.tick(false, 10));
        assert!(s.tick(true, 100_000), "stays settled");
        let mut busy = Settle::default();
        let n = (1..=Settle::MAX_TICKS)
            .take_while(|_| !busy.tick(false, 50_000))
            .count();
        assert_eq!(n as u64, Settle::MAX_TICKS - 1);
    }
}
