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

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};

use super::events::META_SUBSYSTEMS;
use super::meta::MetaFields;
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
    Subsystem(String),
    /// `{"module":"<name>",…}` (the cron logger).
    Module(String),
    /// The root logger's first text argument.
    Text(Cow<'a, str>),
}

impl Binding<'_> {
    fn names_logger(&self) -> bool {
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
    /// Top-level `subsystem` (console JSON / 3.x size-cap line).
    pub subsystem: Option<Cow<'a, str>>,
    /// True when the line is a tslog record (has `_meta`).
    pub tslog: bool,
}

impl<'a> Record<'a> {
    /// Decode one line (already validated as UTF-8, so serde_json does not re-validate every
    /// string). Errors are serde_json's (bad JSON, not an object, trailing bytes).
    pub fn from_str(line: &'a str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(line);
        let rec = de.deserialize_map(RecordVisitor)?;
        de.end()?;
        Ok(rec)
    }

    /// Logger name, moved out of the record: subsystem, cron module, top-level `subsystem`, or
    /// `openclaw` for the root logger.
    pub fn take_subsystem(&mut self) -> String {
        for b in [&mut self.binding, &mut self.meta_name] {
            if let Binding::Subsystem(s) | Binding::Module(s) = b {
                return std::mem::take(s);
            }
        }
        match self.subsystem.take() {
            Some(s) => s.into_owned(),
            None => "openclaw".to_owned(),
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

    /// The structured meta (`"1"` object), if any.
    pub fn meta(&self) -> Option<&MetaFields<'a>> {
        match &self.arg1 {
            Arg::Meta(m) => Some(m),
            _ => None,
        }
    }
}

enum Key {
    A0,
    A1,
    A2,
    Meta,
    Time,
    Message,
    SessionId,
    AgentId,
    Level,
    Subsystem,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "0" => Key::A0,
                    "1" => Key::A1,
                    "2" => Key::A2,
                    "_meta" => Key::Meta,
                    "time" => Key::Time,
                    "message" => Key::Message,
                    "session_id" => Key::SessionId,
                    "agent_id" => Key::AgentId,
                    "level" => Key::Level,
                    "subsystem" => Key::Subsystem,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A string borrowed from the line when it has no escapes; `None` for non-strings.
struct Str<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Str(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The logger named by a binding JSON string (`{"subsystem":"x"}`, `{"module":"cron",…}`),
/// `Empty` for `""`, or `None` when the string is text (root logger).
fn binding_name(s: &str) -> Option<Binding<'static>> {
    if s.is_empty() {
        return Some(Binding::Empty);
    }
    if !s.starts_with('{') {
        return None;
    }
    for (prefix, module) in [(r#"{"subsystem":""#, false), (r#"{"module":""#, true)] {
        if let Some(rest) = s.strip_prefix(prefix)
            && let Some(end) = rest.find(['"', '\\'])
            && rest.as_bytes()[end] == b'"'
        {
            let name = rest[..end].to_owned();
            return Some(if module { Binding::Module(name) } else { Binding::Subsystem(name) });
        }
    }
    #[derive(Deserialize)]
    struct Obj {
        subsystem: Option<String>,
        module: Option<String>,
    }
    match serde_json::from_str::<Obj>(s) {
        Ok(Obj { subsystem: Some(n), .. }) => Some(Binding::Subsystem(n)),
        Ok(Obj { module: Some(n), .. }) => Some(Binding::Module(n)),
        _ => None,
    }
}

/// Decodes `"0"` / `_meta.name` straight from serde's buffer: the binding string is always
/// escaped (`{\"subsystem\":…}`), and only the logger name is copied out.
struct BindingSeed;

impl<'de> DeserializeSeed<'de> for BindingSeed {
    type Value = Binding<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BindingSeed {
    type Value = Binding<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a binding string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(binding_name(v).unwrap_or(Binding::Text(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(binding_name(v).unwrap_or_else(|| Binding::Text(Cow::Owned(v.to_owned()))))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Binding::Absent)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Binding::Absent)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Binding::Absent)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Binding::Absent)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Binding::Absent)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Binding::Absent)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Binding::Absent)
    }
}

fn level_of(s: &str) -> Option<Level> {
    Some(match s {
        "SILLY" | "TRACE" | "silly" | "trace" => Level::Trace,
        "DEBUG" | "debug" => Level::Debug,
        "INFO" | "info" => Level::Info,
        "WARN" | "warn" | "WARNING" | "warning" => Level::Warn,
        "ERROR" | "error" => Level::Error,
        "FATAL" | "fatal" => Level::Fatal,
        _ => return None,
    })
}

struct ArgVisitor {
    want_meta: bool,
}

impl<'de> Visitor<'de> for ArgVisitor {
    type Value = Arg<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a log argument")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Arg::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Arg::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Arg::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Arg::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Arg::Other)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Arg::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Arg::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Arg::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if !self.want_meta {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Arg::Other);
        }
        Ok(Arg::Meta(Box::new(MetaFields::deserialize(MapAccessDeserializer::new(map))?)))
    }
}

/// `_meta`, decoding `name` only when asked.
struct MetaSeed {
    need_name: bool,
}

#[derive(Default)]
struct MetaOut<'a> {
    level: Option<Level>,
    name: Binding<'a>,
    date: Option<Cow<'a, str>>,
}

impl<'de> DeserializeSeed<'de> for MetaSeed {
    type Value = MetaOut<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetaSeed {
    type Value = MetaOut<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the _meta object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = MetaOut::default();
        while let Some(k) = map.next_key::<Str<'de>>()? {
            match k.0.as_deref() {
                Some("logLevelName") => out.level = map.next_value::<Str>()?.0.as_deref().and_then(level_of),
                Some("date") => out.date = map.next_value::<Str>()?.0,
                Some("name") if self.need_name => {
                    out.name = map.next_value_seed(BindingSeed)?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(MetaOut::default())
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON log record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut r = Record::default();
        let mut top_level = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::A0 => r.binding = map.next_value_seed(BindingSeed)?,
                Key::A1 => r.arg1 = map.next_value_seed(ArgSeed { want_meta: wants_meta(&r.binding) })?,
                Key::A2 => r.arg2 = map.next_value_seed(ArgSeed { want_meta: false })?,
                Key::Meta => {
                    let m = map.next_value_seed(MetaSeed { need_name: !r.binding.names_logger() })?;
                    r.tslog = true;
                    r.level = m.level.or(r.level);
                    r.meta_name = m.name;
                    r.meta_date = m.date;
                }
                Key::Time => r.time = map.next_value::<Str>()?.0,
                Key::Message => r.message = map.next_value::<Str>()?.0,
                Key::SessionId => r.session_id = map.next_value::<Str>()?.0,
                Key::AgentId => r.agent_id = map.next_value::<Str>()?.0,
                Key::Level => top_level = map.next_value::<Str>()?.0.as_deref().and_then(level_of),
                Key::Subsystem => r.subsystem = map.next_value::<Str>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if r.level.is_none() {
            r.level = top_level;
        }
        Ok(r)
    }
}

/// Whether a `"1"` meta object is decoded: only for loggers whose templates read meta
/// ([`META_SUBSYSTEMS`], the cron module), or when the logger is not known yet. Other meta
/// objects are skipped unmaterialised.
fn wants_meta(b: &Binding) -> bool {
    match b {
        Binding::Subsystem(s) => META_SUBSYSTEMS.contains(&s.as_str()),
        Binding::Module(_) | Binding::Absent => true,
        Binding::Empty | Binding::Text(_) => false,
    }
}

struct ArgSeed {
    want_meta: bool,
}

impl<'de> DeserializeSeed<'de> for ArgSeed {
    type Value = Arg<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ArgVisitor { want_meta: self.want_meta })
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
        assert_eq!(r.meta_name, Binding::Absent, "name not decoded when \"0\" names the logger");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.take_subsystem(), "gateway");
        assert_eq!(r.meta().and_then(|m| super::super::meta::s(&m.job_id)), Some("j"));
        assert_eq!(r.take_text(), "lane task error: lane=cron");
        assert!(matches!(r.time, Some(Cow::Borrowed(_))));
        // Meta of loggers without meta templates (`diagnostic` here) is skipped.
        let r = Record::from_str(r#"{"0":"{\"subsystem\":\"diagnostic\"}","1":{"errorName":"X"},"_meta":{}}"#).unwrap();
        assert!(r.meta().is_none());
    }

    #[test]
    fn root_logger_and_module_bindings() {
        let mut r = Record::from_str(r#"{"0":"Bind: loopback","_meta":{"name":"openclaw","logLevelName":"ERROR"}}"#).unwrap();
        assert_eq!(r.take_subsystem(), "openclaw");
        assert_eq!(r.take_text(), "Bind: loopback");
        let mut r = Record::from_str(r#"{"0":"{\"module\":\"cron\",\"storeKey\":\"/x\"}","1":"cron: started","_meta":{}}"#).unwrap();
        assert_eq!(r.take_subsystem(), "cron");
        let mut r = Record::from_str(r#"{"0":"{\"storeKey\":\"/x\",\"module\":\"cron\"}","_meta":{}}"#).unwrap();
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
