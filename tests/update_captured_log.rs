//! The reducers over the REAL captured gateway log (`captured/logs/openclaw.log`, 2698 lines,
//! 3 boots), parsed by the real log parser and folded by the reducers. Expected numbers were
//! counted independently with Python over the same file.

mod facts;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use facts::captured::log_facts;
use lanetop::domain::Model;
use lanetop::fact::Fact;
use lanetop::msg::Msg;

fn fold_captured() -> Model {
    let facts: Vec<Fact> = log_facts();
    assert_eq!(facts.len(), 2698, "every captured line is one JSON record");
    let mut model = Model::default();
    for chunk in facts.chunks(256) {
        lanetop::update::update(&mut model, Msg::Facts(chunk.to_vec()));
    }
    model
}

#[test]
fn captured_log_folds_to_the_counted_numbers() {
    let model = fold_captured();
    let c = &model.cascades.counters;
    assert_eq!(c.decisions, 18);
    let reasons: BTreeMap<&str, u64> = c.by_reason.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        reasons,
        BTreeMap::from([
            ("auth", 6),
            ("billing", 1),
            ("model_not_found", 2),
            ("rate_limit", 2),
            ("server_error", 1),
            ("timeout", 1)
        ])
    );
    assert_eq!(c.by_decision.get("candidate_failed"), Some(&13));
    assert_eq!(c.by_decision.get("candidate_succeeded"), Some(&5));
    assert_eq!(c.same_model_retries, 22);
    // lines 2332 (+ 2335, 2336 `All models failed`) and 2407: two exhaustions
    assert_eq!(c.chain_exhausted, 2);

    // 7 runs failed over: 24864ff9, d004f2bf, c8a4a4f9, 0d316e70 (boot 1), 1a170fc2, 73a04918, fc2b573a (boot 3)
    let eps: Vec<(usize, &str, bool)> = model
        .cascades
        .episodes
        .iter()
        .map(|e| {
            (
                e.boot,
                e.outcome.as_deref().unwrap_or("open"),
                e.replayed_after_boot,
            )
        })
        .collect();
    assert_eq!(
        eps,
        vec![
            (0, "succeeded", false),
            (0, "succeeded", false),
            (0, "succeeded", false),
            (0, "succeeded", false),
            (2, "succeeded", false),
            (2, "exhausted", false),
            (2, "exhausted", false),
        ]
    );

    assert_eq!(model.gateway.boots.len(), 3);
    assert!(model.gateway.boots.iter().all(|b| b.ready_at.is_some()));

    let lane = &model.lanes.by_name["session:agent:main:main"];
    assert_eq!(
        (lane.wait_exceeded, lane.tasks_done, lane.task_errors),
        (2, 12, 11)
    );
    assert_eq!(lane.wait_max_ms(), Some(15073));
    let main = &model.lanes.by_name["main"];
    assert_eq!((main.tasks_done, main.task_errors), (17, 10));
    assert_eq!(model.lanes.by_name["cron-nested"].task_errors, 3);

    // The only run left without `embedded run done` is 73a04918, whose chain was exhausted.
    assert!(
        model
            .sessions
            .by_key
            .values()
            .all(|s| s.active_runs.is_empty())
    );

    assert_eq!(model.logs.total, 2698);
    assert_eq!(model.logs.warnings_total, 205, "WARN + ERROR lines");
    // report mode: the clock is the newest record time (the last line, 2698)
    assert_eq!(
        model.now,
        Some(
            DateTime::parse_from_rfc3339("2026-11-22T01:58:21.807+00:00")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        )
    );
}

/// A `candidate_succeeded` record may still name the chain's next candidate (captured lines 810
/// and 1747 carry `nextCandidateModel`); the step it makes goes nowhere.
#[test]
fn a_success_step_has_no_next_model() {
    let model = fold_captured();
    let succeeded: Vec<_> = model
        .cascades
        .episodes
        .iter()
        .flat_map(|e| &e.steps)
        .filter(|s| s.decision == "candidate_succeeded")
        .collect();
    assert_eq!(succeeded.len(), 5);
    assert!(succeeded.iter().all(|s| s.to.is_none()), "{succeeded:?}");
}
