//! Number formats: USD, tokens, ages, durations, short keys.

use lanetop::ui::widgets::fmt;

#[test]
fn usd_two_decimals_more_below_a_cent() {
    assert_eq!(fmt::usd(0.0), "$0.00");
    assert_eq!(fmt::usd(0.4564), "$0.46");
    assert_eq!(fmt::usd(0.0123), "$0.01");
    assert_eq!(fmt::usd(0.0024), "$0.0024");
    assert_eq!(fmt::usd(0.00001), "$0.0000");
    assert_eq!(fmt::usd(1234.5), "$1234.50");
}

#[test]
fn tokens_with_suffixes() {
    assert_eq!(fmt::tokens(950), "950");
    assert_eq!(fmt::tokens(12_408), "12.4k");
    assert_eq!(fmt::tokens(4_500_000), "4.5M");
}

#[test]
fn ages_and_durations() {
    assert_eq!(fmt::age_secs(3), "3s");
    assert_eq!(fmt::age_secs(300), "5m");
    assert_eq!(fmt::age_secs(7200), "2h");
    assert_eq!(fmt::age_secs(3 * 86400), "3d");
    assert_eq!(
        fmt::age_secs(-5),
        "0s",
        "clock skew never shows negative ages"
    );
    assert_eq!(fmt::millis(850), "850ms");
    assert_eq!(fmt::millis(7281), "7.3s");
    assert_eq!(fmt::millis(120_000), "2m");
}

#[test]
fn short_keys_and_truncation() {
    assert_eq!(
        fmt::short_key("agent:ops:cron:007ab091-ffcc-493b-979a-d1207036802e"),
        "agent:ops:cron:007ab091"
    );
    assert_eq!(
        fmt::short_key("session:agent:main:main"),
        "session:agent:main:main"
    );
    assert_eq!(fmt::trunc("fake-secondary", 6), "fake-…");
    assert_eq!(fmt::trunc("main", 6), "main");
}

#[test]
fn fitted_keys_keep_the_end_that_tells_rows_apart() {
    let run = "session:agent:main:cron:f3eb99f7-0dd4-4302-8637-5f7f34e81ab4:run:49477b7a-2007-4d08-a5c1-c23e0d1a2b3c";
    assert_eq!(fmt::fit_key(run, 24), "session:ag…:run:49477b7a");
    assert_eq!(fmt::fit_key(run, 24).chars().count(), 24);
    // Fits after shortening: unchanged but for the UUIDs.
    assert_eq!(
        fmt::fit_key(run, 60),
        "session:agent:main:cron:f3eb99f7:run:49477b7a"
    );
    assert_eq!(fmt::fit_key("agent:main:main", 26), "agent:main:main");
    // A key that fits whole keeps its full ids.
    let job = "agent:ops:cron:007ab091-ffcc-493b-979a-d1207036802e";
    assert_eq!(fmt::fit_key(job, 60), job);
    assert_eq!(fmt::fit_key(job, 40), "agent:ops:cron:007ab091");
    // Sibling runs of one job stay distinct in the Sessions key column at 80 columns.
    let a = fmt::fit_key("agent:ops:cron:f1ee677e:run:1a2b3c4d", 26);
    let b = fmt::fit_key("agent:ops:cron:f1ee677e:run:9f8e7d6c", 26);
    assert_eq!(a, "agent:ops:cr…:run:1a2b3c4d");
    assert_ne!(a, b);
    // No `:` in reach: the last characters are kept.
    assert_eq!(fmt::fit_key("abcdefghijklmnopqrstuvwxyz", 10), "abc…uvwxyz");
    // Very narrow: a plain cut.
    assert_eq!(fmt::fit_key("agent:main:main", 4), "age…");
    assert_eq!(fmt::fit_key("agent:main:main", 0), "");
}
