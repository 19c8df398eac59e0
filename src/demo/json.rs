//! A tiny ordered JSON value for the demo writers.
//!
//! OpenClaw writes its records with JavaScript key order (`"0"`, `"1"`, `"2"`, `_meta`, `time`,
//! …; `sessions.json` entries in insertion order). `serde_json::Value` sorts keys unless the
//! `preserve_order` feature is on, so the demo builds its output with [`J`], which keeps keys in
//! insertion order and renders either compact (JSONL lines) or pretty with two spaces
//! (`JSON.stringify(store, null, 2)`, as `sessions.json` and `cron/jobs.json` are written).

use std::fmt::Write as _;

/// An ordered JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// A scalar already rendered as JSON text (`"s"`, `12`, `0.5`, `true`, `null`).
    Raw(String),
    /// An object whose keys keep insertion order.
    Obj(Vec<(String, J)>),
    /// An array.
    Arr(Vec<J>),
}

impl J {
    /// An empty object.
    pub fn obj() -> J {
        J::Obj(Vec::new())
    }

    /// A JSON string.
    pub fn s(v: &str) -> J {
        J::Raw(serde_json::Value::String(v.to_owned()).to_string())
    }

    /// A JSON integer.
    pub fn n(v: i64) -> J {
        J::Raw(v.to_string())
    }

    /// A JSON number from a float (rounded to 9 decimals to avoid binary noise; non-finite → 0).
    pub fn f(v: f64) -> J {
        let r = (v * 1e9).round() / 1e9;
        if r.fract() == 0.0 && r.abs() < 1e15 {
            // JavaScript prints integral numbers without a fraction (`0`, not `0.0`).
            return J::Raw((r as i64).to_string());
        }
        let num = serde_json::Number::from_f64(r).unwrap_or_else(|| serde_json::Number::from(0));
        J::Raw(num.to_string())
    }

    /// A JSON boolean.
    pub fn b(v: bool) -> J {
        J::Raw(if v { "true" } else { "false" }.to_owned())
    }

    /// JSON `null`.
    pub fn null() -> J {
        J::Raw("null".to_owned())
    }

    /// Builder: append (or replace, keeping the position) a key. No-op on non-objects.
    pub fn with(mut self, key: &str, val: J) -> J {
        self.set(key, val);
        self
    }

    /// Set a key in place: replace an existing key at its position, else append.
    pub fn set(&mut self, key: &str, val: J) {
        if let J::Obj(fields) = self {
            if let Some(slot) = fields.iter_mut().find(|(k, _)| k == key) {
                slot.1 = val;
            } else {
                fields.push((key.to_owned(), val));
            }
        }
    }

    /// Merge every key of `other` (an object) into `self` with [`J::set`].
    pub fn merge(&mut self, other: &J) {
        if let J::Obj(fields) = other {
            for (k, v) in fields {
                self.set(k, v.clone());
            }
        }
    }

    /// Look a key up in an object.
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Compact rendering (one JSONL line, no trailing newline).
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    /// Pretty rendering with two-space indentation, like `JSON.stringify(v, null, 2)`.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            J::Raw(s) => out.push_str(s),
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_key(out, k);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_compact(out);
                }
                out.push(']');
            }
        }
    }

    fn write_pretty(&self, out: &mut String, depth: usize) {
        match self {
            J::Raw(s) => out.push_str(s),
            J::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Obj(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    indent(out, depth + 1);
                    push_key(out, k);
                    out.push_str(": ");
                    v.write_pretty(out, depth + 1);
                    if i + 1 < fields.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                indent(out, depth);
                out.push('}');
            }
            J::Arr(items) => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    indent(out, depth + 1);
                    v.write_pretty(out, depth + 1);
                    if i + 1 < items.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                indent(out, depth);
                out.push(']');
            }
        }
    }
}

fn push_key(out: &mut String, k: &str) {
    let _ = write!(out, "{}", serde_json::Value::String(k.to_owned()));
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_escapes() {
        let j = J::obj()
            .with("z", J::s("a\"b"))
            .with("a", J::n(1))
            .with("m", J::Arr(vec![J::b(true), J::null(), J::f(0.1 + 0.2)]));
        assert_eq!(j.compact(), r#"{"z":"a\"b","a":1,"m":[true,null,0.3]}"#);
        assert_eq!(J::f(0.0).compact(), "0");
        assert_eq!(J::f(15.0).compact(), "15");
        let v: serde_json::Value = serde_json::from_str(&j.pretty()).expect("pretty parses");
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn set_replaces_in_place() {
        let mut j = J::obj().with("a", J::n(1)).with("b", J::n(2));
        j.set("a", J::n(3));
        assert_eq!(j.compact(), r#"{"a":3,"b":2}"#);
    }
}
