//! `key=value` helpers for OpenClaw's plain-text log templates
//! (`lane wait exceeded: lane=main waitedMs=18342 …`, console `decision=… requested=p/m …`).
//! Values end at the next space; every helper returns `None` instead of failing.

use crate::fact::ModelRef;

/// The value of ` key=` (or `key=` at the start of `text`), up to the next space.
pub fn kv<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = value_start(text, key)?;
    let rest = &text[start..];
    Some(rest.split(' ').next().unwrap_or(rest))
}

/// The value of ` key=` up to ` next_key=` (or the end), for values that contain spaces
/// (console `detail=…`, `error=…`).
pub fn kv_until<'a>(text: &'a str, key: &str, next_key: &str) -> Option<&'a str> {
    let start = value_start(text, key)?;
    let rest = &text[start..];
    let end = find_key(rest, next_key)
        .map(|i| i.saturating_sub(1))
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end())
}

/// Everything after ` key=` to the end of the text (trailing free text such as `detail=…`).
pub fn kv_rest<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    value_start(text, key).map(|s| &text[s..])
}

/// The quoted value of `key="…"`: up to the last `"` of the text (OpenClaw does not escape
/// quotes inside, e.g. `lane task error: … error="…"`).
pub fn kv_quoted<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = value_start(text, key)?;
    let rest = text[start..].strip_prefix('"')?;
    let end = rest.rfind('"').unwrap_or(rest.len());
    Some(&rest[..end])
}

/// `key=` value parsed as a number; a trailing unit such as `s` or `ms` is ignored.
pub fn kv_num<T: std::str::FromStr>(text: &str, key: &str) -> Option<T> {
    leading_num(kv(text, key)?)
}

/// `key=true|false`.
pub fn kv_bool(text: &str, key: &str) -> Option<bool> {
    match kv(text, key)? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `key=provider/model`; `none`, `-` and malformed refs give `None`.
pub fn kv_model(text: &str, key: &str) -> Option<ModelRef> {
    ModelRef::parse(kv(text, key)?)
}

/// The leading ASCII digits of `s`, parsed.
pub fn leading_num<T: std::str::FromStr>(s: &str) -> Option<T> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s[..end].parse().ok()
}

/// Byte index where the value of `key=` starts.
fn value_start(text: &str, key: &str) -> Option<usize> {
    find_key(text, key).map(|i| i + key.len() + 1)
}

/// Byte index of `key=` at the start of `text` or after a space.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let (hay, k) = (text.as_bytes(), key.as_bytes());
    let first = *k.first()?;
    let mut from = 0;
    while let Some(p) = memchr::memchr(first, &hay[from..]) {
        let i = from + p;
        if hay[i..].starts_with(k)
            && (i == 0 || hay[i - 1] == b' ')
            && hay.get(i + k.len()) == Some(&b'=')
        {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// Truncate to at most `max` bytes on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "lane wait exceeded: lane=main waitedMs=18342 queueAhead=6 activeAhead=8";

    #[test]
    fn finds_keys_on_word_boundaries() {
        assert_eq!(kv(T, "lane"), Some("main"));
        assert_eq!(kv_num::<u64>(T, "waitedMs"), Some(18342));
        assert_eq!(kv_num::<u32>(T, "queueAhead"), Some(6));
        assert_eq!(kv(T, "Ahead"), None);
        assert_eq!(kv(T, "missing"), None);
        assert_eq!(kv_num::<u64>("age=742s", "age"), Some(742));
    }

    #[test]
    fn quoted_and_until() {
        let t = r#"lane task error: lane=main durationMs=9 error="a "b" c" errorName=X"#;
        assert_eq!(kv_quoted(t, "error"), Some(r#"a "b" c"#));
        let d = "decision=x reason=unknown next=none detail=Connection error. more";
        assert_eq!(kv_until(d, "detail", "zzz"), Some("Connection error. more"));
        assert_eq!(kv_until(d, "reason", "next"), Some("unknown"));
        assert_eq!(kv_model(d, "next"), None);
    }

    #[test]
    fn truncates_on_char_boundary() {
        assert_eq!(truncate("a⚠️b", 2), "a");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
