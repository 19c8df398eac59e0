//! The JSON envelopes of a gateway log line, deserialised in one borrowed pass.
//!
//! - tslog file record (2026.3.x, 2026.5.x, 2026.9.x; FORMATS.md §1.2, FORMATS-LEGACY.md §5,
//!   OBSERVED.md §2): `"0"` = binding JSON string (`{"subsystem":…}`, `{"module":"cron",…}`) or,
//!   for the root logger, the first text argument; `"1"` = meta object or text; `"2"` = text;
//!   `_meta` = `{logLevelName, name, date, path, …}`; `time`; from 2026.5 also top-level
//!   `message`, `session_id`, `agent_id`.
//! - 3.x size-cap line and console JSON style: `{time, level, subsystem, message, …}`.
//!
//! Keys are visited in file order, so `_meta.name` is only decoded when `"0"` did not already
//! name the logger, and `_meta.path` (a large stack-frame object) is skipped unmaterialised.
//!
//! Two decoders build a [`Record`]: the fast scan (`scan.rs`, used first) and the serde visitor
//! (`record_de.rs`, for lines outside the scan's subset, and the reference the scan is checked
//! against by [`agrees`]).

use std::borrow::Cow;

use compact_str::CompactString;

use serde::Deserializer;

use super::meta::MetaFields;
use super::record_de::RecordVisitor;
use crate::fact::Level;

/// Who logged the record, from `"0"` or `_meta.name`.
#[derive(Debug, Default, PartialEq)]
pub enum Binding<'a> {
    /// No `"0"` key.
    #[default]
    Absent,
    /// `"0":""` (root logger, no text).
    Empty,
    /// `{"subsystem":"<name>"}`.
    Subsystem(CompactString),
    /// `{"module":"<name>",…}` (the cron logger).
    Module(CompactString),
    /// The root logger's first text argument.
    Text(Cow<'a, str>),
}

impl Binding<'_> {
    pub(super) fn names_logger(&self) -> bool {
        matches!(self, Binding::Subsystem(_) | Binding::Module(_))
    }
}

/// A positional argument `"1"` / `"2"`.
#[derive(Debug, Default)]
pub enum Arg<'a> {
    #[default]
    Absent,
    Text(Cow<'a, str>),
    Meta(Box<MetaFields<'a>>),
    /// A number, array, `null`, …: ignored.
    Other,
    /// A text argument the fast scan left undecoded because the record has a top-level
    /// `message`, which [`Record::take_text`] reads instead (`scan.rs`).
    Unread,
}

/// One decoded JSON log line, borrowing from the line.
#[derive(Debug, Default)]
pub struct Record<'a> {
    pub binding: Binding<'a>,
    pub arg1: Arg<'a>,
    pub arg2: Arg<'a>,
    /// `_meta.logLevelName`, else top-level `level` (console JSON / 3.x size-cap line).
    pub level: Option<Level>,
    /// `_meta.name` (only decoded when `"0"` did not name the logger).
    pub meta_name: Binding<'a>,
    pub meta_date: Option<Cow<'a, str>>,
    pub time: Option<Cow<'a, str>>,
    pub message: Option<Cow<'a, str>>,
    pub session_id: Option<Cow<'a, str>>,
    pub agent_id: Option<Cow<'a, str>>,
    /// Top-level `hostname` (2026.5+).
    pub hostname: Option<Cow<'a, str>>,
    /// Top-level `subsystem` (console JSON / 3.x size-cap line).
    pub subsystem: Option<Cow<'a, str>>,
    /// True when the line is a tslog record (has `_meta`).
    pub tslog: bool,
}

impl<'a> Record<'a> {
    /// Decode one line (already validated as UTF-8, so serde_json does not re-validate every
    /// string): the fast scan (`scan.rs`) when the line is in its subset, else serde. Errors
    /// are serde_json's (bad JSON, not an object, trailing bytes).
    pub fn from_str(line: &'a str) -> Result<Self, serde_json::Error> {
        match super::scan::record(line) {
            Some(rec) => Ok(rec),
            None => Self::from_str_serde(line),
        }
    }

    /// Decode one line with the serde visitor only (`record_de.rs`): the reference the fast
    /// scan is checked against.
    pub fn from_str_serde(line: &'a str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(line);
        let rec = de.deserialize_map(RecordVisitor)?;
        de.end()?;
        Ok(rec)
    }

    /// Logger name, moved out of the record: subsystem, cron module, top-level `subsystem`, or
    /// `openclaw` for the root logger.
    pub fn take_subsystem(&mut self) -> CompactString {
        for b in [&mut self.binding, &mut self.meta_name] {
            if let Binding::Subsystem(s) | Binding::Module(s) = b {
                return std::mem::take(s);
            }
        }
        match self.subsystem.take() {
            Some(s) => CompactString::from(s),
            None => CompactString::const_new("openclaw"),
        }
    }

    /// The text: top-level `message`, else the numeric string arguments joined with a space
    /// (what OpenClaw's own `parseLogLine` does).
    pub fn take_text(&mut self) -> Cow<'a, str> {
        if let Some(m) = self.message.take() {
            return m;
        }
        let mut parts: Vec<Cow<'a, str>> = Vec::new();
        if let Binding::Text(t) = std::mem::take(&mut self.binding) {
            parts.push(t);
        }
        for a in [&mut self.arg1, &mut self.arg2] {
            if let Arg::Text(_) = a
                && let Arg::Text(t) = std::mem::take(a)
            {
                parts.push(t);
            }
        }
        match parts.len() {
            0 => Cow::Borrowed(""),
            1 => parts.pop().unwrap_or_default(),
            _ => Cow::Owned(parts.join(" ")),
        }
    }

    /// What the parser reads from a record, as text: logger, text, level, meta, times, ids,
    /// `tslog`. Two records with the same view give the same fact.
    fn view(mut self) -> String {
        let subsystem = self.take_subsystem();
        let text = self.take_text().into_owned();
        format!(
            "{subsystem:?} {text:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
            self.level,
            self.meta(),
            self.time,
            self.meta_date,
            self.session_id,
            self.agent_id,
            self.hostname,
            self.tslog
        )
    }

    /// The structured meta (`"1"` object), if any.
    pub fn meta(&self) -> Option<&MetaFields<'a>> {
        match &self.arg1 {
            Arg::Meta(m) => Some(m),
            _ => None,
        }
    }
}

/// Whether the fast scan and serde agree on `line`: the scan gives up, or serde accepts the
/// line too and its record reads the same ([`Record::view`]). Checked on every JSON line the
/// `log_lines` fuzz harness sees, and on the captured logs.
pub fn agrees(line: &str) -> bool {
    let Some(fast) = super::scan::record(line) else {
        return true;
    };
    match Record::from_str_serde(line) {
        Ok(slow) => fast.view() == slow.view(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_tslog_record_and_skips_path() {
        let line = r#"{"0":"{\"subsystem\":\"gateway\"}","1":{"errorName":"X","jobId":"j"},"2":"lane task error: lane=cron","_meta":{"path":{"a":[1,{"b":2}]},"name":"{\"subsystem\":\"gateway\"}","date":"2026-09-06T09:14:37.317Z","logLevelName":"ERROR"},"time":"2026-09-06T11:14:37.317+02:00","extra":[1,2]}"#;
        let mut r = Record::from_str(line).unwrap();
        assert_eq!(r.binding, Binding::Subsystem("gateway".into()));
        assert_eq!(
            r.meta_name,
            Binding::Absent,
            "name not decoded when \"0\" names the logger"
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.take_subsystem(), "gateway");
        assert_eq!(
            r.meta().and_then(|m| super::super::meta::s(&m.job_id)),
            Some("j")
        );
        assert_eq!(r.take_text(), "lane task error: lane=cron");
        assert!(matches!(r.time, Some(Cow::Borrowed(_))));
        // Meta of loggers without meta templates (`diagnostic` here) is skipped.
        let r = Record::from_str(
            r#"{"0":"{\"subsystem\":\"diagnostic\"}","1":{"errorName":"X"},"_meta":{}}"#,
        )
        .unwrap();
        assert!(r.meta().is_none());
    }

    #[test]
    fn root_logger_and_module_bindings() {
        let mut r = Record::from_str(
            r#"{"0":"Bind: loopback","_meta":{"name":"openclaw","logLevelName":"ERROR"}}"#,
        )
        .unwrap();
        assert_eq!(r.take_subsystem(), "openclaw");
        assert_eq!(r.take_text(), "Bind: loopback");
        let mut r = Record::from_str(
            r#"{"0":"{\"module\":\"cron\",\"storeKey\":\"/x\"}","1":"cron: started","_meta":{}}"#,
        )
        .unwrap();
        assert_eq!(r.take_subsystem(), "cron");
        let mut r =
            Record::from_str(r#"{"0":"{\"storeKey\":\"/x\",\"module\":\"cron\"}","_meta":{}}"#)
                .unwrap();
        assert_eq!(r.take_subsystem(), "cron");
    }

    #[test]
    fn console_json_envelope() {
        let mut r = Record::from_str(
            r#"{"time":"2026-05-24T09:10:07.000+02:00","level":"warn","subsystem":"logging","message":"log file size cap reached"}"#,
        )
        .unwrap();
        assert!(!r.tslog);
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.take_subsystem(), "logging");
        assert_eq!(r.take_text(), "log file size cap reached");
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(Record::from_str("{\"0\":").is_err());
        assert!(Record::from_str("[1,2]").is_err());
        assert!(Record::from_str("{} trailing").is_err());
    }
}
