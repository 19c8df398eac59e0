//! The headless loop of `lanetop watch` (see the module doc of [`super`]).

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::config::WatchConfig;
use super::deliver::{DeliverOptions, Notifier};
use super::digest::{self, DigestEvent};
use super::incidents::{Incidents, Policy};
use super::link::{self, GatewayOptions};
use super::message::Push;
use super::{Clock, EXIT_NOTHING, EXIT_STOPPED, FLUSH, TickHook};
use crate::domain::Model;
use crate::domain::detect::DetectConfig;
use crate::ingest::discover::{DiscoverOptions, Discovery};
use crate::msg::Msg;

/// Capacity of the ingest → loop channel (messages, each a batch of up to
/// [`crate::ingest::BATCH`] facts). Small on purpose: the ingest thread waits while it is
/// full (nothing is dropped), so this bounds the facts in flight during a backlog; at 1024 a
/// 100 MB backlog queued up to a million facts ahead of the fold (TUI peak RSS 69 MB; 16: 53 MB;
/// 4: 38 MB, BENCHMARKS.md).
const CHANNEL: usize = 4;
/// Most ingest messages folded per wake-up.
const BATCH: usize = 512;

/// Everything `lanetop watch` needs to start.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    pub discover: DiscoverOptions,
    pub gateway: GatewayOptions,
    pub clock: Clock,
    /// Where `lanetop.toml` is (`None`: defaults only).
    pub config_dir: Option<PathBuf>,
    /// The host's UTC offset in minutes (used unless `lanetop.toml` sets one).
    pub utc_offset_min: i32,
    /// Delivery tuning (timeouts, retries).
    pub deliver: DeliverOptions,
}

/// Read `lanetop.toml` (detector settings and `[watch]`); `Err` is a message for the log.
pub fn load_config(opts: &WatchOptions) -> Result<(DetectConfig, WatchConfig), String> {
    let dir = opts.config_dir.as_deref();
    let detect =
        crate::config::settings::load(dir, opts.utc_offset_min).map_err(|e| e.to_string())?;
    let watch = super::config::load(dir)?;
    Ok((detect, watch))
}

fn start_notifier(cfg: &WatchConfig, opts: &WatchOptions) -> Notifier {
    let mut n = Notifier::start(&cfg.targets, cfg.queue, opts.deliver);
    if let Some(d) = &cfg.digest {
        n.digest_severity = d.min_severity;
    }
    for t in &cfg.targets {
        tracing::info!(
            "push target {} ({}, min severity {})",
            t.label(),
            t.kind.name(),
            t.min_severity.name()
        );
    }
    n
}

/// Run until SIGTERM/SIGINT; returns the exit code ([`EXIT_STOPPED`], or [`EXIT_NOTHING`] when
/// there is nothing to watch or `lanetop.toml` is bad). Logging must already be set up
/// ([`super::log::init`]). `hooks` run on every settled tick ([`TickHook`]).
pub async fn run(opts: WatchOptions, mut hooks: Vec<Box<dyn TickHook>>) -> i32 {
    let (detect, mut cfg) = match load_config(&opts) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("bad configuration: {e}");
            eprintln!("lanetop watch: {e}");
            return EXIT_NOTHING;
        }
    };
    let discovery: Discovery = match crate::ingest::discover::discover(&opts.discover) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!("nothing to watch: {e}");
            eprintln!("lanetop watch: {e}");
            return EXIT_NOTHING;
        }
    };
    tracing::info!(
        state_dir = ?discovery.state_dir,
        logs = discovery.logs.len(),
        clock = ?opts.clock,
        targets = cfg.targets.len(),
        "lanetop watch started (pid {})",
        std::process::id()
    );
    let (tx, mut rx) = mpsc::channel(CHANNEL);
    let ingest = crate::ingest::spawn(&discovery, tx.clone());
    // Prices: the bundled table, the cached refreshed one, and the refresh task when configured.
    let cache = crate::prices::refresh::cache_dir();
    let prices = crate::prices::refresh::startup_book(&detect.prices, cache.as_deref());
    let _prices_refresh = crate::prices::refresh::spawn(&detect.prices, cache, tx.clone());
    let gw = link::start(&discovery, &opts.gateway, tx);
    let mut model = Model {
        detect_config: detect,
        prices,
        ..Model::default()
    };
    let mut notifier = start_notifier(&cfg, &opts);
    let mut incidents = Incidents::new(Policy::minutes(
        cfg.repeat_minutes,
        cfg.resolve_grace_minutes,
    ));
    let mut schedule = digest::Schedule::load();
    let mut events: Vec<DigestEvent> = Vec::new();

    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut sigterm), Ok(mut sighup), Ok(mut sigint)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return EXIT_NOTHING;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut buf: Vec<Msg> = Vec::with_capacity(BATCH);
    let (mut settle, mut facts_since_tick, mut is_settled) =
        (super::Settle::default(), 0usize, false);
    let mut rx_open = true;
    loop {
        tokio::select! {
            n = rx.recv_many(&mut buf, BATCH), if rx_open => {
                if n == 0 {
                    rx_open = false;
                    tracing::info!("ingest stopped");
                }
                for m in buf.drain(..) {
                    match m {
                        Msg::ActionDone(o) => {
                            tracing::info!(action = o.action, target = %o.target, ok = o.ok, "{}", o.summary);
                            notifier.push(&Push::Action {
                                action: o.action.to_string(),
                                target: o.target.clone(),
                                ok: o.ok,
                                summary: o.summary.clone(),
                            });
                        }
                        Msg::Facts(f) => {
                            facts_since_tick += f.len();
                            crate::update::update(&mut model, Msg::Facts(f));
                        }
                        m => {
                            crate::update::update(&mut model, m);
                        }
                    }
                }
            }
            _ = tick.tick() => {
                if opts.clock == Clock::Wall {
                    crate::update::update(&mut model, Msg::Tick(Utc::now()));
                }
                if settle.tick(!rx.is_empty(), facts_since_tick) && !is_settled {
                    is_settled = true;
                    tracing::info!(
                        alerts = model.alerts.len(),
                        "ingest caught up (model clock {:?}); pushing from now on",
                        model.now
                    );
                }
                facts_since_tick = 0;
                let Some(now) = model.now.filter(|_| is_settled) else { continue };
                let floor = notifier.floor();
                let firing: Vec<_> = model.alerts.iter().filter(|a| a.severity >= floor).cloned().collect();
                for i in incidents.step(&firing, now) {
                    events.push(DigestEvent::of(&i, now));
                    notifier.push(&Push::Incident(i));
                }
                for h in &mut hooks {
                    for e in h.on_tick(&model, now) {
                        tracing::info!(action = e.effect.action(), target = %e.effect.target(), by = %e.by.name(), "hook effect");
                        if gw.effects.send(e).is_err() {
                            tracing::error!("action runner stopped; effect dropped");
                        }
                    }
                }
                if let Some(d) = cfg.digest.clone()
                    && let Some(since) = schedule.due(now, d.hour, model.detect_config.utc_offset_min)
                {
                    let push = digest::build(&discovery, &model, since, now, &events);
                    notifier.push(&push);
                    events.clear();
                    if let Err(e) = schedule.mark(now) {
                        tracing::warn!("digest: cannot record the last digest time: {e}");
                    }
                }
            }
            _ = sighup.recv() => {
                match load_config(&opts) {
                    Ok((detect, new)) => {
                        tracing::info!(targets = new.targets.len(), "SIGHUP: lanetop.toml reloaded");
                        model.detect_config = detect;
                        crate::update::refresh_alerts(&mut model);
                        if new.targets != cfg.targets || new.queue != cfg.queue || new.digest != cfg.digest {
                            let old = std::mem::replace(&mut notifier, start_notifier(&new, &opts));
                            tokio::spawn(old.shutdown(FLUSH));
                        }
                        incidents.policy = Policy::minutes(new.repeat_minutes, new.resolve_grace_minutes);
                        cfg = new;
                    }
                    Err(e) => tracing::error!("SIGHUP: lanetop.toml not reloaded, keeping the old settings: {e}"),
                }
            }
            _ = sigterm.recv() => { tracing::info!("SIGTERM: stopping"); break; }
            _ = sigint.recv() => { tracing::info!("SIGINT: stopping"); break; }
        }
    }
    drop(ingest);
    drop(gw.live);
    drop(gw.effects);
    notifier.shutdown(FLUSH).await;
    tracing::info!("lanetop watch stopped");
    EXIT_STOPPED
}
