//! Fallback cascade reducer tests, from hand-made facts that mirror real records of
//! `captured/logs/openclaw.log` (line numbers cited).

mod facts;

use facts::*;
use lanetop::domain::Model;
use lanetop::fact::LogEvent;

#[test]
fn three_step_cascade_429_404_ok() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:49:40.000+00:00",
            "main",
            vec![main_row()],
        )],
    );
    fold(&mut model, phase3());
    let c = &model.cascades.counters;
    assert_eq!(c.decisions, 3);
    assert_eq!(c.by_reason.get("rate_limit"), Some(&1));
    assert_eq!(c.by_reason.get("model_not_found"), Some(&1));
    assert_eq!(
        c.by_reason.values().sum::<u64>(),
        2,
        "the success record has no reason"
    );
    assert_eq!(c.by_decision.get("candidate_failed"), Some(&2));
    assert_eq!(c.by_decision.get("candidate_succeeded"), Some(&1));
    assert_eq!(c.chain_exhausted, 0);

    assert_eq!(model.cascades.episodes.len(), 1);
    let e = &model.cascades.episodes[0];
    assert_eq!(e.session.as_deref(), Some("agent:main:main"));
    assert_eq!(e.run_id.as_deref(), Some(RUN3));
    assert_eq!(e.outcome.as_deref(), Some("succeeded"));
    let chain: Vec<(String, Option<String>, Option<u16>)> = e
        .steps
        .iter()
        .map(|s| {
            (
                s.from.as_ref().map(|m| m.to_string()).unwrap_or_default(),
                s.to.as_ref().map(|m| m.to_string()),
                s.status,
            )
        })
        .collect();
    assert_eq!(
        chain,
        vec![
            (
                "fakeprime/fake-primary".into(),
                Some("fakeprime/fake-secondary".into()),
                Some(429)
            ),
            (
                "fakeprime/fake-secondary".into(),
                Some("fakeback/fake-tertiary".into()),
                Some(404)
            ),
            ("fakeback/fake-tertiary".into(), None, None),
        ]
    );
    assert_eq!(
        e.failing_models(),
        vec!["fakeprime/fake-primary", "fakeprime/fake-secondary"]
    );
    assert!(!e.replayed_after_boot);

    let s = &model.sessions.by_key["agent:main:main"];
    assert_eq!(s.fallback_episodes, 1);
    assert!(s.active_runs.is_empty(), "run done at line 372");
    assert_eq!(
        s.current_model.as_ref().map(|m| m.to_string()).as_deref(),
        Some("fakeback/fake-tertiary")
    );
    assert_eq!(model.sessions.by_key.len(), 1, "no placeholder left behind");
}

#[test]
fn log_before_snapshot_merges_the_placeholder() {
    let mut model = Model::default();
    fold(&mut model, phase3());
    assert!(
        model.sessions.by_key.contains_key(MAIN_SID),
        "kept under the id while the key is unknown"
    );
    fold(
        &mut model,
        vec![snapshot(
            "2026-11-22T01:58:30.000+00:00",
            "main",
            vec![main_row()],
        )],
    );
    assert!(!model.sessions.by_key.contains_key(MAIN_SID));
    let s = &model.sessions.by_key["agent:main:main"];
    assert_eq!(s.fallback_episodes, 1);
    assert_eq!(
        s.turns
            .iter()
            .filter(|t| matches!(t.kind, lanetop::domain::session::TurnKind::Fallback { .. }))
            .count(),
        2
    );
    let report = lanetop::report::build(&model);
    assert_eq!(
        report.cascades[0].session.as_deref(),
        Some("agent:main:main")
    );
}

/// Phase 10b (lines 2298, 2306, 2332, 2335, 2336): every model 401, chain exhausted. The
/// exhaustion logs the decision with `chain_exhausted` and two `All models failed` lines: one
/// exhaustion.
#[test]
fn chain_exhausted_counts_once() {
    let run = "73a04918-6239-4768-b269-9e7790e5d36b";
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            snapshot("2026-11-22T01:55:20.000+00:00", "main", vec![main_row()]),
            ev(
                2298,
                "2026-11-22T01:55:26.935+00:00",
                decision(
                    run,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-primary",
                    Some("fakeprime/fake-secondary"),
                    Some("auth"),
                    Some(401),
                    1,
                    "next_fallback",
                ),
            ),
            ev(
                2306,
                "2026-11-22T01:55:27.036+00:00",
                decision(
                    run,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-secondary",
                    Some("fakeback/fake-tertiary"),
                    Some("auth"),
                    Some(401),
                    2,
                    "next_fallback",
                ),
            ),
            ev(
                2332,
                "2026-11-22T01:55:27.293+00:00",
                decision(
                    run,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeback/fake-tertiary",
                    None,
                    Some("auth"),
                    Some(401),
                    3,
                    "chain_exhausted",
                ),
            ),
            ev(
                2335,
                "2026-11-22T01:55:27.383+00:00",
                LogEvent::ChainExhausted {
                    attempts: 3,
                    session_key: None,
                    job_id: None,
                },
            ),
            ev(
                2336,
                "2026-11-22T01:55:27.410+00:00",
                LogEvent::ChainExhausted {
                    attempts: 3,
                    session_key: None,
                    job_id: None,
                },
            ),
        ],
    );
    let c = &model.cascades.counters;
    assert_eq!(c.decisions, 3);
    assert_eq!(c.by_reason.get("auth"), Some(&3));
    assert_eq!(c.chain_exhausted, 1);
    assert_eq!(
        model.cascades.episodes[0].outcome.as_deref(),
        Some("exhausted")
    );
    // A second exhaustion 28 s later (lines 2393-2407, run fc2b573a) is a new one.
    let run2 = "fc2b573a-a7c0-43a2-932f-054779e200b4";
    fold(
        &mut model,
        vec![
            ev(
                2393,
                "2026-11-22T01:55:55.300+00:00",
                decision(
                    run2,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-primary",
                    Some("fakeprime/fake-secondary"),
                    Some("auth"),
                    Some(401),
                    1,
                    "next_fallback",
                ),
            ),
            ev(
                2400,
                "2026-11-22T01:55:55.327+00:00",
                decision(
                    run2,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeprime/fake-secondary",
                    Some("fakeback/fake-tertiary"),
                    Some("auth"),
                    Some(401),
                    2,
                    "next_fallback",
                ),
            ),
            ev(
                2407,
                "2026-11-22T01:55:55.357+00:00",
                decision(
                    run2,
                    MAIN_SID,
                    "candidate_failed",
                    "fakeback/fake-tertiary",
                    None,
                    Some("auth"),
                    Some(401),
                    3,
                    "chain_exhausted",
                ),
            ),
        ],
    );
    assert_eq!(model.cascades.counters.chain_exhausted, 2);
    assert_eq!(model.cascades.episodes.len(), 2);
    assert!(
        !model.cascades.episodes[1].replayed_after_boot,
        "same boot: not a replay"
    );
}

/// Phase 3c same-model retries (line 497 …) and a model switch are counted.
#[test]
fn retries_and_switches_counted() {
    let mut model = Model::default();
    fold(
        &mut model,
        vec![
            ev(
                497,
                "2026-11-22T01:50:00.000+00:00",
                LogEvent::SameModelRetry {
                    model: m("fakeback/fake-tertiary"),
                    attempt: 1,
                    max: 8,
                    reason: "server_error".into(),
                    delay_ms: Some(951),
                },
            ),
            ev(
                498,
                "2026-11-22T01:50:01.000+00:00",
                LogEvent::ModelSwitch {
                    session_id: OPS_SID.into(),
                    from: m("fakeback/fake-tertiary"),
                    to: m("fakeback/fake-backup"),
                },
            ),
        ],
    );
    assert_eq!(model.cascades.counters.same_model_retries, 1);
    assert_eq!(model.cascades.counters.model_switches, 1);
    assert_eq!(model.cascades.counters.decisions, 0);
    assert_eq!(
        model.sessions.by_key[OPS_SID]
            .current_model
            .as_ref()
            .map(|m| m.to_string())
            .as_deref(),
        Some("fakeback/fake-backup")
    );
}

/// The top-level `session_id` of a record may be a session key (FORMATS.md §1.2 example:
/// `"session_id":"agent:main:main"`): it names the session directly, no placeholder.
#[test]
fn session_named_by_key() {
    let mut model = Model::default();
    let mut d = decision(
        RUN3,
        "agent:main:main",
        "candidate_failed",
        "fakeprime/fake-primary",
        Some("fakeprime/fake-secondary"),
        Some("rate_limit"),
        Some(429),
        1,
        "next_fallback",
    );
    if let LogEvent::FallbackDecision(x) = &mut d {
        x.run_id = None;
    }
    fold(
        &mut model,
        vec![ev(323, "2026-11-22T01:49:47.131+00:00", d)],
    );
    let s = &model.sessions.by_key["agent:main:main"];
    assert!(!s.placeholder);
    assert_eq!(
        (s.kind, s.agent_id.as_str(), s.fallback_episodes),
        (lanetop::domain::SessionKind::Main, "main", 1)
    );
    assert_eq!(
        model.cascades.episodes[0].session.as_deref(),
        Some("agent:main:main")
    );
    assert_eq!(
        model.cascades.open.keys().collect::<Vec<_>>(),
        vec!["session:agent:main:main"]
    );
}
