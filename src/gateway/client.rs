//! WebSocket RPC client, protocol 4 (accepts 3): `connect.challenge` → signed `connect` →
//! `hello-ok`, then `req`/`res` matched by id (responses may arrive out of order) and `event`
//! frames forwarded to a channel. FORMATS.md §5, FORMATS-LEGACY.md §6.
//!
//! Frames that are not JSON objects are skipped (counted in the log at debug level), never fatal.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

use super::auth::{Auth, Target};
use super::error::RpcError;
use super::frame::{Frame, decode_frame, hello_from};
use super::identity::{DeviceIdentity, SignParams, signing_payload};

/// `client.id` sent in `connect` (from the closed enum; 2026.3.28+).
pub const CLIENT_ID: &str = "openclaw-tui";
/// `client.mode`.
pub const CLIENT_MODE: &str = "ui";
/// Role requested.
pub const ROLE: &str = "operator";

/// Scopes requested: `operator.read` only when read-only, else read + write + admin (sorted).
pub fn scopes_for(read_only: bool) -> Vec<String> {
    if read_only {
        vec!["operator.read".into()]
    } else {
        vec![
            "operator.admin".into(),
            "operator.read".into(),
            "operator.write".into(),
        ]
    }
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub target: Target,
    pub identity: Arc<DeviceIdentity>,
    /// Only `operator.read` is requested when true.
    pub read_only: bool,
    /// Budget for TCP + WS upgrade + challenge + hello.
    pub connect_timeout: Duration,
}

/// The `hello-ok` payload, reduced to what lanetop uses.
#[derive(Debug, Clone, Default)]
pub struct Hello {
    pub protocol: u64,
    pub server_version: Option<String>,
    /// `features.methods`.
    pub methods: Vec<String>,
    /// `auth.scopes` granted.
    pub scopes: Vec<String>,
}

/// A server-pushed `event` frame.
#[derive(Debug, Clone)]
pub struct Event {
    pub event: String,
    pub payload: Value,
}

/// Requests waiting for their answer: id → (method, where the answer goes).
type Pending = Arc<Mutex<HashMap<String, (String, oneshot::Sender<Result<Value, RpcError>>)>>>;

/// What the reader task saw go wrong: why the link ended, and frames it had to skip.
#[derive(Debug, Default)]
struct Trouble {
    /// Why the socket closed (`None` while open).
    close_cause: Option<String>,
    /// Frames that were not JSON objects (text or binary), skipped.
    bad_frames: u64,
}

/// A connected client. Cheap to share behind an `Arc`; dropping it closes the socket.
pub struct Client {
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    next_id: AtomicU64,
    closed: Arc<AtomicBool>,
    trouble: Arc<std::sync::Mutex<Trouble>>,
    pub hello: Hello,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("hello", &self.hello)
            .finish()
    }
}

/// The decoded frame of a text message; `None` for other messages and for text that is not a
/// JSON object (see [`decode_frame`]).
fn parse_frame(msg: &Message) -> Option<Frame> {
    match msg {
        Message::Text(t) => decode_frame(t.as_str()).ok(),
        _ => None,
    }
}

/// The `connect` request params for a challenge nonce.
pub fn connect_params(opts: &ClientOptions, nonce: &str, signed_at_ms: i64) -> Value {
    let scopes = scopes_for(opts.read_only);
    let id = &opts.identity;
    let payload = signing_payload(&SignParams {
        device_id: &id.device_id,
        client_id: CLIENT_ID,
        client_mode: CLIENT_MODE,
        role: ROLE,
        scopes: &scopes,
        signed_at_ms,
        token: opts.target.auth.token_for_signature(),
        nonce,
    });
    let auth = match &opts.target.auth {
        Auth::None => json!({}),
        Auth::Token(t) => json!({"token": t.expose()}),
        Auth::Password(p) => json!({"password": p.expose()}),
    };
    json!({
        "minProtocol": 3, "maxProtocol": 4,
        "client": {"id": CLIENT_ID, "version": env!("CARGO_PKG_VERSION"),
                   "platform": std::env::consts::OS, "mode": CLIENT_MODE},
        "role": ROLE, "scopes": scopes, "caps": [],
        "auth": auth,
        "userAgent": concat!("lanetop/", env!("CARGO_PKG_VERSION")),
        "device": {"id": id.device_id, "publicKey": id.public_key_b64,
                   "signature": id.sign(&payload), "signedAt": signed_at_ms, "nonce": nonce},
    })
}

impl Client {
    /// Connect and complete the handshake. Events after `hello-ok` go to the returned receiver.
    pub async fn connect(
        opts: &ClientOptions,
    ) -> Result<(Client, mpsc::Receiver<Event>), RpcError> {
        tokio::time::timeout(opts.connect_timeout, Self::connect_inner(opts))
            .await
            .map_err(|_| RpcError::Timeout {
                method: "connect".into(),
                ms: opts.connect_timeout.as_millis() as u64,
            })?
    }

    async fn connect_inner(
        opts: &ClientOptions,
    ) -> Result<(Client, mpsc::Receiver<Event>), RpcError> {
        let (ws, _) = tokio_tungstenite::connect_async(opts.target.url.as_str())
            .await
            .map_err(|e| RpcError::Transport(e.to_string()))?;
        let (mut sink, mut stream) = ws.split();
        // 1. wait for the challenge
        let nonce = loop {
            let msg = stream
                .next()
                .await
                .ok_or(RpcError::Closed)?
                .map_err(|e| RpcError::Transport(e.to_string()))?;
            let Some(Frame::Event(ev)) = parse_frame(&msg) else {
                continue;
            };
            if ev.event == "connect.challenge" {
                match ev.payload.pointer("/nonce").and_then(Value::as_str) {
                    Some(n) => break n.to_string(),
                    None => return Err(RpcError::Protocol("challenge without nonce".into())),
                }
            }
        };
        // 2. connect
        let now = chrono::Utc::now().timestamp_millis();
        let req = json!({"type":"req","id":"0","method":"connect",
                         "params": connect_params(opts, &nonce, now)});
        sink.send(Message::text(req.to_string()))
            .await
            .map_err(|e| RpcError::Transport(e.to_string()))?;
        // 3. hello-ok (or an error response)
        let hello = loop {
            let msg = stream
                .next()
                .await
                .ok_or(RpcError::Closed)?
                .map_err(|e| RpcError::Transport(e.to_string()))?;
            if let Some(Frame::Response { id, result }) = parse_frame(&msg)
                && id == "0"
            {
                break hello_from(&result?);
            }
        };
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (ev_tx, ev_rx) = mpsc::channel::<Event>(256);
        let pending: Pending = Arc::default();
        let closed = Arc::new(AtomicBool::new(false));
        let trouble: Arc<std::sync::Mutex<Trouble>> = Arc::default();
        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let (p2, c2, t2) = (pending.clone(), closed.clone(), trouble.clone());
        tokio::spawn(async move {
            let mut garbage = 0u64;
            let how = loop {
                let msg = match stream.next().await {
                    Some(Ok(Message::Close(_))) => break "closed by the gateway".to_string(),
                    Some(Ok(m)) => m,
                    Some(Err(e)) => break format!("lost: {e}"),
                    None => break "lost (socket closed)".to_string(),
                };
                let Some(frame) = parse_frame(&msg) else {
                    if matches!(msg, Message::Text(_) | Message::Binary(_)) {
                        garbage += 1;
                        if let Ok(mut t) = t2.lock() {
                            t.bad_frames = garbage;
                        }
                        tracing::debug!(garbage, "gateway: skipped a frame that is not JSON");
                    }
                    continue;
                };
                match frame {
                    Frame::Response { id, result } => {
                        if let Some((_, tx)) = p2.lock().await.remove(&id) {
                            let _ = tx.send(result);
                        }
                    }
                    Frame::Event(ev) => {
                        let _ = ev_tx.try_send(ev);
                    }
                    Frame::Other { .. } => {}
                }
            };
            let mut pending = p2.lock().await;
            let mut methods: Vec<&str> = pending.values().map(|(m, _)| m.as_str()).collect();
            methods.sort_unstable();
            methods.dedup();
            let cause = if methods.is_empty() {
                format!("connection {how}")
            } else {
                format!("connection lost mid-call ({})", methods.join(", "))
            };
            if let Ok(mut t) = t2.lock() {
                t.close_cause = Some(cause);
            }
            c2.store(true, Ordering::SeqCst);
            for (_, (method, tx)) in pending.drain() {
                let _ = tx.send(Err(RpcError::LostMidCall { method }));
            }
        });
        Ok((
            Client {
                out,
                pending,
                next_id: AtomicU64::new(1),
                closed,
                trouble,
                hello,
            },
            ev_rx,
        ))
    }

    /// True once the socket closed (every later call fails with [`RpcError::Closed`]).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst) || self.out.is_closed()
    }

    /// Why the socket closed (`connection lost mid-call (sessions.abort)`, `connection closed
    /// by the gateway`, `connection lost: …`); `None` while it is open.
    pub fn close_cause(&self) -> Option<String> {
        self.trouble.lock().ok()?.close_cause.clone()
    }

    /// Frames received since connect that were not JSON objects (skipped, never fatal).
    pub fn bad_frames(&self) -> u64 {
        self.trouble.lock().map_or(0, |t| t.bad_frames)
    }

    /// True when the hello listed `method` (or listed no methods at all).
    pub fn has_method(&self, method: &str) -> bool {
        self.hello.methods.is_empty() || self.hello.methods.iter().any(|m| m == method)
    }

    /// One request; waits at most `timeout` for its response.
    pub async fn call(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, RpcError> {
        if self.is_closed() {
            return Err(RpcError::Closed);
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst).to_string();
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .await
            .insert(id.clone(), (method.to_string(), tx));
        if self.is_closed() {
            // The reader ended between the check above and the insert: it will not answer.
            self.pending.lock().await.remove(&id);
            return Err(RpcError::Closed);
        }
        let frame = json!({"type":"req","id":id,"method":method,"params":params});
        if self.out.send(Message::text(frame.to_string())).is_err() {
            self.pending.lock().await.remove(&id);
            return Err(RpcError::Closed);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(RpcError::LostMidCall {
                method: method.into(),
            }),
            Err(_) => {
                self.pending.lock().await.remove(&id);
                Err(RpcError::Timeout {
                    method: method.into(),
                    ms: timeout.as_millis() as u64,
                })
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.out.send(Message::Close(None));
    }
}
