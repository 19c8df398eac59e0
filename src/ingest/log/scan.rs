//! The fast path for a JSON log line: a strict, allocation-light scan of the tslog envelope
//! that gives the same [`Record`] as the serde visitor (`record_de.rs`), or gives up.
//!
//! Why: in a backlog, decoding the envelope was ~65 % of a parser thread (BENCHMARKS.md,
//! session 4). Most of a 2026.9 line is text lanetop does not keep: `_meta.path`, the trace
//! ids, and the `"1"` argument, which repeats the top-level `message`. This scan finds the end
//! of every string (`"` or `\`) 16 bytes at a time (SSE2) over its first 64 bytes, then with
//! `memchr2`; it decodes only the strings a [`Record`] keeps, and reads the logger name out of
//! the escaped `"0"` binding without unescaping it.
//!
//! # Equivalence with serde
//! The scan accepts a strict subset of what serde_json accepts, and on that subset builds the
//! same record; anything outside it returns `None` and the caller parses the line with serde,
//! which then decides (a record, or the error a corrupt line shows). Outside the subset:
//! - any `\u` escape (serde validates surrogates in some positions and not in others);
//! - a key with an escape; a number where serde would decode it (`"time": 1e999` errors in
//!   serde, not when skipped); a non-object, non-null `_meta`;
//! - nesting deeper than [`MAX_DEPTH`] inside a skipped value; anything not strict JSON.
//!
//! `tests` below and the `log_lines` fuzz harness check the equivalence on every input.
//!
//! Within the subset the visitor's rules are mirrored key by key, in file order: a repeated key
//! overwrites, `"1"` is read as meta only when the `"0"` seen before it names a meta logger,
//! `_meta.name` only when `"0"` did not name the logger. One difference is invisible to
//! callers: a text argument is left undecoded ([`Arg::Unread`]) when the record has a
//! top-level `message`, since [`Record::take_text`] then never reads it.

use std::borrow::Cow;

use compact_str::CompactString;

use super::meta::MetaFields;
use super::record::{Arg, Binding, Record};
use super::record_de::{binding_name, level_of, wants_meta};

/// Deepest nesting of a skipped value the scan follows before leaving the line to serde.
pub const MAX_DEPTH: u32 = 64;

/// A JSON string as it stands in the line: with its quotes, and whether it has (simple)
/// escapes. `\u` escapes never reach here (the scan gives up on them).
#[derive(Clone, Copy)]
struct Raw<'a> {
    quoted: &'a str,
    escaped: bool,
}

impl<'a> Raw<'a> {
    fn body(self) -> &'a str {
        &self.quoted[1..self.quoted.len() - 1]
    }

    /// The string's value: borrowed when it has no escapes.
    fn decode(self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.body());
        }
        let body = self.body();
        let mut out = String::with_capacity(body.len());
        let mut rest = body;
        while let Some(i) = rest.find('\\') {
            out.push_str(&rest[..i]);
            // The scan only lets through `\` + one of `"\/bfnrt`.
            let c = rest.as_bytes()[i + 1];
            out.push(match c {
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                other => other as char,
            });
            rest = &rest[i + 2..];
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// A `"1"` / `"2"` argument before the record is complete.
enum RawArg<'a> {
    Absent,
    Text(Raw<'a>),
    Meta(Box<MetaFields<'a>>),
    Other,
}

/// The scan cursor over one line.
struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// The line has a byte below 0x20 somewhere (JSON whitespace between tokens, or a raw
    /// control character inside a string, which serde rejects).
    has_control: bool,
}

/// Strings are searched 16 (or 8) bytes at a time for this many bytes before `memchr2` takes
/// over.
const SHORT: usize = 64;

/// Index of the first `"` or `\\` in `b`. Keys and most values end within a few words, where
/// a word-at-a-time test beats a `memchr2` call; longer strings go to `memchr2`.
#[inline]
fn find_quote_or_backslash(b: &[u8]) -> Option<usize> {
    let head = &b[..b.len().min(SHORT)];
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    // SAFETY: `find_short` needs SSE2 only, which this build targets (`target_feature =
    // "sse2"`, part of the x86-64 baseline); it reads `head` through safe slices.
    let found = unsafe { find_short(head) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let found = find_short(head);
    let at = match found {
        Ok(k) => return Some(k),
        Err(at) => at,
    };
    memchr::memchr2(b'"', b'\\', &b[at..]).map(|k| at + k)
}

/// [`find_quote_or_backslash`] over whole 16-byte blocks of `b` (SSE2, part of every x86-64
/// CPU: two byte compares and a mask per block). `Err(n)`: none in the first `n` bytes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn find_short(b: &[u8]) -> Result<usize, usize> {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let mut at = 0;
    for block in b.chunks_exact(16) {
        let (lo, hi) = block.split_at(8);
        let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or_default()) as i64;
        let v = _mm_set_epi64x(word(hi), word(lo));
        let hits = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        let mask = _mm_movemask_epi8(hits) as u32;
        if mask != 0 {
            return Ok(at + mask.trailing_zeros() as usize);
        }
        at += 16;
    }
    Err(at)
}

/// [`find_quote_or_backslash`] over whole 8-byte words of `b`: the classic "has zero byte"
/// trick on `w ^ "…"` and `w ^ \\…` (exact for the first match).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn find_short(b: &[u8]) -> Result<usize, usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    for block in b.chunks_exact(8) {
        let w = u64::from_le_bytes(block.try_into().unwrap_or_default());
        let q = w ^ (LO * u64::from(b'"'));
        let s = w ^ (LO * u64::from(b'\\'));
        let hit = ((q.wrapping_sub(LO) & !q) | (s.wrapping_sub(LO) & !s)) & HI;
        if hit != 0 {
            return Ok(at + (hit.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    Err(at)
}

/// Scan one JSON log line (already valid UTF-8, leading/trailing ASCII whitespace trimmed).
/// `None`: outside the fast path's subset, parse with serde.
pub(super) fn record(line: &str) -> Option<Record<'_>> {
    let mut c = Scan {
        s: line,
        b: line.as_bytes(),
        i: 0,
        // One vectorised pass (a min-reduction) instead of a check per string.
        has_control: line.bytes().fold(u8::MAX, u8::min) < 0x20,
    };
    c.ws();
    if c.peek()? != b'{' {
        return None;
    }
    let mut r = Record::default();
    let mut top_level = None;
    let mut arg1 = RawArg::Absent;
    let mut arg2 = RawArg::Absent;
    c.object(|c, key| {
        match key.body() {
            "0" => r.binding = c.binding()?,
            "1" => arg1 = c.arg(wants_meta(&r.binding))?,
            "2" => arg2 = c.arg(false)?,
            "_meta" => {
                let (level, name, date) = c.meta(!r.binding.names_logger())?;
                r.tslog = true;
                r.level = level.or(r.level);
                r.meta_name = name;
                r.meta_date = date;
            }
            "time" => r.time = c.str_value()?,
            "message" => r.message = c.str_value()?,
            "session_id" => r.session_id = c.str_value()?,
            "agent_id" => r.agent_id = c.str_value()?,
            "hostname" => r.hostname = c.str_value()?,
            "level" => top_level = c.str_value()?.as_deref().and_then(level_of),
            "subsystem" => r.subsystem = c.str_value()?,
            _ => c.skip(0)?,
        }
        Some(())
    })?;
    c.ws();
    if c.i != c.b.len() {
        return None;
    }
    if r.level.is_none() {
        r.level = top_level;
    }
    let has_message = r.message.is_some();
    r.arg1 = arg1.finish(has_message);
    r.arg2 = arg2.finish(has_message);
    Some(r)
}

impl<'a> RawArg<'a> {
    fn finish(self, has_message: bool) -> Arg<'a> {
        match self {
            RawArg::Absent => Arg::Absent,
            RawArg::Text(_) if has_message => Arg::Unread,
            RawArg::Text(raw) => Arg::Text(raw.decode()),
            RawArg::Meta(m) => Arg::Meta(m),
            RawArg::Other => Arg::Other,
        }
    }
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        self.ws();
        (self.peek()? == want).then(|| self.i += 1)
    }

    /// The string at the cursor (which is at its `"`).
    #[inline]
    fn string(&mut self) -> Option<Raw<'a>> {
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        loop {
            let rest = &self.b[self.i..];
            let k = find_quote_or_backslash(rest)?;
            // Raw control characters are an error in serde (`is_escape`); only a line that
            // has one at all is checked string by string.
            if self.has_control && rest[..k].iter().any(|&b| b < 0x20) {
                return None;
            }
            self.i += k;
            if self.b[self.i] == b'"' {
                self.i += 1;
                return Some(Raw {
                    quoted: &self.s[start..self.i],
                    escaped,
                });
            }
            match self.b.get(self.i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                _ => return None,
            }
            escaped = true;
            self.i += 2;
        }
    }

    /// The members of the object at the cursor (at its `{`): `member` is called with each key
    /// and must consume the value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, Raw<'a>) -> Option<()>) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            if key.escaped {
                return None;
            }
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            if self.end_or_comma(b'}')? {
                return Some(());
            }
        }
    }

    /// After a member or element: consume `,` (false: more follow) or `close` (true: the
    /// container ended); anything else gives up.
    fn end_or_comma(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let b = self.peek()?;
        self.i += 1;
        match b {
            b',' => Some(false),
            _ if b == close => Some(true),
            _ => None,
        }
    }

    /// Skip one value (serde's `IgnoredAny`), checking it is strict JSON.
    fn skip(&mut self, depth: u32) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' if depth < MAX_DEPTH => self.object(|c, _| c.skip(depth + 1)),
            b'[' if depth < MAX_DEPTH => {
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    if self.end_or_comma(b']')? {
                        return Some(());
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    /// A number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digits1()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digits1()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn digits1(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// A value read as serde's `Str` does: a string, or `None` for `true`/`false`/`null`, an
    /// array or an object. A number gives up (serde decodes it, and can fail on its range).
    fn str_value(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.peek()? {
            b'"' => Some(Some(self.string()?.decode())),
            b'-' | b'0'..=b'9' => None,
            _ => self.skip(0).map(|()| None),
        }
    }

    /// The `"0"` binding (`BindingSeed`): `{\"subsystem\":\"<name>\"…}` is read in place;
    /// other strings are decoded and named as serde's path names them.
    fn binding(&mut self) -> Option<Binding<'a>> {
        match self.peek()? {
            b'"' => {
                let raw = self.string()?;
                if raw.escaped {
                    let body = raw.body();
                    for (prefix, module) in
                        [(r#"{\"subsystem\":\""#, false), (r#"{\"module\":\""#, true)]
                    {
                        if let Some(rest) = body.strip_prefix(prefix)
                            && let Some(end) = rest.find('\\')
                            && rest.as_bytes()[end + 1] == b'"'
                        {
                            let name = CompactString::from(&rest[..end]);
                            return Some(if module {
                                Binding::Module(name)
                            } else {
                                Binding::Subsystem(name)
                            });
                        }
                    }
                }
                Some(match raw.decode() {
                    Cow::Borrowed(v) => binding_name(v).unwrap_or(Binding::Text(Cow::Borrowed(v))),
                    Cow::Owned(v) => binding_name(&v).unwrap_or(Binding::Text(Cow::Owned(v))),
                })
            }
            b'-' | b'0'..=b'9' => None,
            _ => self.skip(0).map(|()| Binding::Absent),
        }
    }

    /// A `"1"`/`"2"` argument (`ArgSeed`): text, a meta object (read by serde from its own
    /// slice of the line, as the visitor would read it in place), or something ignored.
    fn arg(&mut self, want_meta: bool) -> Option<RawArg<'a>> {
        match self.peek()? {
            b'"' => Some(RawArg::Text(self.string()?)),
            b'{' if want_meta => {
                let start = self.i;
                self.skip(0)?;
                let slice = &self.s[start..self.i];
                let meta: MetaFields<'a> = serde_json::from_str(slice).ok()?;
                Some(RawArg::Meta(Box::new(meta)))
            }
            b'-' | b'0'..=b'9' => None,
            _ => self.skip(0).map(|()| RawArg::Other),
        }
    }

    /// `_meta` (`MetaSeed`): level, logger name (when `need_name`) and date. `null` gives
    /// nothing; any other non-object gives up (serde rejects it).
    #[allow(clippy::type_complexity)]
    fn meta(
        &mut self,
        need_name: bool,
    ) -> Option<(
        Option<crate::fact::Level>,
        Binding<'a>,
        Option<Cow<'a, str>>,
    )> {
        let mut level = None;
        let mut name = Binding::Absent;
        let mut date = None;
        match self.peek()? {
            b'n' => self.literal(b"null")?,
            b'{' => self.object(|c, key| {
                match key.body() {
                    "logLevelName" => level = c.str_value()?.as_deref().and_then(level_of),
                    "date" => date = c.str_value()?,
                    "name" if need_name => name = c.binding()?,
                    _ => c.skip(0)?,
                }
                Some(())
            })?,
            _ => return None,
        }
        Some((level, name, date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_quote_or_backslash_at_every_position() {
        // Every length around the 16-byte blocks and the `SHORT` hand-over to memchr2, every
        // position of the hit, with bytes that differ from the targets by one bit before it.
        for len in 0..=SHORT + 40 {
            for at in 0..=len {
                for hit in [b'"', b'\\'] {
                    let mut b: Vec<u8> =
                        (0..len).map(|i| [b'#', b']', b'a', 0xA2][i % 4]).collect();
                    if at < len {
                        b[at] = hit;
                        if at + 1 < len {
                            b[at + 1] = b'"';
                        }
                    }
                    let want = (at < len).then_some(at);
                    assert_eq!(find_quote_or_backslash(&b), want, "len {len} at {at}");
                }
            }
        }
    }

    /// Fast path and serde agree on `line` (or the fast path gives up).
    fn agrees(line: &str) -> bool {
        super::super::record::agrees(line)
    }

    #[test]
    fn captured_logs_take_the_fast_path_and_agree() {
        for path in [
            "../shared/openclaw/captured/logs/openclaw.log",
            "../shared/openclaw/captured-legacy/logs/openclaw.log",
        ] {
            let text = std::fs::read_to_string(path).unwrap();
            let mut fast = 0;
            for line in text.lines().filter(|l| l.starts_with('{')) {
                assert!(agrees(line), "{path}: {line}");
                fast += usize::from(record(line).is_some());
            }
            assert_eq!(
                fast,
                text.lines().filter(|l| l.starts_with('{')).count(),
                "{path}"
            );
        }
    }

    #[test]
    fn gives_up_outside_the_subset_and_serde_decides() {
        for line in [
            r#"{"0":"\u0041","time":"2026-11-22T01:00:00Z"}"#,
            r#"{"time":1e999}"#,
            r#"{"_meta":"x","time":"2026-11-22T01:00:00Z"}"#,
            r#"{"ti\"me":"x"}"#,
            r#"{"a":[1,2,],"time":"x"}"#,
            r#"{"a":01}"#,
            r#"{"a":"tab	inside"}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
        ] {
            assert!(record(line).is_none(), "{line}");
            assert!(agrees(line), "{line}");
        }
        let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(100), "]".repeat(100));
        assert!(record(&deep).is_none());
        assert!(agrees(&deep));
    }

    #[test]
    fn mirrors_the_visitor_on_odd_but_valid_lines() {
        for line in [
            // Repeated keys: the last wins; a later non-string message clears it.
            r#"{"message":"a","message":null,"1":"x\ty","time":"2026-11-22T01:00:00Z"}"#,
            // Meta read only for meta loggers, and `_meta.name` only when "0" did not name one.
            r#"{"1":{"jobId":"j","nested":[{"a":[]}]},"_meta":{"name":"{\"module\":\"cron\"}","logLevelName":"WARN"},"time":"x"}"#,
            r#"{"0":"{\"subsystem\":\"gateway\"}","1":{"errorName":"E"},"2":"lane task error","_meta":{"path":{"a":[1,-2.5e3,true,false,null]}},"time":"x"}"#,
            r#"{"0":"{\"subsystem\":\"diag\\\"x\"}","_meta":null,"time":"x"}"#,
            r#"{"0":"","1":"Bind: \"loopback\"","2":"more\/text","_meta":{},"time":"x"}"#,
            r#"{"0":"{\"storeKey\":\"/x\",\"module\":\"cron\"}","_meta":{},"level":"warn"}"#,
            r#" { "time" : "x" , "level" : [1] , "subsystem" : {"a":"b"} } "#,
            r#"{"0":true,"1":[1],"2":null,"_meta":{"date":"d","logLevelName":3.5e1}}"#,
        ] {
            assert!(agrees(line), "{line}");
        }
    }
}
