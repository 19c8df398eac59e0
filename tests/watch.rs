//! The directory watcher: notify wake-ups name the changed paths, a flood of events stays
//! bounded (overflow flag instead of an unbounded queue), forced polling never wakes early,
//! and a dir created later is picked up.

use std::fs;
use std::time::{Duration, Instant};

use lanetop::ingest::watch::{DirWatcher, Stop};

const LONG: Duration = Duration::from_secs(10);

#[test]
fn notify_names_the_changed_file() {
    let d = tempfile::tempdir().unwrap();
    let stop = Stop::default();
    let mut w = DirWatcher::new(vec![d.path().to_path_buf()], None, false);
    assert!(w.is_live());
    assert!(w.wait(Duration::from_millis(50), &stop).is_none());
    let f = d.path().join("a.log");
    fs::write(&f, b"x\n").unwrap();
    let c = w.wait(LONG, &stop).expect("an event");
    assert!(c.touches(&f), "{c:?}");
    assert!(!c.touches(&d.path().join("other")));
}

#[test]
fn debounced_watcher_coalesces_a_burst() {
    let d = tempfile::tempdir().unwrap();
    let stop = Stop::default();
    let mut w = DirWatcher::new(
        vec![d.path().to_path_buf()],
        Some(Duration::from_millis(100)),
        false,
    );
    let f = d.path().join("db-wal");
    for i in 0..20 {
        fs::write(&f, format!("{i}")).unwrap();
    }
    let c = w.wait(LONG, &stop).expect("an event");
    assert!(c.touches(&f));
}

#[test]
fn event_flood_sets_overflow_instead_of_queueing() {
    let d = tempfile::tempdir().unwrap();
    let stop = Stop::default();
    let mut w = DirWatcher::new(vec![d.path().to_path_buf()], None, false);
    for i in 0..2000 {
        fs::write(d.path().join(format!("f{i}")), b"x").unwrap();
    }
    let deadline = Instant::now() + LONG;
    let mut overflowed = false;
    while !overflowed && Instant::now() < deadline {
        if let Some(c) = w.wait(Duration::from_millis(200), &stop) {
            overflowed |= c.overflowed;
        }
    }
    assert!(overflowed);
}

#[test]
fn forced_polling_only_times_out() {
    let d = tempfile::tempdir().unwrap();
    let stop = Stop::default();
    let mut w = DirWatcher::new(vec![d.path().to_path_buf()], None, true);
    assert!(!w.is_live());
    fs::write(d.path().join("a"), b"x").unwrap();
    let t = Instant::now();
    assert!(w.wait(Duration::from_millis(150), &stop).is_none());
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[test]
fn stop_flag_ends_a_wait() {
    let d = tempfile::tempdir().unwrap();
    let stop = Stop::default();
    stop.set();
    let mut w = DirWatcher::new(vec![d.path().to_path_buf()], None, false);
    let t = Instant::now();
    assert!(w.wait(LONG, &stop).is_none());
    assert!(t.elapsed() < LONG);
}

/// A stop set while a thread waits (an idle console being closed) wakes the wait at once, with
/// notify and in poll mode: the threads need no periodic wake-up to notice it.
#[test]
fn stop_set_during_a_wait_wakes_it() {
    for force_poll in [false, true] {
        let d = tempfile::tempdir().unwrap();
        let stop = std::sync::Arc::new(Stop::default());
        let mut w = DirWatcher::new(vec![d.path().to_path_buf()], None, force_poll);
        let waiting = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let t = Instant::now();
                // The first wait hands the watcher's waker to `stop`.
                let _ = w.wait(Duration::from_millis(1), &stop);
                let r = w.wait(Duration::from_secs(60), &stop);
                (r.is_none(), t.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        let t = Instant::now();
        stop.set();
        let (none, _) = waiting.join().unwrap();
        assert!(
            none,
            "a stopped wait reports no change (poll mode {force_poll})"
        );
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "woken {:?} after the stop (poll mode {force_poll})",
            t.elapsed()
        );
    }
}

#[test]
fn dir_created_later_is_watched() {
    let d = tempfile::tempdir().unwrap();
    let sub = d.path().join("openclaw");
    let stop = Stop::default();
    let mut w = DirWatcher::new(vec![sub.clone()], None, false);
    assert!(!w.is_live());
    fs::create_dir(&sub).unwrap();
    assert!(w.wait(Duration::from_millis(10), &stop).is_none());
    assert!(w.is_live());
    let f = sub.join("openclaw-2026-11-22.log");
    fs::write(&f, b"x\n").unwrap();
    assert!(w.wait(LONG, &stop).expect("an event").touches(&f));
    // Removed: no longer live until it is back.
    fs::remove_file(&f).unwrap();
    fs::remove_dir(&sub).unwrap();
    let _ = w.wait(Duration::from_millis(10), &stop);
    let _ = w.wait(Duration::from_millis(10), &stop);
    assert!(!w.is_live());
}
