//! Test support for `lanetop watch`: a tiny HTTP/1.1 receiver on 127.0.0.1 that records every
//! request (std `TcpListener`, one thread per connection), a server that accepts and never
//! answers, a port that refuses, and helpers to run the watch binary on copies of the
//! captures.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A recording receiver (answers `200 OK`), or a hanging one (reads, never answers).
pub struct Receiver {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Req>>>,
}

fn read_req(s: &mut TcpStream) -> Option<Req> {
    let mut r = BufReader::new(s.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Req {
        path,
        headers,
        body,
    })
}

impl Receiver {
    /// Records and answers 200 (keep-alive honoured: several requests per connection).
    pub fn start() -> Receiver {
        Self::spawn(false)
    }
    /// Accepts, reads the request, never answers (holds the socket open).
    pub fn hanging() -> Receiver {
        Self::spawn(true)
    }
    fn spawn(hang: bool) -> Receiver {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let got: Arc<Mutex<Vec<Req>>> = Arc::default();
        let g = got.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                let g = g.clone();
                std::thread::spawn(move || {
                    while let Some(req) = read_req(&mut s) {
                        g.lock().unwrap().push(req);
                        if hang {
                            std::thread::sleep(Duration::from_secs(3600));
                            return;
                        }
                        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        if s.write_all(ok).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Receiver { port, got }
    }
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
    pub fn all(&self) -> Vec<Req> {
        self.got.lock().unwrap().clone()
    }
    /// Wait until `pred(all)` holds (panics with the requests after `within`).
    pub fn wait_for(&self, within: Duration, what: &str, pred: impl Fn(&[Req]) -> bool) {
        let t = Instant::now();
        while t.elapsed() < within {
            if pred(&self.all()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let bodies: Vec<String> = self
            .all()
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect();
        panic!("timed out waiting for {what}; got {bodies:#?}");
    }
}

/// A 127.0.0.1 port nobody listens on (bound, then released).
pub fn refusing_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Copy a file or a tree.
pub fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// Where the shared captures are.
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/openclaw")
        .join(rel)
}

/// A scratch setup: config dir (lanetop.toml), lanetop state dir, and the watch log path.
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new(toml: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
        std::fs::create_dir_all(dir.path().join("lt-state")).unwrap();
        let s = Setup { dir };
        s.write_config(toml);
        s
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    pub fn write_config(&self, toml: &str) {
        std::fs::write(self.path("cfg/lanetop.toml"), toml).unwrap();
    }
    pub fn watch_log(&self) -> String {
        std::fs::read_to_string(self.path("watch.log")).unwrap_or_default()
    }
    /// A lanetop command with this setup's config and state dirs.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lanetop"));
        c.env("LANETOP_CONFIG_DIR", self.path("cfg"))
            .env("LANETOP_STATE_DIR", self.path("lt-state"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env_remove("OPENCLAW_GATEWAY_TOKEN")
            .args(args);
        c
    }
    /// `lanetop watch --clock facts --no-gateway --log-file <watch.log> --state-dir S --log L`.
    pub fn watch(&self, state: &Path, log: &Path) -> Child {
        let log_file = self.path("watch.log");
        self.cmd(&["watch", "--clock", "facts", "--no-gateway", "--log-file"])
            .arg(&log_file)
            .arg("--state-dir")
            .arg(state)
            .arg("--log")
            .arg(log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
    /// `lanetop report --json --state-dir S --log L [extra]` parsed.
    pub fn report(&self, state: &Path, log: &Path, extra: &[&str]) -> Value {
        let out = self
            .cmd(&["report", "--json", "--state-dir"])
            .arg(state)
            .arg("--log")
            .arg(log)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
    /// Wait for `needle` in the watch log.
    pub fn wait_log(&self, within: Duration, needle: &str) {
        let t = Instant::now();
        while t.elapsed() < within {
            if self.watch_log().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no `{needle}` in the watch log:\n{}", self.watch_log());
    }
}

/// Send a signal to the child.
pub fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

/// Wait for the child to exit within `within`; its exit code (panics on timeout, killing it).
pub fn wait_exit(child: &mut Child, within: Duration) -> Option<i32> {
    let t = Instant::now();
    while t.elapsed() < within {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("lanetop watch did not exit within {within:?}");
}

/// Kills the child on drop (a failed assertion never leaves a watch running).
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Append `n` copies of the file's last record, the i-th `step_min · (i+1)` minutes after it
/// (fields `time` and `_meta.date` rewritten): later, quiet facts that move the model clock.
pub fn append_later(file: &Path, n: usize, step_min: i64) {
    use std::io::Write;
    let text = std::fs::read_to_string(file).unwrap();
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    let rec: serde_json::Value = serde_json::from_str(last).unwrap();
    let t0 = chrono::DateTime::parse_from_rfc3339(rec["time"].as_str().unwrap()).unwrap();
    let mut out = String::new();
    for i in 0..n {
        let t = t0 + chrono::TimeDelta::minutes(step_min * (i as i64 + 1));
        let mut r = rec.clone();
        r["time"] = serde_json::Value::String(t.to_rfc3339());
        if r["_meta"].is_object() {
            r["_meta"]["date"] = serde_json::Value::String(t.to_utc().to_rfc3339());
        }
        out.push_str(&r.to_string());
        out.push('\n');
    }
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(out.as_bytes()).unwrap();
}
