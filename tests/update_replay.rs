//! Replay-after-boot detection: the same session walking the same failing chain in a later
//! gateway boot (boots at captured log lines 6 and 1825; chain as in phase 3, lines 289-386).

mod facts;

use facts::*;
use lanetop::domain::Model;
use lanetop::fact::{GatewayEvent, LogEvent};

fn boot(line: u64, at: &str) -> lanetop::fact::Fact {
    ev(line, at, LogEvent::Gateway(GatewayEvent::Starting))
}

/// Boot 1 (line 6) walks primary 429 → secondary 404 → ok; after the boot at line 1825 the same
/// session walks the same failing chain again: replayed. A different chain is not.
#[test]
fn replayed_after_boot() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            boot(6, "2026-11-22T01:49:20.213+00:00"),
            snapshot("2026-11-22T01:49:40.000+00:00", "main", vec![main_row()]),
        ],
    );
    fold(&mut model, phase3());
    fold(
        &mut model,
        vec![boot(1825, "2026-11-22T01:54:31.750+00:00")],
    );
    let again = "11111111-0000-0000-0000-000000000001";
    let other = "11111111-0000-0000-0000-000000000002";
    fold(
        &mut model,
        vec![
            ev(
                1900,
                "2026-11-22T01:54:50.000+00:00",
                decision(
                    again,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-primary",
                    Some("fakeprime/fake-secondary"),
                    Some("rate_limit"),
                    Some(429),
                    1,
                    "next_fallback",
                ),
            ),
            ev(
                1901,
                "2026-11-22T01:54:50.200+00:00",
                decision(
                    again,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-secondary",
                    Some("fakeback/fake-tertiary"),
                    Some("model_not_found"),
                    Some(404),
                    2,
                    "next_fallback",
                ),
            ),
            ev(
                1902,
                "2026-11-22T01:54:50.400+00:00",
                decision(
                    again,
                    MAIN_SID,
                    "candidate_succeeded",
                    "fakeback/fake-tertiary",
                    None,
                    None,
                    None,
                    3,
                    "succeeded",
                ),
            ),
            ev(
                1950,
                "2026-11-22T01:54:55.000+00:00",
                decision(
                    other,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-primary",
                    Some("fakeprime/fake-secondary"),
                    Some("timeout"),
                    Some(408),
                    1,
                    "next_fallback",
                ),
            ),
            ev(
                1951,
                "2026-11-22T01:54:55.500+00:00",
                decision(
                    other,
                    MAIN_SID,
                    "candidate_succeeded",
                    "fakeprime/fake-secondary",
                    None,
                    None,
                    None,
                    2,
                    "succeeded",
                ),
            ),
        ],
    );
    let eps: Vec<(usize, bool)> = model
        .cascades
        .episodes
        .iter()
        .map(|e| (e.boot, e.replayed_after_boot))
        .collect();
    assert_eq!(eps, vec![(0, false), (1, true), (1, false)]);
    let report = lanetop::report::build(&model);
    assert_eq!(report.fallbacks.replayed_after_boot, 1);
}

/// Boots learned after the episodes (the state DB read after the log): indices and replay
/// flags are recomputed.
#[test]
fn replay_recomputed_when_boots_arrive_late() {
    let mut model = Model::default();
    fold(&mut model, phase3());
    let again = "11111111-0000-0000-0000-000000000001";
    fold(
        &mut model,
        vec![
            ev(
                1900,
                "2026-11-22T01:54:50.000+00:00",
                decision(
                    again,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-primary",
                    Some("fakeprime/fake-secondary"),
                    Some("rate_limit"),
                    Some(429),
                    1,
                    "next_fallback",
                ),
            ),
            ev(
                1901,
                "2026-11-22T01:54:50.200+00:00",
                decision(
                    again,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-secondary",
                    Some("fakeback/fake-tertiary"),
                    Some("model_not_found"),
                    Some(404),
                    2,
                    "next_fallback",
                ),
            ),
            ev(
                1902,
                "2026-11-22T01:54:50.400+00:00",
                decision(
                    again,
                    MAIN_SID,
                    "candidate_succeeded",
                    "fakeback/fake-tertiary",
                    None,
                    None,
                    None,
                    3,
                    "succeeded",
                ),
            ),
        ],
    );
    assert!(
        model
            .cascades
            .episodes
            .iter()
            .all(|e| !e.replayed_after_boot),
        "one boot known: no replay"
    );
    // `gateway_boot_lifecycle` rows of the captured state DB (boots 1 and 2).
    let row = |id: &str, start: i64| lanetop::fact::BootRow {
        boot_id: id.into(),
        pid: None,
        started_at_ms: start,
        completed_at_ms: None,
        outcome: None,
        reason: None,
    };
    fold(
        &mut model,
        vec![
            fact(
                "2026-11-22T01:58:30.000+00:00",
                state_db(),
                lanetop::fact::FactKind::GatewayBoot(Box::new(row(
                    "d16c4af5-39cd-4271-99d1-99eaf618ae64",
                    1795312160615,
                ))),
            ),
            fact(
                "2026-11-22T01:58:30.000+00:00",
                state_db(),
                lanetop::fact::FactKind::GatewayBoot(Box::new(row(
                    "162ff639-0cfd-4af1-9cc2-8da73f048d50",
                    1795312472238,
                ))),
            ),
        ],
    );
    let eps: Vec<(usize, bool)> = model
        .cascades
        .episodes
        .iter()
        .map(|e| (e.boot, e.replayed_after_boot))
        .collect();
    assert_eq!(eps, vec![(0, false), (1, true)]);
}
