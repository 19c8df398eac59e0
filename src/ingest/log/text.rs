//! The console text form of the gateway log: what `openclaw gateway run` prints on
//! stdout/stderr and what journald keeps (OBSERVED.md §1/§3):
//!
//! ```text
//! [journald prefix: `Nov 22 01:49:20 host openclaw[123]: `]
//! 2026-11-22T01:49:20.216+00:00 [gateway] loading configuration…
//! 2026-11-22T01:49:40.113+00:00 I can't use the tool …            (root logger: no [subsystem])
//! ```
//!
//! with optional ANSI SGR colour codes (stripped). The console shortens subsystem names (drops a
//! leading `gateway/`, keeps ≤ 2 segments, FORMATS.md §1.2); the known short names are mapped
//! back to the file names (`heartbeat` → `gateway/heartbeat`, `ws` → `gateway/ws`, …) so both
//! forms group alike.
//!
//! **Level** is not printed; it is inferred, in this order:
//! 1. the colour of the message text: red (31/91) = ERROR, yellow (33/93) = WARN,
//!    grey (90) = DEBUG, any other colour = INFO;
//! 2. without colour: the level the recognised template is logged at (e.g. `lane task error` =
//!    ERROR, `lane wait exceeded` / `model fallback decision` = WARN, `lane enqueue` = DEBUG);
//! 3. else ERROR when the text starts with `Error`/`error` or contains `Error: `, else INFO.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::time::parse_time;
use crate::fact::{GatewayEvent, Level, LogEvent, RestartRecovery};

/// One console line, split.
#[derive(Debug)]
pub struct ConsoleLine<'a> {
    pub at: DateTime<Utc>,
    /// Level from the message colour, when coloured.
    pub colour_level: Option<Level>,
    /// Full subsystem name (`openclaw` for the root logger).
    pub subsystem: Cow<'a, str>,
    pub text: Cow<'a, str>,
}

/// Split a console line. `Err` when there is no leading timestamp.
pub fn parse_console(line: &str) -> Result<ConsoleLine<'_>, &'static str> {
    if !line.contains('\x1b') {
        let (at, sub, text) = split(line)?;
        return Ok(ConsoleLine {
            at,
            colour_level: None,
            subsystem: Cow::Borrowed(sub),
            text: Cow::Borrowed(text),
        });
    }
    let (plain, codes) = strip_ansi(line);
    let (at, sub, text) = split(&plain)?;
    // `text` is a sub-slice of `plain`; its offset is where the message colour was set.
    let msg_start = (text.as_ptr() as usize)
        .checked_sub(plain.as_ptr() as usize)
        .unwrap_or(usize::MAX);
    let colour = codes
        .iter()
        .rev()
        .find(|(pos, code)| *pos == msg_start && !matches!(code, 0 | 39))
        .map(|(_, c)| *c);
    let colour_level = colour.map(|c| match c {
        31 | 91 => Level::Error,
        33 | 93 => Level::Warn,
        90 => Level::Debug,
        _ => Level::Info,
    });
    Ok(ConsoleLine {
        at,
        colour_level,
        subsystem: Cow::Owned(sub.to_owned()),
        text: Cow::Owned(text.to_owned()),
    })
}

/// `(time, subsystem, text)` of an ANSI-free line.
fn split(line: &str) -> Result<(DateTime<Utc>, &str, &str), &'static str> {
    let line = strip_journald(line);
    let (ts, rest) = line.split_once(' ').unwrap_or((line, ""));
    let at = parse_time(ts).ok_or("no timestamp")?;
    if let Some(inner) = rest.strip_prefix('[')
        && let Some((name, text)) = inner.split_once(']')
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
    {
        return Ok((
            at,
            full_subsystem(name),
            text.strip_prefix(' ').unwrap_or(text),
        ));
    }
    Ok((at, "openclaw", rest))
}

/// Console short names → file subsystem names (FORMATS.md §1.2 shortening, OBSERVED.md §3).
fn full_subsystem(name: &str) -> &str {
    match name {
        "heartbeat" => "gateway/heartbeat",
        "ws" => "gateway/ws",
        "health-monitor" => "gateway/health-monitor",
        "shutdown" => "gateway/shutdown",
        "admission" => "gateway/admission",
        other => other,
    }
}

/// Drop a syslog/journald short prefix `Mmm dd HH:MM:SS host ident[pid]: ` when the rest
/// starts with the console timestamp.
fn strip_journald(line: &str) -> &str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = line.as_bytes();
    if b.len() < 20
        || b[3] != b' '
        || b[9] != b':'
        || b[12] != b':'
        || b[15] != b' '
        || !MONTHS.contains(&&line[..3])
    {
        return line;
    }
    match line[16..].find(": ") {
        Some(p)
            if line
                .as_bytes()
                .get(16 + p + 2)
                .is_some_and(u8::is_ascii_digit) =>
        {
            &line[16 + p + 2..]
        }
        _ => line,
    }
}

/// Remove `ESC [ … m` sequences; returns the plain text and `(position in plain, SGR code)`.
fn strip_ansi(line: &str) -> (String, Vec<(usize, u8)>) {
    let mut out = String::with_capacity(line.len());
    let mut codes = Vec::new();
    let mut rest = line;
    while let Some(p) = rest.find('\x1b') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        if let Some(seq) = after.strip_prefix('[') {
            let end = seq
                .find(|c: char| !(c.is_ascii_digit() || c == ';'))
                .unwrap_or(seq.len());
            for code in seq[..end].split(';') {
                if let Ok(c) = code.parse::<u8>() {
                    codes.push((out.len(), c));
                }
            }
            // Skip the final byte (`m`, or any other CSI terminator).
            let term = seq[end..].chars().next().map_or(0, char::len_utf8);
            rest = &seq[end + term..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    (out, codes)
}

/// The level a recognised template is logged at (used when the console line has no colour).
pub fn template_level(ev: &LogEvent) -> Level {
    use LogEvent as E;
    match ev {
        E::LaneTaskError { .. } | E::SessionTakeover { .. } | E::ChainExhausted { .. } => {
            Level::Error
        }
        E::FallbackDecision(_)
        | E::FallbackChainStopped { .. }
        | E::FallbackSummary { .. }
        | E::SameModelRetry { .. }
        | E::RetryWindowElapsed { .. }
        | E::RateLimitRetryFloor { .. }
        | E::RunTimedOut { .. }
        | E::LaneWaitExceeded { .. }
        | E::StuckSession { .. }
        | E::AuthCooldown { .. }
        | E::RestartRecovery(RestartRecovery::Marked { .. }) => Level::Warn,
        E::FailoverDecision { decision, .. } if decision != "continue_normal" => Level::Warn,
        E::AgentEnd { is_error: true, .. } => Level::Warn,
        E::RunStarted { .. }
        | E::RunDone { .. }
        | E::FailoverDecision { .. }
        | E::AgentEnd { .. }
        | E::LaneEnqueued { .. }
        | E::LaneDequeued { .. }
        | E::LaneTaskDone { .. }
        | E::Gateway(GatewayEvent::Signal { .. }) => Level::Debug,
        _ => Level::Info,
    }
}

/// Level of an uncoloured line without a recognised template.
pub fn text_level(text: &str) -> Level {
    if text.starts_with("Error") || text.starts_with("error") || text.contains("Error: ") {
        Level::Error
    } else {
        Level::Info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ansi_and_reads_colour() {
        let l = "\x1b[90m2026-11-22T01:49:47.121+00:00\x1b[39m \x1b[35m[diagnostic]\x1b[39m \x1b[31mlane task error: lane=main\x1b[39m";
        let c = parse_console(l).unwrap();
        assert_eq!(c.subsystem, "diagnostic");
        assert_eq!(c.text, "lane task error: lane=main");
        assert_eq!(c.colour_level, Some(Level::Error));
        assert_eq!(c.at.to_rfc3339(), "2026-11-22T01:49:47.121+00:00");
    }

    #[test]
    fn journald_prefix_root_lines_and_short_names() {
        let c = parse_console(
            "Nov 22 01:49:20 vm openclaw[123]: 2026-11-22T01:49:25.074+00:00 [heartbeat] started",
        )
        .unwrap();
        assert_eq!(
            (c.subsystem.as_ref(), c.text.as_ref()),
            ("gateway/heartbeat", "started")
        );
        assert_eq!(c.colour_level, None);
        let c = parse_console("2026-11-22T01:49:40.113+00:00 [fake:fake-primary] ack: hi").unwrap();
        assert_eq!(
            (c.subsystem.as_ref(), c.text.as_ref()),
            ("openclaw", "[fake:fake-primary] ack: hi")
        );
        assert!(parse_console("│ Doctor changes │").is_err());
        assert!(parse_console("Nov 22 01:49:20 vm openclaw[123]: no timestamp here").is_err());
    }

    #[test]
    fn uncoloured_level_fallback() {
        assert_eq!(
            text_level("Error: Main jobs require --system-event"),
            Level::Error
        );
        assert_eq!(
            text_level("gateway connect failed: Error: closed"),
            Level::Error
        );
        assert_eq!(text_level("ready"), Level::Info);
    }
}
