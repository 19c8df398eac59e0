//! The structured meta object of a tslog record (key `"1"` when the call had meta, FORMATS.md
//! §1.3): one flat struct with every field any template lanetop understands uses. Unknown keys
//! are skipped by serde without being materialised; every field accepts any JSON type
//! ([`Lenient`]), so an unexpected type never turns a good line into a corrupt one.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON value read leniently: strings are borrowed from the line when they have no escapes.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Lenient<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `null`, an object or an array (contents skipped).
    #[default]
    Other,
}

impl<'a> Lenient<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lenient::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Lenient::Int(i) => u64::try_from(*i).ok(),
            Lenient::Float(f) if *f >= 0.0 && f.is_finite() => Some(*f as u64),
            Lenient::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Lenient::Bool(b) => Some(*b),
            Lenient::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Lenient<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient::Str(Cow::Owned(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Lenient::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v)
            .map(Lenient::Int)
            .unwrap_or(Lenient::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Lenient::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Lenient::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::Other)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor)
    }
}

/// Fields of the `"1"` meta object used by the typed events. Field names are OpenClaw's
/// (camelCase): `model_fallback_decision` (FORMATS.md §1.3 row 1), `model_fallback_chain_stopped`,
/// `embedded_run_failover_decision`, `embedded_run_agent_end`, `auth_profile_failure_state_updated`
/// (OBSERVED.md §3), cron `{jobId, jobName, error}`, heartbeat `{intervalMs}`, lane `{errorName}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetaFields<'a> {
    #[serde(borrow)]
    pub event: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub run_id: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub session_id: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub session_key: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub lane: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub decision: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub requested_provider: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub requested_model: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub candidate_provider: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub candidate_model: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub next_candidate_provider: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub next_candidate_model: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub reason: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub failover_reason: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub status: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub attempt: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub total: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub fallback_step_final_outcome: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub error_preview: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub suppressed_duplicate_count: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub provider: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub model: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub is_error: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub error: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub job_id: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub job_name: Option<Lenient<'a>>,
    #[serde(borrow)]
    pub interval_ms: Option<Lenient<'a>>,
}

/// `Option<Lenient>` as `&str`.
pub fn s<'b>(v: &'b Option<Lenient<'_>>) -> Option<&'b str> {
    v.as_ref().and_then(Lenient::as_str)
}

/// `Option<Lenient>` as an owned, non-empty `String`.
pub fn owned(v: &Option<Lenient<'_>>) -> Option<String> {
    s(v).filter(|x| !x.is_empty()).map(str::to_owned)
}

/// `Option<Lenient>` as `u64`.
pub fn num(v: &Option<Lenient<'_>>) -> Option<u64> {
    v.as_ref().and_then(Lenient::as_u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_types_never_fail() {
        let m: MetaFields = serde_json::from_str(
            r#"{"status":"429","attempt":2,"isError":true,"error":{"x":[1,2]},"jobId":null,"tags":["a"],"lane":"main"}"#,
        )
        .unwrap();
        assert_eq!(num(&m.status), Some(429));
        assert_eq!(num(&m.attempt), Some(2));
        assert_eq!(m.is_error.as_ref().and_then(Lenient::as_bool), Some(true));
        assert_eq!(s(&m.error), None);
        assert_eq!(s(&m.job_id), None);
        assert_eq!(s(&m.lane), Some("main"));
        assert!(matches!(m.lane, Some(Lenient::Str(Cow::Borrowed(_)))));
    }
}
