//! Which legacy release wrote a state dir, to pick the offline edit rule by version
//! (FORMATS-LEGACY.md §1.3 and §7 "Detecting the version"):
//!
//! - 2026.3.x takes `sessions.json.lock` around every store write: lanetop may edit under that
//!   lock, even with a gateway alive ([`LegacyRelease::Locking`]);
//! - 2026.5.x takes no store lock: lanetop refuses while a gateway process is alive
//!   ([`LegacyRelease::Unlocked`]).
//!
//! Evidence, first match wins: a known version string (the hello's `server.version` or the
//! log's, `2026.M…`: `M < 5` → Locking, else Unlocked); `cron/jobs-state.json` (written from
//! 2026.5 on) → Unlocked; a `cron/jobs.json` with no `jobs-state.json` (3.x keeps the state
//! inline) → Locking. With no evidence the strict rule (Unlocked) applies.

use std::path::Path;

use super::LegacyRelease;

/// How the release was decided (shown in the action summary and the audit record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub release: LegacyRelease,
    /// One line: the evidence (`version 2026.3.28`, `cron/jobs-state.json present`, …).
    pub why: String,
}

/// `2026.M.D…` → month `M`; `None` when not that shape.
fn month(version: &str) -> Option<u32> {
    let v = version.trim().trim_start_matches('v');
    let mut it = v.split('.');
    let year: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    (year == 2026).then_some(m)
}

/// Decide the release of the legacy install at `state_dir` (`~/.openclaw`); `version` is a
/// version string known from elsewhere (hello, log), if any. Reads only file metadata.
pub fn detect(state_dir: &Path, version: Option<&str>) -> Detected {
    if let Some(v) = version
        && let Some(m) = month(v)
    {
        let release = if m < 5 {
            LegacyRelease::Locking
        } else {
            LegacyRelease::Unlocked
        };
        return Detected {
            release,
            why: format!("version {v}"),
        };
    }
    let cron = state_dir.join("cron");
    if cron.join("jobs-state.json").is_file() {
        return Detected {
            release: LegacyRelease::Unlocked,
            why: "cron/jobs-state.json present (2026.5+)".into(),
        };
    }
    if cron.join("jobs.json").is_file() {
        return Detected {
            release: LegacyRelease::Locking,
            why: "cron/jobs.json with inline state (2026.3)".into(),
        };
    }
    Detected {
        release: LegacyRelease::Unlocked,
        why: "release unknown: strict rule".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_string_wins() {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(d.path().join("cron")).expect("mkdir");
        std::fs::write(d.path().join("cron/jobs-state.json"), "{}").expect("write");
        assert_eq!(
            detect(d.path(), Some("2026.3.28")).release,
            LegacyRelease::Locking
        );
        assert_eq!(
            detect(d.path(), Some("2026.5.20")).release,
            LegacyRelease::Unlocked
        );
        // Not a version: the files decide.
        assert_eq!(
            detect(d.path(), Some("garbage")).release,
            LegacyRelease::Unlocked
        );
    }

    #[test]
    fn files_decide_without_a_version() {
        let d = tempfile::tempdir().expect("tempdir");
        assert_eq!(detect(d.path(), None).release, LegacyRelease::Unlocked);
        std::fs::create_dir_all(d.path().join("cron")).expect("mkdir");
        std::fs::write(
            d.path().join("cron/jobs.json"),
            "{\"version\":1,\"jobs\":[]}",
        )
        .expect("write");
        assert_eq!(detect(d.path(), None).release, LegacyRelease::Locking);
        std::fs::write(d.path().join("cron/jobs-state.json"), "{}").expect("write");
        let got = detect(d.path(), None);
        assert_eq!(got.release, LegacyRelease::Unlocked);
        assert!(got.why.contains("jobs-state.json"), "{}", got.why);
    }
}
