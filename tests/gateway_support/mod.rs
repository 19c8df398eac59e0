//! A protocol-faithful fake OpenClaw gateway (FORMATS.md §5) on 127.0.0.1 with a random port:
//! `connect.challenge` with a nonce, `connect` checked like the real server (device id =
//! sha256(raw public key), Ed25519 signature over the v2 string, nonce, signedAt skew, token),
//! scopes enforced per method (`FORBIDDEN` + `MISSING_SCOPE` details), `session-changed` on an
//! `expectedSessionId` mismatch, methods that never answer (timeouts), methods on which the
//! connection is dropped mid-call (a killed gateway) and garbage frames.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// What the fake does.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub token: String,
    pub version: String,
    /// `features.methods` in the hello.
    pub methods: Vec<String>,
    /// Methods that never answer.
    pub hang: HashSet<String>,
    /// Methods on which the gateway "dies" mid-call: the request is read, then the socket is
    /// dropped without an answer or a close frame (like a killed process).
    pub drop_on: HashSet<String>,
    /// Send non-JSON frames before the challenge and before every response.
    pub garbage: bool,
    /// Current session id per key.
    pub sessions: HashMap<String, String>,
    /// Cron job id → enabled.
    pub cron: HashMap<String, bool>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            token: "fake-token-123".into(),
            version: "2026.9.6".into(),
            methods: [
                "sessions.list",
                "sessions.abort",
                "chat.abort",
                "sessions.reset",
                "sessions.delete",
                "sessions.patch",
                "sessions.cleanup",
                "cron.list",
                "cron.update",
                "health",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            hang: HashSet::new(),
            drop_on: HashSet::new(),
            garbage: false,
            sessions: [
                ("agent:main:main".to_string(), "sid-main-1".to_string()),
                ("agent:ops:cron:job-1".to_string(), "sid-ops-1".to_string()),
            ]
            .into_iter()
            .collect(),
            cron: [("job-1".to_string(), true)].into_iter().collect(),
        }
    }
}

/// Everything the fake saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// (method, params) of every request after `connect`.
    pub requests: Vec<(String, Value)>,
    /// Connect attempts and whether the device signature verified.
    pub connects: Vec<ConnectSeen>,
}

#[derive(Debug, Clone)]
pub struct ConnectSeen {
    pub signature_ok: bool,
    pub scopes: Vec<String>,
    pub client_id: String,
    pub raw: Value,
}

/// A running fake.
pub struct Fake {
    pub url: String,
    pub seen: Arc<Mutex<Seen>>,
    pub state: Arc<Mutex<FakeConfig>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Fake {
    /// Stop accepting connections (existing ones end with the task).
    pub fn stop(&self) {
        self.task.abort();
    }
    /// Requests seen for one method.
    pub fn calls(&self, method: &str) -> Vec<Value> {
        let seen = self.seen.lock().expect("lock");
        seen.requests
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, p)| p.clone())
            .collect()
    }
}

/// Start a fake gateway.
pub async fn start(cfg: FakeConfig) -> Fake {
    start_on(cfg, "127.0.0.1:0").await
}

/// Start a fake gateway on `addr` (e.g. the address of one that was stopped: a restart).
pub async fn start_on(cfg: FakeConfig, addr: &str) -> Fake {
    let listener = TcpListener::bind(addr).await.expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = Arc::new(Mutex::new(cfg));
    let (s2, st2) = (seen.clone(), state.clone());
    let task = tokio::spawn(async move {
        // A JoinSet aborts every connection when the accept task is aborted (Drop).
        let mut conns = tokio::task::JoinSet::new();
        while let Ok((tcp, _)) = listener.accept().await {
            let (s3, st3) = (s2.clone(), st2.clone());
            conns.spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    serve(ws, s3, st3).await;
                }
            });
        }
    });
    Fake {
        url,
        seen,
        state,
        task,
    }
}

fn required_scope(method: &str) -> &'static str {
    match method {
        "sessions.list" | "cron.list" | "health" | "logs.tail" => "operator.read",
        "sessions.abort" | "chat.abort" => "operator.write",
        _ => "operator.admin",
    }
}

fn has_scope(granted: &[String], need: &str) -> bool {
    granted.iter().any(|g| g == need)
        || (granted.iter().any(|g| g == "operator.admin") && need.starts_with("operator."))
        || (need == "operator.read" && granted.iter().any(|g| g == "operator.write"))
}

fn err(id: &Value, code: &str, message: &str, details: Value) -> Value {
    json!({"type":"res","id":id,"ok":false,"error":{"code":code,"message":message,"details":details}})
}

fn verify_connect(p: &Value, nonce: &str, token: &str) -> bool {
    let dev = &p["device"];
    let Some(pk) = dev["publicKey"].as_str() else {
        return false;
    };
    let Ok(raw) = URL_SAFE_NO_PAD.decode(pk) else {
        return false;
    };
    let id: String = Sha256::digest(&raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if dev["id"].as_str() != Some(id.as_str()) || dev["nonce"].as_str() != Some(nonce) {
        return false;
    }
    let Some(signed_at) = dev["signedAt"].as_i64() else {
        return false;
    };
    if (chrono::Utc::now().timestamp_millis() - signed_at).abs() > 120_000 {
        return false;
    }
    let scopes: Vec<&str> = p["scopes"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let payload = format!(
        "v2|{id}|{}|{}|{}|{}|{signed_at}|{token}|{nonce}",
        p["client"]["id"].as_str().unwrap_or(""),
        p["client"]["mode"].as_str().unwrap_or(""),
        p["role"].as_str().unwrap_or(""),
        scopes.join(",")
    );
    let Ok(raw32) = <[u8; 32]>::try_from(raw.as_slice()) else {
        return false;
    };
    let Ok(vk) = VerifyingKey::from_bytes(&raw32) else {
        return false;
    };
    let Some(sig) = dev["signature"]
        .as_str()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
    else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&sig) else {
        return false;
    };
    vk.verify(payload.as_bytes(), &sig).is_ok()
}

async fn serve(
    ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    seen: Arc<Mutex<Seen>>,
    state: Arc<Mutex<FakeConfig>>,
) {
    let (mut tx, mut rx) = ws.split();
    let cfg = state.lock().expect("lock").clone();
    if cfg.garbage {
        let _ = tx.send(Message::text("this is not json {")).await;
        let _ = tx.send(Message::binary(vec![0u8, 159, 146, 150])).await;
        let _ = tx.send(Message::text("[1,2,3]")).await;
    }
    let nonce = format!(
        "n-{}",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    );
    let challenge = json!({"type":"event","event":"connect.challenge",
        "payload":{"nonce":nonce,"ts":chrono::Utc::now().timestamp_millis()}});
    if tx.send(Message::text(challenge.to_string())).await.is_err() {
        return;
    }
    let mut granted: Vec<String> = Vec::new();
    let mut connected = false;
    while let Some(Ok(msg)) = rx.next().await {
        let Message::Text(t) = msg else { continue };
        let Ok(v) = serde_json::from_str::<Value>(&t) else {
            continue;
        };
        let id = v["id"].clone();
        let method = v["method"].as_str().unwrap_or("").to_string();
        let params = v["params"].clone();
        if !connected {
            if method != "connect" {
                let _ = tx
                    .send(Message::text(
                        err(
                            &id,
                            "INVALID_REQUEST",
                            "first frame must be connect",
                            Value::Null,
                        )
                        .to_string(),
                    ))
                    .await;
                return;
            }
            let ok = verify_connect(&params, &nonce, &cfg.token);
            let scopes: Vec<String> = params["scopes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            seen.lock().expect("lock").connects.push(ConnectSeen {
                signature_ok: ok,
                scopes: scopes.clone(),
                client_id: params["client"]["id"].as_str().unwrap_or("").into(),
                raw: params.clone(),
            });
            if params["auth"]["token"].as_str() != Some(cfg.token.as_str()) {
                let _ = tx
                    .send(Message::text(
                        err(
                            &id,
                            "INVALID_REQUEST",
                            "unauthorized: gateway token mismatch",
                            json!({"code":"AUTH_TOKEN_MISMATCH"}),
                        )
                        .to_string(),
                    ))
                    .await;
                let _ = tx.send(Message::Close(None)).await;
                return;
            }
            if !ok {
                let _ = tx
                    .send(Message::text(
                        err(
                            &id,
                            "INVALID_REQUEST",
                            "device signature invalid",
                            json!({"reason":"device-signature"}),
                        )
                        .to_string(),
                    ))
                    .await;
                let _ = tx.send(Message::Close(None)).await;
                return;
            }
            granted = scopes;
            connected = true;
            let hello = json!({"type":"res","id":id,"ok":true,"payload":{
                "type":"hello-ok","protocol":4,"server":{"version":cfg.version,"connId":"c-1"},
                "features":{"methods":cfg.methods,"events":["tick","sessions.changed"]},
                "snapshot":{"presence":[],"health":{"ok":true}},
                "auth":{"role":"operator","scopes":granted},
                "policy":{"maxPayload":1048576,"maxBufferedBytes":1048576,"tickIntervalMs":15000}}});
            let _ = tx.send(Message::text(hello.to_string())).await;
            continue;
        }
        seen.lock()
            .expect("lock")
            .requests
            .push((method.clone(), params.clone()));
        if cfg.garbage {
            let _ = tx.send(Message::text("garbage between frames")).await;
            let _ = tx
                .send(Message::text(
                    json!({"type":"res","id":"no-such-id","ok":true}).to_string(),
                ))
                .await;
        }
        if cfg.hang.contains(&method) {
            continue;
        }
        if cfg.drop_on.contains(&method) {
            // Dropping both halves closes the TCP connection with no close frame.
            return;
        }
        let need = required_scope(&method);
        let reply = if !cfg.methods.contains(&method) {
            err(
                &id,
                "INVALID_REQUEST",
                &format!("unknown method: {method}"),
                Value::Null,
            )
        } else if !has_scope(&granted, need) {
            err(
                &id,
                "FORBIDDEN",
                &format!("missing scope: {need}"),
                json!({"code":"MISSING_SCOPE","missingScope":need,"requiredScopes":[need]}),
            )
        } else {
            answer(&id, &method, &params, &state)
        };
        if tx.send(Message::text(reply.to_string())).await.is_err() {
            return;
        }
    }
}

fn answer(id: &Value, method: &str, p: &Value, state: &Arc<Mutex<FakeConfig>>) -> Value {
    let mut st = state.lock().expect("lock");
    let ok = |payload: Value| json!({"type":"res","id":id,"ok":true,"payload":payload});
    let key = p["key"].as_str().unwrap_or("").to_string();
    let expected_mismatch = |st: &FakeConfig| {
        p.get("expectedSessionId")
            .and_then(Value::as_str)
            .is_some_and(|e| st.sessions.get(&key).map(String::as_str) != Some(e))
    };
    match method {
        "health" => ok(json!({"ok":true})),
        "sessions.list" => ok(json!({"sessions": st.sessions.iter().map(|(k, s)|
            json!({"key":k,"sessionId":s,"hasActiveRun":k=="agent:main:main","activeRunIds":["run-1"]})).collect::<Vec<_>>()})),
        "cron.list" => ok(
            json!({"jobs": st.cron.iter().map(|(k, e)| json!({"id":k,"name":k,"enabled":e})).collect::<Vec<_>>()}),
        ),
        "sessions.abort" | "chat.abort" => {
            ok(json!({"ok":true,"status":"aborted","abortedRunId":"run-1"}))
        }
        "sessions.reset" | "sessions.delete" | "sessions.patch" if expected_mismatch(&st) => err(
            id,
            "INVALID_REQUEST",
            &format!("Session {key} changed before reset. Retry."),
            json!({"reason":"session-changed"}),
        ),
        "sessions.reset" => {
            let new = format!("sid-new-{}", st.sessions.len());
            st.sessions.insert(key.clone(), new.clone());
            ok(json!({"ok":true,"key":key,"entry":{"sessionId":new}}))
        }
        "sessions.delete" => {
            st.sessions.remove(&key);
            ok(json!({"ok":true,"key":key,"deleted":true}))
        }
        "sessions.patch" => ok(json!({"ok":true,"key":key,"entry":{"modelOverride":p["model"]}})),
        // 2026.9.6 answers (observed on the lab gateway): counts, `missing` = bindings dropped
        // because their transcript is gone.
        "sessions.cleanup" => {
            let before = st.sessions.len();
            let agent = p["agent"].as_str().unwrap_or("main").to_string();
            let gone: Vec<String> = st
                .sessions
                .keys()
                .filter(|k| k.starts_with(&format!("agent:{agent}:")) && k.contains(":gone"))
                .cloned()
                .collect();
            for k in &gone {
                st.sessions.remove(k);
            }
            ok(
                json!({"agentId":agent,"mode":"enforce","dryRun":false,"beforeCount":before,
                      "afterCount":st.sessions.len(),"missing":gone.len(),"applied":true}),
            )
        }
        "cron.update" => {
            let jid = p["id"].as_str().unwrap_or("").to_string();
            let en = p["patch"]["enabled"].as_bool().unwrap_or(true);
            st.cron.insert(jid.clone(), en);
            ok(json!({"id":jid,"enabled":en}))
        }
        _ => err(id, "INVALID_REQUEST", "unhandled", Value::Null),
    }
}
