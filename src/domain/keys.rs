//! Session-key grammar (FORMATS.md §2.4, OBSERVED.md §3, OBSERVED-LEGACY.md §1–2).
//!
//! | key | kind | agent | cron job |
//! |---|---|---|---|
//! | `agent:<a>:main` | main | `<a>` | – |
//! | `agent:<a>:<channel>:direct:<peer>` | direct | `<a>` | – |
//! | `agent:<a>:<channel>:group\|channel\|room:<id>` | group | `<a>` | – |
//! | `agent:<a>:cron:<job>` | cron-job | `<a>` | `<job>` |
//! | `agent:<a>:cron:<job>:run:<sessionId\|runAtMs>` | cron-run | `<a>` | `<job>` |
//! | `cron:<job>` (`…:run:<id>`) | cron-job (cron-run) | – | `<job>` |
//! | any key with a `subagent` segment | subagent | `<a>` | – |
//! | anything else (`hook:<uuid>`, `agent:<a>:explicit:…`) | other | `<a>` when `agent:` | – |

use crate::domain::SessionKind;

/// What the key alone says about a session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyInfo {
    pub kind: SessionKind,
    /// `<a>` of `agent:<a>:…`.
    pub agent: Option<String>,
    /// The owning cron job id (`…cron:<job>…`).
    pub cron_job: Option<String>,
}

/// Classify a session key by its grammar. Never fails: unknown shapes are [`SessionKind::Other`].
pub fn parse_key(key: &str) -> KeyInfo {
    let parts: Vec<&str> = key.split(':').collect();
    match parts.as_slice() {
        ["agent", agent, rest @ ..] if !agent.is_empty() => {
            let mut info = classify_rest(rest);
            info.agent = Some((*agent).to_string());
            info
        }
        ["cron", rest @ ..] => classify_rest(&[&["cron"], rest].concat()),
        _ => KeyInfo::default(),
    }
}

fn classify_rest(rest: &[&str]) -> KeyInfo {
    let mut info = KeyInfo::default();
    if rest.contains(&"subagent") {
        info.kind = SessionKind::Subagent;
        return info;
    }
    match rest {
        ["main"] => info.kind = SessionKind::Main,
        ["cron", job, tail @ ..] if !job.is_empty() => {
            info.cron_job = Some((*job).to_string());
            info.kind = match tail {
                ["run", id, ..] if !id.is_empty() => SessionKind::CronRun,
                _ => SessionKind::CronJob,
            };
        }
        _ => {
            // `<channel>:<type>:<peer>` or `<type>:<peer>`.
            let ty = if rest.len() >= 3 {
                rest.get(1)
            } else {
                rest.first()
            };
            info.kind = match ty.copied() {
                Some("direct") | Some("dm") => SessionKind::Direct,
                Some("group") | Some("channel") | Some("room") => SessionKind::Group,
                _ => SessionKind::Other,
            };
        }
    }
    info
}

/// The session key a lane name refers to (`session:<key>` → `<key>`).
pub fn lane_session_key(lane: &str) -> Option<&str> {
    lane.strip_prefix("session:").filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let k = parse_key("agent:main:main");
        assert_eq!(
            (k.kind, k.agent.as_deref(), k.cron_job),
            (SessionKind::Main, Some("main"), None)
        );
        assert_eq!(
            parse_key("agent:main:telegram:direct:123").kind,
            SessionKind::Direct
        );
        assert_eq!(
            parse_key("agent:main:discord:group:9").kind,
            SessionKind::Group
        );
        assert_eq!(
            parse_key("agent:main:slack:channel:C1").kind,
            SessionKind::Group
        );
        assert_eq!(
            parse_key("agent:main:matrix:room:r").kind,
            SessionKind::Group
        );
        let c = parse_key("agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4");
        assert_eq!(c.kind, SessionKind::CronJob);
        assert_eq!(
            c.cron_job.as_deref(),
            Some("f3eb99f7-0dd4-4302-8637-5f7f34e81ab4")
        );
        let r = parse_key(
            "agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4:run:4291ada2-9349-4bbb-b999-cdc1f9b477ce",
        );
        assert_eq!(r.kind, SessionKind::CronRun);
        assert_eq!(
            r.cron_job.as_deref(),
            Some("f3eb99f7-0dd4-4302-8637-5f7f34e81ab4")
        );
        let bare = parse_key("cron:job1");
        assert_eq!(
            (bare.kind, bare.agent, bare.cron_job.as_deref()),
            (SessionKind::CronJob, None, Some("job1"))
        );
        assert_eq!(
            parse_key("agent:main:subagent:x").kind,
            SessionKind::Subagent
        );
        assert_eq!(parse_key("hook:abc").kind, SessionKind::Other);
        assert_eq!(
            parse_key("agent:main:explicit:model-run-1").kind,
            SessionKind::Other
        );
        assert_eq!(parse_key("").kind, SessionKind::Other);
        assert_eq!(
            lane_session_key("session:agent:main:main"),
            Some("agent:main:main")
        );
        assert_eq!(lane_session_key("main"), None);
    }
}
