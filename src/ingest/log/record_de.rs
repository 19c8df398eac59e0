//! serde plumbing for [`super::record::Record`]: a map visitor that walks the keys of a log
//! line in file order and decodes only what the parser uses (see `record.rs` for the shapes).

use std::borrow::Cow;

use compact_str::CompactString;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};

use super::events::META_SUBSYSTEMS;
use super::meta::MetaFields;
use super::record::{Arg, Binding, Record};
use crate::fact::Level;

enum Key {
    A0,
    A1,
    A2,
    Meta,
    Time,
    Message,
    SessionId,
    AgentId,
    Hostname,
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
                    "hostname" => Key::Hostname,
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
pub(super) fn binding_name(s: &str) -> Option<Binding<'static>> {
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
            let name = CompactString::from(&rest[..end]);
            return Some(if module {
                Binding::Module(name)
            } else {
                Binding::Subsystem(name)
            });
        }
    }
    #[derive(Deserialize)]
    struct Obj {
        subsystem: Option<String>,
        module: Option<String>,
    }
    match serde_json::from_str::<Obj>(s) {
        Ok(Obj {
            subsystem: Some(n), ..
        }) => Some(Binding::Subsystem(n.into())),
        Ok(Obj {
            module: Some(n), ..
        }) => Some(Binding::Module(n.into())),
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

pub(super) fn level_of(s: &str) -> Option<Level> {
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
        Ok(Arg::Meta(Box::new(MetaFields::deserialize(
            MapAccessDeserializer::new(map),
        )?)))
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
                Some("logLevelName") => {
                    out.level = map.next_value::<Str>()?.0.as_deref().and_then(level_of)
                }
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

pub(super) struct RecordVisitor;

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
                Key::A1 => {
                    r.arg1 = map.next_value_seed(ArgSeed {
                        want_meta: wants_meta(&r.binding),
                    })?
                }
                Key::A2 => r.arg2 = map.next_value_seed(ArgSeed { want_meta: false })?,
                Key::Meta => {
                    let m = map.next_value_seed(MetaSeed {
                        need_name: !r.binding.names_logger(),
                    })?;
                    r.tslog = true;
                    r.level = m.level.or(r.level);
                    r.meta_name = m.name;
                    r.meta_date = m.date;
                }
                Key::Time => r.time = map.next_value::<Str>()?.0,
                Key::Message => r.message = map.next_value::<Str>()?.0,
                Key::SessionId => r.session_id = map.next_value::<Str>()?.0,
                Key::AgentId => r.agent_id = map.next_value::<Str>()?.0,
                Key::Hostname => r.hostname = map.next_value::<Str>()?.0,
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
pub(super) fn wants_meta(b: &Binding) -> bool {
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
        d.deserialize_any(ArgVisitor {
            want_meta: self.want_meta,
        })
    }
}
