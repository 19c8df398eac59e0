//! The live link: connect with backoff, publish the client for the [`super::runner::Runner`],
//! subscribe to `sessions.changed`, poll `sessions.list`, `cron.list` and `health` (and re-poll on `sessions.changed` / `cron`
//! events), and turn it all into facts (`GatewayLink`, `LiveSessions`, `LiveCron`,
//! `LiveHealth`, origin [`SourceKind::Gateway`]). When the gateway is down nothing blocks: the
//! files keep the model going and the status bar says `rpc ✗ …: showing files`.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::client::{Client, ClientOptions};
use super::runner::Link;
use crate::fact::{Fact, FactKind, GatewayLink, LiveCronJob, LiveSessionRow, Origin, SourceKind};
use crate::msg::Msg;

/// Poll period for the live reads.
pub const POLL: Duration = Duration::from_secs(2);
/// Reconnect backoff: first and longest wait.
pub const BACKOFF_MIN: Duration = Duration::from_millis(500);
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Budget for one read RPC.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The running link task. Dropping it stops the task (and closes the socket).
#[derive(Debug)]
pub struct LiveHandle {
    /// The current client (None while disconnected), for the runner.
    pub link: Link,
    task: JoinHandle<()>,
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn fact(url: &str, method: &str, kind: FactKind) -> Fact {
    Fact {
        at: Utc::now(),
        origin: Origin::row(SourceKind::Gateway, url.into(), "rpc", method),
        kind,
    }
}

/// `sessions.list` payload → rows (`{sessions:[{key, sessionId, hasActiveRun, activeRunIds}]}`).
pub fn session_rows(v: &Value) -> Vec<LiveSessionRow> {
    let Some(arr) = v.get("sessions").and_then(Value::as_array) else {
        return Vec::new();
    };
    arr.iter()
        .filter_map(|r| {
            let runs: Vec<String> = r
                .get("activeRunIds")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            Some(LiveSessionRow {
                key: r.get("key")?.as_str()?.to_string(),
                session_id: r.get("sessionId").and_then(Value::as_str).map(String::from),
                has_active_run: r
                    .get("hasActiveRun")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    || !runs.is_empty(),
                active_run_ids: runs,
            })
        })
        .collect()
}

/// `cron.list` payload → jobs (`{jobs:[{id, name, enabled}]}`).
pub fn cron_jobs(v: &Value) -> Vec<LiveCronJob> {
    let Some(arr) = v.get("jobs").and_then(Value::as_array) else {
        return Vec::new();
    };
    arr.iter()
        .filter_map(|j| {
            Some(LiveCronJob {
                id: j.get("id")?.as_str()?.to_string(),
                name: j.get("name").and_then(Value::as_str).map(String::from),
                enabled: j.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            })
        })
        .collect()
}

/// One round of reads; `Err` when the link broke, else what went wrong on a link that is still
/// up (`rpc timeout: health (10000 ms)`, `bad frame: 2 skipped`), `None` for a clean round.
/// `bad_seen` is the client's bad-frame count after the previous round.
async fn poll(
    client: &Client,
    url: &str,
    tx: &mpsc::Sender<Msg>,
    bad_seen: &mut u64,
) -> Result<Option<String>, ()> {
    let mut facts = Vec::new();
    let mut trouble: Vec<String> = Vec::new();
    let calls: [(&str, Value); 3] = [
        ("sessions.list", json!({"limit": 500})),
        ("cron.list", json!({"includeDisabled": true, "limit": 200})),
        ("health", json!({})),
    ];
    for (method, params) in calls {
        if !client.has_method(method) {
            continue;
        }
        match client.call(method, params, READ_TIMEOUT).await {
            Ok(v) => facts.push(fact(
                url,
                method,
                match method {
                    "sessions.list" => FactKind::LiveSessions {
                        rows: session_rows(&v),
                    },
                    "cron.list" => FactKind::LiveCron {
                        jobs: cron_jobs(&v),
                    },
                    _ => FactKind::LiveHealth {
                        ok: v.get("ok").and_then(Value::as_bool).unwrap_or(false),
                    },
                },
            )),
            Err(
                super::RpcError::Closed
                | super::RpcError::LostMidCall { .. }
                | super::RpcError::Transport(_),
            ) => return Err(()),
            Err(super::RpcError::Timeout { method, ms }) => {
                tracing::info!("gateway {method}: no answer within {ms} ms");
                trouble.push(format!("rpc timeout: {method} ({ms} ms)"));
            }
            Err(e) => tracing::debug!("gateway {method}: {e}"),
        }
    }
    let bad = client.bad_frames();
    if bad > *bad_seen {
        trouble.push(format!("bad frame: {} skipped", bad - *bad_seen));
        *bad_seen = bad;
    }
    if !facts.is_empty() && tx.send(Msg::Facts(facts)).await.is_err() {
        return Err(());
    }
    Ok((!trouble.is_empty()).then(|| trouble.join(", ")))
}

/// Start the link task.
pub fn spawn(opts: ClientOptions, tx: mpsc::Sender<Msg>) -> LiveHandle {
    let (link_tx, link) = watch::channel::<Option<Arc<Client>>>(None);
    let task = tokio::spawn(run(opts, tx, link_tx));
    LiveHandle { link, task }
}

async fn run(opts: ClientOptions, tx: mpsc::Sender<Msg>, link: watch::Sender<Option<Arc<Client>>>) {
    let url = opts.target.url.clone();
    let mut backoff = BACKOFF_MIN;
    let mut last_error = String::new();
    // Why the last connection ended, until a reconnect succeeds.
    let mut lost: Option<String> = None;
    loop {
        match Client::connect(&opts).await {
            Ok((client, mut events)) => {
                backoff = BACKOFF_MIN;
                last_error.clear();
                let client = Arc::new(client);
                tracing::info!(url = %url, version = ?client.hello.server_version, "gateway rpc connected");
                let up = GatewayLink::Up {
                    url: url.clone(),
                    version: client.hello.server_version.clone(),
                    protocol: client.hello.protocol,
                    scopes: client.hello.scopes.clone(),
                };
                if tx
                    .send(Msg::Facts(vec![fact(
                        &url,
                        "connect",
                        FactKind::GatewayLink(up),
                    )]))
                    .await
                    .is_err()
                {
                    return;
                }
                link.send_replace(Some(client.clone()));
                // Ask for `sessions.changed` pushes (FORMATS.md §5); the 2 s poll stays as the
                // safety net, so a gateway without the method (≤ 2026.5) works the same.
                if client.has_method("sessions.subscribe")
                    && let Err(e) = client
                        .call("sessions.subscribe", serde_json::json!({}), READ_TIMEOUT)
                        .await
                {
                    tracing::debug!("sessions.subscribe: {e}");
                }
                let mut tick = tokio::time::interval(POLL);
                let (mut bad_seen, mut trouble) = (0u64, None::<String>);
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        ev = events.recv() => match ev {
                            Some(e) if e.event == "sessions.changed" || e.event == "cron" => {}
                            Some(_) => continue,
                            None => {}
                        },
                    }
                    if client.is_closed() {
                        break;
                    }
                    let Ok(now) = poll(&client, &url, &tx, &mut bad_seen).await else {
                        break;
                    };
                    if now != trouble {
                        trouble = now;
                        let t = GatewayLink::Trouble {
                            url: url.clone(),
                            cause: trouble.clone(),
                        };
                        if tx
                            .send(Msg::Facts(vec![fact(
                                &url,
                                "poll",
                                FactKind::GatewayLink(t),
                            )]))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                link.send_replace(None);
                let cause = client
                    .close_cause()
                    .unwrap_or_else(|| "connection closed".into());
                tracing::warn!(url = %url, "gateway rpc: {cause}");
                lost = Some(cause.clone());
                last_error = cause;
            }
            Err(e) => {
                let msg = match &lost {
                    // Keep why the link went down in view while reconnecting fails.
                    Some(cause) => format!("{cause} · reconnecting: {e}"),
                    None => e.to_string(),
                };
                if msg != last_error {
                    tracing::info!(url = %url, "gateway rpc unavailable: {msg}");
                }
                last_error = msg;
            }
        }
        let down = GatewayLink::Down {
            url: url.clone(),
            error: last_error.clone(),
        };
        if tx
            .send(Msg::Facts(vec![fact(
                &url,
                "connect",
                FactKind::GatewayLink(down),
            )]))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
