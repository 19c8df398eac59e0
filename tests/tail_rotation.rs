//! The rotation-aware tailer, driven synchronously (one `poll` = one wake-up): backlog order,
//! rename rotation, truncation, delete + re-create, partial lines, day rollover, the 24 h backlog
//! filter, over-long lines and invalid UTF-8. Every test counts lines exactly (no loss, no
//! duplicates) with their 1-based per-file line numbers.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lanetop::ingest::discover::LogTarget;
use lanetop::ingest::tail::{TailEvent, TailOptions, Tailer, parse_family_name};

/// (file name, line number, text) of each event; over-long lines as `<overlong N>`.
type Seen = Vec<(String, u64, String)>;

fn poll(t: &mut Tailer) -> Seen {
    let mut v = Vec::new();
    t.poll(&mut |ev| {
        let (path, line, text) = match ev {
            TailEvent::Line { path, line, bytes } => {
                (path, line, String::from_utf8_lossy(bytes).into_owned())
            }
            TailEvent::Overlong {
                path, line, len, ..
            } => (path, line, format!("<overlong {len}>")),
        };
        let name = Path::new(path.as_ref())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        v.push((name, line, text));
    });
    v
}

fn append(p: &Path, s: &[u8]) {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .unwrap()
        .write_all(s)
        .unwrap();
}

fn lines(prefix: &str, range: std::ops::RangeInclusive<u32>) -> String {
    range.map(|i| format!("{prefix}-{i}\n")).collect()
}

fn seen(name: &str, first_line: u64, prefix: &str, range: std::ops::RangeInclusive<u32>) -> Seen {
    range
        .enumerate()
        .map(|(k, i)| {
            (
                name.to_string(),
                first_line + k as u64,
                format!("{prefix}-{i}"),
            )
        })
        .collect()
}

fn family(dir: &Path) -> Tailer {
    Tailer::new(
        LogTarget::Family {
            dir: dir.to_path_buf(),
            stem: "openclaw".into(),
        },
        TailOptions::default(),
    )
}

fn set_age(p: &Path, age: Duration) {
    let f = File::options().write(true).open(p).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[test]
fn family_names_parse() {
    let f = parse_family_name("openclaw-work-2026-11-22.3.log").unwrap();
    assert_eq!(
        (f.stem, f.date, f.rotation),
        ("openclaw-work", "2026-11-22", 3)
    );
    assert_eq!(
        parse_family_name("openclaw-2026-11-22.log").unwrap().stem,
        "openclaw"
    );
    assert!(parse_family_name("openclaw.log").is_none());
    assert!(parse_family_name("other-2026-11-22.log").is_none());
    assert!(parse_family_name("openclaw-2026-11-2x.log").is_none());
    assert!(parse_family_name("openclaw-Work-2026-11-22.log").is_none());
}

#[test]
fn backlog_in_age_order_then_follow() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    fs::write(p("openclaw-2026-11-22.log"), lines("active", 1..=3)).unwrap();
    fs::write(p("openclaw-2026-11-22.1.log"), lines("r1", 1..=2)).unwrap();
    fs::write(p("openclaw-2026-11-22.2.log"), lines("r2", 1..=2)).unwrap();
    fs::write(p("openclaw-2026-11-21.log"), lines("yday", 1..=2)).unwrap();
    fs::write(
        p("openclaw-dev-2026-11-22.log"),
        lines("other-profile", 1..=2),
    )
    .unwrap();
    fs::write(p("unrelated.log"), lines("x", 1..=2)).unwrap();
    let mut t = family(d.path());
    let mut want = seen("openclaw-2026-11-21.log", 1, "yday", 1..=2);
    want.extend(seen("openclaw-2026-11-22.2.log", 1, "r2", 1..=2));
    want.extend(seen("openclaw-2026-11-22.1.log", 1, "r1", 1..=2));
    want.extend(seen("openclaw-2026-11-22.log", 1, "active", 1..=3));
    assert_eq!(poll(&mut t), want);
    assert_eq!(poll(&mut t), vec![]);
    append(
        &p("openclaw-2026-11-22.log"),
        lines("active", 4..=5).as_bytes(),
    );
    assert_eq!(
        poll(&mut t),
        seen("openclaw-2026-11-22.log", 4, "active", 4..=5)
    );
    let st = t.status();
    assert_eq!(st.lines, 11);
    assert!(
        st.file
            .as_deref()
            .unwrap()
            .ends_with("openclaw-2026-11-22.log")
    );
    assert_eq!(
        st.offset,
        fs::metadata(p("openclaw-2026-11-22.log")).unwrap().len()
    );
}

#[test]
fn rename_rotation_reads_the_rest_of_the_old_file_first() {
    let d = tempfile::tempdir().unwrap();
    let active = d.path().join("openclaw-2026-11-22.log");
    let r1 = d.path().join("openclaw-2026-11-22.1.log");
    let r2 = d.path().join("openclaw-2026-11-22.2.log");
    fs::write(&r1, lines("old1", 1..=1)).unwrap();
    fs::write(&active, lines("a", 1..=2)).unwrap();
    let mut t = family(d.path());
    assert_eq!(poll(&mut t).len(), 3);
    // The writer appends, then rotates (.1 → .2, active → .1) and starts a new active file.
    append(&active, lines("a", 3..=4).as_bytes());
    fs::rename(&r1, &r2).unwrap();
    fs::rename(&active, &r1).unwrap();
    fs::write(&active, lines("b", 1..=3)).unwrap();
    let mut want = seen("openclaw-2026-11-22.1.log", 3, "a", 3..=4);
    want.extend(seen("openclaw-2026-11-22.log", 1, "b", 1..=3));
    assert_eq!(poll(&mut t), want);
    // A late append to the renamed file (a writer still holding it) is read too.
    append(&r1, lines("a", 5..=5).as_bytes());
    assert_eq!(
        poll(&mut t),
        seen("openclaw-2026-11-22.1.log", 5, "a", 5..=5)
    );
}

#[test]
fn truncation_restarts_from_zero() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, lines("x", 1..=5)).unwrap();
    let mut t = family(d.path());
    assert_eq!(poll(&mut t).len(), 5);
    fs::write(&f, lines("y", 1..=2)).unwrap(); // O_TRUNC, same inode
    assert_eq!(poll(&mut t), seen("openclaw-2026-11-22.log", 1, "y", 1..=2));
}

#[test]
fn delete_and_recreate() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, lines("x", 1..=3)).unwrap();
    let mut t = family(d.path());
    assert_eq!(poll(&mut t).len(), 3);
    append(&f, lines("x", 4..=4).as_bytes());
    fs::remove_file(&f).unwrap();
    fs::write(&f, lines("z", 1..=2)).unwrap();
    // The tailer still holds the deleted file open: its last line comes first, then the new file.
    let mut want = seen("openclaw-2026-11-22.log", 4, "x", 4..=4);
    want.extend(seen("openclaw-2026-11-22.log", 1, "z", 1..=2));
    assert_eq!(poll(&mut t), want);
    fs::remove_file(&f).unwrap();
    assert_eq!(poll(&mut t), vec![]);
    assert_eq!(t.status().file, None);
    fs::write(&f, lines("w", 1..=1)).unwrap();
    assert_eq!(poll(&mut t), seen("openclaw-2026-11-22.log", 1, "w", 1..=1));
}

#[test]
fn partial_line_waits_for_its_newline() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, b"one\ntw").unwrap();
    let mut t = family(d.path());
    assert_eq!(poll(&mut t), seen_one("one", 1));
    assert_eq!(poll(&mut t), vec![]);
    append(&f, b"o-and-");
    assert_eq!(poll(&mut t), vec![]);
    append(&f, b"more\nthree\n");
    let mut want = seen_one("two-and-more", 2);
    want.extend(seen_one("three", 3));
    assert_eq!(poll(&mut t), want);
}

fn seen_one(text: &str, line: u64) -> Seen {
    vec![("openclaw-2026-11-22.log".into(), line, text.into())]
}

#[test]
fn day_rollover_picks_up_the_new_dated_file() {
    let d = tempfile::tempdir().unwrap();
    let day1 = d.path().join("openclaw-2026-11-21.log");
    let day2 = d.path().join("openclaw-2026-11-22.log");
    fs::write(&day1, lines("d1", 1..=2)).unwrap();
    let mut t = family(d.path());
    assert_eq!(poll(&mut t).len(), 2);
    append(&day1, lines("d1", 3..=3).as_bytes());
    fs::write(&day2, lines("d2", 1..=2)).unwrap();
    let mut want = seen("openclaw-2026-11-21.log", 3, "d1", 3..=3);
    want.extend(seen("openclaw-2026-11-22.log", 1, "d2", 1..=2));
    assert_eq!(poll(&mut t), want);
    assert!(
        t.status()
            .file
            .as_deref()
            .unwrap()
            .ends_with("2026-11-22.log")
    );
}

#[test]
fn backlog_skips_files_older_than_24h_but_follows_their_appends() {
    let d = tempfile::tempdir().unwrap();
    let old = d.path().join("openclaw-2026-11-20.log");
    let recent = d.path().join("openclaw-2026-11-21.log");
    let fresh = d.path().join("openclaw-2026-11-22.log");
    fs::write(&old, lines("old", 1..=4)).unwrap();
    fs::write(&recent, lines("recent", 1..=2)).unwrap();
    fs::write(&fresh, lines("fresh", 1..=1)).unwrap();
    set_age(&old, Duration::from_secs(25 * 3600));
    set_age(&recent, Duration::from_secs(23 * 3600));
    let mut t = family(d.path());
    let mut want = seen("openclaw-2026-11-21.log", 1, "recent", 1..=2);
    want.extend(seen("openclaw-2026-11-22.log", 1, "fresh", 1..=1));
    assert_eq!(poll(&mut t), want);
    // A late writer appends to the old file: only the new line, at its true line number.
    append(&old, lines("old", 5..=5).as_bytes());
    assert_eq!(
        poll(&mut t),
        seen("openclaw-2026-11-20.log", 5, "old", 5..=5)
    );
}

#[test]
fn ten_megabyte_line_is_skipped_with_bounded_memory() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, b"before\n").unwrap();
    let mut t = family(d.path());
    assert_eq!(poll(&mut t), seen_one("before", 1));
    // 10 MiB without a newline, written and polled in 1 MiB steps.
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..10 {
        append(&f, &chunk);
        assert_eq!(poll(&mut t), vec![]);
        assert!(
            t.buffered_bytes() <= (1 << 20) + 4096,
            "buffered {}",
            t.buffered_bytes()
        );
    }
    append(&f, b"\nafter\n");
    let mut want = seen_one("<overlong 10485760>", 2);
    want.extend(seen_one("after", 3));
    assert_eq!(poll(&mut t), want);
    assert!(t.buffered_bytes() <= (1 << 20) + 4096);
    // The same line arriving in one piece (backlog read) is also reported once.
    let g = d.path().join("openclaw-2026-11-23.log");
    let mut big = b"a\n".to_vec();
    big.extend(std::iter::repeat_n(b'y', 10 << 20));
    big.extend(b"\nb\n");
    fs::write(&g, &big).unwrap();
    let got = poll(&mut t);
    let texts: Vec<(u64, &str)> = got.iter().map(|(_, l, s)| (*l, s.as_str())).collect();
    assert_eq!(texts, vec![(1, "a"), (2, "<overlong 10485760>"), (3, "b")]);
}

#[test]
fn invalid_utf8_is_passed_through_as_bytes() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("openclaw-2026-11-22.log");
    fs::write(&f, b"ok\n\xff\xfe bad\n").unwrap();
    let mut t = family(d.path());
    let mut raw = Vec::new();
    t.poll(&mut |ev| {
        if let TailEvent::Line { line, bytes, .. } = ev {
            raw.push((line, bytes.to_vec()));
        }
    });
    assert_eq!(
        raw,
        vec![(1, b"ok".to_vec()), (2, b"\xff\xfe bad".to_vec())]
    );
}

#[test]
fn named_file_follows_its_size_rotation() {
    let d = tempfile::tempdir().unwrap();
    let f: PathBuf = d.path().join("openclaw.log");
    fs::write(&f, lines("a", 1..=2)).unwrap();
    set_age(&f, Duration::from_secs(48 * 3600)); // the named file is read whatever its age
    fs::write(d.path().join("openclaw.log.bak"), b"not a member\n").unwrap();
    let mut t = Tailer::new(LogTarget::File(f.clone()), TailOptions::default());
    assert_eq!(poll(&mut t), seen("openclaw.log", 1, "a", 1..=2));
    append(&f, lines("a", 3..=3).as_bytes());
    fs::rename(&f, d.path().join("openclaw.1.log")).unwrap();
    fs::write(&f, lines("b", 1..=1)).unwrap();
    let mut want = seen("openclaw.1.log", 3, "a", 3..=3);
    want.extend(seen("openclaw.log", 1, "b", 1..=1));
    assert_eq!(poll(&mut t), want);
}

#[test]
fn missing_dir_waits_then_reads() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("openclaw");
    let mut t = family(&dir);
    assert_eq!(poll(&mut t), vec![]);
    assert_eq!(t.status().file, None);
    assert_eq!(t.status().error, None);
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("openclaw-2026-11-22.log"), lines("x", 1..=2)).unwrap();
    assert_eq!(poll(&mut t).len(), 2);
}
