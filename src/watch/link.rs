//! The gateway side of `lanetop watch`: the live RPC link (when reachable) and the one action
//! runner ([`crate::gateway::runner`]), started the same way for the TUI (`src/main.rs`
//! `start_gateway`): same target resolution (`--gateway-url`, `--token`,
//! `OPENCLAW_GATEWAY_TOKEN`, `gateway.auth.token` of `openclaw.json`), same device identity,
//! same audit log (`<state dir>/audit.jsonl`), same offline legacy prune.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::fact::Generation;
use crate::gateway::runner::{self, Request};
use crate::gateway::{audit, auth, identity, live};
use crate::ingest::discover::Discovery;
use crate::msg::Msg;

/// How to reach the gateway.
#[derive(Debug, Clone, Default)]
pub struct GatewayOptions {
    /// `--gateway-url` (default `ws://127.0.0.1:<gateway.port>`).
    pub url: Option<String>,
    /// `--token` (never logged).
    pub token: Option<String>,
    /// False: files only (`--no-gateway`); every action is refused (and audited).
    pub connect: bool,
    /// Read-only: nothing is sent to the gateway and nothing is audited.
    pub read_only: bool,
}

/// The running link and runner. Dropping it stops the link; the runner task ends when the
/// effect sender is dropped.
pub struct Started {
    /// The live link (None when not connecting or no device identity).
    pub live: Option<live::LiveHandle>,
    /// Where effects go (the runner task runs them one at a time, audited; outcomes come
    /// back as [`Msg::ActionDone`]).
    pub effects: mpsc::UnboundedSender<Request>,
    /// The runner task.
    pub runner: JoinHandle<()>,
}

/// Start the live link (when `opts.connect`) and the runner; outcomes and live facts go to `tx`.
pub fn start(discovery: &Discovery, opts: &GatewayOptions, tx: mpsc::Sender<Msg>) -> Started {
    let target = auth::resolve(
        discovery.config_path.as_deref(),
        opts.url.as_deref(),
        opts.token.as_deref(),
    );
    let audit = audit::state_dir().map(|d| audit::AuditLog::in_dir(&d));
    let legacy_dir = (discovery.generation == Some(Generation::Legacy))
        .then(|| discovery.state_dir.clone())
        .flatten();
    let make_runner = |link| {
        let r = runner::Runner::new(opts.read_only, link, audit.clone());
        match &legacy_dir {
            Some(d) => r.with_offline(d.clone()),
            None => r,
        }
    };
    let offline = |tx| {
        let (_keep, link) = tokio::sync::watch::channel(None);
        let (effects, runner) = runner::spawn(make_runner(link), tx);
        Started {
            live: None,
            effects,
            runner,
        }
    };
    if !opts.connect {
        return offline(tx);
    }
    let identity = match identity::data_dir()
        .ok_or_else(|| "no data dir".to_string())
        .and_then(|d| identity::DeviceIdentity::load_or_create(&d).map_err(|e| e.to_string()))
    {
        Ok(i) => Arc::new(i),
        Err(e) => {
            tracing::warn!("gateway rpc disabled: device identity: {e}");
            return offline(tx);
        }
    };
    let copts = crate::gateway::ClientOptions {
        target,
        identity,
        read_only: opts.read_only,
        connect_timeout: Duration::from_secs(5),
    };
    let handle = live::spawn(copts, tx.clone());
    let (effects, runner) = runner::spawn(make_runner(handle.link.clone()), tx);
    Started {
        live: Some(handle),
        effects,
        runner,
    }
}
