//! A rotation racing the directory listing: a rotated file that is briefly under no member name
//! (renamed out and back between two polls, as `.N.log` → `.N+1.log` can be between `readdir`
//! and `stat`) must not be taken for a new file and read again from the start. Found by the soak
//! (`scripts/soak.sh`, 5,000 lines/s with a rotation every ~28 s: ~416,000 lines read twice).

use std::fs;
use std::io::Write;

use lanetop::ingest::discover::LogTarget;
use lanetop::ingest::tail::{TailEvent, TailOptions, Tailer};

fn poll(t: &mut Tailer) -> Vec<String> {
    let mut v = Vec::new();
    t.poll(&mut |ev| {
        if let TailEvent::Line { bytes, .. } = ev {
            v.push(String::from_utf8_lossy(bytes).into_owned());
        }
    });
    v
}

#[test]
fn a_rotated_file_briefly_unlisted_is_not_read_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let active = dir.path().join("openclaw-2026-11-22.log");
    let mut f = fs::File::create(&active).expect("create");
    for i in 0..100 {
        writeln!(f, "line-{i}").expect("write");
    }
    drop(f);
    let opts = TailOptions {
        poll: true,
        ..TailOptions::default()
    };
    let mut t = Tailer::new(
        LogTarget::Family {
            dir: dir.path().to_path_buf(),
            stem: "openclaw".into(),
        },
        opts,
    );
    assert_eq!(poll(&mut t).len(), 100, "backlog");
    // Rotation caught mid-way: the active file is under a non-member name for one poll …
    let limbo = dir.path().join("openclaw-2026-11-22.log.tmp-rename");
    fs::rename(&active, &limbo).expect("rename out");
    assert_eq!(poll(&mut t), Vec::<String>::new());
    // … then shows up as `.1.log`, and a new active file starts.
    fs::rename(&limbo, dir.path().join("openclaw-2026-11-22.1.log")).expect("rename in");
    fs::write(&active, "new-0\nnew-1\n").expect("new active");
    assert_eq!(
        poll(&mut t),
        ["new-0", "new-1"],
        "only the new file's lines; the rotated file is not read again"
    );
    // A deleted file is still closed at once, and a file that stays away is closed after a
    // few polls (its descriptor is not kept forever).
    fs::remove_file(dir.path().join("openclaw-2026-11-22.1.log")).expect("prune");
    assert_eq!(poll(&mut t), Vec::<String>::new());
    assert_eq!(t.status().files, 1);
}
