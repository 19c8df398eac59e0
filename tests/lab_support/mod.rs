//! The real OpenClaw gateway from `../shared/openclaw/lab` for the live tests (`live_actions`,
//! `live_guard`, `live_prune`): `lab/run.sh` started in its own process group with the fake
//! LLM, the `openclaw` CLI against it (`gateway call <method> --params … --json`), and the
//! fake provider's control file. Needs `OCLAB_PREFIX` (default `/tmp/oclab`) prepared by
//! `lab/setup.sh`.

#![allow(dead_code)] // each live test uses a part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The lab's gateway token (`lab/run.sh` configures the gateway with it).
pub const TOKEN: &str = "lab-dummy-token-0123456789abcdef";

/// `OCLAB_PREFIX`, or `/tmp/oclab`.
pub fn prefix() -> PathBuf {
    std::env::var_os("OCLAB_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/oclab"))
}

/// [`prefix`], checked to hold the lab's openclaw (panics with the setup command otherwise).
pub fn installed_prefix() -> PathBuf {
    let prefix = prefix();
    assert!(
        prefix.join("oc/node_modules/.bin/openclaw").exists(),
        "openclaw not installed under {}: run ../shared/openclaw/lab/setup.sh",
        prefix.display()
    );
    prefix
}

/// A temp dir named `<name>-…` and its `run` subdirectory (where `lab/run.sh` works).
pub fn run_dir(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{name}-"))
        .tempdir()
        .expect("tempdir");
    let run = tmp.path().join("run");
    (tmp, run)
}

/// A running lab (scenario `idle`); dropping it stops `run.sh`, which stops the gateway and the
/// fake LLM it started.
pub struct Lab {
    pub prefix: PathBuf,
    pub run: PathBuf,
    child: Child,
}

impl Lab {
    /// `openclaw <args>` against the lab (its home, token, Node 24); the JSON document it prints
    /// (possibly after log lines). Panics with the output when there is none.
    pub fn oc(&self, args: &[&str]) -> Value {
        let out = Command::new(self.prefix.join("oc/node_modules/.bin/openclaw"))
            .args(args)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    self.prefix.join("node24/node_modules/node/bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("HOME", self.run.join("home"))
            .env("OPENCLAW_HOME", self.run.join("home"))
            .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .env("OPENCLAW_NO_AUTO_UPDATE", "1")
            .env("DO_NOT_TRACK", "1")
            .stderr(Stdio::null())
            .output()
            .expect("run openclaw");
        let text = String::from_utf8_lossy(&out.stdout);
        let start = text.find('{').unwrap_or(0);
        serde_json::from_str(&text[start..])
            .unwrap_or_else(|e| panic!("openclaw {args:?}: {e}: {text}"))
    }

    /// `openclaw gateway call <method> --params <params> --json`.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.oc(&[
            "gateway",
            "call",
            method,
            "--params",
            &params.to_string(),
            "--json",
        ])
    }

    /// Write the fake LLM's control file (e.g. `{"hang": true}`).
    pub fn control(&self, v: Value) {
        std::fs::write(self.run.join("fake_control.json"), v.to_string()).expect("control");
    }

    /// `sessions.list` (up to 200 rows).
    pub fn sessions(&self) -> Vec<Value> {
        self.call("sessions.list", json!({"limit": 200}))["sessions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The `sessions.list` row of `key`.
    pub fn session(&self, key: &str) -> Option<Value> {
        self.sessions().into_iter().find(|s| s["key"] == key)
    }

    /// `enabled` of cron job `id` in `cron.list` (disabled jobs included).
    pub fn job_enabled(&self, id: &str) -> Option<bool> {
        self.call("cron.list", json!({"includeDisabled": true}))["jobs"]
            .as_array()?
            .iter()
            .find(|j| j["id"] == id)?["enabled"]
            .as_bool()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // run.sh leads its own process group (setsid): TERM it; its EXIT trap stops the
        // gateway and the fake LLM it started.
        let pid = self.child.id() as i32;
        unsafe {
            libc::kill(-pid, libc::SIGTERM);
        }
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(90) {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

/// Start `lab/run.sh` (scenario `idle`, 30 min) in `run` on the given gateway and fake-LLM
/// ports, with `env` added (e.g. `HEARTBEAT_EVERY`), and wait (at most 240 s) until its event
/// log says `gateway ready`.
pub fn start_lab(
    prefix: &Path,
    run: &Path,
    gw_port: &str,
    llm_port: &str,
    env: &[(&str, &str)],
) -> Lab {
    let mut cmd = Command::new("setsid");
    cmd.arg("bash")
        .arg(crate::common::openclaw("lab/run.sh"))
        .env("OCLAB_PREFIX", prefix)
        .env("RUN_DIR", run)
        .env("OUT_DIR", run.join("artifacts"))
        .env("SCENARIO", "idle")
        .env("DURATION_MIN", "30")
        .env("GW_PORT", gw_port)
        .env("FAKE_LLM_PORT", llm_port);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lab/run.sh");
    let lab = Lab {
        prefix: prefix.to_path_buf(),
        run: run.to_path_buf(),
        child,
    };
    wait_for("the lab gateway ready", 240, || {
        std::fs::read_to_string(run.join("logs/scenario-events.log"))
            .unwrap_or_default()
            .contains("gateway ready")
    });
    lab
}

/// Poll `f` every 500 ms until it holds; panic naming `what` after `secs`.
pub fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}
