//! `lanetop`: parse the command line, install hooks, then run the TUI or print a report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, eyre};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

#[global_allocator]
static ALLOC: lanetop::Allocator = lanetop::Allocator {};

use lanetop::app::{self, App};
use lanetop::cli::{Cli, Command, ReportArgs, ReportFormat, ScreenshotArgs, SourceArgs};
use lanetop::config::{Keymap, Theme, paths};
use lanetop::domain::Model;
use lanetop::ingest::discover::{DiscoverOptions, Discovery};
use lanetop::msg::Msg;
use lanetop::ui::UiState;

/// Capacity of the ingest → UI channel (messages, each a batch of up to
/// [`lanetop::ingest::BATCH`] facts). Small on purpose: the ingest thread waits while it is
/// full (nothing is dropped), so this bounds the facts in flight during a backlog; at 1024 a
/// 100 MB backlog queued up to a million facts ahead of the fold (TUI peak RSS 69 MB; 16: 53 MB;
/// 4: 38 MB, BENCHMARKS.md).
const CHANNEL: usize = 4;

/// Longest wait at exit for the action runner to finish (or audit as interrupted) the action
/// in flight: its grace plus a margin.
const RUNNER_DRAIN: std::time::Duration =
    lanetop::gateway::runner::SHUTDOWN_GRACE.saturating_add(std::time::Duration::from_secs(1));

fn main() -> Result<()> {
    lanetop::tune_allocator();
    let cli = Cli::parse();
    if let Some(Command::Watch(args)) = &cli.command {
        let code = runtime()?.block_on(lanetop::watch::cli_main(&cli.sources, args));
        std::process::exit(code);
    }
    let config_dir = paths::config_dir();
    let offset = chrono::Local::now().offset().local_minus_utc() / 60;
    let settings = or_exit(lanetop::config::settings::load(
        config_dir.as_deref(),
        offset,
    ));
    match &cli.command {
        Some(Command::Report(args)) => return report(&cli.sources, args, settings),
        Some(Command::Screenshot(args)) => return screenshot(&cli, args, settings),
        Some(Command::Watch(_)) => {}
        None => {}
    }
    let keymap = or_exit(Keymap::load(&cli.keymap, config_dir.as_deref()));
    if cli.print_keymap {
        emit(&keymap.print_table(), false);
        return Ok(());
    }
    let no_color = cli.no_color || paths::no_color_env();
    let theme = or_exit(Theme::load(&cli.theme, config_dir.as_deref(), no_color));
    runtime()?.block_on(tui(&cli, theme, keymap, settings))
}

/// The async runtime of the TUI and `watch` (terminal events, timers, the gateway client).
/// `report` and `screenshot` read synchronously and start none: no worker threads, ~4 MB less
/// resident (BENCHMARKS.md).
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("starting the async runtime")
}

/// A configuration error is the user's to fix: print it plainly (file:line: message), exit 2.
fn or_exit<T>(r: Result<T, lanetop::config::ConfigError>) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("lanetop: {e}");
        std::process::exit(2)
    })
}

/// Find the sources; when nothing is found the error says what was looked for and how to
/// point lanetop at it (exit code 1).
/// This is the user's to fix, not a crash: a plain message on stderr, no backtrace.
fn discover(opts: &DiscoverOptions) -> Result<Discovery> {
    lanetop::ingest::discover::discover(opts).or_else(|e| {
        eprintln!("lanetop: {e}");
        std::process::exit(1)
    })
}

/// `lanetop report`: read every source once, fold, print (JSON schema in the README).
fn report(
    sources: &SourceArgs,
    args: &ReportArgs,
    settings: lanetop::domain::detect::DetectConfig,
) -> Result<()> {
    color_eyre::install()?;
    let format = match args.format() {
        ReportFormat::Json => lanetop::report::Format::Json,
        ReportFormat::Markdown => lanetop::report::Format::Markdown,
    };
    if let Some(spec) = &args.since {
        // `--since` (lanetop watch's digest): spend and alerts at or after that time.
        use lanetop::watch::digest;
        let since = digest::parse_since(spec).unwrap_or_else(|e| {
            eprintln!("lanetop: {e}");
            std::process::exit(1)
        });
        let discovery = discover(&sources.discover_options())?;
        let model = digest::read_since(&discovery, &settings, since).since;
        let out = lanetop::report::render(&model, format);
        let json = args.format() == ReportFormat::Json;
        emit(&digest::mark_since(out, json, since), true);
        if args.check {
            std::process::exit(args.check_code(&model.alerts));
        }
        return Ok(());
    }
    let model = read_once(sources, settings, Scrollback::None)?;
    write_out(|out| {
        lanetop::report::write(&model, format, out)?;
        out.write_all(b"\n")
    });
    let code = if args.check {
        args.check_code(&model.alerts)
    } else {
        0
    };
    // The model can be tens of MB of small allocations: the process ends here, so it is not
    // freed piece by piece.
    std::mem::forget(model);
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}

/// Write to stdout through a buffer with `write`, then flush. A closed pipe (`lanetop report |
/// head`) ends the process quietly with status 0, as `cat` does; other write errors exit 1 with
/// the cause.
fn write_out(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let res = write(&mut out).and_then(|()| out.flush());
    match res {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("lanetop: writing to stdout: {e}");
            std::process::exit(1)
        }
    }
}

/// Print `text` (and a newline when `newline`) to stdout ([`write_out`]'s error handling).
fn emit(text: &str, newline: bool) {
    write_out(|out| {
        out.write_all(text.as_bytes())?;
        out.write_all(if newline { b"\n" } else { b"" })
    });
}

/// Whether [`read_once`] keeps the newest log lines for a Logs view.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scrollback {
    /// The default log buffer ([`lanetop::domain::LogBuffer`]): `screenshot` renders it.
    Keep,
    /// No line kept, and only notable lines' text parsed (`report` prints counts, warnings
    /// and events, never lines).
    None,
}

/// Read every source once and fold it into a model (the same path `report` takes). The model
/// clock is the newest fact time, so ages are stable for a given set of files.
fn read_once(
    sources: &SourceArgs,
    settings: lanetop::domain::detect::DetectConfig,
    scrollback: Scrollback,
) -> Result<Model> {
    let discovery = discover(&sources.discover_options())?;
    // The cached refreshed table only (a local file): `report` never fetches.
    let prices = lanetop::prices::refresh::startup_book(
        &settings.prices,
        lanetop::prices::refresh::cache_dir().as_deref(),
    );
    let mut model = Model {
        detect_config: settings,
        prices,
        ..Model::default()
    };
    let mut opts = lanetop::ingest::OnceOptions::default();
    if scrollback == Scrollback::None {
        model.logs.cap = 0;
        opts.messages = lanetop::ingest::log::Messages::Notable;
    }
    let mut fold = lanetop::update::BacklogFold::default();
    lanetop::ingest::collect_once_with(&discovery, &opts, &mut |facts| {
        fold.fold(&mut model, facts)
    });
    fold.finish(&mut model);
    Ok(model)
}

/// `lanetop screenshot --out DIR`: every view as `<view>.svg`, rendered from the real pipeline.
fn screenshot(
    cli: &Cli,
    args: &ScreenshotArgs,
    settings: lanetop::domain::detect::DetectConfig,
) -> Result<()> {
    color_eyre::install()?;
    let model = read_once(&cli.sources, settings, Scrollback::Keep)?;
    let config_dir = paths::config_dir();
    let keymap = or_exit(Keymap::load(&cli.keymap, config_dir.as_deref()));
    let theme = or_exit(Theme::load(&cli.theme, config_dir.as_deref(), cli.no_color));
    std::fs::create_dir_all(&args.out)
        .wrap_err_with(|| format!("creating {}", args.out.display()))?;
    for (name, svg) in
        lanetop::screenshot::render_all(&model, &theme, &keymap, args.cols, args.rows)
    {
        let path = args.out.join(format!("{name}.svg"));
        std::fs::write(&path, svg).wrap_err_with(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// Route lanetop's own tracing into the tui-logger pane (`LANETOP_LOG` sets the filter).
/// `tui_logger::init_logger` is not called: its mover thread wakes every 10 ms (a third of the
/// idle CPU budget); [`App::draw`] moves the events instead.
fn init_tracing() {
    tui_logger::set_default_level(tui_logger::LevelFilter::Trace);
    let filter = tracing_subscriber::EnvFilter::try_from_env("LANETOP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tui_logger::TuiTracingSubscriberLayer)
        .try_init();
}

/// color-eyre, plus a panic hook that restores the terminal before the report is printed.
fn install_hooks() -> Result<()> {
    color_eyre::install()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        lanetop::terminal::restore();
        previous(info);
    }));
    Ok(())
}

/// A fresh directory for `--demo` under the temp dir.
fn demo_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("lanetop-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn activity(d: &Discovery, demo: Option<&Path>) -> String {
    let what = format!(
        "following {} log(s), {} agent(s)",
        d.logs.len(),
        d.agents.len()
    );
    match demo {
        Some(dir) => format!("demo in {} · {what}", dir.display()),
        None => what,
    }
}

fn config_dir_opt() -> Option<PathBuf> {
    paths::config_dir()
}

/// `read_only = true` in `<config dir>/lanetop.toml`.
fn config_read_only(dir: Option<&Path>) -> bool {
    dir.map(|d| d.join(lanetop::config::settings::FILE))
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("read_only").and_then(toml::Value::as_bool))
        .unwrap_or(false)
}

type Started = (
    Option<lanetop::gateway::live::LiveHandle>,
    Option<tokio::sync::mpsc::UnboundedSender<lanetop::gateway::runner::Request>>,
    Option<tokio::task::JoinHandle<()>>,
);

/// Start the live RPC link and the action runner (the device key is made on first use): the
/// same start as `lanetop watch` ([`lanetop::watch::link::start`]).
fn start_gateway(
    cli: &Cli,
    discovery: &Discovery,
    read_only: bool,
    connect: bool,
    tx: tokio::sync::mpsc::Sender<Msg>,
) -> Started {
    let opts = lanetop::watch::link::GatewayOptions {
        url: cli.gateway_url.clone(),
        token: cli.token.clone(),
        connect,
        read_only,
    };
    let s = lanetop::watch::link::start(discovery, &opts, tx);
    (s.live, Some(s.effects), Some(s.runner))
}

async fn tui(
    cli: &Cli,
    theme: Theme,
    keymap: Keymap,
    settings: lanetop::domain::detect::DetectConfig,
) -> Result<()> {
    install_hooks()?;
    init_tracing();
    if let Some(path) = &cli.stats_file {
        lanetop::stats::enable(path.clone());
    }
    if !std::io::stdout().is_terminal() {
        return Err(eyre!(
            "stdout is not a terminal; use `lanetop report` for non-interactive output"
        ));
    }
    let mut opts = cli.sources.discover_options();
    let (demo, demo_path) = if cli.demo {
        let dir = demo_dir()?;
        let handle = lanetop::demo::start(&dir, lanetop::demo::DemoOptions::default())
            .wrap_err("starting the demo simulator")?;
        opts.state_dir = Some(dir.join("state"));
        opts.logs = vec![dir.join("logs")];
        (Some(handle), Some(dir))
    } else {
        (None, None)
    };
    let discovery = discover(&opts)?;
    tracing::info!(state_dir = ?discovery.state_dir, logs = discovery.logs.len(), "discovered sources");
    let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL);
    let _ingest = lanetop::ingest::spawn(&discovery, tx.clone());
    let read_only = cli.read_only || config_read_only(config_dir_opt().as_deref());
    let prices = lanetop::prices::refresh::startup_book(
        &settings.prices,
        lanetop::prices::refresh::cache_dir().as_deref(),
    );
    let _prices_refresh = lanetop::prices::refresh::spawn(
        &settings.prices,
        lanetop::prices::refresh::cache_dir(),
        tx.clone(),
    );
    let (live, effects, _runner) = start_gateway(
        cli,
        &discovery,
        read_only,
        !(cli.no_gateway || cli.demo),
        tx,
    );
    // Push alerts as `lanetop watch` sends them, when lanetop.toml has [[watch.targets]].
    let push = match lanetop::watch::config::load(config_dir_opt().as_deref()) {
        Ok(cfg) => lanetop::watch::tui::PushHandle::start(&cfg),
        Err(e) => {
            tracing::warn!("push alerts off: {e}");
            None
        }
    };
    let ui = UiState {
        push,
        read_only,
        prune_idle_hours: cli.prune_idle_hours,
        activity: activity(&discovery, demo_path.as_deref()),
        ..UiState::default()
    };
    let mut app = App {
        model: Model {
            detect_config: settings,
            prices,
            ..Model::default()
        },
        ui,
        theme,
        keymap,
        effects,
    };
    let mut terminal = ratatui::try_init().wrap_err("initialising the terminal")?;
    // crossterm's EventStream panics without a TTY: only read keys when stdin is one.
    let events = std::io::stdin()
        .is_terminal()
        .then(crossterm::event::EventStream::new);
    let mut suspend =
        lanetop::terminal::suspend::<ratatui::prelude::CrosstermBackend<std::io::Stdout>>;
    let result =
        app::run_suspendable(&mut terminal, &mut app, rx, events, Some(&mut suspend)).await;
    lanetop::terminal::restore();
    // Not dropped: after a hangup ratatui's Drop would `eprintln!` a failure to show the cursor
    // on the dead terminal, which panics (and aborts in the panic hook). restore() above has
    // already shown the cursor; the process ends right after.
    std::mem::forget(terminal);
    // Close the effect channel: the runner lets the action in flight finish (up to its
    // SHUTDOWN_GRACE) or audits it as interrupted, audits queued ones as not sent, and ends.
    drop(app.effects.take());
    if let Some(task) = _runner {
        let _ = tokio::time::timeout(RUNNER_DRAIN, task).await;
    }
    drop(_ingest);
    drop(live);
    // The demo's files are ours (a temp dir): stop the simulator, then remove them.
    if let (Some(handle), Some(dir)) = (demo, demo_path) {
        handle.stop();
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}
