//! The tslog file-log record envelope of the OpenClaw 2026.9.6 gateway, and the demo clock.
//!
//! Shape (copied from `captured/logs/openclaw.log`, see `OBSERVED.md` §2), key order as written:
//! `{"0":<bindings JSON string>,"1":<meta object | text>,"2":<text>,"_meta":{runtime,
//! runtimeVersion,hostname,date,logLevelId,logLevelName,name,parentNames[,path]},"time":<local
//! ISO with offset>,"hostname","message","session_id"?,"agent_id"?,"traceId"?,"spanId"?,
//! "parentSpanId"?,"traceFlags"?}`. Root-logger records (console-forwarded errors) put the text
//! in `"0"` and have `_meta.name:"openclaw"` with no `parentNames`.

use chrono::{Local, TimeZone, Utc};

use super::json::J;

/// Maps simulated time (ms, 0 = the moment the demo started) to wall-clock epoch ms.
///
/// The backlog (simulated time < 0) is laid out 1:1 before the start; live time (≥ 0) is
/// compressed by `speed` (simulated seconds per real second), so records are stamped with the
/// real time at which they are written.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Wall-clock epoch ms at simulated time 0.
    pub anchor_ms: i64,
    /// Simulated seconds per real second (> 0).
    pub speed: f64,
}

impl Clock {
    /// Wall-clock epoch ms of simulated time `sim_ms`.
    pub fn wall_ms(&self, sim_ms: i64) -> i64 {
        if sim_ms <= 0 {
            self.anchor_ms + sim_ms
        } else {
            self.anchor_ms + (sim_ms as f64 / self.speed.max(1e-6)) as i64
        }
    }
}

/// `2026-11-22T01:49:47.131Z` (tslog `_meta.date`).
pub fn iso_utc(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

/// `2026-11-22T01:49:47.131+00:00` (host-local time with offset, the record's `time`).
pub fn iso_local(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        None => iso_utc(ms),
    }
}

/// Host-local date `YYYY-MM-DD` (the rolling log file name uses the local date).
pub fn local_date(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => "1970-01-01".to_owned(),
    }
}

/// `Sun 2026-11-22 02:32 UTC`, the envelope OpenClaw puts in front of user prompts.
pub fn prompt_stamp(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%a %Y-%m-%d %H:%M UTC").to_string(),
        None => "Thu 1970-01-01 00:00 UTC".to_owned(),
    }
}

/// tslog level (`_meta.logLevelId` / `logLevelName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn id(self) -> i64 {
        match self {
            Level::Debug => 2,
            Level::Info => 3,
            Level::Warn => 4,
            Level::Error => 5,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// The logger that wrote a record (its tslog bindings, `"0"` / `_meta.name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `createSubsystemLogger(name)`: `{"subsystem":"<name>"}`.
    Subsystem(&'static str),
    /// The cron service child logger: `{"module":"cron","storeKey":"<state>/cron/jobs.json"}`.
    Cron(String),
    /// The root logger (console-forwarded text): `"0"` is the text, `_meta.name` is `openclaw`.
    Root,
}

impl Binding {
    fn json(&self) -> Option<String> {
        match self {
            Binding::Subsystem(s) => Some(J::obj().with("subsystem", J::s(s)).compact()),
            Binding::Cron(key) => Some(
                J::obj()
                    .with("module", J::s("cron"))
                    .with("storeKey", J::s(key))
                    .compact(),
            ),
            Binding::Root => None,
        }
    }
}

/// Trace correlation ids (`traceId` 32 hex, `spanId` 16 hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
}

/// One file-log record before rendering.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub level: Level,
    pub binding: Binding,
    /// Structured meta (`"1"` object); `None` for string-only calls.
    pub meta: Option<J>,
    /// The message text (`"1"` or `"2"`, and the top-level `message`).
    pub text: String,
    pub session_id: Option<String>,
    pub agent_id: Option<String>,
    pub trace: Option<Trace>,
}

impl LogRecord {
    /// A string-only record.
    pub fn text(level: Level, binding: Binding, text: impl Into<String>) -> Self {
        LogRecord {
            level,
            binding,
            meta: None,
            text: text.into(),
            session_id: None,
            agent_id: None,
            trace: None,
        }
    }

    /// A structured record (`"1"` meta object, `"2"` text).
    pub fn meta(level: Level, binding: Binding, meta: J, text: impl Into<String>) -> Self {
        LogRecord {
            meta: Some(meta),
            ..LogRecord::text(level, binding, text)
        }
    }

    /// Builder: set the top-level `session_id`.
    pub fn session(mut self, id: &str) -> Self {
        self.session_id = Some(id.to_owned());
        self
    }

    /// Builder: set the top-level `agent_id`.
    pub fn agent(mut self, id: &str) -> Self {
        self.agent_id = Some(id.to_owned());
        self
    }

    /// Builder: set the trace ids.
    pub fn traced(mut self, trace: Option<&Trace>) -> Self {
        self.trace = trace.cloned();
        self
    }

    /// Render one JSONL line (no newline) stamped at `wall_ms` on host `hostname`.
    pub fn render(&self, wall_ms: i64, hostname: &str) -> String {
        let binding = self.binding.json();
        let mut rec = J::obj();
        match (&binding, &self.meta) {
            (Some(b), Some(meta)) => {
                rec.set("0", J::s(b));
                rec.set("1", meta.clone());
                rec.set("2", J::s(&self.text));
            }
            (Some(b), None) => {
                rec.set("0", J::s(b));
                rec.set("1", J::s(&self.text));
            }
            (None, _) => rec.set("0", J::s(&self.text)),
        }
        let mut meta = J::obj()
            .with("runtime", J::s("node"))
            .with("runtimeVersion", J::s("24.21.0"))
            .with("hostname", J::s(hostname))
            .with("date", J::s(&iso_utc(wall_ms)))
            .with("logLevelId", J::n(self.level.id()))
            .with("logLevelName", J::s(self.level.name()));
        match &binding {
            Some(b) => {
                meta.set("name", J::s(b));
                meta.set("parentNames", J::Arr(vec![J::s("openclaw")]));
            }
            None => meta.set("name", J::s("openclaw")),
        }
        if let Some(path) = self.path_frame() {
            meta.set("path", path);
        }
        rec.set("_meta", meta);
        rec.set("time", J::s(&iso_local(wall_ms)));
        rec.set("hostname", J::s(hostname));
        rec.set("message", J::s(&self.text));
        if let Some(s) = &self.session_id {
            rec.set("session_id", J::s(s));
        }
        if let Some(a) = &self.agent_id {
            rec.set("agent_id", J::s(a));
        }
        if let Some(t) = &self.trace {
            rec.set("traceId", J::s(&t.trace_id));
            rec.set("spanId", J::s(&t.span_id));
            if let Some(p) = &t.parent_span_id {
                rec.set("parentSpanId", J::s(p));
            }
            rec.set("traceFlags", J::s("01"));
        }
        rec.compact()
    }

    /// `_meta.path`: present on ERROR records, root-logger records and cron-logger records in
    /// the captured log.
    fn path_frame(&self) -> Option<J> {
        let (file, line, col, method) = match (&self.binding, self.level) {
            (Binding::Root, _) => (
                "console-DwqfhE-H.mjs",
                184,
                29,
                "console.forwardedConsoleCall [as error]",
            ),
            (Binding::Cron(_), Level::Debug) => ("logger--ALOusOG.mjs", 891, 30, "Object.debug"),
            (Binding::Cron(_), Level::Info) => ("logger--ALOusOG.mjs", 892, 29, "Object.info"),
            (Binding::Cron(_), _) => ("logger--ALOusOG.mjs", 893, 29, "Object.warn"),
            (_, Level::Error) => ("subsystem-DleLyu58.mjs", 228, 61, "logToFile"),
            _ => return None,
        };
        let dir = "/usr/local/lib/openclaw/node_modules/openclaw/dist";
        Some(
            J::obj()
                .with(
                    "fullFilePath",
                    J::s(&format!("file://{dir}/{file}:{line}:{col}")),
                )
                .with("fileName", J::s(file))
                .with("fileNameWithLine", J::s(&format!("{file}:{line}")))
                .with("fileColumn", J::s(&col.to_string()))
                .with("fileLine", J::s(&line.to_string()))
                .with("filePath", J::s(&format!("{dir}/{file}")))
                .with("filePathWithLine", J::s(&format!("{dir}/{file}:{line}")))
                .with("method", J::s(method)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_matches_captured_shape() {
        let rec = LogRecord::text(
            Level::Warn,
            Binding::Subsystem("diagnostic"),
            "lane wait exceeded: lane=main waitedMs=1",
        )
        .session("s1");
        let line = rec.render(1_795_312_186_364, "demo-gw");
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["0"], r#"{"subsystem":"diagnostic"}"#);
        assert_eq!(v["_meta"]["logLevelId"], 4);
        assert_eq!(v["_meta"]["date"], "2026-11-22T01:49:46.364Z");
        assert_eq!(v["session_id"], "s1");
        assert!(line.starts_with(r#"{"0":"#));
    }

    #[test]
    fn clock_backlog_is_one_to_one_and_live_is_compressed() {
        let c = Clock {
            anchor_ms: 1_000_000,
            speed: 60.0,
        };
        assert_eq!(c.wall_ms(-60_000), 940_000);
        assert_eq!(c.wall_ms(60_000), 1_001_000);
    }
}
